//! Health, readiness, metrics, the OpenAPI document and request ids.

mod support;

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
        assert!(spec["components"]["schemas"]["Task"].is_object());
        assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    }

    async fn request_ids_are_returned_and_kept(app: TestApp) {
        let generated = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(generated.headers()["x-request-id"].to_str().unwrap().len(), 36);
        let kept = app.client.get(format!("{}/healthz", app.base)).header("x-request-id", "abc-123").send().await.unwrap();
        assert_eq!(kept.headers()["x-request-id"], "abc-123");
    }
}
