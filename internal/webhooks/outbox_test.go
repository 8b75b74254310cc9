package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/webhooks"
	"masthead/internal/workflow"
)

// The outbox is written by the commit hook in the transaction of the change:
// a publish makes one delivery per subscriber with the story as committed;
// a command that fails and rolls back makes none; events nobody wants make
// none.
func TestOutboxInTheTransaction(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: t0}
	paper := &news.Paper{Name: "P", BaseURL: "https://news.example", Location: time.UTC}
	st.AddTxHook(webhooks.Hook(paper, clk))
	ed, err := auth.CreateUser(ctx, st, auth.NewUser{Email: "ed@example.com", Name: "Ed", Role: news.RoleEditor, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	flow := workflow.New(st, clk)
	in := &news.Integration{Name: "Hooks", Scopes: []news.Scope{news.ScopeWebhooksManage}}
	if err := st.CreateIntegration(ctx, in, nil); err != nil {
		t.Fatal(err)
	}
	pub := &news.Webhook{IntegrationID: in.ID, URL: "https://a.example/", Events: []string{"story.published", "story.unpublished"}, Secret: webhooks.NewSecret()}
	if err := st.CreateWebhook(ctx, pub); err != nil {
		t.Fatal(err)
	}
	a, err := flow.Create(ctx, ed, workflow.Draft{Headline: "Missile launch", BodyMarkdown: "Text."})
	if err != nil {
		t.Fatal(err)
	}
	if ds, _ := st.ListWebhookDeliveries(ctx, pub.ID, 10); len(ds) != 0 {
		t.Fatalf("a draft made %d deliveries", len(ds))
	}
	a, _ = st.FindArticleByID(ctx, a.ID)
	if err := flow.Publish(ctx, ed, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	ds, _ := st.ListWebhookDeliveries(ctx, pub.ID, 10)
	if len(ds) != 1 || ds[0].EventType != "story.published" || ds[0].ArticleID != a.ID {
		t.Fatalf("after publish: %+v", ds)
	}
	d, _ := st.FindWebhookDelivery(ctx, ds[0].ID)
	var p struct {
		Type      string
		Timestamp string
		Data      webhooks.Story
	}
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "story.published" || p.Data.ID != a.ID || p.Data.Status != "published" || p.Data.Headline != "Missile launch" || p.Data.URL == "" || p.Data.Version < 2 {
		t.Fatalf("payload = %s", d.Payload)
	}
	// A command that fails after its writes rolls the deliveries back too.
	boom := errors.New("boom")
	err = st.Update(ctx, func(tx news.Tx) error {
		cur, err := tx.FindArticleByID(ctx, a.ID)
		if err != nil {
			return err
		}
		cur.Status = news.StatusUnpublished
		if err := tx.UpdateArticle(ctx, cur); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	if ds, _ := st.ListWebhookDeliveries(ctx, pub.ID, 10); len(ds) != 1 {
		t.Fatalf("a rolled-back unpublish left %d deliveries", len(ds))
	}
	if err := flow.Unpublish(ctx, ed, a.ID); err != nil {
		t.Fatal(err)
	}
	if ds, _ := st.ListWebhookDeliveries(ctx, pub.ID, 10); len(ds) != 2 || ds[0].EventType != "story.unpublished" {
		t.Fatalf("after unpublish: %+v", ds)
	}
}
