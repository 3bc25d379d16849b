//! Macros that expand the repetitive parts of the generated code. They keep the
//! generated files short and readable (one line per type or value) without
//! changing what is compiled.

/// `XmlType` and `XmlValue` for a generated struct.
#[doc(hidden)]
#[macro_export]
macro_rules! xml_struct {
    ($t:ident) => {
        impl $crate::xml::XmlType for $t {
            const TYPE_NAME: &'static str = stringify!($t);
        }
        impl $crate::xml::XmlValue for $t {
            fn decode<'a>(
                r: &mut $crate::xml::XmlReader<'a>,
                s: &$crate::xml::BytesStart<'a>,
            ) -> Result<Self, $crate::xml::DecodeError> {
                $crate::xml::decode_struct(r, s)
            }
            fn encode(&self, w: &mut $crate::xml::XmlWriter, name: &str, xsi_type: Option<&str>) {
                $crate::xml::encode_struct(w, name, self, xsi_type)
            }
        }
    };
}

/// `Deref`/`DerefMut` from a generated struct to its embedded base.
#[doc(hidden)]
#[macro_export]
macro_rules! inherits {
    ($t:ident => $b:ident) => {
        impl std::ops::Deref for $t {
            type Target = $b;
            fn deref(&self) -> &$b {
                &self.base
            }
        }
        impl std::ops::DerefMut for $t {
            fn deref_mut(&mut self) -> &mut $b {
                &mut self.base
            }
        }
    };
}

/// A WSDL enum: one variant per value plus `Unrecognized(String)`.
macro_rules! wsdl_enum {
    ($(#[$m:meta])* $t:ident { $($v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $t {
            $(#[doc = concat!("`", $s, "`")] $v,)*
            /// A value these bindings do not know (sent by a newer server).
            Unrecognized(String),
        }
        impl $t {
            /// Every value these bindings know, in WSDL order.
            pub const VALUES: &'static [&'static str] = &[$($s),*];
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$v => $s,)*
                    Self::Unrecognized(s) => s,
                }
            }
            /// Parses a wire string; unknown values are kept in `Unrecognized`.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $($s => Self::$v,)*
                    other => Self::Unrecognized(other.to_string()),
                }
            }
        }
        impl Default for $t {
            /// No value: `Unrecognized("")` (a required value the server left out).
            fn default() -> Self {
                Self::Unrecognized(String::new())
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl $crate::xml::XmlType for $t {
            const TYPE_NAME: &'static str = stringify!($t);
        }
        impl $crate::xml::XmlValue for $t {
            fn decode<'a>(
                r: &mut $crate::xml::XmlReader<'a>,
                s: &$crate::xml::BytesStart<'a>,
            ) -> Result<Self, $crate::xml::DecodeError> {
                $crate::rt::decode_enum(r, s, Self::from_wire, |v| matches!(v, Self::Unrecognized(_)))
            }
            fn encode(&self, w: &mut $crate::xml::XmlWriter, name: &str, xsi_type: Option<&str>) {
                $crate::rt::encode_text(w, name, self.as_str(), xsi_type)
            }
        }
    };
}

/// A polymorphic value: the declared base type or any subtype, by `xsi:type`.
/// Each entry is `Type [path to the base]`; entries are sorted by name.
macro_rules! poly_enum {
    ($(#[$m:meta])* $en:ident : $base:ident { $($t:ident [$($p:ident)*]),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $en {
            $(#[doc = concat!("`", stringify!($t), "`")] $t(Box<$t>),)+
        }
        impl Default for $en {
            fn default() -> Self {
                Self::$base(Box::default())
            }
        }
        impl $en {
            /// The WSDL name of the value's type.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$t(_) => stringify!($t),)+
                }
            }
            #[doc = concat!("The `", stringify!($base), "` part every variant shares.")]
            pub fn as_base(&self) -> &$base {
                match self {
                    $(Self::$t(v) => &(**v) $(.$p)*,)+
                }
            }
            #[doc = concat!("The `", stringify!($base), "` part, mutable.")]
            pub fn as_base_mut(&mut self) -> &mut $base {
                match self {
                    $(Self::$t(v) => &mut (**v) $(.$p)*,)+
                }
            }
        }
        impl std::ops::Deref for $en {
            type Target = $base;
            fn deref(&self) -> &$base {
                self.as_base()
            }
        }
        impl std::ops::DerefMut for $en {
            fn deref_mut(&mut self) -> &mut $base {
                self.as_base_mut()
            }
        }
        $(impl From<$t> for $en {
            fn from(v: $t) -> Self {
                Self::$t(Box::new(v))
            }
        })+
        impl $crate::xml::XmlValue for $en {
            /// Dispatches on `xsi:type` with a `match` (length checks first,
            /// few byte compares); an unknown or missing type decodes as the
            /// declared base, which records the unknown name.
            fn decode<'a>(
                r: &mut $crate::xml::XmlReader<'a>,
                s: &$crate::xml::BytesStart<'a>,
            ) -> Result<Self, $crate::xml::DecodeError> {
                Ok(match r.xsi_type(s)? {
                    $(Some(stringify!($t)) => Self::$t($crate::xml::decode_boxed(r, s)?),)+
                    _ => Self::$base($crate::xml::decode_boxed(r, s)?),
                })
            }
            fn encode(&self, w: &mut $crate::xml::XmlWriter, name: &str, xsi_type: Option<&str>) {
                match self {
                    $(Self::$t(v) => {
                        let t = if stringify!($t) == stringify!($base) { xsi_type } else { Some(stringify!($t)) };
                        $crate::xml::encode_struct(w, name, &**v, t)
                    })+
                }
            }
        }
    };
}

