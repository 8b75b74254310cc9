package site

import (
	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// Purge keys name what a page shows (package purge has the vocabulary and
// turns a committed change into the keys it purges). A story's page
// carries its own key, its original's (a translation links to it), its
// bylines' (names, titles, photos are on it) and the key of every story in
// its boxes; a list page carries the key of what it lists; the front page
// carries FrontKey.

// FrontKey is the front page's purge key.
const FrontKey = purge.Front

// ArticleKey, SectionKey, AuthorKey and TagKey name one thing's pages.
func ArticleKey(id int64) string { return purge.Article(id) }
func SectionKey(id int64) string { return purge.Section(id) }
func AuthorKey(id int64) string  { return purge.Author(id) }
func TagKey(id int64) string     { return purge.Tag(id) }

// ArticleKeys are the keys of a's own page: its key, its original's, and
// its bylines'. (The section, author and tag keys are those of the pages
// listing stories: a change to a purges them through purge.Keys, without
// purging every other story page of the same section.)
func ArticleKeys(a *news.Article) []string {
	keys := []string{ArticleKey(a.ID)}
	for _, au := range a.Authors {
		keys = append(keys, purge.Byline(au.ID))
	}
	// The original's page and its other translations link to a
	// translation (hreflang); they carry the original's key.
	if a.TranslationOf != 0 {
		keys = append(keys, ArticleKey(a.TranslationOf))
	}
	return keys
}

// storyKeys are the keys of stories a page shows in a box.
func storyKeys(lists ...[]*news.Article) []string {
	var keys []string
	for _, as := range lists {
		for _, a := range as {
			keys = append(keys, ArticleKey(a.ID))
		}
	}
	return keys
}

// purgeKeys names a page's purge keys for the page cache.
var purgeKeys = pagecache.Tag
