//! The SOAP transport: one HTTP POST per call with the negotiated release in
//! `SOAPAction`, the session cookie, timeouts, error mapping and the redacted
//! wire log. It knows nothing about sessions; [`crate::client`] adds those.

use crate::Error;
use crate::cassette::{Player, Recorder};
use crate::redact::Redactor;
use crate::rt::{BoxFuture, RoundTripper, SoapRequest};
use crate::tls;
use crate::version::Release;
use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The cookie vSphere keeps the SOAP session in.
pub const SESSION_COOKIE: &str = "vmware_soap_session";

/// Where wire-log events go (`RUST_LOG=vmomi::wire=trace`).
pub const WIRE_TARGET: &str = "vmomi::wire";

/// The HTTP side of a client: connection pool, endpoint, release, cookie.
/// Cloning shares the pool and the cookie.
#[derive(Clone)]
pub(crate) struct Transport {
    backend: Backend,
    pub(crate) url: reqwest::Url,
    pub(crate) timeout: Duration,
    state: Arc<RwLock<State>>,
    wire_log: bool,
}

struct State {
    /// `"urn:vim25/8.0.3.0"` with quotes, ready for the header.
    soap_action: HeaderValue,
    /// `name=value` of the session cookie.
    cookie: Option<String>,
    redactor: Redactor,
}

/// Where requests go: the network, the network plus a cassette being
/// recorded, or only a cassette.
#[derive(Clone)]
pub(crate) enum Backend {
    Live(reqwest::Client),
    Record(reqwest::Client, Arc<Recorder>),
    Replay(Arc<Player>),
}

