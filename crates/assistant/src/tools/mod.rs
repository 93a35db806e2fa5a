//! The one tool layer: `add_task`, `list_tasks`, `complete_task`,
//! `delete_task` and `update_task`. The builtin assistant, the LLM assistant
//! and the MCP server all call [`Toolbox::call`], which calls the same domain
//! services as the REST API.

pub mod args;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use todo_domain::chat::Action;
use todo_domain::query::TaskQueryParams;
use todo_domain::quick_add::{self, ParseContext};
use todo_domain::{Due, Recurrence, Tag, TaskDraft, TaskPatch, TimeZone};
use todo_services::{Principal, ServiceError, Services};

pub use args::{AddTask, CompleteTask, DeleteTask, ListTasks, UpdateTask};

pub const ADD_TASK: &str = "add_task";
pub const LIST_TASKS: &str = "list_tasks";
pub const COMPLETE_TASK: &str = "complete_task";
pub const DELETE_TASK: &str = "delete_task";
pub const UPDATE_TASK: &str = "update_task";

/// Whether `action` changed the task list: it succeeded and is not a
/// listing. A model's turn that changed nothing can be answered again by the
/// builtin assistant, and a reply that claims a change needs one.
pub fn is_write(action: &Action) -> bool {
    action.is_write()
}

/// How many tasks a title reference looks at (and lists when ambiguous).
const RESOLVE_LIMIT: usize = 10;

/// A tool as clients see it: a name, what it does, and its input schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDefinition {
    pub name: &'static str,
    pub description: &'static str,
    /// A JSON Schema object for the arguments.
    pub input_schema: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments do not fit the schema or the rules; worth telling the
    /// model so it can try again.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    #[error("unknown tool '{0}'")]
    UnknownTool(String),
    #[error("task {0} not found")]
    NotFound(i64),
    #[error(transparent)]
    Service(ServiceError),
}

impl ToolError {
    /// Whether the caller (a model) can fix this by changing its arguments.
    pub fn is_caller_error(&self) -> bool {
        !matches!(self, ToolError::Service(_))
    }
}

fn schema_of<T: JsonSchema>() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(T))
        .unwrap_or_else(|_| json!({"type": "object"}));
    if let Some(object) = schema.as_object_mut() {
        // Tool schemas are embedded in other documents; these keys only add noise there.
        object.remove("$schema");
        object.remove("title");
        object.remove("description");
        if let Some(Value::Object(properties)) = object.get_mut("properties") {
            for property in properties.values_mut() {
                not_nullable(property);
            }
        }
    }
    schema
}

/// An optional field is simply left out, so its schema need not allow
/// `null`: `["string", "null"]` becomes `"string"` and `anyOf [X, null]`
/// becomes X (many models and servers handle unions badly).
fn not_nullable(property: &mut Value) {
    let Some(object) = property.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            object.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(branches)) = object.get("anyOf") {
        let rest: Vec<Value> = branches
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
            .cloned()
            .collect();
        if rest.len() == 1 && rest.len() < branches.len() {
            object.remove("anyOf");
            if let Value::Object(only) = &rest[0] {
                for (key, value) in only {
                    object.entry(key.clone()).or_insert(value.clone());
                }
            }
        }
    }
}

/// The five tools, with schemas generated from their argument types.
pub fn definitions() -> Vec<ToolDefinition> {
    vec![
        ToolDefinition {
            name: ADD_TASK,
            description:
                "Create a task. Give the title without the date words; put when it is due in `due`.",
            input_schema: schema_of::<AddTask>(),
        },
        ToolDefinition {
            name: LIST_TASKS,
            description: "List or search the user's tasks (pending ones unless a status is given).",
            input_schema: schema_of::<ListTasks>(),
        },
        ToolDefinition {
            name: COMPLETE_TASK,
            description:
                "Mark a task as done, by id or title. A recurring task gets its next occurrence.",
            input_schema: schema_of::<CompleteTask>(),
        },
        ToolDefinition {
            name: DELETE_TASK,
            description: "Delete a task for good, by id or title.",
            input_schema: schema_of::<DeleteTask>(),
        },
        ToolDefinition {
            name: UPDATE_TASK,
            description:
                "Change a task, by id or title: rename, describe, prioritise, add or remove tags, \
                          reschedule, repeat, or reopen it with completed=false.",
            input_schema: schema_of::<UpdateTask>(),
        },
    ]
}

/// Runs tools for one user.
#[derive(Clone)]
pub struct Toolbox {
    services: Services,
}

fn parse_args<T: DeserializeOwned>(arguments: Value) -> Result<T, ToolError> {
    let arguments = if arguments.is_null() {
        json!({})
    } else {
        arguments
    };
    serde_json::from_value(arguments).map_err(|e| ToolError::InvalidArguments(e.to_string()))
}

