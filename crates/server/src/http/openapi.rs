//! The OpenAPI document, generated from the handlers and types themselves.

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::content::Content;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Type};
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

/// The answers every operation can give besides its own, described in one
/// place from what the shared extractors and `ApiError` do, so the document
/// lists every status a client can get: problem bodies are
/// `application/problem+json`; a bearer operation can answer 401; one with a
/// JSON body 400, 413, 415 and 422; one with path or query parameters 400;
/// anything under `/api/` 503 while the database is unavailable.
struct ProblemAnswers;

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_answer(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    )
}

fn string_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(utoipa::openapi::ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// Adds `status` unless the operation documents it already (its own
/// description names the codes it answers with).
fn add_answer(operation: &mut Operation, status: &str, answer: impl FnOnce() -> ResponseBuilder) {
    let answers = &mut operation.responses.responses;
    if !answers.contains_key(status) {
        answers.insert(status.to_owned(), RefOr::T(answer().build()));
    }
}

impl ProblemAnswers {
    fn operation(path: &str, operation: &mut Operation) {
        // `body = Problem` is written as application/json; the server
        // answers every problem as application/problem+json.
        for answer in operation.responses.responses.values_mut() {
            if let RefOr::T(answer) = answer {
                let is_problem = answer
                    .content
                    .get("application/json")
                    .is_some_and(|content| {
                        matches!(&content.schema,
                        Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
                    });
                // A problem answer has this one content type: renaming it
                // reorders nothing.
                if is_problem {
                    if let Some(content) = answer.content.shift_remove("application/json") {
                        answer.content.insert(PROBLEM_JSON.to_owned(), content);
                    }
                }
            }
        }
        let has_params_in = |place: ParameterIn| {
            let params = operation.parameters.iter().flatten();
            params.map(|p| &p.parameter_in).any(|p| *p == place)
        };
        let bad_request: Vec<&str> = [
            (operation.request_body.is_some(), "malformed_json"),
            (has_params_in(ParameterIn::Path), "invalid_path"),
            (has_params_in(ParameterIn::Query), "invalid_query"),
        ]
        .into_iter()
        .filter_map(|(applies, code)| applies.then_some(code))
        .collect();
        if !bad_request.is_empty() {
            add_answer(operation, "400", || {
                problem_answer(&bad_request.join(" or "))
            });
        }
        if operation.request_body.is_some() {
            add_answer(operation, "413", || problem_answer("payload_too_large"));
            add_answer(operation, "415", || {
                problem_answer("unsupported_media_type: the body must be application/json")
            });
            add_answer(operation, "422", || {
                problem_answer("validation_failed or invalid_body")
            });
        }
        if operation.security.is_some() {
            add_answer(operation, "401", || {
                problem_answer("token_missing, token_expired or token_invalid")
                    .header("WWW-Authenticate", string_header("`Bearer`"))
            });
        }
        if path.starts_with("/api/") {
            add_answer(operation, "503", || problem_answer("database_unavailable"));
            // An operation's own 503 (sign_in_busy) comes on top of this one.
            if let Some(RefOr::T(answer)) = operation.responses.responses.get_mut("503") {
                if !answer.description.contains("database_unavailable") {
                    answer.description.push_str(" or database_unavailable");
                }
            }
        }
        for (status, answer) in operation.responses.responses.iter_mut() {
            if let ("429" | "503", RefOr::T(answer)) = (status.as_str(), answer) {
                answer
                    .headers
                    .entry("Retry-After".to_owned())
                    .or_insert_with(|| string_header("seconds to wait before trying again"));
            }
        }
    }
}

impl Modify for ProblemAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                ProblemAnswers::operation(path, operation);
            }
        }
    }
}

/// Marks every documented response header `required`: the server always
/// sends them (ETag, WWW-Authenticate, Retry-After), and only required ones
/// are checked by clients and by schemathesis. utoipa's `Header` has no
/// such field, so this edits the JSON.
fn require_response_headers(document: &mut serde_json::Value) {
    use serde_json::Value;
    // `get_mut`, not indexing: indexing inserts missing keys.
    fn entries(value: Option<&mut Value>) -> impl Iterator<Item = &mut Value> {
        value
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|object| object.values_mut())
    }
    for item in entries(document.get_mut("paths")) {
        for operation in entries(Some(item)) {
            for answer in entries(operation.get_mut("responses")) {
                for header in entries(answer.get_mut("headers")) {
                    if let Some(header) = header.as_object_mut() {
                        header.insert("required".to_owned(), true.into());
                    }
                }
            }
        }
    }
}

pub fn spec_router(mut spec: utoipa::openapi::OpenApi) -> Router<AppState> {
    // After the routes are merged: the derive's modifiers run before.
    ProblemAnswers.modify(&mut spec);
    let mut document = serde_json::to_value(&spec).unwrap_or_default();
    require_response_headers(&mut document);
    // Serialized once: every request shares the same bytes.
    let body = axum::body::Bytes::from(document.to_string());
    Router::new().route(
        "/api/openapi.json",
        get(move || std::future::ready(([(CONTENT_TYPE, "application/json")], body.clone()))),
    )
}
