// Package web holds the reader site's static assets (CSS, JavaScript, icons),
// embedded in the binary and served under fingerprinted names so browsers
// can keep them for a year: a changed file gets a new name, never a stale copy.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var files embed.FS

// Prefix is the URL path under which Handler serves the assets.
const Prefix = "/static/"

type asset struct {
	name  string // original name, e.g. "site.css"
	hname string // fingerprinted name, e.g. "site.1a2b3c4d5e.css"
	data  []byte
	ctype string
	etag  string
	gz    []byte // gzip of data when that saves enough, else nil
}

var (
	byName   = map[string]*asset{} // original name → asset
	byHashed = map[string]*asset{} // fingerprinted name → asset
)

func init() {
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := files.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(e.Name())
		a := &asset{
			name:  e.Name(),
			hname: strings.TrimSuffix(e.Name(), ext) + "." + h + ext,
			data:  data,
			ctype: mime.TypeByExtension(ext),
			etag:  `"` + h + `"`,
		}
		if a.ctype == "" {
			a.ctype = "application/octet-stream"
		}
		if ext == ".js" {
			// mime's table varies by system (text/javascript vs
			// application/javascript); pin the standard one.
			a.ctype = "text/javascript; charset=utf-8"
		}
		if ext == ".css" || ext == ".js" || ext == ".svg" {
			var buf bytes.Buffer
			z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = z.Write(data)
			_ = z.Close()
			if buf.Len() < len(data)*9/10 {
				a.gz = buf.Bytes()
			}
		}
		byName[a.name] = a
		byHashed[a.hname] = a
	}
}

// Path returns the fingerprinted URL path of the named asset, e.g.
// Path("site.css") == "/static/site.1a2b3c4d5e.css". It panics on an unknown
// name: templates and pages name their assets in code, so a typo is a bug
// that the package's tests catch, not a runtime condition.
func Path(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("web: unknown asset " + name)
	}
	return Prefix + a.hname
}

// Bytes returns the content of the named asset (nil when unknown).
func Bytes(name string) []byte {
	if a, ok := byName[name]; ok {
		return a.data
	}
	return nil
}

// Handler serves the assets. Fingerprinted names are immutable and cached
// for a year; the plain names (for hand-written links and tools) are served
// too, but must be revalidated. Anything else is a 404.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, Prefix)
		a, immutable := byHashed[name]
		if !immutable {
			a = byName[name]
		}
		if a == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		if immutable {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=0, must-revalidate")
		}
		body := a.data
		if a.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				body = a.gz
				h.Set("Content-Encoding", "gzip")
				h.Set("ETag", a.etag[:len(a.etag)-1]+`-gz"`)
			}
		}
		// ServeContent answers If-None-Match with 304 and handles HEAD
		// and ranges; a zero modtime leaves Last-Modified unset.
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
	})
}
