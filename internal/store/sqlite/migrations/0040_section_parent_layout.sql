-- Sub-sections (National › Politics) and a layout per section page
-- (issue 15). parent_id 0 is a top-level section; the write path
-- (news.ValidateSectionTree) keeps it to one level and free of cycles. No
-- foreign key: a copy loads sections in id order, and a parent may have a
-- higher id than its sub-section.
ALTER TABLE sections ADD COLUMN parent_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sections ADD COLUMN layout TEXT NOT NULL DEFAULT '';
