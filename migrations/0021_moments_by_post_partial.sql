-- alignbot schema, part 21: a moment's post is indexed once it has one.
--
-- `moments_by_post` finds a moment by where its post landed (channel, ts),
-- which a moment has only once delivered. Indexing every new moment under
-- (NULL, NULL) cost each shared moment one or two more pages written to
-- the WAL in its commit (11.5 pages a lone `/moment` before, 10 after: see
-- BENCHMARKS.md, issue 14). The lookup `channel = $1 AND ts = $2` implies
-- `channel IS NOT NULL`, so it keeps using the index.
DROP INDEX moments_by_post;
CREATE INDEX moments_by_post ON moments (channel, ts) WHERE channel IS NOT NULL;
