-- Stories an editor asked to send to a list when they are published
-- (issue 16): the publish's transaction turns them into issues.
CREATE TABLE newsletter_publish_sends (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	list_id    INTEGER NOT NULL REFERENCES newsletter_lists(id) ON DELETE CASCADE,
	user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (article_id, list_id)
);
