//! [`XmlValue`] for the XML Schema primitive types vim25 uses.

use std::io::Write as _;

use base64::Engine as _;
use chrono::{NaiveDateTime, SecondsFormat};
use quick_xml::events::BytesStart;

use super::{DecodeError, XmlReader, XmlValue, XmlWriter};

/// `xsd:dateTime`.
pub type DateTime = chrono::DateTime<chrono::FixedOffset>;

/// Standard alphabet, padding optional on input (some producers drop it).
const BASE64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

impl XmlValue for String {
    #[inline]
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        Ok(r.text(start)?.into_owned())
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        w.simple(name, xsi_type, self);
    }
}

impl XmlValue for compact_str::CompactString {
    #[inline]
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        // Borrowed text of up to 24 bytes goes inline with no allocation;
        // an owned (unescaped) text keeps its buffer.
        Ok(r.text(start)?.into())
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        w.simple(name, xsi_type, self);
    }
}

impl XmlValue for bool {
    #[inline]
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        let t = r.text(start)?;
        match t.trim_ascii() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(r.invalid_value(start, "xsd:boolean", &t)),
        }
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        w.simple(name, xsi_type, if *self { "true" } else { "false" });
    }
}

macro_rules! integer {
    ($($t:ty => $xsd:literal),*) => {$(
        impl XmlValue for $t {
            #[inline]
            fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
                let t = r.text(start)?;
                match t.trim_ascii().parse() {
                    Ok(v) => Ok(v),
                    Err(_) => Err(r.invalid_value(start, $xsd, &t)),
                }
            }

            fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
                w.start(name, xsi_type);
                let _ = write!(w.buffer_mut(), "{}", self);
                w.end(name);
            }
        }
    )*};
}

integer!(i8 => "xsd:byte", i16 => "xsd:short", i32 => "xsd:int", i64 => "xsd:long");

macro_rules! float {
    ($($t:ty => $xsd:literal),*) => {$(
        impl XmlValue for $t {
            #[inline]
            fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
                let t = r.text(start)?;
                // Rust also accepts "inf"/"infinity"/"nan" in any case, a
                // superset of XSD's INF, -INF and NaN.
                match t.trim_ascii().parse() {
                    Ok(v) => Ok(v),
                    Err(_) => Err(r.invalid_value(start, $xsd, &t)),
                }
            }

            fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
                w.start(name, xsi_type);
                let v = *self;
                if v.is_nan() {
                    w.raw("NaN");
                } else if v.is_infinite() {
                    w.raw(if v > 0.0 { "INF" } else { "-INF" });
                } else {
                    // Debug is the shortest text that parses back to the same
                    // value, with an exponent for very large or small numbers.
                    let _ = write!(w.buffer_mut(), "{:?}", v);
                }
                w.end(name);
            }
        }
    )*};
}

float!(f32 => "xsd:float", f64 => "xsd:double");

/// Parses `xsd:dateTime` leniently: RFC 3339 with or without fractional
/// seconds; without an offset the time is taken as UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime> {
    let s = s.trim_ascii();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc().fixed_offset())
}

/// Formats `xsd:dateTime` as RFC 3339: `Z` for a zero offset, and 0, 3, 6 or
/// 9 fraction digits, as few as keep all non-zero digits.
pub fn format_datetime(dt: &DateTime) -> String {
    dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl XmlValue for DateTime {
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        let t = r.text(start)?;
        parse_datetime(&t).ok_or_else(|| r.invalid_value(start, "xsd:dateTime", &t))
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        w.simple(name, xsi_type, &format_datetime(self));
    }
}

/// `xsd:base64Binary`. Whitespace (line breaks) inside the text is ignored.
impl XmlValue for Vec<u8> {
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        let t = r.text(start)?;
        let res = if t.bytes().any(|b| b.is_ascii_whitespace()) {
            let compact: Vec<u8> = t.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            BASE64.decode(compact)
        } else {
            BASE64.decode(t.as_bytes())
        };
        res.map_err(|_| r.invalid_value(start, "xsd:base64Binary", &t))
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        w.start(name, xsi_type);
        // The alphabet needs no escaping.
        w.raw(&BASE64.encode(self));
        w.end(name);
    }
}

