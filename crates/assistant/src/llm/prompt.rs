//! What the model reads: the system prompt (the date, the time and the
//! user's time zone, the tools, the style), the conversation so far trimmed
//! to a budget, and the tools' definitions.

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionTool, ChatCompletionTools, FunctionCall,
    FunctionObject,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use todo_domain::chat::{Action, ChatMessage, Role};
use todo_services::Principal;

use super::transport::ToolCall;
use crate::tools::{self, ToolDefinition};

/// How much earlier conversation the model sees, in characters of the
/// messages as sent (about four characters a token): enough for the last
/// few exchanges, small enough for a 4k-token context with the tools.
pub const HISTORY_BUDGET_CHARS: usize = 6_000;
/// A replayed tool result longer than this is cut.
const REPLAYED_RESULT_CHARS: usize = 1_500;

/// The system prompt: the same bytes on every turn of every user. Chat
/// templates put the tools' schemas after it, and the conversation after
/// them, so a provider's prefix cache (llama.cpp's slot cache, OpenAI's
/// cached input) covers all of that; what changes every turn (the date, the
/// time, the zone, the builtin's hint) comes last, with the new message. The
/// tools are described by their schemas alone.
pub fn system_prompt() -> &'static str {
    "You are the assistant of a todo list app. You manage the user's tasks only through \
the tools, and answer from their results.\n\
\n\
Rules:\n\
- Replies are short (one or two sentences) and say exactly what changed, for example: \
Added \"Call mom\" for tomorrow at 18:00. Never say something changed unless a tool did it.\n\
- Refer to a task by its id, or by its title when you do not know the id. If a reference \
could mean more than one task, the tool answers with the candidates: ask which one.\n\
- Never delete or complete anything the user did not clearly ask for.\n\
- If a tool answers with an error, fix the arguments and call it again, or ask the user.\n\
- If the message is not about tasks, answer in one sentence and say what you can do.\n\
- Dates and times are in the user's time zone: pass words such as \"tomorrow 5pm\" or \
ISO dates to the tools."
}

/// The new message as the model reads it: the user's words, then the
/// [context](turn_context).
pub fn user_turn(message: &str, context: &str) -> String {
    format!("{message}\n\n({context})")
}

/// What changes every turn: the local date, time and zone, and what the
/// builtin assistant read of the message (a hint the model may use).
pub fn turn_context(principal: Principal, now: DateTime<Utc>, hint: &str) -> String {
    let tz = principal.timezone;
    let local = now.with_timezone(&tz.tz());
    let mut context = format!(
        "Now: {date}, {time} in the user's time zone, {zone} (UTC{offset}).",
        date = local.format("%A, %B %-d, %Y (%Y-%m-%d)"),
        time = local.format("%H:%M"),
        zone = tz.name(),
        offset = local.format("%:z"),
    );
    if !hint.trim().is_empty() {
        context.push_str(&format!(" The app's parser read: {hint}."));
    }
    context
}

pub fn system(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
        content: ChatCompletionRequestSystemMessageContent::Text(text),
        name: None,
    })
}

pub fn user(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
        content: ChatCompletionRequestUserMessageContent::Text(text.to_owned()),
        name: None,
    })
}

pub fn assistant_text(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
        content: Some(ChatCompletionRequestAssistantMessageContent::Text(
            text.to_owned(),
        )),
        ..Default::default()
    })
}

/// The assistant's turn that asked for tools.
pub fn assistant_calls(content: &str, calls: &[ToolCall]) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
        content: (!content.is_empty())
            .then(|| ChatCompletionRequestAssistantMessageContent::Text(content.to_owned())),
        tool_calls: Some(
            calls
                .iter()
                .map(|call| {
                    ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                        id: call.id.clone(),
                        function: FunctionCall {
                            name: call.name.clone(),
                            arguments: call.arguments.clone(),
                        },
                    })
                })
                .collect(),
        ),
        ..Default::default()
    })
}

