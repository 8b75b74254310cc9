package workflow

import (
	"context"

	"masthead/internal/news"
)

type withinKey struct{}

// WithinCommand returns ctx carrying fn: the next command (Create, Save, a
// move, AddCorrection) run with ctx calls fn inside its transaction, after its
// writes, with the story as written; fn's error rolls the command back.
// The Admin API stores an Idempotency-Key's answer this way, so that the
// story and the answer naming it commit together.
func WithinCommand(ctx context.Context, fn func(ctx context.Context, tx news.Tx, a *news.Article) error) context.Context {
	return context.WithValue(ctx, withinKey{}, fn)
}

// within runs the function WithinCommand put in ctx, if any.
func within(ctx context.Context, tx news.Tx, id int64) error {
	fn, _ := ctx.Value(withinKey{}).(func(ctx context.Context, tx news.Tx, a *news.Article) error)
	if fn == nil {
		return nil
	}
	a, err := tx.FindArticleByID(ctx, id)
	if err != nil {
		return err
	}
	return fn(ctx, tx, a)
}
