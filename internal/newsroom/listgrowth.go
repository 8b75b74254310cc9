package newsroom

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"masthead/internal/news"
)

// The dashboard's newsletter growth: each list's subscribers on each of
// the last 30 days, drawn as inline SVG like the story page's views chart
// (no script, no style attributes) with the numbers as a table too.

// growthDays is how many days the dashboard shows.
const growthDays = 30

type growthChart struct {
	List    string
	Now     int // subscribers today
	Joined  int
	Left    int
	Summary string
	Bars    []chartBar
	Ticks   []chartTick
	Scale   []chartTick
	Days    []growthDay
	// SVG geometry (viewBox units), as viewChart's.
	Width, Height, BaseY, Left0 int
	ID                          string // for the SVG's labels
}

type growthDay struct {
	Day          string // "03-22"
	Subscribers  int
	Joined, Lost int
}

// growthReader is what the dashboard needs of the newsletter store.
type growthReader interface {
	ListNewsletterLists(ctx context.Context) ([]*news.NewsletterList, error)
	CountSubscribers(ctx context.Context, listID int64) (int, error)
	ListGrowth(ctx context.Context, listID int64, since time.Time) ([]news.ListGrowth, error)
}

// listGrowth lays out one chart per list; nil when the store keeps no
// newsletters or there are no lists.
func (n *Newsroom) listGrowth(ctx context.Context) ([]*growthChart, error) {
	gr, ok := n.store.(growthReader)
	if !ok {
		return nil, nil
	}
	lists, err := gr.ListNewsletterLists(ctx)
	if err != nil {
		return nil, err
	}
	today := n.clock.Now().UTC().Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, -(growthDays - 1))
	var out []*growthChart
	for _, l := range lists {
		now, err := gr.CountSubscribers(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		g, err := gr.ListGrowth(ctx, l.ID, first)
		if err != nil {
			return nil, err
		}
		joined := make([]int, growthDays)
		lost := make([]int, growthDays)
		for _, d := range g {
			if i := int(d.Day.UTC().Truncate(24*time.Hour).Sub(first) / (24 * time.Hour)); i >= 0 && i < growthDays {
				joined[i] += d.Joined
				lost[i] += d.Left
			}
		}
		// Walk back from today's count: the count at the end of day i is
		// today's less what joined (plus what left) after it.
		counts := make([]int, growthDays)
		c := now
		for i := growthDays - 1; i >= 0; i-- {
			counts[i] = max(c, 0)
			c -= joined[i] - lost[i]
		}
		ch := &growthChart{List: l.Name, Now: now, ID: "growth-" + strconv.FormatInt(l.ID, 10)}
		peak := 0
		for i := range counts {
			ch.Joined += joined[i]
			ch.Left += lost[i]
			peak = max(peak, counts[i])
		}
		ch.Summary = fmt.Sprintf("%s: %d subscribers today; %d joined and %d left in the last %d days.", l.Name, now, ch.Joined, ch.Left, growthDays)
		top := niceCeil(int64(peak))
		ch.Width = chartLeft + growthDays*(chartBarW+chartGap)
		ch.BaseY, ch.Left0 = chartTop+chartPlotH, chartLeft
		ch.Height = ch.BaseY + 24
		for i, v := range counts {
			day := first.AddDate(0, 0, i)
			h := float64(v) / float64(top) * chartPlotH
			if v > 0 && h < 1 {
				h = 1
			}
			x := float64(chartLeft + i*(chartBarW+chartGap))
			label := day.Format("01-02")
			ch.Bars = append(ch.Bars, chartBar{X: x, Y: round1(float64(ch.BaseY) - h), W: chartBarW, H: round1(h),
				Hour: label, Count: int64(v), Label: fmt.Sprintf("%s: %d subscribers (+%d, −%d)", label, v, joined[i], lost[i]), Current: i == growthDays-1})
			ch.Days = append(ch.Days, growthDay{Day: label, Subscribers: v, Joined: joined[i], Lost: lost[i]})
			if i%7 == 0 || i == growthDays-1 {
				ch.Ticks = append(ch.Ticks, chartTick{X: x + chartBarW/2, Y: float64(ch.Height - 6), Label: label})
			}
		}
		for _, f := range []int64{0, top / 2, top} {
			if f == top/2 && top%2 != 0 {
				continue
			}
			y := float64(ch.BaseY) - float64(f)/float64(top)*chartPlotH
			ch.Scale = append(ch.Scale, chartTick{X: chartLeft - 4, Y: round1(y), Label: strconv.FormatInt(f, 10)})
		}
		out = append(out, ch)
	}
	return out, nil
}
