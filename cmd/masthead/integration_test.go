package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// integration add --json prints the keys once in the shape PRODUCT.md
// fixes; the keys work (their hashes are in the database) and list shows
// no key.
func TestIntegrationCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errb bytes.Buffer
	err := run(ctx, []string{"integration", "add", "--data", data, "--name", "Wire desk", "--scopes", "stories:write,content:read", "--json"}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("add: %v\n%s", err, errb.String())
	}
	var got struct {
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		Scopes     []string `json:"scopes"`
		ContentKey string   `json:"content_key"`
		AdminKey   string   `json:"admin_key"`
	}
	dec := json.NewDecoder(bytes.NewReader(out.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	if got.ID == 0 || got.Name != "Wire desk" || strings.Join(got.Scopes, ",") != "stories:write,content:read" ||
		!regexp.MustCompile(`^[0-9a-f]{26}$`).MatchString(got.ContentKey) || !strings.HasPrefix(got.AdminKey, "mhk_") {
		t.Fatalf("add --json = %+v", got)
	}
	for _, bad := range [][]string{
		{"--name", "x", "--scopes", "stories:delete"},
		{"--name", "", "--scopes", "content:read"},
		{"--name", "x", "--scopes", ""},
	} {
		if err := run(ctx, append([]string{"integration", "add", "--data", data}, bad...), nil, &out, &errb); err == nil {
			t.Errorf("add %v: no error", bad)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"integration", "list", "--data", data}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Wire desk") || strings.Contains(out.String(), got.ContentKey) || strings.Contains(out.String(), got.AdminKey) {
		t.Fatalf("list:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"integration", "rotate", "--data", data, "--id", "1", "--kind", "admin", "--json"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"admin_key":"mhk_`) || strings.Contains(out.String(), got.AdminKey) {
		t.Fatalf("rotate: %s", out.String())
	}
	if err := run(ctx, []string{"integration", "revoke", "--data", data, "--id", "1"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"integration", "revoke", "--data", data, "--id", "99"}, nil, &out, &errb); err == nil {
		t.Error("revoking a missing integration: no error")
	}
}

// wire ingest reads the 50-item feed under an integration: the summary
// counts its stories, updates and kill; a second reading changes nothing.
func TestWireIngestCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"integration", "add", "--data", data, "--name", "AP", "--scopes", "stories:write", "--json"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	feed := "../../internal/ninjs/testdata/ap-feed-50.ndjson"
	for i, want := range []string{
		"50 items: 36 new stories, 12 updates, 1 kills, 1 unchanged, 0 held for the newsroom",
		"50 items: 0 new stories, 0 updates, 0 kills, 50 unchanged, 0 held for the newsroom",
	} {
		out.Reset()
		if err := run(ctx, []string{"wire", "ingest", "--data", data, "--integration", "1", feed}, nil, &out, &errb); err != nil {
			t.Fatalf("reading %d: %v\n%s", i+1, err, errb.String())
		}
		if got := strings.TrimSpace(out.String()); got != want {
			t.Errorf("reading %d: %q, want %q", i+1, got, want)
		}
	}
	if err := run(ctx, []string{"wire", "ingest", "--data", data, "--integration", "1", "integration_test.go"}, nil, &out, &errb); err == nil {
		t.Error("a Go file read as ninjs: no error")
	}
}
