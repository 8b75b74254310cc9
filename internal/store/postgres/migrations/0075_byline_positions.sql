-- Every list page reads its stories' bylines by story id (relationsSQL).
-- The byline's position was only in the table, so on a small paper the
-- planner read the whole bylines table rather than probe the key and the
-- table for each story (0.17 ms of a 1,000-story paper's 0.30 ms for a
-- page of 20). With the position in the key the bylines are an
-- index-only scan at every size.
ALTER TABLE article_authors DROP CONSTRAINT article_authors_pkey,
    ADD CONSTRAINT article_authors_pkey PRIMARY KEY (article_id, author_id) INCLUDE (position);
