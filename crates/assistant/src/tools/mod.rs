//! The one tool layer: `add_task`, `list_tasks`, `complete_task`,
//! `delete_task` and `update_task`, each defined once, in its own file, by a
//! [`Tool`]: its argument type (which is its JSON Schema), name, title,
//! description, effect on the list, typed outcome and handler. The handlers
//! call the same domain services as the REST API.
//!
//! The builtin assistant calls tools with their typed arguments
//! ([`Toolbox::act`]); the LLM assistant and the MCP server, which speak
//! JSON, call them by name ([`Toolbox::run`], [`Toolbox::call`]).
//!
//! A new tool: a file here with its argument type and `impl Tool`, and one
//! line in [`REGISTRY`].

mod add_task;
pub mod args;
mod complete_task;
mod delete_task;
mod list_tasks;
mod update_task;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;
use todo_domain::chat::{Action, Effect, Outcome};
use todo_domain::quick_add::{self, ParseContext};
use todo_domain::{Due, Recurrence, StatusFilter, Task, TaskQuery, TimeZone};
use todo_services::{Principal, ServiceError, Services};

pub use add_task::AddTask;
pub use complete_task::CompleteTask;
pub use delete_task::DeleteTask;
pub use list_tasks::ListTasks;
pub use update_task::UpdateTask;

use args::Said;

/// Every tool, in the order clients see them.
const REGISTRY: [Registered; 5] = [
    Registered::of::<AddTask>(),
    Registered::of::<ListTasks>(),
    Registered::of::<CompleteTask>(),
    Registered::of::<DeleteTask>(),
    Registered::of::<UpdateTask>(),
];

/// A tool, defined by its arguments: the argument type is the tool, its
/// schema what clients see, and `call` what it does.
pub trait Tool: DeserializeOwned + Serialize + JsonSchema + Send + Sized + 'static {
    const NAME: &'static str;
    /// A short human name ("Add a task"), for MCP clients.
    const TITLE: &'static str;
    /// What it does, for models.
    const DESCRIPTION: &'static str;
    /// What it does to the list (MCP's hints; how a failure reads).
    const EFFECT: Effect;
    /// What it gives back to typed callers.
    type Output: Send;

    fn call(
        self,
        tools: &Toolbox,
        principal: Principal,
    ) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;

    /// The output as the chat records it.
    fn outcome(output: &Self::Output) -> Outcome;
}

/// A tool as clients see it: a name, what it does, and its input schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDefinition {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub effect: Effect,
    /// A JSON Schema object for the arguments.
    pub input_schema: Value,
}

/// A tool behind its name, for the callers that speak JSON.
struct Registered {
    name: &'static str,
    effect: Effect,
    definition: fn() -> ToolDefinition,
    call: for<'a> fn(&'a Toolbox, Principal, Value) -> BoxFuture<'a, Result<Outcome, ToolError>>,
}

impl Registered {
    const fn of<T: Tool>() -> Self {
        Registered {
            name: T::NAME,
            effect: T::EFFECT,
            definition: definition_of::<T>,
            call: call_json::<T>,
        }
    }
}

fn definition_of<T: Tool>() -> ToolDefinition {
    ToolDefinition {
        name: T::NAME,
        title: T::TITLE,
        description: T::DESCRIPTION,
        effect: T::EFFECT,
        input_schema: schema_of::<T>(),
    }
}

fn call_json<T: Tool>(
    tools: &Toolbox,
    principal: Principal,
    arguments: Value,
) -> BoxFuture<'_, Result<Outcome, ToolError>> {
    Box::pin(async move {
        let args: T = parse_args(arguments)?;
        let output = args.call(tools, principal).await?;
        Ok(T::outcome(&output))
    })
}

/// Whether a tool of this name exists.
pub fn is_tool(name: &str) -> bool {
    registered(name).is_some()
}

