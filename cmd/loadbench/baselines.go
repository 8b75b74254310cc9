package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// server is one process tree under test.
type server struct {
	name string
	host string       // 127.0.0.1:PORT
	pids func() []int // every process serving (nginx: master and workers)
	stop func()
	bin  string // masthead: the binary, for pprof
}

// startMemory runs this program again as the Go baseline: net/http with the
// same timeouts as masthead, writing each page's bytes from memory (set
// Content-Type and Content-Length, one Write). Nothing else: it is what
// net/http itself costs for these bytes on this machine.
//
// With ?masthead-headers (-header-baseline) it also sends the headers
// masthead sent for that page, from hdrFile: net/http's cost of writing
// masthead's headers, apart from masthead's own work.
func startMemory(dir, hdrFile string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-memory-serve", dir, hdrFile)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return nil, fmt.Errorf("memory server: %v", err)
	}
	pid := cmd.Process.Pid
	return &server{name: "go-memory", host: strings.TrimSpace(line), pids: func() []int { return []int{pid} }, stop: stop}, nil
}

const withHeadersQuery = "masthead-headers"

// serveMemory is the child process of startMemory: every file under dir,
// read once, served at its path (index.html at "/").
func serveMemory(dir, hdrFile string) error {
	pages := map[string][]byte{}
	extra := map[string]http.Header{}
	if hdrFile != "" {
		b, err := os.ReadFile(hdrFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &extra); err != nil {
			return err
		}
		for _, h := range extra {
			for _, k := range []string{"Content-Length", "Content-Type", "Date"} {
				h.Del(k)
			}
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		u := "/" + filepath.ToSlash(rel)
		if u == "/index.html" {
			u = "/"
		}
		pages[u] = b
		return nil
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.RawQuery == withHeadersQuery {
			h := w.Header()
			for k, v := range extra[r.URL.Path] {
				h[k] = v
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	return srv.Serve(ln)
}

// nginxConf is the static-file baseline as a paper would run it: Debian's
// nginx serving the same bytes from files, sendfile on, keep-alive, the
// default access log (the combined format, one write per request), two
// workers for the two cores. keepalive_requests is raised from its default
// of 1,000 so that nginx, like net/http, keeps a busy connection open; the
// reconnects would otherwise be measured as nginx's cost.
const nginxConf = `daemon off;
master_process on;
worker_processes 2;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log warn;
events {
    worker_connections 1024;
}
http {
    types { }
    default_type "text/html; charset=utf-8";
    access_log {{dir}}/access.log;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path {{dir}}/client_body;
    proxy_temp_path {{dir}}/proxy;
    fastcgi_temp_path {{dir}}/fastcgi;
    uwsgi_temp_path {{dir}}/uwsgi;
    scgi_temp_path {{dir}}/scgi;
    server {
        listen {{addr}};
        root {{root}};
        index index.html;
        location / {
            try_files $uri $uri/index.html =404;
        }
    }
}
`

// startNginx writes a config for root into a new directory and runs
// nginx in the foreground on a free loopback port.
func startNginx(bin, root string) (*server, error) {
	if bin == "" {
		bin = "nginx"
	}
	p, err := exec.LookPath(bin)
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			return nil, fmt.Errorf("nginx not found (Debian: apt-get install nginx-light): %w", err)
		}
		p = "/usr/sbin/nginx"
	}
	dir, err := os.MkdirTemp("", "loadbench-nginx-")
	if err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := strings.NewReplacer("{{dir}}", dir, "{{addr}}", addr, "{{root}}", root).Replace(nginxConf)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(p, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	master := cmd.Process.Pid
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt) // nginx: fast shutdown
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		os.RemoveAll(dir)
	}
	s := &server{name: "nginx", host: addr, stop: stop,
		pids: func() []int { return append([]int{master}, children(master)...) }}
	for range 100 {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("nginx exited: %s", log)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
			if len(children(master)) >= 2 {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, errors.New("nginx did not answer within 5 s")
}

// freePort asks the kernel for a free loopback port (nginx takes a port
// number, not a listener; the window in which another process could take
// it is a few milliseconds).
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// children lists the processes whose parent is pid (nginx's workers).
func children(pid int) []int {
	var out []int
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err == nil {
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
		return out
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(st)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			if f := strings.Fields(s[i+1:]); len(f) > 1 && f[1] == strconv.Itoa(pid) {
				out = append(out, n)
			}
		}
	}
	return out
}
