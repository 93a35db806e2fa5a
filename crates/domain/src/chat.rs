//! Conversations with the assistant: the shapes the chat API sends and the
//! web UI reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Task;

pub type ConversationId = i64;

/// A tool the assistant used during a turn: its name, what it was given, and
/// what came of it.
///
/// On the wire (HTTP, SSE, stored turns) an action is
/// `{"tool", "arguments", "ok", "result"}`, where `result` is the outcome's
/// fields (`{"task": …}`, `{"tasks": …, "total": …}`, `{"deleted": …}`) or
/// `{"error": "…"}`; readers match on [`Outcome`] instead.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "WireActionIn")]
pub struct Action {
    /// The tool's name, as called (`add_task`, `list_tasks`…).
    pub tool: String,
    /// The arguments as given: a model's may not even fit the tool.
    pub arguments: serde_json::Value,
    pub outcome: Outcome,
}

/// What the builtin assistant records when it clears the completed tasks
/// (after asking): no model's tool, the service the REST API calls too.
const CLEAR_COMPLETED: &str = "clear_completed";

impl Action {
    /// The completed tasks cleared, `count` of them.
    pub fn cleared(count: u64) -> Action {
        Action {
            tool: CLEAR_COMPLETED.to_owned(),
            arguments: serde_json::json!({}),
            outcome: Outcome::Cleared { count },
        }
    }

    /// Whether the tool succeeded.
    pub fn ok(&self) -> bool {
        !matches!(self.outcome, Outcome::Failed { .. })
    }

    /// The tool's result as its caller got it: the outcome's fields, or
    /// `{"error": "…"}` (for a model reading back the conversation).
    pub fn result(&self) -> serde_json::Value {
        self.outcome.result()
    }

    /// Whether it changed the task list: a model's turn that changed
    /// nothing can be answered again, and a reply that claims a change needs
    /// one.
    pub fn is_write(&self) -> bool {
        self.ok() && self.outcome.effect() != Effect::List
    }
}

/// What a kind of tool does to the list: what an MCP client is told about
/// it, and what a failed call was trying to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Add,
    List,
    Complete,
    Update,
    Delete,
}

impl Effect {
    /// The effect of the builtin tools, by name: how a recorded action is
    /// read back (`{"task": …}` is the result of adding and of updating
    /// alike). A tool without an entry reads as an update.
    fn of_tool(name: &str) -> Effect {
        match name {
            "add_task" => Effect::Add,
            "list_tasks" => Effect::List,
            "complete_task" => Effect::Complete,
            "delete_task" | CLEAR_COMPLETED => Effect::Delete,
            _ => Effect::Update,
        }
    }
}

/// What came of a tool call, typed. Tasks are boxed so that an action stays
/// small next to the other events of a turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Added {
        task: Box<Task>,
    },
    Listed {
        tasks: Vec<Task>,
        /// All the tasks that matched, of which `tasks` is the first page,
        /// counted as far as a listing counts ([`crate::task::TaskPage::total`]).
        total: i64,
        /// True when more than `total` matched: the count stopped there.
        total_capped: bool,
    },
    Completed {
        task: Box<Task>,
        /// The next occurrence of a recurring task.
        next: Option<Box<Task>>,
    },
    Updated {
        task: Box<Task>,
    },
    Deleted {
        task: Box<Task>,
    },
    /// The completed tasks deleted at once.
    Cleared {
        count: u64,
    },
    /// The call failed; nothing changed.
    Failed {
        effect: Effect,
        error: String,
    },
}

impl Outcome {
    /// As the tool's caller gets it: the outcome's fields (`{"task": …}`,
    /// `{"tasks": …, "total": …}`, `{"deleted": …}`), or `{"error": "…"}`.
    pub fn result(&self) -> serde_json::Value {
        serde_json::to_value(WireResult::from(self)).unwrap_or_default()
    }

