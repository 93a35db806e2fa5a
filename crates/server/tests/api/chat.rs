//! The chat API with the builtin assistant, as JSON and as Server-Sent
//! Events, and conversations, on SQLite and on Postgres.

use crate::support;

use reqwest::Method;
use serde_json::json;
use support::{sse_events, TestApp};

on_both_backends! {
    async fn chat_adds_a_task_and_the_list_shows_it(app: TestApp) {
        let token = app.user("ada").await;
        let answer = app.post("/api/chat", &token, json!({"message": "add buy milk tomorrow at 9am #shopping"})).await.expect(200);
        assert!(answer["conversation_id"].is_i64());
        assert!(!answer["reply"].as_str().unwrap().is_empty());
        let actions = answer["actions"].as_array().unwrap();
        assert_eq!(actions.len(), 1, "{answer}");
        assert_eq!(actions[0]["tool"], "add_task");
        assert_eq!(actions[0]["ok"], true);

        let tasks = app.get("/api/tasks", &token).await.expect(200);
        assert_eq!(tasks["total"], 1);
        let task = &tasks["items"][0];
        assert_eq!(task["title"], "Buy milk", "the builtin assistant capitalises titles");
        assert_eq!(task["tags"], json!(["shopping"]));
        assert_eq!(task["all_day"], false);
        let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
        assert_eq!(task["due_at"], format!("{tomorrow}T09:00:00Z"), "9am in the user's zone (UTC)");
        assert_eq!(actions[0]["result"]["task"], *task);
    }

    async fn chat_streams_server_sent_events(app: TestApp) {
        let token = app.user("ada").await;
        let response = app.chat_stream(&token, json!({"message": "add water the plants"})).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let events = sse_events(&response.text().await.unwrap());
        let names: Vec<_> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"delta"), "{names:?}");
        assert!(names.contains(&"action"), "{names:?}");
        assert_eq!(names.last(), Some(&"done"), "{names:?}");
        let (_, done) = events.last().unwrap();
        let streamed: String = events.iter().filter(|(n, _)| n == "delta").map(|(_, d)| d["text"].as_str().unwrap()).collect();
        assert_eq!(streamed.trim(), done["reply"].as_str().unwrap().trim());
        assert_eq!(app.titles(&token, "").await, ["Water the plants"]);
    }

    async fn a_refused_stream_is_a_plain_problem(app: TestApp) {
        let token = app.user("ada").await;
        let response = app.chat_stream(&token, json!({"message": "   "})).await;
        TestApp::answer(response).await.problem(422, "validation_failed");
    }

    async fn conversations_continue_and_are_private(app: TestApp) {
        let ada = app.user("ada").await;
        let bob = app.user("bob").await;
        let first = app.post("/api/chat", &ada, json!({"message": "add call mom"})).await.expect(200);
        let id = first["conversation_id"].clone();
        let second = app.post("/api/chat", &ada, json!({"message": "mark it as done", "conversation_id": id})).await.expect(200);
        assert_eq!(second["conversation_id"], id);
        assert_eq!(second["actions"][0]["tool"], "complete_task", "{second}");
        assert_eq!(app.titles(&ada, "status=completed").await, ["Call mom"]);

        let list = app.get("/api/conversations", &ada).await.expect(200);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(list["items"][0]["title"], "add call mom");
        let detail = app.get(&format!("/api/conversations/{id}"), &ada).await.expect(200);
        let roles: Vec<_> = detail["messages"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap().to_owned()).collect();
        assert_eq!(roles, ["user", "assistant", "user", "assistant"]);
        assert_eq!(detail["messages"][3]["actions"][0]["tool"], "complete_task");

        // Bob cannot read, continue or delete Ada's conversation.
        app.get(&format!("/api/conversations/{id}"), &bob).await.problem(404, "conversation_not_found");
        app.post("/api/chat", &bob, json!({"message": "hi", "conversation_id": id})).await.problem(404, "conversation_not_found");
        app.delete(&format!("/api/conversations/{id}"), &bob).await.problem(404, "conversation_not_found");
        assert_eq!(app.get("/api/conversations", &bob).await.expect(200)["items"], json!([]));

        app.delete(&format!("/api/conversations/{id}"), &ada).await.expect(204);
        app.get(&format!("/api/conversations/{id}"), &ada).await.problem(404, "conversation_not_found");
        assert_eq!(app.titles(&ada, "status=all").await, ["Call mom"], "tasks outlive the conversation");
    }

    async fn the_seed_contract_path(app: TestApp) {
        let token = app.user("ada").await;
        let me = app.get("/api/me", &token).await.expect(200);
        let own = format!("/api/{}/chat", me["id"]);
        let answer = app.post(&own, &token, json!({"message": "add file taxes"})).await.expect(200);
        assert_eq!(answer["actions"][0]["tool"], "add_task");
        let other = format!("/api/{}/chat", me["id"].as_i64().unwrap() + 1000);
        app.post(&other, &token, json!({"message": "add file taxes"})).await.problem(403, "user_mismatch");
        app.call(Method::POST, &own, None, Some(json!({"message": "hi"}))).await.problem(401, "token_missing");
        assert_eq!(app.titles(&token, "").await, ["File taxes"]);
    }

    async fn chatter_changes_nothing(app: TestApp) {
        let token = app.user("ada").await;
        app.task(&token, json!({"title": "keep me"})).await;
        for message in ["hello", "thanks!", "how are you?"] {
            let answer = app.post("/api/chat", &token, json!({"message": message})).await.expect(200);
            assert_eq!(answer["actions"], json!([]), "{message}: {answer}");
            assert!(!answer["reply"].as_str().unwrap().is_empty());
        }
        assert_eq!(app.titles(&token, "status=all").await, ["keep me"]);
    }

    // Issue 14: the look-ups the assistant makes to find the task a
    // message names are its own business, not actions ("Found 9 tasks" chips
    // beside a reply about one); clearing completed tasks is the service,
    // one action, instead of a list and a delete per task.
    async fn look_ups_are_not_actions_and_clearing_is_one(app: TestApp) {
        let token = app.user("ada").await;
        for title in ["Buy milk", "Pay rent", "Call mom"] {
            app.task(&token, json!({"title": title})).await;
        }
        let done = app.post("/api/chat", &token, json!({"message": "complete buy milk"})).await.expect(200);
        let tools: Vec<_> = done["actions"].as_array().unwrap().iter().map(|a| a["tool"].clone()).collect();
        assert_eq!(tools, [json!("complete_task")], "{done}");

        let id = done["conversation_id"].clone();
        let asked = app.post("/api/chat", &token, json!({"message": "clear completed tasks", "conversation_id": id})).await.expect(200);
        assert_eq!(asked["actions"], json!([]), "{asked}");
        let cleared = app.post("/api/chat", &token, json!({"message": "yes", "conversation_id": id})).await.expect(200);
        assert_eq!(
            cleared["actions"],
            json!([{"tool": "clear_completed", "arguments": {}, "ok": true, "result": {"deleted": 1}}]),
            "{cleared}"
        );
        assert_eq!(app.titles(&token, "status=all").await, ["Call mom", "Pay rent"]);
    }
}
