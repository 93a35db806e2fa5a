-- q= matches a substring of the title or the description, lowercased: one
-- column to test, as on Postgres (where it is stored, to spare lowercasing
-- every row a page walks). SQLite may only add a generated column that is
-- computed when read (VIRTUAL), which costs what the two LOWER() did. The
-- newline between the two cannot be in a q= pattern.
ALTER TABLE tasks ADD COLUMN search_text TEXT
    GENERATED ALWAYS AS (LOWER(title) || char(10) || LOWER(description)) VIRTUAL;
