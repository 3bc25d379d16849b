//! Recording: every exchange of a live client is scrubbed and appended to a
//! cassette, written as JSON by [`Recorder::save`].

use super::{
    Body, Cassette, CassetteError, Headers, HttpInteraction, Method, Request, Response, Status,
};
use crate::Error;
use crate::rt::BoxFuture;
use crate::transport::redact::{Redactor, is_redacted};
use crate::transport::{Exchange, HttpBackend, HttpRequest, SESSION_COOKIE};
use crate::xml::ManagedObjectReference;
use reqwest::header::HeaderMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Replaces secrets by stable pseudonyms (`(redacted-1)`, `(redacted-2)`,
/// ...) and everything else the [`Redactor`] knows by `(redacted)`.
///
/// A secret seen once (a session cookie in `Set-Cookie`, a session key in a
/// Login response, a password in a request) is replaced by the same
/// pseudonym wherever it appears later, so a replayed session stays
/// consistent: the cookie a replayed Login hands out is the cookie the
/// recorded calls carried.
#[derive(Debug, Default)]
pub struct Scrubber {
    redactor: Redactor,
    known: Mutex<Vec<(String, String)>>,
}

impl Scrubber {
    /// A scrubber with the built-in rules plus the caller's (extra secret
    /// elements, headers or literals added to `redactor`).
    pub fn new(redactor: Redactor) -> Self {
        Self {
            redactor,
            known: Mutex::new(Vec::new()),
        }
    }

    fn learn(&self, secret: &str) {
        let secret = secret.trim().trim_matches('"');
        if secret.is_empty() || is_redacted(secret) {
            return;
        }
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.iter().any(|(s, _)| s == secret) {
            return;
        }
        let pseudonym = format!("(redacted-{})", known.len() + 1);
        known.push((secret.to_string(), pseudonym));
        // Longest first, so a secret containing another is replaced whole.
        known.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    }

    fn replace_known(&self, text: &str) -> String {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for (secret, pseudonym) in known.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), pseudonym);
            }
        }
        out
    }

    /// Scrubs one body (XML, or any text).
    pub fn body(&self, body: &[u8]) -> String {
        for s in self.redactor.secret_values(body) {
            self.learn(&s);
        }
        let text = String::from_utf8_lossy(body);
        let replaced = self.replace_known(&text);
        String::from_utf8_lossy(&self.redactor.body(replaced.as_bytes())).into_owned()
    }

    /// Scrubs a short text (an object id) with the pseudonyms learnt so
    /// far and the redactor's literals.
    fn text(&self, text: &str) -> String {
        self.redactor.text(&self.replace_known(text)).into_owned()
    }

    /// Scrubs one header value.
    pub fn header(&self, name: &str, value: &str) -> String {
        if name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie") {
            for pair in value.split([';', ',']) {
                if let Some((n, v)) = pair.split_once('=') {
                    if n.trim() == SESSION_COOKIE {
                        self.learn(v);
                    }
                }
            }
        }
        let replaced = self.replace_known(value);
        self.redactor.header(name, &replaced).into_owned()
    }

    /// Scrubs a whole interaction in place: headers first (they carry the
    /// cookie), then bodies.
    pub fn interaction(&self, i: &mut HttpInteraction) {
        for (name, values) in i.response.headers.iter_mut() {
            for v in values.iter_mut() {
                *v = self.header(name, v);
            }
        }
        for (name, values) in i.request.headers.iter_mut() {
            for v in values.iter_mut() {
                *v = self.header(name, v);
            }
        }
        i.request.body.string = self.body(i.request.body.string.as_bytes());
        i.response.body.string = self.body(i.response.body.string.as_bytes());
        // A body learnt later may hold a secret an earlier header carried.
        i.request.body.string = self.replace_known(&i.request.body.string);
    }
}

/// Writes what a live client does into a cassette.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use vmomi::cassette::Recorder;
/// let rec = Arc::new(Recorder::new("cassettes/list-vms.json"));
/// let client = vmomi::Client::builder()
///     .url("https://127.0.0.1:8989/sdk")
///     .credentials("user", "pass")
///     .record(rec.clone())
///     .connect()
///     .await?;
/// client.logout().await?;
/// rec.save()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Recorder {
    path: PathBuf,
    scrubber: Scrubber,
    interactions: Mutex<Vec<HttpInteraction>>,
}

