//! The tags in use, with counts, for a signed-in user.

use todo_domain::tags::{TagList, TAGS_LISTED_MAX};

use crate::accounts::Principal;
use crate::error::ServiceResult;
use crate::Services;

impl Services {
    /// The tags on the caller's open tasks, by name, with how many open
    /// tasks carry each (bounded: see [`TagList`]).
    pub async fn list_tags(&self, principal: Principal) -> ServiceResult<TagList> {
        Ok(self
            .store
            .tag_counts(principal.user_id, TAGS_LISTED_MAX)
            .await?)
    }
}
