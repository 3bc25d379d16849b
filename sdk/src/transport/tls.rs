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
//! hold the private key of the certificate it presents. [`TlsMode::Verify`]
//! requires RSA keys of at least [`VERIFY_MIN_RSA_BITS`] (ring's limit);
//! [`TlsMode::Pinned`] and [`TlsMode::Insecure`] also accept RSA keys from
//! [`PINNED_MIN_RSA_BITS`], as on older ESXi hosts and govmomi's simulator.
//!
//! A refused certificate comes with what the user needs to connect anyway:
//! [`UntrustedCertificate`] (the reason, the presented thumbprints and the
//! settings that help), [`WeakRsaKey`] (an RSA key too small for the mode)
//! and [`ThumbprintMismatch`] (a wrong pin).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use ring::digest;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, ServerName,
    SignatureVerificationAlgorithm, UnixTime, alg_id,
};
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

/// The rejection of a server certificate by [`TlsMode::Verify`], with the
/// thumbprints of the certificate the server presented, so that the user can
/// pin it after checking it.
///
/// It travels inside the handshake's [`rustls::Error`] like
/// [`ThumbprintMismatch`]; [`describe_tls_error`] prints it on one line: the
/// reason in words, the presented SHA-256 thumbprint and the ways to connect
/// (`VSPHERE_THUMBPRINT`, `VSPHERE_CA_FILE`, `VSPHERE_INSECURE`, or the
/// matching [`ClientBuilder`](crate::ClientBuilder) calls) that can help with
/// that reason.
#[derive(Clone, Debug)]
pub struct UntrustedCertificate {
    reason: CertificateError,
    presented_sha256: Thumbprint,
    presented_sha1: Thumbprint,
    rsa_key_bits: Option<usize>,
}

impl UntrustedCertificate {
    /// Why webpki rejected the certificate, e.g.
    /// [`CertificateError::UnknownIssuer`].
    pub fn reason(&self) -> &CertificateError {
        &self.reason
    }

    /// The SHA-256 thumbprint of the certificate the server presented.
    pub fn presented_sha256(&self) -> &Thumbprint {
        &self.presented_sha256
    }

    /// The SHA-1 thumbprint of the certificate the server presented.
    pub fn presented_sha1(&self) -> &Thumbprint {
        &self.presented_sha1
    }

    /// The size in bits of the certificate's RSA key when it is below
    /// [`VERIFY_MIN_RSA_BITS`], so that verification would refuse it even
    /// if the certificate were trusted; `None` otherwise.
    pub fn weak_rsa_key_bits(&self) -> Option<usize> {
        self.rsa_key_bits
    }

    /// Whether trusting the issuing CA ([`TlsMode::Verify`]'s `extra_roots`)
    /// can make this certificate acceptable.
    fn ca_file_helps(&self) -> bool {
        self.rsa_key_bits.is_none()
            && match &self.reason {
                CertificateError::UnknownIssuer => true,
                // webpki reasons rustls does not name: we cannot tell.
                CertificateError::Other(o) => webpki_reason(o).is_none(),
                _ => false,
            }
    }
}

impl fmt::Display for UntrustedCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sha256 = &self.presented_sha256;
        write!(
            f,
            "the server certificate is not trusted: {}; the server presented SHA-256 {sha256}",
            reason_text(&self.reason)
        )?;
        let pin = format!(
            "pin this certificate with VSPHERE_THUMBPRINT={sha256} (or .thumbprint(..)) \
             after checking that it is the server's"
        );
        let insecure = "in test labs only, turn verification off with VSPHERE_INSECURE=true \
                        (or .insecure())";
        match self.rsa_key_bits {
            Some(bits) if bits < PINNED_MIN_RSA_BITS => write!(
                f,
                "; its RSA key of {bits} bits is refused even when pinned or insecure \
                 (at least {PINNED_MIN_RSA_BITS} bits are required): the server needs a new \
                 certificate"
            ),
            Some(bits) => write!(
                f,
                "; its RSA key of {bits} bits is below the {VERIFY_MIN_RSA_BITS} bits that \
                 verification requires, so trusting its CA (VSPHERE_CA_FILE) cannot help; to \
                 connect, {pin}, or, {insecure}"
            ),
            None if self.ca_file_helps() => write!(
                f,
                "; to connect, trust the CA that issued it with VSPHERE_CA_FILE=<PEM file> \
                 (or .ca_file(..)), {pin}, or, {insecure}"
            ),
            None => {
                if matches!(
                    self.reason,
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                ) {
                    f.write_str("; to connect, use a name the certificate holds, ")?;
                } else {
                    f.write_str("; to connect, ")?;
                }
                write!(f, "{pin}, or, {insecure}")
            }
        }
    }
}

impl std::error::Error for UntrustedCertificate {}

/// The smallest RSA key, in bits, whose handshake signatures
/// [`TlsMode::Verify`] accepts (ring's and webpki's limit).
pub const VERIFY_MIN_RSA_BITS: usize = 2048;

/// The smallest RSA key, in bits, whose handshake signatures
/// [`TlsMode::Pinned`] and [`TlsMode::Insecure`] accept. Keys of 1024 to
/// 2047 bits are still common on older ESXi hosts and are what govmomi's
/// simulator presents by default; pyVmomi, govmomi and OpenSSL accept them.
pub const PINNED_MIN_RSA_BITS: usize = 1024;

/// A server certificate whose RSA key is too small for its handshake
/// signature to be accepted: below [`VERIFY_MIN_RSA_BITS`] in
/// [`TlsMode::Verify`] (where pinning the certificate or insecure mode accept
/// it), below [`PINNED_MIN_RSA_BITS`] in every mode.
///
/// It travels inside the handshake's [`rustls::Error`] like
/// [`ThumbprintMismatch`]; [`describe_tls_error`] prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeakRsaKey {
    bits: usize,
    required_bits: usize,
    presented_sha256: Thumbprint,
    presented_sha1: Thumbprint,
}

