-- What a task insert and a chat turn cost Postgres beyond the rows
-- themselves (issue 12: builtin chat turns at 64 clients). Postgres
-- instructions per statement (callgrind on the backend, pgbench, one
-- client, the chat-add turn's statements):
--
-- 1. A table's CHECK constraint is read back from its stored text and
--    compiled at the start of every statement that writes the table
--    (~22,000 instructions an insert into `tasks`, and as many into
--    `messages`). A domain's constraint is compiled once per session and
--    cached. So the two CHECKs become domains: the same rule, the same
--    error on a bad value (a check violation), the same type on the wire
--    (a domain's values are sent as its base type).
-- Changing a column to a domain checks every stored row against it: no
-- time limit for this migration's transaction.
SET LOCAL statement_timeout = 0;
CREATE DOMAIN priority_rank AS SMALLINT CHECK (VALUE BETWEEN 0 AND 4);
ALTER TABLE tasks DROP CONSTRAINT IF EXISTS tasks_priority_check;
ALTER TABLE tasks ALTER COLUMN priority TYPE priority_rank;

CREATE DOMAIN message_role AS TEXT CHECK (VALUE IN ('user', 'assistant'));
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_role_check;
ALTER TABLE messages ALTER COLUMN role TYPE message_role;

-- 2. The tag tables' triggers (20261201000001) read a task's tags with
--    `jsonb_array_elements_text` under a DISTINCT or a UNION, whose
--    aggregate is set up at every call. Most tasks carry no tag or one:
--    those now write their rows as a VALUES list. An untagged insert
--    577,000 -> 541,000 instructions, a one-tag insert 760,000 -> 708,000.
--    Any other array (several tags, a duplicate, an empty tag, another
--    spelling of an empty one) takes the general statement as before.
CREATE OR REPLACE FUNCTION task_tags_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM task_tags WHERE task_id = OLD.id;
    END IF;
    IF jsonb_array_length(NEW.tags::jsonb) = 1 THEN
        INSERT INTO task_tags (task_id, user_id, tag, created_at)
            VALUES (NEW.id, NEW.user_id, NEW.tags::jsonb ->> 0, NEW.created_at);
    ELSE
        INSERT INTO task_tags (task_id, user_id, tag, created_at)
            SELECT DISTINCT NEW.id, NEW.user_id, tag, NEW.created_at
            FROM jsonb_array_elements_text(NEW.tags::jsonb) AS tag;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION tag_counts_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.completed
       -- An account being deleted takes its counts with it.
       AND EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id) THEN
        UPDATE tag_counts SET open = open - 1
         WHERE user_id = OLD.user_id AND shard = OLD.id % 8
           AND tag IN (SELECT jsonb_array_elements_text(OLD.tags::jsonb) UNION SELECT '');
        DELETE FROM tag_counts
         WHERE user_id = OLD.user_id AND shard = OLD.id % 8 AND open <= 0
           AND tag IN (SELECT jsonb_array_elements_text(OLD.tags::jsonb) UNION SELECT '');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NOT NEW.completed THEN
        IF NEW.tags = '[]' THEN
            INSERT INTO tag_counts (user_id, tag, shard, open)
                VALUES (NEW.user_id, '', NEW.id % 8, 1)
            ON CONFLICT (user_id, tag, shard) DO UPDATE SET open = tag_counts.open + 1;
        ELSIF jsonb_array_length(NEW.tags::jsonb) = 1 AND NEW.tags::jsonb ->> 0 <> '' THEN
            INSERT INTO tag_counts (user_id, tag, shard, open)
                VALUES (NEW.user_id, NEW.tags::jsonb ->> 0, NEW.id % 8, 1),
                       (NEW.user_id, '', NEW.id % 8, 1)
            ON CONFLICT (user_id, tag, shard) DO UPDATE SET open = tag_counts.open + 1;
        ELSE
            INSERT INTO tag_counts (user_id, tag, shard, open)
                SELECT NEW.user_id, tag, NEW.id % 8, 1
                FROM (SELECT jsonb_array_elements_text(NEW.tags::jsonb) UNION SELECT '') AS new_tags (tag)
            ON CONFLICT (user_id, tag, shard) DO UPDATE SET open = tag_counts.open + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
