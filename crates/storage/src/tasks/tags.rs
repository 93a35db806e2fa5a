//! The tags on a user's open tasks, each with its count: one statement per
//! database, since each reads the stored JSON array with its own function.
//! It reads the user's [`TAGS_COUNTED_TASKS`] newest open tasks (walking
//! the `(user_id, completed, created_at, id)` index) and answers at most
//! `limit + 1` tags; a second statement counts the user's open tasks up to
//! one more than that, to tell whether some were left out. Both costs are
//! bounded whatever the user holds.

use todo_domain::account::UserId;
use todo_domain::tags::{TagCount, TagList, TAGS_COUNTED_TASKS};
use todo_domain::Tag;

use super::Bind;
use crate::{on_pool, Pool, Store, StoreResult};

/// `$1` user, `$2` tasks read at most, `$3` tags answered at most. Tags are
/// lowercase, so byte order is the case-insensitive order people expect.
const SQLITE: &str = "SELECT tag.value AS name, COUNT(*) AS open \
     FROM (SELECT tags FROM tasks WHERE user_id = $1 AND completed = FALSE \
           ORDER BY created_at DESC, id DESC LIMIT $2) AS recent, \
          json_each(recent.tags) AS tag \
     GROUP BY tag.value ORDER BY tag.value LIMIT $3";

/// As [`SQLITE`]; `COLLATE "C"` orders by bytes as SQLite does, whatever the
/// database's collation.
const POSTGRES: &str = "SELECT tag AS name, COUNT(*) AS open \
     FROM (SELECT tags FROM tasks WHERE user_id = $1 AND completed = FALSE \
           ORDER BY created_at DESC, id DESC LIMIT $2) AS recent, \
          jsonb_array_elements_text(recent.tags::jsonb) AS tag \
     GROUP BY tag ORDER BY tag COLLATE \"C\" LIMIT $3";

/// The user's open tasks, counted up to `$2`: the same on both databases.
const OPEN_TASKS_UP_TO: &str = "SELECT COUNT(*) FROM \
     (SELECT 1 FROM tasks WHERE user_id = $1 AND completed = FALSE LIMIT $2) AS open";

#[derive(sqlx::FromRow)]
struct TagRow {
    name: String,
    open: i64,
}

impl Store {
    fn tag_counts_sql(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => SQLITE,
            Pool::Postgres(_) => POSTGRES,
        }
    }

    /// The tags on the user's open tasks, by name, with how many of those
    /// tasks carry each: at most `limit`, saying whether more follow; and
    /// the user's open tasks, counted up to the number read.
    pub async fn tag_counts(&self, user_id: UserId, limit: u32) -> StoreResult<TagList> {
        let sql = self.tag_counts_sql();
        let cap = i64::from(TAGS_COUNTED_TASKS);
        let mut rows: Vec<TagRow> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(user_id).bind(cap).bind(i64::from(limit) + 1).fetch_all(pool).await
        })?;
        // Whether one open task more than were read exists: an index walk
        // that stops there.
        let open: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(OPEN_TASKS_UP_TO).bind(user_id).bind(cap + 1).fetch_one(pool).await
        })?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        // As a task's tags are read: one the domain refuses is left off,
        // with a warning, as it is left off the tasks that hold it.
        let items = rows
            .into_iter()
            .filter_map(|row| match Tag::parse(&row.name) {
                Ok(name) => Some(TagCount {
                    name,
                    open: row.open,
                }),
                Err(error) => {
                    tracing::warn!(tag = row.name, %error, "stored tag left off");
                    None
                }
            })
            .collect();
        Ok(TagList {
            items,
            more,
            open_tasks: open.min(cap),
            counts_capped: open > cap,
        })
    }

    /// The database's plans for [`Store::tag_counts`]'s statements, the
    /// tags and the count of open tasks, as [`Store::explain_list_tasks`]
    /// gives them: tests check that a big user's tags read an index and stop
    /// at the cap.
    pub async fn explain_tag_counts(
        &self,
        user_id: UserId,
        limit: u32,
    ) -> StoreResult<(String, String)> {
        let cap = i64::from(TAGS_COUNTED_TASKS);
        let tags = vec![
            Bind::Int(user_id),
            Bind::Int(cap),
            Bind::Int(i64::from(limit) + 1),
        ];
        let open = vec![Bind::Int(user_id), Bind::Int(cap + 1)];
        Ok((
            self.explain((self.tag_counts_sql().to_owned(), tags))
                .await?,
            self.explain((OPEN_TASKS_UP_TO.to_owned(), open)).await?,
        ))
    }
}
