//! Decoding a response when only the operation name is known at run time
//! (cassette checks, wire tools): the generated table maps each operation to
//! the decoder of its `returnval`.

use crate::generated::responses::RESPONSES;
use std::fmt::Debug;
use vmomi_bindings::Error;
use vmomi_bindings::rt::{Any, Service};
use vmomi_bindings::types::AnyMethodFault;
use vmomi_bindings::xml::{
    PBM_NAMESPACE, SoapResponse, UnknownStats, VIM25_NAMESPACE, XmlValue, decode_with_in,
};

/// Decoder of one operation's response, as the generated table holds it.
pub type ResponseFn = fn(&[u8]) -> Result<Decoded, Error>;

/// A response decoded by operation name.
#[derive(Debug)]
pub struct Decoded {
    /// The decoded `returnval` (or `()`), for display.
    pub value: Box<dyn Debug + Send + Sync>,
    /// Content the bindings did not know: unknown elements, types and enum values.
    pub unknown: UnknownStats,
    /// Whether the operation is one of the bindings' port-type operations
    /// (otherwise every `returnval` was decoded as `anyType`).
    pub known_operation: bool,
}

/// Decodes one response envelope of `operation`. A SOAP fault is returned as
/// [`Error::Fault`]; an operation the bindings do not know decodes its
/// `returnval`s by `xsi:type` as [`Any`].
///
/// ```
/// let body = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTimeResponse xmlns="urn:vim25"><returnval>2024-01-02T03:04:05Z</returnval></CurrentTimeResponse></soapenv:Body></soapenv:Envelope>"#;
/// let d = vmomi_methods::decode_response("CurrentTime", body).unwrap();
/// assert!(d.known_operation && d.unknown.is_empty());
/// ```
pub fn decode_response(operation: &str, bytes: &[u8]) -> Result<Decoded, Error> {
    decode_response_in(Service::Vim25, operation, bytes)
}

/// [`decode_response`] for a response of `service` (a cassette knows it by
/// the request's path: `/pbm/sdk` is [`Service::Pbm`]). A known operation
/// decodes in its own namespace whatever `service` says; an unknown one in
/// `service`'s.
///
/// ```
/// use vmomi_bindings::rt::Service;
/// let body = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><PbmFutureResponse xmlns="urn:pbm"><returnval>x</returnval></PbmFutureResponse></soapenv:Body></soapenv:Envelope>"#;
/// let d = vmomi_methods::decode_response_in(Service::Pbm, "PbmFuture", body).unwrap();
/// assert!(!d.known_operation);
/// ```
pub fn decode_response_in(
    service: Service,
    operation: &str,
    bytes: &[u8],
) -> Result<Decoded, Error> {
    match RESPONSES.binary_search_by(|(n, _)| (*n).cmp(operation)) {
        Ok(i) => (RESPONSES[i].1)(bytes),
        Err(_) => {
            let mut d = decode_as_in::<Vec<Any>>(bytes, service.namespace(), |r| r.vec())?;
            d.known_operation = false;
            Ok(d)
        }
    }
}

/// Decodes the returnval(s) with `read`.
fn decode_as<'a, T: Debug + Send + Sync + 'static>(
    bytes: &'a [u8],
    read: impl FnOnce(&mut SoapResponse<'a>) -> Result<T, vmomi_bindings::xml::DecodeError>,
) -> Result<Decoded, Error> {
    decode_as_in(bytes, VIM25_NAMESPACE, read)
}

/// [`decode_as`] for a response in `namespace`.
fn decode_as_in<'a, T: Debug + Send + Sync + 'static>(
    bytes: &'a [u8],
    namespace: &str,
    read: impl FnOnce(&mut SoapResponse<'a>) -> Result<T, vmomi_bindings::xml::DecodeError>,
) -> Result<Decoded, Error> {
    match decode_with_in::<T, AnyMethodFault>(bytes, namespace, read).map_err(Error::from)? {
        (Ok(v), unknown) => Ok(Decoded {
            value: Box::new(v),
            unknown,
            known_operation: true,
        }),
        (Err(f), _) => Err(Error::Fault(Box::new(f))),
    }
}

/// Entry of the generated table: no `returnval`.
pub fn dyn_unit(bytes: &[u8]) -> Result<Decoded, Error> {
    decode_as::<()>(bytes, |r| r.unit())
}

/// Entry of the generated table: exactly one `returnval`.
pub fn dyn_one<T: XmlValue + Debug + Send + Sync + 'static>(
    bytes: &[u8],
) -> Result<Decoded, Error> {
    decode_as::<T>(bytes, |r| r.one())
}

/// Entry of the generated table: an optional `returnval`.
pub fn dyn_opt<T: XmlValue + Debug + Send + Sync + 'static>(
    bytes: &[u8],
) -> Result<Decoded, Error> {
    decode_as::<Option<T>>(bytes, |r| r.opt())
}

/// Entry of the generated table: repeated `returnval`.
pub fn dyn_vec<T: XmlValue + Debug + Send + Sync + 'static>(
    bytes: &[u8],
) -> Result<Decoded, Error> {
    decode_as::<Vec<T>>(bytes, |r| r.vec())
}

/// Entry of the generated table: a PBM operation without `returnval`.
pub fn pbm_dyn_unit(bytes: &[u8]) -> Result<Decoded, Error> {
    decode_as_in::<()>(bytes, PBM_NAMESPACE, |r| r.unit())
}

/// Entry of the generated table: a PBM operation with one `returnval`.
pub fn pbm_dyn_one<T: XmlValue + Debug + Send + Sync + 'static>(
    bytes: &[u8],
) -> Result<Decoded, Error> {
    decode_as_in::<T>(bytes, PBM_NAMESPACE, |r| r.one())
}

/// Entry of the generated table: a PBM operation with an optional `returnval`.
pub fn pbm_dyn_opt<T: XmlValue + Debug + Send + Sync + 'static>(
    bytes: &[u8],
) -> Result<Decoded, Error> {
    decode_as_in::<Option<T>>(bytes, PBM_NAMESPACE, |r| r.opt())
}

/// Entry of the generated table: a PBM operation with repeated `returnval`.
pub fn pbm_dyn_vec<T: XmlValue + Debug + Send + Sync + 'static>(
    bytes: &[u8],
) -> Result<Decoded, Error> {
    decode_as_in::<Vec<T>>(bytes, PBM_NAMESPACE, |r| r.vec())
}
