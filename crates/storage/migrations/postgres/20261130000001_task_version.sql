-- Bumped by every change to a task: completion checks that the task it
-- computed the next occurrence from is still the stored one, and clients
-- can send it back as If-Match.
ALTER TABLE tasks ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
