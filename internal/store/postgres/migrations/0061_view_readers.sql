-- The readers counted today, as the daily-salted hashes the view counter
-- makes (internal/views): every node hashes a reader the same way, so a
-- reader whose beacons a load balancer sent to two nodes is written once.
-- Rows of past days are deleted as the counter writes (their salt is gone,
-- so they identify no one).
CREATE TABLE view_readers (
    day    integer NOT NULL,
    reader bigint  NOT NULL,
    PRIMARY KEY (day, reader)
);
