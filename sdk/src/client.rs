//! The vSphere client: connection settings, release negotiation and the
//! session every call goes through.
//!
//! ```no_run
//! # async fn run() -> Result<(), vmomi::Error> {
//! use vmomi::Client;
//! let client = Client::builder()
//!     .url("vcenter.example.com")
//!     .credentials("administrator@vsphere.local", "secret")
//!     .thumbprint("3C:1D:...:9A")
//!     .connect()
//!     .await?;
//! println!("{} speaks {}", client.about().full_name, client.release());
//! client.logout().await?;
//! # Ok(()) }
//! ```

use crate::Error;
use crate::cassette::{Player, Recorder};
use crate::methods;
use crate::mo;
use crate::redact::Redactor;
use crate::rt::{BoxFuture, RoundTripper, SoapRequest};
use crate::soap::{Backend, Transport};
use crate::tls::{self, Thumbprint, TlsMode};
use crate::types::{
    AboutInfo, AnyMethodFault, CurrentTimeRequestType, LoginRequestType, LogoutRequestType,
    ManagedObjectReference, RetrieveServiceContentRequestType, ServiceContent, UserSession,
};
use crate::version::{self, Release};
use crate::xml::soap::{SoapBody, decode_body};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Settings of a [`Client`]; [`ClientBuilder::connect`] makes the client.
///
/// ```no_run
/// # async fn run() -> Result<(), vmomi::Error> {
/// // VSPHERE_URL, VSPHERE_USER, VSPHERE_PASSWORD, ... (or govc's GOVC_*)
/// let client = vmomi::Client::builder().from_env()?.connect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    url: Option<String>,
    /// The user and where it was set (`VSPHERE_USER`, `.credentials()`).
    user: Option<(String, String)>,
    /// The password and where it was set.
    password: Option<(String, String)>,
    tls: TlsChoice,
    /// Where the TLS choice was made, for errors.
    tls_from: String,
    extra_roots: Vec<PathBuf>,
    timeout: Duration,
    max_response: u64,
    allow_plain_http: bool,
    connect_timeout: Duration,
    proxy: Option<String>,
    no_proxy: bool,
    user_agent: String,
    keepalive: Option<Duration>,
    release: Option<String>,
    wire_log: bool,
    cassette: Option<CassetteMode>,
    release_check: bool,
}

/// A cassette attached to the client.
#[derive(Clone, Debug)]
enum CassetteMode {
    /// Recording; `true` when the client saves it itself (`VSPHERE_RECORD`).
    Record(Arc<Recorder>, bool),
    Replay(Arc<Player>),
}

#[derive(Clone, Debug, Default)]
enum TlsChoice {
    #[default]
    Verify,
    Thumbprint(String),
    Insecure,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &self.url.as_deref().map(strip_userinfo))
            .field("user", &self.user.as_ref().map(|u| &u.0))
            .field("password", &self.password.as_ref().map(|_| "(redacted)"))
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .field("keepalive", &self.keepalive)
            .field("release", &self.release)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            url: None,
            user: None,
            password: None,
            tls: TlsChoice::Verify,
            tls_from: String::new(),
            extra_roots: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            max_response: DEFAULT_MAX_RESPONSE,
            allow_plain_http: false,
            connect_timeout: Duration::from_secs(30),
            proxy: None,
            no_proxy: false,
            user_agent: concat!("vmomi-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            // vCenter drops sessions idle for 30 minutes.
            keepalive: Some(Duration::from_secs(10 * 60)),
            release: None,
            wire_log: false,
            cassette: None,
            release_check: true,
        }
    }
}

/// The default limit of one call: generous, because a `RetrievePropertiesEx`
/// page of a large inventory or a slow `WaitForUpdatesEx` can take minutes,
/// yet finite so a stalled server cannot hang a program for ever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The default response size limit: 256 MiB. A page of 1,000 virtual
/// machines with their whole configuration is around 60 MB; anything much
/// larger is a runaway or hostile server.
pub const DEFAULT_MAX_RESPONSE: u64 = 256 << 20;

fn env(names: &[&str]) -> Option<(String, String)> {
    names.iter().find_map(|n| {
        std::env::var(n)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (n.to_string(), v))
    })
}

/// A duration as users write it: `90` (seconds), `90s`, `500ms`, `5m`,
/// `1h`; what `VSPHERE_TIMEOUT` and the samples' `--timeout` accept.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(vmomi::client::parse_duration("90").unwrap(), Duration::from_secs(90));
/// assert_eq!(vmomi::client::parse_duration("5m").unwrap(), Duration::from_secs(300));
/// assert!(vmomi::client::parse_duration("soon").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let scale = match unit {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => f64::NAN,
    };
    match number.parse::<f64>() {
        Ok(n) if scale.is_finite() && n > 0.0 && (n * scale) < 1e9 => {
            Ok(Duration::from_secs_f64(n * scale))
        }
        _ => Err(format!(
            "{text:?} is not a positive duration (use seconds, or 500ms, 90s, 5m, 1h)"
        )),
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, Error> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(Error::Config(format!(
            "{name}={v:?} is not a boolean (use true/false or 1/0)"
        ))),
    }
}

