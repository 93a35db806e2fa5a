//! `list_tasks`: list or search tasks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::chat::{Effect, Outcome};
use todo_domain::query::{TOOL_DEFAULT_LIMIT, TOOL_MAX_LIMIT};
use todo_domain::task::TaskPage;
use todo_domain::text::check_no_control_characters;
use todo_domain::{CompletedFilter, Tag, TaskQuery};
use todo_services::Principal;

use super::args::{DueArg, PriorityArg, SortArg, StatusArg};
use super::{from_service, Tool, ToolError, Toolbox};

/// List or search tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListTasks {
    /// Which tasks: pending (default), completed or all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusArg>,
    /// Text to find in titles and descriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<PriorityArg>,
    /// Due today, overdue, within the week, or without a due date (none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DueArg>,
    /// Completed today, yesterday or this week (today and the six days
    /// before); implies status completed unless a status is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<CompletedFilter>,
    /// Order: created (newest first, default), due, priority or title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<SortArg>,
    /// At most this many tasks (1–100, default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = TOOL_MAX_LIMIT))]
    pub limit: Option<u32>,
}

impl ListTasks {
    /// The listing as the services take it.
    fn query(self) -> Result<TaskQuery, ToolError> {
        let invalid = |message: String| ToolError::InvalidArguments(message);
        let limit = self.limit.unwrap_or(TOOL_DEFAULT_LIMIT);
        if !(1..=TOOL_MAX_LIMIT).contains(&limit) {
            return Err(invalid(format!("limit must be from 1 to {TOOL_MAX_LIMIT}")));
        }
        let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let query = text(self.query);
        if let Some(query) = &query {
            check_no_control_characters("query", query, false).map_err(|e| invalid(e.message))?;
        }
        let sort = self.sort.unwrap_or_default();
        Ok(TaskQuery {
            status: self.status.unwrap_or(match self.completed {
                Some(_) => StatusArg::Completed,
                None => StatusArg::Pending,
            }),
            text: query,
            tag: text(self.tag)
                .map(|tag| Tag::parse(&tag).map_err(invalid))
                .transpose()?,
            priority: self.priority,
            due: self.due.map(Into::into),
            completed: self.completed,
            sort,
            order: sort.default_order(),
            limit,
            ..TaskQuery::default()
        })
    }
}

impl Tool for ListTasks {
    const NAME: &'static str = "list_tasks";
    const TITLE: &'static str = "List tasks";
    const DESCRIPTION: &'static str =
        "List or search the user's tasks (pending ones unless a status is given).";
    const EFFECT: Effect = Effect::List;
    type Output = TaskPage;

    async fn call(self, tools: &Toolbox, principal: Principal) -> Result<TaskPage, ToolError> {
        let query = self.query()?;
        tools
            .services
            .query_tasks(principal, &query)
            .await
            .map_err(from_service)
    }

    fn outcome(page: &TaskPage) -> Outcome {
        Outcome::Listed {
            tasks: page.items.clone(),
            total: page.total,
            total_capped: page.total_capped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_words_are_checked_before_the_services() {
        let query = ListTasks::default().query().unwrap();
        assert_eq!(query.limit, TOOL_DEFAULT_LIMIT);
        assert_eq!(query.status, StatusArg::Pending);
        for limit in [0, TOOL_MAX_LIMIT + 1] {
            let args = ListTasks {
                limit: Some(limit),
                ..ListTasks::default()
            };
            assert!(args.query().is_err(), "{limit}");
        }
        let tagged = ListTasks {
            tag: Some("#Work".into()),
            ..ListTasks::default()
        };
        assert_eq!(tagged.query().unwrap().tag.unwrap().as_str(), "work");
        let bad = ListTasks {
            tag: Some("two words".into()),
            ..ListTasks::default()
        };
        assert!(matches!(bad.query(), Err(ToolError::InvalidArguments(_))));
        let done_today = ListTasks {
            completed: Some(CompletedFilter::Today),
            ..ListTasks::default()
        };
        let query = done_today.query().unwrap();
        assert_eq!(query.status, StatusArg::Completed);
        assert_eq!(query.completed, Some(CompletedFilter::Today));
    }
}
