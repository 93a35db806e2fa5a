//! The HTTP client of `todo chat --server` and of the tests.

/// A client over rustls with the ring provider, the one sqlx and the LLM
/// assistant use: reqwest is built without a provider of its own (so no
/// second one is compiled in), and panics building a client without one.
pub fn client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::new()
}

/// Makes ring the process's rustls provider (a no-op once one is set).
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
