-- alignbot schema, part 18: when the bot first saw each pillar.
--
-- The leadership digest warns about a pillar with no activity ("drift"),
-- but never in the month a pillar appeared. A pillar added with
-- `/align pillar add` has its `plan_changes` row; one written into the
-- settings file had no date at all. `first_seen` is written when the
-- pillar row is first inserted (seeding from the file, or the command).
-- Pillars that existed before this migration keep NULL: they are older
-- than any month the digest looks at.
ALTER TABLE pillars ADD COLUMN first_seen INTEGER;