impl Recorder {
    /// A recorder that will write `path`, with the built-in scrubbing rules.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_redactor(path, Redactor::default())
    }

    /// A recorder with caller-supplied scrubbing rules on top of the
    /// built-in ones.
    pub fn with_redactor(path: impl Into<PathBuf>, redactor: Redactor) -> Self {
        Self {
            path: path.into(),
            scrubber: Scrubber::new(redactor),
            interactions: Mutex::new(Vec::new()),
        }
    }

    /// Where [`save`](Self::save) writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many exchanges were recorded so far.
    pub fn len(&self) -> usize {
        self.interactions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cassette recorded so far (already scrubbed).
    pub fn cassette(&self) -> Cassette {
        Cassette {
            http_interactions: self
                .interactions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            recorded_with: concat!("vmomi ", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// Writes the cassette (JSON, sorted keys).
    pub fn save(&self) -> Result<(), CassetteError> {
        if let Some(dir) = self.path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| CassetteError::Io {
                    file: self.path.clone(),
                    source,
                })?;
            }
        }
        super::save(&self.cassette(), &self.path)
    }

    /// Appends one exchange, scrubbed. `req` is what was sent, its body
    /// already handed to the backend (hence passed apart).
    fn record(&self, req: &Sent, ex: &Exchange) {
        let Sent {
            method,
            url,
            headers,
            body,
            operation,
            this,
        } = req;
        let mut i = HttpInteraction {
            request: Request {
                uri: url.clone(),
                method: method_of(method),
                headers: headers_of(headers),
                body: Body {
                    encoding: Some("UTF-8".into()),
                    string: String::from_utf8_lossy(body).into_owned(),
                },
            },
            response: Response {
                status: Status {
                    code: ex.status,
                    message: reqwest::StatusCode::from_u16(ex.status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("")
                        .to_string(),
                },
                headers: headers_of(&ex.headers),
                body: Body {
                    encoding: Some("UTF-8".into()),
                    string: String::from_utf8_lossy(&ex.body).into_owned(),
                },
                http_version: None,
            },
            recorded_at: chrono::Utc::now().fixed_offset(),
        };
        self.scrubber.interaction(&mut i);
        let mut all = self.interactions.lock().unwrap_or_else(|e| e.into_inner());
        // The operation and `_this` come from the transport: no body is
        // parsed for them. `_this` goes through the scrubber (a
        // session-scoped id carries the session key).
        tracing::trace!(
            interaction = all.len(),
            operation = operation.unwrap_or(method.as_str()),
            this = %this
                .as_ref()
                .map(|t| format!("{}:{}", t.r#type, self.scrubber.text(&t.value)))
                .unwrap_or_default(),
            status = ex.status,
            "recorded"
        );
        all.push(i);
    }
}

/// What a request was, kept by [`Recording`] while it is sent.
struct Sent {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Vec<u8>,
    operation: Option<&'static str>,
    this: Option<ManagedObjectReference>,
}

/// A backend that records every exchange of the one it wraps: the
/// transport does not know it is being recorded. With `autosave` (the
/// client's own `VSPHERE_RECORD` cassette) the cassette is also written
/// when the last transport holding it goes, however the program ends (a
/// failed connect included), short of the process being killed.
pub(crate) struct Recording {
    inner: Box<dyn HttpBackend>,
    recorder: Arc<Recorder>,
    autosave: bool,
}

impl Recording {
    pub(crate) fn new(
        inner: Box<dyn HttpBackend>,
        recorder: Arc<Recorder>,
        autosave: bool,
    ) -> Self {
        Self {
            inner,
            recorder,
            autosave,
        }
    }
}

impl HttpBackend for Recording {
    fn exchange(&self, req: HttpRequest) -> BoxFuture<'_, Result<Exchange, Error>> {
        // Only a recorder needs the request after it is sent.
        let sent = Sent {
            method: req.method.clone(),
            url: req.url.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
            operation: req.operation,
            this: req.this.clone(),
        };
        Box::pin(async move {
            let ex = self.inner.exchange(req).await?;
            self.recorder.record(&sent, &ex);
            Ok(ex)
        })
    }

    fn save(&self) -> Result<(), Error> {
        if !self.autosave {
            return Ok(());
        }
        self.recorder
            .save()
            .map_err(|e| Error::Cassette(format!("{}: {e}", self.recorder.path().display())))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if !self.autosave {
            return;
        }
        let file = self.recorder.path().display();
        match self.recorder.save() {
            Ok(()) => tracing::debug!(file = %file, "cassette saved"),
            Err(e) => tracing::error!(file = %file, error = %e, "cannot save the cassette"),
        }
    }
}

fn method_of(m: &reqwest::Method) -> Method {
    match *m {
        reqwest::Method::GET => Method::Get,
        reqwest::Method::PUT => Method::Put,
        reqwest::Method::DELETE => Method::Delete,
        reqwest::Method::HEAD => Method::Head,
        reqwest::Method::OPTIONS => Method::Options,
        reqwest::Method::PATCH => Method::Patch,
        _ => Method::Post,
    }
}

fn headers_of(h: &HeaderMap) -> Headers {
    let mut out = Headers::new();
    for (name, value) in h {
        out.entry(name.as_str().to_string())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    out
}
