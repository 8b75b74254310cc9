package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"masthead/internal/news"
)

// ViewHistory gives a story's views per hour over the last 48 hours,
// oldest first. internal/views.Counter implements it, including the counts
// it holds in memory and has not written yet.
type ViewHistory interface {
	ArticleHistory(ctx context.Context, articleID int64) ([]news.ViewCount, error)
}

// chartHours is the span of the story page's chart.
const chartHours = 48

// countWindow is the story list's count: the last 24 hours, counted from
// the start of the hour that holds now-24h, as the public Top 10 counts.
const countWindow = 24 * time.Hour

func countSince(now time.Time) time.Time { return now.Add(-countWindow).UTC().Truncate(time.Hour) }

// topScan is how many of the window's most-read stories the story list
// asks for in its single query. When the answer is shorter, every story not
// in it had no views; when it is full, the rows it missed are counted one
// by one (a large paper's long tail).
const topScan = 100

// listViews fills the 24-hour count of the rows that have been on the site.
func (n *Newsroom) listViews(ctx context.Context, rows []row, sectionID int64) error {
	var want []int
	for i := range rows {
		if beenPublic(rows[i].A) {
			want = append(want, i)
		}
	}
	if len(want) == 0 {
		return nil
	}
	since := countSince(n.clock.Now())
	// PublicAt stays zero: an unpublished story's views still count here.
	top, err := n.store.TopArticles(ctx, news.TopFilter{Since: since, SectionID: sectionID, Limit: topScan})
	if err != nil {
		return fmt.Errorf("story list views: %w", err)
	}
	byID := make(map[int64]int64, len(top))
	for _, e := range top {
		byID[e.Article.ID] = e.Views
	}
	complete := len(top) < topScan
	for _, i := range want {
		r := &rows[i]
		v, ok := byID[r.A.ID]
		if !ok && !complete {
			vs, err := n.store.ArticleViews(ctx, r.A.ID, since)
			if err != nil {
				return fmt.Errorf("story list views: %w", err)
			}
			for _, c := range vs {
				v += c.Count
			}
		}
		r.Views, r.Counted = v, true
	}
	return nil
}

// beenPublic tells whether a story can have views: it is or was on the site.
func beenPublic(a *news.Article) bool {
	return !a.PublishedAt.IsZero() && (a.Status == news.StatusPublished || a.Status == news.StatusUnpublished)
}

// viewChart is the story page's 48-hour chart, laid out on the server: the
// page draws it as inline SVG (no script, no style attributes, so the
// newsroom's CSP holds) with its numbers as text and as a table.
type viewChart struct {
	Total, Last24 int64
	Peak          int64
	PeakHour      string // "2026-03-22 14:00", the paper's zone
	Zone          string
	// Summary is the chart in words: its text alternative.
	Summary string
	Bars    []chartBar
	Ticks   []chartTick
	// Width and Height are the SVG's viewBox; BaseY is the zero line.
	Width, Height, BaseY, Left int
	Scale                      []chartTick // horizontal grid lines with their count
}

type chartBar struct {
	X, Y, W, H float64
	Label      string // "03-22 14:00: 12 views"
	Hour       string // "03-22 14:00"
	Count      int64
	Current    bool // the hour still running
}

type chartTick struct {
	X, Y  float64
	Label string
}

// Chart geometry in viewBox units; the CSS scales the whole.
const (
	chartBarW  = 10
	chartGap   = 2
	chartLeft  = 40
	chartTop   = 10
	chartPlotH = 120
)

// history returns a story's last 48 hours of views, from the counter when
// there is one, else from the store alone.
func (n *Newsroom) history(ctx context.Context, id int64) ([]news.ViewCount, error) {
	if n.cfg.Views != nil {
		return n.cfg.Views.ArticleHistory(ctx, id)
	}
	now := n.clock.Now().UTC()
	first := now.Truncate(time.Hour).Add(-(chartHours - 1) * time.Hour)
	stored, err := n.store.ArticleViews(ctx, id, first)
	if err != nil {
		return nil, err
	}
	out := make([]news.ViewCount, chartHours)
	for i := range out {
		out[i] = news.ViewCount{ArticleID: id, Hour: first.Add(time.Duration(i) * time.Hour)}
	}
	for _, v := range stored {
		if i := int(v.Hour.UTC().Truncate(time.Hour).Sub(first) / time.Hour); i >= 0 && i < chartHours {
			out[i].Count += v.Count
		}
	}
	return out, nil
}

