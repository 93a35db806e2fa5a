-- A text search in created order (the API's q= by default, the UI's search
-- of pending tasks) walks the user's created-order index and tests each
-- entry for the word. The entries now carry the search text, so the walk
-- reads no row but the page's (see `ListSql::text_walk_page`): a
-- 10,000-task user's q=dentist page, where one task in ten matches and the
-- count goes on to 101 matches, read 448 buffers, now 220, and its walk
-- 16 buffers instead of 448. Same keys, same names: every plan that took
-- these indexes still does.
--
-- Each new index is built before the old one goes: the build only holds
-- writes back, while dropping an index locks the table for reads too until
-- the migration commits.
CREATE INDEX tasks_user_created_with_text ON tasks (user_id, created_at DESC, id DESC)
    INCLUDE (search_text);
CREATE INDEX tasks_user_completed_created_with_text ON tasks (user_id, completed, created_at DESC, id DESC)
    INCLUDE (search_text);
DROP INDEX tasks_user_created;
DROP INDEX tasks_user_completed_created;
ALTER INDEX tasks_user_created_with_text RENAME TO tasks_user_created;
ALTER INDEX tasks_user_completed_created_with_text RENAME TO tasks_user_completed_created;
