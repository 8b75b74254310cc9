-- A section page lists the section's public stories newest first and
-- counts them for its pager. articles_section (section_id, published_at
-- DESC) cannot give that order (the listings sort NULLS LAST), so the
-- planner walked the whole archive's listing index and filtered every row
-- through the table: 40 ms and 2,000 pages read at 10,000 stories. This one
-- is in the listing's order and carries what the public filter reads, so
-- the page and its count are an index-only range of the one section.
CREATE INDEX articles_section_public ON articles (section_id, published_at DESC NULLS LAST, id DESC)
    INCLUDE (status, embargo_until);
