-- Relevance puts headline matches above deck matches above body matches.
-- Testing that with ts_filter(search, '{a}') on every matching row costs
-- more than the ranking itself (it unpacks the whole vector), so the
-- headline's and the deck's lexemes get small vectors of their own. They
-- are exactly the A- and B-weighted parts of search, which is how existing
-- rows are filled.
ALTER TABLE articles
    ADD COLUMN search_head tsvector NOT NULL DEFAULT '',
    ADD COLUMN search_deck tsvector NOT NULL DEFAULT '';
UPDATE articles SET search_head = ts_filter(search, '{a}'), search_deck = ts_filter(search, '{b}');
