package news

import (
	"context"
	"time"
)

// WireItem is what the paper keeps of the wire copy a story came from: the
// agency's URI and version (updates thread onto the story by them), and
// the credits and distribution rights that came with it.
type WireItem struct {
	URI       string
	ArticleID int64 // 0: a kill of a story the paper never had
	Version   int64
	// VersionCreated is the agency's time of the version.
	VersionCreated time.Time
	PubStatus      string // usable, withheld, canceled
	Distributor    string // "The Associated Press"
	Credit         string // the byline as sent
	Rights         string // copyright notice, usage terms, linked rights
	EdNote         string // the agency's note to editors (a kill's reason)
	IntegrationID  int64  // who sent it
	UpdatedAt      time.Time
}

// WireSetting is the setting naming the sections whose wire copy is
// published as it arrives (a JSON array of section IDs); elsewhere wire
// copy waits in review.
const WireSetting = "wire_autopublish"

// WireWriter reads and writes wire records; a write transaction offers it,
// so a story and the record of the wire copy it came from change together.
type WireWriter interface {
	// FindWireItem returns the record of uri (ErrNotFound if none).
	FindWireItem(ctx context.Context, uri string) (*WireItem, error)
	// PutWireItem stores w (by URI), only if its version is later than the
	// stored one; it reports whether it did.
	PutWireItem(ctx context.Context, w *WireItem) (bool, error)
}

// WireStore keeps the wire record of stories.
type WireStore interface {
	WireWriter
	// FindWireItemByArticle returns the record of the story's wire copy.
	FindWireItemByArticle(ctx context.Context, articleID int64) (*WireItem, error)
}
