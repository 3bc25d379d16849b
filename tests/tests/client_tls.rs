//! `vmomi::Client` against the simulator serving https with a certificate
//! from its own CA: verified, pinned (right and wrong thumbprints, SHA-256
//! and SHA-1) and insecure modes behave as named, and a refusal says how to
//! connect. Against the simulator's built-in certificate (RSA-1024, a CA
//! used as the leaf, what a plain `vcsim` serves) pinned and insecure modes
//! connect and verify mode says what it refused. An https URL for the plain
//! http simulator says that it did not answer TLS.

use vmomi::{Client, Error};
use vmomi_tests::vcsim::{Options, PASSWORD, USER, Vcsim};

fn tls_sim() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options {
        tls: true,
        ..Default::default()
    })
}

async fn login(b: vmomi::ClientBuilder) -> Result<Client, Error> {
    let c = b.credentials(USER, PASSWORD).connect().await?;
    assert_eq!(c.release().as_str(), "6.5");
    assert_eq!(c.login_count(), 1);
    c.logout().await?;
    Ok(c)
}

#[tokio::test]
async fn verify_mode_trusts_the_ca_it_is_given_and_nothing_else() {
    let Some(sim) = tls_sim() else { return };
    assert!(sim.url.starts_with("https://127.0.0.1:"), "{}", sim.url);
    let ca = sim.ca_pem.clone().expect("the simulator wrote its CA");

    login(Client::builder().url(&sim.url).ca_file(&ca))
        .await
        .expect("verified against the simulator's CA");

    let err = login(Client::builder().url(&sim.url)).await.unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    let msg = err.to_string();
    eprintln!("without the CA: {msg}");
    assert!(msg.contains("UnknownIssuer"), "{msg}");
    // The way out: what the server presented, and the three settings.
    let sha256 = sim.sha256.as_deref().unwrap();
    assert!(
        msg.contains(sha256),
        "names the presented thumbprint: {msg}"
    );
    assert!(
        msg.contains(&format!("VSPHERE_THUMBPRINT={sha256}")),
        "{msg}"
    );
    assert!(msg.contains("VSPHERE_CA_FILE"), "{msg}");
    assert!(msg.contains("VSPHERE_INSECURE"), "{msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");

    // The certificate names localhost too.
    login(
        Client::builder()
            .url(sim.url.replace("127.0.0.1", "localhost"))
            .ca_file(&ca),
    )
    .await
    .expect("verified by the name localhost");
}

#[tokio::test]
async fn pinned_mode_accepts_exactly_the_right_thumbprint() {
    let Some(sim) = tls_sim() else { return };
    let sha256 = sim.sha256.clone().unwrap();
    let sha1 = sim.sha1.clone().unwrap();

    login(Client::builder().url(&sim.url).thumbprint(&sha256))
        .await
        .expect("pinned by SHA-256");
    login(Client::builder().url(&sim.url).thumbprint(&sha1))
        .await
        .expect("pinned by SHA-1");
    login(
        Client::builder()
            .url(&sim.url)
            .thumbprint(sha256.replace(':', "").to_lowercase()),
    )
    .await
    .expect("pinned by lowercase hex without colons");

    let wrong = format!("00{}", &sha256[2..]);
    let err = login(Client::builder().url(&sim.url).thumbprint(&wrong))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&wrong), "names the pin: {msg}");
    assert!(
        msg.contains(&sha256),
        "names what the server presented: {msg}"
    );

    let err = login(Client::builder().url(&sim.url).thumbprint("AB:CD"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("AB:CD"), "{err}");
}

#[tokio::test]
async fn insecure_mode_accepts_the_unknown_certificate() {
    let Some(sim) = tls_sim() else { return };
    login(Client::builder().url(&sim.url).insecure())
        .await
        .expect("insecure mode connects");
}

fn builtin_sim() -> Option<Vcsim> {
    Vcsim::start_or_skip(&Options {
        tls_builtin: true,
        ..Default::default()
    })
}