fn from_service(error: ServiceError) -> ToolError {
    match error {
        ServiceError::Validation(errors) => ToolError::InvalidArguments(errors.to_string()),
        other => ToolError::Service(other),
    }
}

/// Reads a due date given as a date, an RFC 3339 time, or quick-add words.
/// `Ok(None)` for an empty string (clears the date on update).
fn due_text(raw: &str, tz: TimeZone, now: DateTime<Utc>) -> Result<Option<String>, ToolError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if Due::parse(raw, None, tz).is_ok() {
        return Ok(Some(raw.to_owned()));
    }
    let parsed = quick_add::parse(raw, &ParseContext::new(now, tz));
    match parsed.due {
        Some(due) if parsed.title.trim().is_empty() => Ok(Some(due_string(due))),
        _ => Err(ToolError::InvalidArguments(format!(
            "could not read the due date '{raw}'; use 2026-12-03, 2026-12-03T17:00:00+01:00, or words like 'tomorrow 5pm'"
        ))),
    }
}

/// The API's spelling of a due date: a bare date for all-day, else RFC 3339.
pub fn due_string(due: Due) -> String {
    match due {
        Due::Date(date) => date.to_string(),
        Due::At(at) => at.to_rfc3339(),
    }
}

fn recurrence_text(
    raw: &str,
    tz: TimeZone,
    now: DateTime<Utc>,
) -> Result<Option<String>, ToolError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(rule) = Recurrence::parse(raw) {
        return Ok(Some(rule.as_str().to_owned()));
    }
    let parsed = quick_add::parse(raw, &ParseContext::new(now, tz));
    match parsed.recurrence {
        Some(rule) if parsed.title.trim().is_empty() => Ok(Some(rule.as_str().to_owned())),
        _ => Err(ToolError::InvalidArguments(format!(
            "could not read the repetition '{raw}'; use an RRULE such as FREQ=WEEKLY;BYDAY=MO or words like 'every monday'"
        ))),
    }
}

