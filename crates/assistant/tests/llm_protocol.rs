//! The LLM assistant against a scripted OpenAI-compatible server
//! (`todo_testkit::llm`): a real HTTP server on a random port that answers
//! each request with the next scripted response (JSON or Server-Sent Events)
//! and records what it was sent. The tools run on the real stack: a fresh
//! SQLite store, the domain services and the toolbox.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{stack, Recorder};
use todo_assistant::chat::FALLBACK_NOTE;
use todo_assistant::llm::{LlmAssistant, LlmConfig};
use todo_assistant::{Assistant, AssistantError, Reply};
use todo_domain::chat::{Action, ChatRequest};
use todo_testkit::llm::{calls, chunk, says, status, Scripted, ScriptedLlm};

/// The assistant under test, talking to this scripted server.
fn assistant(llm: &ScriptedLlm, timeout: Duration) -> LlmAssistant {
    LlmAssistant::new(LlmConfig {
        base_url: llm.base_url.clone(),
        api_key: Some("sk-test-key".into()),
        model: "scripted-model".into(),
        timeout,
    })
    .unwrap()
}

fn provider_reason(result: Result<Reply, AssistantError>) -> (String, Vec<Action>) {
    match result {
        Err(AssistantError::Provider { reason, actions }) => (reason, actions),
        other => panic!("expected a provider error, got {other:?}"),
    }
}

const TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- the tests

#[tokio::test]
async fn a_request_carries_the_model_the_tools_the_prompt_and_the_key() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![says(&["Hello!"])]).await;
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "hi", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "Hello!");
    assert!(reply.actions.is_empty());

    let request = &llm.requests()[0];
    assert_eq!(request["model"], "scripted-model");
    assert_eq!(request["stream"], true);
    assert_eq!(request["tool_choice"], "auto");
    let tools: Vec<&str> = request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "add_task",
            "list_tasks",
            "complete_task",
            "delete_task",
            "update_task"
        ]
    );
    assert_eq!(request["tools"][0]["type"], "function");
    assert_eq!(
        request["tools"][0]["function"]["parameters"]["required"],
        json!(["title"])
    );
    let messages = request["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.contains("todo list"), "{system}");
    // The date, time and zone come with the new message, after everything
    // that stays the same from turn to turn.
    let today = stack
        .services
        .now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%d")
        .to_string();
    assert!(!system.contains(&today), "{system}");
    assert_eq!(messages[1]["role"], "user");
    let user = messages[1]["content"].as_str().unwrap();
    assert!(user.starts_with("hi\n\n(Now: "), "{user}");
    assert!(
        user.contains(&today) && user.contains("Europe/Paris"),
        "{user}"
    );
    assert_eq!(llm.headers(0)["authorization"], "Bearer sk-test-key");
}

#[tokio::test]
async fn several_tool_calls_in_one_answer_all_run_in_order() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![
        calls(&[
            ("add_task", r#"{"title": "Buy milk"}"#),
            (
                "add_task",
                r#"{"title": "Call mom", "due": "tomorrow 6pm"}"#,
            ),
            ("list_tasks", "{}"),
        ]),
        says(&["Added ", "both."]),
    ])
    .await;
    let events = Recorder::default();
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "add milk and call mom", &events)
        .await
        .unwrap();

    assert_eq!(reply.text, "Added both.");
    let tools: Vec<&str> = reply.actions.iter().map(|a| a.tool.as_str()).collect();
    assert_eq!(tools, ["add_task", "add_task", "list_tasks"]);
    assert!(reply.actions.iter().all(|a| a.ok()));
    assert_eq!(reply.actions[1].arguments["due"], "tomorrow 6pm");
    assert_eq!(reply.actions[2].result()["total"], 2);
    assert_eq!(stack.titles().await, ["Buy milk", "Call mom"]);
    assert_eq!(*events.actions.lock().unwrap(), reply.actions);

    // The follow-up request carries the calls and one result for each.
    let second = &llm.requests()[1]["messages"];
    let messages = second.as_array().unwrap();
    let asked = &messages[2];
    assert_eq!(asked["role"], "assistant");
    assert_eq!(asked["tool_calls"].as_array().unwrap().len(), 3);
    assert_eq!(asked["tool_calls"][1]["id"], "call_1");
    assert_eq!(asked["tool_calls"][1]["function"]["name"], "add_task");
    for (index, result) in messages[3..6].iter().enumerate() {
        assert_eq!(result["role"], "tool");
        assert_eq!(result["tool_call_id"], format!("call_{index}"));
    }
    let added: Value = serde_json::from_str(messages[4]["content"].as_str().unwrap()).unwrap();
    assert_eq!(added["task"]["title"], "Call mom");
    assert!(added["task"]["due_at"].is_string());
}