#[tokio::test]
async fn builtin_certificate_pinned_or_insecure_connects() {
    let Some(sim) = builtin_sim() else { return };
    assert!(sim.url.starts_with("https://127.0.0.1:"), "{}", sim.url);
    assert!(sim.ca_pem.is_none());
    let sha256 = sim.sha256.clone().unwrap();
    let sha1 = sim.sha1.clone().unwrap();

    login(Client::builder().url(&sim.url).insecure())
        .await
        .expect("insecure mode accepts the RSA-1024 certificate");
    login(Client::builder().url(&sim.url).thumbprint(&sha256))
        .await
        .expect("pinned by SHA-256");
    login(Client::builder().url(&sim.url).thumbprint(&sha1))
        .await
        .expect("pinned by SHA-1");

    let wrong = format!("00{}", &sha256[2..]);
    let err = login(Client::builder().url(&sim.url).thumbprint(&wrong))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&wrong), "names the pin: {msg}");
    assert!(msg.contains(&sha256), "names what was presented: {msg}");
}

#[tokio::test]
async fn builtin_certificate_verify_mode_says_what_it_refused() {
    let Some(sim) = builtin_sim() else { return };
    let sha256 = sim.sha256.clone().unwrap();
    let err = login(Client::builder().url(&sim.url)).await.unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    let msg = err.to_string();
    eprintln!("builtin certificate, verify mode: {msg}");
    assert!(msg.contains(&sim.url), "{msg}");
    // What was refused and why: a CA certificate as the server's own, with a
    // key below what verification accepts.
    assert!(msg.contains("CaUsedAsEndEntity"), "{msg}");
    assert!(msg.contains("RSA key of 1024 bits"), "{msg}");
    assert!(msg.contains("2048"), "{msg}");
    // What the server presented and the ways out that help.
    assert!(
        msg.contains(&format!("VSPHERE_THUMBPRINT={sha256}")),
        "{msg}"
    );
    assert!(msg.contains("VSPHERE_INSECURE=true"), "{msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");
    // Trusting the certificate as a CA cannot help, and says so again.
    let dir = std::env::temp_dir().join(format!("vmomi-client-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("builtin.pem");
    std::fs::write(&ca, BUILTIN_CERT).unwrap();
    let err = login(Client::builder().url(&sim.url).ca_file(&ca))
        .await
        .unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    let msg = err.to_string();
    eprintln!("builtin certificate as its own CA: {msg}");
    assert!(msg.contains("RSA key of 1024 bits"), "{msg}");
    assert!(msg.contains(&sha256), "{msg}");
}

/// govmomi's built-in certificate (Go's httptest `LocalhostCert`, copied in
/// govmomi/simulator/internal/testcert.go).
const BUILTIN_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIICEzCCAXygAwIBAgIQMIMChMLGrR+QvmQvpwAU6zANBgkqhkiG9w0BAQsFADAS
MRAwDgYDVQQKEwdBY21lIENvMCAXDTcwMDEwMTAwMDAwMFoYDzIwODQwMTI5MTYw
MDAwWjASMRAwDgYDVQQKEwdBY21lIENvMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCB
iQKBgQDuLnQAI3mDgey3VBzWnB2L39JUU4txjeVE6myuDqkM/uGlfjb9SjY1bIw4
iA5sBBZzHi3z0h1YV8QPuxEbi4nW91IJm2gsvvZhIrCHS3l6afab4pZBl2+XsDul
rKBxKKtD1rGxlG4LjncdabFn9gvLZad2bSysqz/qTAUStTvqJQIDAQABo2gwZjAO
BgNVHQ8BAf8EBAMCAqQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwDwYDVR0TAQH/BAUw
AwEB/zAuBgNVHREEJzAlggtleGFtcGxlLmNvbYcEfwAAAYcQAAAAAAAAAAAAAAAA
AAAAATANBgkqhkiG9w0BAQsFAAOBgQCEcetwO59EWk7WiJsG4x8SY+UIAA+flUI9
tyC4lNhbcF2Idq9greZwbYCqTTTr2XiRNSMLCOjKyI7ukPoPjo16ocHj+P3vZGfs
h1fIw3cSS2OolhloGw/XM6RWPWtPAlGykKLciQrBru5NAPvCMsb/I1DAceTiotQM
fblo6RBxUQ==
-----END CERTIFICATE-----
";

#[tokio::test]
async fn https_to_a_plain_http_port_says_it_did_not_answer_tls() {
    let Some(sim) = Vcsim::start_or_skip(&Options::default()) else {
        return;
    };
    assert!(sim.url.starts_with("http://"), "{}", sim.url);
    let url = sim.url.replace("http://", "https://");
    let err = login(Client::builder().url(&url).insecure())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    let msg = err.to_string();
    eprintln!("https to plain http: {msg}");
    assert!(msg.contains("did not answer with TLS"), "{msg}");
    assert!(msg.contains("http://"), "suggests plain http: {msg}");
}