impl ClientBuilder {
    /// The server: a host name (`vc.example.com`, then `https://…/sdk` is
    /// assumed), `host:port`, or a full URL. User and password in the URL
    /// (`https://user:pass@host/sdk`, as govc accepts) become the credentials.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The user and password to log in with; without them the client does
    /// not log in (RetrieveServiceContent still works).
    ///
    /// Credentials come from three places; each of user and password is
    /// taken from the first that sets it: the last of `.credentials()` and
    /// [`from_env`](Self::from_env) (`VSPHERE_USER` / `VSPHERE_PASSWORD`,
    /// then govc's names), then the URL's `user:password@`. The URL's
    /// password is only used with the URL's user: a different user from
    /// elsewhere needs its own password, and a password without any user is
    /// an error rather than an anonymous session.
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.user = Some((user.into(), ".credentials()".into()));
        self.password = Some((password.into(), ".credentials()".into()));
        self
    }

    /// Verify the server certificate against the system roots, webpki's roots
    /// and any [`ca_file`](Self::ca_file) (the default).
    pub fn verify(mut self) -> Self {
        self.tls = TlsChoice::Verify;
        self.tls_from = ".verify()".into();
        self
    }

    /// Trusts the CA certificates of a PEM file as well (verify mode).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_roots.push(path.into());
        self
    }

    /// Pins the server certificate by its SHA-256 or SHA-1 thumbprint, in the
    /// colon-separated hex form vSphere shows (`AB:CD:…`). Checked at connect.
    pub fn thumbprint(mut self, thumbprint: impl Into<String>) -> Self {
        self.tls = TlsChoice::Thumbprint(thumbprint.into());
        self.tls_from = ".thumbprint()".into();
        self
    }

    /// Accepts any server certificate. Only for labs: anyone on the path can
    /// read the password.
    pub fn insecure(mut self) -> Self {
        self.tls = TlsChoice::Insecure;
        self.tls_from = ".insecure()".into();
        self
    }

    /// The limit for one whole call, from sending the request to the last
    /// byte of the response ([`DEFAULT_TIMEOUT`], 300 s, unless set here or
    /// with `VSPHERE_TIMEOUT`). A call that takes longer fails with
    /// [`Error::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes ([`DEFAULT_MAX_RESPONSE`],
    /// 256 MiB, unless set here or with `VSPHERE_MAX_RESPONSE_MB`). A larger
    /// response fails with [`Error::ResponseTooLarge`] as soon as its
    /// `Content-Length` or its bytes exceed the limit; it is not read further.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response = limit;
        self
    }

    /// Allows a plain `http://` URL to a host other than loopback. Off by
    /// default: over plain http the password and the session cookie travel
    /// in clear text, so it is meant for a simulator on 127.0.0.1 only.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// The limit for opening a connection (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sends through this HTTP(S) proxy. Without it the system proxy
    /// settings (`HTTPS_PROXY`, ...) are not used either, so loopback stays
    /// direct.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self.no_proxy = false;
        self
    }

    /// The `User-Agent` header (default `vmomi-rust/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// How often an idle session is kept alive with `CurrentTime` (default
    /// every 10 minutes; `None` turns it off).
    pub fn keepalive(mut self, every: Option<Duration>) -> Self {
        self.keepalive = every;
        self
    }

    /// Pins the API release (`"7.0.3.0"`) instead of negotiating the highest
    /// common one; connect fails when the server does not offer it.
    pub fn release(mut self, release: impl Into<String>) -> Self {
        self.release = Some(release.into());
        self
    }

    /// Logs every request and response at trace level under the target
    /// `vmomi::wire`, with passwords, cookies and session keys redacted.
    pub fn wire_log(mut self, on: bool) -> Self {
        self.wire_log = on;
        self
    }

    /// Whether requests are checked against the negotiated release before
    /// they are sent (default on): a method, field, type or enum value the
    /// server's release lacks fails locally with [`Error::Release`], naming
    /// it and the release that introduced it, instead of a server-side
    /// fault or silent misbehaviour. Off sends everything as is.
    pub fn release_check(mut self, on: bool) -> Self {
        self.release_check = on;
        self
    }

    /// Records every exchange into `recorder` (scrubbed of secrets) while
    /// talking to the server; save it with [`Recorder::save`].
    /// (`VSPHERE_RECORD=FILE` records into a file the client saves itself:
    /// at [`Client::close`], and when the client or a failed connect is
    /// dropped.)
    pub fn record(mut self, recorder: Arc<Recorder>) -> Self {
        self.cassette = Some(CassetteMode::Record(recorder, false));
        self
    }

    /// Answers every request from a recorded cassette: no network at all.
    /// The URL may be omitted; the keep-alive is off (a cassette has no
    /// clock).
    pub fn replay(mut self, player: Arc<Player>) -> Self {
        self.cassette = Some(CassetteMode::Replay(player));
        self
    }

    /// Reads the settings from the environment; settings made before stay
    /// unless a variable is set:
    ///
    /// | variable (govc's fallback) | setting |
    /// | --- | --- |
    /// | `VSPHERE_URL` (`GOVC_URL`) | [`url`](Self::url) |
    /// | `VSPHERE_USER` (`GOVC_USERNAME`), `VSPHERE_PASSWORD` (`GOVC_PASSWORD`) | [`credentials`](Self::credentials), each on its own |
    /// | `VSPHERE_INSECURE` (`GOVC_INSECURE`) | [`insecure`](Self::insecure) |
    /// | `VSPHERE_THUMBPRINT` (`GOVC_TLS_THUMBPRINT`) | [`thumbprint`](Self::thumbprint) |
    /// | `VSPHERE_CA_FILE` (`GOVC_TLS_CA_CERTS`) | [`ca_file`](Self::ca_file) |
    /// | `VSPHERE_RELEASE` | [`release`](Self::release) |
    /// | `VSPHERE_TIMEOUT` (`90`, `90s`, `5m`) | [`timeout`](Self::timeout) |
    /// | `VSPHERE_MAX_RESPONSE_MB` | [`max_response_bytes`](Self::max_response_bytes) |
    /// | `VSPHERE_ALLOW_HTTP` | [`allow_plain_http`](Self::allow_plain_http) |
    /// | `VSPHERE_WIRE_LOG` | [`wire_log`](Self::wire_log) |
    /// | `VSPHERE_CASSETTE=FILE` | [`replay`](Self::replay) of that cassette |
    /// | `VSPHERE_RECORD=FILE` | [`record`](Self::record) into that file, saved by the client |
    pub fn from_env(mut self) -> Result<Self, Error> {
        if let Some((_, v)) = env(&["VSPHERE_URL", "GOVC_URL"]) {
            self.url = Some(v);
        }
        if let Some((n, v)) = env(&["VSPHERE_USER", "GOVC_USERNAME"]) {
            self.user = Some((v, n));
        }
        if let Some((n, v)) = env(&["VSPHERE_PASSWORD", "GOVC_PASSWORD"]) {
            self.password = Some((v, n));
        }
        if let Some((n, v)) = env(&["VSPHERE_INSECURE", "GOVC_INSECURE"]) {
            if parse_bool(&n, &v)? {
                self.tls = TlsChoice::Insecure;
                self.tls_from = n;
            }
        }
        if let Some((n, v)) = env(&["VSPHERE_THUMBPRINT", "GOVC_TLS_THUMBPRINT"]) {
            self.tls = TlsChoice::Thumbprint(v);
            self.tls_from = n;
        }
        if let Some((n, v)) = env(&["VSPHERE_TIMEOUT"]) {
            self.timeout = parse_duration(&v).map_err(|e| Error::Config(format!("{n}: {e}")))?;
        }
        if let Some((n, v)) = env(&["VSPHERE_MAX_RESPONSE_MB"]) {
            let mb = v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&mb| mb > 0)
                .ok_or_else(|| {
                    Error::Config(format!("{n}={v:?} is not a positive number of megabytes"))
                })?;
            self.max_response = mb.saturating_mul(1 << 20);
        }
        if let Some((n, v)) = env(&["VSPHERE_ALLOW_HTTP"]) {
            self.allow_plain_http = parse_bool(&n, &v)?;
        }
        if let Some((_, v)) = env(&["VSPHERE_CA_FILE", "GOVC_TLS_CA_CERTS"]) {
            self.extra_roots.push(v.into());
        }
        if let Some((_, v)) = env(&["VSPHERE_RELEASE"]) {
            self.release = Some(v);
        }
        if let Some((n, v)) = env(&["VSPHERE_WIRE_LOG"]) {
            self.wire_log = parse_bool(&n, &v)?;
        }
        if let Some((n, v)) = env(&["VSPHERE_CASSETTE"]) {
            let player = Player::open(&v).map_err(|e| Error::Config(format!("{n}: {e}")))?;
            self.cassette = Some(CassetteMode::Replay(Arc::new(player)));
        } else if let Some((_, v)) = env(&["VSPHERE_RECORD"]) {
            self.cassette = Some(CassetteMode::Record(Arc::new(Recorder::new(v)), true));
        }
        Ok(self)
    }

    fn tls_mode(&self) -> Result<TlsMode, Error> {
        Ok(match &self.tls {
            TlsChoice::Verify => {
                let mut extra_roots = Vec::new();
                for p in &self.extra_roots {
                    extra_roots
                        .extend(tls::load_pem_certs(p).map_err(|e| Error::Config(e.to_string()))?);
                }
                TlsMode::Verify { extra_roots }
            }
            TlsChoice::Thumbprint(t) => TlsMode::Pinned(
                t.parse::<Thumbprint>()
                    .map_err(|e| Error::Config(format!("thumbprint: {e}")))?,
            ),
            TlsChoice::Insecure => TlsMode::Insecure,
        })
    }

    /// Connects: negotiates the release, reads the ServiceContent, logs in
    /// when credentials are set and starts the keep-alive.
    pub async fn connect(self) -> Result<Client, Error> {
        // Also under VSPHERE_RECORD, whatever was exchanged until a failure
        // is saved: the recorder's guard lives in the transport.
        let replaying = matches!(self.cassette, Some(CassetteMode::Replay(_)));
        let raw = self
            .url
            .clone()
            .or_else(|| replaying.then(|| REPLAY_URL.to_string()));
        let raw = raw.ok_or_else(|| {
            Error::Config("no server URL: call .url() or set VSPHERE_URL (or GOVC_URL)".into())
        })?;
        let (url, url_user) = parse_url(&raw)?;
        let credentials = resolve_credentials(self.user.clone(), self.password.clone(), url_user)?;
        self.check_plain_http(&url, credentials.is_some())?;
        let pin = match &self.release {
            Some(r) => Some(
                r.parse::<Release>()
                    .map_err(|e| Error::Config(format!("release: {e}")))?,
            ),
            None => None,
        };

        let mut http = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .connect_timeout(self.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            // A redirect of a SOAP POST is never right; report it instead.
            .redirect(reqwest::redirect::Policy::none());
        // Always our own rustls configuration (ring provider): reqwest has no
        // provider of its own in this build, and plain-http URLs still need one.
        let config = tls::client_config(&self.tls_mode()?)
            .map_err(|e| Error::Config(format!("TLS: {e}")))?;
        http = http.tls_backend_preconfigured(config);
        http = match &self.proxy {
            Some(p) => http.proxy(
                reqwest::Proxy::all(p).map_err(|e| Error::Config(format!("proxy {p:?}: {e}")))?,
            ),
            None => http.no_proxy(),
        };
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;

        let mut redactor = Redactor::default();
        if let Some(c) = &credentials {
            redactor = redactor.with_literal(c.password.clone());
        }
        let backend = match &self.cassette {
            None => Backend::Live(http),
            Some(CassetteMode::Record(r, autosave)) => Backend::Record(
                http,
                r.clone(),
                autosave.then(|| Arc::new(crate::soap::SaveOnDrop(r.clone()))),
            ),
            Some(CassetteMode::Replay(p)) => Backend::Replay(p.clone()),
        };
        let transport = Transport::new(
            backend,
            url,
            self.timeout,
            self.max_response,
            self.wire_log,
            redactor,
        );
        let (negotiation, service_content) = negotiate(&transport, pin.as_ref()).await?;
        tracing::info!(
            release = %negotiation.release,
            source = ?negotiation.source,
            server = %service_content.about.full_name,
            "connected"
        );

        let inner = Arc::new(Inner {
            transport,
            service_content,
            negotiation,
            credentials,
            release_check: self.release_check,
            session: Session::default(),
            keepalive: Mutex::new(None),
        });
        if inner.credentials.is_some() {
            inner.login().await?;
            if let (Some(every), false) = (self.keepalive, replaying) {
                start_keepalive(&inner, every);
            }
        }
        Ok(Client { inner, scope: None })
    }
}

