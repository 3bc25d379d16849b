//! Calls: the transport seam ([`RoundTripper`]) and the future ([`Call`]) every
//! generated method returns.

use crate::error::Error;
use crate::types::AnyMethodFault;
use crate::xml::{ManagedObjectReference, XmlValue, soap};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The API a request belongs to: where a session sends it and which
/// namespace and `SOAPAction` it carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Service {
    /// vim25 at `/sdk` (`urn:vim25`).
    #[default]
    Vim25,
    /// The PBM storage-policy service at `/pbm/sdk` (`urn:pbm`), on the
    /// vim25 session: its cookie, and a `vcSessionCookie` SOAP header.
    Pbm,
}

impl Service {
    /// The namespace of its operations (`urn:vim25`, `urn:pbm`).
    pub fn namespace(self) -> &'static str {
        match self {
            Service::Vim25 => crate::xml::VIM25_NAMESPACE,
            Service::Pbm => crate::xml::PBM_NAMESPACE,
        }
    }

    /// Its endpoint's path on the server (`/sdk`, `/pbm/sdk`).
    pub fn path(self) -> &'static str {
        match self {
            Service::Vim25 => "/sdk",
            Service::Pbm => "/pbm/sdk",
        }
    }
}

/// One SOAP request, ready to send.
#[derive(Clone, Debug)]
pub struct SoapRequest {
    /// The operation name, e.g. `PowerOnVM_Task`.
    pub operation: &'static str,
    /// The managed object the call targets (`_this`).
    pub this: ManagedObjectReference,
    /// The whole SOAP envelope.
    pub body: Vec<u8>,
    /// The API it belongs to.
    pub service: Service,
}

/// The session handle every call and managed-object view goes through:
/// sends SOAP envelopes and returns the response bytes, and, when it is a
/// session, what helpers on the views need besides: the server's
/// ServiceContent, the endpoint's release, whether it replays a cassette. The client implements
/// it; tests and cassettes can too (the defaults say "not a session").
pub trait RoundTripper: Send + Sync {
    /// Sends one request; resolves to the raw response envelope. A fault
    /// response may come back either way: as its envelope (the [`Call`]
    /// decodes it into [`Error::Fault`]) or, when the round-tripper had to
    /// decode it anyway (a session looking for `NotAuthenticated`), as
    /// `Err(Error::Fault(..))` already, so that it is decoded only once.
    /// A failure of the round-tripper's own (connecting, a timeout, a
    /// cassette) goes boxed in [`Error::RoundTrip`]; the caller gets it back
    /// by downcasting (`vmomi::Error::from` does).
    fn round_trip(&self, request: SoapRequest) -> BoxFuture<'_, Result<Vec<u8>, Error>>;

    /// The server's ServiceContent (property collector, view manager,
    /// search index, ...), when this is a connected session.
    fn service_content(&self) -> Option<&crate::types::ServiceContent> {
        None
    }

    /// The API release requests carry (`8.0.3.0`), when known.
    fn release(&self) -> Option<&crate::rt::release::Release> {
        None
    }

    /// Whether answers come from a recording, so pollers need not wait.
    fn is_replay(&self) -> bool {
        false
    }

    /// Like [`round_trip`](Self::round_trip), handing a successful body on
    /// as it arrives, so a large response can be decoded piece by piece.
    /// The default waits for the whole body.
    fn round_trip_streamed(&self, request: SoapRequest) -> BoxFuture<'_, Result<Streamed, Error>> {
        let fut = self.round_trip(request);
        Box::pin(async move { fut.await.map(Streamed::Whole) })
    }
}

/// A response from [`RoundTripper::round_trip_streamed`].
pub enum Streamed {
    /// A `200 OK` whose body is still arriving.
    Arriving(Box<dyn BodyStream>),
    /// The whole response: a fault, or a transport that buffers (a cassette).
    Whole(Vec<u8>),
}

impl std::fmt::Debug for Streamed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Streamed::Arriving(_) => f.write_str("Streamed::Arriving"),
            Streamed::Whole(b) => write!(f, "Streamed::Whole({} bytes)", b.len()),
        }
    }
}

