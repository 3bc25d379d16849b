//! Decode errors: where in the input (byte offset and element path) and what.

use std::fmt;

/// What went wrong while decoding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input is not well-formed XML (as reported by quick-xml), or is not UTF-8.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// A simple value does not parse as its XML Schema type.
    #[error("invalid {ty} value {value:?}")]
    InvalidValue {
        /// Schema type name, e.g. `xsd:int`.
        ty: &'static str,
        /// The offending text (shortened when very long).
        value: String,
    },
    /// The input ended inside an element.
    #[error("unexpected end of input")]
    UnexpectedEof,
    /// Well-formed XML that does not have the expected shape.
    #[error("{0}")]
    Unexpected(String),
}

/// An error decoding an XML document: the byte offset, the element path and the cause.
///
/// Boxed so that `Result<T, DecodeError>` stays small on the hot (success) path.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    offset: u64,
    /// Innermost element first: segments are pushed while unwinding.
    path: Vec<String>,
    kind: DecodeErrorKind,
}

/// Longest offending value kept in [`DecodeErrorKind::InvalidValue`].
const MAX_VALUE_LEN: usize = 120;

/// Path segments a message shows at each end of a longer path: a document
/// nested hundreds of levels deep still gives a message one can read.
const SHOWN_SEGMENTS: usize = 6;

impl DecodeError {
    /// An error at byte `offset` with an empty path.
    #[cold]
    pub fn new(offset: u64, kind: DecodeErrorKind) -> Self {
        DecodeError(Box::new(Inner {
            offset,
            path: Vec::new(),
            kind,
        }))
    }

    /// An [`DecodeErrorKind::InvalidValue`] error; long values are shortened.
    #[cold]
    pub fn invalid_value(offset: u64, ty: &'static str, value: &str) -> Self {
        let value = if value.len() > MAX_VALUE_LEN {
            let mut end = MAX_VALUE_LEN;
            while !value.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &value[..end])
        } else {
            value.to_owned()
        };
        Self::new(offset, DecodeErrorKind::InvalidValue { ty, value })
    }

    /// Prepends one element name to the path (called while unwinding recursion).
    #[cold]
    #[must_use]
    pub fn within(mut self, element: impl AsRef<[u8]>) -> Self {
        let name = String::from_utf8_lossy(element.as_ref());
        // Keep only the local name: prefixes vary between servers.
        let local = match name.rfind(':') {
            Some(i) => &name[i + 1..],
            None => &name,
        };
        self.0.path.push(local.to_owned());
        self
    }

    /// Byte offset in the input where the problem was detected.
    pub fn offset(&self) -> u64 {
        self.0.offset
    }

    /// Element path, outermost first: `/Envelope/Body/...`.
    pub fn path(&self) -> String {
        if self.0.path.is_empty() {
            return "/".to_owned();
        }
        let mut s = String::new();
        for seg in self.0.path.iter().rev() {
            s.push('/');
            s.push_str(seg);
        }
        s
    }

    /// The path segments, outermost first.
    pub fn path_segments(&self) -> impl Iterator<Item = &str> {
        self.0.path.iter().rev().map(String::as_str)
    }

    /// The cause.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0.kind
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XML decode error at byte {} in ", self.0.offset)?;
        let n = self.0.path.len();
        if n <= 2 * SHOWN_SEGMENTS + 1 {
            f.write_str(&self.path())?;
        } else {
            let segs: Vec<&str> = self.path_segments().collect();
            for seg in &segs[..SHOWN_SEGMENTS] {
                write!(f, "/{seg}")?;
            }
            write!(f, "/...({} more)...", n - 2 * SHOWN_SEGMENTS)?;
            for seg in &segs[n - SHOWN_SEGMENTS..] {
                write!(f, "/{seg}")?;
            }
        }
        write!(f, ": {}", self.0.kind)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("offset", &self.0.offset)
            .field("path", &self.path())
            .field("kind", &self.0.kind)
            .finish()
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_outermost_first_and_display_matches_contract() {
        let e = DecodeError::invalid_value(1234, "xsd:int", "abc")
            .within(b"y")
            .within("x")
            .within(b"soapenv:Body")
            .within("soapenv:Envelope");
        assert_eq!(e.path(), "/Envelope/Body/x/y");
        assert_eq!(e.offset(), 1234);
        assert_eq!(
            e.to_string(),
            "XML decode error at byte 1234 in /Envelope/Body/x/y: invalid xsd:int value \"abc\""
        );
        assert_eq!(
            e.path_segments().collect::<Vec<_>>(),
            ["Envelope", "Body", "x", "y"]
        );
        assert!(matches!(
            e.kind(),
            DecodeErrorKind::InvalidValue { ty: "xsd:int", .. }
        ));
    }

    #[test]
    fn empty_path_and_long_values() {
        let e = DecodeError::new(0, DecodeErrorKind::UnexpectedEof);
        assert_eq!(e.path(), "/");
        assert_eq!(
            e.to_string(),
            "XML decode error at byte 0 in /: unexpected end of input"
        );
        let long = "é".repeat(200);
        let e = DecodeError::invalid_value(5, "xsd:base64Binary", &long);
        match e.kind() {
            DecodeErrorKind::InvalidValue { value, .. } => {
                assert!(value.len() <= MAX_VALUE_LEN + "…".len());
                assert!(value.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_deep_path_is_shown_by_its_ends() {
        let mut e = DecodeError::new(9, DecodeErrorKind::UnexpectedEof).within("leaf");
        for _ in 0..300 {
            e = e.within("child");
        }
        let e = e.within("Body").within("Envelope");
        assert_eq!(e.path_segments().count(), 303, "the path itself is whole");
        assert_eq!(
            e.to_string(),
            "XML decode error at byte 9 in /Envelope/Body/child/child/child/child/...(291 more).../child/child/child/child/child/leaf: unexpected end of input"
        );
    }

    #[test]
    fn error_is_pointer_sized() {
        assert_eq!(
            std::mem::size_of::<DecodeError>(),
            std::mem::size_of::<usize>()
        );
    }
}
