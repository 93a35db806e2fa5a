//! `add_task`: create a task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::chat::{Effect, Outcome};
use todo_domain::{Task, TaskDraft};
use todo_services::Principal;

use super::args::PriorityArg;
use super::{due_text, from_service, recurrence_text, Tool, ToolError, Toolbox};

/// Create a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTask {
    /// What to do, 1–200 characters.
    pub title: String,
    /// Optional details, at most 4000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it is due: a date (2026-12-03), an RFC 3339 time, or words such as "tomorrow 5pm" or "friday".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<PriorityArg>,
    /// Tags such as "work"; letters, digits, '-' and '_'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Only when the user asks for it: how it repeats, in words such as "every monday" or "daily" (an RRULE works too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<String>,
}

impl Tool for AddTask {
    const NAME: &'static str = "add_task";
    const TITLE: &'static str = "Add a task";
    const DESCRIPTION: &'static str =
        "Create a task. Give the title without the date words; put when it is due in `due`.";
    const EFFECT: Effect = Effect::Add;
    type Output = Task;

    async fn call(self, tools: &Toolbox, principal: Principal) -> Result<Task, ToolError> {
        let now = tools.services.now();
        let tz = principal.timezone;
        // The words are checked by the domain; the rest is typed already.
        let mut task = TaskDraft {
            title: self.title,
            description: self.description,
            tags: self.tags,
            ..TaskDraft::default()
        }
        .validate(tz)
        .map_err(|errors| ToolError::InvalidArguments(errors.to_string()))?;
        task.priority = self.priority.unwrap_or_default();
        if let Some(raw) = self.due.as_deref() {
            task.due = due_text(raw, tz, now)?;
        }
        if let Some(raw) = self.recurrence.as_deref() {
            task.recurrence = recurrence_text(raw, tz, now)?;
        }
        tools
            .services
            .add_task(principal, task)
            .await
            .map_err(from_service)
    }

    fn outcome(task: &Task) -> Outcome {
        Outcome::Added {
            task: Box::new(task.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;
    use serde_json::json;

    #[test]
    fn arguments_are_checked_against_the_type() {
        assert!(parse_args::<AddTask>(json!({"title": "x", "due": null})).is_ok());
        assert!(matches!(
            parse_args::<AddTask>(json!({"title": "x", "when": "now"})),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            parse_args::<AddTask>(json!({"title": "x", "priority": "extreme"})),
            Err(ToolError::InvalidArguments(_))
        ));
    }
}
