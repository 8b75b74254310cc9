package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"masthead/internal/readers"
)

// startReaders serves reader accounts and newsletters, when the store has
// the reader tables (both stores do).
func (n *serveNode) startReaders(ctx context.Context, mux *http.ServeMux, shell readers.Shell) error {
	rs, ok := n.st.(readers.Store)
	if !ok {
		return fmt.Errorf("the store %T has no reader tables", n.st)
	}
	rd, err := readers.New(ctx, readers.Config{Paper: n.paper, Store: rs, Mail: n.mailer, Shell: shell, Clock: n.clock, Logger: n.log,
		Secure: strings.HasPrefix(n.paper.BaseURL, "https://")})
	if err != nil {
		return err
	}
	rd.Register(mux)
	return nil
}
