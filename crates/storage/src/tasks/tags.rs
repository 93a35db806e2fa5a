//! The tags on a user's open tasks, each with its count: read from
//! `tag_counts` (open tasks per user and tag, kept by triggers on every
//! write to `tasks`; see the migrations), so an answer reads a few rows per
//! tag listed, whatever the user holds. The counts are exact over all the
//! user's open tasks; the open tasks themselves (tag '') are answered up to
//! [`TAGS_COUNTED_TASKS`], with `counts_capped` above it, as before.

use todo_domain::account::UserId;
use todo_domain::tags::{TagCount, TagList, TAGS_COUNTED_TASKS};
use todo_domain::Tag;

use super::Bind;
use crate::{on_pool, Store, StoreResult};

/// `$1` user, `$2` rows answered at most: the user's open tasks (tag '',
/// first in byte order) and then the tags by name. Each count is split over
/// a few rows (`shard`); a tag no open task carries has none. The same on
/// both databases: `tag` orders by bytes on both (`COLLATE "C"` on
/// Postgres), and tags are lowercase, so this is the case-insensitive
/// order people expect.
const TAG_COUNTS: &str = "SELECT tag AS name, CAST(SUM(open) AS BIGINT) AS open \
     FROM tag_counts WHERE user_id = $1 \
     GROUP BY tag HAVING SUM(open) > 0 ORDER BY tag LIMIT $2";

#[derive(sqlx::FromRow)]
struct TagRow {
    name: String,
    open: i64,
}

impl Store {
    /// The tags on the user's open tasks, by name, with how many of those
    /// tasks carry each: at most `limit`, saying whether more follow; and
    /// the user's open tasks, counted up to [`TAGS_COUNTED_TASKS`].
    pub async fn tag_counts(&self, user_id: UserId, limit: u32) -> StoreResult<TagList> {
        let rows: Vec<TagRow> = on_pool!(self, pool => {
            self.read_retrying(|| {
                sqlx::query_as(TAG_COUNTS).bind(user_id).bind(i64::from(limit) + 2).fetch_all(pool)
            })
            .await
        })?;
        let mut rows = rows.into_iter().peekable();
        let open = rows
            .next_if(|row| row.name.is_empty())
            .map_or(0, |row| row.open);
        let mut rows: Vec<TagRow> = rows.collect();
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
        let cap = i64::from(TAGS_COUNTED_TASKS);
        Ok(TagList {
            items,
            more,
            open_tasks: open.min(cap),
            counts_capped: open > cap,
        })
    }

    /// The database's plan for [`Store::tag_counts`]'s statement, as
    /// [`Store::explain_list_tasks`] gives them: tests check that a big
    /// user's tags read only `tag_counts`, by its key.
    pub async fn explain_tag_counts(&self, user_id: UserId, limit: u32) -> StoreResult<String> {
        let binds = vec![Bind::Int(user_id), Bind::Int(i64::from(limit) + 2)];
        self.explain((TAG_COUNTS.to_owned(), binds)).await
    }
}
