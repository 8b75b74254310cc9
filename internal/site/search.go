package site

import (
	"html/template"

	"masthead/internal/news"
)

// highlight escapes a search snippet and marks the matched terms
// (news.SnippetHTML), so stored text can never inject markup.
func highlight(snippet string) template.HTML {
	return template.HTML(news.SnippetHTML(snippet)) // escaped, then only <mark> added
}
