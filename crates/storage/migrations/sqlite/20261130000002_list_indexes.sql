-- A page of a listing costs the same for a user with 100 or 100,000 tasks:
-- each documented sort, in its default direction, walks an index from the
-- user's first row and stops at the page's end. (The other direction of
-- due, priority and title sorts the user's matching rows.) Text and tag
-- search filter rows along that walk, so a page stops after its last match.

-- status=pending / completed with the default sort (newest first).
CREATE INDEX tasks_user_completed_created ON tasks (user_id, completed, created_at DESC, id DESC);
-- sort=due: soonest first, tasks without a due date last.
CREATE INDEX tasks_user_due_sort ON tasks (user_id, (due_at IS NULL), due_at, id);
-- sort=priority: most urgent first, then soonest due.
CREATE INDEX tasks_user_priority_sort ON tasks (user_id, priority DESC, (due_at IS NULL), due_at, id DESC);
-- sort=title: A to Z.
CREATE INDEX tasks_user_title_sort ON tasks (user_id, LOWER(title), id);
