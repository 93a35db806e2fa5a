//! What the builtin assistant remembers between turns. It lives in the
//! conversation's `state` (under the `builtin` key, so another assistant's
//! keys survive a fallback turn); the server holds nothing in memory.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::intent::Op;

const KEY: &str = "builtin";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// The ids of the tasks last shown, in the order shown: "the second one".
    #[serde(default, deserialize_with = "lenient")]
    pub listed: Vec<i64>,
    /// The task the conversation last touched: "it", "that".
    #[serde(default, deserialize_with = "lenient")]
    pub last: Option<i64>,
    /// A question waiting for its answer.
    #[serde(default, deserialize_with = "lenient")]
    pub pending: Option<Pending>,
}

/// A question the assistant asked and what it will do with the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pending {
    /// "Which one do you mean?": `op` runs on the task the user picks.
    Choose { op: Op, candidates: Vec<Candidate> },
    /// "Delete all N completed tasks?": only "yes" goes ahead.
    ConfirmClear,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: i64,
    pub title: String,
}

/// A field that fails to read (old or foreign state) falls back to its
/// default instead of failing the whole turn.
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

impl Memory {
    /// Reads the memory from a conversation's state; anything unreadable is
    /// the empty memory.
    pub fn load(state: &Value) -> Self {
        state
            .get(KEY)
            .and_then(|v| Memory::deserialize(v).ok())
            .unwrap_or_default()
    }

    /// Writes the memory back, keeping the state's other keys.
    pub fn save(&self, state: &mut Value) {
        if !state.is_object() {
            *state = Value::Object(serde_json::Map::new());
        }
        if let (Some(object), Ok(value)) = (state.as_object_mut(), serde_json::to_value(self)) {
            object.insert(KEY.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn old_or_broken_state_reads_as_defaults() {
        assert_eq!(Memory::load(&json!(null)), Memory::default());
        assert_eq!(Memory::load(&json!({})), Memory::default());
        assert_eq!(Memory::load(&json!({"builtin": 3})), Memory::default());
        let odd =
            json!({"builtin": {"listed": "x", "last": 4, "pending": {"kind": "nope"}, "extra": 1}});
        let memory = Memory::load(&odd);
        assert_eq!(memory.listed, Vec::<i64>::new());
        assert_eq!(memory.last, Some(4));
        assert_eq!(memory.pending, None);
    }

    #[test]
    fn saving_keeps_other_keys_and_round_trips() {
        let mut state = json!({"llm": {"x": 1}});
        let memory = Memory {
            listed: vec![3, 1],
            last: Some(1),
            pending: Some(Pending::ConfirmClear),
        };
        memory.save(&mut state);
        assert_eq!(state["llm"]["x"], 1);
        assert_eq!(Memory::load(&state), memory);
        let mut not_object = json!([1]);
        memory.save(&mut not_object);
        assert_eq!(Memory::load(&not_object), memory);
    }
}
