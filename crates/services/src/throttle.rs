//! Sign-in throttling: each account and each client address may try a
//! limited number of sign-ins per window (GCRA: a burst of that many, then
//! one more each window / limit), after which they answer 429 with the wait.
//! Counted for unknown emails too, so the answer tells nothing of which exist.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use crate::error::{ServiceError, ServiceResult};

/// How many sign-ins an account and an address may try per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for SignInLimits {
    /// 10 per account and 100 per address every 15 minutes.
    fn default() -> Self {
        Self {
            per_account: 10,
            per_address: 100,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Keys kept before idle ones are dropped: bounds the memory an attacker
/// spraying emails or addresses can make the limiter hold.
const MAX_KEYS: usize = 100_000;

pub(crate) struct SignInThrottle {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
}

fn limiter<K: Hash + Eq + Clone>(limit: u32, window: Duration) -> DefaultKeyedRateLimiter<K> {
    let burst = NonZeroU32::new(limit.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = (window / burst.get()).max(Duration::from_millis(1));
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(burst))
        .allow_burst(burst);
    RateLimiter::keyed(quota)
}

fn check<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> ServiceResult<()> {
    if limiter.len() > MAX_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ServiceError::TooManyAttempts {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    })
}

impl SignInThrottle {
    pub(crate) fn new(limits: SignInLimits) -> Self {
        Self {
            accounts: limiter(limits.per_account, limits.window),
            addresses: limiter(limits.per_address, limits.window),
        }
    }

    /// Counts one sign-in attempt for `email` (normalised) from `address`.
    pub(crate) fn attempt(&self, email: &str, address: Option<IpAddr>) -> ServiceResult<()> {
        if let Some(address) = address {
            check(&self.addresses, &address)?;
        }
        check(&self.accounts, &email.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_and_address_gets_its_own_budget() {
        let throttle = SignInThrottle::new(SignInLimits {
            per_account: 2,
            per_address: 3,
            window: Duration::from_secs(600),
        });
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        let there = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(throttle.attempt("ada@example.com", here).is_ok());
        assert!(throttle.attempt("ada@example.com", there).is_ok());
        // Ada's account is out of attempts, from any address…
        match throttle.attempt("ada@example.com", there) {
            Err(ServiceError::TooManyAttempts { retry_after_secs }) => {
                assert!((1..=300).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("{other:?}"),
        }
        // …while Bob's is not; this address then runs out too.
        assert!(throttle.attempt("bob@example.com", here).is_ok());
        assert!(throttle.attempt("carol@example.com", here).is_ok());
        assert!(throttle.attempt("dan@example.com", here).is_err());
        assert!(throttle.attempt("dan@example.com", None).is_ok());
    }
}
