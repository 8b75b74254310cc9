-- Author profiles and tags carry a version, as sections do (0005): two
-- editors saving the same profile or renaming the same tag from one
-- version no longer both land; the second write is refused and says who
-- changed it, and when.
ALTER TABLE authors ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE authors ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authors ADD COLUMN updated_at INTEGER;
ALTER TABLE tags ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tags ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tags ADD COLUMN updated_at INTEGER;
