//! Decoding a response when only the operation name is known at run time
//! (cassette checks, wire tools): the generated table maps each operation to
//! the decoder of its `returnval`.

use crate::generated::responses::RESPONSES;
use std::fmt::Debug;
use vmomi_bindings::Error;
use vmomi_bindings::rt::Any;
use vmomi_bindings::types::AnyMethodFault;
use vmomi_bindings::xml::{SoapResponse, UnknownStats, XmlValue, decode_with};

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
    match RESPONSES.binary_search_by(|(n, _)| (*n).cmp(operation)) {
        Ok(i) => (RESPONSES[i].1)(bytes),
        Err(_) => {
            let mut d = decode_as::<Vec<Any>>(bytes, |r| r.vec())?;
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
    match decode_with::<T, AnyMethodFault>(bytes, read).map_err(Error::from)? {
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
