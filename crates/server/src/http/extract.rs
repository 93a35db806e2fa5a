//! Extractors whose rejections are problem details, and the caller's identity.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, request::Parts};
use todo_services::{AuthFailure, Principal, Scope, ServiceError};

use super::error::ApiError;
use super::AppState;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// The signed-in caller, from `Authorization: Bearer <session JWT or personal access token>`.
#[derive(Debug, Clone, Copy)]
pub struct Caller(pub Principal);

/// A caller signed in with a session: what managing tokens and the account
/// needs (a personal access token gets 403 `token_scope`).
#[derive(Debug, Clone, Copy)]
pub struct SessionCaller(pub Principal);

fn bearer(parts: &Parts) -> Result<&str, ServiceError> {
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or(ServiceError::Unauthorized(AuthFailure::Missing))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        Ok(Caller(
            state.services.authorize(token, Scope::TasksAndChat).await?,
        ))
    }
}

impl FromRequestParts<AppState> for SessionCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        Ok(SessionCaller(
            state.services.authorize(token, Scope::Account).await?,
        ))
    }
}