impl Toolbox {
    pub fn new(services: Services) -> Self {
        Self { services }
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Runs a tool and records it as an [`Action`], whatever the outcome.
    pub async fn run(
        &self,
        principal: Principal,
        tool: &str,
        arguments: Value,
    ) -> (Action, Result<Value, ToolError>) {
        let result = self.call(principal, tool, arguments.clone()).await;
        let wire = json!({
            "tool": tool,
            "arguments": arguments,
            "ok": result.is_ok(),
            "result": match &result {
                Ok(value) => value.clone(),
                Err(error) => json!({ "error": error.to_string() }),
            },
        });
        let action = serde_json::from_value(wire).expect("tool results have the wire shape");
        (action, result)
    }

    pub async fn call(
        &self,
        principal: Principal,
        tool: &str,
        arguments: Value,
    ) -> Result<Value, ToolError> {
        match tool {
            ADD_TASK => self.add_task(principal, parse_args(arguments)?).await,
            LIST_TASKS => self.list_tasks(principal, parse_args(arguments)?).await,
            COMPLETE_TASK => self.complete_task(principal, parse_args(arguments)?).await,
            DELETE_TASK => self.delete_task(principal, parse_args(arguments)?).await,
            UPDATE_TASK => self.update_task(principal, parse_args(arguments)?).await,
            other => Err(ToolError::UnknownTool(other.to_owned())),
        }
    }

    /// The task an `id` or a `task` (title) names. A title is matched
    /// exactly (ignoring case), else as a part of titles; more than one
    /// match is an error that lists the candidates, for the caller to ask.
    async fn resolve(
        &self,
        principal: Principal,
        id: Option<i64>,
        task: Option<&str>,
    ) -> Result<i64, ToolError> {
        if let Some(id) = id {
            return Ok(id);
        }
        let said = task.map(str::trim).unwrap_or_default();
        if said.is_empty() {
            return Err(ToolError::InvalidArguments(
                "name the task: give its id, or its title in `task`".into(),
            ));
        }
        if let Ok(id) = said.trim_start_matches('#').parse::<i64>() {
            return Ok(id);
        }
        let params = TaskQueryParams {
            status: Some("all".into()),
            q: Some(said.to_owned()),
            limit: Some(RESOLVE_LIMIT.to_string()),
            ..TaskQueryParams::default()
        };
        let found = self
            .services
            .list_tasks(principal, &params)
            .await
            .map_err(from_service)?
            .items;
        let exact: Vec<&todo_domain::Task> = found
            .iter()
            .filter(|t| t.title.trim().eq_ignore_ascii_case(said))
            .collect();
        // An exact title wins; among several, a pending one.
        let pending: Vec<&todo_domain::Task> =
            exact.iter().copied().filter(|t| !t.completed).collect();
        let candidates = match (exact.len(), pending.len()) {
            (1, _) => exact,
            (_, 1) => pending,
            (0, _) => found.iter().collect(),
            _ => exact,
        };
        match candidates.as_slice() {
            [] => Err(ToolError::InvalidArguments(format!(
                "no task matches '{said}'; call list_tasks to see the tasks"
            ))),
            [one] => Ok(one.id),
            many => Err(ToolError::InvalidArguments(format!(
                "'{said}' could mean {} tasks: {}; ask the user which one, then call again with its id",
                many.len(),
                many.iter()
                    .map(|t| format!("#{} \"{}\"{}", t.id, t.title, if t.completed { " (done)" } else { "" }))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn not_found(id: i64) -> impl Fn(ServiceError) -> ToolError {
        move |error| match error {
            ServiceError::NotFound(_) => ToolError::NotFound(id),
            other => from_service(other),
        }
    }

    async fn add_task(&self, principal: Principal, args: AddTask) -> Result<Value, ToolError> {
        let now = self.services.now();
        let tz = principal.timezone;
        let draft = TaskDraft {
            title: args.title,
            description: args.description,
            priority: args.priority.map(|p| p.as_str().to_owned()),
            tags: args.tags,
            due_at: match args.due.as_deref() {
                Some(raw) => due_text(raw, tz, now)?,
                None => None,
            },
            all_day: None,
            recurrence: match args.recurrence.as_deref() {
                Some(raw) => recurrence_text(raw, tz, now)?,
                None => None,
            },
        };
        let task = self
            .services
            .create_task(principal, draft)
            .await
            .map_err(from_service)?;
        Ok(json!({ "task": task }))
    }

    async fn list_tasks(&self, principal: Principal, args: ListTasks) -> Result<Value, ToolError> {
        let limit = args.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ToolError::InvalidArguments(
                "limit must be from 1 to 100".into(),
            ));
        }
        let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let to_string = |v: Option<Value>| v.and_then(|v| v.as_str().map(str::to_owned));
        let params = TaskQueryParams {
            status: Some(
                to_string(args.status.map(|s| json!(s))).unwrap_or_else(|| "pending".into()),
            ),
            q: text(args.query),
            tag: text(args.tag),
            priority: args.priority.map(|p| p.as_str().to_owned()),
            due: to_string(args.due.map(|d| json!(d))),
            sort: to_string(args.sort.map(|s| json!(s))),
            limit: Some(limit.to_string()),
            ..TaskQueryParams::default()
        };
        let page = self
            .services
            .list_tasks(principal, &params)
            .await
            .map_err(from_service)?;
        Ok(json!({ "tasks": page.items, "total": page.total }))
    }

    async fn complete_task(
        &self,
        principal: Principal,
        args: CompleteTask,
    ) -> Result<Value, ToolError> {
        let id = self
            .resolve(principal, args.id, args.task.as_deref())
            .await?;
        let done = self
            .services
            .complete_task(principal, id)
            .await
            .map_err(Self::not_found(id))?;
        Ok(json!({ "task": done.task, "next": done.next }))
    }

    async fn delete_task(
        &self,
        principal: Principal,
        args: DeleteTask,
    ) -> Result<Value, ToolError> {
        let id = self
            .resolve(principal, args.id, args.task.as_deref())
            .await?;
        let task = self
            .services
            .get_task(principal, id)
            .await
            .map_err(Self::not_found(id))?;
        self.services
            .delete_task(principal, id)
            .await
            .map_err(Self::not_found(id))?;
        Ok(json!({ "deleted": task }))
    }

    async fn update_task(
        &self,
        principal: Principal,
        args: UpdateTask,
    ) -> Result<Value, ToolError> {
        let now = self.services.now();
        let tz = principal.timezone;
        let id = self
            .resolve(principal, args.id, args.task.as_deref())
            .await?;
        let mut patch = TaskPatch {
            title: args.title,
            description: args.description,
            priority: args.priority.map(|p| p.as_str().to_owned()),
            tags: args.tags,
            completed: args.completed,
            ..TaskPatch::default()
        };
        if let Some(raw) = args.due.as_deref() {
            patch.due_at = Some(due_text(raw, tz, now)?);
        }
        if let Some(raw) = args.recurrence.as_deref() {
            patch.recurrence = Some(recurrence_text(raw, tz, now)?);
        }
        if args.add_tags.is_some() || args.remove_tags.is_some() {
            let current = self
                .services
                .get_task(principal, id)
                .await
                .map_err(Self::not_found(id))?;
            let mut tags = patch.tags.take().unwrap_or(current.tags);
            // The domain's normal form, so "#Work" and "work" are one tag.
            let normalise = |t: &str| {
                Tag::parse(t)
                    .map(Tag::into_string)
                    .unwrap_or_else(|_| t.trim().to_owned())
            };
            for tag in args.add_tags.iter().flatten() {
                if !tags.iter().any(|t| *t == normalise(tag)) {
                    tags.push(tag.clone());
                }
            }
            let removed: Vec<String> = args
                .remove_tags
                .iter()
                .flatten()
                .map(|t| normalise(t))
                .collect();
            tags.retain(|t| !removed.contains(&normalise(t)));
            patch.tags = Some(tags);
        }
        if patch == TaskPatch::default() {
            return Err(ToolError::InvalidArguments(
                "nothing to change: give at least one field besides id and task".into(),
            ));
        }
        let task = self
            .services
            .update_task(principal, id, patch)
            .await
            .map_err(Self::not_found(id))?;
        Ok(json!({ "task": task }))
    }
}

/// A stored-looking task for unit tests.
#[cfg(test)]
pub(crate) fn sample_task(id: i64, title: &str) -> todo_domain::Task {
    let at: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
    todo_domain::Task {
        id,
        title: title.into(),
        description: String::new(),
        completed: false,
        completed_at: None,
        priority: todo_domain::Priority::None,
        tags: Vec::new(),
        due_at: None,
        all_day: false,
        recurrence: None,
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_an_object_schema_without_extra_fields() {
        let tools = definitions();
        let names: Vec<_> = tools.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                ADD_TASK,
                LIST_TASKS,
                COMPLETE_TASK,
                DELETE_TASK,
                UPDATE_TASK
            ]
        );
        for tool in tools {
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
            assert_eq!(
                tool.input_schema["additionalProperties"], false,
                "{}",
                tool.name
            );
            assert!(tool.input_schema.get("$schema").is_none());
        }
        let add = &definitions()[0].input_schema;
        assert_eq!(add["required"], json!(["title"]));
        let complete = &definitions()[2].input_schema;
        assert_eq!(complete["properties"]["id"]["type"], "integer");
        assert_eq!(complete["properties"]["task"]["type"], "string");
    }

    #[test]
    fn schemas_have_no_nullable_unions_and_match_the_limits() {
        // Defect 6: `anyOf [X, null]` and `["string", "null"]` everywhere,
        // and limit's minimum 0 while list_tasks wants 1 to 100.
        for tool in definitions() {
            let text = tool.input_schema.to_string();
            assert!(!text.contains("null"), "{}: {text}", tool.name);
            assert!(!text.contains("anyOf"), "{}: {text}", tool.name);
        }
        let list = &definitions()[1].input_schema;
        assert_eq!(list["properties"]["limit"]["minimum"], 1);
        assert_eq!(list["properties"]["limit"]["maximum"], 100);
        let update = &definitions()[4].input_schema;
        let fields = update["properties"].as_object().unwrap().len();
        assert!(fields <= 10, "update_task has {fields} fields");
        assert!(update["properties"].get("tags").is_none());
        // Still read, for clients that send it.
        assert!(parse_args::<UpdateTask>(json!({"id": 1, "tags": ["a"]})).is_ok());
        assert!(parse_args::<AddTask>(json!({"title": "x", "due": null})).is_ok());
    }

    #[test]
    fn arguments_are_checked_against_the_types() {
        assert!(parse_args::<CompleteTask>(json!({"id": 3})).is_ok());
        assert!(parse_args::<CompleteTask>(json!({"task": "milk"})).is_ok());
        assert!(matches!(
            parse_args::<CompleteTask>(json!({"id": "three"})),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            parse_args::<AddTask>(json!({"title": "x", "when": "now"})),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            parse_args::<AddTask>(json!({"title": "x", "priority": "extreme"})),
            Err(ToolError::InvalidArguments(_))
        ));
    }

    #[test]
    fn due_dates_accept_dates_times_and_words() {
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let tz = TimeZone::UTC;
        assert_eq!(
            due_text("2026-12-03", tz, now).unwrap().as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(
            due_text("tomorrow", tz, now).unwrap().as_deref(),
            Some("2026-11-22")
        );
        assert_eq!(due_text("", tz, now).unwrap(), None);
        assert!(due_text("when pigs fly", tz, now).is_err());
        assert_eq!(
            recurrence_text("every monday", tz, now).unwrap().as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO")
        );
        assert_eq!(
            recurrence_text("freq=daily", tz, now).unwrap().as_deref(),
            Some("FREQ=DAILY")
        );
    }
}

