//! Typed property paths of managed objects.

use super::any::{Any, FromAny};
use crate::error::Error;
use std::marker::PhantomData;

/// A property path (`"runtime"`, `"config.hardware.device"`) with the Rust type
/// of its value, so a value read through the PropertyCollector decodes to `T`.
///
/// ```
/// use vmomi_bindings::rt::PropertyPath;
/// use vmomi_bindings::types::Any;
/// const NAME: PropertyPath<String> = PropertyPath::new("name");
/// assert_eq!(NAME.path(), "name");
/// assert_eq!(NAME.decode(Any::String("build-01".into())).unwrap(), "build-01");
/// assert!(NAME.decode(Any::Int(1)).is_err());
/// ```
pub struct PropertyPath<T> {
    path: &'static str,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for PropertyPath<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for PropertyPath<T> {}

impl<T> std::fmt::Debug for PropertyPath<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PropertyPath({})", self.path)
    }
}

impl<T> PropertyPath<T> {
    /// A path whose values have type `T`.
    pub const fn new(path: &'static str) -> Self {
        Self {
            path,
            _t: PhantomData,
        }
    }

    /// The dotted path as the PropertyCollector expects it.
    pub const fn path(&self) -> &'static str {
        self.path
    }
}

impl<T: FromAny> PropertyPath<T> {
    /// Converts a property value read from the server into `T`.
    pub fn decode(&self, value: Any) -> Result<T, Error> {
        T::from_any(value).map_err(|v| Error::PropertyType {
            path: self.path.to_string(),
            expected: std::any::type_name::<T>(),
            found: v.type_name().to_string(),
        })
    }
}
