//! Password hashing (Argon2id) within a memory budget. Each check needs
//! [`HASH_MEMORY_BYTES`] of working memory: unbounded, a burst of anonymous
//! sign-ins would hold that much per request at once (64 wrong sign-ins took
//! ~490 MiB) and the allocator kept it afterwards. So checks take one of a
//! fixed number of slots, sized from the memory budget; a sign-in that finds
//! no free slot within the queue timeout answers 503 (`sign_in_busy`). A
//! check's working memory is mapped from the OS for it and unmapped after
//! it, so an idle server holds none of it (issue 12: it was 7 MiB of a
//! ~50 MB peak RSS).

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

use crate::error::{ServiceError, ServiceResult};

/// OWASP's 7 MiB / 5 passes profile: as strong as the 19 MiB / 2 passes one,
/// with a third of the memory per concurrent sign-in.
const MEMORY_KIB: u32 = 7 * 1024;
const PASSES: u32 = 5;
const OUTPUT_BYTES: usize = 32;
/// Working memory of one password check.
pub const HASH_MEMORY_BYTES: u64 = MEMORY_KIB as u64 * 1024;

/// How much password checking may run at once and how long a sign-in waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimits {
    /// Checks at once; each holds [`HASH_MEMORY_BYTES`].
    pub slots: usize,
    /// How long a sign-in or sign-up waits for a slot before answering 503.
    pub queue_timeout: Duration,
}

impl HashingLimits {
    /// As many slots as fit in `budget_bytes` (at least one).
    pub fn from_memory_budget(budget_bytes: u64, queue_timeout: Duration) -> Self {
        Self {
            slots: usize::try_from(budget_bytes / HASH_MEMORY_BYTES)
                .unwrap_or(usize::MAX)
                .max(1),
            queue_timeout,
        }
    }
}

impl Default for HashingLimits {
    /// 64 MiB (9 slots), 3 s: an eighth of the Helm chart's 512 MiB limit.
    fn default() -> Self {
        Self::from_memory_budget(64 << 20, Duration::from_secs(3))
    }
}

pub(crate) struct PasswordHashing {
    /// At most this many checks, each with its 7 MiB, exist at once.
    slots: Arc<Semaphore>,
    slot_count: usize,
    queue_timeout: Duration,
}

fn profile() -> Params {
    Params::new(MEMORY_KIB, PASSES, 1, Some(OUTPUT_BYTES)).unwrap_or_default()
}

impl PasswordHashing {
    pub(crate) fn new(limits: HashingLimits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.slots.max(1))),
            slot_count: limits.slots.max(1),
            queue_timeout: limits.queue_timeout,
        }
    }

    /// A PHC string (`$argon2id$v=19$m=7168,t=5,p=1$…`) for a new password.
    pub(crate) async fn hash(&self, password: String) -> ServiceResult<String> {
        self.with_memory(move |memory| hash_with(password.as_bytes(), memory))
            .await?
            .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
    }

    /// Whether `password` matches `stored`. Without a stored hash (no such
    /// account) it does the same work and answers false, so the time taken
    /// does not tell which emails exist.
    pub(crate) async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> ServiceResult<bool> {
        self.with_memory(move |memory| match stored {
            Some(stored) => verify_with(password.as_bytes(), &stored, memory),
            None => {
                let _ = hash_with(password.as_bytes(), memory);
                false
            }
        })
        .await
    }

    /// Waits (up to the queue timeout) for a slot, then runs `work` with
    /// working memory of its own on the blocking pool.
    async fn with_memory<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let permit = tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| ServiceError::Busy("sign_in_busy"))?
            .map_err(|_| ServiceError::Busy("sign_in_busy"))?;
        // Only a check that runs alone gives free memory back first: in a
        // burst every check would walk the arenas under their locks, and the
        // blocks of the checks already running are the peak anyway.
        let alone = self.slots.available_permits() + 1 == self.slot_count;
        crate::blocking(move || {
            if alone {
                return_free_memory();
            }
            let mut memory = WorkingMemory::map(profile().block_count())
                .map_err(|e| ServiceError::Internal(format!("password check memory: {e}")))?;
            let result = work(memory.blocks());
            // Unmapped before the slot is freed: at most `slots` exist at once.
            drop(memory);
            drop(permit);
            Ok(result)
        })
        .await?
    }
}

/// A check's working memory, mapped from the OS for it and unmapped after
/// it, whichever allocator and settings the binary runs with: mimalloc (the
/// musl image's) keeps freed large blocks for reuse by default (eight
/// sign-ins left 56 MiB resident on an idle server), and so does glibc
/// unless its mmap threshold is pinned.
struct WorkingMemory(memmap2::MmapMut);

