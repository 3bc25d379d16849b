//! TLS configuration for connections to vSphere servers.
//!
//! vCenter and ESXi usually present certificates signed by the VMware
//! Certificate Authority (VMCA) or self-signed ones, which no public root store
//! knows. A client therefore chooses one of three [`TlsMode`]s:
//!
//! - [`TlsMode::Verify`] (the default): ordinary certificate verification
//!   (chain, server name, validity) against the system's roots, the Mozilla
//!   roots bundled by `webpki-roots`, and any extra CA the user trusts, e.g.
//!   the VMCA root downloaded from `https://vcenter/certs/download.zip` and read
//!   with [`load_pem_certs`];
//! - [`TlsMode::Pinned`]: accept exactly the server certificate whose
//!   [`Thumbprint`] (as the vSphere Client and `govc` show it) the user gives;
//! - [`TlsMode::Insecure`]: accept any certificate (test labs only).
//!
//! [`client_config`] turns a mode into a [`rustls::ClientConfig`] that uses
//! the `ring` crypto provider explicitly (no process-wide default provider is
//! needed or installed), ready for reqwest's
//! `ClientBuilder::tls_backend_preconfigured`. [`describe_tls_error`] digs the
//! TLS reason (e.g. a thumbprint mismatch, with both thumbprints) out of the
//! error chain of a failed request.
//!
//! In every mode the handshake signatures are verified, so the server must
//! hold the private key of the certificate it presents.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use ring::digest;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};

/// How the client decides whether to trust the server's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsMode {
    /// Verify the certificate chain, the server name and the validity period.
    ///
    /// Trusted roots are, in this order: the system store (read with
    /// `rustls-native-certs`, so `SSL_CERT_FILE` / `SSL_CERT_DIR` and the
    /// distribution's CA bundle apply), the Mozilla roots of `webpki-roots`
    /// (compiled in, so a minimal container without a CA bundle still
    /// verifies public CAs), and `extra_roots`, typically the vCenter's VMCA
    /// root loaded with [`load_pem_certs`].
    Verify {
        /// CA certificates trusted in addition to the built-in ones.
        extra_roots: Vec<CertificateDer<'static>>,
    },
    /// Accept exactly the server (leaf) certificate with this thumbprint,
    /// whatever its issuer, names and validity period: this is what pinning
    /// means in vSphere tooling (`govc -thumbprint`, PowerCLI, the vSphere
    /// Client's "accept certificate").
    Pinned(Thumbprint),
    /// Accept any certificate. The connection is encrypted but not
    /// authenticated: anyone on the path can intercept it. For test labs only.
    Insecure,
}

impl Default for TlsMode {
    /// [`TlsMode::Verify`] with no extra roots.
    fn default() -> Self {
        Self::Verify {
            extra_roots: Vec::new(),
        }
    }
}

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// A thumbprint could not be parsed.
    #[error(transparent)]
    Thumbprint(#[from] ThumbprintError),
    /// A PEM file could not be read.
    #[error("cannot read CA certificates from {}: {source}", path.display())]
    ReadPem {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// A PEM file is malformed.
    #[error("malformed PEM in {}: {source}", path.display())]
    ParsePem {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// A PEM file holds no `CERTIFICATE` section.
    #[error("{} contains no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display())]
    NoCertificates {
        /// The file.
        path: PathBuf,
    },
    /// One of [`TlsMode::Verify`]'s `extra_roots` is not a usable CA
    /// certificate.
    #[error("extra root certificate #{index} is not usable as a trust anchor: {source}")]
    InvalidRoot {
        /// Its position in `extra_roots`, from 0.
        index: usize,
        /// What rustls found wrong with it.
        #[source]
        source: rustls::Error,
    },
    /// [`TlsMode::Verify`] found no trusted root at all.
    #[error("no trusted root certificates are available for verification")]
    NoRoots,
    /// rustls rejected the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Reads every `CERTIFICATE` section of a PEM file (other sections, such as
/// keys, are skipped).
///
/// The error names the file; a file without any certificate is an error too.
pub fn load_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let bytes = std::fs::read(path).map_err(|source| TlsConfigError::ReadPem {
        path: path.to_path_buf(),
        source,
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| TlsConfigError::ParsePem {
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificates {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

// ---------------------------------------------------------------------------
// Thumbprints

/// The digest algorithm of a [`Thumbprint`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThumbprintAlgorithm {
    /// SHA-1, 20 bytes: what older vSphere releases and `HostSystem`'s
    /// `sslThumbprint` show.
    Sha1,
    /// SHA-256, 32 bytes.
    Sha256,
}

impl ThumbprintAlgorithm {
    /// The digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
        }
    }
}

impl fmt::Display for ThumbprintAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
        })
    }
}

