package adminapi_test

import (
	"strings"
	"testing"
)

func TestWireEndpoint(t *testing.T) {
	p := newPaper(t)
	feed := `{"uri":"urn:x:ap:1","version":"1","type":"text","headlines":[{"value":"Quake hits coast"}],"bodies":[{"contenttype":"text/plain","value":"A quake."}],"by":"By JANE DOE, Associated Press","subjects":[{"name":"World"}]}
{"uri":"urn:x:ap:1","version":"2","type":"text","headlines":[{"value":"Quake hits coast, dozens hurt"}],"bodies":[{"contenttype":"text/plain","value":"A quake. Dozens hurt."}],"by":"By JANE DOE, Associated Press"}
{"uri":"urn:x:ap:1","version":"3","pubstatus":"canceled","ednote":"Withdrawn."}`
	var out struct {
		Results []struct {
			URI     string
			Version int64
			Action  string
			StoryID int64 `json:"story_id"`
			Status  string
		}
	}
	if st := p.do(t, "POST", "/api/admin/v1/wire", p.writer.AdminKey, feed, &out, "Content-Type", "application/x-ndjson"); st != 200 || len(out.Results) != 3 {
		t.Fatalf("wire: %d %+v", st, out)
	}
	r := out.Results
	if r[0].Action != "create" || r[0].Status != "review" || r[1].Action != "update" || r[1].StoryID != r[0].StoryID || r[2].Action != "kill" || r[2].Status != "draft" {
		t.Fatalf("results: %+v", r)
	}
	s := p.get(t, r[0].StoryID)
	if s.Headline != "Quake hits coast, dozens hurt" || s.Section == nil || s.Section.Slug != "world" || len(s.Authors) != 1 || s.Authors[0].Slug != "jane-doe" {
		t.Errorf("story: %+v", s)
	}
	var e apiErr
	if st := p.do(t, "POST", "/api/admin/v1/wire", p.writer.AdminKey, `{"uri":"urn:x:2","pubstatus":"gone"}`, &e); st != 400 || e.Error.Field != "pubstatus" || !strings.Contains(e.Error.Message, "item 1") {
		t.Errorf("bad feed: %d %+v", st, e)
	}
	if st := p.do(t, "POST", "/api/admin/v1/wire", p.reader.AdminKey, feed, &e); st != 403 {
		t.Errorf("wire without stories:write: %d", st)
	}
}
