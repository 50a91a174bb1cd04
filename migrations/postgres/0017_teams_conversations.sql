-- Microsoft Teams: where to reach a person or a channel, learned when the
-- app is installed (conversationUpdate / installationUpdate) and refreshed by
-- every activity (a conversation's serviceUrl can change). Proactive nudges
-- need this: Teams has no "DM a user id" call.
--
-- target: 'person:<entra object id>' or 'channel:<19:…@thread…>'.
-- conversation_id: 'a:…' for a person's 1:1 with the bot, the channel id for
-- a channel; NULL until a 1:1 is created for a person we only know by user_id.
CREATE TABLE teams_conversations (
    target          TEXT    PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    service_url     TEXT    NOT NULL,
    conversation_id TEXT,
    user_id         TEXT,
    name            TEXT,
    bot_id          TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX teams_conversations_conversation ON teams_conversations (conversation_id);

-- Activities already handled (Teams retries invokes it got no answer to
-- within 5 s): the key is the activity id within its conversation.
CREATE TABLE teams_seen_activities (
    activity_key TEXT    PRIMARY KEY,
    expires_at   BIGINT  NOT NULL
);
