//! The session layer: the vSphere client, its connection settings, release
//! negotiation and the session every call goes through, on the transport
//! layer ([`crate::transport`]).
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

mod builder;
mod negotiate;
pub mod release;

pub use builder::{ClientBuilder, DEFAULT_MAX_RESPONSE, DEFAULT_TIMEOUT, parse_duration};
pub use negotiate::{Negotiation, NegotiationSource};

use crate::Error;
use crate::error::CallError;
use crate::methods;
use crate::mo;
use crate::rt::{BoxFuture, RoundTripper, Service, SoapRequest, Streamed};
use crate::transport::{Response, StreamedPost, Transport};
use crate::types::{
    AboutInfo, AnyMethodFault, CurrentTimeRequestType, LoginRequestType, LogoutRequestType,
    ManagedObjectReference, ServiceContent, UserSession,
};
use crate::xml::soap::{SoapBody, decode_body};
use negotiate::{service_instance, soap_action};
use release::Release;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// Each managed host's own release, by host id, once learnt (see
    /// [`Client::host_release`]).
    host_releases: Mutex<std::collections::HashMap<String, Release>>,
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

/// The error a fault response (HTTP 500) stands for, decoded here once: the
/// session needs the fault to see whether the session expired, and hands it
/// on as the call's error, so the generated method never decodes it again.
/// `None` for a 500 envelope that carries a response after all.
fn fault_of(body: &[u8]) -> Option<Error> {
    match decode_body::<AnyMethodFault>(body) {
        Ok(SoapBody::Fault(f, _)) => Some(Error::Fault(Box::new(f))),
        Ok(SoapBody::Response(_)) => None,
        // The same error the method's decoder would report.
        Err(e) => Some(Error::Decode(e)),
    }
}

