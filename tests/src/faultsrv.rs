//! A fault-injection HTTP server on 127.0.0.1 (random port), for the
//! failures a real server or a hostile network produces and the simulator
//! does not: refused fields, resets and early closes mid-body, endless or
//! oversized bodies, answers in the wrong namespace, faults that echo the
//! request, error pages, bodies in an encoding nobody asked for, a server
//! that trickles its answer and one that never answers.
//!
//! Each request is shown to a handler that picks a [`Reply`]; `Forward`
//! passes the request to an upstream server (the simulator) and its answer
//! back, so a test can break exactly one call of a real session. Every
//! request is kept ([`FaultServer::requests`]) so tests can assert what the
//! client sent (a Logout, say). Plain threads and blocking sockets: no
//! runtime of its own, nothing shared with the client under test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, `POST`.
    pub method: String,
    /// The request target, e.g. `/sdk`.
    pub path: String,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The SOAP operation of a POST (`RetrieveServiceContent`), if any.
    pub operation: Option<String>,
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with this status, content type and body (`Content-Length` set).
    Respond {
        /// HTTP status.
        status: u16,
        /// `Content-Type`.
        content_type: &'static str,
        /// The body.
        body: Vec<u8>,
    },
    /// Like [`Reply::Respond`] with more headers (`Content-Encoding`,
    /// `Server`, ...).
    RespondWith {
        /// HTTP status.
        status: u16,
        /// `Content-Type`.
        content_type: &'static str,
        /// More headers, as sent.
        headers: Vec<(&'static str, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// A 200 announcing `body` in `Content-Length`, then sending it one byte
    /// per `every`: alive, and far too slow to ever finish.
    Trickle {
        /// The body.
        body: Vec<u8>,
        /// The pause before each byte.
        every: Duration,
    },
    /// Pass the request to the upstream server and its answer back.
    Forward,
    /// Announce `announced` bytes, send the status line, headers and
    /// `sent`, then reset the connection (RST, not FIN).
    ResetAfter {
        /// The `Content-Length` announced.
        announced: usize,
        /// The bytes sent before the reset.
        sent: Vec<u8>,
    },
    /// Like [`Reply::ResetAfter`] with an orderly close (FIN) instead.
    CloseAfter {
        /// The `Content-Length` announced.
        announced: usize,
        /// The bytes sent before the close.
        sent: Vec<u8>,
    },
    /// A 200 body of `prefix`, then `filler` repeated up to `total` bytes
    /// of body in all, then `suffix`, streamed without holding it in memory;
    /// with `announce`, `Content-Length` says the size, otherwise the body
    /// ends when the connection closes.
    Stream {
        /// Start of the body.
        prefix: Vec<u8>,
        /// Repeated in the middle.
        filler: Vec<u8>,
        /// End of the body.
        suffix: Vec<u8>,
        /// Body size in bytes.
        total: u64,
        /// Send `Content-Length`.
        announce: bool,
    },
    /// Read the request and never answer; the connection stays open until
    /// the client closes it.
    Hang,
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// The operations whose forwarded request the upstream has answered, and a
/// signal for each new one: a test waits for the server to have done a
/// call (a destroy spawned by a drop) instead of sleeping.
#[derive(Default)]
struct Answered {
    ops: Mutex<Vec<String>>,
    more: Condvar,
}

/// A running fault server; dropping it stops accepting connections.
pub struct FaultServer {
    /// `http://127.0.0.1:<port>/sdk`.
    pub url: String,
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    answered: Arc<Answered>,
    stop: Arc<AtomicBool>,
}

impl FaultServer {
    /// Starts a server that forwards to `upstream` (`host:port`) when the
    /// handler says [`Reply::Forward`].
    pub fn start(
        upstream: Option<&str>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answered = Arc::new(Answered::default());
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let upstream = upstream.map(str::to_string);
        {
            let (seen, answered, stop) = (seen.clone(), answered.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (seen, answered, handler, upstream) = (
                        seen.clone(),
                        answered.clone(),
                        handler.clone(),
                        upstream.clone(),
                    );
                    std::thread::spawn(move || {
                        let _ = serve(conn, &seen, &answered, &*handler, upstream.as_deref());
                    });
                }
            });
        }
        FaultServer {
            url: format!("http://{addr}/sdk"),
            addr,
            seen,
            answered,
            stop,
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (blocking, up to `limit`) until the upstream has answered `n`
    /// forwarded requests of `operation`; whether it did. Call it from
    /// `spawn_blocking` in async tests.
    pub fn wait_forwarded(&self, operation: &str, n: usize, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        let mut ops = self.answered.ops.lock().unwrap();
        loop {
            if ops.iter().filter(|o| *o == operation).count() >= n {
                return true;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            ops = self.answered.more.wait_timeout(ops, left).unwrap().0;
        }
    }

    /// How many requests of `operation` were received.
    pub fn count(&self, operation: &str) -> usize {
        self.requests()
            .iter()
            .filter(|s| s.operation.as_deref() == Some(operation))
            .count()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// A 127.0.0.1 address nothing listens on (bound, then released).
pub fn refused_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let a = l.local_addr().expect("address");
    drop(l);
    a
}

/// An HTML error page as proxies and load balancers send them.
pub fn html_page(title: &str, text: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\r\n<html>\r\n<head><title>{title}</title>\r\n<style>body {{ font-family: sans-serif; }}</style></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<p>{text}</p>\r\n</body>\r\n</html>\r\n"
    )
    .into_bytes()
}

/// One SOAP fault envelope (HTTP 500 body) with a typed detail.
pub fn fault_envelope(fault_type: &str, message: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>{message}</faultstring><detail><{fault_type}Fault xmlns="urn:vim25" xsi:type="{fault_type}"></{fault_type}Fault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#
    )
    .into_bytes()
}

fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<Seen>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 {
            return Ok(None);
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    let operation = std::str::from_utf8(&body)
        .ok()
        .and_then(vmomi::cassette::soap_operation);
    Ok(Some(Seen {
        method,
        path,
        headers,
        body,
        operation,
    }))
}

fn head(
    status: u16,
    content_type: &str,
    length: Option<u64>,
    extra: &[(String, String)],
) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n");
    match length {
        Some(n) => h.push_str(&format!("Content-Length: {n}\r\n")),
        None => h.push_str("Connection: close\r\n"),
    }
    for (k, v) in extra {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn serve(
    conn: TcpStream,
    seen: &Mutex<Vec<Seen>>,
    answered: &Answered,
    handler: &Handler,
    upstream: Option<&str>,
) -> std::io::Result<()> {
    let mut w = conn.try_clone()?;
    let mut r = BufReader::new(conn);
    while let Some(req) = read_request(&mut r)? {
        seen.lock().unwrap().push(req.clone());
        match handler(&req) {
            Reply::Respond {
                status,
                content_type,
                body,
            } => {
                w.write_all(&head(status, content_type, Some(body.len() as u64), &[]))?;
                w.write_all(&body)?;
            }
            Reply::RespondWith {
                status,
                content_type,
                headers,
                body,
            } => {
                let extra: Vec<(String, String)> = headers
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                w.write_all(&head(status, content_type, Some(body.len() as u64), &extra))?;
                w.write_all(&body)?;
            }
            Reply::Trickle { body, every } => {
                w.write_all(&head(
                    200,
                    "text/xml; charset=utf-8",
                    Some(body.len() as u64),
                    &[],
                ))?;
                for b in body {
                    w.flush()?;
                    std::thread::sleep(every);
                    // The client hanging up (its deadline) ends the trickle.
                    w.write_all(&[b])?;
                }
            }
            Reply::Forward => {
                let upstream = upstream.expect("Reply::Forward needs an upstream");
                let (status, headers, body) = forward(upstream, &req)?;
                if let Some(op) = &req.operation {
                    answered.ops.lock().unwrap().push(op.clone());
                    answered.more.notify_all();
                }
                let ct = headers
                    .iter()
                    .find(|(k, _)| k == "content-type")
                    .map_or("text/xml; charset=utf-8".to_string(), |(_, v)| v.clone());
                let extra: Vec<(String, String)> = headers
                    .into_iter()
                    .filter(|(k, _)| k == "set-cookie")
                    .map(|(_, v)| ("Set-Cookie".to_string(), v))
                    .collect();
                w.write_all(&head(status, &ct, Some(body.len() as u64), &extra))?;
                w.write_all(&body)?;
            }
            Reply::ResetAfter { announced, sent } => {
                w.write_all(&head(
                    200,
                    "text/xml; charset=utf-8",
                    Some(announced as u64),
                    &[],
                ))?;
                w.write_all(&sent)?;
                w.flush()?;
                // SO_LINGER 0: close sends RST instead of FIN.
                let s = socket2::SockRef::from(&w);
                s.set_linger(Some(Duration::ZERO))?;
                return Ok(());
            }
            Reply::CloseAfter { announced, sent } => {
                w.write_all(&head(
                    200,
                    "text/xml; charset=utf-8",
                    Some(announced as u64),
                    &[],
                ))?;
                w.write_all(&sent)?;
                w.shutdown(Shutdown::Both)?;
                return Ok(());
            }
            Reply::Stream {
                prefix,
                filler,
                suffix,
                total,
                announce,
            } => {
                let length = announce.then_some(total);
                w.write_all(&head(200, "text/xml; charset=utf-8", length, &[]))?;
                w.write_all(&prefix)?;
                let mut left = total.saturating_sub((prefix.len() + suffix.len()) as u64);
                let block: Vec<u8> = filler.iter().copied().cycle().take(64 * 1024).collect();
                while left > 0 {
                    let n = left.min(block.len() as u64) as usize;
                    // The client hanging up (it hit its limit) ends the stream.
                    w.write_all(&block[..n])?;
                    left -= n as u64;
                }
                w.write_all(&suffix)?;
                if !announce {
                    w.shutdown(Shutdown::Both)?;
                    return Ok(());
                }
            }
            Reply::Hang => {
                // Wait for the client to give up; whatever it sends is ignored.
                let mut sink = [0u8; 1024];
                while r.read(&mut sink)? > 0 {}
                return Ok(());
            }
        }
        w.flush()?;
    }
    Ok(())
}

/// Status, lowercase headers and body of an upstream answer.
type Upstream = (u16, Vec<(String, String)>, Vec<u8>);

/// Sends `req` to `upstream` as HTTP/1.0 (so the answer is not chunked and
/// ends at the close) and returns its status, headers and body.
fn forward(upstream: &str, req: &Seen) -> std::io::Result<Upstream> {
    let mut up = TcpStream::connect(upstream)?;
    let mut out = format!(
        "{} {} HTTP/1.0\r\nHost: {upstream}\r\n",
        req.method, req.path
    );
    for (k, v) in &req.headers {
        if matches!(k.as_str(), "host" | "connection" | "content-length") {
            continue;
        }
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", req.body.len()));
    up.write_all(out.as_bytes())?;
    up.write_all(&req.body)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("upstream answer without a header end"))?;
    let head = String::from_utf8_lossy(&resp[..split]).into_owned();
    let body = resp[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(502);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, body))
}
