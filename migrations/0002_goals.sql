-- alignbot schema, part 2: annual goals, check-ins, team goal-setting and
-- the history of changes to the plan. Same conventions as part 1.

-- Every change to the plan (pillars, mission, teams, goals): who, when, what.
CREATE TABLE plan_changes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    actor   TEXT    NOT NULL,
    subject TEXT    NOT NULL,   -- e.g. 'pillar:patient-care', 'team:nursing', 'mission', 'goal:12'
    action  TEXT    NOT NULL,   -- e.g. 'add', 'edit', 'archive', 'close'
    detail  TEXT    NOT NULL,   -- what changed, in words
    at      INTEGER NOT NULL
);

CREATE INDEX plan_changes_by_subject ON plan_changes (subject, id);

-- Annual goals. `kind` is the goal's measure as JSON (numeric start/target/
-- unit, percent, or milestone). The latest check-in is copied onto the goal
-- (current_value, confidence, progress, checked_in_at) in the same
-- transaction, so lists and reports never scan the check-in history.
CREATE TABLE goals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT    NOT NULL,
    pillar_key    TEXT    NOT NULL REFERENCES pillars (key),
    team_key      TEXT    REFERENCES teams (key),
    owner         TEXT    NOT NULL,
    plan_year     INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    due_date      TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'achieved', 'dropped')),
    current_value REAL,
    confidence    TEXT    CHECK (confidence IN ('on-track', 'at-risk', 'off-track')),
    progress      REAL    NOT NULL DEFAULT 0,
    checked_in_at INTEGER,
    closed_note   TEXT,
    proposal_id   INTEGER,
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE INDEX goals_by_owner ON goals (owner, status);
CREATE INDEX goals_by_team ON goals (team_key, status);
CREATE INDEX goals_by_pillar ON goals (pillar_key, status);
CREATE INDEX goals_by_year ON goals (plan_year, status, id);

-- Check-ins are never overwritten: a goal keeps its whole history.
CREATE TABLE check_ins (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    goal_id    INTEGER NOT NULL REFERENCES goals (id),
    value      REAL    NOT NULL,
    confidence TEXT    NOT NULL CHECK (confidence IN ('on-track', 'at-risk', 'off-track')),
    note       TEXT,
    author     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX check_ins_by_goal ON check_ins (goal_id, id);

-- Goals proposed by team members, supported and commented on by teammates,
-- approved or declined by a leader.
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL,
    pillar_key  TEXT    NOT NULL REFERENCES pillars (key),
    team_key    TEXT    NOT NULL REFERENCES teams (key),
    proposer    TEXT    NOT NULL,
    plan_year   INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    due_date    TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'approved', 'declined')),
    decided_by  TEXT,
    decided_at  INTEGER,
    goal_id     INTEGER REFERENCES goals (id),
    channel     TEXT,
    ts          TEXT,
    created_at  INTEGER NOT NULL
);

CREATE INDEX proposals_by_team ON proposals (team_key, status);
CREATE INDEX proposals_by_post ON proposals (channel, ts);

CREATE TABLE proposal_supports (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    person_id   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, person_id)
);

CREATE TABLE proposal_comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    person_id   TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE INDEX proposal_comments_by_proposal ON proposal_comments (proposal_id, id);