/// The thumbprint (fingerprint) of a DER certificate: its SHA-256 or SHA-1
/// digest, as vSphere shows it (`AB:CD:...`).
///
/// Parsing ([`FromStr`]) accepts hex digits in any case, as byte pairs
/// separated by colons (vSphere, OpenSSL), by single spaces (Windows), or not
/// separated at all; surrounding whitespace is ignored. When separators are
/// used, every byte is a separate two-digit group. The number of bytes
/// decides the algorithm: 32 is SHA-256, 20 is SHA-1; anything else is a
/// [`ThumbprintError`]. [`Display`](fmt::Display) prints uppercase,
/// colon-separated hex.
///
/// ```
/// use vmomi::tls::{Thumbprint, ThumbprintAlgorithm};
///
/// let t: Thumbprint = "3d:82:17:7e:29:53:64:a1:e0:eb:ab:38:c1:bc:3e:54:f9:e9:63:99"
///     .parse()
///     .unwrap();
/// assert_eq!(t.algorithm(), ThumbprintAlgorithm::Sha1);
/// assert_eq!(
///     t.to_string(),
///     "3D:82:17:7E:29:53:64:A1:E0:EB:AB:38:C1:BC:3E:54:F9:E9:63:99"
/// );
///
/// // Without separators, 32 bytes: SHA-256.
/// let t: Thumbprint = "9EAB52E1026F61FC13C545F929E07A1B52153C1211E9ADDF773FAD1EE7D9B4EE"
///     .parse()
///     .unwrap();
/// assert_eq!(t.algorithm(), ThumbprintAlgorithm::Sha256);
///
/// // Any other length is an error that says what is expected.
/// let err = "AB:CD".parse::<Thumbprint>().unwrap_err();
/// assert!(err.to_string().contains("32 bytes (SHA-256) or 20 bytes (SHA-1)"));
///
/// // A certificate matches the thumbprint of its DER bytes.
/// let der = b"not really a certificate";
/// assert!(Thumbprint::of_sha256(der).matches(der));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Thumbprint(Digest);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Digest {
    Sha1([u8; 20]),
    Sha256([u8; 32]),
}

impl Thumbprint {
    /// The SHA-256 thumbprint of a DER certificate.
    pub fn of_sha256(der: &[u8]) -> Thumbprint {
        let d = digest::digest(&digest::SHA256, der);
        Thumbprint(Digest::Sha256(d.as_ref().try_into().expect("32 bytes")))
    }

    /// The SHA-1 thumbprint of a DER certificate.
    pub fn of_sha1(der: &[u8]) -> Thumbprint {
        let d = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der);
        Thumbprint(Digest::Sha1(d.as_ref().try_into().expect("20 bytes")))
    }

    /// The thumbprint of a DER certificate with the given algorithm.
    pub fn of(algorithm: ThumbprintAlgorithm, der: &[u8]) -> Thumbprint {
        match algorithm {
            ThumbprintAlgorithm::Sha1 => Self::of_sha1(der),
            ThumbprintAlgorithm::Sha256 => Self::of_sha256(der),
        }
    }

    /// Makes a thumbprint from raw digest bytes: 32 (SHA-256) or 20 (SHA-1).
    pub fn from_bytes(bytes: &[u8]) -> Option<Thumbprint> {
        match bytes.len() {
            32 => Some(Thumbprint(Digest::Sha256(bytes.try_into().ok()?))),
            20 => Some(Thumbprint(Digest::Sha1(bytes.try_into().ok()?))),
            _ => None,
        }
    }

    /// The digest algorithm.
    pub fn algorithm(&self) -> ThumbprintAlgorithm {
        match self.0 {
            Digest::Sha1(_) => ThumbprintAlgorithm::Sha1,
            Digest::Sha256(_) => ThumbprintAlgorithm::Sha256,
        }
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Digest::Sha1(b) => b,
            Digest::Sha256(b) => b,
        }
    }

    /// Whether the DER certificate `der` has this thumbprint (computed with
    /// this thumbprint's algorithm).
    pub fn matches(&self, der: &[u8]) -> bool {
        Self::of(self.algorithm(), der) == *self
    }
}

impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint({} {self})", self.algorithm())
    }
}

impl FromStr for Thumbprint {
    type Err = ThumbprintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |kind| ThumbprintError {
            input: s.to_string(),
            kind,
        };
        let text = s.trim();
        if text.is_empty() {
            return Err(err(ThumbprintErrorKind::Empty));
        }
        if let Some((position, ch)) = text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_hexdigit() || c == ':' || c == ' '))
        {
            return Err(err(ThumbprintErrorKind::InvalidCharacter { ch, position }));
        }
        let groups: Vec<&str> = text.split([':', ' ']).collect();
        // With separators every group is one byte; without, digits pair up.
        if groups.len() > 1 && groups.iter().any(|g| g.len() != 2) {
            return Err(err(ThumbprintErrorKind::BadGrouping));
        }
        let hex = groups.concat();
        let pairs = hex.as_bytes().chunks_exact(2);
        if !pairs.remainder().is_empty() {
            return Err(err(ThumbprintErrorKind::BadGrouping));
        }
        let bytes: Vec<u8> = pairs
            .map(|p| {
                let p = std::str::from_utf8(p).expect("ASCII hex digits");
                u8::from_str_radix(p, 16).expect("hex digits")
            })
            .collect();
        Thumbprint::from_bytes(&bytes)
            .ok_or_else(|| err(ThumbprintErrorKind::WrongLength { bytes: bytes.len() }))
    }
}

/// A string that is not a [`Thumbprint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThumbprintError {
    input: String,
    kind: ThumbprintErrorKind,
}

/// What is wrong with a thumbprint's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ThumbprintErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// A character that is neither a hex digit nor a separator (`:` or space).
    InvalidCharacter {
        /// The character.
        ch: char,
        /// Its byte offset in the trimmed text.
        position: usize,
    },
    /// Hex digits not in byte pairs: an odd number of digits, a group of
    /// other than two digits between separators, or doubled separators.
    BadGrouping,
    /// Well-formed hex of the wrong length.
    WrongLength {
        /// The number of bytes found.
        bytes: usize,
    },
}

impl ThumbprintError {
    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    pub fn kind(&self) -> ThumbprintErrorKind {
        self.kind
    }
}

impl fmt::Display for ThumbprintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid certificate thumbprint {:?}: ", self.input)?;
        match self.kind {
            ThumbprintErrorKind::Empty => f.write_str("it is empty")?,
            ThumbprintErrorKind::InvalidCharacter { ch, position } => {
                write!(f, "{ch:?} at offset {position} is not a hex digit")?
            }
            ThumbprintErrorKind::BadGrouping => f.write_str("hex digits are not in byte pairs")?,
            ThumbprintErrorKind::WrongLength { bytes } => write!(f, "it has {bytes} bytes")?,
        }
        f.write_str(
            "; expected 32 bytes (SHA-256) or 20 bytes (SHA-1) of hex, such as AB:CD:EF:...",
        )
    }
}

impl std::error::Error for ThumbprintError {}

// ---------------------------------------------------------------------------
// Verifiers

/// The rejection of a server certificate by [`TlsMode::Pinned`]: the
/// certificate the server presented does not have the pinned thumbprint.
///
/// It travels inside the handshake's [`rustls::Error`]; [`describe_tls_error`]
/// prints it, and a caller can find it with `downcast_ref` on the error chain,
/// e.g. to offer to trust the presented certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThumbprintMismatch {
    expected: Thumbprint,
    presented_sha256: Thumbprint,
    presented_sha1: Thumbprint,
}

