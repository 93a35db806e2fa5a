use thiserror::Error;
use todo_domain::ValidationErrors;
use todo_storage::StoreError;

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Why a bearer token was refused. Kept apart so logs can tell the cases;
/// clients get one answer for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AuthFailure {
    #[error("no bearer token")]
    Missing,
    #[error("the session has expired")]
    Expired,
    #[error("the token is invalid")]
    Invalid,
    #[error("the token is unknown or revoked")]
    Revoked,
}

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this {0} is already taken")]
    Conflict(&'static str),
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("{0}")]
    Unauthorized(AuthFailure),
    /// Too many sign-ins for this account or from this address.
    #[error("too many sign-in attempts; wait {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// The resource changed since the version the client named (If-Match).
    #[error("the task changed since you read it")]
    PreconditionFailed,
    /// A valid credential without the scope this needs.
    #[error("a personal access token cannot do this; sign in")]
    OutOfScope,
    /// Too much work of one kind at once; the code names which (for the
    /// client), and the answer is 503 with Retry-After.
    #[error("busy: {0}")]
    Busy(&'static str),
    #[error("the database is unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            StoreError::OwnerGone => ServiceError::Unauthorized(AuthFailure::Revoked),
            StoreError::Unavailable(_) | StoreError::NotMigrated => {
                ServiceError::Unavailable(error)
            }
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
