package main

import (
	"context"
	"flag"
	"io"
	"path/filepath"
	"testing"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// TestPaperSettingsApply: the newsroom's stored paper settings apply at
// start where no flag was given; a flag given on the command line (or in
// the environment) overrides its setting.
func TestPaperSettingsApply(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutSetting(ctx, news.PaperSettingsKey, `{"name":"The Seoul Ledger","time_zone":"Asia/Tokyo","languages":["ko","en"],"full_text_feeds":false,"nav":[{"label":"Politics","url":"/section/politics"}]}`); err != nil {
		t.Fatal(err)
	}
	build := func(args ...string) *news.Paper {
		t.Helper()
		var pf paperFlags
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		pf.register(fs)
		if err := parse(fs, args, io.Discard); err != nil {
			t.Fatal(err)
		}
		p, err := pf.paper(ctx, st, "http://127.0.0.1:8080")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := build()
	if p.Name != "The Seoul Ledger" || p.Loc().String() != "Asia/Tokyo" || p.Language != "ko" || p.FullTextFeeds || len(p.Nav) != 1 {
		t.Errorf("stored settings not applied: %+v", p)
	}
	p = build("--paper-name", "Flag Times", "--timezone", "UTC")
	if p.Name != "Flag Times" || p.Loc().String() != "UTC" || p.Language != "ko" {
		t.Errorf("flags do not override: %+v", p)
	}
	t.Setenv("MASTHEAD_FULL_TEXT_FEEDS", "true")
	if p = build(); !p.FullTextFeeds {
		t.Error("an environment variable does not override its setting")
	}
}
