package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var metricsRE = regexp.MustCompile(`metrics on (http://\S+)/metrics`)

// TestMetricsAddr: /metrics is never on the public listener, not even for
// a loopback client (a reverse proxy on the same machine is one, and would
// pass anyone's request on); with --metrics-addr it is served there, and
// only /metrics is.
func TestMetricsAddr(t *testing.T) {
	masthead(t)
	t.Run("default: no metrics", func(t *testing.T) {
		s := startServer(t, "--no-demo")
		if code, body := get(t, s.URL+"/metrics"); code != http.StatusNotFound || strings.Contains(body, "masthead_") {
			t.Errorf("GET /metrics on the public listener from loopback: %d %.100q", code, body)
		}
		if metricsRE.MatchString(s.out.String()) {
			t.Errorf("serve announced a metrics listener without --metrics-addr:\n%s", s.out.String())
		}
	})
	t.Run("--metrics-addr", func(t *testing.T) {
		s := startServer(t, "--no-demo", "--metrics-addr", "127.0.0.1:0")
		m := metricsRE.FindStringSubmatch(s.out.String())
		if m == nil {
			t.Fatalf("serve did not say where metrics are:\n%s", s.out.String())
		}
		base := m[1]
		if base == s.URL {
			t.Fatalf("metrics share the public listener %s", base)
		}
		for _, path := range []string{"/metrics", "/metrics/"} {
			if code, body := get(t, s.URL+path); code != http.StatusNotFound || strings.Contains(body, "masthead_") {
				t.Errorf("GET %s on the public listener: %d %.100q", path, code, body)
			}
		}
		get(t, s.URL+"/healthz")
		code, body := get(t, base+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("GET /metrics on the metrics listener: %d", code)
		}
		for _, want := range []string{
			`masthead_http_request_duration_seconds_count{code="200",method="GET",route="GET /healthz"}`,
			"masthead_pagecache_hits_total", "sqlite_write", "go_goroutines",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// The metrics listener serves nothing else.
		for _, path := range []string{"/", "/healthz", "/newsroom/signin"} {
			if code, _ := get(t, base+path); code != http.StatusNotFound {
				t.Errorf("GET %s on the metrics listener: %d, want 404", path, code)
			}
		}
	})
}