/// `DataObject`: every data object and fault, for `anyType` values.
macro_rules! data_objects {
    ($($t:ident),+ $(,)?) => {
        /// Any data object or fault, as carried by an `xsd:anyType` value.
        #[derive(Clone, Debug, PartialEq)]
        pub enum DataObject {
            $(#[doc = concat!("`", stringify!($t), "`")] $t(Box<$t>),)+
        }
        impl DataObject {
            /// The WSDL name of the value's type.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$t(_) => stringify!($t),)+
                }
            }
            /// Encodes the value with its `xsi:type`.
            pub fn encode(&self, w: &mut $crate::xml::XmlWriter, name: &str) {
                match self {
                    $(Self::$t(v) => $crate::xml::encode_struct(w, name, &**v, Some(stringify!($t))),)+
                }
            }
        }
        /// Decoders by WSDL name, sorted for binary search.
        pub(crate) static DATA_OBJECT_TYPES: &[(&str, $crate::rt::DecodeFn<DataObject>)] = &[
            $((stringify!($t), |r, s| Ok(DataObject::$t($crate::xml::decode_boxed(r, s)?)))),+
        ];
    };
}

/// `AnyEnum`: a value of any WSDL enum, for `anyType` values.
macro_rules! any_enums {
    ($($t:ident),+ $(,)?) => {
        /// A value of any WSDL enum, as carried by an `xsd:anyType` value.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum AnyEnum {
            $(#[doc = concat!("`", stringify!($t), "`")] $t($t),)+
        }
        impl AnyEnum {
            /// The WSDL name of the enum.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$t(_) => stringify!($t),)+
                }
            }
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$t(v) => v.as_str(),)+
                }
            }
        }
        /// Decoders by WSDL name, sorted for binary search.
        pub(crate) static ENUM_TYPES: &[(&str, $crate::rt::DecodeFn<AnyEnum>)] = &[
            $((stringify!($t), |r, s| Ok(AnyEnum::$t($crate::xml::XmlValue::decode(r, s)?)))),+
        ];
    };
}

/// `AnyArray`: the `ArrayOf*` boxes, for `anyType` values.
macro_rules! any_arrays {
    ($($t:ident($item:ty, $el:literal)),+ $(,)?) => {
        /// An `ArrayOf*` box, as carried by an `xsd:anyType` value.
        #[derive(Clone, Debug, PartialEq)]
        pub enum AnyArray {
            $(#[doc = concat!("`", stringify!($t), "`")] $t(Vec<$item>),)+
        }
        impl AnyArray {
            /// The WSDL name of the box.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Self::$t(_) => stringify!($t),)+
                }
            }
            /// Number of items.
            pub fn len(&self) -> usize {
                match self {
                    $(Self::$t(v) => v.len(),)+
                }
            }
            /// Whether the box is empty.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
            /// Encodes the box with its `xsi:type`.
            pub fn encode(&self, w: &mut $crate::xml::XmlWriter, name: &str) {
                match self {
                    $(Self::$t(v) => $crate::rt::encode_array(w, name, stringify!($t), $el, v),)+
                }
            }
        }
        /// Decoders by WSDL name, sorted for binary search.
        pub(crate) static ARRAY_TYPES: &[(&str, $crate::rt::DecodeFn<AnyArray>)] = &[
            $((stringify!($t), |r, s| Ok(AnyArray::$t($crate::rt::decode_array(r, s)?)))),+
        ];
    };
}

/// `FromAny` for a data object, a polymorphic enum (listing the data objects
/// it accepts), an enum, or a `Vec` (listing the boxes that carry it).
macro_rules! from_any {
    (data $t:ident) => {
        impl $crate::rt::FromAny for $t {
            fn from_any(v: $crate::rt::Any) -> Result<Self, $crate::rt::Any> {
                match v {
                    $crate::rt::Any::Data(DataObject::$t(x)) => Ok(*x),
                    other => Err(other),
                }
            }
        }
    };
    (poly $en:ident { $($t:ident),+ }) => {
        impl $crate::rt::FromAny for $en {
            fn from_any(v: $crate::rt::Any) -> Result<Self, $crate::rt::Any> {
                match v {
                    $($crate::rt::Any::Data(DataObject::$t(x)) => Ok(Self::$t(x)),)+
                    other => Err(other),
                }
            }
        }
    };
    (enum $t:ident) => {
        impl $crate::rt::FromAny for $t {
            fn from_any(v: $crate::rt::Any) -> Result<Self, $crate::rt::Any> {
                match v {
                    $crate::rt::Any::Enum(AnyEnum::$t(x)) => Ok(x),
                    other => Err(other),
                }
            }
        }
    };
    (vec $item:ty { $($b:ident),+ }) => {
        impl $crate::rt::FromAny for Vec<$item> {
            fn from_any(v: $crate::rt::Any) -> Result<Self, $crate::rt::Any> {
                match v {
                    $($crate::rt::Any::Array(AnyArray::$b(x)) => Ok(x),)+
                    other => Err(other),
                }
            }
        }
    };
}

/// Typed accessors one field down from a path: for `PropertyPath<Owner>`,
/// one `const fn` per field (inherited ones included) returning the path of
/// that field with the field's Rust type (`Vec<_>` for arrays; optional
/// fields unwrapped, as a property read gives `None` for an unset value).
macro_rules! property_paths {
    ($owner:ty { $($f:ident: $t:ty = $wire:literal),* $(,)? }) => {
        impl $crate::rt::PropertyPath<$owner> {
            $(
                #[doc = concat!("Field `", $wire, "`.")]
                pub const fn $f(self) -> $crate::rt::PropertyPath<$t> {
                    self.join($wire)
                }
            )*
        }
    };
}

pub(crate) use {
    any_arrays, any_enums, data_objects, from_any, poly_enum, property_paths, wsdl_enum,
};
