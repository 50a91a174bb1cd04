-- alignbot schema, part 21 (PostgreSQL): a moment's post is indexed once
-- it has one, as on SQLite (see migrations/0021_moments_by_post_partial.sql).
DROP INDEX moments_by_post;
CREATE INDEX moments_by_post ON moments (channel, ts) WHERE channel IS NOT NULL;
