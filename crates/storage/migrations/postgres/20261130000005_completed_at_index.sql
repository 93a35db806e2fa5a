-- completed=today|yesterday|week: the tasks a user completed in a window of
-- days are found by range in this index and sorted (a few), instead of
-- walking every completed task of the user. Only completed tasks have a
-- completed_at, so open tasks (most inserts) do not maintain it.
CREATE INDEX tasks_user_completed_at ON tasks (user_id, completed_at) WHERE completed_at IS NOT NULL;