pub fn tool_result(id: &str, content: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
        content: ChatCompletionRequestToolMessageContent::Text(content),
        tool_call_id: id.to_owned(),
    })
}

/// The stored conversation as the model expects it, oldest first. An
/// assistant message that used tools becomes its tool calls (with made-up
/// ids), their results, and then its text. Only the newest messages that fit
/// in `budget` characters are kept, starting at a user message.
pub fn history(messages: &[ChatMessage], budget: usize) -> Vec<ChatCompletionRequestMessage> {
    let groups: Vec<(Role, Vec<ChatCompletionRequestMessage>)> = messages
        .iter()
        .map(|message| (message.role, replay(message)))
        .collect();
    let mut used = 0;
    let mut start = groups.len();
    for (index, (_, group)) in groups.iter().enumerate().rev() {
        let size: usize = group.iter().map(size_of).sum();
        if used + size > budget {
            break;
        }
        used += size;
        start = index;
    }
    // The kept part must not open with an answer to a question it lost.
    while start < groups.len() && groups[start].0 != Role::User {
        start += 1;
    }
    groups
        .into_iter()
        .skip(start)
        .flat_map(|(_, group)| group)
        .collect()
}

fn replay(message: &ChatMessage) -> Vec<ChatCompletionRequestMessage> {
    match message.role {
        Role::User => vec![user(&message.content)],
        Role::Assistant => {
            // Only what the model could have called itself is replayed as
            // calls (the builtin's clearing of completed tasks is not a tool).
            let actions: Vec<&Action> = message
                .actions
                .iter()
                .filter(|a| tools::is_tool(&a.tool))
                .collect();
            if actions.is_empty() {
                return vec![assistant_text(&message.content)];
            }
            let calls: Vec<ToolCall> = actions
                .iter()
                .enumerate()
                .map(|(index, action)| ToolCall {
                    id: format!("call_{}_{}", message.id, index),
                    name: action.tool.clone(),
                    arguments: action.arguments.to_string(),
                })
                .collect();
            let mut out = vec![assistant_calls("", &calls)];
            for (call, action) in calls.iter().zip(&actions) {
                out.push(tool_result(
                    &call.id,
                    cut(action.result().to_string(), REPLAYED_RESULT_CHARS),
                ));
            }
            out.push(assistant_text(&message.content));
            out
        }
    }
}

fn size_of(message: &ChatCompletionRequestMessage) -> usize {
    serde_json::to_string(message).map_or(0, |s| s.len())
}

fn cut(text: String, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…(cut)", &text[..end]),
        None => text,
    }
}

/// The tools as Chat Completions declares them. References into `$defs` are
/// written out in place: small models and simple servers read flat schemas
/// better.
pub fn tools() -> Vec<ChatCompletionTools> {
    tools::definitions()
        .into_iter()
        .map(
            |ToolDefinition {
                 name,
                 description,
                 input_schema,
                 ..
             }| {
                ChatCompletionTools::Function(ChatCompletionTool {
                    function: FunctionObject {
                        name: name.to_owned(),
                        description: Some(description.to_owned()),
                        parameters: Some(inline_refs(input_schema)),
                        strict: None,
                    },
                })
            },
        )
        .collect()
}

