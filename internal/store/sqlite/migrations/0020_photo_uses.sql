-- The media library's "used in": which stories show which photo, as lead
-- photo or in the body. Kept by the store on every story write (photos.go);
-- this fills it for the stories already there. Body photos are found by
-- their /media/ID/ addresses, as news.BodyPhotoIDs finds them.
CREATE TABLE photo_uses (
	photo_id   INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	lead       INTEGER NOT NULL DEFAULT 0,
	inline     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (photo_id, article_id)
) WITHOUT ROWID;
CREATE INDEX photo_uses_article ON photo_uses (article_id);

INSERT INTO photo_uses (photo_id, article_id, lead)
SELECT photo_id, id, 1 FROM articles WHERE photo_id IS NOT NULL;

WITH RECURSIVE m(article_id, rest, pid) AS (
	SELECT id, body_html, 0 FROM articles WHERE instr(body_html, '/media/') > 0
	UNION ALL
	SELECT article_id, substr(rest, instr(rest, '/media/') + 7), CAST(substr(rest, instr(rest, '/media/') + 7) AS INTEGER)
	FROM m WHERE instr(rest, '/media/') > 0
)
INSERT INTO photo_uses (photo_id, article_id, inline)
SELECT DISTINCT pid, article_id, 1 FROM m WHERE pid > 0 AND pid IN (SELECT id FROM photos)
ON CONFLICT (photo_id, article_id) DO UPDATE SET inline = 1;
