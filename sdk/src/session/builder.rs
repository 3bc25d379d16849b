//! [`ClientBuilder`]: connection settings from code and the environment,
//! their checks (credentials, URL, plain http), and `connect`.

use super::negotiate::negotiate;
use super::release::Release;
use super::{Client, Credentials, Inner, Session, start_keepalive};
use crate::Error;
use crate::cassette::{Player, Recorder, Recording};
use crate::transport::redact::Redactor;
use crate::transport::tls::{self, Thumbprint, TlsMode};
use crate::transport::{HttpBackend, Live, Transport};
use std::path::PathBuf;
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
/// assert_eq!(vmomi::session::parse_duration("90").unwrap(), Duration::from_secs(90));
/// assert_eq!(vmomi::session::parse_duration("5m").unwrap(), Duration::from_secs(300));
/// assert!(vmomi::session::parse_duration("soon").is_err());
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
        let live = Live::new(http, self.timeout, self.max_response);
        // Record/replay wrap or replace the network; the transport does not
        // know which it has.
        let backend: Arc<dyn HttpBackend> = match &self.cassette {
            None => Arc::new(live),
            Some(CassetteMode::Record(r, autosave)) => {
                Arc::new(Recording::new(Box::new(live), r.clone(), *autosave))
            }
            Some(CassetteMode::Replay(p)) => p.clone(),
        };
        let transport = Transport::new(backend, url, self.wire_log, redactor);
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
            host_releases: Mutex::new(std::collections::HashMap::new()),
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
