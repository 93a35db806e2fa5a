//! Personal access tokens for MCP clients and scripts: a random secret shown
//! once, stored as its SHA-256 (the secret has 238 bits of entropy, so a
//! slow password hash would add nothing but latency to every request).

use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};
use todo_domain::token::{CreatedToken, TokenInfo};
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

fn token_info(record: TokenRecord) -> TokenInfo {
    TokenInfo {
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        created_at: record.created_at,
        last_used_at: record.last_used_at,
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
        todo_domain::text::check_no_control_characters("name", name, false)
            .map_err(ValidationErrors::from)?;
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
            info: token_info(record),
            token: secret,
        })
    }

    pub async fn list_tokens(&self, principal: Principal) -> ServiceResult<Vec<TokenInfo>> {
        Ok(self
            .store
            .list_tokens(principal.user_id)
            .await?
            .into_iter()
            .map(token_info)
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
