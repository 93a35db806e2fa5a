//! `update_task`: change a task.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::chat::{Effect, Outcome};
use todo_domain::{Due, Recurrence, Tag, Task, TaskChanges, TaskPatch};
use todo_services::Principal;

use super::args::{PriorityArg, Said};
use super::{not_found, Tool, ToolError, Toolbox};

/// Change a task: rename, describe, prioritise, tag or untag, reschedule, set or stop repeating, reopen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    /// The task's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Or its current title (or a unique part of it), when the id is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// A new title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<PriorityArg>,
    /// Replace all tags with these. Still read, but left out of the schema:
    /// `add_tags` and `remove_tags` say the same with less room for mistakes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub tags: Option<Vec<String>>,
    /// Tags to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_tags: Option<Vec<String>>,
    /// Tags to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_tags: Option<Vec<String>>,
    /// New due date (a date, an RFC 3339 time, or words like "next monday 9am"); an empty string removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub due: Option<Said<Due>>,
    /// New repetition (RRULE or words like "every weekday"); an empty string stops repeating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub recurrence: Option<Said<Recurrence>>,
    /// false reopens a completed task; true completes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
}

impl Tool for UpdateTask {
    const NAME: &'static str = "update_task";
    const TITLE: &'static str = "Update a task";
    const DESCRIPTION: &'static str =
        "Change a task, by id or title: rename, describe, prioritise, add or remove tags, \
                          reschedule, repeat, or reopen it with completed=false.";
    const EFFECT: Effect = Effect::Update;
    type Output = Task;

    async fn call(self, tools: &Toolbox, principal: Principal) -> Result<Task, ToolError> {
        let now = tools.services.now();
        let tz = principal.timezone;
        let id = tools
            .resolve(principal, self.id, self.task.as_deref())
            .await?;
        let mut tags = self.tags;
        if self.add_tags.is_some() || self.remove_tags.is_some() {
            let current = tools
                .services
                .get_task(principal, id)
                .await
                .map_err(not_found(id))?;
            let mut kept = tags
                .take()
                .unwrap_or_else(|| current.tags.into_iter().map(Tag::into_string).collect());
            // The domain's normal form, so "#Work" and "work" are one tag.
            let normalise = |t: &str| {
                Tag::parse(t)
                    .map(Tag::into_string)
                    .unwrap_or_else(|_| t.trim().to_owned())
            };
            for tag in self.add_tags.iter().flatten() {
                if !kept.iter().any(|t| *t == normalise(tag)) {
                    kept.push(tag.clone());
                }
            }
            let removed: Vec<String> = self
                .remove_tags
                .iter()
                .flatten()
                .map(|t| normalise(t))
                .collect();
            kept.retain(|t| !removed.contains(&normalise(t)));
            tags = Some(kept);
        }
        // The words are checked by the domain; the rest is typed already.
        let mut changes = TaskPatch {
            title: self.title,
            description: self.description,
            tags,
            completed: self.completed,
            ..TaskPatch::default()
        }
        .validate(tz)
        .map_err(|errors| ToolError::InvalidArguments(errors.to_string()))?;
        changes.priority = self.priority;
        if let Some(due) = self.due {
            changes.due = Some(due.read(tz, now)?);
        }
        if let Some(rule) = self.recurrence {
            changes.recurrence = Some(rule.read(tz, now)?);
        }
        if changes == TaskChanges::default() {
            return Err(ToolError::InvalidArguments(
                "nothing to change: give at least one field besides id and task".into(),
            ));
        }
        tools
            .services
            .change_task_if(principal, id, changes, None)
            .await
            .map_err(not_found(id))
    }

    fn outcome(task: &Task) -> Outcome {
        Outcome::Updated {
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
    fn replacing_all_tags_is_read_but_not_offered() {
        assert!(parse_args::<UpdateTask>(json!({"id": 1, "tags": ["a"]})).is_ok());
        let schema = crate::tools::definitions()
            .into_iter()
            .find(|t| t.name == UpdateTask::NAME)
            .unwrap()
            .input_schema;
        let fields = schema["properties"].as_object().unwrap().len();
        assert!(fields <= 10, "update_task has {fields} fields");
        assert!(schema["properties"].get("tags").is_none());
    }
}
