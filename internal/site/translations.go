package site

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"masthead/internal/news"
)

// maxTranslations bounds the language versions one story lists.
const maxTranslations = 50

// translations fills b.Alternates for story a: the original and each public
// translation of it (Article.TranslationOf), every version listing all of
// them, itself included, with the original as x-default, as search engines
// want hreflang clusters. One level only: the original is the story the
// others point at. Pages of a cluster carry the original's purge key, and a
// translation's ArticleKeys include it, so a change to any version purges
// every page that links to it. trs are the stories translationsFilter
// finds.
func (s *Site) translations(ctx context.Context, b *Base, a *news.Article, trs []*news.Article, now time.Time) error {
	origID := a.ID
	var cluster []*news.Article
	if a.TranslationOf != 0 {
		origID = a.TranslationOf
		orig, err := s.store.FindArticleByID(ctx, origID)
		switch {
		case err == nil && orig.IsPublicAt(now):
			cluster = append(cluster, orig)
		case err == nil, news.ErrorCode(err) == news.ENOTFOUND:
			// A hidden or deleted original: the translations still
			// list each other.
		default:
			return fmt.Errorf("original %d of %d: %w", origID, a.ID, err)
		}
		purgeKeys(ctx, ArticleKey(origID))
	} else {
		cluster = append(cluster, a)
	}
	cluster = append(cluster, trs...)
	if len(cluster) < 2 {
		return nil
	}
	// One URL per language: the first (the original, then the oldest
	// translation) wins.
	seen := map[string]bool{}
	self := false
	var alts []Alternate
	for _, v := range cluster {
		lang := v.Lang
		if lang == "" {
			lang = s.paper().Language
		}
		if lang == "" || seen[strings.ToLower(lang)] {
			continue
		}
		seen[strings.ToLower(lang)] = true
		alts = append(alts, Alternate{Lang: lang, URL: s.paper().AbsURL(s.paper().ArticlePath(v))})
		self = self || v.ID == a.ID
	}
	// A page that is not itself in the cluster (a second translation into
	// the same language) must not claim the others.
	if len(alts) < 2 || !self {
		return nil
	}
	if cluster[0].ID == origID {
		alts = append(alts, Alternate{Lang: "x-default", URL: s.paper().AbsURL(s.paper().ArticlePath(cluster[0]))})
	}
	b.Alternates = alts
	return nil
}

// translationsFilter finds the public translations of a's original (a
// itself, or the story a translates), oldest first.
func translationsFilter(a *news.Article, now time.Time) news.ArticleFilter {
	if a.TranslationOf != 0 {
		return news.ArticleFilter{PublicAt: now, TranslationOf: a.TranslationOf, Order: "oldest", Limit: maxTranslations, NoTotal: true, NoBody: true}
	}
	// An original is not its own translation: excluding it changes no
	// answer, and lets the node keep the list across the story's own
	// edits (internal/nodecache's boxes).
	return news.ArticleFilter{PublicAt: now, TranslationOf: a.ID, ExcludeIDs: []int64{a.ID}, Order: "oldest", Limit: maxTranslations, NoTotal: true, NoBody: true}
}

// correctionID is the element id of a correction on its story's page, the
// fragment /corrections links to.
func correctionID(id int64) string { return "correction-" + strconv.FormatInt(id, 10) }
