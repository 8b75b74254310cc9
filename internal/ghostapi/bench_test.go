package ghostapi_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkBrowsePosts is a Ghost front end's page of 15 posts with tags
// and authors, over HTTP against the test paper.
func BenchmarkBrowsePosts(b *testing.B) {
	p := newPaper(&testing.T{}, 1<<30)
	url := p.srv.URL + "/ghost/api/content/posts/?key=" + p.key + "&include=tags,authors"
	b.ReportAllocs()
	for b.Loop() {
		res, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}
