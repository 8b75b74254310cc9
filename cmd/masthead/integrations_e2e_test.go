package main

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// integrationAdd runs `masthead integration add --json` beside a running
// serve, as an operator would, and returns what it printed.
func integrationAdd(t *testing.T, s *server, name, scopes string) (id int64, contentKey, adminKey string) {
	t.Helper()
	cmd := exec.Command(masthead(t), "integration", "add", "--data", s.Data, "--name", name, "--scopes", scopes, "--json")
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("integration add: %v\n%s", err, out)
	}
	var got struct {
		ID         int64  `json:"id"`
		ContentKey string `json:"content_key"`
		AdminKey   string `json:"admin_key"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("integration add --json: %v\n%s", err, out)
	}
	return got.ID, got.ContentKey, got.AdminKey
}

// The integrations' APIs through the real serve: a key made by the command
// beside it works at once, a revoked one stops at once (no answer is kept
// in the page cache), and the Admin API's document is served.
func TestServeIntegrations(t *testing.T) {
	s := demoServer(t)
	id, key, _ := integrationAdd(t, s, "E2E front end", "content:read")
	url := s.URL + "/ghost/api/content/posts/?key=" + key + "&limit=3&include=tags,authors"
	st, body := get(t, url)
	if st != 200 || !strings.Contains(body, `"posts":[`) || !strings.Contains(body, `"pagination"`) {
		t.Fatalf("Ghost posts through serve: %d %.300s", st, body)
	}
	cmd := exec.Command(masthead(t), "integration", "revoke", "--data", s.Data, "--id", strconv.FormatInt(id, 10))
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("integration revoke: %v\n%s", err, out)
	}
	if st, body := get(t, url); st != 401 || !strings.Contains(body, "Unknown Content API Key") {
		t.Fatalf("the same request after the revocation: %d %.300s", st, body)
	}
	if st, body := get(t, s.URL+"/api/admin/v1/openapi.json"); st != 200 || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json: %d %.200s", st, body)
	}
}