impl WeakRsaKey {
    /// The size of the certificate's RSA key (its modulus) in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The size the mode in use requires: [`VERIFY_MIN_RSA_BITS`] or
    /// [`PINNED_MIN_RSA_BITS`].
    pub fn required_bits(&self) -> usize {
        self.required_bits
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

impl fmt::Display for WeakRsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            bits,
            required_bits,
            presented_sha256: sha256,
            ..
        } = self;
        if *required_bits > PINNED_MIN_RSA_BITS && *bits >= PINNED_MIN_RSA_BITS {
            write!(
                f,
                "the server certificate has an RSA key of {bits} bits and verification \
                 requires at least {required_bits} bits; the server presented SHA-256 {sha256}; \
                 pinning its thumbprint with VSPHERE_THUMBPRINT={sha256} (or .thumbprint(..)) \
                 after checking that it is the server's, or, in test labs only, \
                 VSPHERE_INSECURE=true (or .insecure()) accepts it"
            )
        } else {
            write!(
                f,
                "the server certificate has an RSA key of {bits} bits, which is refused even \
                 when pinned or insecure (at least {PINNED_MIN_RSA_BITS} bits are required); \
                 the server presented SHA-256 {sha256}; the server needs a new certificate"
            )
        }
    }
}

impl std::error::Error for WeakRsaKey {}

/// A certificate error carrying one of our typed values; `Other` makes
/// rustls send a certificate_unknown alert.
fn certificate_error(e: impl std::error::Error + Send + Sync + 'static) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e))))
}

/// The size in bits of a certificate's RSA key, or `None` when it has no
/// RSA key or cannot be parsed.
fn rsa_key_bits(cert: &CertificateDer<'_>) -> Option<usize> {
    let parsed = rustls::server::ParsedCertificate::try_from(cert).ok()?;
    let spki = parsed.subject_public_key_info();
    let spki = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(spki.as_ref()).ok()?;
    if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
        return None;
    }
    rsa_modulus_bits(spki.subject_public_key.as_bytes()?)
}

/// The modulus size in bits of a DER `RSAPublicKey` (PKCS #1), the contents
/// of the subjectPublicKey BIT STRING of an rsaEncryption key.
fn rsa_modulus_bits(public_key: &[u8]) -> Option<usize> {
    let key = rsa::pkcs1::RsaPublicKey::try_from(public_key).ok()?;
    // DER integers have no leading zero bytes beyond a sign byte, which
    // `as_bytes` strips.
    let n = key.modulus.as_bytes();
    let first = *n.first()?;
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

/// The error for a handshake signature that failed because of the key size,
/// if that is why.
fn weak_key_error(
    cert: &CertificateDer<'_>,
    required_bits: usize,
    e: &rustls::Error,
) -> Option<rustls::Error> {
    if !matches!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::BadSignature)
    ) {
        return None;
    }
    let bits = rsa_key_bits(cert)?;
    (bits < required_bits).then(|| {
        certificate_error(WeakRsaKey {
            bits,
            required_bits,
            presented_sha256: Thumbprint::of_sha256(cert),
            presented_sha1: Thumbprint::of_sha1(cert),
        })
    })
}

// ---------------------------------------------------------------------------
// Handshake signatures with RSA keys of 1024 to 2047 bits

#[derive(Clone, Copy, Debug)]
enum RsaPadding {
    Pkcs1,
    Pss,
}

#[derive(Clone, Copy, Debug)]
enum RsaHash {
    Sha256,
    Sha384,
    Sha512,
}

/// An RSA handshake-signature algorithm for keys from
/// [`PINNED_MIN_RSA_BITS`] up: keys of [`VERIFY_MIN_RSA_BITS`] and more go to
/// ring's algorithm unchanged (the one webpki uses), smaller ones of at least
/// [`PINNED_MIN_RSA_BITS`] to the RustCrypto `rsa` crate, and the rest are
/// refused.
///
/// rustls tries the algorithms of a signature scheme in turn and stops at the
/// first that does not refuse the key type, so this is the only algorithm of
/// its scheme: it decides by key size itself.
struct AnySizeRsa {
    signature_alg_id: AlgorithmIdentifier,
    padding: RsaPadding,
    hash: RsaHash,
    strict: &'static ring::signature::RsaParameters,
}

impl fmt::Debug for AnySizeRsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AnySizeRsa({:?} {:?}, {PINNED_MIN_RSA_BITS}+ bits)",
            self.padding, self.hash
        )
    }
}

impl SignatureVerificationAlgorithm for AnySizeRsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        match rsa_modulus_bits(public_key) {
            Some(bits) if bits < PINNED_MIN_RSA_BITS => Err(InvalidSignature),
            Some(bits) if bits < VERIFY_MIN_RSA_BITS => {
                self.verify_small(public_key, message, signature)
            }
            _ => ring::signature::UnparsedPublicKey::new(self.strict, public_key)
                .verify(message, signature)
                .map_err(|_| InvalidSignature),
        }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }

    fn fips(&self) -> bool {
        false
    }
}

impl AnySizeRsa {
    /// Verifies with the `rsa` crate, which has no lower limit of its own.
    fn verify_small(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let key = rsa::RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| InvalidSignature)?;
        match self.hash {
            RsaHash::Sha256 => verify_rsa::<sha2::Sha256>(&key, self.padding, message, signature),
            RsaHash::Sha384 => verify_rsa::<sha2::Sha384>(&key, self.padding, message, signature),
            RsaHash::Sha512 => verify_rsa::<sha2::Sha512>(&key, self.padding, message, signature),
        }
    }
}

