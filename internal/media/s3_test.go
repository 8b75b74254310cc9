package media_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// fakeS3 runs gofakes3 (the S3 protocol over an in-memory backend) on a
// loopback port with one bucket.
func fakeS3(t *testing.T, bucket string) (*httptest.Server, *s3mem.Backend) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv, backend
}

func newTestS3(t *testing.T, endpoint, bucket, prefix string) *media.S3Blobs {
	t.Helper()
	cfg, err := media.ParseS3URL(fmt.Sprintf("s3://%s/%s?endpoint=%s&region=auto", bucket, prefix, endpoint))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AccessKey, cfg.SecretKey = "test-access", "test-secret"
	b, err := media.NewS3Blobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestS3Blobs(t *testing.T) {
	ctx := context.Background()
	srv, backend := fakeS3(t, "papers")
	b := newTestS3(t, srv.URL, "papers", "paper1/")
	if err := b.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	const key = "photos/1/abc/original.jpg"
	if err := b.Put(ctx, key, []byte("one")); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789"), 50_000) // 500 kB
	if err := b.Put(ctx, key, data); err != nil {
		t.Fatal(err)
	}
	f, mod, err := b.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, data) || mod.IsZero() {
		t.Fatalf("read %d bytes (%v), want %d; modtime %v", len(got), err, len(data), mod)
	}
	// The prefix scopes the paper's objects inside the shared bucket.
	if _, err := backend.HeadObject("papers", "paper1/"+key); err != nil {
		t.Errorf("object not under the prefix: %v", err)
	}

	// Ranges, as http.ServeContent asks for them through Seek.
	f, mod, err = b.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/media/1/original", nil)
	req.Header.Set("Range", "bytes=123456-123465")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "", mod, f)
	f.Close()
	if rec.Code != http.StatusPartialContent || rec.Body.String() != string(data[123456:123466]) {
		t.Fatalf("range: %d %q", rec.Code, rec.Body.String())
	}
	f, _, _ = b.Open(ctx, key)
	buf := make([]byte, 4)
	if _, err := f.Seek(-4, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(f, buf); err != nil || string(buf) != "6789" {
		t.Fatalf("read after seek: %q %v", buf, err)
	}
	if n, err := f.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("read at the end: %d %v, want EOF", n, err)
	}
	f.Close()

	if err := b.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, key); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}
	if _, _, err := b.Open(ctx, key); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("open deleted: %v, want not found", err)
	}
	for _, bad := range []string{"", "..", "../other-paper/x", "a//b", "/etc/passwd", `a\b`} {
		if err := b.Put(ctx, bad, []byte("x")); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("Put(%q): %v, want invalid", bad, err)
		}
		if _, _, err := b.Open(ctx, bad); news.ErrorCode(err) != news.EINVALID {
			t.Errorf("Open(%q): %v, want invalid", bad, err)
		}
	}
	if _, err := backend.HeadObject("papers", "x"); err == nil {
		t.Error("an invalid key reached the bucket")
	}

	// A missing bucket is a clear error at start, not on the first photo.
	other := newTestS3(t, srv.URL, "no-such-bucket", "")
	if err := other.Ping(ctx); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("ping a missing bucket: %v", err)
	}
	if err := other.Put(ctx, "a.jpg", []byte("x")); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("put into a missing bucket: %v, want NoSuchBucket", err)
	}
}

// TestS3Library stores a photo through the library on S3 and serves it,
// whole and by range, at the paths the paper links to.
func TestS3Library(t *testing.T) {
	ctx := context.Background()
	srv, backend := fakeS3(t, "media")
	b := newTestS3(t, srv.URL, "media", "paper")
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lib := media.New(media.Config{Store: st, Blobs: b, Paper: &news.Paper{}, Logger: slog.New(slog.DiscardHandler)})
	p := &news.Photo{Caption: "c", Alt: "a"}
	if err := lib.SavePhoto(ctx, p, encodePNG(t, testImage(900, 600))); err != nil {
		t.Fatal(err)
	}
	if _, err := backend.HeadObject("media", "paper/"+p.Key); err != nil {
		t.Fatalf("original %s not in the bucket: %v", p.Key, err)
	}
	mux := http.NewServeMux()
	lib.Register(mux)
	for _, w := range append([]int{0}, p.Widths...) {
		path := (&news.Paper{}).PhotoPath(p, w)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Fatalf("GET %s: %d, %d bytes", path, rec.Code, rec.Body.Len())
		}
		whole := rec.Body.Bytes()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Range", "bytes=10-19")
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), whole[10:20]) {
			t.Fatalf("GET %s bytes 10-19: %d %q", path, rec.Code, rec.Body.Bytes())
		}
	}
}

func TestParseS3URL(t *testing.T) {
	cfg, err := media.ParseS3URL("s3://my-bucket/papers/one?endpoint=http://127.0.0.1:9000&region=auto")
	if err != nil || cfg.Bucket != "my-bucket" || cfg.Prefix != "papers/one" || cfg.Endpoint != "http://127.0.0.1:9000" || cfg.Region != "auto" {
		t.Fatalf("%+v %v", cfg, err)
	}
	for _, bad := range []string{
		"http://bucket/x",                   // not s3
		"s3://key:secret@bucket/",           // credentials in the URL
		"s3://bucket/?endpiont=http://h:1",  // typo
		"s3://Bad_Bucket/",                  // checked by NewS3Blobs
		"s3://bucket/../x",                  // prefix escapes
		"s3://bucket/?endpoint=ftp://h",     // scheme
		"s3://bucket/?endpoint=http://h/x/", // a path
	} {
		cfg, err := media.ParseS3URL(bad)
		if err == nil {
			cfg.AccessKey, cfg.SecretKey = "a", "b"
			_, err = media.NewS3Blobs(cfg)
		}
		if err == nil {
			t.Errorf("%q accepted", bad)
		} else if strings.Contains(err.Error(), "secret") && !strings.Contains(err.Error(), "MASTHEAD_S3") {
			t.Errorf("%q: the error repeats the secret: %v", bad, err)
		}
	}
	if _, err := media.NewS3Blobs(media.S3Config{Bucket: "bucket"}); err == nil {
		t.Error("no credentials accepted")
	}
}
