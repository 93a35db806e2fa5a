//! `GET /api/tags`: the tags on the caller's open tasks with their counts,
//! against the real server, on SQLite and on Postgres.

use crate::support;

use reqwest::Method;
use serde_json::json;
use support::TestApp;
use todo_domain::tags::TagList;

/// The answer, read as the web UI reads it (the domain's wire type).
async fn tags(app: &TestApp, token: &str) -> TagList {
    let body = app.get("/api/tags", token).await.expect(200);
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn counts(list: &TagList) -> Vec<(&str, i64)> {
    list.items
        .iter()
        .map(|t| (t.name.as_str(), t.open))
        .collect()
}

on_both_backends! {
    async fn open_tasks_tags_with_counts(app: TestApp) {
        let ada = app.user("ada").await;
        let bob = app.user("bob").await;
        assert_eq!(tags(&app, &ada).await, TagList::default());

        for (title, tags) in [
            ("Pay rent", json!(["Home", "#finance"])),
            ("Fix the sink", json!(["home"])),
            ("Plan the offsite", json!(["work"])),
            ("Read a book", json!([])),
        ] {
            app.task(&ada, json!({"title": title, "tags": tags})).await;
        }
        let report = app.task(&ada, json!({"title": "Old report", "tags": ["work", "archive"]})).await;
        app.post(&format!("/api/tasks/{}/complete", report["id"]), &ada, json!({})).await.expect(200);
        app.task(&bob, json!({"title": "Bob's", "tags": ["secret"]})).await;

        // By name, open tasks only, the caller's only.
        let list = tags(&app, &ada).await;
        assert_eq!(counts(&list), [("finance", 1), ("home", 2), ("work", 1)]);
        assert!(!list.more && !list.counts_capped);
        assert_eq!(list.open_tasks, 4);
        assert_eq!(counts(&tags(&app, &bob).await), [("secret", 1)]);

        // Counts follow changes: a completion, a reopening, an edit.
        app.post(&format!("/api/tasks/{}/reopen", report["id"]), &ada, json!({})).await.expect(200);
        assert_eq!(counts(&tags(&app, &ada).await), [("archive", 1), ("finance", 1), ("home", 2), ("work", 2)]);
        app.patch(&format!("/api/tasks/{}", report["id"]), &ada, json!({"tags": ["home"]})).await.expect(200);
        assert_eq!(counts(&tags(&app, &ada).await), [("finance", 1), ("home", 3), ("work", 1)]);

        // Signed out: the same problem as every task route.
        app.call(Method::GET, "/api/tags", None, None).await.problem(401, "token_missing");
        app.get("/api/tags", "not-a-token").await.problem(401, "token_invalid");

        // Documented, with its answer's schema.
        let spec = app.call(Method::GET, "/api/openapi.json", None, None).await.expect(200);
        let operation = &spec["paths"]["/api/tags"]["get"];
        assert_eq!(operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
                   "#/components/schemas/TagList", "{operation}");
        assert!(operation["responses"]["401"].is_object(), "{operation}");
        assert!(spec["components"]["schemas"]["TagCount"].is_object());
    }
}
