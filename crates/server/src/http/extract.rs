//! Extractors whose rejections are problem details, and the caller's identity.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, request::Parts};
use todo_services::{AuthFailure, Principal, ServiceError};

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

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(ServiceError::Unauthorized(AuthFailure::Missing))?;
        Ok(Caller(state.services.authenticate(token).await?))
    }
}