/// The rest of a response body, read part by part. The transport's limits
/// (deadline, largest response) apply as it is read.
pub trait BodyStream: Send {
    /// Appends the next part of the body to `buf`; `Ok(false)` once the body
    /// has ended.
    ///
    /// Cancel-safe: a future dropped before it completes has taken nothing
    /// from the body (a page's reader races a read against its decoders).
    fn read_into<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> BoxFuture<'a, Result<bool, Error>>;
}

/// The future of one typed call: the transport's future plus the decoder of
/// the operation's `returnval`.
#[must_use = "a call does nothing until awaited"]
pub struct Call<'a, T> {
    fut: BoxFuture<'a, Result<Vec<u8>, Error>>,
    decode: fn(&[u8]) -> Result<T, Error>,
}

impl<'a, T> Call<'a, T> {
    /// Prepares a call; nothing is sent until the future is polled.
    pub fn new(
        client: &'a dyn RoundTripper,
        operation: &'static str,
        this: &ManagedObjectReference,
        body: Vec<u8>,
        decode: fn(&[u8]) -> Result<T, Error>,
    ) -> Self {
        Self::new_in(client, Service::Vim25, operation, this, body, decode)
    }

    /// Prepares a call of another service's operation (PBM's).
    pub fn new_in(
        client: &'a dyn RoundTripper,
        service: Service,
        operation: &'static str,
        this: &ManagedObjectReference,
        body: Vec<u8>,
        decode: fn(&[u8]) -> Result<T, Error>,
    ) -> Self {
        let fut = client.round_trip(SoapRequest {
            operation,
            this: this.clone(),
            body,
            service,
        });
        Self { fut, decode }
    }
}

impl<T> Future for Call<'_, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok(bytes)) => Poll::Ready((self.decode)(&bytes)),
        }
    }
}

fn lift<T>(
    r: Result<Result<T, soap::SoapFault<AnyMethodFault>>, crate::xml::DecodeError>,
) -> Result<T, Error> {
    match r? {
        Ok(v) => Ok(v),
        Err(f) => Err(Error::Fault(Box::new(f))),
    }
}

/// Decodes a response without `returnval`.
pub fn ret_unit(bytes: &[u8]) -> Result<(), Error> {
    lift(soap::decode_unit::<AnyMethodFault>(bytes))
}

/// Decodes a response with exactly one `returnval`.
pub fn ret_one<T: XmlValue>(bytes: &[u8]) -> Result<T, Error> {
    lift(soap::decode_one::<T, AnyMethodFault>(bytes))
}

/// Decodes a response with an optional `returnval`.
pub fn ret_opt<T: XmlValue>(bytes: &[u8]) -> Result<Option<T>, Error> {
    lift(soap::decode_opt::<T, AnyMethodFault>(bytes))
}

/// Decodes a response with any number of `returnval` elements.
pub fn ret_vec<T: XmlValue>(bytes: &[u8]) -> Result<Vec<T>, Error> {
    lift(soap::decode_vec::<T, AnyMethodFault>(bytes))
}

fn lift_in<'a, T>(
    bytes: &'a [u8],
    read: impl FnOnce(&mut soap::SoapResponse<'a>) -> Result<T, crate::xml::DecodeError>,
) -> Result<T, Error> {
    lift(
        soap::decode_with_in::<T, AnyMethodFault>(bytes, crate::xml::PBM_NAMESPACE, read)
            .map(|(r, _)| r),
    )
}

/// Decodes a PBM response without `returnval`.
pub fn pbm_ret_unit(bytes: &[u8]) -> Result<(), Error> {
    lift_in(bytes, soap::SoapResponse::unit)
}

/// Decodes a PBM response with exactly one `returnval`.
pub fn pbm_ret_one<T: XmlValue>(bytes: &[u8]) -> Result<T, Error> {
    lift_in(bytes, soap::SoapResponse::one)
}

/// Decodes a PBM response with an optional `returnval`.
pub fn pbm_ret_opt<T: XmlValue>(bytes: &[u8]) -> Result<Option<T>, Error> {
    lift_in(bytes, soap::SoapResponse::opt)
}

/// Decodes a PBM response with any number of `returnval` elements.
pub fn pbm_ret_vec<T: XmlValue>(bytes: &[u8]) -> Result<Vec<T>, Error> {
    lift_in(bytes, soap::SoapResponse::vec)
}
