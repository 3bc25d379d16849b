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