fn verify_rsa<D>(
    key: &rsa::RsaPublicKey,
    padding: RsaPadding,
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature>
where
    D: sha2::Digest
        + sha2::digest::DynDigest
        + sha2::digest::const_oid::AssociatedOid
        + Send
        + Sync
        + 'static,
{
    let hashed = D::digest(message);
    let result = match padding {
        RsaPadding::Pkcs1 => key.verify(rsa::Pkcs1v15Sign::new::<D>(), &hashed, signature),
        // The salt is as long as the digest, as TLS 1.3 (RFC 8446 4.2.3) and
        // ring require.
        RsaPadding::Pss => key.verify(rsa::Pss::new::<D>(), &hashed, signature),
    };
    result.map_err(|_| InvalidSignature)
}

static RSA_PKCS1_SHA256: AnySizeRsa = AnySizeRsa {
    signature_alg_id: alg_id::RSA_PKCS1_SHA256,
    padding: RsaPadding::Pkcs1,
    hash: RsaHash::Sha256,
    strict: &ring::signature::RSA_PKCS1_2048_8192_SHA256,
};
static RSA_PKCS1_SHA384: AnySizeRsa = AnySizeRsa {
    signature_alg_id: alg_id::RSA_PKCS1_SHA384,
    padding: RsaPadding::Pkcs1,
    hash: RsaHash::Sha384,
    strict: &ring::signature::RSA_PKCS1_2048_8192_SHA384,
};
static RSA_PKCS1_SHA512: AnySizeRsa = AnySizeRsa {
    signature_alg_id: alg_id::RSA_PKCS1_SHA512,
    padding: RsaPadding::Pkcs1,
    hash: RsaHash::Sha512,
    strict: &ring::signature::RSA_PKCS1_2048_8192_SHA512,
};
static RSA_PSS_SHA256: AnySizeRsa = AnySizeRsa {
    signature_alg_id: alg_id::RSA_PSS_SHA256,
    padding: RsaPadding::Pss,
    hash: RsaHash::Sha256,
    strict: &ring::signature::RSA_PSS_2048_8192_SHA256,
};
static RSA_PSS_SHA384: AnySizeRsa = AnySizeRsa {
    signature_alg_id: alg_id::RSA_PSS_SHA384,
    padding: RsaPadding::Pss,
    hash: RsaHash::Sha384,
    strict: &ring::signature::RSA_PSS_2048_8192_SHA384,
};
static RSA_PSS_SHA512: AnySizeRsa = AnySizeRsa {
    signature_alg_id: alg_id::RSA_PSS_SHA512,
    padding: RsaPadding::Pss,
    hash: RsaHash::Sha512,
    strict: &ring::signature::RSA_PSS_2048_8192_SHA512,
};

type Algorithms = &'static [&'static dyn SignatureVerificationAlgorithm];

/// The single algorithm that replaces ring's for an RSA scheme.
fn any_size_rsa(scheme: SignatureScheme) -> Option<Algorithms> {
    static PKCS1_SHA256: [&dyn SignatureVerificationAlgorithm; 1] = [&RSA_PKCS1_SHA256];
    static PKCS1_SHA384: [&dyn SignatureVerificationAlgorithm; 1] = [&RSA_PKCS1_SHA384];
    static PKCS1_SHA512: [&dyn SignatureVerificationAlgorithm; 1] = [&RSA_PKCS1_SHA512];
    static PSS_SHA256: [&dyn SignatureVerificationAlgorithm; 1] = [&RSA_PSS_SHA256];
    static PSS_SHA384: [&dyn SignatureVerificationAlgorithm; 1] = [&RSA_PSS_SHA384];
    static PSS_SHA512: [&dyn SignatureVerificationAlgorithm; 1] = [&RSA_PSS_SHA512];
    Some(match scheme {
        SignatureScheme::RSA_PKCS1_SHA256 => &PKCS1_SHA256,
        SignatureScheme::RSA_PKCS1_SHA384 => &PKCS1_SHA384,
        SignatureScheme::RSA_PKCS1_SHA512 => &PKCS1_SHA512,
        SignatureScheme::RSA_PSS_SHA256 => &PSS_SHA256,
        SignatureScheme::RSA_PSS_SHA384 => &PSS_SHA384,
        SignatureScheme::RSA_PSS_SHA512 => &PSS_SHA512,
        _ => return None,
    })
}

/// ring's handshake-signature algorithms (the provider's), each RSA one
/// replaced by its [`AnySizeRsa`]; ECDSA and Ed25519 as ring has them.
fn tolerant_algorithms() -> WebPkiSupportedAlgorithms {
    static MAPPING: LazyLock<Vec<(SignatureScheme, Algorithms)>> = LazyLock::new(|| {
        strict_algorithms()
            .mapping
            .iter()
            .map(|&(scheme, algs)| (scheme, any_size_rsa(scheme).unwrap_or(algs)))
            .collect()
    });
    WebPkiSupportedAlgorithms {
        // `all` serves certificate-chain signatures, which the modes using
        // these algorithms do not check.
        all: strict_algorithms().all,
        mapping: &MAPPING,
    }
}

/// ring's handshake-signature algorithms, as [`TlsMode::Verify`] uses them.
fn strict_algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

/// Handshake signature verification of the verifiers that skip certificate
/// verification: [`tolerant_algorithms`], and a [`WeakRsaKey`] error for
/// keys too small even for them.
#[derive(Debug)]
struct Signatures(WebPkiSupportedAlgorithms);

