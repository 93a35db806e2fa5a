//! `complete_task`: mark a task done.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::chat::{Effect, Outcome};
use todo_services::{Completion, Principal};

use super::{not_found, Tool, ToolError, Toolbox};

/// Mark a task done. A recurring task gets its next occurrence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteTask {
    /// The task's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Or its title (or a unique part of it), when the id is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

impl Tool for CompleteTask {
    const NAME: &'static str = "complete_task";
    const TITLE: &'static str = "Complete a task";
    const DESCRIPTION: &'static str =
        "Mark a task as done, by id or title. A recurring task gets its next occurrence.";
    const EFFECT: Effect = Effect::Complete;
    type Output = Completion;

    async fn call(self, tools: &Toolbox, principal: Principal) -> Result<Completion, ToolError> {
        let id = tools
            .resolve(principal, self.id, self.task.as_deref())
            .await?;
        tools
            .services
            .complete_task(principal, id)
            .await
            .map_err(not_found(id))
    }

    fn outcome(done: &Completion) -> Outcome {
        Outcome::Completed {
            task: Box::new(done.task.clone()),
            next: done.next.clone().map(Box::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;
    use serde_json::json;

    #[test]
    fn a_task_is_named_by_id_or_title() {
        assert!(parse_args::<CompleteTask>(json!({"id": 3})).is_ok());
        assert!(parse_args::<CompleteTask>(json!({"task": "milk"})).is_ok());
        assert!(matches!(
            parse_args::<CompleteTask>(json!({"id": "three"})),
            Err(ToolError::InvalidArguments(_))
        ));
    }
}
