package adminapi

import (
	"bytes"
	"errors"
	"net/http"

	"masthead/internal/news"
	"masthead/internal/ninjs"
	"masthead/internal/wire"
)

// ingestWire takes a feed of IPTC ninjs items (one object, an array, or one
// object a line) and applies it (internal/wire): new stories land in
// review unless their section auto-publishes, updates thread onto the same
// story by URI and version, kills take stories down. ?section=SLUG is the
// section of items whose subjects name none of the paper's.
func (a *API) ingestWire(r *http.Request, c *call) (int, any, error) {
	items, err := ninjs.Parse(bytes.NewReader(c.body))
	if err != nil {
		var ne *ninjs.Error
		if errors.As(err, &ne) {
			return 0, nil, fieldErr(news.Errorf(news.EINVALID, "%s", ne.Error()), ne.Field)
		}
		return 0, nil, news.Errorf(news.EINVALID, "%s", err.Error())
	}
	u, err := a.account(r.Context(), c.caller.Integration)
	if err != nil {
		return 0, nil, err
	}
	in := c.caller.Integration
	res, err := a.wire.Ingest(r.Context(), items, wire.Options{Actor: u, IntegrationID: in.ID,
		CanPublish: in.Has(news.ScopeStoriesPublish), Section: r.URL.Query().Get("section")})
	if err != nil {
		// What was done before the failure stays done (each item is its
		// own transaction): the answer says how far it went.
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"results": res}, nil
}