impl Signatures {
    fn tolerant() -> Self {
        Self(tolerant_algorithms())
    }

    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
            .map_err(|e| weak_key_error(cert, PINNED_MIN_RSA_BITS, &e).unwrap_or(e))
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
            .map_err(|e| weak_key_error(cert, PINNED_MIN_RSA_BITS, &e).unwrap_or(e))
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
        Err(certificate_error(ThumbprintMismatch {
            expected: self.pin.clone(),
            presented_sha256: Thumbprint::of_sha256(end_entity),
            presented_sha1: Thumbprint::of_sha1(end_entity),
        }))
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

/// [`TlsMode::Verify`]: webpki decides, with ring's algorithms only; its
/// rejections are wrapped in an [`UntrustedCertificate`] and a handshake
/// signature refused only for the size of its RSA key in a [`WeakRsaKey`].
#[derive(Debug)]
struct VerifyingVerifier {
    webpki: Arc<WebPkiServerVerifier>,
}

impl VerifyingVerifier {
    /// Explains a refused handshake signature that the pinned and insecure
    /// modes would accept: the key is too small for verification.
    fn explain(
        e: rustls::Error,
        cert: &CertificateDer<'_>,
        tolerant: impl FnOnce(
            &WebPkiSupportedAlgorithms,
        ) -> Result<HandshakeSignatureValid, rustls::Error>,
    ) -> rustls::Error {
        match weak_key_error(cert, VERIFY_MIN_RSA_BITS, &e) {
            Some(weak) if tolerant(&tolerant_algorithms()).is_ok() => weak,
            _ => e,
        }
    }
}

impl ServerCertVerifier for VerifyingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(reason) => {
                    certificate_error(UntrustedCertificate {
                        reason,
                        presented_sha256: Thumbprint::of_sha256(end_entity),
                        presented_sha1: Thumbprint::of_sha1(end_entity),
                        rsa_key_bits: rsa_key_bits(end_entity)
                            .filter(|&bits| bits < VERIFY_MIN_RSA_BITS),
                    })
                }
                e => e,
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki
            .verify_tls12_signature(message, cert, dss)
            .map_err(|e| {
                Self::explain(e, cert, |algs| {
                    rustls::crypto::verify_tls12_signature(message, cert, dss, algs)
                })
            })
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki
            .verify_tls13_signature(message, cert, dss)
            .map_err(|e| {
                Self::explain(e, cert, |algs| {
                    rustls::crypto::verify_tls13_signature(message, cert, dss, algs)
                })
            })
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.webpki.root_hint_subjects()
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
/// [`TlsMode::Verify`] accepts handshake signatures by RSA keys of
/// [`VERIFY_MIN_RSA_BITS`] or more; [`TlsMode::Pinned`] and
/// [`TlsMode::Insecure`] still verify them (the server must hold the key of
/// the certificate it presents) but accept RSA keys from
/// [`PINNED_MIN_RSA_BITS`] bits, as pyVmomi and govmomi do.
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
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        TlsMode::Verify { extra_roots } => {
            let roots = Arc::new(root_store(extra_roots)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| TlsConfigError::Rustls(rustls::Error::General(e.to_string())))?;
            Arc::new(VerifyingVerifier { webpki })
        }
        TlsMode::Pinned(pin) => Arc::new(PinnedVerifier {
            pin: pin.clone(),
            signatures: Signatures::tolerant(),
        }),
        TlsMode::Insecure => Arc::new(InsecureVerifier {
            signatures: Signatures::tolerant(),
        }),
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// Finds the TLS reason of a failed connection in an error's `source()`
/// chain (e.g. a `reqwest::Error`) and returns it as one line of text, or
/// `None` when the failure was not a TLS one.
///
/// It recognises a [`rustls::Error`], also when wrapped in an
/// [`io::Error`] (whose `source()` skips the wrapped error), and the typed
/// rejections of this module: [`ThumbprintMismatch`] (naming the pinned and
/// the presented thumbprints), [`UntrustedCertificate`] and [`WeakRsaKey`]
/// (naming the presented SHA-256 thumbprint and the ways to connect:
/// `VSPHERE_THUMBPRINT`, `VSPHERE_CA_FILE` or `VSPHERE_INSECURE`). A server
/// that does not answer with TLS (an `https://` URL for a plain http port)
/// and a TLS alert from the server are said in words.
pub fn describe_tls_error(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(text) = describe_ours(e) {
            return Some(text);
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

/// The text of one of this module's typed rejections.
fn describe_ours(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(m) = e.downcast_ref::<ThumbprintMismatch>() {
        return Some(m.to_string());
    }
    if let Some(u) = e.downcast_ref::<UntrustedCertificate>() {
        return Some(u.to_string());
    }
    if let Some(w) = e.downcast_ref::<WeakRsaKey>() {
        return Some(w.to_string());
    }
    None
}

fn describe_rustls(e: &rustls::Error) -> String {
    use rustls::{AlertDescription as A, InvalidMessage as M};
    match e {
        rustls::Error::InvalidCertificate(CertificateError::Other(o)) => {
            match describe_ours(o.0.as_ref()) {
                Some(text) => text,
                // rustls prints `Other` with `Debug`; its `Display` is the reason.
                None => format!("invalid peer certificate: {o}"),
            }
        }
        rustls::Error::InvalidMessage(m @ (M::InvalidContentType | M::UnknownProtocolVersion)) => {
            format!(
                "the server did not answer with TLS (its reply is not a TLS record: {m:?}); \
                 if it serves plain http, use an http:// URL"
            )
        }
        rustls::Error::AlertReceived(alert) => {
            let why = match alert {
                A::HandshakeFailure | A::InsufficientSecurity => {
                    ": it shares no protocol version, cipher suite or signature scheme with \
                     this client, which offers TLS 1.2 and 1.3 with ECDHE and AES-GCM or \
                     ChaCha20"
                }
                A::ProtocolVersion => ": it speaks neither TLS 1.2 nor TLS 1.3",
                A::CertificateRequired => ": it requires a client certificate",
                A::UnrecognisedName => ": it does not serve the server name this client sent",
                A::BadCertificate | A::CertificateUnknown | A::UnknownCA => {
                    ": it rejected a certificate"
                }
                A::AccessDenied => ": access denied",
                A::InternalError => ": an internal error on the server",
                _ => "",
            };
            format!("the server refused the TLS handshake with the alert {alert:?}{why}")
        }
        e => e.to_string(),
    }
}

/// A certificate rejection in words, with rustls's name for it.
#[allow(deprecated)] // `UnsupportedSignatureAlgorithm`, which older paths still produce
fn reason_text(e: &CertificateError) -> String {
    use CertificateError as C;
    let date = |t: &UnixTime| {
        i64::try_from(t.as_secs())
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map_or_else(
                || format!("{} s after 1970", t.as_secs()),
                |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            )
    };
    match e {
        C::UnknownIssuer => {
            "it is not signed by a certificate authority this client trusts (UnknownIssuer)".into()
        }
        C::NotValidForName => "it is not valid for the server's name (NotValidForName)".into(),
        C::NotValidForNameContext {
            expected,
            presented,
        } => {
            let names = if presented.is_empty() {
                "none".to_string()
            } else {
                presented.join(", ")
            };
            format!(
                "it is not valid for the name {} (it names {names}) (NotValidForName)",
                expected.to_str()
            )
        }
        C::Expired => "it has expired (Expired)".into(),
        C::ExpiredContext { not_after, .. } => {
            format!("it expired on {} (Expired)", date(not_after))
        }
        C::NotValidYet => "it is not valid yet; check the clocks (NotValidYet)".into(),
        C::NotValidYetContext { not_before, .. } => format!(
            "it is not valid before {}; check the clocks (NotValidYet)",
            date(not_before)
        ),
        C::Revoked => "it has been revoked (Revoked)".into(),
        C::BadEncoding => "it is malformed (BadEncoding)".into(),
        C::BadSignature => "the signature of its issuer does not verify, or uses a key this \
                            client refuses (BadSignature)"
            .into(),
        C::UnsupportedSignatureAlgorithm
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "it is signed with an algorithm this client does not support \
             (UnsupportedSignatureAlgorithm)"
                .into()
        }
        C::UnhandledCriticalExtension => {
            "it has a critical extension this client does not know (UnhandledCriticalExtension)"
                .into()
        }
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "it is not meant for TLS servers: its extended key usage lacks serverAuth \
             (InvalidPurpose)"
                .into()
        }
        C::Other(o) => match webpki_reason(o) {
            Some(words) => words.into(),
            None => format!("it was rejected ({o})"),
        },
        e => format!("it was rejected ({e:?})"),
    }
}

/// webpki rejections that rustls passes on as [`CertificateError::Other`],
/// in words (recognised by webpki's name for them).
fn webpki_reason(o: &OtherError) -> Option<&'static str> {
    Some(match o.to_string().as_str() {
        "CaUsedAsEndEntity" => {
            "it is a CA certificate, which cannot serve as a server's own certificate \
             (CaUsedAsEndEntity)"
        }
        "EndEntityUsedAsCa" => {
            "its chain uses a server certificate as a certificate authority (EndEntityUsedAsCa)"
        }
        "PathLenConstraintViolated" => {
            "its chain is longer than a CA's path length constraint allows \
             (PathLenConstraintViolated)"
        }
        "UnsupportedCertVersion" => {
            "it is not an X.509 version 3 certificate \
                                     (UnsupportedCertVersion)"
        }
        "MaximumPathDepthExceeded" | "MaximumPathBuildCallsExceeded" => {
            "its chain is too long or too tangled to verify (MaximumPathDepthExceeded)"
        }
        _ => return None,
    })
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
            signatures: Signatures::tolerant(),
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

