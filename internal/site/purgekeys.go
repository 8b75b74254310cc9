package site

import (
	"strconv"

	"masthead/internal/news"
	"masthead/internal/pagecache"
)

// Purge keys name what a page shows, so a CDN in front of masthead can drop
// exactly the pages a change touches (pagecache.Tag sends them as
// Surrogate-Key and Cache-Tag). A story's page carries its own key and
// those of its section, authors and tags (their names and links are on
// it; the related box lists the section's stories); a list page carries
// the key of what it lists; the front page carries FrontKey.

// FrontKey is the front page's purge key.
const FrontKey = "front"

// ArticleKey, SectionKey, AuthorKey and TagKey name one thing's pages.
func ArticleKey(id int64) string { return "article-" + strconv.FormatInt(id, 10) }
func SectionKey(id int64) string { return "section-" + strconv.FormatInt(id, 10) }
func AuthorKey(id int64) string  { return "author-" + strconv.FormatInt(id, 10) }
func TagKey(id int64) string     { return "tag-" + strconv.FormatInt(id, 10) }

// ArticleKeys are the keys of a's page. Purging them after a change to a
// (with FrontKey and pagecache.UntaggedKey) refreshes every page that
// shows it.
func ArticleKeys(a *news.Article) []string {
	keys := []string{ArticleKey(a.ID)}
	if a.SectionID != 0 {
		keys = append(keys, SectionKey(a.SectionID))
	}
	for _, au := range a.Authors {
		keys = append(keys, AuthorKey(au.ID))
	}
	for _, t := range a.Tags {
		keys = append(keys, TagKey(t.ID))
	}
	// The original's page and its other translations link to a
	// translation (hreflang); they carry the original's key.
	if a.TranslationOf != 0 {
		keys = append(keys, ArticleKey(a.TranslationOf))
	}
	return keys
}

// purgeKeys names a page's purge keys for the page cache.
var purgeKeys = pagecache.Tag