#[tokio::test]
async fn streamed_tool_call_fragments_are_put_together_and_words_stream_as_they_come() {
    let stack = stack().await;
    let piece = |delta: Value| (Duration::ZERO, chunk(json!({"tool_calls": [delta]})));
    // Two calls, interleaved, each split across chunks; name and id only in
    // the first fragment of each.
    let fragments = Scripted::Sse(vec![
        (
            Duration::ZERO,
            chunk(json!({"role": "assistant", "content": null})),
        ),
        piece(
            json!({"index": 0, "id": "call_a", "type": "function", "function": {"name": "add_task", "arguments": ""}}),
        ),
        piece(json!({"index": 0, "function": {"arguments": "{\"ti"}})),
        piece(
            json!({"index": 1, "id": "call_b", "type": "function", "function": {"name": "add_task", "arguments": "{\"title\": \"Wa"}}),
        ),
        piece(json!({"index": 0, "function": {"arguments": "tle\": \"Pay "}})),
        piece(
            json!({"index": 1, "function": {"arguments": "ter the plants\", \"priority\": \"hi"}}),
        ),
        piece(json!({"index": 0, "function": {"arguments": "rent\"}"}})),
        piece(json!({"index": 1, "function": {"arguments": "gh\"}"}})),
        (
            Duration::ZERO,
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
        ),
    ]);
    let pause = Duration::from_millis(400);
    let words = Scripted::Sse(vec![
        (Duration::ZERO, chunk(json!({"content": "Added "}))),
        (pause, chunk(json!({"content": "\"Pay rent\" and "}))),
        (pause, chunk(json!({"content": "\"Water the plants\"."}))),
    ]);
    let llm = ScriptedLlm::start(vec![fragments, words]).await;
    let events = Recorder::default();
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "pay rent, water plants", &events)
        .await
        .unwrap();
    let finished = Instant::now();

    assert_eq!(stack.titles().await, ["Pay rent", "Water the plants"]);
    assert_eq!(reply.actions.len(), 2);
    assert_eq!(
        reply.actions[1].arguments,
        json!({"title": "Water the plants", "priority": "high"})
    );
    assert_eq!(reply.actions[1].result()["task"]["priority"], "high");
    assert_eq!(reply.text, "Added \"Pay rent\" and \"Water the plants\".");
    assert_eq!(events.text(), reply.text);
    // Each piece reached the events when it arrived, not at the end.
    let deltas = events.deltas.lock().unwrap();
    assert_eq!(deltas.len(), 3);
    assert!(
        finished - deltas[0].0 >= pause * 2 - Duration::from_millis(100),
        "the first words waited for the last"
    );
    // The replayed calls carry the providers' ids.
    let second = &llm.requests()[1]["messages"];
    assert_eq!(second[2]["tool_calls"][0]["id"], "call_a");
    assert_eq!(second[3]["tool_call_id"], "call_a");
    assert_eq!(second[4]["tool_call_id"], "call_b");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    let stack = stack().await;
    let limited = Scripted::Json(
        429,
        json!({"error": {"message": "slow down", "type": "rate_limit_error"}}),
        vec![("retry-after", "1".into())],
    );
    let llm = ScriptedLlm::start(vec![limited, says(&["Fine."])]).await;
    let started = Instant::now();
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "hi", &Recorder::default())
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(reply.text, "Fine.");
    assert_eq!(llm.requests().len(), 2);
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    assert_eq!(llm.requests()[0], llm.requests()[1]);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_timeout_fails_at_once() {
    let stack = stack().await;
    let limited = Scripted::Json(
        429,
        json!({"error": {"message": "come back later"}}),
        vec![("retry-after", "120".into())],
    );
    let llm = ScriptedLlm::start(vec![limited]).await;
    let started = Instant::now();
    let result = stack
        .respond(
            &assistant(&llm, Duration::from_secs(3)),
            "hi",
            &Recorder::default(),
        )
        .await;
    let (reason, _) = provider_reason(result);
    assert!(reason.contains("429"), "{reason}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(llm.requests().len(), 1);
}

#[tokio::test]
async fn a_500_then_success_is_retried_with_backoff() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![status(500), status(503), says(&["Recovered."])]).await;
    let started = Instant::now();
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "hi", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "Recovered.");
    assert_eq!(llm.requests().len(), 3);
    // 250 ms, then 500 ms.
    assert!(started.elapsed() >= Duration::from_millis(700));
}

