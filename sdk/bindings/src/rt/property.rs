//! Typed property paths of managed objects, at every depth.

use super::any::{Any, FromAny};
use crate::error::Error;
use std::borrow::Cow;
use std::marker::PhantomData;

/// Deepest path a [`PropertyPath`] holds; vSphere's deepest useful paths
/// (`summary.config.product.apiVersion`) have four parts.
pub const MAX_DEPTH: usize = 8;

/// A property path (`"runtime"`, `"config.hardware.device"`) with the Rust type
/// of its value, so a value read through the PropertyCollector decodes to `T`.
///
/// The managed-object views have one constant per property
/// (`VirtualMachine::RUNTIME`); from there the generated accessors name the
/// fields below, so `VirtualMachine::RUNTIME.power_state()` is the typed path
/// `runtime.powerState` and a misspelt field does not compile. A path is
/// `Copy` and built in `const` context; its parts are `'static` strings.
///
/// ```
/// use vmomi_bindings::rt::PropertyPath;
/// use vmomi_bindings::types::{Any, VirtualMachinePowerState, VirtualMachineRuntimeInfo};
/// const NAME: PropertyPath<String> = PropertyPath::new("name");
/// assert_eq!(NAME.path(), "name");
/// assert_eq!(NAME.decode(Any::String("build-01".into())).unwrap(), "build-01");
/// assert!(NAME.decode(Any::Int(1)).is_err());
///
/// const RUNTIME: PropertyPath<VirtualMachineRuntimeInfo> = PropertyPath::new("runtime");
/// const POWER: PropertyPath<VirtualMachinePowerState> = RUNTIME.power_state();
/// assert_eq!(POWER.path(), "runtime.powerState");
/// assert!(POWER.is("runtime.powerState"));
/// ```
pub struct PropertyPath<T> {
    parts: [&'static str; MAX_DEPTH],
    len: u8,
    /// More parts were joined than [`MAX_DEPTH`]: [`check`](Self::check) refuses it.
    overflow: bool,
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
        write!(f, "PropertyPath({})", self.path())
    }
}

impl<T> std::fmt::Display for PropertyPath<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.parts().iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(p)?;
        }
        Ok(())
    }
}

impl<T> PropertyPath<T> {
    /// A path whose values have type `T` (`"name"`, or dotted: `"runtime.powerState"`).
    pub const fn new(path: &'static str) -> Self {
        let mut parts = [""; MAX_DEPTH];
        parts[0] = path;
        Self {
            parts,
            len: 1,
            overflow: false,
            _t: PhantomData,
        }
    }

    /// The path one field further down, whose values have type `U`. The
    /// generated accessors (`RUNTIME.power_state()`) call this with the
    /// field's wire name.
    pub const fn join<U>(self, field: &'static str) -> PropertyPath<U> {
        let mut parts = self.parts;
        let mut len = self.len;
        let mut overflow = self.overflow;
        if (len as usize) < MAX_DEPTH {
            parts[len as usize] = field;
            len += 1;
        } else {
            overflow = true;
        }
        PropertyPath {
            parts,
            len,
            overflow,
            _t: PhantomData,
        }
    }

    /// The parts of the path as they were joined.
    pub fn parts(&self) -> &[&'static str] {
        &self.parts[..self.len as usize]
    }

    /// The dotted path as the PropertyCollector expects it (borrowed when
    /// the path is one part).
    pub fn path(&self) -> Cow<'static, str> {
        match self.parts() {
            [one] => Cow::Borrowed(one),
            _ => Cow::Owned(self.to_string()),
        }
    }

    /// Whether `name` (a `DynamicProperty.name` or `PropertyChange.name` from
    /// the server) is this path, without building the dotted string.
    pub fn is(&self, name: &str) -> bool {
        let mut rest = name;
        for (i, p) in self.parts().iter().enumerate() {
            if i > 0 {
                match rest.strip_prefix('.') {
                    Some(r) => rest = r,
                    None => return false,
                }
            }
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    }

    /// Refuses a path deeper than [`MAX_DEPTH`] (it cannot be held whole).
    pub fn check(&self) -> Result<(), Error> {
        if self.overflow {
            return Err(Error::PathTooDeep {
                path: self.to_string(),
            });
        }
        Ok(())
    }
}

impl<T: FromAny> PropertyPath<T> {
    /// Converts a property value read from the server into `T`.
    pub fn decode(&self, value: Any) -> Result<T, Error> {
        T::from_any(value).map_err(|v| Error::PropertyType {
            path: self.path().into_owned(),
            expected: std::any::type_name::<T>(),
            found: v.type_name().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_paths_render_and_match() {
        const A: PropertyPath<u8> = PropertyPath::new("config");
        let p: PropertyPath<u8> = A.join::<u8>("hardware").join("device");
        assert_eq!(p.path(), "config.hardware.device");
        assert_eq!(p.parts(), ["config", "hardware", "device"]);
        assert!(p.is("config.hardware.device"));
        for other in [
            "config.hardware",
            "config.hardware.devices",
            "config.hardwaredevice",
            "",
        ] {
            assert!(!p.is(other), "{other}");
        }
        assert!(p.check().is_ok());
    }

    #[test]
    fn a_path_too_deep_is_refused_not_truncated_silently() {
        let mut p: PropertyPath<u8> = PropertyPath::new("a");
        for _ in 0..MAX_DEPTH {
            p = p.join("b");
        }
        let err = p.check().unwrap_err().to_string();
        assert!(err.contains("deeper than 8"), "{err}");
    }
}
