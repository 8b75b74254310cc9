-- A section can be kept out of the navigation menu (issue 13) while its
-- page, feed and stories stay public.
ALTER TABLE sections ADD COLUMN hidden boolean NOT NULL DEFAULT false;