    pub fn effect(&self) -> Effect {
        match self {
            Outcome::Added { .. } => Effect::Add,
            Outcome::Listed { .. } => Effect::List,
            Outcome::Completed { .. } => Effect::Complete,
            Outcome::Updated { .. } => Effect::Update,
            Outcome::Deleted { .. } | Outcome::Cleared { .. } => Effect::Delete,
            Outcome::Failed { effect, .. } => *effect,
        }
    }

    /// The task it is about, for one-task outcomes.
    pub fn task(&self) -> Option<&Task> {
        match self {
            Outcome::Added { task }
            | Outcome::Completed { task, .. }
            | Outcome::Updated { task }
            | Outcome::Deleted { task } => Some(task),
            Outcome::Listed { .. } | Outcome::Cleared { .. } | Outcome::Failed { .. } => None,
        }
    }
}

/// A tool the assistant used during a turn, with what it was given and what
/// came back ([`Action`] as it is sent and stored).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct WireAction<'a> {
    /// `add_task`, `list_tasks`, `complete_task`, `delete_task` or `update_task`.
    tool: &'a str,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    arguments: &'a serde_json::Value,
    ok: bool,
    /// The tool's structured result, or `{"error": "..."}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    result: WireResult<'a>,
}

/// Written from the action in place: every chat turn writes its actions
/// twice (stored, answered), and going through an owned copy and a JSON
/// value cost a builtin "add" turn about a tenth of the server's
/// instructions.
impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireAction {
            tool: &self.tool,
            arguments: &self.arguments,
            ok: self.ok(),
            result: WireResult::from(&self.outcome),
        }
        .serialize(serializer)
    }
}

/// The shapes of `result`, one per outcome (written; read as [`ResultFields`]).
#[derive(Serialize)]
#[serde(untagged)]
enum WireResult<'a> {
    Completed {
        task: &'a Task,
        next: Option<&'a Task>,
    },
    Task {
        task: &'a Task,
    },
    Listed {
        tasks: &'a [Task],
        total: i64,
        total_capped: bool,
    },
    Deleted {
        deleted: &'a Task,
    },
    Cleared {
        deleted: u64,
    },
    Failed {
        error: &'a str,
    },
}

impl<'a> From<&'a Outcome> for WireResult<'a> {
    fn from(outcome: &'a Outcome) -> Self {
        match outcome {
            Outcome::Added { task } | Outcome::Updated { task } => WireResult::Task { task },
            Outcome::Completed { task, next } => WireResult::Completed {
                task,
                next: next.as_deref(),
            },
            Outcome::Listed {
                tasks,
                total,
                total_capped,
            } => WireResult::Listed {
                tasks,
                total: *total,
                total_capped: *total_capped,
            },
            Outcome::Deleted { task } => WireResult::Deleted { deleted: task },
            Outcome::Cleared { count } => WireResult::Cleared { deleted: *count },
            Outcome::Failed { error, .. } => WireResult::Failed { error },
        }
    }
}

/// [`WireAction`] as read. `result` is read straight into its possible
/// fields rather than through an untagged enum or a JSON value: either
/// compiles a second deserializer of every task (about 10 KB of the web
/// UI's first load), where these reuse the one any task list uses.
#[derive(Deserialize)]
struct WireActionIn {
    tool: String,
    arguments: serde_json::Value,
    ok: bool,
    result: ResultFields,
}

/// Every field a `result` may have ([`WireResult`]'s shapes, merged).
#[derive(Deserialize)]
struct ResultFields {
    task: Option<Box<Task>>,
    /// Present (even `null`) only for a completion, which it tells from an
    /// addition or an update.
    #[serde(default, deserialize_with = "present")]
    next: Option<Option<Box<Task>>>,
    tasks: Option<Vec<Task>>,
    total: Option<i64>,
    /// Absent from actions stored before listings' counts were capped.
    #[serde(default)]
    total_capped: bool,
    deleted: Option<Deleted>,
    error: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<Box<Task>>>, D::Error> {
    Option::deserialize(deserializer).map(Some)
}

/// `deleted`: the task deleted, or how many were cleared.
enum Deleted {
    Task(Box<Task>),
    Count(u64),
}

impl<'de> Deserialize<'de> for Deleted {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = Deleted;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a task or a count")
            }

