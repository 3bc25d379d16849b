//! The transport layer: one HTTP POST per call with the negotiated release
//! in `SOAPAction`, the session cookie, timeouts, the response limit, error
//! mapping and the redacted wire log, over an [`HttpBackend`] (the network
//! here; a cassette's recorder wraps it, its player replaces it). It knows
//! nothing about sessions or cassettes: [`crate::session`] and
//! [`crate::cassette`] build on it.

pub mod redact;
pub mod tls;

use crate::Error;
use crate::error::{CallError, TransportKind};
use crate::rt::{BoxFuture, RoundTripper, Service, SoapRequest};
use crate::xml::ManagedObjectReference;
use redact::Redactor;
use reqwest::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, COOKIE, HeaderMap, HeaderValue, SET_COOKIE,
};
use std::error::Error as _;
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
    backend: Arc<dyn HttpBackend>,
    pub(crate) url: reqwest::Url,
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

/// `SOAPAction` of `service` for the release of `vim25` (`"urn:vim25/8.0.3.0"`
/// gives `"urn:pbm/8.0.3.0"`): PBM is addressed with the vim25 release.
fn service_action(vim25: &HeaderValue, service: Service) -> HeaderValue {
    let text = vim25.to_str().unwrap_or("\"urn:vim25\"");
    let release = text
        .trim_matches('"')
        .strip_prefix("urn:vim25")
        .unwrap_or("");
    HeaderValue::from_str(&format!("\"{}{release}\"", service.namespace()))
        .unwrap_or_else(|_| HeaderValue::from_static("\"urn:pbm\""))
}

/// `envelope` with a SOAP header holding the session cookie's value
/// (`<vcSessionCookie>`), placed before the `Body`; unchanged without a
/// session.
fn with_session_header(envelope: &[u8], cookie: Option<&str>) -> Vec<u8> {
    let Some(value) = cookie
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
    else {
        return envelope.to_vec();
    };
    const BODY: &[u8] = b"<soapenv:Body>";
    let Some(at) = envelope.windows(BODY.len()).position(|w| w == BODY) else {
        return envelope.to_vec();
    };
    let mut out = Vec::with_capacity(envelope.len() + value.len() + 64);
    out.extend_from_slice(&envelope[..at]);
    let mut header = crate::xml::XmlWriter::new();
    header.simple("vcSessionCookie", None, value);
    out.extend_from_slice(b"<soapenv:Header>");
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(b"</soapenv:Header>");
    out.extend_from_slice(&envelope[at..]);
    out
}

/// Where requests go: the network ([`Live`]), or a cassette's recorder
/// wrapping it or player replacing it: the seam that lets record/replay wrap
/// the transport the way keep-alive wraps govmomi's round-tripper.
pub(crate) trait HttpBackend: Send + Sync {
    /// Sends one request and reads its whole response.
    fn exchange(&self, req: HttpRequest) -> BoxFuture<'_, Result<Exchange, Error>>;

    /// Like [`exchange`](Self::exchange), handing the body on as it
    /// arrives. The default (recorder, player) reads it whole first.
    fn exchange_streamed(&self, req: HttpRequest) -> BoxFuture<'_, Result<Arriving, Error>> {
        let fut = self.exchange(req);
        Box::pin(async move {
            let ex = fut.await?;
            Ok(Arriving {
                status: ex.status,
                headers: ex.headers,
                body: ArrivingBody::Whole(ex.body),
            })
        })
    }

    /// Whether no network is involved (pollers need not wait).
    fn is_replay(&self) -> bool {
        false
    }

    /// Writes what this backend recorded, if it saves its own cassette.
    fn save(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// One HTTP request as the backends see it.
pub(crate) struct HttpRequest {
    pub(crate) method: reqwest::Method,
    pub(crate) url: reqwest::Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    /// The call, for errors: `CurrentTime on https://vc/sdk`, `GET https://...`.
    pub(crate) call: String,
    /// The SOAP operation of a call (`RetrievePropertiesEx`); `None` for a
    /// `GET`. Backends that file exchanges by call (the recorder, the
    /// player) take it from here instead of parsing the body for it.
    pub(crate) operation: Option<&'static str>,
    /// The managed object the call targets (`_this`); `None` for a `GET`.
    pub(crate) this: Option<ManagedObjectReference>,
}

/// The network: reqwest with the call deadline and the response limit.
pub(crate) struct Live {
    http: reqwest::Client,
    timeout: Duration,
    /// Longest response body accepted, in bytes.
    max_response: u64,
}

impl Live {
    pub(crate) fn new(http: reqwest::Client, timeout: Duration, max_response: u64) -> Self {
        Self {
            http,
            timeout,
            max_response,
        }
    }
}

impl HttpBackend for Live {
    fn exchange(&self, req: HttpRequest) -> BoxFuture<'_, Result<Exchange, Error>> {
        Box::pin(self.send(req))
    }

    fn exchange_streamed(&self, req: HttpRequest) -> BoxFuture<'_, Result<Arriving, Error>> {
        Box::pin(async move {
            let (resp, body) = self.start(req).await?;
            Ok(Arriving {
                status: resp.status,
                headers: resp.headers,
                body: ArrivingBody::Network(Box::new(body)),
            })
        })
    }
}

