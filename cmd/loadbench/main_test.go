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
// nginx-light), never under CI=true (.ci/run installs it); loadbench
// itself says so when run.
func TestNginxConf(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("nginx not installed under CI=true: .ci/run installs nginx-light")
			}
			t.Skip("nginx not installed (apt-get install nginx-light)")
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

func TestParseStraceSummary(t *testing.T) {
	const out = `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ------------------
 42.70    0.712820         112      6341       260 futex
  6.27    0.104661          24      4286           write
  4.63    0.077220          12      5950      1860 read
------ ----------- ----------- --------- --------- ------------------
100.00    1.669531          74     22476      2145 total
`
	got := parseStraceSummary(out)
	want := []syscallCount{{"futex", 6341, 260}, {"read", 5950, 1860}, {"write", 4286, 0}}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
