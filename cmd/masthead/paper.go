package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // the paper's zone must load on machines without zoneinfo

	"masthead/internal/news"
)

// paperFlags are the paper's identity; serve stores the base URL so that
// commands run beside it (import) print the same absolute URLs.
type paperFlags struct {
	BaseURL     string
	Name        string
	Language    string
	TimeZone    string
	KakaoAppKey string
	FullText    bool
	fs          *flag.FlagSet // to tell which flags were given
}

func (p *paperFlags) register(fs *flag.FlagSet) {
	p.fs = fs
	fs.StringVar(&p.BaseURL, "base-url", "", "public `URL` of the site (default http://ADDR, or what serve last stored)")
	fs.StringVar(&p.Name, "paper-name", "The Masthead Herald", "the paper's `name`")
	fs.StringVar(&p.Language, "language", "en", "default story `language` (BCP 47)")
	fs.StringVar(&p.TimeZone, "timezone", "Asia/Seoul", "the paper's time `zone` (IANA name)")
	fs.StringVar(&p.KakaoAppKey, "kakao-app-key", "", "Kakao JavaScript app `key`; when empty no Kakao script is loaded")
	fs.BoolVar(&p.FullText, "full-text-feeds", true, "put whole stories in feeds (false: summaries)")
}

// paper builds the news.Paper: the flags, then the newsroom's paper
// settings where the flags were not given. A base URL not given falls back
// to the one stored by serve, then to fallback.
func (p *paperFlags) paper(ctx context.Context, st news.Store, fallback string) (*news.Paper, error) {
	paper, err := p.flagsPaper(ctx, st, fallback)
	if err != nil {
		return nil, err
	}
	stored, err := st.GetSetting(ctx, news.PaperSettingsKey)
	if err != nil && !errors.Is(err, news.ErrNotFound) {
		return nil, err
	}
	return p.withSettings(paper, stored)
}

// flagsPaper is the paper as the flags (and their defaults) make it.
func (p *paperFlags) flagsPaper(ctx context.Context, st news.Store, fallback string) (*news.Paper, error) {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("--timezone %q: %w", p.TimeZone, err)
	}
	base := p.BaseURL
	if base == "" {
		stored, err := st.GetSetting(ctx, "base_url")
		switch {
		case err == nil && stored != "":
			base = stored
		case err != nil && !errors.Is(err, news.ErrNotFound):
			return nil, err
		default:
			base = fallback
		}
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("--base-url %q must start with http:// or https://", base)
	}
	paper := &news.Paper{
		Name:          p.Name,
		Tagline:       "News from Seoul and the world",
		BaseURL:       strings.TrimRight(base, "/"),
		Language:      p.Language,
		Location:      loc,
		KakaoAppKey:   p.KakaoAppKey,
		FullTextFeeds: p.FullText,
	}
	return paper, nil
}

// withSettings is a copy of flags with the stored paper settings (their
// JSON, "" for none) applied where the flags were not given: a flag (or
// its MASTHEAD_ variable) stays an override.
func (p *paperFlags) withSettings(flags *news.Paper, stored string) (*news.Paper, error) {
	paper := *flags
	ps, err := news.ParsePaperSettings(stored)
	if err != nil {
		return nil, err
	}
	if err := ps.Apply(&paper, p.given); err != nil {
		return nil, err
	}
	return &paper, nil
}

// given reports whether the flag was set on the command line or in the
// environment.
func (p *paperFlags) given(name string) bool {
	if _, ok := os.LookupEnv(envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); ok {
		return true
	}
	set := false
	if p.fs != nil {
		p.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	}
	return set
}
