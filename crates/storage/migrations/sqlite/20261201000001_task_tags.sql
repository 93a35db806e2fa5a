-- Tags by index (issue 12), as on Postgres (see its migration for why):
-- `task_tags` (a row per tag of a task, with its owner and creation time)
-- for `tag=`, `tag_counts` (open tasks per user and tag, tag '' for all of
-- them) for GET /api/tags, kept in step with `tasks.tags` by triggers in
-- every writing transaction. SQLite has one writer at a time, so its
-- counts are updated at once; `shard` (task id % 8) keeps the schema and
-- the queries the same as on Postgres, where it spreads concurrent writers.
CREATE TABLE task_tags (
    task_id    INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    tag        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, tag)
) WITHOUT ROWID;
CREATE INDEX task_tags_user_tag_created ON task_tags (user_id, tag, created_at DESC, task_id DESC);

CREATE TABLE tag_counts (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    shard   INTEGER NOT NULL,
    open    INTEGER NOT NULL,
    PRIMARY KEY (user_id, tag, shard)
) WITHOUT ROWID;

INSERT OR IGNORE INTO task_tags (task_id, user_id, tag, created_at)
    SELECT tasks.id, tasks.user_id, tag.value, tasks.created_at
    FROM tasks, json_each(tasks.tags) AS tag;
INSERT INTO tag_counts (user_id, tag, shard, open)
    SELECT user_id, tag, id % 8, COUNT(*)
    FROM (SELECT tasks.id, tasks.user_id, tag.value AS tag
          FROM tasks, json_each(tasks.tags) AS tag
          WHERE NOT tasks.completed
          UNION
          SELECT id, user_id, '' FROM tasks WHERE NOT completed)
    GROUP BY user_id, tag, id % 8;

CREATE TRIGGER task_tags_insert AFTER INSERT ON tasks
BEGIN
    INSERT OR IGNORE INTO task_tags (task_id, user_id, tag, created_at)
        SELECT NEW.id, NEW.user_id, value, NEW.created_at FROM json_each(NEW.tags);
END;
CREATE TRIGGER task_tags_update AFTER UPDATE OF tags ON tasks
    WHEN OLD.tags IS NOT NEW.tags
BEGIN
    DELETE FROM task_tags WHERE task_id = OLD.id;
    INSERT OR IGNORE INTO task_tags (task_id, user_id, tag, created_at)
        SELECT NEW.id, NEW.user_id, value, NEW.created_at FROM json_each(NEW.tags);
END;

CREATE TRIGGER tag_counts_insert AFTER INSERT ON tasks
    WHEN NOT NEW.completed
BEGIN
    INSERT INTO tag_counts (user_id, tag, shard, open)
        SELECT NEW.user_id, tag, NEW.id % 8, 1
        FROM (SELECT value AS tag FROM json_each(NEW.tags) UNION SELECT '') WHERE TRUE
    ON CONFLICT (user_id, tag, shard) DO UPDATE SET open = open + 1;
END;
CREATE TRIGGER tag_counts_update AFTER UPDATE OF tags, completed ON tasks
    WHEN OLD.tags IS NOT NEW.tags OR OLD.completed IS NOT NEW.completed
BEGIN
    UPDATE tag_counts SET open = open - 1
     WHERE NOT OLD.completed AND user_id = OLD.user_id AND shard = OLD.id % 8
       AND tag IN (SELECT value FROM json_each(OLD.tags) UNION SELECT '');
    DELETE FROM tag_counts
     WHERE NOT OLD.completed AND user_id = OLD.user_id AND shard = OLD.id % 8 AND open <= 0
       AND tag IN (SELECT value FROM json_each(OLD.tags) UNION SELECT '');
    INSERT INTO tag_counts (user_id, tag, shard, open)
        SELECT NEW.user_id, tag, NEW.id % 8, 1
        FROM (SELECT value AS tag FROM json_each(NEW.tags) UNION SELECT '') WHERE NOT NEW.completed
    ON CONFLICT (user_id, tag, shard) DO UPDATE SET open = open + 1;
END;
-- An account being deleted takes its counts with it (its cascade).
CREATE TRIGGER tag_counts_delete AFTER DELETE ON tasks
    WHEN NOT OLD.completed AND EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id)
BEGIN
    UPDATE tag_counts SET open = open - 1
     WHERE user_id = OLD.user_id AND shard = OLD.id % 8
       AND tag IN (SELECT value FROM json_each(OLD.tags) UNION SELECT '');
    DELETE FROM tag_counts
     WHERE user_id = OLD.user_id AND shard = OLD.id % 8 AND open <= 0
       AND tag IN (SELECT value FROM json_each(OLD.tags) UNION SELECT '');
END;
