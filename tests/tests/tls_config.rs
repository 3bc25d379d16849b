//! `vmomi::tls` against the simulator's https endpoint, whose leaf certificate
//! (for 127.0.0.1 and localhost) is signed by a CA made at start-up: each
//! [`TlsMode`] with a plain reqwest client built from
//! `vmomi::tls::client_config`, and the messages of the handshakes it refuses.

use vmomi::tls::{Thumbprint, TlsMode, client_config, describe_tls_error, load_pem_certs};
use vmomi_tests::vcsim::{Options, Vcsim};

fn start() -> Option<Vcsim> {
    let sim = Vcsim::start_or_skip(&Options {
        vm: 1,
        tls: true,
        ..Default::default()
    })?;
    assert!(sim.url.starts_with("https://127.0.0.1:"), "{}", sim.url);
    Some(sim)
}

fn thumbprint(t: &Option<String>) -> Thumbprint {
    t.as_deref()
        .expect("the simulator printed its thumbprints")
        .parse()
        .expect("the simulator's thumbprint parses")
}

/// GETs `/sdk/vimServiceVersions.xml` at `base` with a client configured for
/// `mode`: the status, or the error's TLS description (or, failing that, the
/// whole error chain).
async fn get(base: &str, mode: &TlsMode) -> Result<u16, String> {
    let config = client_config(mode).expect("the TLS configuration builds");
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .expect("the client builds");
    match client
        .get(format!("{base}/vimServiceVersions.xml"))
        .send()
        .await
    {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => Err(describe_tls_error(&e).unwrap_or_else(|| format!("not TLS: {e:?}"))),
    }
}

fn ca_roots(sim: &Vcsim) -> TlsMode {
    let path = sim.ca_pem.as_ref().expect("the simulator wrote its CA");
    let extra_roots = load_pem_certs(path).expect("the CA file loads");
    assert_eq!(extra_roots.len(), 1);
    TlsMode::Verify { extra_roots }
}

#[tokio::test]
async fn verify_with_the_simulators_ca() {
    let Some(sim) = start() else { return };
    let mode = ca_roots(&sim);
    assert_eq!(get(&sim.url, &mode).await, Ok(200));
    // The leaf names localhost too.
    let by_name = sim.url.replace("127.0.0.1", "localhost");
    assert_eq!(get(&by_name, &mode).await, Ok(200));
}

#[tokio::test]
async fn verify_without_the_ca_fails_with_unknown_issuer() {
    let Some(sim) = start() else { return };
    let msg = get(&sim.url, &TlsMode::default()).await.unwrap_err();
    eprintln!("without the CA: {msg}");
    assert!(
        msg.to_lowercase().contains("unknownissuer")
            || msg.to_lowercase().contains("unknown issuer"),
        "{msg}"
    );
}

#[tokio::test]
async fn pinned_sha256_and_sha1() {
    let Some(sim) = start() else { return };
    let sha256 = thumbprint(&sim.sha256);
    let sha1 = thumbprint(&sim.sha1);
    assert_eq!(get(&sim.url, &TlsMode::Pinned(sha256)).await, Ok(200));
    assert_eq!(get(&sim.url, &TlsMode::Pinned(sha1)).await, Ok(200));
    // Lowercase and without colons is the same pin.
    let bare: Thumbprint = sim
        .sha256
        .as_deref()
        .unwrap()
        .replace(':', "")
        .to_lowercase()
        .parse()
        .unwrap();
    assert_eq!(get(&sim.url, &TlsMode::Pinned(bare)).await, Ok(200));
}

#[tokio::test]
async fn pinned_wrong_thumbprint_names_both() {
    let Some(sim) = start() else { return };
    let presented256 = sim.sha256.clone().unwrap();
    let presented1 = sim.sha1.clone().unwrap();

    let wrong = Thumbprint::of_sha256(b"some other certificate");
    let msg = get(&sim.url, &TlsMode::Pinned(wrong.clone()))
        .await
        .unwrap_err();
    eprintln!("wrong pin: {msg}");
    assert!(msg.contains(&wrong.to_string()), "{msg}");
    assert!(msg.contains(&presented256), "{msg}");

    let wrong = Thumbprint::of_sha1(b"some other certificate");
    let msg = get(&sim.url, &TlsMode::Pinned(wrong.clone()))
        .await
        .unwrap_err();
    eprintln!("wrong pin: {msg}");
    assert!(msg.contains(&wrong.to_string()), "{msg}");
    assert!(msg.contains(&presented1), "{msg}");
    assert!(msg.contains(&presented256), "{msg}");
}

#[tokio::test]
async fn insecure_accepts_the_certificate() {
    let Some(sim) = start() else { return };
    assert_eq!(get(&sim.url, &TlsMode::Insecure).await, Ok(200));
}