// chart lays out the 48-hour chart of a story that has been on the site;
// nil for one that never was.
func (n *Newsroom) chart(ctx context.Context, a *news.Article) (*viewChart, error) {
	if !beenPublic(a) {
		return nil, nil
	}
	hist, err := n.history(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("view history %d: %w", a.ID, err)
	}
	if len(hist) == 0 {
		return nil, errors.New("view history: no hours")
	}
	loc := n.paper().Loc()
	now := n.clock.Now()
	since := countSince(now)
	current := now.UTC().Truncate(time.Hour)
	ch := &viewChart{Zone: now.In(loc).Format("MST")}
	for _, v := range hist {
		ch.Total += v.Count
		if !v.Hour.Before(since) {
			ch.Last24 += v.Count
		}
		if v.Count > ch.Peak {
			ch.Peak, ch.PeakHour = v.Count, v.Hour.In(loc).Format("2006-01-02 15:04")
		}
	}
	if ch.Total == 0 {
		ch.Summary = "No views counted in the last 48 hours."
	} else {
		ch.Summary = fmt.Sprintf("%s in the last 48 hours, %d in the last 24. Busiest hour: %s %s, with %d.",
			plural(ch.Total, "view"), ch.Last24, ch.PeakHour, ch.Zone, ch.Peak)
	}
	top := niceCeil(ch.Peak)
	ch.Width = chartLeft + len(hist)*(chartBarW+chartGap)
	ch.BaseY, ch.Left = chartTop+chartPlotH, chartLeft
	ch.Height = ch.BaseY + 24
	for i, v := range hist {
		h := float64(v.Count) / float64(top) * chartPlotH
		if v.Count > 0 && h < 1 {
			h = 1 // one view still shows
		}
		x := float64(chartLeft + i*(chartBarW+chartGap))
		local := v.Hour.In(loc)
		hour := local.Format("01-02 15:04")
		ch.Bars = append(ch.Bars, chartBar{X: x, Y: round1(float64(ch.BaseY) - h), W: chartBarW, H: round1(h),
			Hour: hour, Count: v.Count, Label: hour + ": " + plural(v.Count, "view"), Current: v.Hour.Equal(current)})
		// A tick every six hours of the paper's clock.
		if local.Hour()%6 == 0 {
			ch.Ticks = append(ch.Ticks, chartTick{X: x + chartBarW/2, Y: float64(ch.Height - 6), Label: local.Format("15:04")})
		}
	}
	for _, f := range []int64{0, top / 2, top} {
		if f == top/2 && top%2 != 0 {
			continue
		}
		y := float64(ch.BaseY) - float64(f)/float64(top)*chartPlotH
		ch.Scale = append(ch.Scale, chartTick{X: chartLeft - 4, Y: round1(y), Label: strconv.FormatInt(f, 10)})
	}
	return ch, nil
}

// niceCeil rounds a peak up to 1, 2 or 5 times a power of ten, so the scale
// reads in round numbers; at least 1, so an empty chart has a scale.
func niceCeil(v int64) int64 {
	if v <= 1 {
		return 1
	}
	for p := int64(1); ; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(n, 10) + " " + word + "s"
}

// storyChart adds the chart to an editor page of a story the user may open
// (the workflow has checked that: editors, admins and the story's writers).
func (n *Newsroom) storyChart(r *http.Request, p *editorPage) error {
	if p.Article == nil {
		return nil
	}
	ch, err := n.chart(r.Context(), p.Article)
	if err != nil {
		return err
	}
	p.Views = ch
	return nil
}