/// Each of user and password from the first place that sets it: the builder
/// or the environment, then the URL (see [`ClientBuilder::credentials`]).
fn resolve_credentials(
    user: Option<(String, String)>,
    password: Option<(String, String)>,
    url_user: Option<(String, Option<String>)>,
) -> Result<Option<Credentials>, Error> {
    let (url_user, url_password) = match url_user {
        Some((u, p)) => (Some(u), p),
        None => (None, None),
    };
    let password = match (&user, password, url_password) {
        (_, Some((p, _)), _) => Some(p),
        // The URL's password belongs to the URL's user.
        (Some((u, from)), None, Some(p)) => {
            if url_user.as_deref() != Some(u.as_str()) {
                return Err(Error::Config(format!(
                    "user {u:?} (from {from}) is not the user in the URL ({:?}), so the URL's \
                     password is not used for it: set VSPHERE_PASSWORD or give the URL the same user",
                    url_user.unwrap_or_default()
                )));
            }
            Some(p)
        }
        (None, None, p) => p,
        (Some(_), None, None) => None,
    };
    let user = user.map(|(u, _)| u).or(url_user);
    match (user, password) {
        (Some(user), Some(password)) => Ok(Some(Credentials { user, password })),
        (Some(user), None) => Err(Error::Config(format!(
            "user {user:?} has no password: set VSPHERE_PASSWORD (or GOVC_PASSWORD), put it in \
             the URL (https://user:password@host) or call .credentials()"
        ))),
        (None, Some(_)) => Err(Error::Config(
            "a password is set but no user: set VSPHERE_USER (or GOVC_USERNAME), put it in the \
             URL (https://user@host) or call .credentials()"
                .into(),
        )),
        (None, None) => Ok(None),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl ClientBuilder {
    /// Plain http carries the password in clear text: certificate settings
    /// there are a mistake, and a host other than loopback needs consent.
    fn check_plain_http(&self, url: &reqwest::Url, has_credentials: bool) -> Result<(), Error> {
        if url.scheme() != "http" || matches!(self.cassette, Some(CassetteMode::Replay(_))) {
            return Ok(());
        }
        let shown = url.as_str();
        if let TlsChoice::Thumbprint(_) = self.tls {
            return Err(Error::Config(format!(
                "a certificate thumbprint is set ({}) but the URL {shown} is plain http, \
                 which has no certificate: the password would travel in clear text; use https://",
                self.tls_from
            )));
        }
        if !self.extra_roots.is_empty() {
            return Err(Error::Config(format!(
                "a CA file is set but the URL {shown} is plain http, which has no certificate: \
                 use https://"
            )));
        }
        if has_credentials && !is_loopback(url) && !self.allow_plain_http {
            return Err(Error::Config(format!(
                "the URL {shown} is plain http to a host other than loopback: the password and \
                 session cookie would travel in clear text; use https://, or set \
                 VSPHERE_ALLOW_HTTP=true (.allow_plain_http(true)) if you must"
            )));
        }
        Ok(())
    }
}

/// The URL of a replayed client that was given none: `.invalid` never
/// resolves, so nothing can reach a network by mistake.
const REPLAY_URL: &str = "https://replay.invalid/sdk";

/// Normalises what users type into the SDK URL, and takes credentials out of it.
#[allow(clippy::type_complexity)]
fn parse_url(raw: &str) -> Result<(reqwest::Url, Option<(String, Option<String>)>), Error> {
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let mut url = reqwest::Url::parse(&with_scheme)
        .map_err(|e| Error::Config(format!("server URL {:?}: {e}", strip_userinfo(raw))))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::Config(format!(
            "server URL {:?}: scheme {:?} is not http or https",
            strip_userinfo(raw),
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config(format!(
            "server URL {:?} has no host",
            strip_userinfo(raw)
        )));
    }
    let creds = if url.username().is_empty() {
        None
    } else {
        // Userinfo is percent-encoded (RFC 3986), not a form: `+` is a plus.
        let dec = |s: &str| percent_decode(s);
        let user = dec(url.username());
        let pass = url.password().map(dec);
        Some((user, pass))
    };
    let _ = url.set_username("");
    let _ = url.set_password(None);
    // One form for every request: `/sdk/` and `/sdk//` are `/sdk`, and a
    // bare host gets `/sdk`.
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(if path.is_empty() { "/sdk" } else { &path });
    Ok((url, creds))
}

/// `%XX` sequences decoded (invalid UTF-8 replaced).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn strip_userinfo(raw: &str) -> String {
    match (raw.find("://"), raw.rfind('@')) {
        (Some(s), Some(a)) if a > s => format!("{}{}", &raw[..s + 3], &raw[a + 1..]),
        (None, Some(a)) => raw[a + 1..].to_string(),
        _ => raw.to_string(),
    }
}

/// How the release was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NegotiationSource {
    /// From `/sdk/vimServiceVersions.xml`.
    ServiceVersions,
    /// From `about.apiVersion`, the server publishing no versions document
    /// (its `vimService.wsdl` confirmed a vim25 endpoint when `wsdl` is set).
    About {
        /// Whether `/sdk/vimService.wsdl` was found.
        wsdl: bool,
    },
}

