//! Health, readiness, metrics, the OpenAPI document and request ids.

use crate::support;

use reqwest::Method;
use support::TestApp;

on_both_backends! {
    async fn health_ready_metrics_and_openapi(app: TestApp) {
        let health = app.call(Method::GET, "/healthz", None, None).await.expect(200);
        assert_eq!(health["status"], "ok");
        let ready = app.call(Method::GET, "/readyz", None, None).await.expect(200);
        assert_eq!(ready["status"], "ready");

        let token = app.user("ada").await;
        app.get("/api/tasks", &token).await.expect(200);
        let metrics = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("http_requests_total{method=\"GET\",route=\"/api/tasks\",status=\"200\"}"), "{metrics}");
        assert!(metrics.contains("http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/tasks\",status=\"200\",le=\"0.005\"}"));

        let spec = app.call(Method::GET, "/api/openapi.json", None, None).await.expect(200);
        assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/api/auth/signup", "/api/auth/login", "/api/me", "/api/tasks", "/api/tasks/{id}",
                     "/api/tasks/{id}/complete", "/api/tasks/{id}/reopen", "/api/tasks/clear-completed",
                     "/api/tokens", "/api/tokens/{id}", "/healthz", "/readyz", "/metrics"] {
            assert!(spec["paths"][path].is_object(), "{path} missing from the OpenAPI document");
        }
        // A task's due date is two fields on the wire, whatever the type inside.
        let task = &spec["components"]["schemas"]["Task"];
        let fields: Vec<&str> = task["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, ["all_day", "completed", "completed_at", "created_at", "description", "due_at", "id",
                            "priority", "recurrence", "tags", "title", "updated_at", "version"], "{task}");
        assert_eq!(task["properties"]["due_at"], serde_json::json!({"type": ["string", "null"], "format": "date-time"}));
        assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
        // Answers schemathesis does not ask for: the chat stream, and the
        // 503 it cannot cause (tests/process.rs does).
        let chat = &spec["paths"]["/api/chat"]["post"]["responses"];
        assert!(chat["200"]["content"]["text/event-stream"].is_object(), "{chat}");
        let unavailable = &spec["paths"]["/api/tasks"]["get"]["responses"]["503"];
        assert!(unavailable["content"]["application/problem+json"].is_object(), "{unavailable}");
        assert_eq!(unavailable["headers"]["Retry-After"]["required"], true, "{unavailable}");
        // Required, so schemathesis checks the server sends it.
        let read = &spec["paths"]["/api/tasks/{id}"]["get"]["responses"]["200"];
        assert_eq!(read["headers"]["ETag"]["required"], true, "{read}");
    }

    async fn request_ids_are_returned_and_kept(app: TestApp) {
        let generated = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(generated.headers()["x-request-id"].to_str().unwrap().len(), 36);
        let kept = app.client.get(format!("{}/healthz", app.base)).header("x-request-id", "abc-123").send().await.unwrap();
        assert_eq!(kept.headers()["x-request-id"], "abc-123");
    }
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("todo.db").display());
    let mut args = support::serve_args(&url, dir.path());
    args.cors_origins = "https://app.example, https://other.example".into();
    let server = todo_server::serve::Server::build(&args).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.local_addr().unwrap().port());
    tokio::spawn(server.run(std::future::pending()));
    let client = todo_server::http_client::client();
    let preflight = |origin: &'static str| {
        client
            .request(Method::OPTIONS, format!("{base}/api/tasks"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://app.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("PATCH") && methods.contains("DELETE"),
        "{methods}"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
