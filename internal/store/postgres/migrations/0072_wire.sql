-- Wire copy (issue 18): which agency item, at which version, each story
-- came from, with its credits and distribution rights. No foreign key to
-- articles: a kill of a story the paper never had is remembered too.
CREATE TABLE wire_items (
    uri             text PRIMARY KEY,
    article_id      bigint NOT NULL DEFAULT 0,
    version         bigint NOT NULL,
    version_created timestamptz,
    pubstatus       text NOT NULL DEFAULT 'usable',
    distributor     text NOT NULL DEFAULT '',
    credit          text NOT NULL DEFAULT '',
    rights          text NOT NULL DEFAULT '',
    ednote          text NOT NULL DEFAULT '',
    integration_id  bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX wire_items_article ON wire_items (article_id) WHERE article_id <> 0;