/// The outcome of release negotiation.
#[derive(Clone, Debug)]
pub struct Negotiation {
    /// The release every request carries (`SOAPAction: "urn:vim25/<release>"`).
    pub release: Release,
    /// Where it came from.
    pub source: NegotiationSource,
    /// The releases the server offered (empty when it published none).
    pub offered: Vec<Release>,
}

fn negotiation_error(e: version::VersionError) -> Error {
    Error::Negotiation(e.to_string())
}

async fn retrieve_service_content(t: &Transport) -> Result<ServiceContent, Error> {
    methods::retrieve_service_content(
        t,
        &RetrieveServiceContentRequestType {
            this: service_instance(),
            ..Default::default()
        },
    )
    .await
}

fn service_instance() -> ManagedObjectReference {
    ManagedObjectReference::new("ServiceInstance", "ServiceInstance")
}

/// pyVmomi's SmartConnect order: the versions document, then the WSDL, then
/// `about.apiVersion` read with the unversioned namespace.
async fn negotiate(
    t: &Transport,
    pin: Option<&Release>,
) -> Result<(Negotiation, ServiceContent), Error> {
    let newest = Release::newest_known();
    let doc = t.get("vimServiceVersions.xml").await?;
    if doc.status == 200 {
        match version::parse_service_versions(&doc.body) {
            Ok(sv) => {
                let release = version::choose(&sv, &newest, pin).map_err(negotiation_error)?;
                t.set_release(&release);
                let sc = retrieve_service_content(t).await?;
                let offered = sv.all().cloned().collect();
                return Ok((
                    Negotiation {
                        release,
                        source: NegotiationSource::ServiceVersions,
                        offered,
                    },
                    sc,
                ));
            }
            Err(e) => tracing::warn!(error = %e, "unusable vimServiceVersions.xml"),
        }
    } else {
        tracing::debug!(status = doc.status, "no vimServiceVersions.xml");
    }
    let wsdl = match t.get("vimService.wsdl").await {
        Ok(r) => r.status == 200 && version::is_vim_service_wsdl(&r.body),
        Err(_) => false,
    };
    let sc = retrieve_service_content(t).await?;
    let release = version::choose_from_about(&sc.about.api_version, &newest, pin)
        .map_err(negotiation_error)?;
    t.set_release(&release);
    Ok((
        Negotiation {
            offered: vec![release.clone()],
            release,
            source: NegotiationSource::About { wsdl },
        },
        sc,
    ))
}

