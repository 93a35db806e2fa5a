//! Accounts: the rules for sign-up fields. Hashing and tokens live with the
//! services; only what a form can check without I/O is here.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ValidationErrors};
use crate::text::check_no_control_characters;
use crate::time::TimeZone;

pub type UserId = i64;

pub const PASSWORD_MIN_CHARS: usize = 8;
/// Bounds the work of hashing a hostile input.
pub const PASSWORD_MAX_CHARS: usize = 1024;
pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    /// IANA time zone name, e.g. `Europe/Paris`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub timezone: TimeZone,
}

/// What sign-up and sign-in answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub token: String,
    pub user: User,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    pub name: String,
    /// IANA time zone name; UTC when absent.
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A validated sign-up; the password is still plain text, to be hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub name: String,
    pub timezone: TimeZone,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("name", &self.name)
            .field("timezone", &self.timezone)
            .finish()
    }
}

/// Lowercases and checks the shape of an address: one `@`, a dotted domain,
/// no spaces. Whether it receives mail is not ours to know.
pub fn normalize_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    let invalid = || {
        FieldError::new(
            "email",
            "email_invalid",
            format!("'{}' is not an email address", raw.trim()),
        )
    };
    if email.chars().count() > EMAIL_MAX_CHARS
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid());
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

pub fn check_password(password: &str) -> Result<(), FieldError> {
    check_no_control_characters("password", password, false)?;
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            "password",
            "password_too_short",
            format!("the password needs at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(
            "password",
            "password_too_long",
            format!("the password may have at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    check_no_control_characters("name", name, false)?;
    if name.is_empty() {
        return Err(FieldError::new(
            "name",
            "name_empty",
            "the name cannot be empty",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(
            "name",
            "name_too_long",
            format!("the name may have at most {NAME_MAX_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

impl SignupRequest {
    pub fn validate(self) -> Result<NewAccount, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = errors.collect(normalize_email(&self.email));
        errors.collect(check_password(&self.password));
        let name = errors.collect(parse_name(&self.name));
        let timezone = match self
            .timezone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => errors.collect(TimeZone::parse(raw)),
            None => Some(TimeZone::UTC),
        };
        match (email, name, timezone) {
            (Some(email), Some(name), Some(timezone)) if errors.is_empty() => Ok(NewAccount {
                email,
                password: self.password,
                name,
                timezone,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@@example.com",
            "ada@.com",
        ] {
            assert_eq!(
                normalize_email(bad).unwrap_err().code,
                "email_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn signup_reports_each_field() {
        let errors = SignupRequest {
            email: "nope".into(),
            password: "short".into(),
            name: " ".into(),
            timezone: Some("Nowhere/City".into()),
        }
        .validate()
        .unwrap_err();
        let codes: Vec<_> = errors.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "email_invalid",
                "password_too_short",
                "name_empty",
                "timezone_invalid"
            ]
        );
    }

    #[test]
    fn debug_output_hides_the_password() {
        let account = SignupRequest {
            email: "ada@example.com".into(),
            password: "correct horse".into(),
            name: "Ada".into(),
            timezone: None,
        }
        .validate()
        .unwrap();
        assert!(!format!("{account:?}").contains("correct horse"));
    }
}