    // -----------------------------------------------------------------------
    // RSA keys below 2048 bits

    // Go's httptest certificate (RSA-1024, a CA certificate, the default of
    // govmomi's simulator), and self-signed ones made with openssl for a
    // 512-bit and a 2048-bit key. The signatures are openssl's
    // (`openssl dgst -sha256 -sign KEY [-sigopt rsa_padding_mode:pss
    // -sigopt rsa_pss_saltlen:digest]`) over `MESSAGE`.
    const CERT_1024: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIICEzCCAXygAwIBAgIQMIMChMLGrR+QvmQvpwAU6zANBgkqhkiG9w0BAQsFADAS\n\
MRAwDgYDVQQKEwdBY21lIENvMCAXDTcwMDEwMTAwMDAwMFoYDzIwODQwMTI5MTYw\n\
MDAwWjASMRAwDgYDVQQKEwdBY21lIENvMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCB\n\
iQKBgQDuLnQAI3mDgey3VBzWnB2L39JUU4txjeVE6myuDqkM/uGlfjb9SjY1bIw4\n\
iA5sBBZzHi3z0h1YV8QPuxEbi4nW91IJm2gsvvZhIrCHS3l6afab4pZBl2+XsDul\n\
rKBxKKtD1rGxlG4LjncdabFn9gvLZad2bSysqz/qTAUStTvqJQIDAQABo2gwZjAO\n\
BgNVHQ8BAf8EBAMCAqQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwDwYDVR0TAQH/BAUw\n\
AwEB/zAuBgNVHREEJzAlggtleGFtcGxlLmNvbYcEfwAAAYcQAAAAAAAAAAAAAAAA\n\
AAAAATANBgkqhkiG9w0BAQsFAAOBgQCEcetwO59EWk7WiJsG4x8SY+UIAA+flUI9\n\
tyC4lNhbcF2Idq9greZwbYCqTTTr2XiRNSMLCOjKyI7ukPoPjo16ocHj+P3vZGfs\n\
h1fIw3cSS2OolhloGw/XM6RWPWtPAlGykKLciQrBru5NAPvCMsb/I1DAceTiotQM\n\
fblo6RBxUQ==\n\
-----END CERTIFICATE-----\n";
    const CERT_512: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBfTCCASegAwIBAgIUcrG1fmN0HcokCuV8TyCetBvGIVQwDQYJKoZIhvcNAQEL\n\
BQAwEjEQMA4GA1UEAwwHd2VhazUxMjAgFw0yNjEyMDExMDI1MDRaGA8yMTI2MTEw\n\
NzEwMjUwNFowEjEQMA4GA1UEAwwHd2VhazUxMjBcMA0GCSqGSIb3DQEBAQUAA0sA\n\
MEgCQQDK4gfgRk+6Wkg42Qc8V74zKWOvmaYdIpslMO+pcseUWWx6u8dKHUW4GBWn\n\
rb/YYS8nwmySLfuRhTTFK2RY6H4hAgMBAAGjUzBRMB0GA1UdDgQWBBTD8MmFbthF\n\
l/VekeVqZpCXm3KujzAfBgNVHSMEGDAWgBTD8MmFbthFl/VekeVqZpCXm3KujzAP\n\
BgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA0EAc2kPyQt3zSAdGE3jHmZk\n\
mrE2zXlTu/WRqoc1BPlTQHb1AD/zFiTmOn83UzHeBHVeQu4Q2sxRrTBlsWN8oYgj\n\
WQ==\n\
-----END CERTIFICATE-----\n";
    const CERT_2048: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIDJTCCAg2gAwIBAgIURfgLn0vY20f+urzORdClDw2x9DkwDQYJKoZIhvcNAQEL\n\
BQAwFTETMBEGA1UEAwwKc3Ryb25nMjA0ODAgFw0yNjEyMDExMDMwMThaGA8yMTI2\n\
MTEwNzEwMzAxOFowFTETMBEGA1UEAwwKc3Ryb25nMjA0ODCCASIwDQYJKoZIhvcN\n\
AQEBBQADggEPADCCAQoCggEBAK4WIC3pSyOfF7dVWycpJxHFqyfqJSf+w71wx5sx\n\
THFbcD/F5L20wfmaIBb5Hx6Ic8ahWaJtr7hsvXRXMDs7byf3Tq+CFdhC5MNnsQBo\n\
2NbJgwjcFkhFdbPRjAV6pF2jziZ6bXDy7EMqAXAX3YHtFFjVhtsVKSQVGkBz6qOT\n\
0t/8/3aif6Zt3JjAnpYo2dhBTba+D7qh7QGm4dr9x5H/lyGGHpiqj77tpWanMJxt\n\
D5HjvgyFU+xdQAsrkklM0e6WNpdB3fmDn7a9WfcDHJXrkk1p4v5LuzLKG+ifSdQH\n\
gd5VBIRJIXxXfGayGZZ6Mjnkjg4HgUxR0rbXOxPO060P2yMCAwEAAaNrMGkwHQYD\n\
VR0OBBYEFNgHzdXutp0Qiq6yXTQWFjLj3d6WMB8GA1UdIwQYMBaAFNgHzdXutp0Q\n\
iq6yXTQWFjLj3d6WMAwGA1UdEwEB/wQCMAAwGQYDVR0RBBIwEIIOc3Ryb25nLmV4\n\
YW1wbGUwDQYJKoZIhvcNAQELBQADggEBAGRypJDOmCOUgAych2sLf10ms0tnQdZE\n\
KMRQoipTe8FOmjL4NR31D6jKcfbwhT2CWg7b18IVAvLSDYFnGnHy0/QXehi/AQKs\n\
Jj+SeuPyq5jlQ2oTnTzSxbHEsZa2V0/3QWGrXkPlOxTBs9iiQUKjsA9Ie6mvOxvX\n\
kd97amOMFSh9FswCnJYICEtYJgm0INeQ14U5MFURAfLrxyaRgA6Cx7Hh+2Wi73Ci\n\
cbhPYQB9jSy7nijxGGha2Z+Lx3LWIpx1+dbC/QvTODmtdwo5mNAjzR1BDpKeRodW\n\
aQLX0G2K6cYIJ3lufGTdn8LuqoSDpdbV1uddAum6D5LlLYWn6slAp54=\n\
-----END CERTIFICATE-----\n";
    const MESSAGE: &[u8] = b"vmomi handshake signature test";
    const K1024_SHA256_PKCS1: &str = "\
        JkFEIQGkyVWrDoJmwps1loPJ18TUZYlhnA7BEVjP0e80u9or0dqOaRQcMz4hy7tJ\
        nl7MmFtqqQNtqFvMRsyuq85CJwJSw+kNiG/0CKSbi9nexkslnprre3ScfO6Kgyzh\
        emN3piLlTWmT+JfkfpEG1/GeC2eJAj1Z+VjThXe2vu8=";
    const K1024_SHA384_PKCS1: &str = "\
        LPh4cXtObXNStuyM8Wl0Dg4nuZbdq3eH8X4BzpGt5FBKDV7wC1LUj7C2z43UuZC5\
        X4t1TPQhR2VQYVfnxggQo9NnYIuru+kjl0uzE0nFt+4tW1lw5H69DQGsmxchWpDu\
        /9S7pmQJK0uUkWcn7gmqbLYsYH7l3yWe0n4mL0f2ROE=";
    const K1024_SHA512_PKCS1: &str = "\
        rvpWUVltv8m7BxfzWy6MBs+DQgoDtZv8kX22gxI/fBt57jk2CD6DsWiQVJIQhKAr\
        0StVvwB9E4Ow2LWIFfpLcpnRBwZdEz9zQO2QROmOBGt5KgHCgqPRqYMJQzJn/75e\
        50fB4fHLjJ3EJyzbi5In5QCLRlX3dE5SbF0gI2PYOzw=";
    const K1024_SHA256_PSS: &str = "\
        2B27glgyjgtsAJ/oG6VBvUzT2fscgos7iD8FYwnZymTBGxcwtd3uw+qLZAIOwLxm\
        O7E0RpUEDiexiuK67PmL4EfoghX32q3nJa5fM9CGWKVPp7c/SXoZuZAdp0kIvC4h\
        fI9LC5CDxX6SuS2ockgM0kPPPV9k8ZSm6PfNOs+WsxE=";
    const K1024_SHA384_PSS: &str = "\
        6fMOmKH3hMmZp8TSwsSXgQ4q5hV8wOQINR1H/rXNO8ngjIEpYbowshWskmDUAB6a\
        clIiPn1gBvGfxfuU7ogj9gQ7XXQwKoEH/8dDP2Ub5DyBDWc0C2tKsciICZqZXIXh\
        jEWwKWVmzV7pwpMSgk2sH5QG23dJz1mnFJ9uxt2GUgk=";
    const K2048_SHA256_PKCS1: &str = "\
        ji5Yo/VWLl4wfiEfSr/2Bm5gbRh3TG5RdgUB4faHseCvmH4gFNln+trY4+wbtJwt\
        KKn8/hJswbKYdJssTlTeqyfaBcyN4ZsZ0Zc10hDW+hNITJDtN7AQUoaFSaU+TePv\
        T39jBVACyZBTQrDi4CTYb7sMn68M966b9KVzOoyWuxXFzTRKY/DGKorfdVv0yz5/\
        TeFrcZdzC9bMjOjLkwYNGpFK/v3Bc/qP79r27syDcsLgCTNgb9dwl+SsXvqKdoGk\
        MGv4WEPoDzkuAJhIaLxXRZYn+gtR8ibYWJJzYeYQZDvrf3VYXWlHWanYxQwdUomz\
        y7JhBflfIFo9A2zoQIz1zg==";
    const K2048_SHA256_PSS: &str = "\
        fDQI9YK0USKrimxr09HmAAzEc6dibGheIBhvXoorRPUGa13175Z5eL5t+fyK66S9\
        /G8RX+kQstcC2D5fJvvpLGXIWCHGIoOf1bGr0lpuewxv+sHdHv7e3Ah5q39yXikA\
        lU7d+F1kzILefNneS44/eVFImyiBxUPVFgLY5RScpgAWZWTlzUdHdMTEgqJzC7DM\
        6VOREKZmCzyMJMIqJ3vSaZX4igALD1SVmyWlJsJaULbJuVcB7/AhL5PClkvEJMzb\
        zpHAi+ay4X2OQTz5+4xKTJMAn9yt38+g0sKbZLqrZiY47jpwdYw7D0xBvFWkOkmE\
        GUU13Xx26fXMBlrqdl6l2g==";
    const K512_SHA256_PKCS1: &str = "\
        yIYB9DO3vuSZ4OLonex32F0+6wA2sqgs+U1il9P2y3XBt7+G4gHIUwkVZM0d1Ab4\
        HUmMFFkoKUb5N1iguhxfcA==";

