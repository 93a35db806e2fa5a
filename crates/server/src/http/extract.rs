//! Extractors whose rejections are problem details, the JSON body both ways,
//! and the caller's identity.

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::{header, request::Parts, HeaderName};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::convert::Infallible;
use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};
use todo_services::{AuthFailure, Principal, Scope, ServiceError, TaskPage};

use super::error::ApiError;
use super::AppState;

/// A JSON body. Read from a request it must be an object: serde's derived
/// structs also read arrays (`["x"]` as `{"title": "x"}`), which no field
/// name describes and the OpenAPI document does not allow. Written as a
/// response it is serialised into a `Vec`: axum's own `Json` writes through
/// `BytesMut`'s writer, which copies each quote and comma with a `memset` or
/// `memcpy` call of its own (6–10% of the server's CPU on a page of tasks)
/// and grows from 128 bytes.
pub struct Json<T>(pub T);

/// Where a response body starts: a page of 50 tasks is about 20 KiB, most
/// other answers fit.
const RESPONSE_CAPACITY: usize = 4096;

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(RESPONSE_CAPACITY);
        match sonic_rs::to_writer(&mut body, &self.0) {
            Ok(()) => json_body(body),
            Err(error) => ApiError::from(ServiceError::Internal(format!(
                "serialising a response: {error}"
            )))
            .into_response(),
        }
    }
}

/// A page of tasks as a response, written by [`TaskPage::write_json`]
/// (the JSON its `Serialize` gives, without a serializer's per-field cost:
/// the list is the API's hottest and biggest answer).
pub struct TaskPageJson(pub TaskPage);

impl IntoResponse for TaskPageJson {
    fn into_response(self) -> Response {
        // A task is about 400 bytes.
        let mut body = Vec::with_capacity(RESPONSE_CAPACITY.max(self.0.items.len() * 512));
        self.0.write_json(&mut body);
        json_body(body)
    }
}

/// A response carrying `body`, already written JSON.
fn json_body(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(JsonObject(value)) = axum::Json::from_request(request, state).await?;
        Ok(Json(value))
    }
}

struct JsonObject<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
            type Value = T;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectOnly(PhantomData))
            .map(JsonObject)
    }
}

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

/// [`Caller`] for a handler whose service call itself shows whether the
/// account still exists (a listing, a chat turn): a session's request then
/// makes no lookup of its own first
/// (`Services::authenticate_checked_by_request`).
#[derive(Debug, Clone, Copy)]
pub struct CallerCheckedByRequest(pub Principal);

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

impl FromRequestParts<AppState> for CallerCheckedByRequest {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        Ok(CallerCheckedByRequest(
            state
                .services
                .authenticate_checked_by_request(token)
                .await?,
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
