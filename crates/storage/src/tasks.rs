//! Tasks, always scoped to their owner: every statement carries `user_id`, so
//! another user's task id behaves exactly like a missing one.

use chrono::{DateTime, Utc};
use todo_domain::account::UserId;
use todo_domain::query::{DueCondition, InstantRange, TaskFilter};
use todo_domain::task::TaskPage;
use todo_domain::{
    Due, NewTask, Priority, Recurrence, SortKey, SortOrder, StatusFilter, Tag, Task, TaskId,
};

use crate::{on_pool, writing, Pool, Store, StoreError, StoreResult, Timestamp};

mod tags;

pub(crate) use kept_text_walk::OutgrownWalks;

const TASK_COLUMNS: &str =
    "id, title, description, completed, completed_at, priority, tags, due_at, all_day, \
                            recurrence, created_at, updated_at, version";

#[derive(Clone)]
struct TaskRow {
    id: i64,
    title: String,
    description: String,
    completed: bool,
    completed_at: Option<Timestamp>,
    priority: i16,
    tags: String,
    due_at: Option<Timestamp>,
    all_day: bool,
    recurrence: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: i64,
}

/// Reads a row's columns by position, each checked against the name the
/// reader expects there. sqlx's derived reader looks every field up by
/// name in a hash map: 1,300 lookups for a page of 100 tasks. The column's
/// type is not compared with the field's (`try_get_unchecked`): the
/// migrations fix both and the name check keeps them paired; a decoder
/// still refuses a value of the wrong size.
struct Columns<'r, R> {
    row: &'r R,
    next: usize,
}

impl<'r, R: sqlx::Row> Columns<'r, R>
where
    usize: sqlx::ColumnIndex<R>,
{
    fn read<T>(&mut self, name: &str) -> sqlx::Result<T>
    where
        T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let index = self.next;
        self.next += 1;
        match self.row.columns().get(index) {
            Some(column) if sqlx::Column::name(column) == name => self.row.try_get_unchecked(index),
            _ => Err(sqlx::Error::ColumnNotFound(name.into())),
        }
    }
}

/// A task row from the columns of [`TASK_COLUMNS`], which come first in
/// every statement that reads one, in that order.
macro_rules! task_row_from {
    ($row:ty) => {
        impl<'r> sqlx::FromRow<'r, $row> for TaskRow {
            fn from_row(row: &'r $row) -> sqlx::Result<Self> {
                let mut columns = Columns { row, next: 0 };
                Ok(TaskRow {
                    id: columns.read("id")?,
                    title: columns.read("title")?,
                    description: columns.read("description")?,
                    completed: columns.read("completed")?,
                    completed_at: columns.read("completed_at")?,
                    priority: columns.read("priority")?,
                    tags: columns.read("tags")?,
                    due_at: columns.read("due_at")?,
                    all_day: columns.read("all_day")?,
                    recurrence: columns.read("recurrence")?,
                    created_at: columns.read("created_at")?,
                    updated_at: columns.read("updated_at")?,
                    version: columns.read("version")?,
                })
            }
        }
    };
}
task_row_from!(sqlx::postgres::PgRow);
task_row_from!(sqlx::sqlite::SqliteRow);

/// One tag of the stored JSON array: borrowed from it, copied only when
/// the JSON escaped something.
#[derive(serde::Deserialize)]
struct StoredTag<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

