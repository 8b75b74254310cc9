// Command masthead runs a newspaper: its reader site, newsroom, feeds and
// APIs, from one binary. It is the only package that knows every other one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const topUsage = `masthead — a news publishing platform

usage:
  masthead serve  [--addr 127.0.0.1:8080] [--base-url URL] [--no-demo] [--drain 5s] [--metrics-addr ADDR]
  masthead import [--publish] [--section S] [--create-sections] [--uploads DIR] [--dry-run] [--json] FILE|DIR...
  masthead export --out FILE
  masthead user add --email E --name N --role admin|editor|reporter|contributor [--password-stdin]
  masthead integration add --name N --scopes S[,S...] [--json]   (also list, rotate, revoke)
  masthead wire ingest --integration ID [--section S] [--json] FILE...
  masthead backup --out FILE
  masthead restore --from FILE
  masthead copy-db --from sqlite:PATH|postgres://... --to sqlite:PATH|postgres://...
  masthead version

Every subcommand but copy-db takes --data DIR (default ./masthead-data) and --db URL
(MASTHEAD_DATA, MASTHEAD_DB). Run 'masthead COMMAND --help' for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := startCPUProfile(os.Getenv("MASTHEAD_CPU_PROFILE")); err != nil {
		fmt.Fprintln(os.Stderr, "masthead:", err)
		os.Exit(1)
	}
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "masthead:", err)
		os.Exit(1)
	}
}

// startCPUProfile profiles the whole process into file when it is set
// (MASTHEAD_CPU_PROFILE; cmd/loadbench -profile sets it): a development
// aid, not a flag, so no operator turns it on by accident.
func startCPUProfile(file string) error {
	if file == "" {
		return nil
	}
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("MASTHEAD_CPU_PROFILE: %w", err)
	}
	return pprof.StartCPUProfile(f)
}

// run is main without the process: the end-to-end tests call the built
// binary, unit tests call this.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "import":
		return cmdImport(ctx, args[1:], stdout, stderr)
	case "export":
		return cmdExport(ctx, args[1:], stdout, stderr)
	case "user":
		return cmdUser(ctx, args[1:], stdin, stdout, stderr)
	case "integration":
		return cmdIntegration(ctx, args[1:], stdout, stderr)
	case "wire":
		return cmdWire(ctx, args[1:], stdin, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args[1:], stdout, stderr)
	case "copy-db":
		return cmdCopyDB(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "masthead", version)
		return nil
	case "help", "--help", "-help", "-h":
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	fmt.Fprint(stderr, topUsage)
	return fmt.Errorf("unknown command %q", args[0])
}
