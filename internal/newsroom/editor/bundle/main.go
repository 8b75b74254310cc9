// Command bundle builds the newsroom's rich-text editor: the Tiptap
// sources in internal/newsroom/editor/src and the npm packages that
// package-lock.json pins (npm ci) become one minified script,
// internal/newsroom/static/editor.js, which the newsroom embeds. The
// script is committed, so `go run ./cmd/masthead serve` needs no Node;
// CI runs this with -check to fail when the committed script is not what
// the sources and the lockfile build.
//
//	cd internal/newsroom/editor && npm ci && cd - && go run ./internal/newsroom/editor/bundle [-check]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	dir := flag.String("dir", "internal/newsroom/editor", "the editor's folder (package.json, src/, node_modules/)")
	out := flag.String("out", "internal/newsroom/static/editor.js", "the bundle to write")
	check := flag.Bool("check", false, "compare with the committed bundle instead of writing it; exit 1 on a difference")
	flag.Parse()
	if _, err := os.Stat(filepath.Join(*dir, "node_modules", "@tiptap", "core")); err != nil {
		fmt.Fprintf(os.Stderr, "bundle: %s/node_modules is missing: run npm ci there first\n", *dir)
		os.Exit(2)
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir:     mustAbs(*dir),
		EntryPoints:       []string{"src/editor.js"},
		Bundle:            true,
		Format:            api.FormatIIFE,
		Target:            api.ES2020,
		Platform:          api.PlatformBrowser,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		// The MIT notices of Tiptap and ProseMirror travel with the code.
		LegalComments: api.LegalCommentsEndOfFile,
		Charset:       api.CharsetUTF8,
		Define:        map[string]string{"process.env.NODE_ENV": `"production"`},
		Write:         false,
		Outfile:       "editor.js",
		LogLevel:      api.LogLevelWarning,
	})
	if len(res.Errors) > 0 {
		for _, m := range res.Errors {
			fmt.Fprintln(os.Stderr, "bundle:", m.Text)
		}
		os.Exit(1)
	}
	var js []byte
	for _, f := range res.OutputFiles {
		if filepath.Ext(f.Path) == ".js" {
			js = f.Contents
		}
	}
	header := []byte("// Built by `go run ./internal/newsroom/editor/bundle` from internal/newsroom/editor (Tiptap, ProseMirror; MIT). Do not edit.\n")
	js = append(header, js...)
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil || !bytes.Equal(old, js) {
			fmt.Fprintf(os.Stderr, "bundle: %s is not what the sources and package-lock.json build: run `go run ./internal/newsroom/editor/bundle` and commit it\n", *out)
			os.Exit(1)
		}
		fmt.Printf("bundle: %s matches its sources (%d bytes)\n", *out, len(js))
		return
	}
	if err := os.WriteFile(*out, js, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bundle:", err)
		os.Exit(1)
	}
	fmt.Printf("bundle: wrote %s (%d bytes)\n", *out, len(js))
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}
