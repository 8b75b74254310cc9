-- The media library's "used in": which stories show which photo, as lead
-- photo or in the body. Kept by the store on every story write (photos.go);
-- this fills it for the stories already there. Body photos are found by
-- their /media/ID/ addresses, as news.BodyPhotoIDs finds them.
CREATE TABLE photo_uses (
    photo_id   bigint  NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    article_id bigint  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lead       boolean NOT NULL DEFAULT false,
    inline     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (photo_id, article_id)
);
CREATE INDEX photo_uses_article ON photo_uses (article_id);

INSERT INTO photo_uses (photo_id, article_id, lead)
SELECT photo_id, id, true FROM articles WHERE photo_id IS NOT NULL;

INSERT INTO photo_uses (photo_id, article_id, inline)
SELECT DISTINCT m[1]::bigint, a.id, true
FROM articles a, regexp_matches(a.body_html, '/media/([0-9]{1,18})/', 'g') AS m
WHERE m[1]::bigint IN (SELECT id FROM photos)
ON CONFLICT (photo_id, article_id) DO UPDATE SET inline = true;
