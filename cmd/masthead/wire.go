package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"masthead/internal/integrations"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/ninjs"
	"masthead/internal/webhooks"
	"masthead/internal/wire"
	"masthead/internal/workflow"
)

const wireUsage = "usage: masthead wire ingest --integration ID [--section S] [--fetch-pictures] [--json] FILE... (IPTC ninjs 2.0: one item, an array, or one item a line; - reads standard input)"

// cmdWire feeds agency copy to the paper, as the Admin API's POST /wire
// does, under an integration (its account acts; its scopes decide).
func cmdWire(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "ingest" {
		return errors.New(wireUsage)
	}
	var c common
	var pf paperFlags
	var mediaURL string
	fs := flag.NewFlagSet("wire ingest", flag.ContinueOnError)
	c.register(fs)
	pf.register(fs)
	registerMedia(fs, &mediaURL)
	id := fs.Int64("integration", 0, "the integration (`ID`, from masthead integration list) the copy comes through; it needs stories:write")
	section := fs.String("section", "", "the section (`slug`) of items whose subjects name none of the paper's sections")
	fetch := fs.Bool("fetch-pictures", false, "fetch the items' pictures from their renditions' addresses (public addresses only)")
	asJSON := fs.Bool("json", false, "print one JSON object a line per item")
	fs.Usage = usageFor(fs, "masthead wire ingest --integration ID [--section S] [--json] FILE...")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if *id <= 0 || fs.NArg() == 0 {
		return errors.New(wireUsage)
	}
	// Read and check every file before anything is written.
	var items []ninjs.Item
	for _, name := range fs.Args() {
		var r io.Reader = stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return fmt.Errorf("wire ingest: %w", err)
			}
			defer f.Close()
			r = f
		}
		got, err := ninjs.Parse(r)
		if err != nil {
			return fmt.Errorf("wire ingest: %s: %w", name, err)
		}
		items = append(items, got...)
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	paper, err := pf.paper(ctx, st, "http://127.0.0.1:8080")
	if err != nil {
		return err
	}
	fillOutbox(st, paper)
	in, err := st.FindIntegrationByID(ctx, *id)
	if err != nil {
		return fmt.Errorf("wire ingest: integration %d: %s", *id, news.ErrorMessage(err))
	}
	if !in.Active() || !in.Has(news.ScopeStoriesWrite) {
		return fmt.Errorf("wire ingest: integration %q is revoked or lacks the stories:write scope", in.Name)
	}
	clock := news.SystemClock{}
	u, err := integrations.Account(ctx, st, in, clock.Now())
	if err != nil {
		return err
	}
	flow := workflow.New(st, clock)
	flow.Lang = paper.Language
	g := &wire.Ingester{Store: st, Flow: flow, Clock: clock}
	if *fetch {
		blobs, err := openBlobs(ctx, mediaURL, c.Data)
		if err != nil {
			return err
		}
		g.Photos = media.New(media.Config{Store: st, Blobs: blobs, Paper: paper})
		g.Fetch = wire.HTTPFetch(webhooks.Client(false, 30*time.Second), 20<<20)
	}
	res, err := g.Ingest(ctx, items, wire.Options{Actor: u, IntegrationID: in.ID, CanPublish: in.Has(news.ScopeStoriesPublish), Section: *section})
	enc := json.NewEncoder(stdout)
	count := map[ninjs.Action]int{}
	for _, r := range res {
		count[r.Action]++
		if *asJSON {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	}
	if err != nil {
		return fmt.Errorf("wire ingest: %w (the %d items before it were applied)", err, len(res))
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "%d items: %d new stories, %d updates, %d kills, %d unchanged, %d held for the newsroom\n",
			len(res), count[ninjs.Create], count[ninjs.Update], count[ninjs.Kill], count[ninjs.Stale], count[wire.Held])
	}
	return nil
}
