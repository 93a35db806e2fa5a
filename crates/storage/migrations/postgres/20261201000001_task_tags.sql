-- Tags by index (issue 12). A task's tags stay in `tasks.tags` (a JSON
-- array, read with the task); two tables derived from it, kept in step by
-- the triggers below in the transaction of every write to `tasks` (the
-- storage layer's statements, bulk deletes, account deletion by cascade,
-- SQL run by hand), let the tag filter and the tag list read only what
-- they answer:
--
-- `task_tags`: one row per tag of a task, with the task's owner and
-- creation time, so `tag=X` walks (user_id, tag) in the default order and
-- stops at the page's end instead of testing `tags LIKE '%"x"%'` on every
-- task of the user on the way.
CREATE TABLE task_tags (
    task_id    BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL,
    -- As stored in the JSON array (normalised by the domain's Tag).
    tag        TEXT NOT NULL,
    -- The task's created_at (it never changes).
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (task_id, tag)
);
CREATE INDEX task_tags_user_tag_created ON task_tags (user_id, tag, created_at DESC, task_id DESC);

-- `tag_counts`: per user and tag, how many open tasks carry it (tag '' is
-- the user's open tasks), so GET /api/tags reads a few rows per tag however
-- many tasks the user holds (it unnested the JSON of up to 10,000 open
-- tasks: ~18 ms of CPU per call for a 10,000-task user). Each count is
-- split over 8 rows (`shard` = task id % 8) and updated when the writing
-- transaction commits (deferred triggers): one row per count made
-- concurrent creates by one user queue on its lock (pgbench, 64 clients
-- creating tasks with the same tags: 1,058 tps with one row updated at
-- once, 4,011 sharded and deferred, 4,769 without counts).
CREATE TABLE tag_counts (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Byte order, as the tag list answers (tags are lowercase).
    tag     TEXT COLLATE "C" NOT NULL,
    shard   SMALLINT NOT NULL,
    open    BIGINT NOT NULL,
    PRIMARY KEY (user_id, tag, shard)
);

-- Both tables filled from `tasks.tags`: this migration's backfill, and for
-- a bulk load run with the triggers below disabled (the bench's seed of
-- 200,000 tasks: through the triggers, one transaction that updates the
-- same counts thousands of times took minutes).
CREATE FUNCTION task_tags_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM task_tags;
    DELETE FROM tag_counts;
    INSERT INTO task_tags (task_id, user_id, tag, created_at)
        SELECT DISTINCT tasks.id, tasks.user_id, tag, tasks.created_at
        FROM tasks, jsonb_array_elements_text(tasks.tags::jsonb) AS tag;
    INSERT INTO tag_counts (user_id, tag, shard, open)
        SELECT user_id, tag, id % 8, COUNT(*)
        FROM (SELECT tasks.id, tasks.user_id, tag
              FROM tasks, jsonb_array_elements_text(tasks.tags::jsonb) AS tag
              WHERE NOT tasks.completed
              UNION
              SELECT id, user_id, '' FROM tasks WHERE NOT completed) AS open_tags
        GROUP BY user_id, tag, id % 8;
$$;
SELECT task_tags_rebuild();

CREATE FUNCTION task_tags_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM task_tags WHERE task_id = OLD.id;
    END IF;
    INSERT INTO task_tags (task_id, user_id, tag, created_at)
        SELECT DISTINCT NEW.id, NEW.user_id, tag, NEW.created_at
        FROM jsonb_array_elements_text(NEW.tags::jsonb) AS tag;
    RETURN NULL;
END
$$;
-- (A task's rows go with it by the foreign key's cascade.)
CREATE TRIGGER task_tags_insert AFTER INSERT ON tasks
    FOR EACH ROW EXECUTE FUNCTION task_tags_write();
CREATE TRIGGER task_tags_update AFTER UPDATE OF tags ON tasks
    FOR EACH ROW WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION task_tags_write();

-- The old row's counts down (if it was open), the new one's up (if it is).
CREATE FUNCTION tag_counts_write() RETURNS trigger LANGUAGE plpgsql AS $$
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
        INSERT INTO tag_counts (user_id, tag, shard, open)
            SELECT NEW.user_id, tag, NEW.id % 8, 1
            FROM (SELECT jsonb_array_elements_text(NEW.tags::jsonb) UNION SELECT '') AS new_tags (tag)
        ON CONFLICT (user_id, tag, shard) DO UPDATE SET open = tag_counts.open + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER tag_counts_insert AFTER INSERT ON tasks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NOT NEW.completed) EXECUTE FUNCTION tag_counts_write();
CREATE CONSTRAINT TRIGGER tag_counts_update AFTER UPDATE OF tags, completed ON tasks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.tags IS DISTINCT FROM NEW.tags OR OLD.completed IS DISTINCT FROM NEW.completed)
    EXECUTE FUNCTION tag_counts_write();
CREATE CONSTRAINT TRIGGER tag_counts_delete AFTER DELETE ON tasks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NOT OLD.completed) EXECUTE FUNCTION tag_counts_write();

-- tag= no longer tests the JSON text: its trigram index only cost writes.
DROP INDEX IF EXISTS tasks_tags_trgm;
