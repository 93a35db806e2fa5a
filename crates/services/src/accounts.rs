//! Sign-up, sign-in and the bearer tokens that follow: session JWTs (HS256,
//! signed with `JWT_SECRET`) and personal access tokens.

use chrono::Duration;
use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use todo_domain::account::{LoginRequest, Session, SignupRequest, User, UserId};
use todo_domain::TimeZone;

use crate::error::{AuthFailure, ServiceError, ServiceResult};
use crate::passwords::{HashingLimits, PasswordHashing};
use crate::throttle::{SignInLimits, SignInThrottle};
use crate::tokens::{hash_secret, TOKEN_PREFIX};
use crate::Services;

/// Signing keys, session lifetime and password hashing.
pub struct AuthConfig {
    encoding: EncodingKey,
    decoding: DecodingKey,
    session_ttl: Duration,
    pub(crate) passwords: PasswordHashing,
    throttle: SignInThrottle,
}

impl AuthConfig {
    pub fn new(secret: &[u8], session_ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            session_ttl,
            passwords: PasswordHashing::new(HashingLimits::default()),
            throttle: SignInThrottle::new(SignInLimits::default()),
        }
    }

    /// Limits sign-in attempts per account and per client address.
    pub fn with_sign_in_limits(mut self, limits: SignInLimits) -> Self {
        self.throttle = SignInThrottle::new(limits);
        self
    }

    /// Bounds concurrent password checks (see [`HashingLimits`]).
    pub fn with_hashing(mut self, limits: HashingLimits) -> Self {
        self.passwords = PasswordHashing::new(limits);
        self
    }
}

/// What a credential may do. Personal access tokens (MCP clients, scripts)
/// reach tasks and chat; managing tokens and the account takes a session,
/// so a leaked token cannot mint more tokens and outlive its revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    TasksAndChat,
    Account,
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

impl Services {
    pub async fn signup(&self, request: SignupRequest) -> ServiceResult<Session> {
        let account = request.validate()?;
        // Here rather than in the domain's check: the list would weigh
        // a megabyte in the web UI.
        if crate::common_passwords::is_common(&account.password) {
            return Err(todo_domain::ValidationErrors::single(
                "password",
                "password_common",
                "this password is among the most common ones; choose another",
            )
            .into());
        }
        let hash = self.auth.passwords.hash(account.password.clone()).await?;
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

    /// Signs in `request` coming from `client` (its address, when known,
    /// for throttling).
    pub async fn login(
        &self,
        request: LoginRequest,
        client: Option<std::net::IpAddr>,
    ) -> ServiceResult<Session> {
        // Checked like at sign-up, so no odd byte reaches the database.
        let email = todo_domain::account::normalize_email(&request.email)
            .map_err(todo_domain::ValidationErrors::from)?;
        self.auth.throttle.attempt(&email, client)?;
        let record = self.store.find_user_by_email(&email).await?;
        // Without an account the check does the same work anyway, so the
        // answer takes as long and does not reveal which emails exist.
        let hash = record.as_ref().map(|r| r.password_hash.clone());
        let valid = self.auth.passwords.verify(request.password, hash).await?;
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
        self.authorize(bearer, Scope::TasksAndChat).await
    }

    /// [`Services::authenticate`], for something that needs `scope`.
    pub async fn authorize(&self, bearer: &str, scope: Scope) -> ServiceResult<Principal> {
        let bearer = bearer.trim();
        if bearer.is_empty() {
            return Err(ServiceError::Unauthorized(AuthFailure::Missing));
        }
        if bearer.starts_with(TOKEN_PREFIX) {
            if scope != Scope::TasksAndChat {
                return Err(ServiceError::OutOfScope);
            }
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
        let principal = self.verify_session(bearer)?;
        self.check_session_user(principal).await
    }

    /// [`Services::authenticate`] for a request whose own statements show
    /// whether the account still exists: [`Services::list_tasks`] and a chat
    /// turn ([`Services::open_conversation`]). A session then costs no
    /// lookup of its own, which was a round trip in every such request; a
    /// deleted account's session still gets 401 at once, on every replica.
    /// (Not an in-process cache of users: a deletion on another replica
    /// would go unseen until it expired.) The time zone is the session's
    /// claim, which is the stored zone: no path changes a zone after
    /// sign-up (one that does must also re-issue the session).
    pub async fn authenticate_checked_by_request(&self, bearer: &str) -> ServiceResult<Principal> {
        let bearer = bearer.trim();
        if bearer.is_empty() || bearer.starts_with(TOKEN_PREFIX) {
            // A token's lookup reads its user in the same statement.
            return self.authenticate(bearer).await;
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

    /// A session outlives nothing: its user must still exist (a deleted
    /// account's sessions answer 401, not an empty list or a 500 on write).
    /// The account a local command (`todo chat` without a server) acts for:
    /// the one with `email`, or the only one there is.
    pub async fn local_account(&self, email: Option<&str>) -> ServiceResult<Option<Principal>> {
        Ok(self
            .store
            .local_account(email)
            .await?
            .map(|user| Principal {
                user_id: user.id,
                timezone: user.timezone,
            }))
    }

    /// 401 unless the principal's account still exists: for a request whose
    /// statements could not tell (an empty listing, a conversation not found).
    pub(crate) async fn check_account(&self, principal: Principal) -> ServiceResult<()> {
        self.check_session_user(principal).await.map(drop)
    }

    async fn check_session_user(&self, principal: Principal) -> ServiceResult<Principal> {
        match self.store.get_user(principal.user_id).await? {
            Some(user) => Ok(Principal {
                user_id: user.id,
                timezone: user.timezone,
            }),
            None => Err(ServiceError::Unauthorized(AuthFailure::Revoked)),
        }
    }
}
