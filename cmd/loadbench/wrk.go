package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkScript makes wrk print its summary as one JSON line: latency
// percentiles in microseconds, and every kind of error counted, so that a
// case whose responses were not 2xx/3xx cannot pass for a fast one.
const wrkScript = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('LOADBENCH {"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"p50_us":%d,"p99_us":%d,"bytes":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), summary.bytes))
end
`

// wrkResult is one wrk run.
type wrkResult struct {
	Requests     int64 `json:"requests"`
	DurationUS   int64 `json:"duration_us"`
	Errors       int64 `json:"errors"`
	StatusErrors int64 `json:"status_errors"`
	P50US        int64 `json:"p50_us"`
	P99US        int64 `json:"p99_us"`
	Bytes        int64 `json:"bytes"`
}

type wrk struct {
	bin    string
	script string
}

func newWrk(bin, dir string) (*wrk, error) {
	if bin == "" {
		bin = "wrk"
	}
	p, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("wrk not found (Debian: apt-get install wrk): %w", err)
	}
	script := filepath.Join(dir, "loadbench.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
		return nil, err
	}
	return &wrk{bin: p, script: script}, nil
}

// run loads url with conns keep-alive connections for d (whole seconds,
// as wrk counts them) and the given request headers.
func (w *wrk) run(url string, conns int, d time.Duration, headers []string) (wrkResult, error) {
	threads := min(conns, 2) // the machine's cores; wrk shares them with the server
	secs := max(1, int(d.Round(time.Second)/time.Second))
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", strconv.Itoa(secs) + "s",
		"--timeout", "5s", "-s", w.script}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	var out, errb bytes.Buffer
	cmd := exec.Command(w.bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if js, ok := strings.CutPrefix(line, "LOADBENCH "); ok {
			var r wrkResult
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				return wrkResult{}, fmt.Errorf("wrk summary %q: %v", js, err)
			}
			if r.Requests == 0 {
				return r, errors.New("wrk made no request:\n" + out.String())
			}
			return r, nil
		}
	}
	return wrkResult{}, fmt.Errorf("no summary in wrk's output:\n%s%s", out.String(), errb.String())
}