#[tokio::test]
async fn a_persistent_500_is_a_provider_error_and_the_builtin_answers() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![status(500); 6]).await;
    let result = stack
        .respond(&assistant(&llm, TIMEOUT), "hi", &Recorder::default())
        .await;
    let (reason, actions) = provider_reason(result);
    assert!(reason.contains("500"), "{reason}");
    assert!(actions.is_empty());
    assert_eq!(llm.requests().len(), 3, "one try and two retries");

    // Through the chat: no error escapes, the stand-in answers with the note.
    let chat = stack.chat(assistant(&llm, TIMEOUT));
    let response = chat
        .turn(
            stack.principal,
            ChatRequest {
                message: "hi".into(),
                conversation_id: None,
            },
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert!(
        response.reply.starts_with(FALLBACK_NOTE),
        "{}",
        response.reply
    );
    assert!(response.reply.contains("the stand-in answered"));
}

#[tokio::test]
async fn a_model_that_does_not_answer_in_time_is_a_provider_error() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![Scripted::Late(
        Duration::from_secs(5),
        Box::new(says(&["too late"])),
    )])
    .await;
    let started = Instant::now();
    let result = stack
        .respond(
            &assistant(&llm, Duration::from_secs(1)),
            "hi",
            &Recorder::default(),
        )
        .await;
    let (reason, _) = provider_reason(result);
    assert!(reason.contains("within 1s"), "{reason}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(3),
        "{took:?}"
    );

    // A stream that stalls half-way is cut off the same way.
    let llm = ScriptedLlm::start(vec![Scripted::Sse(vec![
        (Duration::ZERO, chunk(json!({"content": "Let me "}))),
        (Duration::from_secs(5), chunk(json!({"content": "think"}))),
    ])])
    .await;
    let events = Recorder::default();
    let result = stack
        .respond(&assistant(&llm, Duration::from_secs(1)), "hi", &events)
        .await;
    let (reason, _) = provider_reason(result);
    assert!(reason.contains("within 1s"), "{reason}");
    assert_eq!(events.text(), "Let me ");
}

