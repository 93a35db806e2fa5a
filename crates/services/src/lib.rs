//! The domain services of Todo Chatbot: the one place where accounts, tokens
//! and tasks are changed. The REST API, the assistant and the MCP server all
//! call these, so no business rule is written twice.

mod accounts;
mod common_passwords;
mod conversations;
mod error;
mod passwords;
mod tags;
mod tasks;
mod throttle;
mod tokens;

use chrono::{DateTime, Utc};
use std::sync::Arc;
use todo_storage::Store;

pub use accounts::{AuthConfig, Principal, Scope};
pub use conversations::{OpenConversation, HISTORY_MESSAGES};
pub use error::{AuthFailure, ServiceError, ServiceResult};
pub use passwords::{HashingLimits, HASH_MEMORY_BYTES};
pub use tasks::Completion;
pub use throttle::SignInLimits;
pub use todo_domain::account::Session;
pub use todo_domain::task::{Cleared, TaskPage};
pub use todo_domain::token::{CreatedToken, NewToken, TokenInfo};
pub use tokens::TOKEN_PREFIX;

/// Where "now" comes from; tests pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Cheap to clone: a pool handle, an `Arc`'d key and a clock.
#[derive(Clone)]
pub struct Services {
    store: Store,
    auth: Arc<AuthConfig>,
    clock: Clock,
}

/// Runs CPU-bound work (password hashing, expanding a recurrence rule) on
/// tokio's blocking pool, so the async workers keep answering meanwhile.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ServiceResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

impl Services {
    pub fn new(store: Store, auth: AuthConfig, clock: Clock) -> Self {
        Self {
            store,
            auth: Arc::new(auth),
            clock,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}
