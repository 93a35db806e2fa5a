//! `delete_task`: delete a task for good.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::chat::{Effect, Outcome};
use todo_domain::Task;
use todo_services::Principal;

use super::{not_found, Tool, ToolError, Toolbox};

/// Delete a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteTask {
    /// The task's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Or its title (or a unique part of it), when the id is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

impl Tool for DeleteTask {
    const NAME: &'static str = "delete_task";
    const TITLE: &'static str = "Delete a task";
    const DESCRIPTION: &'static str = "Delete a task for good, by id or title.";
    const EFFECT: Effect = Effect::Delete;
    /// The task as it was.
    type Output = Task;

    async fn call(self, tools: &Toolbox, principal: Principal) -> Result<Task, ToolError> {
        let id = tools
            .resolve(principal, self.id, self.task.as_deref())
            .await?;
        let task = tools
            .services
            .get_task(principal, id)
            .await
            .map_err(not_found(id))?;
        tools
            .services
            .delete_task(principal, id)
            .await
            .map_err(not_found(id))?;
        Ok(task)
    }

    fn outcome(task: &Task) -> Outcome {
        Outcome::Deleted {
            task: Box::new(task.clone()),
        }
    }
}