#[tokio::test]
async fn malformed_arguments_go_back_to_the_model_which_then_gets_it_right() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![
        calls(&[("add_task", r#"{"title": "Buy milk""#)]),
        calls(&[("add_task", r#"{"title": "Buy milk", "when": "now"}"#)]),
        calls(&[("add_task", r#"{"title": "Buy milk"}"#)]),
        says(&["Added \"Buy milk\"."]),
    ])
    .await;
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "add milk", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "Added \"Buy milk\".");
    assert_eq!(reply.actions.len(), 1, "only what was done is reported");
    assert_eq!(stack.titles().await, ["Buy milk"]);

    let requests = llm.requests();
    let last = |index: usize| {
        let messages = requests[index]["messages"].as_array().unwrap().clone();
        let content = messages.last().unwrap()["content"]
            .as_str()
            .unwrap()
            .to_owned();
        serde_json::from_str::<Value>(&content).unwrap()
    };
    let syntax = last(1)["error"].as_str().unwrap().to_owned();
    assert!(syntax.contains("not valid JSON"), "{syntax}");
    let schema = last(2)["error"].as_str().unwrap().to_owned();
    assert!(
        schema.contains("invalid arguments") && schema.contains("when"),
        "{schema}"
    );
    assert_eq!(last(3)["task"]["title"], "Buy milk");
}

#[tokio::test]
async fn repeated_invalid_calls_end_in_a_provider_error_not_a_500() {
    let stack = stack().await;
    let invalid = vec![
        calls(&[("add_task", "{not json")]),
        calls(&[("complete_task", r#"{"id": 999}"#)]),
        calls(&[("launch_rockets", "{}")]),
        calls(&[("add_task", r#"{"title": ""}"#)]),
        says(&["never asked"]),
    ];
    let llm = ScriptedLlm::start(invalid.clone()).await;
    let result = stack
        .respond(&assistant(&llm, TIMEOUT), "do things", &Recorder::default())
        .await;
    let (reason, actions) = provider_reason(result);
    assert!(reason.contains("4 invalid tool calls"), "{reason}");
    assert!(actions.is_empty());
    assert_eq!(llm.requests().len(), 4);
    assert_eq!(llm.left(), 1);
    assert!(stack.titles().await.is_empty());

    // Through the chat, the turn still succeeds: the stand-in answers.
    let llm = ScriptedLlm::start(invalid).await;
    let response = stack
        .chat(assistant(&llm, TIMEOUT))
        .turn(
            stack.principal,
            ChatRequest {
                message: "do things".into(),
                conversation_id: None,
            },
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert!(response.reply.starts_with(FALLBACK_NOTE));
    assert!(response.actions.is_empty());
}

#[tokio::test]
async fn a_provider_that_does_not_stream_is_asked_without_streaming() {
    let stack = stack().await;
    let plain = |message: Value| {
        Scripted::Json(
            200,
            json!({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                   "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}),
            vec![],
        )
    };
    let llm = ScriptedLlm::start(vec![
        // Asked to stream, it answers plain JSON; asked again without.
        plain(json!({"role": "assistant", "content": "ignored"})),
        plain(json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "add_task", "arguments": "{\"title\":\"Plain\"}"}}
        ]})),
        plain(json!({"role": "assistant", "content": "Added \"Plain\"."})),
    ])
    .await;
    let events = Recorder::default();
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "add plain", &events)
        .await
        .unwrap();
    assert_eq!(reply.text, "Added \"Plain\".");
    assert_eq!(events.text(), reply.text);
    assert_eq!(stack.titles().await, ["Plain"]);
    let requests = llm.requests();
    assert_eq!(requests[0]["stream"], true);
    assert!(requests[1].get("stream").is_none());
    assert!(requests[2].get("stream").is_none(), "remembered");
}

#[tokio::test]
async fn an_empty_stream_is_asked_again_without_streaming() {
    // llama.cpp's Python server answers a streaming request whose answer is
    // a tool call with a stream of nothing but a comment.
    let stack = stack().await;
    let plain = Scripted::Json(
        200,
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": "c1", "type": "function",
                "function": {"name": "add_task", "arguments": "{\"title\": \"Milk\"}"}}],
            "function_call": {"name": "add_task:", "arguments": "{\"title\": \"Milk\"}"}}}]}),
        vec![],
    );
    let done = Scripted::Json(
        200,
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "Added."}}]}),
        vec![],
    );
    let ping = Scripted::Raw(
        "text/event-stream; charset=utf-8",
        ": ping - 2026-11-21 05:58:40.734930+00:00\r\n\r\n",
    );
    let llm = ScriptedLlm::start(vec![ping, plain, done]).await;
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "add milk", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "Added.");
    assert_eq!(stack.titles().await, ["Milk"], "one call, not two");
    let requests = llm.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0]["stream"], true);
    assert!(requests[1].get("stream").is_none());
}

