package main

import (
	"context"
	"net/http"
	"time"

	"masthead/internal/ghostapi"
	"masthead/internal/integrations"
	"masthead/internal/workflow"
)

// startIntegrations makes the gate every API key goes through, and the job
// that writes the keys' last use and the counted Content API reads (every
// 10 s, and once more on the way out).
func (n *serveNode) startIntegrations(context.Context) error {
	n.gate = integrations.NewGate(n.st, n.clock, n.log)
	n.addJob("integrations", func(ctx context.Context) error { return n.gate.Run(ctx, 10*time.Second) })
	return nil
}

// registerIntegrations adds the APIs other programs use: the Ghost
// Content API.
func (n *serveNode) registerIntegrations(mux *http.ServeMux) {
	ghostapi.New(ghostapi.Config{Paper: n.paper, Store: n.st, Clock: n.clock, Gate: n.gate, Logger: n.log,
		FrontPage: func(ctx context.Context) ([]int64, error) { return workflow.FrontPage(ctx, n.st) },
	}).Register(mux)
}