impl ThumbprintMismatch {
    /// The pinned thumbprint.
    pub fn expected(&self) -> &Thumbprint {
        &self.expected
    }

    /// The SHA-256 thumbprint of the certificate the server presented.
    pub fn presented_sha256(&self) -> &Thumbprint {
        &self.presented_sha256
    }

    /// The SHA-1 thumbprint of the certificate the server presented.
    pub fn presented_sha1(&self) -> &Thumbprint {
        &self.presented_sha1
    }
}

impl fmt::Display for ThumbprintMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the server certificate does not match the pinned thumbprint: expected {} {}, ",
            self.expected.algorithm(),
            self.expected
        )?;
        match self.expected.algorithm() {
            ThumbprintAlgorithm::Sha1 => write!(
                f,
                "the server presented SHA-1 {} (SHA-256 {})",
                self.presented_sha1, self.presented_sha256
            ),
            _ => write!(f, "the server presented SHA-256 {}", self.presented_sha256),
        }
    }
}

impl std::error::Error for ThumbprintMismatch {}

/// Handshake signature verification, shared by the verifiers that skip
/// certificate verification.
#[derive(Debug)]
struct Signatures(WebPkiSupportedAlgorithms);

impl Signatures {
    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// [`TlsMode::Pinned`]: the leaf's thumbprint decides; chain, name and
/// validity period are not looked at.
#[derive(Debug)]
struct PinnedVerifier {
    pin: Thumbprint,
    signatures: Signatures,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.pin.matches(end_entity) {
            return Ok(ServerCertVerified::assertion());
        }
        let mismatch = ThumbprintMismatch {
            expected: self.pin.clone(),
            presented_sha256: Thumbprint::of_sha256(end_entity),
            presented_sha1: Thumbprint::of_sha1(end_entity),
        };
        // `Other` makes rustls send a certificate_unknown alert.
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(mismatch)),
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.signatures.schemes()
    }
}

/// [`TlsMode::Insecure`]: any certificate.
#[derive(Debug)]
struct InsecureVerifier {
    signatures: Signatures,
}

impl ServerCertVerifier for InsecureVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signatures.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.signatures.schemes()
    }
}

// ---------------------------------------------------------------------------
// Configuration

/// The roots of [`TlsMode::Verify`]: system, `webpki-roots`, then `extra`.
fn root_store(extra: &[CertificateDer<'static>]) -> Result<RootCertStore, TlsConfigError> {
    let mut roots = RootCertStore::empty();
    // The system store is read on every call (a few milliseconds); unreadable
    // or unparsable system certificates are skipped, as browsers do.
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!("loading system root certificates: {e}");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!("{added} system root certificates ({ignored} unusable)");
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for (index, cert) in extra.iter().enumerate() {
        roots
            .add(cert.clone())
            .map_err(|source| TlsConfigError::InvalidRoot { index, source })?;
    }
    if roots.is_empty() {
        return Err(TlsConfigError::NoRoots);
    }
    Ok(roots)
}

/// Builds the rustls configuration for a mode, with the `ring` crypto
/// provider, TLS 1.2 and 1.3, and no client certificate.
///
/// No ALPN protocol is offered, so the connection speaks HTTP/1.1, which is
/// what vSphere's SOAP endpoint expects.
///
/// ```
/// use vmomi::tls::{TlsMode, client_config};
///
/// let config = client_config(&TlsMode::default()).unwrap();
/// // e.g. reqwest::Client::builder().tls_backend_preconfigured(config)
/// # drop(config);
/// ```
pub fn client_config(mode: &TlsMode) -> Result<rustls::ClientConfig, TlsConfigError> {
    let provider: Arc<CryptoProvider> = Arc::new(rustls::crypto::ring::default_provider());
    let signatures = Signatures(provider.signature_verification_algorithms);
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?;
    let config = match mode {
        TlsMode::Verify { extra_roots } => builder
            .with_root_certificates(root_store(extra_roots)?)
            .with_no_client_auth(),
        TlsMode::Pinned(pin) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedVerifier {
                pin: pin.clone(),
                signatures,
            }))
            .with_no_client_auth(),
        TlsMode::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(InsecureVerifier { signatures }))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// Finds the TLS reason of a failed connection in an error's `source()`
