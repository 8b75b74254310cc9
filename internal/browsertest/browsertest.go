// Package browsertest starts Debian's headless Chromium for tests outside
// cmd/masthead (whose own helpers are in its browser_test.go). Locally a
// missing browser skips the test with a message; under CI it fails, because
// .ci/run installs Chromium.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path finds Chromium.
func Path(t testing.TB) string {
	t.Helper()
	for _, c := range []string{os.Getenv("MASTHEAD_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium not found (apt-get install chromium); CI must run the browser tests")
	}
	t.Skip("Chromium not found: install Debian's chromium (or set MASTHEAD_CHROMIUM) to run the browser tests")
	return ""
}

// New starts a headless Chromium with the flags this machine needs and
// returns a tab's context; the test's cleanup stops it. The context ends
// after 5 minutes: a guard against a hung browser, not a speed limit (a
// long journey on a busy shared machine takes minutes).
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Path(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}
