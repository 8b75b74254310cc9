package news

import (
	"context"
	"time"
)

// Cond is a boolean condition on stories, for APIs whose filters are
// expressions rather than a fixed set of fields (the Ghost Content API's
// NQL: "tag:news+published_at:>'2026-01-01'", "author:kim,author:lee"). It
// is And, Or, Not, or a leaf (Field). Stores compile it to SQL, so a filter
// costs a query however complex it is.
type Cond struct {
	And []Cond
	Or  []Cond
	Not *Cond

	// Field is the leaf's field:
	//   id (IDs), slug, headline, tag, author, primary_author, section
	//   (Values: slugs for the last four), photo (Op "null": none),
	//   published_at, updated_at, created_at (Time).
	Field string
	// Op: "in" (equal to any of Values/IDs), "contains" (headline or
	// slug contains Values[0], case-insensitively for ASCII), "null",
	// or for times "gt", "gte", "lt", "lte".
	Op     string
	Values []string
	IDs    []int64
	Time   time.Time
}

// Leaf fields and operators a Cond may use.
const (
	CondIn       = "in"
	CondContains = "contains"
	CondNull     = "null"
	CondGT       = "gt"
	CondGTE      = "gte"
	CondLT       = "lt"
	CondLTE      = "lte"
)

// OrderBy is one key of an ArticleQuery's order: published_at, updated_at,
// created_at, headline, slug or id.
type OrderBy struct {
	Field string
	Desc  bool
}

// ArticleQuery selects a page of story IDs by a Cond.
type ArticleQuery struct {
	// PublicAt, when set, keeps only stories readers may see then.
	PublicAt time.Time
	Where    *Cond // nil: every story
	// Order is applied in turn; the id breaks the last tie. Empty: newest
	// published first.
	Order  []OrderBy
	Offset int
	Limit  int // 0: 20; at most 1000
}

// ArticleQuerier runs ArticleQueries. It returns IDs (the caller loads the
// stories with FindArticles), the page's in order, and the total matching.
type ArticleQuerier interface {
	QueryArticleIDs(ctx context.Context, q ArticleQuery) ([]int64, int, error)
}

// ValidateCond checks a condition's shape before a store compiles it.
func ValidateCond(c *Cond) error {
	if c == nil {
		return nil
	}
	n := 0
	if len(c.And) > 0 {
		n++
	}
	if len(c.Or) > 0 {
		n++
	}
	if c.Not != nil {
		n++
	}
	if c.Field != "" {
		n++
	}
	if n != 1 {
		return Errorf(EINVALID, "a condition is exactly one of and, or, not and a field")
	}
	for i := range c.And {
		if err := ValidateCond(&c.And[i]); err != nil {
			return err
		}
	}
	for i := range c.Or {
		if err := ValidateCond(&c.Or[i]); err != nil {
			return err
		}
	}
	if c.Not != nil {
		return ValidateCond(c.Not)
	}
	if c.Field == "" {
		return nil
	}
	switch c.Field {
	case "id":
		if c.Op != CondIn {
			return Errorf(EINVALID, "id takes only equality")
		}
	case "slug", "headline":
		if c.Op != CondIn && (c.Op != CondContains || len(c.Values) != 1) {
			return Errorf(EINVALID, "%s takes equality or contains", c.Field)
		}
	case "tag", "author", "primary_author", "section":
		if c.Op != CondIn {
			return Errorf(EINVALID, "%s takes only equality", c.Field)
		}
	case "photo":
		if c.Op != CondNull {
			return Errorf(EINVALID, "photo takes only null")
		}
	case "published_at", "updated_at", "created_at":
		switch c.Op {
		case CondGT, CondGTE, CondLT, CondLTE:
		default:
			return Errorf(EINVALID, "%s takes a comparison", c.Field)
		}
		if c.Time.IsZero() {
			return Errorf(EINVALID, "%s needs a time", c.Field)
		}
	default:
		return Errorf(EINVALID, "unknown field %q", c.Field)
	}
	return nil
}

// ValidOrderField reports whether f may be an OrderBy field.
func ValidOrderField(f string) bool {
	switch f {
	case "published_at", "updated_at", "created_at", "headline", "slug", "id":
		return true
	}
	return false
}