#[derive(Clone)]
struct Credentials {
    user: String,
    password: String,
}

#[derive(Default)]
struct Session {
    /// Bumped by every login; a call remembers the value it started with so
    /// that concurrent failures log in once.
    epoch: AtomicU64,
    logins: AtomicU64,
    relogin: tokio::sync::Mutex<()>,
    current: Mutex<Option<UserSession>>,
    closed: AtomicBool,
}

struct Inner {
    transport: Transport,
    service_content: ServiceContent,
    negotiation: Negotiation,
    credentials: Option<Credentials>,
    release_check: bool,
    session: Session,
    keepalive: Mutex<Option<tokio::task::AbortHandle>>,
}

/// Operations that must not trigger a re-login (they are the session).
fn is_session_op(op: &str) -> bool {
    matches!(
        op,
        "Login"
            | "Logout"
            | "LoginByToken"
            | "LoginBySSPI"
            | "LoginExtensionByCertificate"
            | "LoginExtensionBySubjectName"
            | "CloneSession"
    )
}

fn is_not_authenticated(body: &[u8]) -> bool {
    match decode_body::<AnyMethodFault>(body) {
        Ok(SoapBody::Fault(f, _)) => matches!(f.detail, Some(AnyMethodFault::NotAuthenticated(_))),
        _ => false,
    }
}

