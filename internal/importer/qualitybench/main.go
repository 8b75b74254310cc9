package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	corpus := flag.String("corpus", "", "the readability-test-pages `folder` (default: found from ../shared/corpus upwards)")
	verbose := flag.Bool("v", false, "print every page, worst first")
	flag.Parse()
	dir := *corpus
	if dir == "" {
		dir = FindCorpus()
	}
	if dir == "" {
		fmt.Fprintln(os.Stderr, "qualitybench: no corpus found; pass -corpus DIR (Mozilla Readability's test-pages)")
		os.Exit(2)
	}
	r, err := Score(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qualitybench:", err)
		os.Exit(1)
	}
	for _, p := range sortByF1(r.Pages) {
		if !*verbose && p.F1 >= 0.99 && !p.Garbled && (!p.HasCaption || p.CaptionOK) {
			continue
		}
		fmt.Printf("%-36s F1 %.3f (P %.3f R %.3f)", p.Name, p.F1, p.Precision, p.Recall)
		if p.Garbled {
			fmt.Printf(" GARBLED %q", p.Title)
		}
		if p.HasCaption && !p.CaptionOK {
			fmt.Print(" caption lost")
		}
		if p.Err != "" {
			fmt.Printf(" refused: %s", p.Err)
		}
		fmt.Println()
	}
	fmt.Printf("pages %d  mean body-text F1 %.4f  refused %d  garbled titles %d  titles as expected %d/%d  lead-photo captions kept %d/%d  lead photos kept without their image %d\n",
		len(r.Pages), r.MeanF1, r.Refused, r.Garbled, r.TitlesExpected, len(r.Pages), r.CaptionsKept, r.Captions, r.LeadPhotos)
}

// FindCorpus looks for shared/corpus/readability-test-pages beside the
// repository or a parent of it (worktrees live one level further down).
func FindCorpus() string {
	if d := os.Getenv("MASTHEAD_CORPUS"); d != "" {
		return filepath.Join(d, "readability-test-pages")
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		c := filepath.Join(d, "shared", "corpus", "readability-test-pages")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
