-- Readers are served a photo only if it is the lead photo of a public story
-- (or of no story, or an author's portrait): each media request asks which
-- stories lead with it, so that is a lookup, not a scan.
CREATE INDEX articles_photo ON articles(photo_id) WHERE photo_id IS NOT NULL;
CREATE INDEX authors_photo ON authors(photo_id) WHERE photo_id IS NOT NULL;
