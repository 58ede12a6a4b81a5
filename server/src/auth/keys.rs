//! The server's own signing keys: random, made once in the database (so every instance shares
//! them), read once per process. Each purpose has its own key, so a value signed for one purpose
//! never verifies as another.

use crate::auth::store;
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// What a key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Device cookies: "this browser signed in as this person before".
    DeviceCookie,
    /// A refusal carried back to a page in its URL after a plain form post.
    Refusal,
}

impl KeyPurpose {
    fn name(self) -> &'static str {
        match self {
            KeyPurpose::DeviceCookie => "device_cookie",
            KeyPurpose::Refusal => "refusal",
        }
    }
}

#[derive(Clone)]
struct Loaded {
    device_cookie: Vec<u8>,
    refusal: Vec<u8>,
}

/// The keys, loaded (or made) on first use.
#[derive(Clone)]
pub struct ServerKeys {
    store: Store,
    loaded: Arc<OnceCell<Loaded>>,
}

impl ServerKeys {
    pub fn new(store: Store) -> Self {
        Self { store, loaded: Arc::new(OnceCell::new()) }
    }

    /// HMAC-SHA256 of `parts` (joined unambiguously) under the purpose's key, hex.
    pub async fn sign(&self, purpose: KeyPurpose, parts: &[&str]) -> Result<String, StoreError> {
        let key = self.key(purpose).await?;
        Ok(hex::encode(mac(&key, parts).finalize().into_bytes()))
    }

    /// Whether `signature` is [`ServerKeys::sign`] of `parts`, compared in constant time.
    pub async fn verify(
        &self,
        purpose: KeyPurpose,
        parts: &[&str],
        signature: &str,
    ) -> Result<bool, StoreError> {
        let key = self.key(purpose).await?;
        let Ok(signature) = hex::decode(signature) else { return Ok(false) };
        Ok(mac(&key, parts).verify_slice(&signature).is_ok())
    }

    async fn key(&self, purpose: KeyPurpose) -> Result<Vec<u8>, StoreError> {
        let loaded = self
            .loaded
            .get_or_try_init(|| async {
                Ok::<_, StoreError>(Loaded {
                    device_cookie: self.load(KeyPurpose::DeviceCookie).await?,
                    refusal: self.load(KeyPurpose::Refusal).await?,
                })
            })
            .await?;
        Ok(match purpose {
            KeyPurpose::DeviceCookie => loaded.device_cookie.clone(),
            KeyPurpose::Refusal => loaded.refusal.clone(),
        })
    }

    async fn load(&self, purpose: KeyPurpose) -> Result<Vec<u8>, StoreError> {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let stored =
            store::server_key(&mut *self.store.write().await?, purpose.name(), &hex::encode(fresh))
                .await?;
        hex::decode(&stored).map_err(|_| StoreError::Corrupt(format!("server key {purpose:?}")))
    }
}

fn mac(key: &[u8], parts: &[&str]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") sign differently.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac
}
