-- Listings order by published_at DESC NULLS LAST (stories without a time
-- last); the first indexes sorted NULLs first and could not serve that
-- order. The public listing index also carries what the reader filter and
-- section pages test, so a page and its total come from an index-only scan.
DROP INDEX articles_published;
DROP INDEX articles_status;
CREATE INDEX articles_listing ON articles (published_at DESC NULLS LAST, id DESC);
CREATE INDEX articles_public ON articles (status, published_at DESC NULLS LAST, id DESC) INCLUDE (embargo_until, section_id);