/// The tools, with schemas generated from their argument types.
pub fn definitions() -> Vec<ToolDefinition> {
    REGISTRY.iter().map(|tool| (tool.definition)()).collect()
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

fn not_found(id: i64) -> impl Fn(ServiceError) -> ToolError {
    move |error| match error {
        ServiceError::NotFound(_) => ToolError::NotFound(id),
        other => from_service(other),
    }
}

/// Reads a due date given as a date, an RFC 3339 time, or quick-add words.
/// `Ok(None)` for an empty string (clears the date on update).
fn due_text(raw: &str, tz: TimeZone, now: DateTime<Utc>) -> Result<Option<Due>, ToolError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(due) = Due::parse(raw, None, tz) {
        return Ok(Some(due));
    }
    let parsed = quick_add::parse(raw, &ParseContext::new(now, tz));
    match parsed.due {
        Some(due) if parsed.title.trim().is_empty() => Ok(Some(due)),
        _ => Err(ToolError::InvalidArguments(format!(
            "could not read the due date '{raw}'; use 2026-12-03, 2026-12-03T17:00:00+01:00, or words like 'tomorrow 5pm'"
        ))),
    }
}

impl Said<Due> {
    /// The due date: text read once (see [`due_text`]), a read one as it
    /// is once it is in the supported range (a postponement can leave it).
    fn read(self, tz: TimeZone, now: DateTime<Utc>) -> Result<Option<Due>, ToolError> {
        match self {
            Said::Text(raw) => due_text(&raw, tz, now),
            Said::Value(due) => due
                .check_range()
                .map(Some)
                .map_err(|e| ToolError::InvalidArguments(e.message)),
            Said::Clear => Ok(None),
        }
    }
}

impl Said<Recurrence> {
    /// The repetition: text read once (see [`recurrence_text`]), a read one
    /// as it is.
    fn read(self, tz: TimeZone, now: DateTime<Utc>) -> Result<Option<Recurrence>, ToolError> {
        match self {
            Said::Text(raw) => recurrence_text(&raw, tz, now),
            Said::Value(rule) => Ok(Some(rule)),
            Said::Clear => Ok(None),
        }
    }
}

/// Reads a repetition given as an RRULE or quick-add words; `Ok(None)` for
/// an empty string (stops repeating on update).
fn recurrence_text(
    raw: &str,
    tz: TimeZone,
    now: DateTime<Utc>,
) -> Result<Option<Recurrence>, ToolError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(rule) = Recurrence::parse(raw) {
        return Ok(Some(rule));
    }
    let parsed = quick_add::parse(raw, &ParseContext::new(now, tz));
    match parsed.recurrence {
        Some(rule) if parsed.title.trim().is_empty() => Ok(Some(rule)),
        _ => Err(ToolError::InvalidArguments(format!(
            "could not read the repetition '{raw}'; use an RRULE such as FREQ=WEEKLY;BYDAY=MO or words like 'every monday'"
        ))),
    }
}

/// How many tasks a title reference looks at (and lists when ambiguous).
const RESOLVE_LIMIT: u32 = 10;

