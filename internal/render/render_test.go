package render

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRenderWholeOrNothing(t *testing.T) {
	fsys := fstest.MapFS{
		"base/layout.html": {Data: []byte(`{{define "page"}}<p>{{template "content" .}}</p>{{end}}`)},
		"pages/ok.html":    {Data: []byte(`{{define "content"}}{{.Name}}{{end}}`)},
		"pages/half.html":  {Data: []byte(`{{define "content"}}start {{.Missing.Field}}{{end}}`)},
	}
	r, err := New(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Pages(), ","); got != "half,ok" {
		t.Errorf("pages %q", got)
	}
	out, err := r.Render("ok", struct{ Name string }{"<b>"})
	if err != nil || string(out) != "<p>&lt;b&gt;</p>" {
		t.Errorf("ok: %q, %v", out, err)
	}
	// The page fails after writing "start": nothing comes out.
	out, err = r.Render("half", struct{ Name string }{})
	if err == nil || out != nil {
		t.Errorf("half: %q, %v", out, err)
	}
	if _, err := r.Render("nope", nil); err == nil {
		t.Error("unknown page rendered")
	}
}

func TestNewRejectsBrokenTemplates(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"syntax":    {"base/l.html": {Data: []byte(`{{define "page"}}{{end}}`)}, "pages/a.html": {Data: []byte(`{{if}}`)}},
		"no layout": {"base/l.html": {Data: []byte(`{{define "x"}}{{end}}`)}, "pages/a.html": {Data: []byte(`{{define "content"}}{{end}}`)}},
		"no pages":  {"base/l.html": {Data: []byte(`{{define "page"}}{{end}}`)}},
	} {
		if _, err := New(fsys, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestReaderTemplatesParse(t *testing.T) {
	r, err := New(ReaderFS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "article,author,corrections,error,front,list,notfound,search,shell,static"
	if got := strings.Join(r.Pages(), ","); got != want {
		t.Errorf("pages %q, want %q", got, want)
	}
}