#[tokio::test]
async fn an_answer_with_neither_words_nor_tools_is_asked_again_for_words() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![says(&[""]), says(&["Hi! I manage your tasks."])]).await;
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "hello", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "Hi! I manage your tasks.");
    let requests = llm.requests();
    assert_eq!(requests[0]["tool_choice"], "auto");
    assert_eq!(requests[1]["tool_choice"], "none");
    assert_eq!(requests[1]["messages"], requests[0]["messages"]);

    // Twice nothing is a provider error.
    let llm = ScriptedLlm::start(vec![says(&[]), says(&[" "])]).await;
    let result = stack
        .respond(&assistant(&llm, TIMEOUT), "hello", &Recorder::default())
        .await;
    let (reason, _) = provider_reason(result);
    assert!(reason.contains("nothing"), "{reason}");
}

#[tokio::test]
async fn a_database_failure_is_a_service_error_not_a_provider_one() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![calls(&[("list_tasks", "{}")])]).await;
    stack.store.close().await;
    let result = stack
        .respond(&assistant(&llm, TIMEOUT), "list", &Recorder::default())
        .await;
    assert!(
        matches!(result, Err(AssistantError::Service(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn history_is_replayed_with_tool_calls_results_and_text() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![
        calls(&[("add_task", r#"{"title": "Buy milk"}"#)]),
        says(&["Added \"Buy milk\"."]),
        says(&["It is task 1."]),
    ])
    .await;
    let chat = stack.chat(assistant(&llm, TIMEOUT));
    let first = chat
        .turn(
            stack.principal,
            ChatRequest {
                message: "add milk".into(),
                conversation_id: None,
            },
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(first.reply, "Added \"Buy milk\".");
    assert_eq!(first.actions.len(), 1);
    let second = chat
        .turn(
            stack.principal,
            ChatRequest {
                message: "which one was that?".into(),
                conversation_id: Some(first.conversation_id),
            },
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(second.reply, "It is task 1.");

    let messages = llm.requests()[2]["messages"].as_array().unwrap().clone();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "tool", "assistant", "user"]
    );
    assert_eq!(messages[1]["content"], "add milk");
    assert!(messages[5]["content"]
        .as_str()
        .unwrap()
        .starts_with("which one was that?\n\n(Now: "));
    let call = &messages[2]["tool_calls"][0];
    let id = call["id"].as_str().unwrap();
    assert!(id.starts_with("call_"), "{id}");
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "add_task");
    let arguments: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({"title": "Buy milk"}));
    // An empty `content`, not none: chat templates read it.
    assert_eq!(messages[2]["content"], "");
    assert_eq!(messages[3]["tool_call_id"], id);
    let result: Value = serde_json::from_str(messages[3]["content"].as_str().unwrap()).unwrap();
    assert_eq!(result["task"]["title"], "Buy milk");
    assert_eq!(
        messages[4],
        json!({"role": "assistant", "content": "Added \"Buy milk\"."})
    );
}

// ------------------------------------------- issue 15: the defects, one each

use todo_assistant::{Builtin, Chat, Routing};

fn chat_with_builtin(stack: &support::Stack, llm: LlmAssistant, routing: Routing) -> Chat {
    Chat::new(
        stack.toolbox.clone(),
        Arc::new(Builtin::new()),
        Some(Arc::new(llm)),
    )
    .with_routing(routing)
}

async fn say(
    chat: &Chat,
    stack: &support::Stack,
    message: &str,
) -> todo_domain::chat::ChatResponse {
    chat.turn(
        stack.principal,
        ChatRequest {
            message: message.into(),
            conversation_id: None,
        },
        &Recorder::default(),
    )
    .await
    .unwrap()
}

/// A provider that takes connections and never answers; counts them.
async fn black_hole() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            open.push(socket); // Held open, never answered.
        }
    });
    (format!("http://{address}/v1"), count)
}

