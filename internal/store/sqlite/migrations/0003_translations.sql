-- Article pages link a story and its translations (hreflang), so every
-- article page asks for the translations of a story: an index on the few
-- rows that are translations keeps that a lookup, not a scan.
CREATE INDEX articles_translation_of ON articles(translation_of) WHERE translation_of IS NOT NULL;
