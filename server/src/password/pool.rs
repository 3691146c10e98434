//! The bounded hashing pool. A fixed number of threads (the cores) hash and
//! verify; requests wait in a bounded queue instead of each taking a thread,
//! so a burst of sign-ins neither blocks the async runtime nor multiplies
//! argon2's 19 MiB per hash into an out-of-memory kill. When the queue is
//! full, a request is refused at once (`Busy`: 503 with Retry-After) rather
//! than waiting seconds behind a flood.

use super::{Password, Verification, hash_now, verify_now};
use crate::domain::{Error, PasswordHash};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

type Job = Box<dyn FnOnce() + Send>;

/// Every hashing thread is busy and the queue is full.
#[derive(Debug, thiserror::Error)]
#[error("every hashing thread is busy and the queue is full")]
pub struct Busy;

/// What an unknown account's password is checked against: the current
/// parameters and a 32-byte digest, so the work is a real check's, and a
/// digest no password is known to give (the answer is thrown away anyway).
/// Written out rather than computed at start-up, which held 19 MiB more
/// of memory for nothing.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$Z2F0ZWhvdXNlLWR1bW15IQ$bm8gcGFzc3dvcmQgaGFzIHRoaXMgZGlnZXN0LCBvaz8";

/// How long a shed caller is asked to wait.
const BUSY_RETRY_AFTER: i64 = 2;

impl From<Busy> for Error {
    fn from(_: Busy) -> Self {
        Error::Unavailable {
            retry_after: BUSY_RETRY_AFTER,
        }
    }
}

/// Lowers this thread's scheduling priority (nice 10): while sign-ins
/// keep every core hashing, a page view, a token refresh or a probe still
/// gets a core at once, and the sign-ins queue instead of every request
/// slowing. The hashing threads lose nothing when the cores are otherwise
/// idle. On Linux, `setpriority` with 0 names the calling thread only.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority reads only its integer arguments.
        let status = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
        if status != 0 {
            tracing::debug!("hashing thread keeps its priority");
        }
    }
}

/// Cloning shares the pool.
#[derive(Clone)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    threads: usize,
    /// Verified against when an account does not exist, so a sign-in for an
    /// unknown email costs the same as one for a known email.
    dummy: Arc<PasswordHash>,
    /// Passwords checked (real or dummy) since start: what a throttle lets
    /// through, as the tests and benchmarks count it.
    checked: Arc<AtomicU64>,
}

