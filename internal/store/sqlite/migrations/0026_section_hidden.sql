-- A section can be kept out of the navigation menu (issue 13) while its
-- page, feed and stories stay public.
ALTER TABLE sections ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
