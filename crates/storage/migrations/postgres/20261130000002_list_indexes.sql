-- A page of a listing costs the same for a user with 100 or 100,000 tasks:
-- each documented sort, in its default direction, walks an index from the
-- user's first row and stops at the page's end. (The other direction of
-- due, priority and title sorts the user's matching rows.)

-- status=pending / completed with the default sort (newest first).
CREATE INDEX tasks_user_completed_created ON tasks (user_id, completed, created_at DESC, id DESC);
-- sort=due: soonest first, tasks without a due date last.
CREATE INDEX tasks_user_due_sort ON tasks (user_id, (due_at IS NULL), due_at, id);
-- sort=priority: most urgent first, then soonest due.
CREATE INDEX tasks_user_priority_sort ON tasks (user_id, priority DESC, (due_at IS NULL), due_at, id DESC);
-- sort=title: A to Z.
CREATE INDEX tasks_user_title_sort ON tasks (user_id, LOWER(title), id);

-- q= (substring of title or description) and tag= (a quoted name inside the
-- JSON array) are LIKE '%…%' patterns: trigram indexes, led by user_id
-- (btree_gin) so that one index scan finds the few rows of this user that
-- match a rare word; a common one is cheaper found by walking the sort
-- index, which the planner chooses from the trigram statistics. pg_trgm and
-- btree_gin are trusted extensions (a database owner may create them, as on
-- Neon); a role that may not gets the same answers without these indexes.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS btree_gin;
    CREATE INDEX tasks_text_trgm ON tasks
        USING gin (user_id, LOWER(title) gin_trgm_ops, LOWER(description) gin_trgm_ops);
    CREATE INDEX tasks_tags_trgm ON tasks USING gin (user_id, tags gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file THEN
    RAISE NOTICE 'pg_trgm or btree_gin unavailable (%): text and tag search filter the user''s tasks', SQLERRM;
END
$$;