/// A response as the caller gets it: the bytes of an answer, or the
/// decoded fault of a 500.
fn answer(resp: Response) -> Result<Vec<u8>, Error> {
    if resp.status != 500 {
        return Ok(resp.body);
    }
    match fault_of(&resp.body) {
        Some(e) => Err(e),
        None => Ok(resp.body),
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
            .ok_or_else(|| Error::ServerData {
                what: "SessionManager (ServiceContent.sessionManager) to log in to".into(),
            })?;
        // A fresh session: an expired cookie must not be sent along.
        self.transport.clear_cookie();
        let session = methods::login(
            &self.transport,
            &LoginRequestType {
                this: sm,
                user_name: c.user.as_str().into(),
                password: c.password.as_str().into(),
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
        let action = scope.map(|s| &s.soap_action);
        self.in_session(&req, scope, || async {
            answer(self.transport.post_as(&req, action).await?)
        })
        .await
    }

    /// Like [`call`](Self::call), handing a `200 OK` body on as it arrives
    /// (a fault is always read whole).
    async fn call_streamed(
        &self,
        req: SoapRequest,
        scope: Option<&Scope>,
    ) -> Result<Streamed, Error> {
        let action = scope.map(|s| &s.soap_action);
        self.in_session(&req, scope, || async {
            match self.transport.post_streamed(&req, action).await? {
                StreamedPost::Arriving(body) => Ok(Streamed::Arriving(body)),
                StreamedPost::Whole(resp) => answer(resp).map(Streamed::Whole),
            }
        })
        .await
    }

    /// What every call goes through: the release check, then `send`, and
    /// when the session has expired one re-login (shared by concurrent
    /// failures) and `send` once more.
    async fn in_session<R, Fut>(
        &self,
        req: &SoapRequest,
        scope: Option<&Scope>,
        send: impl Fn() -> Fut,
    ) -> Result<R, Error>
    where
        Fut: std::future::Future<Output = Result<R, Error>>,
    {
        // PBM dates its items by releases of its own, which the tables lack.
        if self.release_check && req.service == Service::Vim25 {
            let release = scope.map_or(&self.negotiation.release, |s| &s.release);
            crate::rt::release::check_request_at(&req.body, release)
                .map_err(|v| Error::Release(Box::new(v)))?;
        }
        let seen = self.session.epoch.load(Ordering::SeqCst);
        let err = match send().await {
            Err(e) if e.is_not_authenticated() => e,
            done => return done,
        };
        let retry = self.credentials.is_some()
            && !self.session.closed.load(Ordering::SeqCst)
            && !is_session_op(req.operation);
        if !retry {
            return Err(err);
        }
        self.relogin(seen).await?;
        send().await
    }
}

// The seam to the generated calls: `?` hands a fault back as the bindings'
// `Fault` (which their decoder passes through) and boxes the client's own
// errors; `Error::from` unboxes them for the caller.
impl RoundTripper for Inner {
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        Box::pin(async move { Ok(self.call(request, None).await?) })
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
                soap_action: soap_action(&release),
                release,
            })),
        })
    }

    /// The release remembered for host `host_id` (a HostSystem's id), if
    /// one was learnt on this session ([`remember_host_release`](Self::remember_host_release)).
    pub fn host_release(&self, host_id: &str) -> Option<Release> {
        self.inner
            .host_releases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(host_id)
            .cloned()
    }

    /// Remembers host `host_id`'s own release for this session and its
    /// clones, so that host-scoped stubs ask for it once.
    pub fn remember_host_release(&self, host_id: &str, release: Release) {
        self.inner
            .host_releases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(host_id.to_string(), release);
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
        let r = sm.logout().await.map_err(Error::from);
        self.inner.transport.clear_cookie();
        *self
            .inner
            .session
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
        r
    }

    /// Whether this client replays a cassette (no network; pollers need
    /// not wait between polls).
    pub fn is_replay(&self) -> bool {
        self.inner.transport.is_replay()
    }

    /// The `ServiceInstance` view.
    pub fn service_instance(&self) -> mo::ServiceInstance {
        mo::ServiceInstance::new(self.shared(), service_instance())
    }

    /// The `SessionManager` view.
    pub fn session_manager(&self) -> mo::SessionManager {
        let r = self
            .inner
            .service_content
            .session_manager
            .clone()
            .unwrap_or_else(|| ManagedObjectReference::new("SessionManager", "SessionManager"));
        mo::SessionManager::new(self.shared(), r)
    }

    /// The `PropertyCollector` view.
    pub fn property_collector(&self) -> mo::PropertyCollector {
        mo::PropertyCollector::new(
            self.shared(),
            self.inner.service_content.property_collector.clone(),
        )
    }

    /// The root `Folder` view.
    pub fn root_folder(&self) -> mo::Folder {
        mo::Folder::new(
            self.shared(),
            self.inner.service_content.root_folder.clone(),
        )
    }

    /// The session handle every view holds: the one way from a client to
    /// its views (`client.view::<mo::VirtualMachine>(r)` wraps it).
    pub fn shared(&self) -> Arc<dyn RoundTripper> {
        Arc::new(self.clone())
    }

    /// A view of `reference` on this session.
    ///
    /// ```no_run
    /// # async fn run(client: vmomi::Client, r: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
    /// use vmomi::mo::VirtualMachine;
    /// use vmomi::prelude::*;
    /// let vm: VirtualMachine = client.view(r);
    /// let name = vm.get(VirtualMachine::NAME).await?;
    /// # Ok(()) }
    /// ```
    pub fn view<V: crate::ObjectView>(&self, reference: ManagedObjectReference) -> V {
        V::from_reference(self.shared(), reference)
    }
}

impl RoundTripper for Client {
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        Box::pin(async move { Ok(self.inner.call(request, self.scope.as_deref()).await?) })
    }

    fn service_content(&self) -> Option<&ServiceContent> {
        Some(&self.inner.service_content)
    }

    fn release(&self) -> Option<&Release> {
        Some(Client::release(self))
    }

    fn is_replay(&self) -> bool {
        Client::is_replay(self)
    }

    fn round_trip_streamed(
        &self,
        request: SoapRequest,
    ) -> BoxFuture<'_, Result<Streamed, CallError>> {
        Box::pin(async move {
            Ok(self
                .inner
                .call_streamed(request, self.scope.as_deref())
                .await?)
        })
    }
}
