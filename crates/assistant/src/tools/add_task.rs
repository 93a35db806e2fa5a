//! `add_task`: create a task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::chat::{Effect, Outcome};
use todo_domain::{Due, Recurrence, Task, TaskDraft};
use todo_services::Principal;

use super::args::{PriorityArg, Said};
use super::{from_service, Tool, ToolError, Toolbox};

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
    #[schemars(with = "Option<String>")]
    pub due: Option<Said<Due>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<PriorityArg>,
    /// Tags such as "work"; letters, digits, '-' and '_'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Only when the user asks for it: how it repeats, in words such as "every monday" or "daily" (an RRULE works too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub recurrence: Option<Said<Recurrence>>,
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
        if let Some(due) = self.due {
            task.due = due.read(tz, now)?;
        }
        if let Some(rule) = self.recurrence {
            task.recurrence = rule.read(tz, now)?;
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

    /// The builtin hands over what it read; the recorded arguments are the
    /// text the model would have written, and read back as that text.
    #[test]
    fn read_values_are_written_as_the_model_s_text() {
        let due = Due::parse(
            "2026-12-03T17:00:00+01:00",
            None,
            todo_domain::TimeZone::UTC,
        );
        let typed = AddTask {
            title: "Call mom".into(),
            due: Some(Said::Value(due.unwrap())),
            recurrence: Some(Said::Value(
                Recurrence::parse("FREQ=WEEKLY;BYDAY=FR").unwrap(),
            )),
            ..AddTask::default()
        };
        let json = serde_json::to_value(&typed).unwrap();
        assert_eq!(
            json,
            json!({"title": "Call mom", "due": "2026-12-03T16:00:00+00:00", "recurrence": "FREQ=WEEKLY;BYDAY=FR"})
        );
        let back: AddTask = parse_args(json).unwrap();
        assert_eq!(
            back.due,
            Some(Said::Text("2026-12-03T16:00:00+00:00".into()))
        );
        // An empty string removes (update_task) or leaves out (add_task).
        let cleared: AddTask = parse_args(json!({"title": "x", "recurrence": " "})).unwrap();
        assert_eq!(cleared.recurrence, Some(Said::Clear));
        assert_eq!(
            serde_json::to_value(&cleared).unwrap(),
            json!({"title": "x", "recurrence": ""})
        );
    }
}
