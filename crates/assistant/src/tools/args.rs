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
