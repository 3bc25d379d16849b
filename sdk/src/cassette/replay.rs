//! Replay: requests are answered from a cassette, never from the network.
//!
//! A request matches a recorded one when the HTTP method, the URL path, the
//! SOAP operation, the `_this` object, the canonical body (see
//! [`canon`](super::canon)) and the session cookie's pseudonym agree. The
//! cookie keeps a replayed session honest: after a recorded re-login, calls
//! carrying the old cookie get the old (failing) answers and calls carrying
//! the new one the new answers.

use super::canon::{canonical_body, diff, request_info, similarity};
use super::{Cassette, CassetteError, Method};
use crate::Error;
use crate::rt::BoxFuture;
use crate::transport::redact::Redactor;
use crate::transport::{Exchange, HttpBackend, HttpRequest, SESSION_COOKIE};
use reqwest::header::{COOKIE, HeaderMap, HeaderName, HeaderValue};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;

/// Answers requests from a recorded cassette.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use vmomi::cassette::Player;
/// let tape = Arc::new(Player::open("cassettes/list-vms.json")?);
/// let client = vmomi::Client::builder()
///     .credentials("user", "any password")
///     .replay(tape.clone())
///     .connect()
///     .await?;
/// assert_eq!(client.release().as_str(), "6.5");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Player {
    name: String,
    ordered: bool,
    repeats: bool,
    redactor: Redactor,
    entries: Mutex<Vec<Entry>>,
}

#[derive(Debug)]
struct Entry {
    index: usize,
    key: Key,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    used: bool,
}

#[derive(Debug, PartialEq)]
struct Key {
    method: String,
    path: String,
    operation: Option<String>,
    this: Option<(String, String)>,
    cookie: Option<String>,
    canon: String,
}

impl Key {
    fn label(&self) -> String {
        let mut s = format!("{} {}", self.method, self.path);
        if let Some(op) = &self.operation {
            let _ = write!(s, " {op}");
        }
        if let Some((t, v)) = &self.this {
            let _ = write!(s, " on {t}:{v}");
        }
        match &self.cookie {
            Some(c) => {
                let _ = write!(s, " [session {c}]");
            }
            None => s.push_str(" [no session]"),
        }
        s
    }

    /// What differs, in words, before the body diff.
    fn differences(&self, other: &Key) -> Vec<String> {
        let mut d = Vec::new();
        if self.method != other.method || self.path != other.path {
            d.push(format!(
                "request line: recorded {} {}, request {} {}",
                self.method, self.path, other.method, other.path
            ));
        }
        if self.operation != other.operation {
            d.push(format!(
                "operation: recorded {:?}, request {:?}",
                self.operation, other.operation
            ));
        }
        if self.this != other.this {
            d.push(format!(
                "_this: recorded {:?}, request {:?}",
                self.this, other.this
            ));
        }
        if self.cookie != other.cookie {
            d.push(format!(
                "session cookie: recorded {:?}, request {:?}",
                self.cookie, other.cookie
            ));
        }
        d
    }
}

fn session_cookie(values: impl Iterator<Item = String>) -> Option<String> {
    values
        .flat_map(|v| {
            v.split(';')
                .filter_map(|pair| {
                    let (n, v) = pair.split_once('=')?;
                    (n.trim() == SESSION_COOKIE).then(|| v.trim().trim_matches('"').to_string())
                })
                .collect::<Vec<_>>()
        })
        .next()
}

fn method_name(m: &Method) -> String {
    format!("{m:?}").to_ascii_uppercase()
}

