package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"masthead/internal/integrations"
	"masthead/internal/news"
)

const integrationUsage = `usage:
  masthead integration add --name N --scopes S[,S...] [--rate-limit N] [--json]
  masthead integration list [--json]
  masthead integration rotate --id ID --kind content|admin [--json]
  masthead integration revoke --id ID

scopes: content:read, stories:write, stories:publish, photos:write, webhooks:manage`

// cmdIntegration manages integrations from the command line: what an
// operator scripts when setting up a wire feed or a front end. Keys are
// printed once; the database keeps only their hashes.
func cmdIntegration(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(integrationUsage)
	}
	var c common
	fs := flag.NewFlagSet("integration "+args[0], flag.ContinueOnError)
	c.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	var name, scopes, kind *string
	var rate *int
	var id *int64
	switch args[0] {
	case "add":
		name = fs.String("name", "", "the integration's `name`, as the audit log shows it")
		scopes = fs.String("scopes", "", "comma-separated `scopes`: content:read, stories:write, stories:publish, photos:write, webhooks:manage")
		rate = fs.Int("rate-limit", 0, fmt.Sprintf("requests per `minute` per key on each node (0: %d)", news.DefaultRateLimit))
	case "rotate":
		id = fs.Int64("id", 0, "the integration's `id`")
		kind = fs.String("kind", "", "which key to replace: `content` or admin")
	case "revoke":
		id = fs.Int64("id", 0, "the integration's `id`")
	case "list":
	default:
		return fmt.Errorf("integration: unknown command %q\n%s", args[0], integrationUsage)
	}
	fs.Usage = usageFor(fs, "masthead integration "+args[0]+" [flags]")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	var sc []news.Scope
	if args[0] == "add" {
		if strings.TrimSpace(*name) == "" {
			return errors.New("integration add: --name is required")
		}
		var err error
		if sc, err = news.ParseScopes(*scopes); err != nil {
			return fmt.Errorf("integration add: --scopes: %s", news.ErrorMessage(err))
		}
	}
	if id != nil && *id <= 0 {
		return fmt.Errorf("integration %s: --id is required", args[0])
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now().UTC()
	fail := func(err error) error {
		if news.ErrorCode(err) == news.EINTERNAL {
			return fmt.Errorf("integration %s: %w", args[0], err)
		}
		return fmt.Errorf("integration %s: %s", args[0], news.ErrorMessage(err))
	}
	switch args[0] {
	case "add":
		cr, err := integrations.Create(ctx, st, *name, sc, *rate, now)
		if err != nil {
			return fail(err)
		}
		in := cr.Integration
		if *asJSON {
			return json.NewEncoder(stdout).Encode(struct {
				ID         int64    `json:"id"`
				Name       string   `json:"name"`
				Scopes     []string `json:"scopes"`
				ContentKey string   `json:"content_key"`
				AdminKey   string   `json:"admin_key"`
			}{in.ID, in.Name, scopeStrings(in.Scopes), cr.ContentKey, cr.AdminKey})
		}
		fmt.Fprintf(stdout, "added integration %q (id %d) with scopes %s\n", in.Name, in.ID, news.JoinScopes(in.Scopes))
		fmt.Fprintf(stdout, "content key: %s\nadmin key:   %s\n", cr.ContentKey, cr.AdminKey)
		fmt.Fprintln(stdout, "The keys are shown once: keep them somewhere safe.")
	case "rotate":
		k := news.KeyKind(*kind)
		key, err := integrations.Rotate(ctx, st, *id, k, now)
		if err != nil {
			return fail(err)
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"id": *id, string(k) + "_key": key})
		}
		fmt.Fprintf(stdout, "new %s key: %s (the old one no longer works)\n", k, key)
	case "revoke":
		if err := st.RevokeIntegration(ctx, *id, now); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "revoked integration %d: its keys no longer work\n", *id)
	case "list":
		ins, err := st.ListIntegrations(ctx)
		if err != nil {
			return fail(err)
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			for _, in := range ins {
				if err := enc.Encode(map[string]any{"id": in.ID, "name": in.Name, "scopes": scopeStrings(in.Scopes), "revoked": !in.Active()}); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tSTATE\tLAST USED")
		for _, in := range ins {
			state, last := "active", "never"
			if !in.Active() {
				state = "revoked"
			}
			for _, k := range in.Keys {
				if !k.LastUsedAt.IsZero() && (last == "never" || k.LastUsedAt.Format(time.RFC3339) > last) {
					last = k.LastUsedAt.Format(time.RFC3339)
				}
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", in.ID, in.Name, news.JoinScopes(in.Scopes), state, last)
		}
		return tw.Flush()
	}
	return nil
}

func scopeStrings(sc []news.Scope) []string {
	out := make([]string, len(sc))
	for i, s := range sc {
		out[i] = string(s)
	}
	return out
}
