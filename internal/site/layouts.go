package site

import (
	"masthead/internal/news"
)

// gridSize is how many secondary stories the news layout shows between
// the lead and the dense list.
const gridSize = 4

// menus builds the navigation from the sections: the bar lists the
// top-level sections (sub-sections would crowd a phone's bar), the "All
// sections" menu every section with its sub-sections under it.
func (s *Site) menus(secs []*news.Section) (nav []Link, menu []MenuItem) {
	top := map[int64]bool{}
	for _, sec := range secs {
		if sec.ParentID == 0 {
			top[sec.ID] = true
		}
	}
	idx := map[int64]int{}
	for _, sec := range secs {
		// A hidden section (and so its sub-sections) keeps its page; the
		// menus leave it out.
		if sec.Hidden {
			continue
		}
		l := Link{Name: sec.Name, URL: s.paper().SectionPath(sec)}
		// A sub-section whose parent went missing is shown as top-level
		// rather than hidden.
		if sec.ParentID == 0 || !top[sec.ParentID] {
			nav = append(nav, l)
			idx[sec.ID] = len(menu)
			menu = append(menu, MenuItem{Link: l})
		}
	}
	for _, sec := range secs {
		if i, ok := idx[sec.ParentID]; ok && sec.ParentID != 0 && !sec.Hidden {
			menu[i].Sub = append(menu[i].Sub, Link{Name: sec.Name, URL: s.paper().SectionPath(sec)})
		}
	}
	return nav, menu
}

// layoutStories lays a page of stories out. The news layout puts the first
// story of the first page large, the next gridSize in the grid and the rest
// in the dense list; later pages, and the list layout, are the dense list
// only (a reader paging back through a section is scanning).
func (s *Site) layoutStories(arts []*news.Article, kind string, page int) StoryLayout {
	if kind == "" {
		kind = news.LayoutNews
	}
	l := StoryLayout{Kind: kind}
	for i, a := range arts {
		switch {
		case kind == news.LayoutNews && page == 1 && i == 0:
			c := s.card(a, sizesLead)
			l.Lead = &c
		case kind == news.LayoutNews && page == 1 && i <= gridSize:
			l.Grid = append(l.Grid, s.card(a, sizesGrid))
		default:
			l.Rest = append(l.Rest, s.card(a, sizesThumb))
		}
	}
	return l
}

// sectionByID finds a section in the list base read.
func sectionByID(secs []*news.Section, id int64) *news.Section {
	for _, sec := range secs {
		if sec.ID == id {
			return sec
		}
	}
	return nil
}

// sectionPath is the trail from the front page to sec: its parent, then
// itself (secs lets a story's section, loaded without its parent, find it).
func sectionPath(sec *news.Section, secs []*news.Section) []*news.Section {
	if sec == nil {
		return nil
	}
	if full := sectionByID(secs, sec.ID); full != nil {
		sec = full
	}
	var out []*news.Section
	if sec.ParentID != 0 {
		if p := sectionByID(secs, sec.ParentID); p != nil {
			out = append(out, p)
		}
	}
	return append(out, sec)
}

// crumbs is the visible breadcrumb trail: Home, the section's parent, the
// section. self, when set, ends the trail as the current page (no link).
func (s *Site) crumbs(l Locale, trail []*news.Section, self string) []Link {
	out := []Link{{Name: l.T("Home"), URL: "/"}}
	for _, sec := range trail {
		out = append(out, Link{Name: sec.Name, URL: s.paper().SectionPath(sec)})
	}
	if self != "" {
		out = append(out, Link{Name: self})
	}
	return out
}

// relang marks cards relative to the page's language: a card is in its
// story's language, which needs a lang attribute only where it differs
// from the page's (a story page in Korean in an English paper).
func (s *Site) relang(cards []Card, pageLang string) {
	for i := range cards {
		l := cards[i].Lang
		if l == "" {
			l = s.paper().Language
		}
		if l == pageLang {
			l = ""
		}
		cards[i].Lang = l
	}
}
