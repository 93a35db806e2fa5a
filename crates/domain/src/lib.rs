//! The domain of Todo Chatbot: what a task is, which values are valid, how a
//! recurring task moves on, and how a line of quick-add text is read.
//!
//! No I/O lives here: the crate builds for `wasm32-unknown-unknown` so the web
//! UI shares these types and the quick-add parser with the server.

pub mod account;
pub mod chat;
pub mod error;
pub mod query;
pub mod quick_add;
pub mod recurrence;
pub mod repeat;
pub mod shift;
pub mod tags;
pub mod task;
pub mod text;
pub mod time;
pub mod token;
pub mod words;

pub use error::{FieldError, Problem, ValidationErrors};
pub use query::{CompletedFilter, DueFilter, SortKey, SortOrder, StatusFilter, TaskQuery};
pub use quick_add::{day_label, label_time, MatchKind, ParseContext, QuickAdd};
pub use recurrence::Recurrence;
pub use task::{Due, NewTask, Priority, Tag, Task, TaskChanges, TaskDraft, TaskId, TaskPatch};
pub use time::TimeZone;
