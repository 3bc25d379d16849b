//! XML writer into a byte buffer, for request bodies.

use super::XmlValue;

/// Writes XML into a `Vec<u8>`. Names are written as given (callers pass
/// valid XML names); text and attribute values are escaped.
#[derive(Clone, Debug, Default)]
pub struct XmlWriter {
    buf: Vec<u8>,
}

impl XmlWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub(crate) fn buffer_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// `<name>`, or `<name xsi:type="T">` (the `xsi` prefix is declared on
    /// the request envelope).
    pub fn start(&mut self, name: &str, xsi_type: Option<&str>) {
        self.open(name, xsi_type);
        self.buf.push(b'>');
    }

    /// `<name attr_name="attr_value">` (a managed object reference's `type`).
    pub fn start_with_attr(&mut self, name: &str, attr_name: &str, attr_value: &str) {
        self.start_with_attrs(name, None, &[(attr_name, attr_value)]);
    }

    /// `<name xsi:type="T" a="v" ...>`: any number of attributes after an optional `xsi:type`.
    pub fn start_with_attrs(&mut self, name: &str, xsi_type: Option<&str>, attrs: &[(&str, &str)]) {
        self.open(name, xsi_type);
        for (k, v) in attrs {
            self.attr(k, v);
        }
        self.buf.push(b'>');
    }

    /// `</name>`.
    pub fn end(&mut self, name: &str) {
        self.buf.extend_from_slice(b"</");
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(b'>');
    }

    /// Escaped character data: `&`, `<`, `>` become entities and `\r` a
    /// character reference (a literal one would be read back as `\n`).
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.buf, text, false);
    }

    /// Raw XML, written as is.
    pub fn raw(&mut self, xml: &str) {
        self.buf.extend_from_slice(xml.as_bytes());
    }

    /// `<name>text</name>` with optional `xsi:type`: a simple-typed element.
    pub fn simple(&mut self, name: &str, xsi_type: Option<&str>, text: &str) {
        self.start(name, xsi_type);
        self.text(text);
        self.end(name);
    }

    /// A required field.
    #[inline]
    pub fn field<T: XmlValue>(&mut self, name: &str, value: &T) {
        value.encode(self, name, None);
    }

    /// An optional field: nothing for `None`.
    #[inline]
    pub fn opt_field<T: XmlValue>(&mut self, name: &str, value: &Option<T>) {
        if let Some(v) = value {
            v.encode(self, name, None);
        }
    }

    /// A repeated field: one element per item.
    #[inline]
    pub fn vec_field<T: XmlValue>(&mut self, name: &str, values: &[T]) {
        for v in values {
            v.encode(self, name, None);
        }
    }

    fn open(&mut self, name: &str, xsi_type: Option<&str>) {
        self.buf.push(b'<');
        self.buf.extend_from_slice(name.as_bytes());
        if let Some(t) = xsi_type {
            self.attr("xsi:type", t);
        }
    }

    fn attr(&mut self, name: &str, value: &str) {
        self.buf.push(b' ');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"=\"");
        escape_into(&mut self.buf, value, true);
        self.buf.push(b'"');
    }
}

/// Appends `s` escaped; in attributes also `"` and literal whitespace that
/// attribute-value normalization would turn into spaces.
fn escape_into(out: &mut Vec<u8>, s: &str, attribute: bool) {
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'"' if attribute => b"&quot;",
            b'\n' if attribute => b"&#10;",
            b'\t' if attribute => b"&#9;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[last..i]);
        out.extend_from_slice(rep);
        last = i + 1;
    }
    out.extend_from_slice(&bytes[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::XmlReader;

    fn s(w: &XmlWriter) -> &str {
        std::str::from_utf8(w.as_bytes()).unwrap()
    }

    #[test]
    fn escapes_text_and_attributes() {
        let mut w = XmlWriter::with_capacity(64);
        w.start_with_attrs("a", Some("T&<>\""), &[("type", "x\"&<>'\t\n\r")]);
        w.text("1 & 2 < 3 > 0 \"q\" 'a'\r\n");
        w.end("a");
        assert_eq!(
            s(&w),
            "<a xsi:type=\"T&amp;&lt;&gt;&quot;\" type=\"x&quot;&amp;&lt;&gt;'&#9;&#10;&#13;\">\
             1 &amp; 2 &lt; 3 &gt; 0 \"q\" 'a'&#13;\n</a>"
        );
        // And it reads back to the same values.
        let bytes = w.into_bytes();
        let mut r = XmlReader::new(&bytes);
        let a = r.root().unwrap();
        assert_eq!(
            r.attribute(&a, b"type").unwrap().as_deref(),
            Some("x\"&<>'\t\n\r")
        );
        assert_eq!(r.text(&a).unwrap(), "1 & 2 < 3 > 0 \"q\" 'a'\r\n");
    }

    #[test]
    fn fields() {
        let mut w = XmlWriter::new();
        w.start("o", None);
        w.field("n", &5i32);
        w.opt_field::<i32>("none", &None);
        w.opt_field("some", &Some("x".to_owned()));
        w.vec_field("r", &[true, false]);
        w.vec_field::<i32>("empty", &[]);
        w.start_with_attr("m", "type", "Folder");
        w.raw("group-d1");
        w.end("m");
        w.simple("e", Some("xsd:string"), "");
        w.end("o");
        assert_eq!(
            s(&w),
            "<o><n>5</n><some>x</some><r>true</r><r>false</r>\
             <m type=\"Folder\">group-d1</m><e xsi:type=\"xsd:string\"></e></o>"
        );
    }
}
