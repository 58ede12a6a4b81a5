//! Password hashing and verification off the async threads, a bounded number at a time.
//!
//! Each argon2id run takes 19 MiB and tens of milliseconds of one core. Unbounded, 40 parallel
//! sign-ins took the server from 193 MiB to 898 MiB (and tokio's blocking pool allows 512 at once,
//! about 9 GiB). So runs happen on a few threads of their own, as many as there are cores: bounded
//! at once, and bounded after too (run on the blocking pool, a bound on concurrency alone still
//! left every one of its many threads' allocator keeping its 19 MiB: 655 MiB after 200 sign-ins
//! with 2 at a time, `bench-signin`). A few more may wait briefly for a thread; past that the
//! caller is told to come back ([`Busy`], answered 503 with `Retry-After`), which costs no
//! memory.

use super::password::{hash_password, verify_password};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, Semaphore};

type Job = Box<dyn FnOnce() + Send>;

/// How long a request waits for a permit before it is told to retry.
const WAIT: Duration = Duration::from_secs(3);
/// Waiting requests per core, beyond which a request is turned away at once.
const QUEUE_PER_CORE: usize = 16;

/// Too many passwords are being checked right now; try again in a second or two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many sign-ins at once")]
pub struct Busy;

/// The shared limit on argon2 work, for sign-in, password changes and staff creation alike.
#[derive(Clone)]
pub struct Hashing {
    running: Arc<Semaphore>,
    queue: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

impl Hashing {
    /// `parallel` runs at once, each on a thread of its own, and up to [`QUEUE_PER_CORE`] per
    /// run waiting.
    pub fn new(parallel: usize) -> Self {
        let parallel = parallel.max(1);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..parallel {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .expect("a hashing thread starts");
        }
        Self {
            running: Arc::new(Semaphore::new(parallel)),
            queue: Arc::new(Semaphore::new(parallel * QUEUE_PER_CORE)),
            jobs,
        }
    }

    /// Sized to this machine's cores.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |cores| cores.get()))
    }

    /// Whether `password` matches `stored` (decoy work when there is no stored hash).
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        self.run(move || verify_password(&password, stored.as_deref())).await
    }

    /// An argon2id hash of `password`.
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        self.run(move || hash_password(&password)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _waiting = self.queue.clone().try_acquire_owned().map_err(|_| Busy)?;
        let permit = tokio::time::timeout(WAIT, self.running.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
            drop(permit);
        });
        self.jobs.send(job).map_err(|_| Busy)?;
        result.await.map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn no_more_than_the_permits_run_at_once_and_the_overflow_is_turned_away() {
        let hashing = Hashing::new(1);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let (hashing, running, most) = (hashing.clone(), running.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                hashing
                    .run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
            }));
        }
        let mut busy = 0;
        for task in tasks {
            if task.await.unwrap().is_err() {
                busy += 1;
            }
        }
        assert_eq!(most.load(Ordering::SeqCst), 1, "one run at a time");
        assert_eq!(busy, 40 - QUEUE_PER_CORE, "past the queue, turned away");
    }
}
