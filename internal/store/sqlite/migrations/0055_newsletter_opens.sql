-- Opens of newsletter issues (issue 16), recorded only when the paper turns
-- open tracking on (off by default): one row per issue and subscription,
-- the first time its pixel was fetched. It goes with the subscription.
CREATE TABLE newsletter_opens (
	issue_id        INTEGER NOT NULL REFERENCES newsletter_issues(id) ON DELETE CASCADE,
	subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
	opened_at       INTEGER NOT NULL,
	PRIMARY KEY (issue_id, subscription_id)
);