impl Hasher {
    /// `threads` hashing threads, with room for `queue` waiting jobs.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        let (tx, rx) = mpsc::channel::<Job>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = rx.lock().expect("hash queue lock").blocking_recv();
                        match job {
                            Some(job) => job(),
                            None => break,
                        }
                    }
                })
                .expect("spawn hashing thread");
        }
        let dummy = Arc::new(PasswordHash::from_phc(DUMMY.into()));
        Self {
            jobs: tx,
            threads,
            dummy,
            checked: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Checks waiting for a hashing thread now.
    pub fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Whether a check could take a place in the queue now.
    pub fn has_room(&self) -> bool {
        self.jobs.capacity() > 0
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Passwords checked since start.
    pub fn checked(&self) -> u64 {
        self.checked.load(Ordering::Relaxed)
    }

    /// A place in the queue, or `Busy` at once.
    pub fn slot(&self) -> Result<Slot, Busy> {
        let permit = self.jobs.clone().try_reserve_owned().map_err(|_| Busy)?;
        Ok(Slot {
            permit,
            checked: self.checked.clone(),
            dummy: self.dummy.clone(),
        })
    }

    pub async fn hash(&self, password: Password) -> Result<PasswordHash, Busy> {
        Ok(self.slot()?.run(move || hash_now(password.as_str())).await)
    }

    pub async fn verify(
        &self,
        password: Password,
        stored: PasswordHash,
    ) -> Result<Verification, Busy> {
        Ok(self.slot()?.verify(password, stored).await)
    }
}

/// A reserved place in the hashing queue: the job it runs cannot be shed.
/// Dropped unused, the place is free again.
pub struct Slot {
    permit: mpsc::OwnedPermit<Job>,
    checked: Arc<AtomicU64>,
    dummy: Arc<PasswordHash>,
}

impl Slot {
    async fn run<R: Send + 'static>(self, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (tx, rx) = oneshot::channel();
        self.permit.send(Box::new(move || {
            let _ = tx.send(f());
        }));
        rx.await
            .expect("hashing threads run for the life of the process")
    }

    pub async fn verify(self, password: Password, stored: PasswordHash) -> Verification {
        let checked = self.checked.clone();
        self.run(move || {
            checked.fetch_add(1, Ordering::Relaxed);
            verify_now(password.as_str(), &stored)
        })
        .await
    }

    /// Spends the same work as a real verification and always fails.
    pub async fn verify_dummy(self, password: Password) {
        let dummy = (*self.dummy).clone();
        self.verify(password, dummy).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHasher as _, SaltString};
    use argon2::{Algorithm, Argon2, Params, Version};

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_fail() {
        let hasher = Hasher::new(2, 8);
        let hash = hasher
            .hash(Password::new("correct horse battery".into()))
            .await
            .unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(matches!(
            hasher
                .verify(Password::new("correct horse battery".into()), hash.clone())
                .await
                .unwrap(),
            Verification::Valid { rehashed: None }
        ));
        assert!(matches!(
            hasher
                .verify(Password::new("wrong".into()), hash)
                .await
                .unwrap(),
            Verification::Invalid
        ));
        assert_eq!(
            format!("{:?}", PasswordHash::from_phc("secret".into())),
            "PasswordHash(..)"
        );
    }

    /// An unknown account costs a real check at today's parameters.
    #[tokio::test]
    async fn the_dummy_costs_a_current_check() {
        let hasher = Hasher::new(1, 8);
        let current = hasher.hash(Password::new("x".into())).await.unwrap();
        let params = |phc: &str| phc.split('$').nth(3).unwrap().to_string();
        assert_eq!(params(DUMMY), params(current.as_str()));
        assert_eq!(DUMMY.len(), current.as_str().len());
        let before = hasher.checked();
        hasher
            .slot()
            .unwrap()
            .verify_dummy(Password::new("anything".into()))
            .await;
        assert_eq!(hasher.checked(), before + 1);
    }

    #[tokio::test]
    async fn weaker_hashes_are_upgraded_on_verify() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let stored = PasswordHash::from_phc(
            weak.hash_password(b"old secret words", &salt)
                .unwrap()
                .to_string(),
        );
        match Hasher::new(1, 8)
            .verify(Password::new("old secret words".into()), stored)
            .await
            .unwrap()
        {
            Verification::Valid {
                rehashed: Some(new),
            } => assert!(new.as_str().contains("m=19456,t=2,p=1")),
            _ => panic!("expected a valid password with a rehash"),
        }
    }

    /// One thread checks hashes of different sizes in turn: its kept work
    /// memory, grown for one and reused by the next, never lets a wrong
    /// password through or a right one fail; a hash costlier than what is
    /// kept is checked in memory of its own.
    #[tokio::test]
    async fn kept_work_memory_checks_every_size_in_turn() {
        let hasher = Hasher::new(1, 8);
        let phc = |m: u32, t: u32, password: &[u8]| {
            let argon = Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(m, t, 1, None).unwrap(),
            );
            let salt = SaltString::generate(&mut OsRng);
            PasswordHash::from_phc(argon.hash_password(password, &salt).unwrap().to_string())
        };
        let current = hasher
            .hash(Password::new("river stone".into()))
            .await
            .unwrap();
        let small = phc(4 * 1024, 3, b"river stone");
        let large = phc(32 * 1024, 1, b"river stone");
        for stored in [&current, &small, &large, &current, &small, &current, &large] {
            let right = hasher
                .verify(Password::new("river stone".into()), stored.clone())
                .await
                .unwrap();
            assert!(matches!(right, Verification::Valid { .. }), "{stored:?}");
            let wrong = hasher
                .verify(Password::new("river stones".into()), stored.clone())
                .await
                .unwrap();
            assert!(matches!(wrong, Verification::Invalid));
        }
    }

    /// With every thread busy and the queue full, a request is refused at
    /// once instead of waiting; the pool serves again when the flood ends.
    #[tokio::test]
    async fn a_full_queue_sheds_instead_of_waiting() {
        let hasher = Hasher::new(1, 2);
        let stored = hasher.hash(Password::new("x".into())).await.unwrap();
        let flood: Vec<_> = (0..12)
            .map(|_| {
                let (hasher, stored) = (hasher.clone(), stored.clone());
                tokio::spawn(async move { hasher.verify(Password::new("y".into()), stored).await })
            })
            .collect();
        let mut shed = 0;
        for job in flood {
            if job.await.unwrap().is_err() {
                shed += 1;
            }
        }
        assert!(shed >= 9, "only {shed} of 12 shed with room for 3");
        assert_eq!(hasher.checked(), 12 - shed);
        assert!(
            hasher
                .verify(Password::new("x".into()), stored)
                .await
                .is_ok()
        );
    }
}
