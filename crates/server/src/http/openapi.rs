//! The OpenAPI document, generated from the handlers and types themselves.

use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use super::{routes, AppState};

#[derive(OpenApi)]
#[openapi(
    info(title = "Todo Chatbot API", description = "A self-hosted todo list you can talk to. Errors are \
        application/problem+json bodies with a stable `code`."),
    modifiers(&BearerAuth),
    tags((name = "accounts"), (name = "tasks"), (name = "tokens"), (name = "chat"), (name = "operations"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session JWT from sign-in, or a personal access token (tdc_…)",
                    ))
                    .build(),
            ),
        );
    }
}

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::tasks::router())
        .merge(routes::chat::router())
        .merge(routes::tokens::router())
        .merge(routes::ops::router())
}

pub fn spec_router(spec: utoipa::openapi::OpenApi) -> Router<AppState> {
    let spec = Arc::new(spec);
    Router::new().route(
        "/api/openapi.json",
        get(move || async move { axum::Json(spec.as_ref().clone()) }),
    )
}
