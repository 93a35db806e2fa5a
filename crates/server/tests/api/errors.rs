//! Bad input answers a problem+json body with a stable code, and changes nothing.

use crate::support;

use reqwest::Method;
use serde_json::{json, Value};
use support::TestApp;

fn codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

on_both_backends! {
    async fn each_invalid_field_has_a_code(app: TestApp) {
        let token = app.user("ada").await;
        let cases = [
            (json!({"title": ""}), "title", "title_empty"),
            (json!({"title": "   "}), "title", "title_empty"),
            (json!({"title": "x".repeat(201)}), "title", "title_too_long"),
            (json!({"title": "ok", "description": "d".repeat(4001)}), "description", "description_too_long"),
            (json!({"title": "ok", "priority": "p9"}), "priority", "priority_invalid"),
            (json!({"title": "ok", "tags": ["fine", "not fine"]}), "tags[1]", "tag_invalid"),
            (json!({"title": "ok", "tags": ["x".repeat(33)]}), "tags[0]", "tag_invalid"),
            (json!({"title": "ok", "tags": (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()}), "tags", "tags_too_many"),
            (json!({"title": "ok", "due_at": "next tuesday"}), "due_at", "due_at_invalid"),
            (json!({"title": "ok", "recurrence": "FREQ=FORTNIGHTLY"}), "recurrence", "recurrence_invalid"),
            (json!({"title": "ok", "recurrence": "FREQ=MINUTELY"}), "recurrence", "recurrence_unsupported"),
        ];
        for (body, field, code) in cases {
            let problem = app.post("/api/tasks", &token, body.clone()).await.problem(422, "validation_failed");
            assert_eq!(codes(&problem), [(field.to_owned(), code.to_owned())], "body {body}");
        }
        // Several at once are all reported.
        let problem = app.post("/api/tasks", &token, json!({"title": "", "priority": "x"})).await.problem(422, "validation_failed");
        assert_eq!(codes(&problem).len(), 2);
        // Nothing was stored.
        assert_eq!(app.get("/api/tasks", &token).await.expect(200)["total"], 0);

        let task = app.task(&token, json!({"title": "keep me"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let problem = app.patch(&path, &token, json!({"title": "", "due_at": "soon"})).await.problem(422, "validation_failed");
        assert_eq!(codes(&problem), [("title".to_owned(), "title_empty".to_owned()), ("due_at".to_owned(), "due_at_invalid".to_owned())]);
        assert_eq!(app.get(&path, &token).await.expect(200), task, "a refused patch changes nothing");

        for query in ["status=done", "sort=size", "order=sideways", "due=later", "priority=huge", "offset=-1", "due_before=soon"] {
            app.get(&format!("/api/tasks?{query}"), &token).await.problem(422, "validation_failed");
        }
    }

    async fn malformed_and_mistyped_bodies(app: TestApp) {
        let token = app.user("ada").await;
        let raw = |body: &'static str, content_type: &'static str| {
            app.client
                .post(format!("{}/api/tasks", app.base))
                .bearer_auth(&token)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        TestApp::answer(raw("{\"title\": ", "application/json").await.unwrap()).await.problem(400, "malformed_json");
        TestApp::answer(raw("not json", "application/json").await.unwrap()).await.problem(400, "malformed_json");
        TestApp::answer(raw("{\"title\": 42}", "application/json").await.unwrap()).await.problem(422, "invalid_body");
        TestApp::answer(raw("{}", "application/json").await.unwrap()).await.problem(422, "invalid_body");
        // serde reads a struct from an array too; the API takes objects only.
        TestApp::answer(raw("[\"x\"]", "application/json").await.unwrap()).await.problem(422, "invalid_body");
        TestApp::answer(raw("{\"title\": \"x\", \"colour\": \"red\"}", "application/json").await.unwrap()).await.problem(422, "invalid_body");
        TestApp::answer(raw("{\"title\": \"x\"}", "text/plain").await.unwrap()).await.problem(415, "unsupported_media_type");
        app.get("/api/tasks/abc", &token).await.problem(400, "invalid_path");
        assert_eq!(app.get("/api/tasks", &token).await.expect(200)["total"], 0);
    }

    async fn oversized_bodies_are_refused(app: TestApp) {
        let token = app.user("ada").await;
        // The test server accepts 64 KiB.
        let huge = json!({"title": "x", "description": "y".repeat(100_000)});
        app.post("/api/tasks", &token, huge).await.problem(413, "payload_too_large");
        assert_eq!(app.get("/api/tasks", &token).await.expect(200)["total"], 0);
    }

    async fn unknown_routes_and_methods(app: TestApp) {
        let token = app.user("ada").await;
        app.get("/api/nothing-here", &token).await.problem(404, "not_found");
        app.call(Method::PUT, "/api/tasks", Some(&token), Some(json!({}))).await.problem(405, "method_not_allowed");
    }
}