impl Inner {
    async fn login(&self) -> Result<UserSession, Error> {
        let Some(c) = &self.credentials else {
            return Err(Error::Config("no credentials to log in with".into()));
        };
        let sm = self
            .service_content
            .session_manager
            .clone()
            .ok_or_else(|| Error::Config("the server has no SessionManager to log in to".into()))?;
        // A fresh session: an expired cookie must not be sent along.
        self.transport.clear_cookie();
        let session = methods::login(
            &self.transport,
            &LoginRequestType {
                this: sm,
                user_name: c.user.clone(),
                password: c.password.clone(),
                ..Default::default()
            },
        )
        .await?;
        self.transport.add_secret(&session.key);
        *self
            .session
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(session.clone());
        self.session.epoch.fetch_add(1, Ordering::SeqCst);
        self.session.logins.fetch_add(1, Ordering::SeqCst);
        self.session.closed.store(false, Ordering::SeqCst);
        Ok(session)
    }

    /// Logs in again unless another call already did since `seen`.
    async fn relogin(&self, seen: u64) -> Result<(), Error> {
        let _one_at_a_time = self.session.relogin.lock().await;
        if self.session.epoch.load(Ordering::SeqCst) != seen {
            return Ok(());
        }
        tracing::info!("session expired; logging in again");
        self.login().await.map(drop)
    }

    async fn call(&self, req: SoapRequest, scope: Option<&Scope>) -> Result<Vec<u8>, Error> {
        if self.release_check {
            let release = scope.map_or(&self.negotiation.release, |s| &s.release);
            crate::rt::release::check_request(&req.body, release.as_str())
                .map_err(|v| Error::Release(Box::new(v)))?;
        }
        let action = scope.map(|s| &s.soap_action);
        let seen = self.session.epoch.load(Ordering::SeqCst);
        let resp = self.transport.post_as(&req, action).await?;
        let retry = resp.status == 500
            && self.credentials.is_some()
            && !self.session.closed.load(Ordering::SeqCst)
            && !is_session_op(req.operation)
            && is_not_authenticated(&resp.body);
        if !retry {
            return Ok(resp.body);
        }
        self.relogin(seen).await?;
        Ok(self.transport.post_as(&req, action).await?.body)
    }
}

impl RoundTripper for Inner {
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, Error>> {
        Box::pin(self.call(request, None))
    }
}

/// The release of a host-scoped stub (see [`Client::at_release`]).
#[derive(Debug)]
struct Scope {
    release: Release,
    soap_action: reqwest::header::HeaderValue,
}

fn start_keepalive(inner: &Arc<Inner>, every: Duration) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no tokio runtime: session keep-alive is off");
        return;
    };
    let weak = Arc::downgrade(inner);
    let task = rt.spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(inner) = weak.upgrade() else { break };
            let r = methods::current_time(
                &*inner,
                &CurrentTimeRequestType {
                    this: service_instance(),
                    ..Default::default()
                },
            )
            .await;
            match r {
                Ok(_) => tracing::debug!("session keep-alive"),
                Err(e) => tracing::warn!(error = %e, "session keep-alive failed"),
            }
        }
    });
    *inner.keepalive.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.abort_handle());
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(k) = self.keepalive.get_mut().ok().and_then(Option::take) {
            k.abort();
        }
        // Best effort: end the server session so it does not linger for 30
        // minutes. Needs a runtime; `Client::logout` is the reliable way.
        if self.session.closed.load(Ordering::SeqCst) || self.credentials.is_none() {
            return;
        }
        let (Ok(rt), Some(sm)) = (
            tokio::runtime::Handle::try_current(),
            self.service_content.session_manager.clone(),
        ) else {
            return;
        };
        let t = self.transport.clone();
        rt.spawn(async move {
            let _ = methods::logout(
                &t,
                &LogoutRequestType {
                    this: sm,
                    ..Default::default()
                },
            )
            .await;
        });
    }
}

