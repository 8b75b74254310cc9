package news

import (
	"reflect"
	"testing"
)

// A set of one section is that section (the list whose total the stores
// keep); anything else is left as it was, the same stories either way.
func TestArticleFilterSimplified(t *testing.T) {
	for _, c := range []struct{ in, want ArticleFilter }{
		{ArticleFilter{SectionIDs: []int64{3}}, ArticleFilter{SectionID: 3}},
		{ArticleFilter{SectionID: 3, SectionIDs: []int64{3}, NoBody: true}, ArticleFilter{SectionID: 3, NoBody: true}},
		{ArticleFilter{SectionID: 4, SectionIDs: []int64{3}}, ArticleFilter{SectionID: 4, SectionIDs: []int64{3}}}, // no story: both must hold
		{ArticleFilter{SectionIDs: []int64{3, 4}}, ArticleFilter{SectionIDs: []int64{3, 4}}},
		{ArticleFilter{SectionIDs: []int64{0}}, ArticleFilter{SectionIDs: []int64{0}}},
		{ArticleFilter{AuthorID: 2}, ArticleFilter{AuthorID: 2}},
	} {
		if got := c.in.Simplified(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v.Simplified() = %+v, want %+v", c.in, got, c.want)
		}
	}
}
