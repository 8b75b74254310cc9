-- PostgreSQL's 0062 adds the section listing index that SQLite has had
-- since 0002 (articles_section_public); nothing to do here.
SELECT 1;