/// A connected vSphere client. Cheap to clone; clones share one session and
/// one connection pool, and calls may run concurrently from many tasks.
///
/// Pass it (or `&client`) to any generated method in [`crate::methods`], or
/// take managed-object views from it:
///
/// ```no_run
/// # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
/// let now = client.service_instance().current_time().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    scope: Option<Arc<Scope>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.transport.url.as_str())
            .field("release", &self.inner.negotiation.release.as_str())
            .field(
                "user",
                &self.inner.credentials.as_ref().map(|c| c.user.as_str()),
            )
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts the settings of a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The SDK endpoint, e.g. `https://vc.example.com/sdk`.
    pub fn url(&self) -> &reqwest::Url {
        &self.inner.transport.url
    }

    /// The release requests carry: the negotiated one, or the stub's (see
    /// [`at_release`](Self::at_release)).
    pub fn release(&self) -> &Release {
        self.scope
            .as_ref()
            .map_or(&self.inner.negotiation.release, |s| &s.release)
    }

    /// A stub on the same session whose requests carry another release and
    /// are checked against it: for calls a newer vCenter hands to an older
    /// ESXi host it manages (pass the host's `config.product.apiVersion`),
    /// so that a field the host lacks fails here, by name, instead of on
    /// the host. A host's own endpoint is just another client
    /// (`Client::builder().url("esxi-01")`), which negotiates for itself.
    ///
    /// ```no_run
    /// # async fn run(client: vmomi::Client) -> Result<(), vmomi::Error> {
    /// let host_5_5 = client.at_release("5.5")?;
    /// assert_eq!(host_5_5.release().as_str(), "5.5");
    /// # Ok(()) }
    /// ```
    pub fn at_release(&self, release: &str) -> Result<Client, Error> {
        let release: Release = release
            .parse()
            .map_err(|e| Error::Config(format!("release: {e}")))?;
        Ok(Client {
            inner: self.inner.clone(),
            scope: Some(Arc::new(Scope {
                soap_action: crate::soap::soap_action(&release),
                release,
            })),
        })
    }

    /// How the release was negotiated, and what the server offered.
    pub fn negotiation(&self) -> &Negotiation {
        &self.inner.negotiation
    }

    /// The server's `ServiceContent`, read at connect.
    pub fn service_content(&self) -> &ServiceContent {
        &self.inner.service_content
    }

    /// The server's `about` (product, version, build, API type).
    pub fn about(&self) -> &AboutInfo {
        &self.inner.service_content.about
    }

    /// The session of the last login, if logged in.
    pub fn session(&self) -> Option<UserSession> {
        self.inner
            .session
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many times this client has logged in (1 after connect, plus one
    /// per transparent re-login after the session expired).
    pub fn login_count(&self) -> u64 {
        self.inner.session.logins.load(Ordering::SeqCst)
    }

    /// Logs in (again) with the configured credentials.
    pub async fn login(&self) -> Result<UserSession, Error> {
        self.inner.login().await
    }

    /// Ends the client deterministically: stops the keep-alive, logs out
    /// (when logged in), and writes the cassette of `VSPHERE_RECORD`. Call it
    /// on every exit path of a program, failed ones too, so that no session
    /// lingers on the server for 30 minutes; dropping the client only makes
    /// a best-effort attempt, which a runtime shutting down can cut short.
    /// A session the server already ended counts as logged out.
    ///
    /// ```no_run
    /// # async fn work(_: &vmomi::Client) -> Result<(), vmomi::Error> { Ok(()) }
    /// # async fn run() -> Result<(), vmomi::Error> {
    /// let client = vmomi::Client::builder().from_env()?.connect().await?;
    /// let result = work(&client).await;
    /// let closed = client.close().await;
    /// result.and(closed)
    /// # }
    /// ```
    pub async fn close(&self) -> Result<(), Error> {
        if let Some(k) = self
            .inner
            .keepalive
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            k.abort();
        }
        let logged_in =
            self.inner.credentials.is_some() && !self.inner.session.closed.load(Ordering::SeqCst);
        let out = if logged_in {
            match self.logout().await {
                Err(e) if e.is_not_authenticated() => Ok(()),
                r => r,
            }
        } else {
            Ok(())
        };
        let saved = self.inner.transport.save_recording();
        out.and(saved)
    }

    /// Ends the server session. Later calls fail with `NotAuthenticated`
    /// instead of logging in again, until [`login`](Self::login).
    pub async fn logout(&self) -> Result<(), Error> {
        let sm = self.session_manager();
        self.inner.session.closed.store(true, Ordering::SeqCst);
        let r = sm.logout().await;
        self.inner.transport.clear_cookie();
        *self
            .inner
            .session
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
        r
    }

    fn arc(&self) -> Arc<dyn RoundTripper> {
        Arc::new(self.clone())
    }

    /// Whether this client replays a cassette (no network; pollers need
    /// not wait between polls).
    pub fn is_replay(&self) -> bool {
        self.inner.transport.is_replay()
    }

    /// The `ServiceInstance` view.
    pub fn service_instance(&self) -> mo::ServiceInstance {
        mo::ServiceInstance::new(self.arc(), service_instance())
    }

    /// The `SessionManager` view.
    pub fn session_manager(&self) -> mo::SessionManager {
        let r = self
            .inner
            .service_content
            .session_manager
            .clone()
            .unwrap_or_else(|| ManagedObjectReference::new("SessionManager", "SessionManager"));
        mo::SessionManager::new(self.arc(), r)
    }

    /// The `PropertyCollector` view.
    pub fn property_collector(&self) -> mo::PropertyCollector {
        mo::PropertyCollector::new(
            self.arc(),
            self.inner.service_content.property_collector.clone(),
        )
    }

    /// The root `Folder` view.
    pub fn root_folder(&self) -> mo::Folder {
        mo::Folder::new(self.arc(), self.inner.service_content.root_folder.clone())
    }

    /// The client as a shared transport, for building any managed-object
    /// view: `mo::VirtualMachine::new(client.shared(), vm_ref)`.
    pub fn shared(&self) -> Arc<dyn RoundTripper> {
        self.arc()
    }
}