impl WorkingMemory {
    fn map(blocks: usize) -> std::io::Result<Self> {
        memmap2::MmapMut::map_anon(blocks * Block::SIZE).map(Self)
    }

    fn blocks(&mut self) -> &mut [Block] {
        let count = self.0.len() / Block::SIZE;
        // SAFETY: the map is page-aligned (a Block needs 64 bytes), holds
        // `count` whole blocks, is zeroed by the OS and borrowed mutably with
        // `self`; a Block is 128 plain u64 words, valid for any bytes.
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast::<Block>(), count) }
    }
}

impl Drop for WorkingMemory {
    /// Derived from the password: wiped before the pages go back (black_box:
    /// the stores are not dropped as dead before the unmap).
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&mut self.0);
    }
}

/// Gives the allocator's free pages back to the OS before a check maps its
/// 7 MiB (issue 12: peak RSS). Under load glibc's arenas keep pages that
/// requests freed (they only give back the free space at their top), and a
/// check's block then adds to them: that sum was the server's peak.
/// Trimming walks the arenas' free lists, well under a millisecond beside
/// the check's tens of milliseconds, and only the pages freed are given back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_free_memory() {
    // SAFETY: malloc_trim only releases free memory; it takes each arena's
    // lock like any allocation does.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_free_memory() {}

fn hash_with(
    password: &[u8],
    memory: &mut [Block],
) -> Result<String, argon2::password_hash::Error> {
    let params = profile();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let blocks = params.block_count();
    let output =
        Output::init_with(OUTPUT_BYTES, |out| {
            Ok(argon2.hash_password_into_with_memory(
                password,
                raw_salt,
                out,
                &mut memory[..blocks],
            )?)
        })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Checks against the parameters stored in the hash itself; a hash made
/// with more memory than today's profile gets an allocation of its own.
fn verify_with(password: &[u8], stored: &str, memory: &mut [Block]) -> bool {
    let mut check = || -> Result<bool, argon2::password_hash::Error> {
        let parsed = PasswordHash::new(stored)?;
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let mut salt_bytes = [0u8; 64];
        let raw_salt = salt.decode_b64(&mut salt_bytes)?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let blocks = params.block_count();
        let actual = Output::init_with(expected.len(), |out| {
            match memory.get_mut(..blocks) {
                Some(memory) => {
                    argon2.hash_password_into_with_memory(password, raw_salt, out, memory)?
                }
                None => argon2.hash_password_into(password, raw_salt, out)?,
            }
            Ok(())
        })?;
        // Output's equality is constant-time.
        Ok(actual == expected)
    };
    check().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::{PasswordHasher, PasswordVerifier};

    fn memory() -> Vec<Block> {
        vec![Block::default(); profile().block_count()]
    }

    #[test]
    fn hashes_verify_and_are_argon2id_with_the_profile() {
        let hash = hash_with(b"correct horse battery", &mut memory()).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(verify_with(b"correct horse battery", &hash, &mut memory()));
        assert!(!verify_with(b"wrong horse battery", &hash, &mut memory()));
        assert!(!verify_with(b"", "not a hash", &mut memory()));
        // The argon2 crate's own verifier agrees: the format is standard.
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
    }

    #[test]
    fn hashes_made_elsewhere_with_other_parameters_still_verify() {
        // The crate's default profile (19 MiB, 2 passes): more memory than a slot holds.
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(b"s3cret", &salt)
            .unwrap()
            .to_string();
        assert!(verify_with(b"s3cret", &hash, &mut memory()));
        assert!(!verify_with(b"s3cre7", &hash, &mut memory()));
    }

    #[test]
    fn slots_come_from_the_memory_budget() {
        let timeout = Duration::from_secs(1);
        assert_eq!(
            HashingLimits::from_memory_budget(64 << 20, timeout).slots,
            9
        );
        assert_eq!(HashingLimits::from_memory_budget(1, timeout).slots, 1);
        assert_eq!(HashingLimits::default().slots, 9);
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy() {
        let hashing = PasswordHashing::new(HashingLimits {
            slots: 1,
            queue_timeout: Duration::from_millis(1),
        });
        let held = hashing.slots.clone().acquire_owned().await.unwrap();
        let refused = hashing.hash("pw".into()).await.unwrap_err();
        assert!(
            matches!(refused, ServiceError::Busy("sign_in_busy")),
            "{refused:?}"
        );
        drop(held);
        let hash = hashing.hash("pw".into()).await.unwrap();
        // Made in mapped working memory, the hash is the standard one.
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default().verify_password(b"pw", &parsed).is_ok());
        assert!(hashing.verify("pw".into(), Some(hash)).await.unwrap());
        assert!(!hashing.verify("pw".into(), None).await.unwrap());
    }
}
