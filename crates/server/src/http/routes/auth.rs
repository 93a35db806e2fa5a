//! Sign-up, sign-in, and who am I.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use todo_domain::account::{LoginRequest, SignupRequest, User};
use todo_services::Session;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::http::error::{ApiError, Problem};
use crate::http::extract::{Caller, ClientAddress, Json};
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(me))
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/api/auth/signup", tag = "accounts", request_body = SignupRequest,
    responses((status = 201, body = Session), (status = 409, description = "email_taken", body = Problem),
              (status = 422, description = "validation_failed", body = Problem)))]
async fn signup(
    State(state): State<AppState>,
    Json(request): Json<SignupRequest>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, HeaderValue); 1],
        Json<Session>,
    ),
    ApiError,
> {
    Ok((
        StatusCode::CREATED,
        [NO_STORE],
        Json(state.services.signup(request).await?),
    ))
}

/// Answers carrying a secret (a session, a new token) must not be cached.
pub(crate) const NO_STORE: (header::HeaderName, HeaderValue) =
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"));

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = 401, description = "invalid_credentials", body = Problem),
              (status = 429, description = "too_many_sign_ins", body = Problem), (status = 503, description = "sign_in_busy", body = Problem)))]
async fn login(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Json(request): Json<LoginRequest>,
) -> Result<([(header::HeaderName, HeaderValue); 1], Json<Session>), ApiError> {
    Ok((
        [NO_STORE],
        Json(state.services.login(request, client).await?),
    ))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = Problem)))]
async fn me(State(state): State<AppState>, Caller(caller): Caller) -> Result<Json<User>, ApiError> {
    Ok(Json(state.services.me(caller).await?))
}