            fn visit_u64<E: serde::de::Error>(self, count: u64) -> Result<Deleted, E> {
                Ok(Deleted::Count(count))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Deleted, A::Error> {
                // The task's own visitor, over the same map reader.
                Task::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|task| Deleted::Task(Box::new(task)))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl TryFrom<WireActionIn> for Action {
    type Error = String;

    fn try_from(wire: WireActionIn) -> Result<Self, Self::Error> {
        let effect = Effect::of_tool(&wire.tool);
        let result = wire.result;
        let outcome = match result {
            _ if !wire.ok => Outcome::Failed {
                effect,
                error: result.error.unwrap_or_default(),
            },
            ResultFields {
                task: Some(task),
                next: Some(next),
                ..
            } => Outcome::Completed { task, next },
            ResultFields {
                task: Some(task), ..
            } => match effect {
                Effect::Add => Outcome::Added { task },
                _ => Outcome::Updated { task },
            },
            ResultFields {
                tasks: Some(tasks),
                total: Some(total),
                total_capped,
                ..
            } => Outcome::Listed {
                tasks,
                total,
                total_capped,
            },
            ResultFields {
                deleted: Some(Deleted::Task(task)),
                ..
            } => Outcome::Deleted { task },
            ResultFields {
                deleted: Some(Deleted::Count(count)),
                ..
            } => Outcome::Cleared { count },
            ResultFields {
                error: Some(error), ..
            } => Outcome::Failed { effect, error },
            _ => return Err(format!("`{}` has a result of no known shape", wire.tool)),
        };
        Ok(Action {
            tool: wire.tool,
            arguments: wire.arguments,
            outcome,
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Action {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <WireAction<'static> as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Action {
    fn name() -> std::borrow::Cow<'static, str> {
        "Action".into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    pub message: String,
    /// Continue this conversation; a new one starts when absent.
    #[serde(default)]
    pub conversation_id: Option<ConversationId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatResponse {
    pub conversation_id: ConversationId,
    pub reply: String,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    pub id: i64,
    pub role: Role,
    pub content: String,
    /// What the assistant did in this turn (assistant messages only).
    #[serde(default)]
    pub actions: Vec<Action>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub id: ConversationId,
    /// The start of the first message.
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/conversations`: the caller's conversations, most recent first.
/// The server sends this type and the web UI reads it, so the two cannot
/// disagree on the shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationList {
    pub items: Vec<Conversation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub messages: Vec<ChatMessage>,
}

/// What one chat turn adds to its conversation: what the user said, what
/// the assistant answered and did, and the assistant's memory after it.
pub struct TurnRecord<'a> {
    pub user_message: &'a str,
    pub reply: &'a str,
    pub actions: &'a [Action],
    /// The assistant's memory after this turn (JSON).
    pub state: &'a str,
}

pub const MESSAGE_MAX_CHARS: usize = 4000;

/// A message must say something, and not too much.
pub fn check_message(message: &str) -> Result<&str, crate::FieldError> {
    let trimmed = message.trim();
    if trimmed.is_empty() {
        return Err(crate::FieldError::new(
            "message",
            "message_empty",
            "the message is empty",
        ));
    }
    crate::text::check_no_control_characters("message", trimmed, true)?;
    if trimmed.chars().count() > MESSAGE_MAX_CHARS {
        return Err(crate::FieldError::new(
            "message",
            "message_too_long",
            format!("a message may have at most {MESSAGE_MAX_CHARS} characters"),
        ));
    }
    Ok(trimmed)
}

/// A conversation's title: the first message, cut at a word boundary.
pub fn title_from(message: &str) -> String {
    const MAX: usize = 60;
    let message = message.trim();
    if message.chars().count() <= MAX {
        return message.to_owned();
    }
    let cut: String = message.chars().take(MAX).collect();
    let cut = cut
        .rsplit_once(' ')
        .map(|(head, _)| head)
        .filter(|h| !h.is_empty())
        .unwrap_or(&cut);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_words() {
        assert_eq!(title_from("  add milk "), "add milk");
        let long =
            "please add a task to call the plumber about the leaking kitchen sink tomorrow morning";
        let title = title_from(long);
        assert!(
            title.ends_with('…') && title.chars().count() <= 61,
            "{title}"
        );
        assert!(long.starts_with(title.trim_end_matches('…')));
    }

    #[test]
    fn messages_are_checked() {
        assert_eq!(check_message("  hi ").unwrap(), "hi");
        assert_eq!(check_message(" ").unwrap_err().code, "message_empty");
        assert_eq!(
            check_message(&"x".repeat(4001)).unwrap_err().code,
            "message_too_long"
        );
    }

    fn task(id: i64, title: &str) -> serde_json::Value {
        serde_json::json!({
            "id": id, "title": title, "description": "", "completed": false,
            "completed_at": null, "priority": "none", "tags": [], "due_at": null,
            "all_day": false, "recurrence": null,
            "created_at": "2026-11-21T10:00:00Z", "updated_at": "2026-11-21T10:00:00Z",
            "version": 1
        })
    }

    #[test]
    fn actions_keep_their_wire_shape_and_read_back_typed() {
        use serde_json::json;
        let cases = [
            (
                json!({"tool": "add_task", "arguments": {"title": "Milk"}, "ok": true,
                "result": {"task": task(1, "Milk")}}),
                Effect::Add,
            ),
            (
                json!({"tool": "update_task", "arguments": {"id": 1}, "ok": true,
                "result": {"task": task(1, "Milk")}}),
                Effect::Update,
            ),
            (
                json!({"tool": "complete_task", "arguments": {"id": 1}, "ok": true,
                "result": {"task": task(1, "Milk"), "next": null}}),
                Effect::Complete,
            ),
            (
                json!({"tool": "delete_task", "arguments": {"id": 1}, "ok": true,
                "result": {"deleted": task(1, "Milk")}}),
                Effect::Delete,
            ),
            (
                json!({"tool": "list_tasks", "arguments": {}, "ok": true,
                "result": {"tasks": [task(1, "Milk")], "total": 3, "total_capped": false}}),
                Effect::List,
            ),
            (
                json!({"tool": "list_tasks", "arguments": {"query": "milk"}, "ok": true,
                "result": {"tasks": [task(1, "Milk")], "total": 101, "total_capped": true}}),
                Effect::List,
            ),
            (
                json!({"tool": "delete_task", "arguments": {"id": 9}, "ok": false,
                "result": {"error": "task 9 not found"}}),
                Effect::Delete,
            ),
        ];
        for (wire, effect) in cases {
            let action: Action = serde_json::from_value(wire.clone()).unwrap();
            assert_eq!(action.outcome.effect(), effect, "{wire}");
            assert_eq!(serde_json::to_value(&action).unwrap(), wire);
        }
        let failed: Action = serde_json::from_value(json!({"tool": "delete_task",
            "arguments": {}, "ok": false, "result": {"error": "no"}}))
        .unwrap();
        assert!(!failed.ok() && !failed.is_write());
        assert!(matches!(failed.outcome, Outcome::Failed { ref error, .. } if error == "no"));
        // A listing stored before counts were capped reads as exact.
        let stored: Action = serde_json::from_value(json!({"tool": "list_tasks",
            "arguments": {}, "ok": true, "result": {"tasks": [], "total": 0}}))
        .unwrap();
        assert!(matches!(
            stored.outcome,
            Outcome::Listed {
                total: 0,
                total_capped: false,
                ..
            }
        ));
    }
}
