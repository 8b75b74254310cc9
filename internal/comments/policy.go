package comments

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"masthead/internal/news"
)

// Setting keys the newsroom's comment settings write.
const (
	// KeyModeSection + section id: "pre" holds every comment of the
	// section for review; "post" (the default) shows them at once.
	KeyModeSection = "comments.mode.section."
	KeyCloseDays   = "comments.close_after_days" // 0: never; default 14
	KeyBlocked     = "comments.blocked_words"    // one per line or comma
	KeyRate        = "comments.rate_per_10min"   // default 5
)

// Rules that need no setting.
const (
	EditWindow    = 5 * time.Minute
	SpamThreshold = 1.0
	// ReportsToHold: a published comment this many readers reported goes
	// back to the queue.
	ReportsToHold = 3
)

// Refusals a reader sees.
var (
	ErrClosed   = news.Errorf(news.EFORBIDDEN, "Comments on this story are closed.")
	ErrBanned   = news.Errorf(news.EFORBIDDEN, "You can no longer comment here.")
	ErrTooFast  = news.Errorf(news.EFORBIDDEN, "You are commenting very fast. Wait a few minutes and try again.")
	ErrTooLong  = news.Errorf(news.EINVALID, "A comment has at most 4,000 characters.")
	ErrEmpty    = news.Errorf(news.EINVALID, "Write something first.")
	ErrTooLate  = news.Errorf(news.EFORBIDDEN, "Comments can be edited for 5 minutes after posting.")
	ErrNotYours = news.Errorf(news.EFORBIDDEN, "That is not your comment.")
)

// Store is what moderation reads.
type Store interface {
	news.Store
	news.CommentStore
}

// Policy decides what happens to a comment.
type Policy struct {
	Store Store
	Clock news.Clock
}

func (p *Policy) setting(ctx context.Context, key, def string) string {
	v, err := p.Store.GetSetting(ctx, key)
	if err != nil || strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

// Closed reports whether a story takes no more comments: closed by an
// editor, not public, or older than the paper's limit.
func (p *Policy) Closed(ctx context.Context, a *news.Article) (bool, error) {
	now := p.Clock.Now()
	if !a.IsPublicAt(now) {
		return true, nil
	}
	closed, err := p.Store.CommentsClosed(ctx, a.ID)
	if err != nil || closed {
		return closed, err
	}
	days, _ := strconv.Atoi(p.setting(ctx, KeyCloseDays, "14"))
	return days > 0 && now.Sub(a.PublishedAt) > time.Duration(days)*24*time.Hour, nil
}

// Decide sets c.Status, c.Shadow and c.SpamScore for a new (or edited,
// when edit is true) comment of reader on a, or refuses it.
func (p *Policy) Decide(ctx context.Context, a *news.Article, reader *news.Reader, c *news.Comment, edit bool) error {
	c.Body = Clean(c.Body)
	if c.Body == "" {
		return ErrEmpty
	}
	if len([]rune(c.Body)) > MaxRunes {
		return ErrTooLong
	}
	if reader.Banned {
		return ErrBanned
	}
	closed, err := p.Closed(ctx, a)
	if err != nil {
		return err
	}
	if closed {
		return ErrClosed
	}
	now := p.Clock.Now()
	recent, approved, err := p.Store.ReaderCommentStats(ctx, reader.ID, now.Add(-10*time.Minute))
	if err != nil {
		return err
	}
	rate, _ := strconv.Atoi(p.setting(ctx, KeyRate, "5"))
	if !edit && rate > 0 && recent >= rate {
		return ErrTooFast
	}
	c.SpamScore = SpamScore(c.Body)
	c.Shadow = reader.ShadowBanned
	switch {
	case c.Shadow:
		// Shown to its author as if published; to nobody else.
		c.Status = news.CommentApproved
	case c.SpamScore >= SpamThreshold:
		c.Status = news.CommentSpam
	case Blocked(c.Body, p.setting(ctx, KeyBlocked, "")):
		c.Status = news.CommentPending
	case approved == 0:
		// A reader's first comment waits for a moderator.
		c.Status = news.CommentPending
	case p.setting(ctx, KeyModeSection+strconv.FormatInt(a.SectionID, 10), "post") == "pre":
		c.Status = news.CommentPending
	default:
		c.Status = news.CommentApproved
	}
	return nil
}

// CanEdit reports whether reader may still change c.
func (p *Policy) CanEdit(reader *news.Reader, c *news.Comment) error {
	if c.ReaderID != reader.ID || c.Staff {
		return ErrNotYours
	}
	if c.Status == news.CommentDeleted || c.Status == news.CommentRejected {
		return news.Errorf(news.EINVALID, "That comment was removed.")
	}
	if p.Clock.Now().Sub(c.CreatedAt) > EditWindow {
		return ErrTooLate
	}
	return nil
}

// Blocked reports whether text contains one of the blocked words (a word
// or phrase, matched case-insensitively at word boundaries).
func Blocked(text, list string) bool {
	if list == "" {
		return false
	}
	lower := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), notWord), " ") + " "
	for _, w := range strings.FieldsFunc(list, func(r rune) bool { return r == '\n' || r == ',' }) {
		w = strings.Join(strings.FieldsFunc(strings.ToLower(w), notWord), " ")
		if w != "" && strings.Contains(lower, " "+w+" ") {
			return true
		}
	}
	return false
}

func notWord(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// spamWords are what most comment spam sells.
var spamWords = []string{"casino", "viagra", "cialis", "porn", "escort", "loan offer", "crypto giveaway", "bitcoin doubler",
	"make money fast", "work from home", "seo services", "buy followers", "click here", "dating site"}

// SpamScore is a simple sum of what spam has and conversation rarely does:
// links (more than one counts heavily), sales words, shouting, and long
// runs of one character. 1.0 or more is spam.
func SpamScore(text string) float64 {
	score := 0.0
	links := Links(text)
	switch {
	case len(links) == 1:
		score += 0.3
	case len(links) > 1:
		score += 0.3 + 0.35*float64(len(links)-1)
	}
	lower := strings.ToLower(text)
	for _, w := range spamWords {
		if strings.Contains(lower, w) {
			score += 0.6
		}
	}
	var letters, upper int
	run, maxRun := 0, 0
	var prev rune
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
		if r == prev {
			run++
		} else {
			run = 1
		}
		maxRun = max(maxRun, run)
		prev = r
	}
	if letters >= 20 && float64(upper)/float64(letters) > 0.7 {
		score += 0.4
	}
	if maxRun >= 10 {
		score += 0.3
	}
	// A link and almost nothing else.
	if len(links) > 0 && len([]rune(text)) < 40+len(strings.Join(links, "")) {
		score += 0.3
	}
	return score
}

// IsRefusal reports whether err is one of the refusals a reader sees.
func IsRefusal(err error) bool {
	var e *news.Error
	return errors.As(err, &e) && (e.Code == news.EFORBIDDEN || e.Code == news.EINVALID)
}