#[tokio::test]
async fn defect_1_llm_timeout_bounds_the_whole_turn_not_each_request() {
    // Each answer takes 700 ms and calls a tool; six rounds took 4.2 s with
    // a 2 s timeout per request. Now the turn stops at 2 s.
    let stack = stack().await;
    let slow = || {
        Scripted::Late(
            Duration::from_millis(700),
            Box::new(calls(&[("list_tasks", "{}")])),
        )
    };
    let llm = ScriptedLlm::start(vec![slow(), slow(), slow(), slow(), slow(), slow()]).await;
    let started = Instant::now();
    let result = stack
        .respond(
            &assistant(&llm, Duration::from_secs(2)),
            "list",
            &Recorder::default(),
        )
        .await;
    let took = started.elapsed();
    let (reason, _) = provider_reason(result);
    assert!(reason.contains("within 2s"), "{reason}");
    // Before: six rounds of 0.7 s, 4.2 s.
    assert!(took < Duration::from_millis(3_000), "{took:?}");
    assert!(llm.requests().len() <= 3, "{}", llm.requests().len());
}

#[tokio::test]
async fn defect_1_an_unreachable_provider_costs_at_most_the_timeout_then_is_skipped() {
    let stack = stack().await;
    let (base_url, connections) = black_hole().await;
    let llm = LlmAssistant::new(LlmConfig {
        base_url,
        api_key: None,
        model: "m".into(),
        timeout: Duration::from_secs(1),
    })
    .unwrap();
    let chat = chat_with_builtin(&stack, llm, Routing::Llm);
    for (turn, message) in ["add buy milk", "add call mom"].iter().enumerate() {
        let started = Instant::now();
        let answer = say(&chat, &stack, message).await;
        let took = started.elapsed();
        // The budget plus the builtin's turn (milliseconds; more on a busy machine).
        assert!(took < Duration::from_millis(2_500), "turn {turn}: {took:?}");
        assert!(answer.reply.starts_with(FALLBACK_NOTE), "{}", answer.reply);
    }
    assert_eq!(stack.titles().await, ["Buy milk", "Call mom"]);
    // Two failed turns open the breaker: the next turn does not even try.
    let before = connections.load(std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    let answer = say(&chat, &stack, "add water the plants").await;
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(answer.reply.starts_with(FALLBACK_NOTE));
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        before,
        "the skipped provider was called"
    );
    assert_eq!(stack.titles().await.len(), 3);
}

#[tokio::test]
async fn defect_2_read_only_tool_calls_do_not_block_the_fallback() {
    // The model lists six times and gives up; nothing was changed, so the
    // builtin does what was asked.
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![calls(&[("list_tasks", "{}")]); 6]).await;
    let chat = chat_with_builtin(&stack, assistant(&llm, TIMEOUT), Routing::Llm);
    let answer = say(&chat, &stack, "add buy milk").await;
    assert!(answer.reply.starts_with(FALLBACK_NOTE), "{}", answer.reply);
    assert!(
        !answer.reply.contains("Before it stopped"),
        "{}",
        answer.reply
    );
    assert_eq!(stack.titles().await, ["Buy milk"]);
    // The model's listings stay on the record, then the builtin's one write.
    let tools: Vec<&str> = answer.actions.iter().map(|a| a.tool.as_str()).collect();
    assert_eq!(tools.last(), Some(&"add_task"), "{tools:?}");
    assert!(tools[..tools.len() - 1].iter().all(|t| *t == "list_tasks"));

    // A model that did change something is reported, not repeated.
    let llm = ScriptedLlm::start(vec![
        calls(&[("add_task", r#"{"title": "Call mom"}"#)]),
        status(500),
        status(500),
        status(500),
    ])
    .await;
    let chat = chat_with_builtin(&stack, assistant(&llm, TIMEOUT), Routing::Llm);
    let answer = say(&chat, &stack, "add call mom").await;
    assert!(
        answer.reply.contains("Before it stopped"),
        "{}",
        answer.reply
    );
    assert_eq!(stack.titles().await, ["Buy milk", "Call mom"]);
}

#[tokio::test]
async fn defect_3_requests_carry_max_tokens_a_low_temperature_and_stops() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![says(&["Hi."])]).await;
    stack
        .respond(&assistant(&llm, TIMEOUT), "hi", &Recorder::default())
        .await
        .unwrap();
    let request = &llm.requests()[0];
    assert_eq!(request["max_tokens"], todo_assistant::llm::MAX_TOKENS);
    assert!(request["temperature"].as_f64().unwrap() <= 0.3);
    let stops = request["stop"].as_array().unwrap();
    assert!(stops.iter().any(|s| s == "<|im_start|>"));
    assert!(stops.len() <= 4, "OpenAI takes at most four");

    // A provider that refuses them (reasoning models) is asked without.
    let refused = Scripted::Json(
        400,
        json!({"error": {"message": "Unsupported parameter: 'temperature' is not supported with this model.",
                         "type": "invalid_request_error"}}),
        vec![],
    );
    let llm = ScriptedLlm::start(vec![refused, says(&["Fine."]), says(&["Still fine."])]).await;
    let assistant = assistant(&llm, TIMEOUT);
    let reply = stack
        .respond(&assistant, "hi", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "Fine.");
    stack
        .respond(&assistant, "hi", &Recorder::default())
        .await
        .unwrap();
    let requests = llm.requests();
    assert!(requests[0].get("temperature").is_some());
    assert!(requests[1].get("temperature").is_none());
    assert!(requests[2].get("max_tokens").is_none(), "remembered");
}

