-- Back to trigram indexes led by user_id (as in 20261130000002): without
-- it, `cargo xtask bench` measured the 10,000-task user's q=dentist page
-- at 186 req/s (was 341) and tag=health at 112 (was 266). The common word
-- is in one task in ten of the whole table, and the global trigram lists
-- cost more than the user-led ones.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin') THEN
        DROP INDEX IF EXISTS tasks_text_trgm;
        DROP INDEX IF EXISTS tasks_tags_trgm;
        CREATE INDEX tasks_text_trgm ON tasks
            USING gin (user_id, LOWER(title) gin_trgm_ops, LOWER(description) gin_trgm_ops);
        CREATE INDEX tasks_tags_trgm ON tasks USING gin (user_id, tags gin_trgm_ops);
    END IF;
END
$$;
