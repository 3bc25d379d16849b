//! Small non-generated helpers the generated code calls, kept here so that each
//! generated item stays a few lines long (compile time grows with code size).

use crate::xml::{BytesStart, DecodeError, XmlReader, XmlType, XmlValue, XmlWriter};

/// Decodes one value of a type chosen by name (the `anyType` tables).
pub type DecodeFn<T> =
    for<'a, 'b> fn(&'b mut XmlReader<'a>, &'b BytesStart<'a>) -> Result<T, DecodeError>;

/// Decodes an enum value; a value the bindings do not know is kept and counted.
pub fn decode_enum<'a, T: XmlType>(
    r: &mut XmlReader<'a>,
    s: &BytesStart<'a>,
    from_wire: fn(&str) -> T,
    is_unknown: fn(&T) -> bool,
) -> Result<T, DecodeError> {
    let text = r.text(s)?;
    let v = from_wire(&text);
    if is_unknown(&v) {
        r.unknown_enum_value(T::TYPE_NAME, &text);
    }
    Ok(v)
}

/// Writes `<name>text</name>`, with `xsi:type` when given.
pub fn encode_text(w: &mut XmlWriter, name: &str, text: &str, xsi_type: Option<&str>) {
    w.start(name, xsi_type);
    w.text(text);
    w.end(name);
}

/// Decodes the items of an `ArrayOf*` box (any item element name).
pub fn decode_array<'a, T: XmlValue>(
    r: &mut XmlReader<'a>,
    _s: &BytesStart<'a>,
) -> Result<Vec<T>, DecodeError> {
    let mut out = Vec::new();
    while let Some(c) = r.next_child()? {
        let v = T::decode(r, &c).map_err(|e| e.within(c.local_name().into_inner()))?;
        out.push(v);
    }
    Ok(out)
}

/// Writes an `ArrayOf*` box: `<name xsi:type="ArrayOfX"><item>..</item>..</name>`.
pub fn encode_array<T: XmlValue>(
    w: &mut XmlWriter,
    name: &str,
    box_name: &str,
    item_name: &str,
    items: &[T],
) {
    w.start(name, Some(box_name));
    for i in items {
        i.encode(w, item_name, None);
    }
    w.end(name);
}