/// What [`Transport::post_streamed`] hands back.
pub(crate) enum StreamedPost {
    /// A `200 OK` whose body is still arriving.
    Arriving(Box<LiveBody>),
    /// A whole response (a fault, or a body read whole).
    Whole(Response),
}

/// A response whose body may still be arriving.
pub(crate) struct Arriving {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: ArrivingBody,
}

/// The body of an [`Arriving`] response.
pub(crate) enum ArrivingBody {
    /// Read whole already.
    Whole(Vec<u8>),
    /// From the network, part by part, within the call's limits.
    Network(Box<LiveBody>),
}

/// A body being read from the network: the response limit counts every
/// part, and reqwest's deadline covers the body as well as the headers.
pub(crate) struct LiveBody {
    resp: reqwest::Response,
    read: u64,
    announced: Option<u64>,
    max_response: u64,
    timeout: Duration,
    started: Instant,
    call: String,
    url: reqwest::Url,
}

impl LiveBody {
    /// Appends the next part to `buf`; `Ok(false)` at the end.
    pub(crate) async fn read_into(&mut self, buf: &mut Vec<u8>) -> Result<bool, Error> {
        let chunk = match self.resp.chunk().await {
            Ok(c) => c,
            Err(e) => {
                return Err(map_reqwest_err(
                    e,
                    self.started,
                    &self.call,
                    &self.url,
                    self.timeout,
                ));
            }
        };
        let Some(chunk) = chunk else { return Ok(false) };
        self.read += chunk.len() as u64;
        if self.read > self.max_response {
            return Err(Error::ResponseTooLarge {
                call: self.call.clone(),
                limit: self.max_response,
                announced: self.announced,
            });
        }
        buf.extend_from_slice(&chunk);
        Ok(true)
    }

    /// The rest of the body, whole.
    async fn read_to_end(mut self, mut buf: Vec<u8>) -> Result<Vec<u8>, Error> {
        while self.read_into(&mut buf).await? {}
        Ok(buf)
    }
}

