-- When the bot first saw each pillar (PostgreSQL twin of
-- ../0018_pillar_first_seen.sql; see there for why).
ALTER TABLE pillars ADD COLUMN first_seen BIGINT;