    fn cert(pem: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
    }

    fn sig(b64: &str) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    }

    /// The subjectPublicKey contents of a certificate, as webpki passes them
    /// to a [`SignatureVerificationAlgorithm`].
    fn public_key(cert: &CertificateDer<'_>) -> Vec<u8> {
        let parsed = rustls::server::ParsedCertificate::try_from(cert).unwrap();
        let spki = parsed.subject_public_key_info();
        let spki = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(spki.as_ref()).unwrap();
        spki.subject_public_key.as_bytes().unwrap().to_vec()
    }

    /// A handshake signature as rustls decodes it from the wire.
    fn dss(scheme: SignatureScheme, signature: &[u8]) -> DigitallySignedStruct {
        use rustls::internal::msgs::codec::Codec;
        let mut wire = u16::from(scheme).to_be_bytes().to_vec();
        wire.extend((signature.len() as u16).to_be_bytes());
        wire.extend(signature);
        DigitallySignedStruct::read_bytes(&wire).unwrap()
    }

    #[test]
    fn key_sizes() {
        assert_eq!(rsa_key_bits(&cert(CERT_1024)), Some(1024));
        assert_eq!(rsa_key_bits(&cert(CERT_512)), Some(512));
        assert_eq!(rsa_key_bits(&cert(CERT_2048)), Some(2048));
        assert_eq!(rsa_key_bits(&CertificateDer::from(&b"junk"[..])), None);
    }

    #[test]
    fn rsa_1024_signatures_verify_with_the_tolerant_algorithms_only() {
        let key = public_key(&cert(CERT_1024));
        let cases: [(&AnySizeRsa, &'static ring::signature::RsaParameters, &str); 5] = [
            (
                &RSA_PKCS1_SHA256,
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                K1024_SHA256_PKCS1,
            ),
            (
                &RSA_PKCS1_SHA384,
                &ring::signature::RSA_PKCS1_2048_8192_SHA384,
                K1024_SHA384_PKCS1,
            ),
            (
                &RSA_PKCS1_SHA512,
                &ring::signature::RSA_PKCS1_2048_8192_SHA512,
                K1024_SHA512_PKCS1,
            ),
            (
                &RSA_PSS_SHA256,
                &ring::signature::RSA_PSS_2048_8192_SHA256,
                K1024_SHA256_PSS,
            ),
            (
                &RSA_PSS_SHA384,
                &ring::signature::RSA_PSS_2048_8192_SHA384,
                K1024_SHA384_PSS,
            ),
        ];
        for (alg, ring_alg, signature) in cases {
            let signature = sig(signature);
            alg.verify_signature(&key, MESSAGE, &signature)
                .unwrap_or_else(|_| panic!("{alg:?} verifies"));
            // ring alone refuses the key: this is what the wrapper is for.
            assert!(
                ring::signature::UnparsedPublicKey::new(ring_alg, &key)
                    .verify(MESSAGE, &signature)
                    .is_err(),
                "{alg:?}"
            );
            // A signature of anything else, or another signature, fails.
            assert!(alg.verify_signature(&key, b"tampered", &signature).is_err());
            let mut flipped = signature.clone();
            flipped[40] ^= 1;
            assert!(alg.verify_signature(&key, MESSAGE, &flipped).is_err());
        }
        // The padding and the hash must match the scheme.
        let pkcs1 = sig(K1024_SHA256_PKCS1);
        assert!(
            RSA_PSS_SHA256
                .verify_signature(&key, MESSAGE, &pkcs1)
                .is_err()
        );
        assert!(
            RSA_PKCS1_SHA384
                .verify_signature(&key, MESSAGE, &pkcs1)
                .is_err()
        );
        assert_eq!(RSA_PSS_SHA256.public_key_alg_id(), alg_id::RSA_ENCRYPTION);
        assert_eq!(RSA_PSS_SHA256.signature_alg_id(), alg_id::RSA_PSS_SHA256);
        assert_eq!(
            RSA_PKCS1_SHA512.signature_alg_id(),
            alg_id::RSA_PKCS1_SHA512
        );
    }

    #[test]
    fn rsa_2048_signatures_go_to_ring() {
        let key = public_key(&cert(CERT_2048));
        RSA_PKCS1_SHA256
            .verify_signature(&key, MESSAGE, &sig(K2048_SHA256_PKCS1))
            .unwrap();
        RSA_PSS_SHA256
            .verify_signature(&key, MESSAGE, &sig(K2048_SHA256_PSS))
            .unwrap();
        assert!(
            RSA_PSS_SHA256
                .verify_signature(&key, b"tampered", &sig(K2048_SHA256_PSS))
                .is_err()
        );
    }

    #[test]
    fn rsa_512_is_refused() {
        let der = cert(CERT_512);
        let key = public_key(&der);
        let signature = sig(K512_SHA256_PKCS1);
        // The signature itself is good ...
        use rsa::pkcs1::DecodeRsaPublicKey;
        let k = rsa::RsaPublicKey::from_pkcs1_der(&key).unwrap();
        verify_rsa::<sha2::Sha256>(&k, RsaPadding::Pkcs1, MESSAGE, &signature).unwrap();
        // ... but the key is too small, even when pinned.
        assert!(
            RSA_PKCS1_SHA256
                .verify_signature(&key, MESSAGE, &signature)
                .is_err()
        );
        let pinned = PinnedVerifier {
            pin: Thumbprint::of_sha256(&der),
            signatures: Signatures::tolerant(),
        };
        let e = pinned
            .verify_tls12_signature(
                MESSAGE,
                &der,
                &dss(SignatureScheme::RSA_PKCS1_SHA256, &signature),
            )
            .unwrap_err();
        let msg = describe_tls_error(&e).unwrap();
        assert!(msg.contains("RSA key of 512 bits"), "{msg}");
        assert!(msg.contains("at least 1024 bits"), "{msg}");
        assert!(
            msg.contains(&Thumbprint::of_sha256(&der).to_string()),
            "{msg}"
        );
    }

    #[test]
    fn tolerant_algorithms_replace_each_rsa_scheme_by_one_algorithm() {
        let strict = strict_algorithms();
        let tolerant = tolerant_algorithms();
        assert_eq!(strict.supported_schemes(), tolerant.supported_schemes());
        let mut rsa = 0;
        for (&(scheme, strict_algs), &(same, algs)) in strict.mapping.iter().zip(tolerant.mapping) {
            assert_eq!(scheme, same);
            if let Some(ours) = any_size_rsa(scheme) {
                rsa += 1;
                assert_eq!(algs.len(), 1, "{scheme:?}: the one algorithm decides");
                assert!(std::ptr::eq(algs, ours), "{scheme:?}");
            } else {
                assert_eq!(algs.len(), strict_algs.len(), "{scheme:?} as ring has it");
            }
        }
        assert_eq!(rsa, 6, "PKCS#1 and PSS with SHA-256/384/512");
    }

    #[test]
    fn pinned_and_insecure_accept_rsa_1024_handshake_signatures() {
        let der = cert(CERT_1024);
        let pss = dss(SignatureScheme::RSA_PSS_SHA256, &sig(K1024_SHA256_PSS));
        let pkcs1 = dss(SignatureScheme::RSA_PKCS1_SHA512, &sig(K1024_SHA512_PKCS1));
        let pinned = PinnedVerifier {
            pin: Thumbprint::of_sha1(&der),
            signatures: Signatures::tolerant(),
        };
        let insecure = InsecureVerifier {
            signatures: Signatures::tolerant(),
        };
        pinned.verify_tls13_signature(MESSAGE, &der, &pss).unwrap();
        pinned
            .verify_tls12_signature(MESSAGE, &der, &pkcs1)
            .unwrap();
        insecure
            .verify_tls13_signature(MESSAGE, &der, &pss)
            .unwrap();
        insecure
            .verify_tls12_signature(MESSAGE, &der, &pkcs1)
            .unwrap();
        // Still verified: a wrong signature fails.
        let e = insecure
            .verify_tls13_signature(b"tampered", &der, &pss)
            .unwrap_err();
        assert!(
            matches!(
                e,
                rustls::Error::InvalidCertificate(CertificateError::BadSignature)
            ),
            "{e:?}"
        );
    }

    fn verifying() -> VerifyingVerifier {
        let roots = Arc::new(root_store(&[]).unwrap());
        let webpki = WebPkiServerVerifier::builder_with_provider(
            roots,
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap();
        VerifyingVerifier { webpki }
    }

    #[test]
    fn verify_mode_refuses_rsa_1024_and_says_why() {
        let der = cert(CERT_1024);
        let v = verifying();
        let pss = dss(SignatureScheme::RSA_PSS_SHA256, &sig(K1024_SHA256_PSS));
        let e = v.verify_tls13_signature(MESSAGE, &der, &pss).unwrap_err();
        let msg = describe_tls_error(&e).unwrap();
        eprintln!("{msg}");
        assert!(msg.contains("RSA key of 1024 bits"), "{msg}");
        assert!(msg.contains("at least 2048 bits"), "{msg}");
        let sha256 = Thumbprint::of_sha256(&der).to_string();
        assert!(
            msg.contains(&format!("VSPHERE_THUMBPRINT={sha256}")),
            "{msg}"
        );
        assert!(msg.contains("VSPHERE_INSECURE=true"), "{msg}");
        // A bad signature stays a bad signature.
        let e = v
            .verify_tls13_signature(b"tampered", &der, &pss)
            .unwrap_err();
        assert!(
            matches!(
                e,
                rustls::Error::InvalidCertificate(CertificateError::BadSignature)
            ),
            "{e:?}"
        );
        // 2048 bits verify as before.
        let strong = cert(CERT_2048);
        let pkcs1 = dss(SignatureScheme::RSA_PKCS1_SHA256, &sig(K2048_SHA256_PKCS1));
        v.verify_tls12_signature(MESSAGE, &strong, &pkcs1).unwrap();
    }

    #[test]
    fn verify_mode_rejections_name_the_thumbprint_and_the_ways_out() {
        let v = verifying();
        let name = ServerName::try_from("127.0.0.1").unwrap();
        // Self-signed: its issuer is unknown.
        let der = cert(CERT_2048);
        let e = v
            .verify_server_cert(&der, &[], &name, &[], UnixTime::now())
            .unwrap_err();
        let msg = describe_tls_error(&e).unwrap();
        eprintln!("{msg}");
        let sha256 = Thumbprint::of_sha256(&der).to_string();
        assert!(msg.contains("UnknownIssuer"), "{msg}");
        assert!(
            msg.contains(&format!("VSPHERE_THUMBPRINT={sha256}")),
            "{msg}"
        );
        assert!(msg.contains("VSPHERE_CA_FILE"), "{msg}");
        assert!(msg.contains("VSPHERE_INSECURE=true"), "{msg}");
        let rustls::Error::InvalidCertificate(CertificateError::Other(o)) = &e else {
            panic!("{e:?}")
        };
        let u = o.0.downcast_ref::<UntrustedCertificate>().unwrap();
        assert_eq!(u.reason(), &CertificateError::UnknownIssuer);
        assert_eq!(u.presented_sha1(), &Thumbprint::of_sha1(&der));
        assert_eq!(u.presented_sha256().to_string(), sha256);
        assert_eq!(u.weak_rsa_key_bits(), None);

        // Go's httptest certificate: a CA used as a leaf, with an RSA-1024
        // key; a CA file cannot help with either.
        let der = cert(CERT_1024);
        let e = v
            .verify_server_cert(&der, &[], &name, &[], UnixTime::now())
            .unwrap_err();
        let msg = describe_tls_error(&e).unwrap();
        eprintln!("{msg}");
        assert!(msg.contains("CaUsedAsEndEntity"), "{msg}");
        assert!(msg.contains("RSA key of 1024 bits"), "{msg}");
        let sha256 = Thumbprint::of_sha256(&der).to_string();
        assert!(
            msg.contains(&format!("VSPHERE_THUMBPRINT={sha256}")),
            "{msg}"
        );
        assert!(msg.contains("VSPHERE_INSECURE=true"), "{msg}");
        assert!(!msg.contains("VSPHERE_CA_FILE="), "{msg}");
    }

    #[test]
    fn reasons_in_words() {
        let expired = reason_text(&CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_700_000_000)),
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_600_000_000)),
        });
        assert_eq!(expired, "it expired on 2020-09-13 12:26:40 UTC (Expired)");
        let name = reason_text(&CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("vc.example.com").unwrap(),
            presented: vec!["DnsName(\"esx1\")".into()],
        });
        assert!(name.contains("vc.example.com"), "{name}");
        assert!(name.contains("esx1"), "{name}");
        let u = UntrustedCertificate {
            reason: CertificateError::NotValidForName,
            presented_sha256: Thumbprint::of_sha256(b"x"),
            presented_sha1: Thumbprint::of_sha1(b"x"),
            rsa_key_bits: None,
        };
        let msg = u.to_string();
        assert!(msg.contains("use a name the certificate holds"), "{msg}");
        assert!(!msg.contains("VSPHERE_CA_FILE"), "{msg}");
    }

    #[test]
    fn not_tls_and_alerts() {
        let e = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let io = io::Error::new(io::ErrorKind::InvalidData, e);
        let msg = describe_tls_error(&io).unwrap();
        assert!(msg.contains("did not answer with TLS"), "{msg}");
        assert!(msg.contains("http://"), "{msg}");
        let e = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        let msg = describe_tls_error(&e).unwrap();
        assert!(msg.contains("refused the TLS handshake"), "{msg}");
        assert!(msg.contains("HandshakeFailure"), "{msg}");
    }
}
