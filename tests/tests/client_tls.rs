//! `vmomi::Client` against the simulator serving https with a certificate
//! from its own CA: verified, pinned (right and wrong thumbprints, SHA-256
//! and SHA-1) and insecure modes behave as named.

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
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");

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