impl TryFrom<TaskRow> for Task {
    type Error = StoreError;
    fn try_from(row: TaskRow) -> Result<Self, Self::Error> {
        let priority = Priority::from_rank(row.priority).ok_or_else(|| {
            StoreError::Corrupt(format!("task {}: priority {}", row.id, row.priority))
        })?;
        // Read in place from the row's text (a stored tag needs no escapes):
        // a page would otherwise copy every tag twice on its way to a `Tag`.
        let tags: Vec<StoredTag> = serde_json::from_str(&row.tags)
            .map_err(|e| StoreError::Corrupt(format!("task {}: tags {e}", row.id)))?;
        // As with the rule below: a tag the domain no longer accepts is left
        // off, with a warning, rather than failing every page.
        let tags = tags
            .iter()
            .filter_map(|StoredTag(raw)| {
                let raw: &str = raw;
                Tag::parse(raw)
                    .inspect_err(|e| {
                        tracing::warn!(task_id = row.id, tag = raw, error = %e, "stored tag left off");
                    })
                    .ok()
            })
            .collect();
        let recurrence = row.recurrence.as_deref().and_then(|raw| {
            // A rule the domain no longer accepts (written under older
            // limits) is left off the task, with a warning, rather than
            // failing every page that holds the task; it could not repeat
            // anyway. The row keeps it until the task is next saved.
            Recurrence::read(raw)
                .inspect_err(|e| {
                    tracing::warn!(task_id = row.id, rule = raw, error = %e.message, "stored repetition rule left off");
                })
                .ok()
        });
        Ok(Task {
            id: row.id,
            title: row.title,
            description: row.description,
            completed: row.completed,
            completed_at: row.completed_at.map(|t| t.0),
            priority,
            tags,
            due: row.due_at.map(|t| Due::from_stored(t.0, row.all_day)),
            recurrence,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

/// A row of a page read with its count (`ListSql::counted_page`).
#[derive(sqlx::FromRow)]
struct CountedRow {
    #[sqlx(flatten)]
    task: TaskRow,
    matched: i64,
}

/// What [`Store::complete_task`] did.
#[derive(Debug)]
pub enum CompleteOutcome {
    /// Completed now, with the successor inserted (if one was given).
    Completed(Task, Option<Task>),
    /// It was completed before: nothing changed.
    AlreadyCompleted(Task),
    /// It changed since the version given: read it again.
    Changed,
    /// No such task of this user.
    Missing,
}

/// The `due_at` and `all_day` columns of a due date.
fn due_columns(due: Option<Due>) -> (Option<Timestamp>, bool) {
    match due.map(Due::to_stored) {
        Some((at, all_day)) => (Some(Timestamp::new(at)), all_day),
        None => (None, false),
    }
}

fn tags_json(tags: &[Tag]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

/// A value bound to a dynamically built statement.
enum Bind {
    Int(i64),
    Text(String),
    Time(Timestamp),
    Flag(bool),
}

/// Builds the `WHERE` and `ORDER BY` of a listing, with `$n` parameters
/// (both SQLite and Postgres read them).
struct ListSql {
    /// `tasks`, or with a tag the user's tasks carrying it (see `new`).
    from: String,
    /// With a tag and no other condition, in created order: the statement
    /// selecting the user's `task_tags` rows of the tag, which then alone
    /// give the page's ids and its count (see `counted_page`).
    tagged_alone: Option<String>,
    /// No condition but the owner's: every row the order's index walks is
    /// a match (see `counted_page`).
    owner_only: bool,
    /// With text the only condition besides the owner and the status, in
    /// created order: the order over the page's ids (`page_id`,
    /// `page_at`), which are found first by walking the created-order
    /// index alone, whose entries carry the search text (see
    /// `text_walk_page`).
    text_walk_order: Option<String>,
    /// The `$n` of the owner's id.
    user_param: String,
    /// The status' condition, if any.
    status_condition: Option<&'static str>,
    /// The `$n` of a text search's `LIKE` pattern.
    text_pattern: Option<String>,
    conditions: String,
    order: String,
    /// Columns (`, expr AS name`) naming the order's expressions.
    keys: &'static str,
    /// `order` over the columns of `keys` and [`TASK_COLUMNS`].
    keyed_order: String,
    binds: Vec<Bind>,
}

impl ListSql {
    fn param(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    /// `column >= from` and `column < until`, for the ends the range has.
    fn bounds(&mut self, column: &str, range: InstantRange) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(from) = range.from {
            parts.push(format!(
                "{column} >= {}",
                self.param(Bind::Time(from.into()))
            ));
        }
        if let Some(until) = range.until {
            parts.push(format!(
                "{column} < {}",
                self.param(Bind::Time(until.into()))
            ));
        }
        parts
    }

    fn range(&mut self, range: InstantRange, all_day: bool) -> String {
        let flag = self.param(Bind::Flag(all_day));
        let mut parts = vec![format!("all_day = {flag}")];
        parts.extend(self.bounds("due_at", range));
        format!("({})", parts.join(" AND "))
    }

    /// Whether the best plan for the filter's statements depends on their
    /// values, so that Postgres must plan them for each run's values. A
    /// plan kept for any values knows no `q=`/`tag=` pattern and no due or
    /// completion window: it fetched every match of a common word through
    /// the trigram index and sorted them (the 10,000-task user's q=dentist
    /// page: 2.5 ms against 0.2 ms), and walked all of a user's tasks for
    /// the few due within a week (8,404 rows read against 101). Such
    /// statements are run unnamed (sqlx's non-persistent query): Postgres
    /// plans an unnamed statement for the values bound to it, on any
    /// session, a pooler's included, at the cost of a round trip (its
    /// description). Every other listing keeps one plan per session, and
    /// so does a text search in created order while a prefix of the
    /// user's tasks answers it (see `kept_text_walk`).
    fn plan_per_values(filter: &TaskFilter) -> bool {
        filter.text.is_some()
            // A tag in created order walks `task_tags`' (user_id, tag,
            // created_at) index whatever the tag (checked for a common, a
            // rare and a missing one): one plan fits every tag, kept. In
            // another order the planner weighs that index against the
            // order's own by how many tasks carry the tag.
            || (filter.tag.is_some() && !matches!(filter.sort, SortKey::Created))
            || matches!(filter.due, DueCondition::Within { .. })
            || filter.completed_within.is_some()
    }

    fn new(user_id: UserId, filter: &TaskFilter) -> Self {
        let mut list = ListSql {
            from: "tasks".into(),
            tagged_alone: None,
            owner_only: false,
            text_walk_order: None,
            user_param: String::new(),
            status_condition: None,
            text_pattern: None,
            conditions: String::new(),
            order: String::new(),
            keys: "",
            keyed_order: String::new(),
            binds: Vec::new(),
        };
        let user = list.param(Bind::Int(user_id));
        let mut conditions = vec![format!("user_id = {user}")];
        list.user_param = user.clone();
        list.status_condition = match filter.status {
            StatusFilter::All => None,
            StatusFilter::Pending => Some("completed = FALSE"),
            StatusFilter::Completed => Some("completed = TRUE"),
        };
        conditions.extend(list.status_condition.map(String::from));
        if let Some(text) = &filter.text {
            // `search_text` is LOWER(title), a newline, LOWER(description)
            // (a column of its own, see the migrations), stored on Postgres,
            // where lowercasing each row a page walks was most of its cost.
            // A pattern without a newline (q= refuses control characters)
            // matches it where it matches the title or the description.
            let pattern = list.param(Bind::Text(format!(
                "%{}%",
                escape_like(&text.to_lowercase())
            )));
            conditions.push(format!("search_text LIKE {pattern} ESCAPE '\\'"));
            list.text_pattern = Some(pattern.clone());
            if text.contains('\n') {
                // Only an in-process caller's text can hold one: the
                // columns themselves, lest it match across the two.
                conditions.push(format!(
                    "(LOWER(title) LIKE {pattern} ESCAPE '\\' OR LOWER(description) LIKE {pattern} ESCAPE '\\')"
                ));
            }
        }
        if let Some(tag) = &filter.tag {
            // The user's tasks with the tag, by `task_tags` (a row per tag
            // of a task, kept in step with `tasks.tags` by triggers; see the
            // migrations): a page walks (user_id, tag) in created order and
            // reads only tasks that match. The tag is compared as stored,
            // normalised by the domain's `Tag` (as is the filter's).
            let tag = list.param(Bind::Text(tag.as_str().to_owned()));
            let tagged = format!(
                "SELECT task_id, created_at AS tagged_at FROM task_tags \
                 WHERE user_id = {user} AND tag = {tag}"
            );
            list.from = format!("({tagged}) AS tagged JOIN tasks ON tasks.id = tagged.task_id");
            list.tagged_alone = Some(tagged);
        }
        if let Some(priority) = filter.priority {
            conditions.push(format!(
                "priority = {}",
                list.param(Bind::Int(priority.rank().into()))
            ));
        }
        match filter.due {
            DueCondition::Any => {}
            DueCondition::NoDueDate => conditions.push("due_at IS NULL".into()),
            DueCondition::Within { timed, all_day } => {
                let timed = list.range(timed, false);
                let all_day = list.range(all_day, true);
                conditions.push(format!("({timed} OR {all_day})"));
            }
        }
        if let Some(range) = filter.completed_within {
            conditions.extend(list.bounds("completed_at", range));
        }
        let direction = match filter.order {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        };
        // The order, and the same order over the named columns of a
        // subquery that selects `keys` too (see `counted_page`).
        (list.order, list.keys, list.keyed_order) = match filter.sort {
            // With a tag, in the order of `task_tags`' index (the same
            // order: its created_at and task_id are the task's).
            SortKey::Created if filter.tag.is_some() => {
                let order = format!("tagged_at {direction}, task_id {direction}");
                (order.clone(), ", tagged_at, task_id", order)
            }
            SortKey::Created => {
                let order = format!("created_at {direction}, id {direction}");
                (order.clone(), "", order)
            }
            SortKey::Due => (
                format!("due_at IS NULL, due_at {direction}, id ASC"),
                ", due_at IS NULL AS undated",
                format!("undated, due_at {direction}, id ASC"),
            ),
            SortKey::Priority => (
                format!("priority {direction}, due_at IS NULL, due_at ASC, id DESC"),
                ", due_at IS NULL AS undated",
                format!("priority {direction}, undated, due_at ASC, id DESC"),
            ),
            SortKey::Title => (
                format!("LOWER(title) {direction}, id ASC"),
                ", LOWER(title) AS title_key",
                format!("title_key {direction}, id ASC"),
            ),
        };
        if conditions.len() > 1 || !matches!(filter.sort, SortKey::Created) {
            list.tagged_alone = None;
        }
        list.owner_only = conditions.len() == 1 && filter.tag.is_none();
        let text_alone = filter
            .text
            .as_ref()
            .is_some_and(|text| !text.contains('\n'))
            && filter.tag.is_none()
            && filter.priority.is_none()
            && matches!(filter.due, DueCondition::Any)
            && filter.completed_within.is_none();
        if text_alone && matches!(filter.sort, SortKey::Created) {
            list.text_walk_order = Some(format!("page_at {direction}, page_id {direction}"));
        }
        list.conditions = conditions.join(" AND ");
        list
    }

    /// One page and one row more, which tells whether more follow: a
    /// user with fewer tasks than a page gets the total from the page alone,
    /// in one round trip. No `COUNT(*) OVER ()`: it read every matching row
    /// before the limit, so a page cost grew with the user's task count.
    fn page(mut self, limit: u32, offset: u32) -> (String, Vec<Bind>) {
        let limit = self.param(Bind::Int(i64::from(limit) + 1));
        let offset = self.param(Bind::Int(offset.into()));
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM {} WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
            self.from, self.conditions, self.order
        );
        (sql, self.binds)
    }

    /// One page and one row more of a text search (see `text_walk_order`),
    /// read as ids along the created-order index alone and then joined to
    /// their rows: the walk tests each entry's search text without reading
    /// its row (the 10,000-task user's q=dentist page: 16 buffers walked
    /// and 51 rows read, against 448 buffers reading each of the ~1,000
    /// rows walked). `count_cap`, if any, also counts the matches up to
    /// it. The walk's own LIMIT lets the planner weigh it for the rows it
    /// needs: without one it took a trigram bitmap of every match and a
    /// sort for a page of 100.
    fn text_walk_page(
        mut self,
        walk_order: &str,
        limit: u32,
        offset: u32,
        count_cap: Option<i64>,
    ) -> (String, Vec<Bind>) {
        let walked = count_cap.unwrap_or(i64::from(offset) + i64::from(limit));
        let walked = self.param(Bind::Int(walked + 1));
        let limit = self.param(Bind::Int(i64::from(limit) + 1));
        let offset = self.param(Bind::Int(offset.into()));
        let (counted, matched) = match count_cap {
            Some(_) => (", COUNT(*) OVER () AS matched", ", matched"),
            None => ("", ""),
        };
        let (conditions, order) = (&self.conditions, &self.order);
        let sql = format!(
            "SELECT {TASK_COLUMNS}{matched} FROM \
             (SELECT id AS page_id, created_at AS page_at{counted} FROM \
             (SELECT id, created_at FROM tasks WHERE {conditions} ORDER BY {order} LIMIT {walked}) AS matches \
             ORDER BY {order} LIMIT {limit} OFFSET {offset}) AS page \
             {} ORDER BY {walk_order}",
            page_tasks_by_id()
        );
        (sql, self.binds)
    }

    /// One page and one row more, each row with the number of matches
    /// counted up to one past `cap` (`matched`), in one statement: the
    /// matches up to the cap are read once, along the page's index, and
    /// the page is cut from them without sorting them again (the outer
    /// order names the subquery's own ordered columns). On Postgres this
    /// saves the count's round trip and its second walk over the page's
    /// rows. `cap` is at least `offset + limit`, so the page lies within.
    fn counted_page(mut self, limit: u32, offset: u32, cap: i64) -> (String, Vec<Bind>) {
        let cap = self.param(Bind::Int(cap + 1));
        let limit = self.param(Bind::Int(i64::from(limit) + 1));
        let offset = self.param(Bind::Int(offset.into()));
        if let Some(tagged) = &self.tagged_alone {
            // Counted in `task_tags`' index alone, and only the page's
            // tasks read (a 10,000-task user's common tag: 212 buffers
            // against 412 joining every counted match, EXPLAIN ANALYZE).
            let order = &self.order;
            let sql = format!(
                "SELECT {TASK_COLUMNS}, tagged_at, task_id, matched FROM \
                 (SELECT task_id, tagged_at, COUNT(*) OVER () AS matched FROM \
                 ({tagged} ORDER BY {order} LIMIT {cap}) AS matches \
                 ORDER BY {order} LIMIT {limit} OFFSET {offset}) AS page \
                 JOIN tasks ON tasks.id = page.task_id ORDER BY {order}"
            );
            return (sql, self.binds);
        }
        if self.owner_only {
            // Every row walked is a match, so the count walks the order's
            // index alone up to the cap (index-only where the index holds
            // the order's columns: all but the title's), once per
            // statement, and only the page's rows are read whole. The
            // window below keeps every counted match's whole row (pgbench,
            // a 100-task user's page of 50: by due date 20,900 -> 25,700
            // tps, by creation 21,800 -> 26,000, by title 17,400 -> 19,500).
            // With other conditions the two walks would each test rows.
            let (from, conditions, order) = (&self.from, &self.conditions, &self.order);
            let sql = format!(
                "SELECT {TASK_COLUMNS}, (SELECT COUNT(*) FROM \
                 (SELECT 1 FROM {from} WHERE {conditions} ORDER BY {order} LIMIT {cap}) AS matches) AS matched \
                 FROM {from} WHERE {conditions} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            );
            return (sql, self.binds);
        }
        let sql = format!(
            "SELECT *, COUNT(*) OVER () AS matched FROM \
             (SELECT {TASK_COLUMNS}{} FROM {} WHERE {} ORDER BY {} LIMIT {cap}) AS matches \
             ORDER BY {} LIMIT {limit} OFFSET {offset}",
            self.keys, self.from, self.conditions, self.order, self.keyed_order
        );
        (sql, self.binds)
    }

    /// The statement [`Store::list_tasks`] reads a page with on Postgres:
    /// the page alone when it reaches the count's cap, else the page with
    /// its count ([`Self::counted_page`]); a text search's ids first
    /// ([`Self::text_walk_page`]).
    fn postgres_page(mut self, filter: &TaskFilter) -> (String, Vec<Bind>) {
        if let Some(walk_order) = self.text_walk_order.take() {
            let cap = (!filter.page_reaches_cap()).then(|| filter.total_cap());
            return self.text_walk_page(&walk_order, filter.limit, filter.offset, cap);
        }
        if filter.page_reaches_cap() {
            self.page(filter.limit, filter.offset)
        } else {
            self.counted_page(filter.limit, filter.offset, filter.total_cap())
        }
    }

    /// The number of matches, counted up to one past `cap`: a bounded cost
    /// however many tasks match. In the page's order, so that the database
    /// can go on along the page's own index and stop at the cap; counting
    /// a common word or tag through its trigram index instead (no order)
    /// built a bitmap of every row in the table holding it, which cost the
    /// 10,000-task user's `q=` and `tag=` pages some 10 times the page.
    fn count(mut self, cap: i64) -> (String, Vec<Bind>) {
        let cap = self.param(Bind::Int(cap + 1));
        (
            format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE {} ORDER BY {} LIMIT {cap}) AS matches",
                self.from, self.conditions, self.order
            ),
            self.binds,
        )
    }
}

/// The page's tasks by their ids (`page.page_id`), read by a lateral
/// subquery that Postgres cannot merge into a join: it then weighs no
/// merge join, whose costing looked up the live ends of the primary key at
/// every planning (EXPLAIN, a 100-task user's q=dentist planned for its
/// values: planning 0.30 -> 0.16 ms, running 0.10 -> 0.07 ms).
fn page_tasks_by_id() -> String {
    format!(
        "CROSS JOIN LATERAL (SELECT {TASK_COLUMNS} FROM tasks WHERE tasks.id = page.page_id OFFSET 0) AS task"
    )
}

/// A bound value written as a Postgres literal (for statements the store
/// builds itself: a pgbench script, an explained `EXECUTE`).
fn postgres_literal(bind: &Bind) -> String {
    match bind {
        Bind::Int(v) => v.to_string(),
        Bind::Text(v) => format!("'{}'", v.replace('\'', "''")),
        Bind::Time(v) => format!("'{}'::timestamptz", v.0.to_rfc3339()),
        Bind::Flag(v) => v.to_string(),
    }
}

fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Binds `$binds` in order onto a query built with `sqlx::query*`.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Int(v) => query.bind(*v),
                Bind::Text(v) => query.bind(v.as_str()),
                Bind::Time(v) => query.bind(*v),
                Bind::Flag(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// The insert statement for a new task, bound and ready to run on either
/// database (used alone and inside the completion transaction).
macro_rules! insert_task_query {
    ($sql:expr, $user_id:expr, $task:expr, $now:expr) => {{
        let task: &NewTask = $task;
        let (due_at, all_day) = due_columns(task.due);
        sqlx::query_as::<_, TaskRow>($sql)
            .bind($user_id)
            .bind(task.title.clone())
            .bind(task.description.clone())
            .bind(task.priority.rank())
            .bind(tags_json(&task.tags))
            .bind(due_at)
            .bind(all_day)
            .bind(task.recurrence.as_ref().map(|r| r.as_str().to_owned()))
            .bind($now)
    }};
}

// After the macros it uses.
mod kept_text_walk;

fn insert_sql() -> String {
    format!(
        "INSERT INTO tasks (user_id, title, description, completed, priority, tags, due_at, all_day, recurrence, \
         created_at, updated_at) VALUES ($1, $2, $3, FALSE, $4, $5, $6, $7, $8, $9, $9) RETURNING {TASK_COLUMNS}"
    )
}

impl Store {
    pub async fn insert_task(
        &self,
        user_id: UserId,
        task: &NewTask,
        now: DateTime<Utc>,
    ) -> StoreResult<Task> {
        let sql = insert_sql();
        let now = Timestamp::new(now);
        // Its one foreign key is its owner's: a deleted account's task.
        match &self.pool {
            Pool::Sqlite(pool) => {
                let _turn = self.sqlite_writer.lock().await;
                // Committed only once the row reads back as a task, so a value
                // the database stores but cannot return never lands (as for
                // every write).
                let mut tx = crate::transaction::begin(pool).await?;
                let row = insert_task_query!(&sql, user_id, task, now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::owner_gone)?;
                let task = Task::try_from(row)?;
                tx.commit().await?;
                Ok(task)
            }
            // The hot write of create and of every chat "add": one statement,
            // atomic on its own, without BEGIN and COMMIT (two round trips of
            // three). A row that does not read back as a task is deleted at
            // once instead of rolled back.
            Pool::Postgres(pool) => {
                let row = insert_task_query!(&sql, user_id, task, now)
                    .fetch_one(pool)
                    .await
                    .map_err(StoreError::owner_gone)?;
                let id = row.id;
                match Task::try_from(row) {
                    Ok(task) => Ok(task),
                    Err(error) => {
                        sqlx::query("DELETE FROM tasks WHERE id = $1")
                            .bind(id)
                            .execute(pool)
                            .await?;
                        Err(error)
                    }
                }
            }
        }
    }
    pub async fn get_task(&self, user_id: UserId, id: TaskId) -> StoreResult<Option<Task>> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2");
        let row: Option<TaskRow> = on_pool!(self, pool => {
            self.read_retrying(|| sqlx::query_as(&sql).bind(id).bind(user_id).fetch_optional(pool)).await
        })?;
        row.map(Task::try_from).transpose()
    }

    /// One page of tasks and the number of tasks matching the filter,
    /// counted up to [`TaskFilter::total_cap`] (then flagged as capped).
    pub async fn list_tasks(&self, user_id: UserId, filter: &TaskFilter) -> StoreResult<TaskPage> {
        let cap = filter.total_cap();
        let persistent = self.persistent_listing(filter);
        let (mut rows, matched) = match &self.pool {
            Pool::Postgres(pool) => {
                self.postgres_page(pool, user_id, filter, persistent)
                    .await?
            }
            // In-process: a second statement costs no round trip, and
            // SQLite would sort the capped matches again to cut the page.
            Pool::Sqlite(pool) => {
                let (sql, binds) = ListSql::new(user_id, filter).page(filter.limit, filter.offset);
                // On a connection of its own, as on Postgres (see
                // `postgres_listing`).
                let mut connection = pool.acquire().await?;
                let rows: Vec<TaskRow> = bind_all!(sqlx::query_as(&sql), &binds)
                    .fetch_all(&mut *connection)
                    .await?;
                (rows, None)
            }
        };
        let more_follow = rows.len() > filter.limit as usize;
        rows.truncate(filter.limit as usize);
        let counted = match matched {
            Some(matched) => Some(matched),
            None if more_follow && filter.page_reaches_cap() => {
                // The page itself shows more than the cap match.
                Some(cap + 1)
            }
            None if more_follow || (rows.is_empty() && filter.offset > 0) => {
                let (sql, binds) = ListSql::new(user_id, filter).count(cap);
                Some(
                    on_pool!(self, pool => bind_all!(sqlx::query_scalar(&sql), &binds).persistent(persistent).fetch_one(pool).await)?,
                )
            }
            None => None,
        };
        let (total, total_capped) = match counted {
            Some(counted) => (counted.min(cap), counted > cap),
            None => (i64::from(filter.offset) + rows.len() as i64, false),
        };
        let items = rows
            .into_iter()
            .map(Task::try_from)
            .collect::<StoreResult<_>>()?;
        Ok(TaskPage {
            items,
            total,
            total_capped,
        })
    }

    /// A page's rows on Postgres, and the matches counted with them (up to
    /// one past the cap) if they were.
    async fn postgres_page(
        &self,
        pool: &sqlx::PgPool,
        user_id: UserId,
        filter: &TaskFilter,
        persistent: bool,
    ) -> StoreResult<(Vec<TaskRow>, Option<i64>)> {
        // Only a text search looks up whether the user outgrew the walk.
        if filter.text.is_some() && !self.outgrown_walks.recently(user_id) {
            if let Some(walk) = ListSql::new(user_id, filter).kept_text_walk(filter) {
                if let Some(page) = self.kept_text_walk_page(pool, &walk).await? {
                    return Ok(page);
                }
                self.outgrown_walks.remember(user_id);
            }
        }
        let page = ListSql::new(user_id, filter).postgres_page(filter);
        if filter.page_reaches_cap() {
            // The page tells the total by itself (see
            // `ListSql::postgres_page`).
            let rows: Vec<TaskRow> = self.postgres_listing(pool, &page, persistent).await?;
            Ok((rows, None))
        } else {
            // Page and count in one statement: a round trip less.
            let rows: Vec<CountedRow> = self.postgres_listing(pool, &page, persistent).await?;
            let matched = rows.first().map(|row| row.matched);
            Ok((rows.into_iter().map(|row| row.task).collect(), matched))
        }
    }

    /// A listing statement's rows on Postgres, read again on a connection
    /// found cut.
    async fn postgres_listing<R>(
        &self,
        pool: &sqlx::PgPool,
        (sql, binds): &(String, Vec<Bind>),
        persistent: bool,
    ) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        // On a connection of its own, not through the pool's executor: that
        // wraps the connection's stream of rows in a second one, each row
        // passed on through both (and the request's span entered for each):
        // 1,250K -> 1,188K instructions for a page of 100 (callgrind).
        self.read_retrying(|| async {
            let mut connection = pool.acquire().await?;
            bind_all!(sqlx::query_as(sql), binds)
                .persistent(persistent)
                .fetch_all(&mut *connection)
                .await
        })
        .await
    }

    /// Whether a listing's statements are prepared once per session (see
    /// [`ListSql::plan_per_values`]); always on SQLite, which plans a
    /// statement when it prepares it.
    fn persistent_listing(&self, filter: &TaskFilter) -> bool {
        matches!(self.pool, Pool::Sqlite(_)) || !ListSql::plan_per_values(filter)
    }

    /// The database's plans for [`Store::list_tasks`]'s statements, the page
    /// (on Postgres read with its count) and the count (run alone on SQLite,
    /// and on Postgres for a page past the end), as text (`EXPLAIN ANALYZE`
    /// on Postgres, which runs them and tells the rows each step read, of
    /// the statement prepared and run as often as a pooled session runs it;
    /// `EXPLAIN QUERY PLAN` on SQLite), with the same values bound: tests
    /// check that a big user's pages walk an index.
    pub async fn explain_list_tasks(
        &self,
        user_id: UserId,
        filter: &TaskFilter,
    ) -> StoreResult<(String, String)> {
        let page = ListSql::new(user_id, filter);
        let page = match self.pool {
            Pool::Postgres(_) => page.postgres_page(filter),
            Pool::Sqlite(_) => page.page(filter.limit, filter.offset),
        };
        let count = ListSql::new(user_id, filter).count(filter.total_cap());
        let persistent = self.persistent_listing(filter);
        Ok((
            self.explain_statement(page, persistent).await?,
            self.explain_statement(count, persistent).await?,
        ))
    }

    /// The plan of the kept walk's page for a text search it answers
    /// (`kept_text_walk`), as a pooled session runs it after its first
    /// runs; `None` for any other listing, and on SQLite.
    pub async fn explain_kept_text_walk(
        &self,
        user_id: UserId,
        filter: &TaskFilter,
    ) -> StoreResult<Option<String>> {
        if matches!(self.pool, Pool::Sqlite(_)) {
            return Ok(None);
        }
        match ListSql::new(user_id, filter).kept_text_walk(filter) {
            Some(walk) => Ok(Some(self.explain(walk.page).await?)),
            None => Ok(None),
        }
    }

    /// The plan of a statement run as a persistent (prepared once per
    /// session) query; see [`Store::explain_list_tasks`].
    async fn explain(&self, statement: (String, Vec<Bind>)) -> StoreResult<String> {
        self.explain_statement(statement, true).await
    }

    async fn explain_statement(
        &self,
        (sql, binds): (String, Vec<Bind>),
        persistent: bool,
    ) -> StoreResult<String> {
        Ok(match &self.pool {
            Pool::Postgres(pool) => {
                // Planned as the server's statements are. A persistent one:
                // prepared once on a session of the pool and run more than
                // the five times after which Postgres may keep a plan for
                // any values. Any other: planned at its first run, for its
                // values, as an unnamed statement always is.
                let mut conn = pool.acquire().await?;
                let values: Vec<String> = binds.iter().map(postgres_literal).collect();
                let execute = if values.is_empty() {
                    "EXECUTE explained".to_owned()
                } else {
                    format!("EXECUTE explained({})", values.join(", "))
                };
                sqlx::raw_sql(&format!("PREPARE explained AS {sql}"))
                    .execute(&mut *conn)
                    .await?;
                let runs_before = if persistent { 6 } else { 0 };
                for _ in 0..runs_before {
                    sqlx::raw_sql(&execute).execute(&mut *conn).await?;
                }
                let lines: Vec<String> =
                    sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, TIMING OFF) {execute}"))
                        .persistent(false)
                        .fetch_all(&mut *conn)
                        .await?;
                sqlx::raw_sql("DEALLOCATE explained")
                    .execute(&mut *conn)
                    .await?;
                lines.join("\n")
            }
            Pool::Sqlite(pool) => {
                let sql = format!("EXPLAIN QUERY PLAN {sql}");
                let rows: Vec<(i64, i64, i64, String)> = bind_all!(sqlx::query_as(&sql), &binds)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter()
                    .map(|row| row.3)
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        })
    }

    /// [`Store::list_tasks`]'s Postgres page statement with its values written in
    /// as literals, for driving the same query with `pgbench` (the bench's
    /// ceiling). Not for running user input: the values come from a filter.
    pub fn postgres_list_statement(user_id: UserId, filter: &TaskFilter) -> String {
        let (mut sql, binds) = ListSql::new(user_id, filter).postgres_page(filter);
        // Highest first, so that `$1` does not match the start of `$12`.
        for (i, bind) in binds.iter().enumerate().rev() {
            sql = sql.replace(&format!("${}", i + 1), &postgres_literal(bind));
        }
        sql
    }

    /// Writes every editable field of `task` (completion excepted) if the
    /// stored task is still at `version`; `None` if it is not (or missing).
    pub async fn update_task(
        &self,
        user_id: UserId,
        task: &Task,
        version: i64,
    ) -> StoreResult<Option<Task>> {
        let sql = format!(
            "UPDATE tasks SET title = $1, description = $2, priority = $3, tags = $4, due_at = $5, all_day = $6, \
             recurrence = $7, updated_at = $8, version = version + 1 WHERE id = $9 AND user_id = $10 AND version = $11 RETURNING {TASK_COLUMNS}"
        );
        let (due_at, all_day) = due_columns(task.due);
        Ok(writing!(self, pool => {
            let mut tx = crate::transaction::begin(pool).await?;
            let row: Option<TaskRow> = sqlx::query_as(&sql)
                .bind(&task.title)
                .bind(&task.description)
                .bind(task.priority.rank())
                .bind(tags_json(&task.tags))
                .bind(due_at)
                .bind(all_day)
                .bind(task.recurrence.as_ref().map(Recurrence::as_str))
                .bind(Timestamp::new(task.updated_at))
                .bind(task.id)
                .bind(user_id)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            let task = row.map(Task::try_from).transpose()?;
            tx.commit().await?;
            task
        }))
    }

    /// Marks a task completed if it is still at `version` and, in the same
    /// transaction, inserts `successor` (the next occurrence of a recurring
    /// task, computed beforehand from that version: no work but the two
    /// statements runs while the transaction is open). Only the call that
    /// flips the task from pending creates a successor, so a repeated or
    /// concurrent completion cannot create two.
    pub async fn complete_task(
        &self,
        user_id: UserId,
        id: TaskId,
        version: i64,
        now: DateTime<Utc>,
        successor: Option<&NewTask>,
    ) -> StoreResult<CompleteOutcome> {
        let complete_sql = format!(
            "UPDATE tasks SET completed = TRUE, completed_at = $1, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND user_id = $3 AND completed = FALSE AND version = $4 RETURNING {TASK_COLUMNS}"
        );
        let insert = insert_sql();
        let now_ts = Timestamp::new(now);
        let outcome: Option<(Task, Option<Task>)> = writing!(self, pool => {
            let mut tx = crate::transaction::begin(pool).await?;
            let row: Option<TaskRow> = sqlx::query_as(&complete_sql)
                .bind(now_ts)
                .bind(id)
                .bind(user_id)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
            let outcome = match row {
                Some(row) => {
                    let successor = match successor {
                        Some(new_task) => {
                            let row = insert_task_query!(&insert, user_id, new_task, now_ts).fetch_one(&mut *tx).await?;
                            Some(Task::try_from(row)?)
                        }
                        None => None,
                    };
                    Some((Task::try_from(row)?, successor))
                }
                None => None,
            };
            // Dropped without commit on any error above: rolled back.
            tx.commit().await?;
            outcome
        });
        Ok(match outcome {
            Some((task, successor)) => CompleteOutcome::Completed(task, successor),
            None => match self.get_task(user_id, id).await? {
                None => CompleteOutcome::Missing,
                Some(task) if task.completed => CompleteOutcome::AlreadyCompleted(task),
                Some(_) => CompleteOutcome::Changed,
            },
        })
    }

    pub async fn reopen_task(
        &self,
        user_id: UserId,
        id: TaskId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Task>> {
        let sql = format!(
            "UPDATE tasks SET completed = FALSE, completed_at = NULL, updated_at = $1, version = version + 1 \
             WHERE id = $2 AND user_id = $3 RETURNING {TASK_COLUMNS}"
        );
        Ok(writing!(self, pool => {
            let mut tx = crate::transaction::begin(pool).await?;
            let row: Option<TaskRow> = sqlx::query_as(&sql)
                .bind(Timestamp::new(now))
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            let task = row.map(Task::try_from).transpose()?;
            tx.commit().await?;
            task
        }))
    }

    pub async fn delete_task(&self, user_id: UserId, id: TaskId) -> StoreResult<bool> {
        let sql = "DELETE FROM tasks WHERE id = $1 AND user_id = $2";
        let done = writing!(self, pool => sqlx::query(sql).bind(id).bind(user_id).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }

    pub async fn clear_completed(&self, user_id: UserId) -> StoreResult<u64> {
        let sql = "DELETE FROM tasks WHERE user_id = $1 AND completed = TRUE";
        Ok(
            writing!(self, pool => sqlx::query(sql).bind(user_id).execute(pool).await?.rows_affected()),
        )
    }
}
