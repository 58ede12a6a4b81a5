//! Settings that come from the command line or the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How the HTTP side behaves; everything has a default that runs on a laptop.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The origin browsers use to reach the portal (`https://portal.example.com`). When unset,
    /// a state-changing request must come from the same host it was sent to.
    pub public_origin: Option<String>,
    /// Mark the session cookie `Secure` (and name it `__Host-…`): set when served over HTTPS.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a load balancer for the client address used in throttling.
    pub trust_forwarded_for: bool,
    /// Where cargo-leptos put the built site (`pkg/`, public files).
    pub site_root: PathBuf,
    /// The head-end / DERMS: where sync messages go and the secret acknowledgements are
    /// signed with.
    pub head_end: crate::programs::head_end::HeadEndConfig,
}

impl HttpConfig {
    /// Defaults for tests and local runs: plain HTTP, same-host origin checks.
    pub fn local(site_root: PathBuf) -> Self {
        Self {
            public_origin: None,
            secure_cookies: false,
            trust_forwarded_for: false,
            site_root,
            head_end: Default::default(),
        }
    }
}

/// Finds the built site: `LEPTOS_SITE_ROOT` when set, else `site/` beside the target directory
/// the binary was built into (which follows `CARGO_TARGET_DIR`), else `target/site`.
pub fn default_site_root() -> PathBuf {
    if let Ok(root) = std::env::var("LEPTOS_SITE_ROOT") {
        return PathBuf::from(root);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site")))
        .filter(|site| site.join("pkg").is_dir())
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

/// The default listening address.
pub fn default_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 3000))
}
