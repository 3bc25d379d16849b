//! Glue between the XML runtime and the generated code: the `anyType` value,
//! polymorphic dispatch tables, calls through a [`RoundTripper`], and typed
//! property paths.

mod any;
mod call;
mod codec;
mod macros;
mod property;
mod response;

pub use any::{Any, FromAny, UnknownValue};
pub use call::{BoxFuture, Call, RoundTripper, SoapRequest, ret_one, ret_opt, ret_unit, ret_vec};
pub use codec::{DecodeFn, decode_array, decode_enum, decode_poly, encode_array, encode_text};
pub(crate) use macros::{
    any_arrays, any_enums, data_objects, from_any, inherits, poly_enum, wsdl_enum, xml_struct,
};
pub use property::PropertyPath;
pub use response::{Decoded, ResponseFn, decode_response, dyn_one, dyn_opt, dyn_unit, dyn_vec};