impl RoundTripper for Client {
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, Error>> {
        Box::pin(self.inner.call(request, self.scope.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        let (u, c) = parse_url("vc.example.com").unwrap();
        assert_eq!(u.as_str(), "https://vc.example.com/sdk");
        assert!(c.is_none());
        let (u, _) = parse_url("vc.example.com:8443").unwrap();
        assert_eq!(u.as_str(), "https://vc.example.com:8443/sdk");
        let (u, _) = parse_url("http://127.0.0.1:1234/sdk").unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:1234/sdk");
        let (u, c) = parse_url("https://admin%40vsphere.local:p%40ss@vc/sdk").unwrap();
        assert_eq!(u.as_str(), "https://vc/sdk");
        assert_eq!(c, Some(("admin@vsphere.local".into(), Some("p@ss".into()))));
    }

    #[test]
    fn userinfo_is_percent_decoded_not_form_decoded() {
        let (_, c) = parse_url("https://user:p+ss%2B%20x@vc/sdk").unwrap();
        assert_eq!(c, Some(("user".into(), Some("p+ss+ x".into()))));
    }

    #[test]
    fn trailing_slashes_are_normalised_once() {
        for raw in ["vc/sdk/", "https://vc/sdk//", "https://vc/", "https://vc"] {
            assert_eq!(
                parse_url(raw).unwrap().0.as_str(),
                "https://vc/sdk",
                "{raw}"
            );
        }
        assert_eq!(
            parse_url("https://vc/custom/sdk/").unwrap().0.as_str(),
            "https://vc/custom/sdk"
        );
    }

    fn from(v: &str, src: &str) -> Option<(String, String)> {
        Some((v.to_string(), src.to_string()))
    }

    #[test]
    fn credentials_precedence() {
        let url = |u: &str, p: Option<&str>| Some((u.to_string(), p.map(str::to_string)));
        let c = |r: Result<Option<Credentials>, Error>| r.map(|c| c.map(|c| (c.user, c.password)));
        // Explicit settings win, each on its own.
        assert_eq!(
            c(resolve_credentials(
                from("a", "VSPHERE_USER"),
                None,
                url("a", Some("urlpw"))
            ))
            .unwrap(),
            Some(("a".into(), "urlpw".into()))
        );
        assert_eq!(
            c(resolve_credentials(
                None,
                from("envpw", "VSPHERE_PASSWORD"),
                url("a", Some("urlpw"))
            ))
            .unwrap(),
            Some(("a".into(), "envpw".into()))
        );
        assert_eq!(
            c(resolve_credentials(
                from("b", "x"),
                from("bpw", "y"),
                url("a", Some("urlpw"))
            ))
            .unwrap(),
            Some(("b".into(), "bpw".into()))
        );
        // Another user does not borrow the URL's password.
        let e = c(resolve_credentials(
            from("b", "VSPHERE_USER"),
            None,
            url("a", Some("urlpw")),
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("VSPHERE_USER") && e.contains("VSPHERE_PASSWORD"),
            "{e}"
        );
        assert!(!e.contains("urlpw"), "{e}");
        // A user without a password, a password without a user.
        let e = c(resolve_credentials(None, None, url("a", None)))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("has no password") && e.contains("VSPHERE_PASSWORD"),
            "{e}"
        );
        let e = c(resolve_credentials(
            None,
            from("pw", "VSPHERE_PASSWORD"),
            None,
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("no user") && e.contains("VSPHERE_USER"), "{e}");
        assert!(!e.contains("pw\""), "{e}");
        assert_eq!(c(resolve_credentials(None, None, None)).unwrap(), None);
    }

    #[test]
    fn durations_as_users_write_them() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration(" 90s ").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5m").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        for bad in ["", "0", "-1", "soon", "5 weeks", "1e99"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_urls_name_the_problem_without_the_password() {
        let e = parse_url("ftp://u:secret@vc/sdk").unwrap_err().to_string();
        assert!(e.contains("ftp"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        let e = parse_url("https://u:secret@:99/").unwrap_err().to_string();
        assert!(!e.contains("secret"), "{e}");
    }

    #[test]
    fn booleans_from_the_environment_are_strict() {
        assert!(parse_bool("X", "TRUE").unwrap());
        assert!(!parse_bool("X", "0").unwrap());
        let e = parse_bool("VSPHERE_INSECURE", "maybe")
            .unwrap_err()
            .to_string();
        assert!(e.contains("VSPHERE_INSECURE"), "{e}");
    }

    #[test]
    fn builder_debug_hides_the_password() {
        let b = Client::builder()
            .url("https://u:topsecret@vc")
            .credentials("u", "topsecret");
        let d = format!("{b:?}");
        assert!(!d.contains("topsecret"), "{d}");
    }
}
