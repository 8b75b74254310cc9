-- An author's or tag's page lists the list's public stories newest first.
-- Their bylines and tags now carry the story's publication time while the
-- story counts (published, with a time; NULL otherwise), kept by triggers
-- like story_counts (0063), so the page is a range of one index in date
-- order: a deep page steps over index entries of the list only, as a
-- section's does over articles_section_public, instead of reading and
-- sorting the list.
ALTER TABLE article_authors ADD COLUMN published_at INTEGER;
ALTER TABLE article_tags ADD COLUMN published_at INTEGER;
UPDATE article_authors SET published_at = (SELECT a.published_at FROM articles a
	WHERE a.id = article_authors.article_id AND a.status = 'published');
UPDATE article_tags SET published_at = (SELECT a.published_at FROM articles a
	WHERE a.id = article_tags.article_id AND a.status = 'published');
CREATE INDEX article_authors_listing ON article_authors(author_id, published_at, article_id) WHERE published_at IS NOT NULL;
CREATE INDEX article_tags_listing ON article_tags(tag_id, published_at, article_id) WHERE published_at IS NOT NULL;

CREATE TRIGGER list_dates_byline AFTER INSERT ON article_authors
BEGIN
	UPDATE article_authors SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = new.article_id AND a.status = 'published')
		WHERE article_id = new.article_id AND author_id = new.author_id;
END;

CREATE TRIGGER list_dates_tag AFTER INSERT ON article_tags
BEGIN
	UPDATE article_tags SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = new.article_id AND a.status = 'published')
		WHERE article_id = new.article_id AND tag_id = new.tag_id;
END;

CREATE TRIGGER list_dates_story AFTER UPDATE OF status, published_at ON articles
BEGIN
	UPDATE article_authors SET published_at = CASE WHEN new.status = 'published' THEN new.published_at END
		WHERE article_id = new.id;
	UPDATE article_tags SET published_at = CASE WHEN new.status = 'published' THEN new.published_at END
		WHERE article_id = new.id;
END;
