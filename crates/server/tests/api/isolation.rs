//! A user never sees or changes another user's tasks: their ids answer 404,
//! exactly like missing ones, and no listing or filter shows them.

use crate::support;

use serde_json::json;
use support::TestApp;

on_both_backends! {
    async fn another_users_task_is_not_found(app: TestApp) {
        let ada = app.user("ada").await;
        let bob = app.user("bob").await;
        let task = app.task(&ada, json!({"title": "Ada's secret", "tags": ["private"], "priority": "urgent", "due_at": "2030-01-01"})).await;
        let path = format!("/api/tasks/{}", task["id"]);
        let missing = "/api/tasks/999999";

        for target in [path.as_str(), missing] {
            app.get(target, &bob).await.problem(404, "task_not_found");
            app.patch(target, &bob, json!({"title": "hacked"})).await.problem(404, "task_not_found");
            app.post(&format!("{target}/complete"), &bob, json!({})).await.problem(404, "task_not_found");
            app.post(&format!("{target}/reopen"), &bob, json!({})).await.problem(404, "task_not_found");
            app.delete(target, &bob).await.problem(404, "task_not_found");
        }
        // Bob's answer about Ada's task is the same as about a missing one.
        let theirs = app.get(&path, &bob).await.body;
        let nobodys = app.get(missing, &bob).await.body;
        assert_eq!(theirs, nobodys);

        for query in ["", "status=all", "status=pending", "q=secret", "tag=private", "priority=urgent",
                      "due_before=2031-01-01", "sort=due", "sort=priority", "sort=title", "limit=200"] {
            let page = app.get(&format!("/api/tasks?{query}"), &bob).await.expect(200);
            assert_eq!(page, json!({"items": [], "total": 0, "total_capped": false}), "query {query}");
        }
        assert_eq!(app.post("/api/tasks/clear-completed", &bob, json!({})).await.expect(200), json!({"deleted": 0}));

        // Ada's task is untouched.
        let unchanged = app.get(&path, &ada).await.expect(200);
        assert_eq!(unchanged, task);
    }
}