/// Lets generated code box recursive fields.
impl<T: XmlValue> XmlValue for Box<T> {
    #[inline]
    fn decode<'a>(r: &mut XmlReader<'a>, start: &BytesStart<'a>) -> Result<Self, DecodeError> {
        T::decode(r, start).map(Box::new)
    }

    fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
        (**self).encode(w, name, xsi_type);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::DecodeErrorKind;

    /// Decodes the content of `<v>` in `doc`.
    fn dec<T: XmlValue>(doc: &str) -> Result<T, DecodeError> {
        let mut r = XmlReader::new(doc.as_bytes());
        let s = r.root()?;
        r.value(&s)
    }

    fn enc<T: XmlValue>(v: &T, xsi_type: Option<&str>) -> String {
        let mut w = XmlWriter::new();
        v.encode(&mut w, "v", xsi_type);
        String::from_utf8(w.into_bytes()).unwrap()
    }

    #[test]
    fn strings() {
        assert_eq!(dec::<String>("<v> a &amp; b </v>").unwrap(), " a & b ");
        assert_eq!(dec::<String>("<v/>").unwrap(), "");
        assert_eq!(enc(&"<&>".to_owned(), None), "<v>&lt;&amp;&gt;</v>");
        assert_eq!(
            enc(&"x".to_owned(), Some("xsd:string")),
            r#"<v xsi:type="xsd:string">x</v>"#
        );
    }

    #[test]
    fn booleans() {
        for (t, v) in [
            ("true", true),
            ("1", true),
            (" false ", false),
            ("0", false),
        ] {
            assert_eq!(dec::<bool>(&format!("<v>{t}</v>")).unwrap(), v);
        }
        let e = dec::<bool>("<v>yes</v>").unwrap_err();
        assert_eq!(
            e.kind(),
            &DecodeErrorKind::InvalidValue {
                ty: "xsd:boolean",
                value: "yes".into()
            }
        );
        assert_eq!(enc(&true, None), "<v>true</v>");
        assert_eq!(
            enc(&false, Some("xsd:boolean")),
            r#"<v xsi:type="xsd:boolean">false</v>"#
        );
    }

    #[test]
    fn integers() {
        assert_eq!(dec::<i32>("<v> -42\n</v>").unwrap(), -42);
        assert_eq!(dec::<i32>("<v>+7</v>").unwrap(), 7);
        assert_eq!(dec::<i64>("<v>9223372036854775807</v>").unwrap(), i64::MAX);
        assert_eq!(dec::<i8>("<v>-128</v>").unwrap(), -128);
        assert_eq!(dec::<i16>("<v>300</v>").unwrap(), 300);
        let e = dec::<i8>("<v>128</v>").unwrap_err();
        assert!(matches!(
            e.kind(),
            DecodeErrorKind::InvalidValue { ty: "xsd:byte", .. }
        ));
        let e = dec::<i32>("<v>abc</v>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "XML decode error at byte 0 in /: invalid xsd:int value \"abc\""
        );
        assert!(dec::<i32>("<v></v>").is_err());
        assert_eq!(enc(&-5i64, None), "<v>-5</v>");
        assert_eq!(
            enc(&7i32, Some("xsd:int")),
            r#"<v xsi:type="xsd:int">7</v>"#
        );
    }

    #[test]
    fn floats_round_trip_in_shortest_form() {
        for v in [0.1f64, 1.0, -2.5, 1e300, 5e-324, 123456.789, f64::MAX] {
            let s = enc(&v, None);
            assert_eq!(dec::<f64>(&s).unwrap(), v, "{s}");
        }
        assert_eq!(enc(&0.1f64, None), "<v>0.1</v>");
        assert_eq!(enc(&1.0f64, None), "<v>1.0</v>");
        assert_eq!(enc(&0.1f32, None), "<v>0.1</v>");
        assert_eq!(enc(&f64::INFINITY, None), "<v>INF</v>");
        assert_eq!(enc(&f64::NEG_INFINITY, None), "<v>-INF</v>");
        assert_eq!(enc(&f32::NAN, None), "<v>NaN</v>");
        assert_eq!(dec::<f64>("<v>INF</v>").unwrap(), f64::INFINITY);
        assert_eq!(dec::<f64>("<v>-INF</v>").unwrap(), f64::NEG_INFINITY);
        assert!(dec::<f64>("<v>NaN</v>").unwrap().is_nan());
        assert_eq!(dec::<f32>("<v>1.5E2</v>").unwrap(), 150.0);
        assert!(dec::<f64>("<v>1,5</v>").is_err());
    }

    #[test]
    fn datetimes() {
        let utc = |s: &str| parse_datetime(s).unwrap();
        let a = utc("2023-12-14T07:29:52Z");
        assert_eq!(a.offset().local_minus_utc(), 0);
        assert_eq!(a.timestamp(), 1_702_538_992);
        assert_eq!(format_datetime(&a), "2023-12-14T07:29:52Z");

        let b = utc("2023-12-14T07:29:52.123456Z");
        assert_eq!(b.timestamp_subsec_micros(), 123_456);
        assert_eq!(format_datetime(&b), "2023-12-14T07:29:52.123456Z");

        let c = utc("2023-12-14T07:29:52+02:00");
        assert_eq!(c.offset().local_minus_utc(), 7200);
        assert_eq!(c.timestamp(), 1_702_538_992 - 7200);
        assert_eq!(format_datetime(&c), "2023-12-14T07:29:52+02:00");

        let d = utc("2023-12-14T07:29:52");
        assert_eq!(d, a, "no offset means UTC");
        let e = utc("2023-12-14T07:29:52.5");
        assert_eq!(e.timestamp_subsec_millis(), 500);
        assert_eq!(format_datetime(&e), "2023-12-14T07:29:52.500Z");
        let f = utc("2023-12-14T07:29:52.123-05:30");
        assert_eq!(f.offset().local_minus_utc(), -(5 * 3600 + 1800));

        for bad in [
            "",
            "2023-12-14",
            "2023-13-14T07:29:52Z",
            "yesterday",
            "2023-12-14T07:29:52+2",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad}");
        }

        assert_eq!(
            dec::<DateTime>("<v>2023-12-14T07:29:52.123456Z</v>").unwrap(),
            b
        );
        let err = dec::<DateTime>("<v>2023-12-14 nope</v>").unwrap_err();
        assert!(matches!(
            err.kind(),
            DecodeErrorKind::InvalidValue {
                ty: "xsd:dateTime",
                ..
            }
        ));
        assert_eq!(enc(&c, None), "<v>2023-12-14T07:29:52+02:00</v>");
        assert_eq!(dec::<DateTime>(&enc(&f, None)).unwrap(), f);
    }

    #[test]
    fn base64() {
        assert_eq!(dec::<Vec<u8>>("<v>aGVsbG8=</v>").unwrap(), b"hello");
        assert_eq!(dec::<Vec<u8>>("<v>aGVs\n bG8=\r\n</v>").unwrap(), b"hello");
        assert_eq!(dec::<Vec<u8>>("<v>aGVsbG8</v>").unwrap(), b"hello");
        assert_eq!(dec::<Vec<u8>>("<v/>").unwrap(), b"");
        let e = dec::<Vec<u8>>("<v>a$b=</v>").unwrap_err();
        assert!(matches!(
            e.kind(),
            DecodeErrorKind::InvalidValue {
                ty: "xsd:base64Binary",
                ..
            }
        ));
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(dec::<Vec<u8>>(&enc(&bytes, None)).unwrap(), bytes);
        assert_eq!(enc(&b"hello".to_vec(), None), "<v>aGVsbG8=</v>");
    }

    #[test]
    fn boxes_delegate() {
        assert_eq!(*dec::<Box<i32>>("<v>3</v>").unwrap(), 3);
        assert_eq!(enc(&Box::new(3i32), None), "<v>3</v>");
    }
}