impl Toolbox {
    pub fn new(services: Services) -> Self {
        Self { services }
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Runs a tool with typed arguments and records it as an [`Action`],
    /// whatever the outcome; the typed output goes to the caller.
    pub async fn act<T: Tool>(
        &self,
        principal: Principal,
        args: T,
    ) -> (Action, Result<T::Output, ToolError>) {
        let arguments = serde_json::to_value(&args).unwrap_or(Value::Null);
        let result = args.call(self, principal).await;
        (record::<T>(arguments, &result), result)
    }

    /// Runs a tool named by a client, with JSON arguments, and records it as
    /// an [`Action`], whatever the outcome; the caller gets the result as JSON.
    pub async fn run(
        &self,
        principal: Principal,
        tool: &str,
        arguments: Value,
    ) -> (Action, Result<Value, ToolError>) {
        let result = self.outcome_of(principal, tool, arguments.clone()).await;
        let outcome = match &result {
            Ok(outcome) => outcome.clone(),
            Err(error) => {
                let effect = registered(tool).map_or(Effect::Update, |t| t.effect);
                failed(effect, error)
            }
        };
        let action = Action {
            tool: tool.to_owned(),
            arguments,
            outcome,
        };
        (action, result.map(|outcome| outcome.result()))
    }

    /// Runs a tool named by a client, with JSON arguments; its result as JSON.
    pub async fn call(
        &self,
        principal: Principal,
        tool: &str,
        arguments: Value,
    ) -> Result<Value, ToolError> {
        Ok(self.outcome_of(principal, tool, arguments).await?.result())
    }

    async fn outcome_of(
        &self,
        principal: Principal,
        tool: &str,
        arguments: Value,
    ) -> Result<Outcome, ToolError> {
        let registered = registered(tool).ok_or_else(|| ToolError::UnknownTool(tool.to_owned()))?;
        (registered.call)(self, principal, arguments).await
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
        let query = TaskQuery {
            status: StatusFilter::All,
            text: Some(said.to_owned()),
            limit: RESOLVE_LIMIT,
            ..TaskQuery::default()
        };
        let found = self
            .services
            .query_tasks(principal, &query)
            .await
            .map_err(from_service)?
            .items;
        let exact: Vec<&Task> = found
            .iter()
            .filter(|t| t.title.trim().eq_ignore_ascii_case(said))
            .collect();
        // An exact title wins; among several, a pending one.
        let pending: Vec<&Task> = exact.iter().copied().filter(|t| !t.completed).collect();
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
}

/// The [`Action`] a call of `T` with `arguments` is recorded as.
pub fn record<T: Tool>(arguments: Value, result: &Result<T::Output, ToolError>) -> Action {
    Action {
        tool: T::NAME.to_owned(),
        arguments,
        outcome: match result {
            Ok(output) => T::outcome(output),
            Err(error) => failed(T::EFFECT, error),
        },
    }
}

fn registered(name: &str) -> Option<&'static Registered> {
    REGISTRY.iter().find(|tool| tool.name == name)
}

fn failed(effect: Effect, error: &ToolError) -> Outcome {
    Outcome::Failed {
        effect,
        error: error.to_string(),
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
        due: None,
        recurrence: None,
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A date the builtin read is taken as it is, but not past the dates
    /// both databases hold (postponing can get there).
    #[test]
    fn a_read_due_date_is_still_bounded() {
        let now = Utc::now();
        let date = |y| Due::Date(chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap());
        let read = |due: Due| Said::Value(due).read(TimeZone::UTC, now);
        assert_eq!(read(date(2030)).unwrap(), Some(date(2030)));
        assert!(matches!(
            read(date(10_000)),
            Err(ToolError::InvalidArguments(_))
        ));
        assert_eq!(Said::<Due>::Clear.read(TimeZone::UTC, now).unwrap(), None);
    }

    #[test]
    fn every_tool_has_an_object_schema_without_extra_fields() {
        let tools = definitions();
        let names: Vec<_> = tools.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "add_task",
                "list_tasks",
                "complete_task",
                "delete_task",
                "update_task"
            ]
        );
        for tool in &tools {
            assert_eq!(tool.input_schema["type"], "object", "{}", tool.name);
            assert_eq!(
                tool.input_schema["additionalProperties"], false,
                "{}",
                tool.name
            );
            assert!(tool.input_schema.get("$schema").is_none());
            assert!(!tool.title.is_empty(), "{}", tool.name);
            assert_eq!(registered(tool.name).map(|r| r.effect), Some(tool.effect));
        }
        let add = &tools[0].input_schema;
        assert_eq!(add["required"], json!(["title"]));
        let complete = &tools[2].input_schema;
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
            assert!(!text.contains("oneOf"), "{}: {text}", tool.name);
        }
        let list = &definitions()[1].input_schema;
        assert_eq!(list["properties"]["limit"]["minimum"], 1);
        assert_eq!(list["properties"]["limit"]["maximum"], 100);
    }

    #[test]
    fn due_dates_accept_dates_times_and_words() {
        let now: DateTime<Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let tz = TimeZone::UTC;
        let date = |text: &str| Some(Due::Date(text.parse().unwrap()));
        assert_eq!(due_text("2026-12-03", tz, now).unwrap(), date("2026-12-03"));
        assert_eq!(due_text("tomorrow", tz, now).unwrap(), date("2026-11-22"));
        assert_eq!(due_text("", tz, now).unwrap(), None);
        assert!(due_text("when pigs fly", tz, now).is_err());
        let rule = |text: &str| {
            recurrence_text(text, tz, now)
                .unwrap()
                .map(|r| r.as_str().to_owned())
        };
        assert_eq!(
            rule("every monday").as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO")
        );
        assert_eq!(rule("freq=daily").as_deref(), Some("FREQ=DAILY"));
    }
}
