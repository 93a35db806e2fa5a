//! References to several tasks at once: "buy milk and call mom" (each part
//! unless one title has it all) and "everything tagged #work".

use crate::AssistantError;

// The tool arguments as the session imports them, so that a move of the
// tool layer changes one `use`.
use super::intent::Op;
use super::reference::{self, Ref};
use super::{reply, ListTasks, Resolved, Session, SortArg, StatusArg};

impl Session<'_> {
    /// The tasks of a [`Ref::Titles`] or [`Ref::Tagged`]; `None` for any
    /// other reference.
    pub(super) async fn resolve_group(
        &mut self,
        r: &Ref,
        said: &str,
        op: &Op,
    ) -> Result<Option<Resolved>, AssistantError> {
        match r {
            Ref::Titles { whole, parts } => self.titles(whole, parts, said, op).await.map(Some),
            Ref::Tagged(tag) => self.tagged(tag, op).await.map(Some),
            _ => Ok(None),
        }
    }

    async fn titles(
        &mut self,
        whole: &str,
        parts: &[String],
        said: &str,
        op: &Op,
    ) -> Result<Resolved, AssistantError> {
        let search = ListTasks {
            status: Some(StatusArg::All),
            sort: Some(SortArg::Created),
            limit: Some(100),
            ..ListTasks::default()
        };
        let (all, _) = self.list_tool(&search).await?;
        let has = |words: &str| {
            all.iter()
                .any(|t| reference::match_title(words, &t.title).is_some())
        };
        // "salt and pepper" is one task when one is called so, or when a
        // part names none.
        if has(whole) || !parts.iter().all(|p| has(p)) {
            return self.find_by_title(whole, said, op).await;
        }
        let mut tasks = Vec::new();
        for part in parts {
            match self.find_by_title(part, part, op).await? {
                Resolved::Tasks(found) => tasks.extend(found),
                answer => return Ok(answer),
            }
        }
        Ok(Resolved::Tasks(tasks))
    }

    async fn tagged(&mut self, tag: &str, op: &Op) -> Result<Resolved, AssistantError> {
        let search = ListTasks {
            status: Some(if op.wants_completed() {
                StatusArg::Completed
            } else {
                StatusArg::Pending
            }),
            tag: Some(tag.to_owned()),
            sort: Some(SortArg::Created),
            limit: Some(100),
            ..ListTasks::default()
        };
        let (mut tasks, _) = self.list_tool(&search).await?;
        if tasks.is_empty() {
            return Ok(Resolved::Answer(reply::none_tagged(tag)));
        }
        tasks.sort_by_key(|t| t.id);
        Ok(Resolved::Tasks(tasks))
    }
}