#[tokio::test]
async fn defect_4_bad_replies_are_discarded_and_the_builtin_answers() {
    let stack = stack().await;
    let junk = [
        "Sure!<|im_start|>user\nadd buy milk",
        "You are the assistant of a todo list app. You manage the user's tasks",
        "Added \"Buy milk\" to your list.",
    ];
    for (index, text) in junk.iter().enumerate() {
        let llm = ScriptedLlm::start(vec![says(&[text])]).await;
        let chat = chat_with_builtin(&stack, assistant(&llm, TIMEOUT), Routing::Llm);
        let answer = say(&chat, &stack, "add buy milk").await;
        assert!(
            answer.reply.starts_with(FALLBACK_NOTE),
            "{text}: {}",
            answer.reply
        );
        assert!(!answer.reply.contains(text), "{}", answer.reply);
        // The builtin did what the model only claimed.
        assert_eq!(stack.titles().await.len(), index + 1);
    }
    // HTML entities (llama.cpp's Python server) are turned back.
    let llm = ScriptedLlm::start(vec![says(&["It&#39;s &quot;Buy milk&quot;."])]).await;
    let reply = stack
        .respond(&assistant(&llm, TIMEOUT), "which?", &Recorder::default())
        .await
        .unwrap();
    assert_eq!(reply.text, "It's \"Buy milk\".");
}

#[tokio::test]
async fn defect_5_everything_before_the_new_message_is_the_same_bytes_every_turn() {
    // The time sat ~76 tokens into the system prompt, so a provider's prefix
    // cache missed the rest of it and the tools on every turn. Two turns a
    // day and a few hours apart now send the same request up to the new
    // message, which carries the time.
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![says(&["One."]), says(&["Two."])]).await;
    let assistant = assistant(&llm, TIMEOUT);
    for now in ["2026-11-21T09:00:00Z", "2026-11-22T17:45:00Z"] {
        let mut state = json!({});
        let turn = todo_assistant::Turn {
            principal: stack.principal,
            now: now.parse().unwrap(),
            message: "hi",
            history: &[],
            state: &mut state,
            hint: "",
        };
        assistant
            .respond(turn, &stack.toolbox, &Recorder::default())
            .await
            .unwrap();
    }
    let mut requests = llm.requests();
    let news: Vec<Value> = requests
        .iter_mut()
        .map(|r| r["messages"].as_array_mut().unwrap().pop().unwrap())
        .collect();
    assert_eq!(requests[0].to_string(), requests[1].to_string());
    assert_ne!(news[0], news[1], "the time comes with the new message");
}

