//! Sign-up, sign-in and the bearer tokens that follow: session JWTs (HS256,
//! signed with `JWT_SECRET`) and personal access tokens.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::Duration;
use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use todo_domain::account::{LoginRequest, Session, SignupRequest, User, UserId};
use todo_domain::TimeZone;

use crate::error::{AuthFailure, ServiceError, ServiceResult};
use crate::tokens::{hash_secret, TOKEN_PREFIX};
use crate::{blocking, Services};

/// Signing keys and session lifetime.
pub struct AuthConfig {
    encoding: EncodingKey,
    decoding: DecodingKey,
    session_ttl: Duration,
}

impl AuthConfig {
    pub fn new(secret: &[u8], session_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            session_ttl,
        }
    }
}

/// The caller of a request, as established from its bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub timezone: TimeZone,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The user's time zone, so that a request needs no lookup to read dates.
    tz: String,
    iat: i64,
    exp: i64,
}

/// Argon2id with OWASP's 7 MiB / 5 passes profile: as strong as the 19 MiB /
/// 2 passes one, with a third of the memory per concurrent sign-in, which
/// keeps the server's footprint small.
fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(7 * 1024, 5, 1, None).unwrap_or_default();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

fn hash_password(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        // Parameters come from the stored hash itself.
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

impl Services {
    pub async fn signup(&self, request: SignupRequest) -> ServiceResult<Session> {
        let account = request.validate()?;
        let password = account.password.clone();
        let hash = blocking(move || hash_password(&password)).await??;
        let user = self
            .store
            .insert_user(
                &account.email,
                &account.name,
                &hash,
                account.timezone,
                self.now(),
            )
            .await?;
        tracing::info!(user_id = user.id, "account created");
        self.session_for(user)
    }

    pub async fn login(&self, request: LoginRequest) -> ServiceResult<Session> {
        let email = request.email.trim().to_lowercase();
        let record = self.store.find_user_by_email(&email).await?;
        // Without an account, verify against a fixed hash anyway so the answer
        // takes as long and does not reveal which emails exist.
        let hash = record
            .as_ref()
            .map(|r| r.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_owned());
        let password = request.password;
        let valid = blocking(move || verify_password(&password, &hash)).await?;
        match record {
            Some(record) if valid => self.session_for(record.user),
            _ => Err(ServiceError::InvalidCredentials),
        }
    }

    pub async fn me(&self, principal: Principal) -> ServiceResult<User> {
        self.store
            .get_user(principal.user_id)
            .await?
            .ok_or(ServiceError::Unauthorized(AuthFailure::Revoked))
    }

    fn session_for(&self, user: User) -> ServiceResult<Session> {
        let now = self.now();
        let claims = Claims {
            sub: user.id.to_string(),
            tz: user.timezone.name().to_owned(),
            iat: now.timestamp(),
            exp: (now + self.auth.session_ttl).timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.auth.encoding)
            .map_err(|e| ServiceError::Internal(format!("signing a session failed: {e}")))?;
        Ok(Session { token, user })
    }

    /// Resolves a bearer token: a personal access token (`tdc_…`) or a session JWT.
    pub async fn authenticate(&self, bearer: &str) -> ServiceResult<Principal> {
        let bearer = bearer.trim();
        if bearer.is_empty() {
            return Err(ServiceError::Unauthorized(AuthFailure::Missing));
        }
        if bearer.starts_with(TOKEN_PREFIX) {
            let user = self
                .store
                .user_for_token(&hash_secret(bearer), self.now())
                .await?
                .ok_or(ServiceError::Unauthorized(AuthFailure::Revoked))?;
            return Ok(Principal {
                user_id: user.id,
                timezone: user.timezone,
            });
        }
        self.verify_session(bearer)
    }

    fn verify_session(&self, token: &str) -> ServiceResult<Principal> {
        // Only HS256 is accepted: `alg: none` and algorithm swaps fail here.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = decode::<Claims>(token, &self.auth.decoding, &validation).map_err(|e| {
            ServiceError::Unauthorized(match e.kind() {
                ErrorKind::ExpiredSignature => AuthFailure::Expired,
                _ => AuthFailure::Invalid,
            })
        })?;
        let user_id = data
            .claims
            .sub
            .parse()
            .map_err(|_| ServiceError::Unauthorized(AuthFailure::Invalid))?;
        let timezone = TimeZone::parse(&data.claims.tz).unwrap_or_default();
        Ok(Principal { user_id, timezone })
    }
}

/// A hash of a random password nobody knows, made with the same parameters
/// as real ones so that checking it costs the same.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let unknowable: [u8; 32] = rand::random();
        hash_password(&format!("{unknowable:?}")).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
    }

    #[test]
    fn the_dummy_hash_parses_and_matches_nothing_obvious() {
        assert!(PasswordHash::new(dummy_hash()).is_ok());
        assert!(dummy_hash().starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(!verify_password("", dummy_hash()));
        assert!(!verify_password("password", dummy_hash()));
    }
}