impl Player {
    /// Loads a cassette (our JSON, or vcrpy YAML by extension).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        let path = path.as_ref();
        let cassette = super::load_any(path)?;
        Ok(Self::from_cassette(&cassette, &path.display().to_string()))
    }

    /// Replays an in-memory cassette; `name` labels errors.
    pub fn from_cassette(cassette: &Cassette, name: &str) -> Self {
        let entries = cassette
            .http_interactions
            .iter()
            .enumerate()
            .map(|(index, i)| {
                let body = i.request.body.string.as_bytes();
                let info = request_info(body);
                Entry {
                    index,
                    key: Key {
                        method: method_name(&i.request.method),
                        path: i.request.uri.path().to_string(),
                        operation: info.operation,
                        this: info.this,
                        cookie: session_cookie(
                            i.request
                                .headers
                                .iter()
                                .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
                                .flat_map(|(_, v)| v.iter().cloned()),
                        ),
                        canon: canonical_body(body),
                    },
                    status: i.response.status.code,
                    headers: i
                        .response
                        .headers
                        .iter()
                        .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
                        .collect(),
                    body: i.response.body.string.clone().into_bytes(),
                    used: false,
                }
            })
            .collect();
        Self {
            name: name.to_string(),
            ordered: false,
            repeats: false,
            redactor: Redactor::default(),
            entries: Mutex::new(entries),
        }
    }

    /// Requires requests in recorded order (default: any order, each
    /// recorded exchange answering once, earliest first among equals).
    pub fn ordered(mut self, ordered: bool) -> Self {
        self.ordered = ordered;
        self
    }

    /// When no unused exchange matches, answers again with the last one
    /// that did (vcrpy's `allow_playback_repeats`). For scenarios whose
    /// number of identical requests depends on timing, such as concurrent
    /// calls racing a re-login: a repeated request gets the answer the
    /// server gave to the same request.
    pub fn allow_repeats(mut self, repeats: bool) -> Self {
        self.repeats = repeats;
        self
    }

    /// Whether repeats are allowed.
    pub fn repeats(&self) -> bool {
        self.repeats
    }

    /// Recorded exchanges not replayed yet.
    pub fn unused(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|e| !e.used)
            .count()
    }

    /// Recorded exchanges in all.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether the cassette holds no exchange.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn key_of(&self, req: &HttpRequest) -> Key {
        // The request goes through the same scrubbing as recorded ones, so
        // a real password compares equal to its recorded placeholder.
        let body = self.redactor.body(&req.body);
        // The transport names the operation and `_this` of a call; only a
        // request without them (a GET) is parsed. The body is still read
        // whole for the canonical form the match compares, and recorded
        // requests, which a cassette keeps as bodies only, are parsed once
        // when the cassette is loaded.
        let (operation, this) = match (req.operation, &req.this) {
            (Some(op), Some(this)) => (
                Some(op.to_string()),
                Some((
                    this.r#type.to_string(),
                    self.redactor.text(&this.value).into_owned(),
                )),
            ),
            _ => {
                let info = request_info(&body);
                (info.operation, info.this)
            }
        };
        Key {
            method: req.method.as_str().to_string(),
            path: req.url.path().to_string(),
            operation,
            this,
            cookie: session_cookie(
                req.headers
                    .get_all(COOKIE)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            ),
            canon: canonical_body(&body),
        }
    }

    fn play(&self, req: &HttpRequest) -> Result<Exchange, Error> {
        let key = self.key_of(req);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let found = if self.ordered {
            entries
                .iter()
                .position(|e| !e.used)
                .filter(|&i| entries[i].key == key)
        } else {
            entries.iter().position(|e| !e.used && e.key == key)
        };
        let found = found.or_else(|| {
            self.repeats
                .then(|| entries.iter().rposition(|e| e.used && e.key == key))
                .flatten()
        });
        let Some(i) = found else {
            return Err(Error::Replay(self.miss(&key, &entries)));
        };
        let e = &mut entries[i];
        e.used = true;
        let mut h = HeaderMap::new();
        for (k, v) in &e.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v)) {
                h.append(k, v);
            }
        }
        tracing::trace!(cassette = %self.name, interaction = e.index, "replayed");
        Ok(Exchange {
            status: e.status,
            headers: h,
            body: e.body.clone(),
        })
    }

    /// The miss report: the request, the closest recorded exchange and what
    /// differs.
    fn miss(&self, key: &Key, entries: &[Entry]) -> String {
        let mut out = format!(
            "{}: no recorded interaction matches the request {}",
            self.name,
            key.label()
        );
        let candidate = if self.ordered {
            entries.iter().find(|e| !e.used)
        } else {
            // Prefer the same request line and operation, then the most
            // similar body; unused entries before used ones.
            entries.iter().max_by(|a, b| {
                let score = |e: &Entry| {
                    (
                        e.key.method == key.method && e.key.path == key.path,
                        e.key.operation == key.operation,
                        e.key.this == key.this,
                        !e.used,
                        (similarity(&e.key.canon, &key.canon) * 1000.0) as u32,
                    )
                };
                score(a).cmp(&score(b)).then(b.index.cmp(&a.index))
            })
        };
        match candidate {
            None if self.ordered => {
                out.push_str("\nevery recorded interaction was already replayed")
            }
            None => out.push_str("\nthe cassette is empty"),
            Some(e) => {
                let _ = write!(
                    out,
                    "\n{} recorded interaction #{}: {}{}",
                    if self.ordered { "next" } else { "closest" },
                    e.index,
                    e.key.label(),
                    if e.used { " (already replayed)" } else { "" }
                );
                for d in e.key.differences(key) {
                    let _ = write!(out, "\n  {d}");
                }
                let body_diff = diff(&e.key.canon, &key.canon);
                if !body_diff.is_empty() {
                    out.push_str("\nbody difference:\n");
                    out.push_str(&body_diff);
                }
            }
        }
        out
    }
}

impl HttpBackend for Player {
    fn exchange(&self, req: HttpRequest) -> BoxFuture<'_, Result<Exchange, Error>> {
        let r = self.play(&req);
        Box::pin(std::future::ready(r))
    }

    fn is_replay(&self) -> bool {
        true
    }
}
