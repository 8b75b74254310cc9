package nql

import (
	"fmt"
	"strings"
	"testing"
)

// show prints a tree compactly, for table tests.
func show(n *Node) string {
	switch {
	case n.And != nil:
		return "and(" + join(n.And) + ")"
	case n.Or != nil:
		return "or(" + join(n.Or) + ")"
	}
	var vals []string
	for _, v := range n.Values {
		vals = append(vals, v.Kind+":"+v.Text)
	}
	not := ""
	if n.Not {
		not = "!"
	}
	list := ""
	if n.List {
		list = "[]"
	}
	return fmt.Sprintf("%s%s%s%s%s", n.Prop, not, n.Op, list, strings.Join(vals, "|"))
}

func join(ns []*Node) string {
	var s []string
	for _, n := range ns {
		s = append(s, show(n))
	}
	return strings.Join(s, " ")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"tag:news", "tagliteral:news"},
		{"featured:true", "featuredtrue:true"},
		{"tag:north-korea+featured:false", "and(tagliteral:north-korea featuredfalse:false)"},
		{"tag:a,tag:b", "or(tagliteral:a tagliteral:b)"},
		// + binds tighter than ,
		{"tag:a+author:x,tag:b", "or(and(tagliteral:a authorliteral:x) tagliteral:b)"},
		{"tag:a+(author:x,author:y)", "and(tagliteral:a or(authorliteral:x authorliteral:y))"},
		{"tag:[a,b, c]", "tag[]literal:a|literal:b|literal:c"},
		{"tag:-[a,b]", "tag![]literal:a|literal:b"},
		{"tag:-news", "tag!literal:news"},
		{"published_at:>'2017-06-03 23:43:12'", "published_at>string:2017-06-03 23:43:12"},
		{"published_at:>=2017-06-03", "published_at>=literal:2017-06-03"},
		{"published_at:<now-30d", "published_at<relative:-30d"},
		{"title:~'It\\'s'", "title~string:It's"},
		{"slug:~^'kim'", "slug~^string:kim"},
		{"feature_image:null", "feature_imagenull:null"},
		{"feature_image:-null", "feature_image!null:null"},
		{" Tag : news ", "tagliteral:news"},
		{`authors.slug:"kang-seung-woo"`, "authors.slugstring:kang-seung-woo"},
		{"tag:한국", "tagliteral:한국"},
	} {
		n, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := show(n); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "tag", "tag:", ":news", "tag:news+", "tag:news,", "(tag:a", "tag:a)", "tag:[a,b", "tag:'open",
		"tag:a b", strings.Repeat("(", 40) + "tag:a" + strings.Repeat(")", 40), strings.Repeat("tag:a,", 1000), "tag:\xff"} {
		if n, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %s, want an error", in, show(n))
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"tag:a+author:x,tag:b", "published_at:>'2017-06-03'", "tag:-[a,b]", "(a:b)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err == nil && n == nil {
			t.Fatal("nil tree without an error")
		}
	})
}
