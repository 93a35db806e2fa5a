//! Task operations for a signed-in user.

use todo_domain::query::TaskQueryParams;
use todo_domain::task::TaskPage;
use todo_domain::{Due, NewTask, Task, TaskChanges, TaskDraft, TaskId, TaskPatch, TaskQuery};

use todo_storage::CompleteOutcome;

use crate::accounts::Principal;
use crate::error::{ServiceError, ServiceResult};
use crate::{blocking, Services};

/// How often an update or a completion re-reads a task that keeps changing
/// under it before answering 503: each collision means another write landed,
/// so this many writers at once on one task still all get through.
const WRITE_ATTEMPTS: usize = 20;

/// A short random pause after a collision, so that writers that collided
/// do not collide again in step.
async fn back_off(attempt: usize) {
    let millis = rand::random::<u64>() % (2 * attempt as u64 + 2);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

/// A completed task and, for a recurring one, the next occurrence created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub task: Task,
    pub next: Option<Task>,
}

impl Services {
    pub async fn create_task(&self, principal: Principal, draft: TaskDraft) -> ServiceResult<Task> {
        let task = draft.validate(principal.timezone)?;
        self.add_task(principal, task).await
    }

    /// [`Services::create_task`] for a task already validated (the
    /// assistant's typed tools).
    pub async fn add_task(&self, principal: Principal, task: NewTask) -> ServiceResult<Task> {
        Ok(self
            .store
            .insert_task(principal.user_id, &task, self.now())
            .await?)
    }

    pub async fn get_task(&self, principal: Principal, id: TaskId) -> ServiceResult<Task> {
        self.store
            .get_task(principal.user_id, id)
            .await?
            .ok_or(ServiceError::NotFound("task"))
    }

    pub async fn list_tasks(
        &self,
        principal: Principal,
        params: &TaskQueryParams,
    ) -> ServiceResult<TaskPage> {
        let page = self.query_tasks(principal, &params.validate()?).await?;
        // A task listed shows that its owner exists (deleting an account
        // deletes its tasks with it); only a listing that found none asks
        // (see `Services::authenticate_checked_by_request`).
        if page.total == 0 {
            self.check_account(principal).await?;
        }
        Ok(page)
    }

    /// [`Services::list_tasks`] for a listing already validated.
    pub async fn query_tasks(
        &self,
        principal: Principal,
        query: &TaskQuery,
    ) -> ServiceResult<TaskPage> {
        let filter = query.resolve(self.now(), principal.timezone);
        Ok(self.store.list_tasks(principal.user_id, &filter).await?)
    }

    /// Applies a partial update; `completed` in it completes or reopens the
    /// task exactly as the dedicated operations do.
    pub async fn update_task(
        &self,
        principal: Principal,
        id: TaskId,
        patch: TaskPatch,
    ) -> ServiceResult<Task> {
        self.update_task_if(principal, id, patch, None).await
    }

    /// [`Services::update_task`], only if the task is still at `version`
    /// when one is given (HTTP `If-Match`), else `PreconditionFailed`.
    ///
    /// Atomic: the edit is written only over the version it was made from,
    /// and made again from the newer one if another write came between, so
    /// concurrent updates of different fields all land.
    pub async fn update_task_if(
        &self,
        principal: Principal,
        id: TaskId,
        patch: TaskPatch,
        version: Option<i64>,
    ) -> ServiceResult<Task> {
        let changes = patch.validate(principal.timezone)?;
        self.change_task_if(principal, id, changes, version).await
    }

    /// [`Services::update_task_if`] for changes already validated (the
    /// assistant's typed tools give no version).
    pub async fn change_task_if(
        &self,
        principal: Principal,
        id: TaskId,
        changes: TaskChanges,
        version: Option<i64>,
    ) -> ServiceResult<Task> {
        let mut attempts = 0;
        let task = loop {
            let current = self.get_task(principal, id).await?;
            if version.is_some_and(|v| v != current.version) {
                return Err(ServiceError::PreconditionFailed);
            }
            if !changes.edits_fields() {
                break current;
            }
            let edited = changes.apply(&current, principal.timezone, self.now())?;
            if let Some(task) = self
                .store
                .update_task(principal.user_id, &edited, current.version)
                .await?
            {
                break task;
            }
            attempts += 1;
            if attempts == WRITE_ATTEMPTS {
                return Err(ServiceError::Busy("task_busy"));
            }
            back_off(attempts).await;
        };
        match changes.completed {
            Some(true) if !task.completed => Ok(self.complete_task(principal, id).await?.task),
            Some(false) if task.completed => self.reopen_task(principal, id).await,
            _ => Ok(task),
        }
    }

    /// Completes a task; a recurring one gets its next occurrence, created in
    /// the same transaction. The occurrence is computed first, on a blocking
    /// thread and outside any transaction, from the version of the task that
    /// the completion then requires: if the task changed meanwhile, this
    /// starts over from the new version.
    pub async fn complete_task(
        &self,
        principal: Principal,
        id: TaskId,
    ) -> ServiceResult<Completion> {
        let tz = principal.timezone;
        for attempt in 0..WRITE_ATTEMPTS {
            if attempt > 0 {
                back_off(attempt).await;
            }
            let task = self.get_task(principal, id).await?;
            if task.completed {
                return Ok(Completion { task, next: None });
            }
            let now = self.now();
            let successor = if task.recurrence.is_some() {
                let current = task.clone();
                blocking(move || next_occurrence(&current, tz, now)).await?
            } else {
                None
            };
            let outcome = self
                .store
                .complete_task(principal.user_id, id, task.version, now, successor.as_ref())
                .await?;
            match outcome {
                CompleteOutcome::Completed(task, next) => {
                    if let Some(next) = &next {
                        tracing::info!(
                            user_id = principal.user_id,
                            task_id = id,
                            next_id = next.id,
                            "next occurrence scheduled"
                        );
                    }
                    return Ok(Completion { task, next });
                }
                CompleteOutcome::AlreadyCompleted(task) => {
                    return Ok(Completion { task, next: None })
                }
                CompleteOutcome::Missing => return Err(ServiceError::NotFound("task")),
                CompleteOutcome::Changed => continue,
            }
        }
        Err(ServiceError::Busy("task_busy"))
    }

    pub async fn reopen_task(&self, principal: Principal, id: TaskId) -> ServiceResult<Task> {
        self.store
            .reopen_task(principal.user_id, id, self.now())
            .await?
            .ok_or(ServiceError::NotFound("task"))
    }

    pub async fn delete_task(&self, principal: Principal, id: TaskId) -> ServiceResult<()> {
        if self.store.delete_task(principal.user_id, id).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("task"))
        }
    }

    pub async fn clear_completed(&self, principal: Principal) -> ServiceResult<u64> {
        Ok(self.store.clear_completed(principal.user_id).await?)
    }
}

/// The task that follows a completed recurring one: same fields, the next
/// due date. A recurring task without a due date repeats from today.
fn next_occurrence(
    task: &Task,
    tz: todo_domain::TimeZone,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<NewTask> {
    let recurrence = task.recurrence.as_ref()?;
    let due = task.due.unwrap_or(Due::Date(tz.today(now)));
    let (next_due, carried) = recurrence.next_after(due, tz, now)?;
    Some(NewTask {
        title: task.title.clone(),
        description: task.description.clone(),
        priority: task.priority,
        tags: task.tags.clone(),
        due: Some(next_due),
        recurrence: Some(carried),
    })
}
