package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"masthead/internal/mail/mailpit"
)

// waitLog waits until serve's log contains want.
func waitLog(t *testing.T, s *server, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("serve's log never said %q:\n%s", want, tail(s.logs.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeMailFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp", "http://mail.example.com"}, "--smtp"},
		{[]string{"--smtp", "smtp://u:s3cret@mail.example.com?bogus=1"}, "unknown option"},
		{[]string{"--mail-from", "not an address"}, "--mail-from"},
	} {
		cmd := exec.Command(masthead(t), append([]string{"serve", "--no-demo", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, tc.args...)...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("serve %v: err %v, output %q, want it to mention %q", tc.args, err, out, tc.want)
		}
		if strings.Contains(string(out), "s3cret") {
			t.Errorf("serve %v printed the SMTP password: %q", tc.args, out)
		}
	}

	// An unreachable server does not stop serve, and the warning hides
	// the password.
	s := startServer(t, "--no-demo", "--smtp", "smtp://desk:s3cret@127.0.0.1:1", "--mail-from", "News <news@masthead.test>")
	waitLog(t, s, "cannot reach the SMTP server")
	if strings.Contains(s.logs.String(), "s3cret") {
		t.Errorf("the log shows the SMTP password:\n%s", s.logs.String())
	}

	mp := mailpit.FromEnv(t)
	s2 := startServer(t, "--no-demo", "--smtp", mp.URL(), "--mail-from", "News <news@masthead.test>")
	waitLog(t, s2, "SMTP server answers")
}
