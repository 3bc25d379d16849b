//! Glue between the XML runtime and the generated code: the `anyType` value,
//! polymorphic dispatch tables, calls through a [`RoundTripper`], typed
//! property paths, the release tables with the request check ([`release`]), and
//! responses written as VI/JSON, vSphere's JSON encoding ([`vijson`]).

mod any;
mod call;
mod codec;
mod macros;
mod property;
pub mod release;
pub mod vijson;

pub use any::{Any, FromAny, UnknownValue};
pub use call::{
    BodyStream, BoxFuture, Call, RoundTripper, Service, SoapRequest, Streamed, pbm_ret_one,
    pbm_ret_opt, pbm_ret_unit, pbm_ret_vec, ret_one, ret_opt, ret_unit, ret_vec,
};
pub use codec::{DecodeFn, decode_array, decode_enum, encode_array, encode_text};
pub(crate) use macros::{
    any_arrays, any_enums, data_objects, from_any, poly_enum, property_paths, wsdl_enum,
};
// Used by the generated code of `vmomi-methods` too.
#[doc(hidden)]
pub use crate::{inherits, xml_struct};
pub use property::{MAX_DEPTH, PropertyPath};
pub use release::{Release, ReleaseViolation, check_request, check_request_at};

/// Longest base chain followed (guards against a cycle in the tables).
pub(crate) const MAX_CHAIN: usize = 32;

/// The chain of a type table's row `ty` and its bases, `ty` first, as far as
/// `base` (a row's base row, `None` at a root) leads and at most
/// [`MAX_CHAIN`] rows: `(rows, length)`.
pub(crate) fn base_chain(
    ty: usize,
    base: impl Fn(usize) -> Option<usize>,
) -> ([usize; MAX_CHAIN], usize) {
    let mut chain = [0usize; MAX_CHAIN];
    let mut len = 0;
    let mut cur = Some(ty);
    while let Some(t) = cur {
        if len == MAX_CHAIN {
            break;
        }
        chain[len] = t;
        len += 1;
        cur = base(t);
    }
    (chain, len)
}
