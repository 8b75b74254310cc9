package gctune

import "testing"

func TestSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if p, l := Settings(env(nil), 64<<20); p != 400 || l != 256<<20 {
		t.Errorf("defaults: GOGC %d, limit %d MB; want 400, 256 MB", p, l>>20)
	}
	if p, l := Settings(env(map[string]string{"GOGC": "100"}), 64<<20); p != 0 || l == 0 {
		t.Errorf("GOGC set: percent %d (want 0: the environment's), limit %d", p, l)
	}
	if p, l := Settings(env(map[string]string{"GOMEMLIMIT": "1GiB"}), 64<<20); p != 400 || l != 0 {
		t.Errorf("GOMEMLIMIT set: percent %d, limit %d (want 0: the environment's)", p, l)
	}
}