#[tokio::test]
async fn hybrid_routing_asks_the_model_only_what_the_builtin_does_not_understand() {
    let stack = stack().await;
    let llm = ScriptedLlm::start(vec![says(&["I can only help with your tasks."])]).await;
    let chat = chat_with_builtin(&stack, assistant(&llm, TIMEOUT), Routing::Hybrid);
    assert_eq!(chat.mode(), "hybrid");
    let answer = say(&chat, &stack, "add buy milk tomorrow").await;
    assert_eq!(answer.actions[0].tool, "add_task");
    assert!(llm.requests().is_empty(), "the builtin knew this one");
    let answer = say(&chat, &stack, "why is the sky blue? ask me friday #geo").await;
    assert_eq!(answer.reply, "I can only help with your tasks.");
    assert_eq!(llm.requests().len(), 1);
    // The model gets what the builtin could read, as a hint.
    let sent = llm.requests()[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        sent.contains("parser read: due=2") && sent.contains("tags=geo"),
        "{sent}"
    );
    // Builtin mode never asks the model.
    let chat = chat_with_builtin(&stack, assistant(&llm, TIMEOUT), Routing::Builtin);
    assert_eq!(chat.mode(), "builtin");
    say(&chat, &stack, "what is the capital of France").await;
    assert_eq!(llm.requests().len(), 1);
}

#[tokio::test]
async fn defect_6_tasks_are_named_by_title_and_ambiguity_lists_candidates() {
    let stack = stack().await;
    for title in ["Buy milk", "Milk the cow", "Pay rent"] {
        stack
            .toolbox
            .call(stack.principal, "add_task", json!({"title": title}))
            .await
            .unwrap();
    }
    let call = |tool: &'static str, args: Value| {
        let toolbox = stack.toolbox.clone();
        let principal = stack.principal;
        async move { toolbox.call(principal, tool, args).await }
    };
    let ambiguous = call("complete_task", json!({"task": "milk"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        ambiguous.contains("Buy milk") && ambiguous.contains("Milk the cow"),
        "{ambiguous}"
    );
    let done = call("complete_task", json!({"task": "buy milk"}))
        .await
        .unwrap();
    assert_eq!(done["task"]["completed"], true);
    let renamed = call(
        "update_task",
        json!({"task": "rent", "title": "Pay the rent"}),
    )
    .await
    .unwrap();
    assert_eq!(renamed["task"]["title"], "Pay the rent");
    let none = call("delete_task", json!({"task": "dentist"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(none.contains("no task matches"), "{none}");
    assert!(call("delete_task", json!({})).await.is_err());
    // The same title twice, one of them done: the pending one is meant.
    let again = call("add_task", json!({"title": "Buy milk"}))
        .await
        .unwrap();
    let done_again = call("complete_task", json!({"task": "Buy milk"}))
        .await
        .unwrap();
    assert_eq!(done_again["task"]["id"], again["task"]["id"]);
    assert_ne!(done_again["task"]["id"], done["task"]["id"]);
}

#[tokio::test]
async fn defect_7_one_refusal_to_stream_is_not_remembered_for_ten_minutes() {
    assert!(todo_assistant::llm::PLAIN_FOR <= Duration::from_secs(60));
    // The refusal is remembered for that long, then streaming is tried
    // again (shortened here: a test does not wait a minute).
    let stack = stack().await;
    let plain = |text: &str| {
        Scripted::Json(
            200,
            json!({"id": "x", "object": "chat.completion", "created": 1, "model": "m",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop"}]}),
            vec![],
        )
    };
    let llm = ScriptedLlm::start(vec![
        // Asked to stream, it answers plain JSON; asked again without.
        plain("ignored"),
        plain("One."),
        plain("Two."),
        says(&["Three."]),
    ])
    .await;
    let remembered = Duration::from_millis(500);
    let assistant = assistant(&llm, TIMEOUT).with_plain_for(remembered);
    let mut replies = Vec::new();
    for pause in [Duration::ZERO, Duration::ZERO, remembered * 2] {
        tokio::time::sleep(pause).await;
        let reply = stack
            .respond(&assistant, "hi", &Recorder::default())
            .await
            .unwrap();
        replies.push(reply.text);
    }
    assert_eq!(replies, ["One.", "Two.", "Three."]);
    let streamed: Vec<bool> = llm
        .requests()
        .iter()
        .map(|r| r.get("stream") == Some(&json!(true)))
        .collect();
    // Refused, asked plain, remembered, then forgotten once it expired.
    assert_eq!(streamed, [true, false, false, true]);
}
