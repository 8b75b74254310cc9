-- Author profiles and tags carry a version, as sections do (0005): two
-- editors saving the same profile or renaming the same tag from one
-- version no longer both land; the second write is refused and says who
-- changed it, and when.
ALTER TABLE authors ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_by bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz;
ALTER TABLE tags ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_by bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz;
