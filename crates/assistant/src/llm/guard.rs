//! What a model's reply must pass before the user sees it. Small models (and
//! misconfigured servers) write chat-template markers, repeat the system
//! prompt, or say they added a task without calling a tool; such a reply is
//! discarded and the builtin assistant answers. HTML entities (llama.cpp's
//! Python server escapes messages) are turned back into characters.

use std::sync::LazyLock;

use regex::Regex;
use todo_domain::chat::Action;

static TEMPLATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)<\|[a-z_ ]{1,30}\|>|</?(start_of_turn|end_of_turn|bos|eos|s)>|\[/?INST\]|<</?SYS>>|^\s*(system|assistant|model)\s*\n",
    )
    .ok()
});

/// "Added …", "I've deleted …", "has been marked as done", not "I haven't
/// added …" or "Shall I add …?".
static CLAIM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let verbs = "added|created|completed|deleted|removed|updated|renamed|changed|moved|rescheduled|marked|tagged|scheduled|set";
    Regex::new(&format!(
        r"(?i)(^|[.!]\s+)({verbs})\b|\bi(\s+have|'ve)?\s+(just\s+)?({verbs})\b|\b(has|have)\s+been\s+({verbs})\b|^\s*done\b"
    ))
    .ok()
});

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Lines of the prompt (the system prompt, the turn's context) long enough
/// that a reply holding one copied it rather than said it.
fn echoes(reply: &str, prompt: &str) -> bool {
    let reply = reply.to_lowercase();
    prompt
        .lines()
        .map(|line| line.trim().trim_start_matches('('))
        .map(|line| line.trim().trim_start_matches("- ").to_lowercase())
        .filter(|line| line.chars().count() >= 32)
        .any(|line| {
            let head: String = line.chars().take(32).collect();
            reply.contains(&head)
        })
}

/// The reply as the user should see it, or why it must be discarded;
/// `prompt` is what the model was told (system prompt and turn context).
pub fn check(text: &str, actions: &[Action], prompt: &str) -> Result<String, String> {
    let text = unescape(text.trim());
    if TEMPLATE.as_ref().is_some_and(|re| re.is_match(&text)) {
        return Err("it holds chat-template markers".into());
    }
    if echoes(&text, prompt) {
        return Err("it repeats the prompt".into());
    }
    let changed = actions.iter().any(Action::is_write);
    if !changed && CLAIM.as_ref().is_some_and(|re| re.is_match(&text)) {
        return Err("it says something changed, but no tool changed anything".into());
    }
    if text.is_empty() {
        return Err("it is empty".into());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SYSTEM: &str = "You are the assistant of a todo list app. You manage the user's tasks only through the tools below.\n- Never guess for complete_task, delete_task or update_task.";

    fn action(tool: &str, ok: bool) -> Action {
        let result = if tool == "list_tasks" {
            json!({"tasks": [], "total": 0})
        } else if ok {
            json!({"task": crate::tools::sample_task(1, "Milk")})
        } else {
            json!({"error": "no"})
        };
        serde_json::from_value(json!({"tool": tool, "arguments": {}, "ok": ok, "result": result}))
            .unwrap()
    }

    #[test]
    fn plain_answers_pass_and_entities_are_read() {
        assert_eq!(
            check("You have 2 tasks.", &[], SYSTEM).unwrap(),
            "You have 2 tasks."
        );
        assert_eq!(
            check("Call &quot;mom&quot; isn&#39;t done", &[], SYSTEM).unwrap(),
            "Call \"mom\" isn't done"
        );
        assert!(check("I haven't added anything yet. Shall I add it?", &[], SYSTEM).is_ok());
        assert!(check("Nothing is set for today.", &[], SYSTEM).is_ok());
    }

    #[test]
    fn template_markers_and_echoes_are_refused() {
        assert!(check("Sure<|im_start|>user\nadd", &[], SYSTEM).is_err());
        assert!(check("<start_of_turn>model hi", &[], SYSTEM).is_err());
        assert!(check("[INST] hi [/INST]", &[], SYSTEM).is_err());
        assert!(check(
            "you are the assistant of a todo list app. You manage",
            &[],
            SYSTEM
        )
        .is_err());
        assert!(check("", &[], SYSTEM).is_err());
        // Seen from Gemma 3 270M: the user's turn, context and all.
        let prompt = format!("{SYSTEM}\n(Now: Saturday, November 21, 2026 (2026-11-21), 10:00 in the user's time zone)");
        let echo =
            "delet task 1\ndelet task 2\n\n(Now: Saturday, November 21, 2026 (2026-11-21), 10:00";
        assert!(check(echo, &[], &prompt).is_err());
    }

    #[test]
    fn claims_need_a_successful_write() {
        let claims = [
            "Added \"Buy milk\".",
            "I've added it.",
            "I have deleted the task.",
            "OK. Marked as done.",
            "The task has been completed.",
            "Done!",
        ];
        for claim in claims {
            assert!(check(claim, &[], SYSTEM).is_err(), "{claim}");
            assert!(
                check(claim, &[action("list_tasks", true)], SYSTEM).is_err(),
                "{claim}"
            );
            assert!(
                check(claim, &[action("add_task", false)], SYSTEM).is_err(),
                "{claim}"
            );
            assert!(
                check(claim, &[action("add_task", true)], SYSTEM).is_ok(),
                "{claim}"
            );
        }
    }
}
