//! A text search in created order on Postgres, read with a plan that each
//! session keeps, where that plan is right whatever the word: along a
//! bounded prefix of the user's created-order index.
//!
//! Planned for each search's values (see `ListSql::plan_per_values`),
//! Postgres spent most of a small user's search planning it: 0.3 ms of
//! planning against 0.1 of running (EXPLAIN, a 100-task user's
//! q=dentist). A plan kept for any word cannot be the one planned for a
//! rare word of a big user, which finds the few matches by the trigram
//! index: walking the created-order index instead tests every task the
//! user has. So the kept plan walks a prefix of that index, long enough
//! for a word in one task of [`PREFIX_PER_MATCH`] to fill the count, and
//! says when the prefix was too short for the answer (the user has more
//! tasks than it holds and it did not fill the count). The search then
//! runs planned for its values, and the user's next searches go straight
//! there for a while ([`OutgrownWalks`]).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use todo_domain::account::UserId;
use todo_domain::query::TaskFilter;

use super::{page_tasks_by_id, Bind, ListSql, TaskRow, TASK_COLUMNS};
use crate::{Store, StoreResult};

/// Index entries walked per match the page and its count need: a word in
/// one task in 20 or more is answered within the prefix for any user
/// (2,020 entries for the first page, about 0.6 ms at worst), and a user
/// with fewer tasks always is.
const PREFIX_PER_MATCH: i64 = 20;

/// How long a user whose search outgrew the prefix has their searches
/// planned for their values without trying the prefix first.
const OUTGROWN_FOR: Duration = Duration::from_secs(600);

/// Users remembered at most (a few bytes each): past it, the expired ones
/// are forgotten, and if none has expired, all of them.
const OUTGROWN_KEPT: usize = 10_000;

/// The users whose last search outgrew the kept walk's prefix, and when.
/// Only a choice of plan rests on it: a user forgotten or remembered too
/// long gets the same answer, a little slower.
#[derive(Debug, Default)]
pub(crate) struct OutgrownWalks(Mutex<HashMap<UserId, Instant>>);

impl OutgrownWalks {
    pub(crate) fn recently(&self, user_id: UserId) -> bool {
        let users = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        users
            .get(&user_id)
            .is_some_and(|since| since.elapsed() < OUTGROWN_FOR)
    }

    pub(crate) fn remember(&self, user_id: UserId) {
        let mut users = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if users.len() >= OUTGROWN_KEPT {
            users.retain(|_, since| since.elapsed() < OUTGROWN_FOR);
            if users.len() >= OUTGROWN_KEPT {
                users.clear();
            }
        }
        users.insert(user_id, Instant::now());
    }
}

/// A row of the kept walk's page: a task, the matches counted, and whether
/// the prefix fell short of the answer (as `CountedRow`, with that flag).
#[derive(sqlx::FromRow)]
pub(super) struct WalkedRow {
    #[sqlx(flatten)]
    pub(super) task: TaskRow,
    pub(super) matched: i64,
    pub(super) outgrown: bool,
}

/// A kept walk's statements: the page, and for an empty page whether the
/// user has tasks past the prefix.
pub(super) struct KeptWalk {
    pub(super) page: (String, Vec<Bind>),
    pub(super) outgrown: (String, Vec<Bind>),
}

impl ListSql {
    /// The kept walk's statements for this text search (one the walk
    /// answers: see `text_walk_order`), or `None`.
    ///
    /// The owner is written `(SELECT $1)`, a value Postgres does not look
    /// at when it plans: a plan made for one user then costs what it costs
    /// for any, so after its first five runs Postgres keeps the plan it
    /// makes for any values (`plan_cache_mode = auto`; with the owner in
    /// sight a small user's plan looked cheaper than the kept one, and every
    /// run was planned again). The pattern has no `ESCAPE` clause:
    /// backslash is Postgres' own escape, and a kept plan evaluated the
    /// clause again for every entry walked.
    pub(super) fn kept_text_walk(mut self, filter: &TaskFilter) -> Option<KeptWalk> {
        let walk_order = self.text_walk_order.take()?;
        let pattern = self.text_pattern.clone()?;
        let user_id = match self.binds.first() {
            Some(Bind::Int(user_id)) => *user_id,
            _ => return None,
        };
        let walked_matches = filter.total_cap() + 1;
        let prefix_length = walked_matches * PREFIX_PER_MATCH;
        // The owner's tasks (in the status asked for) past the prefix, any.
        let status = self
            .status_condition
            .map_or(String::new(), |status| format!(" AND {status}"));
        let order = self.order.clone();
        let beyond = |user: &str, prefix: &str| {
            format!(
                "(SELECT 1 FROM tasks WHERE user_id = (SELECT {user}::BIGINT){status} \
                 ORDER BY {order} OFFSET {prefix} LIMIT 1) IS NOT NULL"
            )
        };
        let user = self.user_param.clone();
        let walked = self.param(Bind::Int(walked_matches));
        let prefix = self.param(Bind::Int(prefix_length));
        let limit = self.param(Bind::Int(i64::from(filter.limit) + 1));
        let offset = self.param(Bind::Int(filter.offset.into()));
        // Whether the prefix fell short is asked only where the walk did
        // not fill the count.
        let page = format!(
            "SELECT {TASK_COLUMNS}, matched, \
             CASE WHEN matched < {walked} THEN {} ELSE FALSE END AS outgrown FROM \
             (SELECT id AS page_id, created_at AS page_at, COUNT(*) OVER () AS matched FROM \
             (SELECT id, created_at FROM \
             (SELECT id, created_at, search_text FROM tasks WHERE user_id = (SELECT {user}::BIGINT){status} \
             ORDER BY {order} LIMIT {prefix}) AS prefix \
             WHERE search_text LIKE {pattern} ORDER BY {order} LIMIT {walked}) AS matches \
             ORDER BY {order} LIMIT {limit} OFFSET {offset}) AS page \
             {} ORDER BY {walk_order}",
            beyond(&user, &prefix),
            page_tasks_by_id()
        );
        Some(KeptWalk {
            page: (page, self.binds),
            // The same question alone, for an empty page.
            outgrown: (
                format!("SELECT {}", beyond("$1", "$2")),
                vec![Bind::Int(user_id), Bind::Int(prefix_length)],
            ),
        })
    }
}

impl Store {
    /// The page and its count by the kept walk, or `None` where its prefix
    /// fell short of them.
    pub(super) async fn kept_text_walk_page(
        &self,
        pool: &PgPool,
        walk: &KeptWalk,
    ) -> StoreResult<Option<(Vec<TaskRow>, Option<i64>)>> {
        let rows: Vec<WalkedRow> = self.postgres_listing(pool, &walk.page, true).await?;
        let outgrown = match rows.first() {
            Some(row) => row.outgrown,
            None => {
                let (sql, binds) = &walk.outgrown;
                self.read_retrying(|| bind_all!(sqlx::query_scalar(sql), binds).fetch_one(pool))
                    .await?
            }
        };
        if outgrown {
            return Ok(None);
        }
        let matched = rows.first().map(|row| row.matched);
        Ok(Some((
            rows.into_iter().map(|row| row.task).collect(),
            matched,
        )))
    }
}
