-- q= matches a substring of the title or the description, lowercased. A
-- big user's common word is found by walking the page's index and testing
-- each row, and lowercasing both columns of each row walked was most of
-- that page's cost (EXPLAIN ANALYZE, 10,000-task user, q=dentist: the
-- walk of ~1,000 rows 1.0 ms with LOWER(), 0.3 ms on a stored copy). So
-- the lowercase text is stored once per write: the title, a newline (which
-- a q= pattern cannot hold), the description.
ALTER TABLE tasks ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (LOWER(title) || E'\n' || LOWER(description)) STORED;

-- The trigram index that finds a rare word's few rows, on the stored text
-- (led by user_id, as in 20261130000004).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
       AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin') THEN
        DROP INDEX IF EXISTS tasks_text_trgm;
        CREATE INDEX tasks_text_trgm ON tasks USING gin (user_id, search_text gin_trgm_ops);
    END IF;
END
$$;
