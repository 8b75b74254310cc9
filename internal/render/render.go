// Package render turns typed page structs into HTML with html/template.
// Templates are embedded, parsed once at start-up, and every page is executed
// into a buffer first, so a template error becomes a clean error page instead
// of half a page with a 200 status.
package render

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed reader
var readerFiles embed.FS

// ReaderFS holds the reader site's templates: base/*.html (the layout and
// shared partials) and pages/*.html (one file per page).
func ReaderFS() fs.FS {
	sub, err := fs.Sub(readerFiles, "reader")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// Renderer executes parsed templates by page name ("article" for
// pages/article.html).
type Renderer struct {
	pages map[string]*template.Template
	bufs  sync.Pool
}

// New parses every base/*.html of fsys together with each pages/*.html in
// turn: each page gets its own template set, so pages can all define the
// blocks the layout calls ("content", "head") without clashing. funcs is
// added to the generic helpers (Funcs).
func New(fsys fs.FS, funcs template.FuncMap) (*Renderer, error) {
	fm := Funcs()
	for k, v := range funcs {
		fm[k] = v
	}
	base, err := template.New("").Funcs(fm).ParseFS(fsys, "base/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse base templates: %w", err)
	}
	names, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no templates in pages/")
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	r.bufs.New = func() any { return new(bytes.Buffer) }
	for _, n := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, n); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		name := strings.TrimSuffix(path.Base(n), ".html")
		if t.Lookup("page") == nil {
			return nil, fmt.Errorf("%s: no \"page\" template (the layout)", n)
		}
		r.pages[name] = t
	}
	return r, nil
}

// Pages lists the page names, sorted.
func (r *Renderer) Pages() []string {
	out := make([]string, 0, len(r.pages))
	for n := range r.pages {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Render executes the named page with data and returns the complete
// document; on error nothing has been written anywhere.
func (r *Renderer) Render(name string, data any) ([]byte, error) {
	t, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("render: no page %q", name)
	}
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, "page", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	// Copy out: the buffer goes back to the pool.
	return bytes.Clone(buf.Bytes()), nil
}

// Funcs are the generic helpers every template set gets.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"add": func(a, b int) int { return a + b },
		// dict passes several values to a partial:
		// {{template "cards" (dict "Cards" .Stories "Grid" true)}}.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}