/// chain (e.g. a `reqwest::Error`) and returns it as text, or `None` when the
/// failure was not a TLS one.
///
/// It recognises a [`rustls::Error`], also when wrapped in an
/// [`io::Error`] (whose `source()` skips the wrapped error), and a
/// [`ThumbprintMismatch`], whose text names the pinned and the presented
/// thumbprints.
pub fn describe_tls_error(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(m) = e.downcast_ref::<ThumbprintMismatch>() {
            return Some(m.to_string());
        }
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(describe_rustls(r));
        }
        // `io::Error::source()` skips the error it wraps: look at it directly.
        let wrapped = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref);
        if let Some(text) = wrapped.and_then(|inner| describe_tls_error(inner)) {
            return Some(text);
        }
        cur = e.source();
    }
    None
}

fn describe_rustls(e: &rustls::Error) -> String {
    match e {
        // rustls prints `Other` with `Debug`; its `Display` is the reason.
        rustls::Error::InvalidCertificate(CertificateError::Other(o)) => {
            format!("invalid peer certificate: {o}")
        }
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: &str = "3D:82:17:7E:29:53:64:A1:E0:EB:AB:38:C1:BC:3E:54:F9:E9:63:99";
    const SHA256: &str = "9E:AB:52:E1:02:6F:61:FC:13:C5:45:F9:29:E0:7A:1B:\
                          52:15:3C:12:11:E9:AD:DF:77:3F:AD:1E:E7:D9:B4:EE";

    fn kind(s: &str) -> ThumbprintErrorKind {
        s.parse::<Thumbprint>().unwrap_err().kind()
    }

    #[test]
    fn parses_both_lengths() {
        let t: Thumbprint = SHA1.parse().unwrap();
        assert_eq!(t.algorithm(), ThumbprintAlgorithm::Sha1);
        assert_eq!(t.as_bytes().len(), 20);
        assert_eq!(t.as_bytes()[0], 0x3d);
        let t: Thumbprint = SHA256.parse().unwrap();
        assert_eq!(t.algorithm(), ThumbprintAlgorithm::Sha256);
        assert_eq!(t.as_bytes().len(), 32);
        assert_eq!(t.as_bytes()[31], 0xee);
    }

    #[test]
    fn case_separators_and_whitespace() {
        let upper: Thumbprint = SHA256.parse().unwrap();
        let lower: Thumbprint = SHA256.to_lowercase().parse().unwrap();
        let bare: Thumbprint = SHA256.replace(':', "").parse().unwrap();
        let spaced: Thumbprint = SHA256.replace(':', " ").parse().unwrap();
        let padded: Thumbprint = format!("  {}\n", SHA256.to_lowercase()).parse().unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper, bare);
        assert_eq!(upper, spaced);
        assert_eq!(upper, padded);
        let t: Thumbprint = SHA1.replace(':', "").to_lowercase().parse().unwrap();
        assert_eq!(t.to_string(), SHA1);
    }

    #[test]
    fn display_round_trip() {
        for s in [SHA1, SHA256] {
            let t: Thumbprint = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
            assert_eq!(t.to_string().parse::<Thumbprint>().unwrap(), t);
        }
        let t = Thumbprint::of_sha1(b"x");
        assert_eq!(t.to_string().parse::<Thumbprint>().unwrap(), t);
        assert!(format!("{t:?}").starts_with("Thumbprint(SHA-1 "));
    }

    #[test]
    fn wrong_length() {
        assert_eq!(kind("AB:CD"), ThumbprintErrorKind::WrongLength { bytes: 2 });
        // 21 bytes: one too many for SHA-1.
        let s = format!("{SHA1}:00");
        let e = s.parse::<Thumbprint>().unwrap_err();
        assert_eq!(e.kind(), ThumbprintErrorKind::WrongLength { bytes: 21 });
        let msg = e.to_string();
        assert!(msg.contains(&s), "{msg}");
        assert!(msg.contains("21 bytes"), "{msg}");
        assert!(
            msg.contains("32 bytes (SHA-256) or 20 bytes (SHA-1)"),
            "{msg}"
        );
        assert_eq!(e.input(), s);
    }

    #[test]
    fn malformed() {
        assert_eq!(kind(""), ThumbprintErrorKind::Empty);
        assert_eq!(kind("   "), ThumbprintErrorKind::Empty);
        assert_eq!(
            kind(&SHA1.replace("3D", "3G")),
            ThumbprintErrorKind::InvalidCharacter {
                ch: 'G',
                position: 1
            }
        );
        assert_eq!(
            kind(&SHA1.replace(':', "-")),
            ThumbprintErrorKind::InvalidCharacter {
                ch: '-',
                position: 2
            }
        );
        // An odd number of digits, mixed grouping, doubled or dangling separators.
        assert_eq!(
            kind(&SHA1.replace(':', "")[1..]),
            ThumbprintErrorKind::BadGrouping
        );
        assert_eq!(
            kind(&SHA1.replacen(':', "", 1)),
            ThumbprintErrorKind::BadGrouping
        );
        assert_eq!(
            kind(&SHA1.replace(':', "::")),
            ThumbprintErrorKind::BadGrouping
        );
        assert_eq!(kind(&format!("{SHA1}:")), ThumbprintErrorKind::BadGrouping);
        let e = "not a thumbprint".parse::<Thumbprint>().unwrap_err();
        assert!(e.to_string().contains("\"not a thumbprint\""), "{e}");
        let e: TlsConfigError = e.into();
        assert!(e.to_string().contains("expected 32 bytes"), "{e}");
    }

    #[test]
    fn digests_and_matching() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            Thumbprint::of_sha256(b"abc").to_string().replace(':', ""),
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        );
        assert_eq!(
            Thumbprint::of_sha1(b"abc").to_string().replace(':', ""),
            "A9993E364706816ABA3E25717850C26C9CD0D89D"
        );
        let pin = Thumbprint::of_sha1(b"abc");
        assert!(pin.matches(b"abc"));
        assert!(!pin.matches(b"abd"));
        assert_eq!(
            Thumbprint::of(ThumbprintAlgorithm::Sha256, b"abc"),
            Thumbprint::of_sha256(b"abc")
        );
        assert!(Thumbprint::from_bytes(&[0; 16]).is_none());
    }

    #[test]
    fn mismatch_message_names_both_thumbprints() {
        let der = b"presented";
        let v = PinnedVerifier {
            pin: Thumbprint::of_sha1(b"pinned"),
            signatures: Signatures(
                rustls::crypto::ring::default_provider().signature_verification_algorithms,
            ),
        };
        let err = v
            .verify_server_cert(
                &CertificateDer::from(&der[..]),
                &[],
                &ServerName::try_from("localhost").unwrap(),
                &[],
                UnixTime::now(),
            )
            .unwrap_err();
        let io = io::Error::new(io::ErrorKind::InvalidData, err);
        let msg = describe_tls_error(&io).unwrap();
        assert!(
            msg.contains(&Thumbprint::of_sha1(b"pinned").to_string()),
            "{msg}"
        );
        assert!(msg.contains(&Thumbprint::of_sha1(der).to_string()), "{msg}");
        assert!(
            msg.contains(&Thumbprint::of_sha256(der).to_string()),
            "{msg}"
        );
        assert!(
            describe_tls_error(&io::Error::other("plain")).is_none(),
            "not a TLS error"
        );
    }

    #[test]
    fn configs_build() {
        client_config(&TlsMode::default()).unwrap();
        client_config(&TlsMode::Insecure).unwrap();
        client_config(&TlsMode::Pinned(Thumbprint::of_sha256(b"x"))).unwrap();
        let e = client_config(&TlsMode::Verify {
            extra_roots: vec![CertificateDer::from(&b"junk"[..]).into_owned()],
        })
        .unwrap_err();
        assert!(
            matches!(e, TlsConfigError::InvalidRoot { index: 0, .. }),
            "{e}"
        );
    }

    #[test]
    fn pem_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("vmomi-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let e = load_pem_certs(&missing).unwrap_err();
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let e = load_pem_certs(&empty).unwrap_err();
        assert!(matches!(e, TlsConfigError::NoCertificates { .. }), "{e}");
        assert!(e.to_string().contains("empty.pem"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
