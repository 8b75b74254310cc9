-- An author's profiles elsewhere (website, X, Instagram…), as JSON:
-- [{"kind": "x", "url": "https://x.com/…"}] (news.AuthorLink).
ALTER TABLE authors ADD COLUMN links text NOT NULL DEFAULT '';
