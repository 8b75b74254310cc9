package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"masthead/internal/comments"
	"masthead/internal/readers"
)

// startReaders serves reader accounts, newsletters and comments, and
// starts the newsletter sender and the daily digests, when the store has
// the reader tables (both stores do).
func (n *serveNode) startReaders(ctx context.Context, mux *http.ServeMux, shell readers.Shell) error {
	rs, ok := n.st.(readers.Store)
	if !ok {
		return fmt.Errorf("the store %T has no reader tables", n.st)
	}
	policy := &comments.Policy{Store: rs, Clock: n.clock}
	pub := &comments.Public{Paper: n.paper, Store: rs, Policy: policy, Shell: shell, Logger: n.log}
	pub.Register(mux)
	rd, err := readers.New(ctx, readers.Config{Paper: n.paper, Store: rs, Mail: n.mailer, Shell: shell, Clock: n.clock, Logger: n.log,
		Secure: strings.HasPrefix(n.paper.BaseURL, "https://"), Comments: pub})
	if err != nil {
		return err
	}
	rd.Register(mux)
	sender := &readers.Sender{Store: rs, Mail: n.mailer, Paper: n.paper, Clock: n.clock, Logger: n.log,
		Unsubscribe: rd.UnsubscribeURL, OpenPixel: rd.OpenPixelURL, Workers: 8, Lease: n.f.Lease}
	n.addJob("newsletter sender", func(ctx context.Context) error { sender.Run(ctx); return nil })
	digests := &readers.Digests{Store: rs, Paper: n.paper, Clock: n.clock, Logger: n.log}
	n.addJob("newsletter digests", func(ctx context.Context) error { digests.Run(ctx); return nil })
	// Expired sign-in links, confirmation links and sessions go within
	// the hour (docs/readers.md: what is kept, and for how long).
	n.addJob("reader data cleanup", func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if err := rs.DeleteExpiredReaderData(ctx, n.clock.Now()); err != nil && ctx.Err() == nil {
				n.log.Warn("delete expired reader data", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	return nil
}
