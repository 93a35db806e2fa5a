//! What the tools' arguments share. Each tool's own argument type sits in
//! its file; their JSON Schemas, generated from the types, are what the LLM
//! and MCP clients see, and unknown fields are refused. Optional fields are
//! left out rather than `null` (the schemas have no nullable unions; `null`
//! is still read as absent). A task is named by `id` or, when the caller
//! does not know it, by `task` (its title or a part of it), resolved on the
//! server.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use todo_domain::DueFilter;

/// The domain's own values: what a tool is given is what the services take.
pub use todo_domain::{Priority as PriorityArg, SortKey as SortArg, StatusFilter as StatusArg};

// `DueFilter` without its variants' documentation, which would turn the
// schema's plain `enum` into a `oneOf` that small models read badly (and a
// comment, not documentation, which the schema would carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DueArg {
    Today,
    Overdue,
    Week,
    None,
}

impl From<DueArg> for DueFilter {
    fn from(due: DueArg) -> Self {
        match due {
            DueArg::Today => DueFilter::Today,
            DueArg::Overdue => DueFilter::Overdue,
            DueArg::Week => DueFilter::Week,
            DueArg::None => DueFilter::None,
        }
    }
}

/// A value the model writes as text and an in-process caller (the builtin
/// assistant) hands over already read: the tool reads text once, and takes
/// a read value as it is. On the wire it is the text either way — a read
/// value in the API's spelling, an empty string to remove it — so the
/// schema (declare the field `#[schemars(with = "Option<String>")]`), the
/// recorded arguments and MCP see the string they always did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said<T> {
    /// As the model wrote it: words, a date, an RRULE…
    Text(String),
    /// Already read.
    Value(T),
    /// Remove it (an empty string).
    Clear,
}

/// How a read value is written in the tools' arguments.
pub trait Spelling {
    fn spelling(&self) -> String;
}

impl Spelling for todo_domain::Due {
    fn spelling(&self) -> String {
        self.to_string()
    }
}

impl Spelling for todo_domain::Recurrence {
    fn spelling(&self) -> String {
        self.as_str().to_owned()
    }
}

impl<T: Spelling> Serialize for Said<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Said::Text(text) => serializer.serialize_str(text),
            Said::Value(value) => serializer.serialize_str(&value.spelling()),
            Said::Clear => serializer.serialize_str(""),
        }
    }
}

impl<'de, T> Deserialize<'de> for Said<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(if text.trim().is_empty() {
            Said::Clear
        } else {
            Said::Text(text)
        })
    }
}
