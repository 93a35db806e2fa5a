//! Personal access tokens for MCP clients and scripts: a random secret shown
//! once, stored as its SHA-256 (the secret has 238 bits of entropy, so a
//! slow password hash would add nothing but latency to every request).

use chrono::{DateTime, Utc};
use rand::distributions::{Alphanumeric, DistString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use todo_domain::{FieldError, ValidationErrors};
use todo_storage::TokenRecord;

use crate::accounts::Principal;
use crate::error::{ServiceError, ServiceResult};
use crate::Services;

/// Every personal access token starts with this, which tells them from JWTs
/// and lets secret scanners recognise them.
pub const TOKEN_PREFIX: &str = "tdc_";
const SECRET_CHARS: usize = 40;
const TOKEN_NAME_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// The start of the secret, e.g. `tdc_AbC1…`.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}

impl From<TokenRecord> for TokenInfo {
    fn from(record: TokenRecord) -> Self {
        TokenInfo {
            id: record.id,
            name: record.name,
            prefix: record.prefix,
            created_at: record.created_at,
            last_used_at: record.last_used_at,
        }
    }
}

pub(crate) fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Services {
    pub async fn create_token(
        &self,
        principal: Principal,
        name: &str,
    ) -> ServiceResult<CreatedToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > TOKEN_NAME_MAX_CHARS {
            return Err(ValidationErrors::from(FieldError::new(
                "name",
                "token_name_invalid",
                format!("a token needs a name of 1 to {TOKEN_NAME_MAX_CHARS} characters"),
            ))
            .into());
        }
        let secret = format!(
            "{TOKEN_PREFIX}{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), SECRET_CHARS)
        );
        let prefix = format!("{}…", &secret[..TOKEN_PREFIX.len() + 4]);
        let record = self
            .store
            .insert_token(
                principal.user_id,
                name,
                &prefix,
                &hash_secret(&secret),
                self.now(),
            )
            .await?;
        tracing::info!(
            user_id = principal.user_id,
            token_id = record.id,
            "personal access token created"
        );
        Ok(CreatedToken {
            info: record.into(),
            token: secret,
        })
    }

    pub async fn list_tokens(&self, principal: Principal) -> ServiceResult<Vec<TokenInfo>> {
        Ok(self
            .store
            .list_tokens(principal.user_id)
            .await?
            .into_iter()
            .map(TokenInfo::from)
            .collect())
    }

    pub async fn revoke_token(&self, principal: Principal, id: i64) -> ServiceResult<()> {
        if self.store.delete_token(principal.user_id, id).await? {
            tracing::info!(
                user_id = principal.user_id,
                token_id = id,
                "personal access token revoked"
            );
            Ok(())
        } else {
            Err(ServiceError::NotFound("token"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
