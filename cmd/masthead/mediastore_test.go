package main

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"masthead/internal/media"
)

func TestOpenBlobs(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	b, err := openBlobs(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := b.(*media.DirBlobs); !ok || d.Dir() != filepath.Join(data, "media") {
		t.Fatalf("--media empty: %T, want DirBlobs in DATA/media", b)
	}

	backend := s3mem.New()
	if err := backend.CreateBucket("photos"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	spec := "s3://photos/paper1?endpoint=" + srv.URL

	t.Setenv("MASTHEAD_S3_ACCESS_KEY", "")
	t.Setenv("MASTHEAD_S3_SECRET_KEY", "")
	if _, err := openBlobs(ctx, spec, data); err == nil || !strings.Contains(err.Error(), "MASTHEAD_S3_ACCESS_KEY") {
		t.Fatalf("no credentials: %v, want an error naming the variables", err)
	}
	t.Setenv("MASTHEAD_S3_ACCESS_KEY", "key")
	t.Setenv("MASTHEAD_S3_SECRET_KEY", "very-secret")
	if _, err := openBlobs(ctx, "s3://other/x?endpoint="+srv.URL, data); err == nil || strings.Contains(err.Error(), "very-secret") {
		t.Fatalf("missing bucket: %v, want an error without the secret", err)
	}
	b, err = openBlobs(ctx, spec, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "photos/1/a.jpg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	f, _, err := b.Open(ctx, "photos/1/a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != "jpeg" {
		t.Fatalf("read %q", got)
	}
	if _, err := os.Stat(filepath.Join(data, "media", "photos")); err == nil {
		t.Error("an S3 store wrote into the data folder")
	}
}
