//! Extractors whose rejections are problem details, and the caller's identity.

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderName};
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
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

/// The client's address: from the configured proxy header when one is
/// set (the last entry: the one the proxy added), else the peer address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

pub async fn resolve_client_address(
    State(header): State<Option<HeaderName>>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_header = header.as_ref().and_then(|name| {
        let value = request.headers().get(name)?.to_str().ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    });
    let peer = || {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
    };
    let address = ClientAddress(from_header.or_else(peer));
    request.extensions_mut().insert(address);
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .copied()
            .unwrap_or(ClientAddress(None)))
    }
}

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
