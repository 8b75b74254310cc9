package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRotate(t *testing.T) {
	vs := []*variant{{label: "m"}, {label: "g"}, {label: "n"}, {label: "br"}, {label: "304"}}
	for r, want := range []string{"m g n br 304", "g n m br 304", "n m g br 304", "m g n br 304"} {
		var got []string
		for _, v := range rotate(vs, 3, r) {
			got = append(got, v.label)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("round %d: %v, want %s", r, got, want)
		}
	}
}

func TestMedian(t *testing.T) {
	v := &variant{rounds: []round{{rps: 30, p99: 3 * time.Millisecond}, {rps: 10, p99: time.Millisecond}, {rps: 20, p99: 9 * time.Millisecond}}}
	if v.rps() != 20 || v.p99() != 3*time.Millisecond {
		t.Errorf("median rps %v p99 %v, want 20 and 3ms", v.rps(), v.p99())
	}
	v.rounds = append(v.rounds, round{rps: 40})
	if v.rps() != 25 {
		t.Errorf("median of four: %v, want 25", v.rps())
	}
}

// The generated nginx config is one nginx accepts (nginx -t), with every
// placeholder filled. Skipped where nginx is not installed (Debian:
// nginx-light); loadbench itself says so when run.
func TestNginxConf(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			t.Skip("nginx not installed")
		}
		bin = "/usr/sbin/nginx"
	}
	dir := t.TempDir()
	conf := strings.NewReplacer("{{dir}}", dir, "{{addr}}", "127.0.0.1:1", "{{root}}", dir).Replace(nginxConf)
	if strings.Contains(conf, "{{") {
		t.Fatalf("placeholder left in\n%s", conf)
	}
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-t", "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	for _, want := range []string{"sendfile on", "worker_processes 2", "access_log " + dir + "/access.log", "keepalive_requests"} {
		if !strings.Contains(conf, want) {
			t.Errorf("config lacks %q", want)
		}
	}
}
