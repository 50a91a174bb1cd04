-- Plan years (PostgreSQL): see ../0014_plan_years.sql for what each column
-- means; same tables and columns, PostgreSQL types.
ALTER TABLE goals ADD COLUMN outcome TEXT;

ALTER TABLE goals ADD COLUMN carried_from BIGINT REFERENCES goals (id);
CREATE UNIQUE INDEX goals_carried_once ON goals (carried_from);