/// One HTTP exchange as the backends see it.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// A response as the transport saw it.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl Transport {
    pub(crate) fn new(
        backend: Backend,
        url: reqwest::Url,
        timeout: Duration,
        wire_log: bool,
        redactor: Redactor,
    ) -> Self {
        Self {
            backend,
            url,
            timeout,
            wire_log,
            state: Arc::new(RwLock::new(State {
                // Before negotiation: the unversioned namespace every vim25
                // server accepts.
                soap_action: HeaderValue::from_static("\"urn:vim25\""),
                cookie: None,
                redactor,
            })),
        }
    }

    fn state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn state_mut(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Every later request carries `urn:vim25/<release>`.
    pub(crate) fn set_release(&self, release: &Release) {
        self.state_mut().soap_action = soap_action(release);
    }

    pub(crate) fn clear_cookie(&self) {
        self.state_mut().cookie = None;
    }

    /// Adds a string that must never reach the wire log.
    pub(crate) fn add_secret(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut s = self.state_mut();
        let r = std::mem::take(&mut s.redactor);
        s.redactor = r.with_literal(secret.to_string());
    }

    /// `GET` of a document next to the SDK endpoint (`vimServiceVersions.xml`).
    pub(crate) async fn get(&self, file: &str) -> Result<Response, Error> {
        let mut url = self.url.clone();
        {
            let path = url.path().trim_end_matches('/').to_string();
            url.set_path(&format!("{path}/{file}"));
        }
        let span = tracing::debug_span!("vmomi.get", url = %url, status = tracing::field::Empty);
        async {
            let ex = self
                .exchange(reqwest::Method::GET, url, HeaderMap::new(), Vec::new())
                .await?;
            tracing::Span::current().record("status", ex.status);
            Ok(Response {
                status: ex.status,
                body: ex.body,
            })
        }
        .instrument(span)
        .await
    }

    /// Sends one envelope; a SOAP fault comes back as the body of a 500.
    /// Each call is a `vmomi.call` span with the operation, target, status,
    /// duration and byte counts.
    pub(crate) async fn post(&self, req: &SoapRequest) -> Result<Response, Error> {
        self.post_as(req, None).await
    }

    /// Like [`post`](Self::post), with `SOAPAction` for another release (a
    /// host-scoped stub) when `action` is given.
    pub(crate) async fn post_as(
        &self,
        req: &SoapRequest,
        action: Option<&HeaderValue>,
    ) -> Result<Response, Error> {
        let span = tracing::info_span!(
            "vmomi.call",
            operation = req.operation,
            this = %req.this.value,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            bytes_sent = req.body.len(),
            bytes_received = tracing::field::Empty,
        );
        let started = Instant::now();
        let r = self.post_inner(req, action).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &r {
            Ok(resp) => {
                span.record("status", resp.status);
                span.record("bytes_received", resp.body.len());
            }
            Err(e) => {
                span.in_scope(|| tracing::debug!(error = %e, "call failed"));
            }
        }
        r
    }

    async fn post_inner(
        &self,
        req: &SoapRequest,
        action: Option<&HeaderValue>,
    ) -> Result<Response, Error> {
        let (action, cookie) = {
            let s = self.state();
            (
                action.cloned().unwrap_or_else(|| s.soap_action.clone()),
                s.cookie.clone(),
            )
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        );
        headers.insert("SOAPAction", action);
        if let Some(c) = &cookie {
            if let Ok(v) = HeaderValue::from_str(c) {
                headers.insert(COOKIE, v);
            }
        }
        if self.wire_log {
            self.log_out(req, &headers);
        }
        let Exchange {
            status,
            headers: resp_headers,
            body,
        } = self
            .exchange(
                reqwest::Method::POST,
                self.url.clone(),
                headers,
                req.body.clone(),
            )
            .await?;
        self.take_cookie(&resp_headers);
        if self.wire_log {
            self.log_in(status, &resp_headers, &body);
        }
        // vSphere answers faults with 500 and an envelope; anything else that
        // is not 200 is an HTTP-level failure (proxy, load balancer, 404).
        if status == 200 || (status == 500 && looks_like_envelope(&body)) {
            return Ok(Response { status, body });
        }
        Err(Error::Http {
            status,
            url: self.url.to_string(),
            message: snippet(&body),
        })
    }

    /// Whether this transport only replays a cassette.
    pub(crate) fn is_replay(&self) -> bool {
        matches!(self.backend, Backend::Replay(_))
    }

    async fn exchange(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Exchange, Error> {
        // Only a recorder needs the request after it is sent: the live path
        // hands headers and body to reqwest without copying them.
        let (http, kept) = match &self.backend {
            Backend::Replay(player) => return player.play(&method, &url, &headers, &body),
            Backend::Live(http) => (http, None),
            Backend::Record(http, rec) => (http, Some((rec, headers.clone(), body.clone()))),
        };
        let started = Instant::now();
        let resp = http
            .request(method.clone(), url.clone())
            .headers(headers)
            .body(body)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| self.map_err(e, started))?;
        let status = resp.status().as_u16();
        let resp_headers = resp.headers().clone();
        let resp_body = resp
            .bytes()
            .await
            .map_err(|e| self.map_err(e, started))?
            .to_vec();
        let ex = Exchange {
            status,
            headers: resp_headers,
            body: resp_body,
        };
        if let Some((recorder, headers, body)) = kept {
            recorder.record(&method, &url, &headers, &body, &ex);
        }
        Ok(ex)
    }

    fn take_cookie(&self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let pair = v.split(';').next().unwrap_or("").trim();
            if let Some((name, value)) = pair.split_once('=') {
                if name.trim() == SESSION_COOKIE && !value.is_empty() {
                    let mut s = self.state_mut();
                    let r = std::mem::take(&mut s.redactor);
                    s.redactor = r.with_literal(value.trim_matches('"').to_string());
                    s.cookie = Some(pair.to_string());
                }
            }
        }
    }

    fn map_err(&self, e: reqwest::Error, started: Instant) -> Error {
        if e.is_timeout() {
            return Error::Timeout(started.elapsed());
        }
        if let Some(msg) = tls::describe_tls_error(&e) {
            return Error::Tls(format!("{}: {msg}", self.url));
        }
        Error::Transport(Box::new(e))
    }

    fn log_out(&self, req: &SoapRequest, headers: &HeaderMap) {
        let s = self.state();
        let headers = render_headers(&s.redactor, headers);
        let body = s.redactor.body(&req.body);
        tracing::trace!(
            target: WIRE_TARGET,
            operation = req.operation,
            "request POST {}\n{headers}\n{}",
            self.url,
            String::from_utf8_lossy(&body)
        );
    }

    fn log_in(&self, status: u16, headers: &HeaderMap, body: &[u8]) {
        let s = self.state();
        let headers = render_headers(&s.redactor, headers);
        let body = s.redactor.body(body);
        tracing::trace!(
            target: WIRE_TARGET,
            "response {status}\n{headers}\n{}",
            String::from_utf8_lossy(&body)
        );
    }
}

/// The quoted `SOAPAction` value of a release.
pub(crate) fn soap_action(release: &Release) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", release.soap_action()))
        .unwrap_or_else(|_| HeaderValue::from_static("\"urn:vim25\""))
}

fn render_headers(r: &Redactor, headers: &HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        out.push_str(name.as_str());
        out.push_str(": ");
        out.push_str(&r.header(name.as_str(), &value));
        out.push('\n');
    }
    out
}

fn looks_like_envelope(body: &[u8]) -> bool {
    let head = &body[..body.len().min(512)];
    head.windows(8).any(|w| w == b"Envelope")
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > 300 {
        format!("{text}...")
    } else {
        text
    }
}

impl RoundTripper for Transport {
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, Error>> {
        Box::pin(async move { self.post(&request).await.map(|r| r.body) })
    }
}
