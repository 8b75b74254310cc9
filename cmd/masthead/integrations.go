package main

import (
	"context"
	"net/http"
	"os"
	"time"

	"masthead/internal/adminapi"
	"masthead/internal/ghostapi"
	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/webhooks"
	"masthead/internal/wire"
	"masthead/internal/workflow"
)

// startIntegrations makes the gate every API key goes through and starts
// the jobs integrations need: writing the keys' last use and counted
// Content API reads (every 10 s, and once more on the way out), delivering
// the webhook outbox, and forgetting idempotent answers after a day.
func (n *serveNode) startIntegrations(context.Context) error {
	n.gate = integrations.NewGate(n.st, n.clock, n.log)
	n.addJob("integrations", func(ctx context.Context) error { return n.gate.Run(ctx, 10*time.Second) })
	host, _ := os.Hostname()
	d := webhooks.New(webhooks.Config{Store: n.st, Clock: n.clock, Logger: n.log, Node: host, AllowPrivate: n.f.WebhookPrivate,
		Timeout: n.f.WebhookTimeout})
	n.addJob("webhooks", d.Run)
	n.addJob("idempotency prune", func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if err := n.st.PruneIdempotency(ctx, n.clock.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				n.log.Warn("prune idempotency keys", "err", err)
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

// registerIntegrations adds the APIs other programs use: the Ghost
// Content API and the Admin API.
func (n *serveNode) registerIntegrations(mux *http.ServeMux) {
	ghostapi.New(ghostapi.Config{Paper: n.paper, Store: n.st, Clock: n.clock, Gate: n.gate, Logger: n.log,
		FrontPage: func(ctx context.Context) ([]int64, error) {
			ids, _, err := workflow.FrontPage(ctx, n.st)
			return ids, err
		},
	}).Register(mux)
	adminapi.New(adminapi.Config{Paper: n.paper, Store: n.st, Clock: n.clock, Gate: n.gate, Logger: n.log,
		Media: n.lib, MaxUploadBytes: n.lib.MaxBytes(),
		WireFetch: wire.HTTPFetch(webhooks.Client(n.f.WebhookPrivate, 30*time.Second), n.lib.MaxBytes())}).Register(mux)
}

// fillOutbox makes every write transaction of this process write the
// webhook deliveries of its events (see webhooks.Hook).
func fillOutbox(st news.Store, paper *news.Paper) {
	st.AddTxHook(webhooks.Hook(paper, news.SystemClock{}))
}
