//! The tags in use: `GET /api/tags`, which the web UI's sidebar reads. The
//! server sends these types and the UI reads them, so the two cannot
//! disagree on the shape.

use serde::{Deserialize, Serialize};

use crate::task::Tag;

/// At most this many tags in one answer (the first ones by name).
pub const TAGS_LISTED_MAX: u32 = 200;

/// A user's open tasks are counted up to this many (`open_tasks`); a user
/// with more gets `counts_capped`. (Storage keeps the tag counts on every
/// write, so they are exact for all open tasks and cost the same to read
/// however many tasks a user has.)
pub const TAGS_COUNTED_TASKS: u32 = 10_000;

/// A tag and how many open tasks carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagCount {
    /// A normalised tag, as in a task's `tags`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub name: Tag,
    /// Open (not completed) tasks with this tag.
    pub open: i64,
}

/// `GET /api/tags`: the tags on the caller's open tasks, by name (in code
/// point order: tags are lowercase), each with how many open tasks carry
/// it, and the number of open tasks. At most 200 tags; the counts are
/// exact, however many tasks the caller has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagList {
    pub items: Vec<TagCount>,
    /// More tags follow the 200 listed (by name).
    pub more: bool,
    /// The caller's open tasks, counted up to 10,000.
    pub open_tasks: i64,
    /// The caller has more than 10,000 open tasks: `open_tasks` says
    /// 10,000 (the tags' counts are exact).
    pub counts_capped: bool,
}
