//! The one place errors become HTTP responses: RFC 9457 problem details,
//! `application/problem+json`, each with a stable `code`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use todo_domain::FieldError;
use todo_services::{AuthFailure, ServiceError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{detail}")]
    BadRequest {
        status: StatusCode,
        code: &'static str,
        detail: String,
    },
}

pub use todo_domain::Problem;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            status,
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no such endpoint",
        )
    }

    fn parts(&self) -> (StatusCode, String, String, Vec<FieldError>) {
        use ServiceError as S;
        let simple =
            |status, code: &str, detail: String| (status, code.to_owned(), detail, Vec::new());
        match self {
            ApiError::BadRequest {
                status,
                code,
                detail,
            } => simple(*status, code, detail.clone()),
            ApiError::Service(error) => match error {
                S::Validation(errors) => {
                    let problem = Problem::from(errors.clone());
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        problem.code,
                        problem.detail,
                        problem.errors,
                    )
                }
                S::NotFound(what) => simple(
                    StatusCode::NOT_FOUND,
                    &format!("{what}_not_found"),
                    format!("no such {what}"),
                ),
                S::Conflict(field) => {
                    let detail = match *field {
                        "email" => "an account with this email already exists".to_owned(),
                        other => format!("this {other} is already taken"),
                    };
                    simple(StatusCode::CONFLICT, &format!("{field}_taken"), detail)
                }
                S::InvalidCredentials => simple(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "wrong email or password".into(),
                ),
                S::Unauthorized(failure) => {
                    let code = match failure {
                        AuthFailure::Missing => "token_missing",
                        AuthFailure::Expired => "token_expired",
                        AuthFailure::Invalid | AuthFailure::Revoked => "token_invalid",
                    };
                    simple(StatusCode::UNAUTHORIZED, code, failure.to_string())
                }
                S::TooManyAttempts { retry_after_secs } => simple(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_sign_ins",
                    format!("too many sign-in attempts for this account or from this address; try again in {retry_after_secs} s"),
                ),
                S::PreconditionFailed => simple(
                    StatusCode::PRECONDITION_FAILED,
                    "precondition_failed",
                    "the task changed since the version in If-Match; read it again".into(),
                ),
                S::OutOfScope => simple(
                    StatusCode::FORBIDDEN,
                    "token_scope",
                    "a personal access token reaches tasks and chat only; sign in to manage tokens and the account".into(),
                ),
                S::Unavailable(_) => simple(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database is unavailable; try again shortly".into(),
                ),
                S::Busy(code) => simple(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code,
                    "the server is busy with requests like this one; try again shortly".into(),
                ),
                S::Internal(_) => simple(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "something went wrong on our side".into(),
                ),
            },
        }
    }
}

impl ApiError {
    /// The problem body this error answers with.
    pub fn problem(&self) -> Problem {
        let (status, code, detail, errors) = self.parts();
        Problem {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match &self {
            ApiError::Service(ServiceError::Internal(cause)) => {
                tracing::error!(%cause, "internal error")
            }
            ApiError::Service(ServiceError::Unavailable(cause)) => {
                tracing::warn!(%cause, "database unavailable")
            }
            ApiError::Service(ServiceError::Unauthorized(failure)) => {
                tracing::debug!(%failure, "unauthorized")
            }
            _ => {}
        }
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            StatusCode::TOO_MANY_REQUESTS => {
                if let ApiError::Service(ServiceError::TooManyAttempts { retry_after_secs }) = &self
                {
                    headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                }
            }
            _ => {}
        }
        if let ApiError::Service(ServiceError::Unavailable(_)) = &self {
            response
                .extensions_mut()
                .insert(crate::http::routes::ops::DatabaseUnavailable);
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        match rejection {
            JsonRejection::JsonSyntaxError(_) => {
                Self::new(StatusCode::BAD_REQUEST, "malformed_json", detail)
            }
            JsonRejection::JsonDataError(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", detail)
            }
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is too large",
            ),
            other => Self::new(other.status(), "invalid_body", detail),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            rejection.body_text(),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    }
}