impl crate::rt::BodyStream for LiveBody {
    fn read_into<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> BoxFuture<'a, Result<bool, CallError>> {
        Box::pin(async move { Ok(LiveBody::read_into(self, buf).await?) })
    }
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
        backend: Arc<dyn HttpBackend>,
        url: reqwest::Url,
        wire_log: bool,
        redactor: Redactor,
    ) -> Self {
        Self {
            backend,
            url,
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

    /// Every later request carries this `SOAPAction` (`"urn:vim25/<release>"`).
    pub(crate) fn set_soap_action(&self, action: HeaderValue) {
        self.state_mut().soap_action = action;
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
        let call = format!("GET {url}");
        async {
            let ex = self
                .backend
                .exchange(HttpRequest {
                    method: reqwest::Method::GET,
                    url,
                    headers: HeaderMap::new(),
                    body: Vec::new(),
                    call,
                    operation: None,
                    this: None,
                })
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
        let span = self.call_span(req, false);
        let started = Instant::now();
        let r = self.post_inner(req, action).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &r {
            Ok(resp) => {
                span.record("status", resp.status);
                span.record("bytes_received", resp.body.len());
            }
            Err(e) => {
                let e = self.state().redactor.text(&e.to_string()).into_owned();
                span.in_scope(|| tracing::debug!(error = %e, "call failed"));
            }
        }
        r
    }

    /// The endpoint of `service`: the SDK URL itself for vim25, the same
    /// server at `/pbm/sdk` for PBM.
    pub(crate) fn endpoint(&self, service: Service) -> reqwest::Url {
        match service {
            Service::Vim25 => self.url.clone(),
            other => {
                let mut url = self.url.clone();
                url.set_path(other.path());
                url
            }
        }
    }

    /// The request as the backends see it: headers with the release and
    /// the session cookie. A PBM request goes to `/pbm/sdk` with
    /// `SOAPAction: "urn:pbm/<release>"` and the session cookie's value in a
    /// `vcSessionCookie` SOAP header as well, which is how PBM finds the
    /// vim25 session.
    fn http_request(&self, req: &SoapRequest, action: Option<&HeaderValue>) -> HttpRequest {
        let (action, cookie) = {
            let s = self.state();
            (
                action.cloned().unwrap_or_else(|| s.soap_action.clone()),
                s.cookie.clone(),
            )
        };
        let url = self.endpoint(req.service);
        let (action, body) = match req.service {
            Service::Vim25 => (action, req.body.clone()),
            Service::Pbm => (
                service_action(&action, req.service),
                with_session_header(&req.body, cookie.as_deref()),
            ),
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
            self.log_out(req.operation, &url, &headers, &body);
        }
        HttpRequest {
            method: reqwest::Method::POST,
            call: format!("{} on {url}", req.operation),
            url,
            headers,
            body,
            operation: Some(req.operation),
            this: Some(req.this.clone()),
        }
    }

    async fn post_inner(
        &self,
        req: &SoapRequest,
        action: Option<&HeaderValue>,
    ) -> Result<Response, Error> {
        let request = self.http_request(req, action);
        let url = request.url.clone();
        let Exchange {
            status,
            headers,
            body,
        } = self.backend.exchange(request).await?;
        self.take_cookie(&headers);
        if self.wire_log {
            self.log_in(status, &headers, &body);
        }
        self.finish(status, &url, body)
    }

    /// The `vmomi.call` span of one call. A session-scoped object's id
    /// carries the session key (`session[<key>]...` on vCenter and the
    /// simulator): span fields go through the same redaction as bodies.
    fn call_span(&self, req: &SoapRequest, streamed: bool) -> tracing::Span {
        let this = self.state().redactor.text(&req.this.value);
        tracing::info_span!(
            "vmomi.call",
            operation = req.operation,
            this = %this,
            streamed,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            bytes_sent = req.body.len(),
            bytes_received = tracing::field::Empty,
        )
    }

    /// Like [`post_as`](Self::post_as), handing a `200 OK` body on as it
    /// arrives (any other answer is read whole and checked as usual). With
    /// the wire log on, bodies are read whole so they can be logged.
    pub(crate) async fn post_streamed(
        &self,
        req: &SoapRequest,
        action: Option<&HeaderValue>,
    ) -> Result<StreamedPost, Error> {
        if self.wire_log {
            return self.post_as(req, action).await.map(StreamedPost::Whole);
        }
        let span = self.call_span(req, true);
        async {
            let request = self.http_request(req, action);
            let url = request.url.clone();
            let Arriving {
                status,
                headers,
                body,
            } = self.backend.exchange_streamed(request).await?;
            tracing::Span::current().record("status", status);
            self.take_cookie(&headers);
            let body = match body {
                ArrivingBody::Network(b) if status == 200 => {
                    return Ok(StreamedPost::Arriving(b));
                }
                ArrivingBody::Network(b) => b.read_to_end(Vec::new()).await?,
                ArrivingBody::Whole(b) => b,
            };
            self.finish(status, &url, body).map(StreamedPost::Whole)
        }
        .instrument(span)
        .await
    }

    /// Checks the status of a whole response to a request sent to `url`.
    fn finish(&self, status: u16, url: &reqwest::Url, body: Vec<u8>) -> Result<Response, Error> {
        // vSphere answers faults with 500 and an envelope; anything else that
        // is not 200 is an HTTP-level failure (proxy, load balancer, 404).
        if status == 200 {
            return Ok(Response { status, body });
        }
        // A fault or error page may echo what was sent (a server that quotes
        // the password in its faultstring): the caller's secrets never reach
        // an error text.
        // In a fault envelope only text content is redacted, so the markup
        // stays whole whatever a secret looks like (a password `x` would
        // otherwise take the `x` out of `xmlns` and the fault would not
        // decode).
        let envelope = status == 500 && looks_like_envelope(&body);
        let redacted = {
            let r = &self.state().redactor;
            match if envelope {
                r.text_literals(&body)
            } else {
                r.literals(&body)
            } {
                std::borrow::Cow::Borrowed(_) => None,
                std::borrow::Cow::Owned(redacted) => Some(redacted),
            }
        };
        let body = redacted.unwrap_or(body);
        if envelope {
            return Ok(Response { status, body });
        }
        Err(Error::Http {
            status,
            url: url.to_string(),
            message: html_text(&body).unwrap_or_else(|| snippet(&body)),
        })
    }

    /// Writes the cassette of a client that saves its own (`VSPHERE_RECORD`).
    pub(crate) fn save_recording(&self) -> Result<(), Error> {
        self.backend.save()
    }

    /// Whether this transport only replays a cassette.
    pub(crate) fn is_replay(&self) -> bool {
        self.backend.is_replay()
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

    fn log_out(&self, operation: &str, url: &reqwest::Url, headers: &HeaderMap, body: &[u8]) {
        let s = self.state();
        let headers = render_headers(&s.redactor, headers);
        let body = s.redactor.body(body);
        tracing::trace!(
            target: WIRE_TARGET,
            operation,
            "request POST {url}\n{headers}\n{}",
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

impl Live {
    /// Sends a request and waits for the response's head; the body is left
    /// to read.
    async fn start(&self, req: HttpRequest) -> Result<(Exchange, LiveBody), Error> {
        let HttpRequest {
            method,
            url,
            headers,
            body,
            call,
            ..
        } = req;
        let started = Instant::now();
        // reqwest is built without decoders: ask for no content coding, and
        // refuse one a server or proxy applies anyway, rather than hand
        // compressed bytes to the XML decoder.
        let resp = self
            .http
            .request(method, url.clone())
            .headers(headers)
            .header(ACCEPT_ENCODING, "identity")
            .body(body)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| map_reqwest_err(e, started, &call, &url, self.timeout))?;
        let status = resp.status().as_u16();
        let resp_headers = resp.headers().clone();
        if let Some(coding) = unrequested_coding(&resp_headers) {
            let kind = TransportKind::Protocol;
            let why = format!(
                "Content-Encoding: {coding} in a response to Accept-Encoding: identity; this client decodes no content encoding"
            );
            return Err(Error::Transport {
                kind,
                message: format!("{call}: {kind} ({why})"),
                cause: Box::new(std::io::Error::new(std::io::ErrorKind::InvalidData, why)),
            });
        }
        let announced = resp.content_length();
        if announced.is_some_and(|n| n > self.max_response) {
            return Err(Error::ResponseTooLarge {
                call,
                limit: self.max_response,
                announced,
            });
        }
        let head = Exchange {
            status,
            headers: resp_headers,
            body: Vec::new(),
        };
        let body = LiveBody {
            resp,
            read: 0,
            announced,
            max_response: self.max_response,
            timeout: self.timeout,
            started,
            call,
            url,
        };
        Ok((head, body))
    }

    async fn send(&self, req: HttpRequest) -> Result<Exchange, Error> {
        let (mut head, body) = self.start(req).await?;
        // Read chunk by chunk into one buffer sized from Content-Length: no
        // second copy of the body, and a body without Content-Length stops
        // at the limit.
        let capacity = body.announced.unwrap_or(0).min(self.max_response);
        let buf = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        head.body = body.read_to_end(buf).await?;
        Ok(head)
    }
}

fn map_reqwest_err(
    e: reqwest::Error,
    started: Instant,
    call: &str,
    url: &reqwest::Url,
    timeout: Duration,
) -> Error {
    if e.is_timeout() {
        return Error::Timeout {
            call: call.to_string(),
            elapsed: started.elapsed(),
            limit: timeout,
        };
    }
    if let Some(msg) = tls::describe_tls_error(&e) {
        return Error::Tls(format!("{url}: {msg}"));
    }
    let (kind, chain) = describe_transport_error(&e);
    Error::Transport {
        kind,
        message: format!("{call}: {kind} ({chain})"),
        cause: Box::new(e),
    }
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

/// The kind of a failed exchange and its error chain in one line (outermost
/// first, each message once). reqwest's own outermost message
/// (`error sending request for url (...)`) is left out: the caller names the
/// call and URL.
fn describe_transport_error(e: &reqwest::Error) -> (TransportKind, String) {
    let mut kind = None;
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(err) = cur {
        let io = err.downcast_ref::<std::io::Error>();
        if kind.is_none() {
            kind = io.and_then(|io| io_kind(io, e.is_connect()));
        }
        let text = err.to_string();
        if kind.is_none() {
            kind = text_kind(&text);
        }
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        // `io::Error::source()` skips the error it wraps: look at it too.
        cur = match io.and_then(std::io::Error::get_ref) {
            Some(inner) if inner.to_string() != err.to_string() => Some(inner),
            _ => err.source(),
        };
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    let kind = kind.unwrap_or(if e.is_body() || e.is_decode() {
        TransportKind::Closed
    } else {
        TransportKind::Other
    });
    (kind, parts.join(": "))
}

fn io_kind(e: &std::io::Error, connecting: bool) -> Option<TransportKind> {
    use std::io::ErrorKind as K;
    Some(match e.kind() {
        K::ConnectionRefused => TransportKind::Refused,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => TransportKind::Reset,
        K::UnexpectedEof => TransportKind::Closed,
        K::TimedOut if connecting => TransportKind::ConnectTimeout,
        _ => return None,
    })
}

/// hyper and hyper-util report these without an `io::Error` underneath.
fn text_kind(text: &str) -> Option<TransportKind> {
    let t = text.to_ascii_lowercase();
    Some(
        if t.contains("dns error") || t.contains("failed to lookup address") {
            TransportKind::Dns
        } else if t.contains("connection reset") {
            TransportKind::Reset
        } else if t.contains("connection closed before message completed")
            || t.contains("end of file before message length reached")
            || t.contains("incomplete")
            || t.contains("unexpected eof")
        {
            TransportKind::Closed
        } else if t.contains("connection refused") {
            TransportKind::Refused
        } else if t.contains("invalid http") || t.contains("invalid status") || t.contains("parse")
        {
            TransportKind::Protocol
        } else {
            return None;
        },
    )
}

/// The `Content-Encoding` of a response when it is not `identity`.
fn unrequested_coding(headers: &HeaderMap) -> Option<String> {
    let coding = headers
        .get_all(CONTENT_ENCODING)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("identity"))
        .collect::<Vec<_>>();
    (!coding.is_empty()).then(|| coding.join(", "))
}

/// The words of an HTML error page (a proxy's, a load balancer's): its
/// title, then its body's text without markup, scripts or styles; `None`
/// when the body is not HTML or has no text.
fn html_text(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    // ASCII lowercasing keeps every byte offset.
    let lower = text.to_ascii_lowercase();
    let head = lower.trim_start();
    if !(head.starts_with("<!doctype html") || head.starts_with("<html")) {
        return None;
    }
    let title = lower
        .find("<title")
        .and_then(|t| Some(t + lower[t..].find('>')? + 1))
        .and_then(|start| Some(&text[start..start + lower[start..].find("</title")?]))
        .map(words)
        .unwrap_or_default();
    let from = lower.find("<body").unwrap_or(0);
    let mut plain = String::new();
    let mut i = from;
    while let Some(lt) = lower[i..].find('<').map(|n| i + n) {
        plain.push_str(&text[i..lt]);
        plain.push(' ');
        let tail = &lower[lt..];
        // Comments, scripts, styles and the title (already taken) go whole,
        // any other tag to its `>`.
        let skip = ["<!--", "<script", "<style", "<title"]
            .iter()
            .zip(["-->", "</script>", "</style>", "</title>"])
            .find(|(open, _)| tail.starts_with(**open))
            .map(|(_, close)| close);
        let len = match skip {
            Some(close) => tail.find(close).map(|n| n + close.len()),
            None => tail.find('>').map(|n| n + 1),
        };
        match len {
            Some(n) => i = lt + n,
            None => {
                i = lower.len();
                break;
            }
        }
    }
    plain.push_str(&text[i..]);
    let plain = words(&plain);
    let rest = plain.strip_prefix(title.as_str()).unwrap_or(&plain).trim();
    let out = match (title.is_empty(), rest.is_empty()) {
        (true, true) => return None,
        (false, true) => title,
        (true, false) => rest.to_string(),
        (false, false) => format!("{title}: {rest}"),
    };
    Some(shorten(out))
}

/// `text` with HTML's common references resolved and its white space
/// collapsed.
fn words(text: &str) -> String {
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most 300 bytes of `text`, cut at a character boundary.
fn shorten(mut text: String) -> String {
    if text.len() > 300 {
        let mut end = 300;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
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

// At the `rt` seam the client's errors are boxed into the bindings' error
// (`?` converts); `Error::from` on the caller's side unboxes them.
impl RoundTripper for Transport {
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        Box::pin(async move { Ok(self.post(&request).await?.body) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_page_is_shown_by_its_words() {
        let nginx = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
        assert_eq!(
            html_text(nginx).as_deref(),
            Some("502 Bad Gateway: nginx/1.24.0")
        );
        let styled = b"<!DOCTYPE HTML><html><head><style>p { color: red; }</style><script>var a = '<b>';</script></head><body><!-- x > y --><p>Service &amp; API are down</p></body></html>";
        assert_eq!(html_text(styled).as_deref(), Some("Service & API are down"));
        let title_only =
            b"<html><head><title>503 Service Unavailable</title></head><body></body></html>";
        assert_eq!(
            html_text(title_only).as_deref(),
            Some("503 Service Unavailable")
        );
        let long = format!("<html><body>{}</body></html>", "\u{e9}".repeat(400));
        assert!(html_text(long.as_bytes()).unwrap().ends_with("..."));
        // Not HTML, or no words: the caller shows the start of the body.
        assert_eq!(html_text(b"503 Service Unavailable (no endpoint)"), None);
        assert_eq!(html_text(b"<html><body> </body></html>"), None);
        assert_eq!(html_text(b"<html><body><p>cut"), Some("cut".into()));
    }

    #[test]
    fn only_identity_is_an_encoding_the_client_takes() {
        let mut h = HeaderMap::new();
        assert_eq!(unrequested_coding(&h), None);
        h.insert(CONTENT_ENCODING, HeaderValue::from_static(" Identity "));
        assert_eq!(unrequested_coding(&h), None);
        h.append(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(unrequested_coding(&h).as_deref(), Some("gzip"));
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("br"));
        assert_eq!(unrequested_coding(&h).as_deref(), Some("br"));
    }

    #[test]
    fn pbm_is_addressed_with_the_vim25_release() {
        let v = HeaderValue::from_static("\"urn:vim25/8.0.3.0\"");
        assert_eq!(service_action(&v, Service::Pbm), "\"urn:pbm/8.0.3.0\"");
        let bare = HeaderValue::from_static("\"urn:vim25\"");
        assert_eq!(service_action(&bare, Service::Pbm), "\"urn:pbm\"");
    }

    #[test]
    fn the_session_header_goes_before_the_body_escaped() {
        let req = crate::types::PbmRetrieveServiceContentRequestType {
            this: ManagedObjectReference::new("PbmServiceInstance", "ServiceInstance"),
            ..Default::default()
        };
        let env = crate::xml::request_envelope_in(
            crate::xml::PBM_NAMESPACE,
            "PbmRetrieveServiceContent",
            &req,
        );
        let out = with_session_header(&env, Some("vmware_soap_session=\"52a<&>\""));
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(
                "<soapenv:Header><vcSessionCookie>52a&lt;&amp;&gt;</vcSessionCookie></soapenv:Header>\
                 <soapenv:Body><PbmRetrieveServiceContent xmlns=\"urn:pbm\">"
            ),
            "{out}"
        );
        // No session yet: nothing to add.
        assert_eq!(with_session_header(&env, None), env);
    }
}