fn inline_refs(mut schema: Value) -> Value {
    let defs = schema
        .as_object_mut()
        .and_then(|o| o.remove("$defs"))
        .and_then(|d| match d {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    resolve(schema, &defs, 0)
}

fn resolve(value: Value, defs: &Map<String, Value>, depth: usize) -> Value {
    match value {
        Value::Object(mut object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .and_then(|name| defs.get(name));
            if let (Some(target), true) = (target, depth < 8) {
                let mut inlined = resolve(target.clone(), defs, depth + 1);
                object.remove("$ref");
                if let Value::Object(extra) = &mut inlined {
                    // Keep the referring side's own keys, such as a description.
                    for (key, value) in object {
                        extra.entry(key).or_insert(value);
                    }
                }
                return inlined;
            }
            Value::Object(
                object
                    .into_iter()
                    .map(|(k, v)| (k, resolve(v, defs, depth)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| resolve(v, defs, depth)).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(id: i64, role: Role, content: &str, actions: Vec<Action>) -> ChatMessage {
        ChatMessage {
            id,
            role,
            content: content.into(),
            actions,
            created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn the_new_message_carries_the_local_date_time_zone_and_hint() {
        let principal = Principal {
            user_id: 1,
            timezone: todo_domain::TimeZone::parse("America/New_York").unwrap(),
        };
        let now = "2026-11-21T03:30:00Z".parse().unwrap();
        let message = user_turn("add milk", &turn_context(principal, now, "due=2026-11-21"));
        assert!(message.starts_with("add milk\n\n("), "{message}");
        assert!(
            message.contains("Friday, November 20, 2026 (2026-11-20)"),
            "{message}"
        );
        assert!(message.contains("22:30 in the user's time zone, America/New_York (UTC-05:00)"));
        assert!(message.contains("parser read: due=2026-11-21."));
        assert!(!turn_context(principal, now, "").contains("parser"));
        assert!(system_prompt().contains("ask which one"));
    }

    #[test]
    fn the_system_prompt_is_byte_stable() {
        // Defect 5: the time sat ~76 tokens into the system prompt, so every
        // turn recomputed the rest of it and the tools' schemas after it.
        // Now nothing before the new message changes between turns.
        for text in ["2026", "2027", "Now:", "time zone,", "UTC+"] {
            assert!(!system_prompt().contains(text), "{text}");
        }
    }

    #[test]
    fn schemas_have_no_references_left() {
        for tool in tools() {
            let text = serde_json::to_string(&tool).unwrap();
            assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
        }
        let update = serde_json::to_value(&tools()[4]).unwrap();
        assert_eq!(update["function"]["name"], "update_task");
        assert!(update["function"]["parameters"]["properties"]["priority"]
            .to_string()
            .contains("urgent"));
    }

    #[test]
    fn history_keeps_the_newest_messages_and_starts_with_the_user() {
        let long = "x".repeat(400);
        let messages: Vec<ChatMessage> = (0..10)
            .map(|i| {
                let role = if i % 2 == 0 {
                    Role::User
                } else {
                    Role::Assistant
                };
                message(i, role, &format!("{i} {long}"), vec![])
            })
            .collect();
        let kept = history(&messages, 1_500);
        let kept = serde_json::to_value(&kept).unwrap();
        let kept = kept.as_array().unwrap();
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert_eq!(kept[0]["role"], "user");
        assert!(kept[0]["content"].as_str().unwrap().starts_with("8 "));
        assert!(history(&messages, 100).is_empty());
        assert_eq!(history(&messages, usize::MAX).len(), 10);
    }

    #[test]
    fn actions_are_replayed_as_tool_calls_and_results() {
        let task = crate::tools::sample_task(7, "milk");
        let action = Action {
            tool: "add_task".into(),
            arguments: json!({"title": "milk"}),
            outcome: todo_domain::chat::Outcome::Added {
                task: Box::new(task.clone()),
            },
        };
        let messages = [
            message(1, Role::User, "add milk", vec![]),
            message(2, Role::Assistant, "Added \"milk\".", vec![action]),
        ];
        let replayed = serde_json::to_value(history(&messages, usize::MAX)).unwrap();
        assert_eq!(
            replayed,
            json!([
                {"role": "user", "content": "add milk"},
                {"role": "assistant", "tool_calls": [{"type": "function", "id": "call_2_0",
                    "function": {"name": "add_task", "arguments": "{\"title\":\"milk\"}"}}]},
                {"role": "tool", "tool_call_id": "call_2_0",
                    "content": json!({"task": task}).to_string()},
                {"role": "assistant", "content": "Added \"milk\"."},
            ])
        );
    }

    #[test]
    fn long_results_are_cut_at_a_character_boundary() {
        assert_eq!(cut("héllo".into(), 2), "hé…(cut)");
        assert_eq!(cut("hé".into(), 2), "hé");
    }
}
