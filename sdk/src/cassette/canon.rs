//! Canonical form of SOAP bodies, for matching replayed requests against
//! recorded ones and for explaining a miss.
//!
//! During replay a request is matched against the recorded requests by HTTP
//! method, path, SOAP operation and `_this` ([`request_info`]) and by its
//! [`canonical_body`]. The canonical form makes the comparison insensitive to
//! what differs between correct clients and between a request and its
//! scrubbed recording:
//!
//! * whitespace between elements, indentation and line breaks;
//! * namespace prefixes and declarations (`soapenv:` vs `s:`, `xsi:` vs
//!   `XMLSchema-instance:`), the XML declaration, comments and processing
//!   instructions;
//! * the order of attributes;
//! * the spelling of characters (`&lt;`, `&#60;` and `<![CDATA[<]]>` are the
//!   same text);
//! * the pseudonym of a scrubbed value: `(redacted)`, `(redacted-1)` and
//!   `(redacted-7)` are all `(redacted)`.
//!
//! Any other difference (a value, an element or attribute added or removed,
//! another `_this`, another `xsi:type`) remains, one element per line, so
//! that [`diff`] shows exactly the lines that differ and [`similarity`] can
//! pick the closest recorded request for an error message.
//!
//! ```
//! use vmomi::cassette::canon::{canonical_body, diff};
//!
//! let ours = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout></soapenv:Body></soapenv:Envelope>"#;
//! let theirs = br#"<?xml version="1.0"?>
//! <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
//!   <s:Body>
//!     <Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>
//!   </s:Body>
//! </s:Envelope>"#;
//! assert_eq!(canonical_body(ours), canonical_body(theirs));
//! assert_eq!(diff(&canonical_body(ours), &canonical_body(theirs)), "");
//! ```

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;
use quick_xml::{Reader, XmlVersion};
use similar::TextDiff;

/// The XML Schema instance namespace of `xsi:type` and `xsi:nil`.
const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Prefixes taken for the XML Schema instance namespace when a document uses
/// them without declaring them (`xsi` by convention, `XMLSchema-instance` as
/// written by vcsim).
const XSI_PREFIXES: [&str; 2] = ["xsi", "XMLSchema-instance"];

/// The canonical scrub marker; every `(redacted…)` value is rendered so.
const REDACTED: &str = "(redacted)";

/// Lines of context around each hunk of [`diff`].
const CONTEXT_LINES: usize = 3;

/// Renders an XML document in a canonical, line-oriented form: two documents
/// that differ only in formatting, namespace prefixes, attribute order,
/// character escaping or scrub pseudonyms give the same string.
///
/// The rendering has one element per line, indented by two spaces per depth
/// (at most 64 levels of indentation),
/// every line ending in `\n`:
///
/// * elements by local name (`soapenv:Envelope` is `Envelope`); a leaf is
///   one line, `<name attr="v">text</name>`, an element without content is
///   `<name/>`, an element with children opens with `<name attr="v">` and
///   closes with `</name>` on their own lines;
/// * attributes sorted by local name; namespace declarations (`xmlns`,
///   `xmlns:*`) dropped; attributes of the XML Schema instance namespace, by
///   whatever prefix (`xsi:`, vcsim's `XMLSchema-instance:`), are written
///   `xsi:name`, and the value of `xsi:type` loses its prefix (`xsd:string`
///   is `string`). Plain attributes, such as the `type` of a
///   ManagedObjectReference, stay `name="value"`; attributes of another
///   namespace are written `{namespace}name`;
/// * text trimmed, whitespace-only text dropped, character and entity
///   references and CDATA sections decoded, then escaped again minimally for
///   display (`&amp;`, `&lt;`, and `&#10;`, `&#13;`, `&#9;` so that a value
///   stays on its line); text mixed with child elements gets lines of its
///   own;
/// * a text or attribute value that starts with `(redacted` (the scrub
///   markers `(redacted)`, `(redacted-3)`, ...) becomes `(redacted)`, and a
///   pseudonym `(redacted-N)` inside a longer value becomes `(redacted)`;
/// * the XML declaration, comments and processing instructions dropped.
///
/// The function never panics. Input that is not UTF-8 is decoded lossily.
/// When the XML is malformed (including a document cut short, with elements
/// still open), the rendering of what parsed is followed by a line
/// `!malformed at byte N: <message>` and then the raw rest of the input from
/// byte `N` (a position in the lossily decoded text, which is the input
/// position for UTF-8 input), so that two identical malformed bodies still
/// compare equal while different ones do not. Empty input gives an empty
/// string.
///
/// # Example
///
/// ```
/// use vmomi::cassette::canon::canonical_body;
///
/// let body = br#"<?xml version="1.0" encoding="UTF-8"?>
/// <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
///   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
/// <soapenv:Body><Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>
/// <userName>u</userName><password>(redacted-1)</password></Login></soapenv:Body>
/// </soapenv:Envelope>"#;
/// assert_eq!(
///     canonical_body(body),
///     "<Envelope>
///   <Body>
///     <Login>
///       <_this type=\"SessionManager\">SessionManager</_this>
///       <userName>u</userName>
///       <password>(redacted)</password>
///     </Login>
///   </Body>
/// </Envelope>
/// "
/// );
///
/// // Cut short: what parsed, then where and why it stopped, then the rest.
/// assert_eq!(
///     canonical_body(b"<a><b x=\"1\">te<c"),
///     "<a>\n  <b x=\"1\">\n    te\n!malformed at byte 14: syntax error: tag not closed: `>` not found before end of input\n<c\n"
/// );
/// ```
pub fn canonical_body(xml: &[u8]) -> String {
    if xml.is_empty() {
        return String::new();
    }
    let text = String::from_utf8_lossy(xml);
    Canonicalizer::default().run(&text)
}

/// The SOAP operation of a request and the managed object it is called on,
/// as found by [`request_info`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SoapRequestInfo {
    /// Local name of the first child element of `Envelope/Body`, e.g.
    /// `"Login"`; `None` when the body is not a SOAP envelope, the Body is
    /// empty, or the XML is malformed before that element.
    pub operation: Option<String>,
    /// The `_this` child of the operation element: its `type` attribute
    /// (empty when absent) and its text, trimmed, with character references
    /// decoded, e.g. `("SessionManager", "SessionManager")`; `None` when
    /// there is no complete `_this` element.
    pub this: Option<(String, String)>,
}

/// Finds the SOAP operation of a request body and its `_this` managed object
/// reference (see [`SoapRequestInfo`]).
///
/// Elements are matched by local name, whatever their prefix; the document
/// element must be `Envelope`. The function never panics: on malformed or
/// truncated XML it returns what it found before the error (a `_this` only
/// if its end tag was read). Input that is not UTF-8 is decoded lossily.
///
/// # Example
///
/// ```
/// use vmomi::cassette::canon::{SoapRequestInfo, request_info};
///
/// let body = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>Datacenter</type><recursive>true</recursive></CreateContainerView></soapenv:Body></soapenv:Envelope>"#;
/// assert_eq!(
///     request_info(body),
///     SoapRequestInfo {
///         operation: Some("CreateContainerView".into()),
///         this: Some(("ViewManager".into(), "ViewManager".into())),
///     }
/// );
/// assert_eq!(request_info(b"not xml"), SoapRequestInfo::default());
/// ```
pub fn request_info(xml: &[u8]) -> SoapRequestInfo {
    let text = String::from_utf8_lossy(xml);
    let mut info = SoapRequestInfo::default();
    let _ = scan_request(&text, &mut info);
    info
}

/// Walks `Envelope/Body/<operation>/_this`, filling `info` as it goes.
/// Returns `None` where it stops early (not SOAP, malformed, done).
fn scan_request(text: &str, info: &mut SoapRequestInfo) -> Option<()> {
    let mut reader = Reader::from_str(text);
    // Number of open elements: Envelope is at depth 1 once opened, Body 2,
    // the operation 3 and `_this` 4.
    let mut depth = 0usize;
    let mut in_body = false;
    let mut in_operation = false;
    // (type, text) of the `_this` element being read.
    let mut this: Option<(String, String)> = None;
    loop {
        let event = reader.read_event().ok()?;
        let (start, is_empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.local_name();
            let name = name.as_ref();
            match depth {
                0 if name != "Envelope" => return None,
                1 if name == "Body" && !is_empty => in_body = true,
                1 if name == "Body" => return None,
                2 if in_body => {
                    info.operation = Some(name.to_owned());
                    if is_empty {
                        return None;
                    }
                    in_operation = true;
                }
                3 if in_operation && name == "_this" && info.this.is_none() => {
                    let ty = match e.try_get_attribute("type").ok()? {
                        Some(attr) => attr
                            .normalized_value(XmlVersion::Implicit1_0)
                            .ok()?
                            .into_owned(),
                        None => String::new(),
                    };
                    if is_empty {
                        info.this = Some((ty, String::new()));
                    } else {
                        this = Some((ty, String::new()));
                    }
                }
                _ => {}
            }
            if !is_empty {
                depth += 1;
            }
            continue;
        }
        match event {
            Event::End(_) => {
                depth = depth.checked_sub(1)?;
                match depth {
                    // `_this` closed.
                    3 if in_operation => {
                        if let Some((ty, value)) = this.take() {
                            info.this = Some((ty, trim_xml(&value).to_owned()));
                        }
                    }
                    // The operation (or an empty Body) closed: nothing more to find.
                    2 | 1 if in_body => return None,
                    _ => {}
                }
            }
            Event::Text(t) if depth == 4 => {
                if let Some((_, value)) = this.as_mut() {
                    value.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if depth == 4 => {
                if let Some((_, value)) = this.as_mut() {
                    value.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if depth == 4 => {
                if let Some((_, value)) = this.as_mut() {
                    push_reference(value, &r).ok()?;
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// A unified line diff of two canonical bodies (see [`canonical_body`]):
/// headed `--- recorded` / `+++ request`, hunks with 3 lines of context,
/// lines prefixed `-` (only in `recorded`), `+` (only in `actual`) or a
/// space. Equal inputs give an empty string.
///
/// A missing final newline is supplied before comparing, so the output is
/// always made of whole lines (canonical bodies end in a newline anyway).
///
/// # Example
///
/// ```
/// use vmomi::cassette::canon::{canonical_body, diff};
///
/// let recorded = canonical_body(b"<Fetch><_this type=\"ServiceInstance\">ServiceInstance</_this><prop>content</prop></Fetch>");
/// let actual = canonical_body(b"<Fetch><_this type=\"ServiceInstance\">ServiceInstance</_this><prop>about</prop></Fetch>");
/// assert_eq!(
///     diff(&recorded, &actual),
///     "--- recorded
/// +++ request
/// @@ -1,4 +1,4 @@
///  <Fetch>
///    <_this type=\"ServiceInstance\">ServiceInstance</_this>
/// -  <prop>content</prop>
/// +  <prop>about</prop>
///  </Fetch>
/// "
/// );
/// assert_eq!(diff(&recorded, &recorded), "");
/// ```
pub fn diff(recorded: &str, actual: &str) -> String {
    if recorded == actual {
        return String::new();
    }
    let recorded = with_final_newline(recorded);
    let actual = with_final_newline(actual);
    TextDiff::from_lines(recorded.as_ref(), actual.as_ref())
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header("recorded", "request")
        .to_string()
}

/// How alike two canonical bodies are, from `0.0` (no line in common) to
/// `1.0` (equal), by the ratio of matching lines; for picking the closest
/// recorded request when none matches.
///
/// # Example
///
/// ```
/// use vmomi::cassette::canon::{canonical_body, similarity};
///
/// let a = canonical_body(b"<Login><userName>u</userName><password>(redacted)</password></Login>");
/// let b = canonical_body(b"<Login><userName>v</userName><password>(redacted)</password></Login>");
/// let c = canonical_body(b"<Logout/>");
/// assert_eq!(similarity(&a, &a), 1.0);
/// assert!(similarity(&a, &b) > similarity(&a, &c));
/// assert_eq!(similarity(&a, &c), 0.0);
/// ```
pub fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    TextDiff::from_lines(a, b).ratio().clamp(0.0, 1.0)
}

fn with_final_newline(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_empty() || s.ends_with('\n') {
        s.into()
    } else {
        format!("{s}\n").into()
    }
}

/// An element whose start tag was read and whose end tag was not yet.
struct Frame {
    /// Local name.
    name: String,
    /// Name and rendered attributes: `name a="1" xsi:type="T"`.
    head: String,
    /// Whether the `<head>` line was written (the element has a child).
    opened: bool,
    /// Decoded text read since the start tag or the last child.
    text: String,
}

/// The state of one [`canonical_body`] rendering.
#[derive(Default)]
struct Canonicalizer {
    out: String,
    stack: Vec<Frame>,
    /// Decoded text outside of the document element.
    outer_text: String,
}

impl Canonicalizer {
    fn run(mut self, src: &str) -> String {
        let mut reader = NsReader::from_str(src);
        loop {
            let event_start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    return self.malformed(src, at.max(event_start), &e.to_string());
                }
            };
            let step = match event {
                Event::Start(e) => head(&reader, &e).map(|head| {
                    self.before_child();
                    self.stack.push(Frame {
                        name: e.local_name().as_ref().to_owned(),
                        head,
                        opened: false,
                        text: String::new(),
                    });
                }),
                Event::Empty(e) => head(&reader, &e).map(|head| {
                    self.before_child();
                    self.line(self.stack.len(), &format!("<{head}/>"));
                }),
                Event::End(_) => self.end(),
                Event::Text(t) => {
                    self.text_mut().push_str(&t.xml10_content());
                    Ok(())
                }
                Event::CData(t) => {
                    self.text_mut().push_str(&t.xml10_content());
                    Ok(())
                }
                Event::GeneralRef(r) => push_reference(self.text_mut(), &r),
                Event::DocType(t) => {
                    self.before_child();
                    let doctype = format!("<!DOCTYPE {}>", escape(trim_xml(&t), false));
                    self.line(self.stack.len(), &doctype);
                    Ok(())
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => Ok(()),
                Event::Eof => {
                    return match self.stack.last() {
                        Some(open) => {
                            let message =
                                format!("unexpected end of input: `<{}>` is not closed", open.name);
                            self.malformed(src, src.len(), &message)
                        }
                        None => {
                            self.flush_outer_text();
                            self.out
                        }
                    };
                }
            };
            if let Err(message) = step {
                return self.malformed(src, event_start, &message);
            }
        }
    }

    /// The text buffer of the innermost open element.
    fn text_mut(&mut self) -> &mut String {
        match self.stack.last_mut() {
            Some(frame) => &mut frame.text,
            None => &mut self.outer_text,
        }
    }

    /// Writes `content` indented for `depth`, at most 64 levels deep: past
    /// that the output would grow with the square of the nesting (found by
    /// fuzzing: 100,000 nested elements made gigabytes).
    fn line(&mut self, depth: usize, content: &str) {
        for _ in 0..depth.min(64) {
            self.out.push_str("  ");
        }
        self.out.push_str(content);
        self.out.push('\n');
    }

    /// Before a child of the innermost open element: writes its start line
    /// if not yet written, then the text that came before the child.
    fn before_child(&mut self) {
        let depth = self.stack.len();
        let Some(frame) = self.stack.last_mut() else {
            self.flush_outer_text();
            return;
        };
        let head = (!frame.opened).then(|| format!("<{}>", frame.head));
        frame.opened = true;
        let text = text_line(&std::mem::take(&mut frame.text));
        if let Some(head) = head {
            self.line(depth - 1, &head);
        }
        if let Some(text) = text {
            self.line(depth, &text);
        }
    }

    fn flush_outer_text(&mut self) {
        if let Some(text) = text_line(&std::mem::take(&mut self.outer_text)) {
            self.line(0, &text);
        }
    }

    /// Closes the innermost open element.
    fn end(&mut self) -> Result<(), String> {
        let frame = self
            .stack
            .pop()
            .ok_or_else(|| "end tag without start tag".to_owned())?;
        let depth = self.stack.len();
        let text = text_line(&frame.text);
        if frame.opened {
            if let Some(text) = text {
                self.line(depth + 1, &text);
            }
            self.line(depth, &format!("</{}>", frame.name));
        } else {
            let leaf = match text {
                Some(text) => format!("<{}>{}</{}>", frame.head, text, frame.name),
                None => format!("<{}/>", frame.head),
            };
            self.line(depth, &leaf);
        }
        Ok(())
    }

    /// Ends the rendering at a parse error at byte `at` of `src`: what was
    /// read so far, the error line, then the raw rest of the input.
    fn malformed(mut self, src: &str, at: usize, message: &str) -> String {
        if self.stack.is_empty() {
            self.flush_outer_text();
        } else {
            // Only the innermost element may still be unwritten.
            self.before_child();
        }
        let mut at = at.min(src.len());
        while !src.is_char_boundary(at) {
            at -= 1;
        }
        let message = message.replace(['\r', '\n'], " ");
        self.out
            .push_str(&format!("!malformed at byte {at}: {message}\n"));
        let rest = &src[at..];
        if !rest.is_empty() {
            self.out.push_str(rest);
            if !rest.ends_with('\n') {
                self.out.push('\n');
            }
        }
        self.out
    }
}

/// How one attribute is written, and sorted.
struct RenderedAttr {
    local: String,
    key: String,
    value: String,
}

/// Renders the local name and the attributes of a start tag: `name a="1"`.
fn head(reader: &NsReader<&[u8]>, e: &BytesStart<'_>) -> Result<String, String> {
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("invalid attribute: {err}"))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| format!("invalid attribute value: {err}"))?;
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let local = local.as_ref();
        let prefix = attr.key.prefix();
        let is_xsi = match &resolved {
            ResolveResult::Bound(Namespace(ns)) => *ns == XSI_NAMESPACE,
            ResolveResult::Unknown(p) => XSI_PREFIXES.contains(&p.as_str()),
            ResolveResult::Unbound => false,
        };
        let (key, value) = if is_xsi {
            let value = if local == "type" {
                // A QName: keep its local part.
                let value = trim_xml(&value);
                value.rsplit(':').next().unwrap_or(value).to_owned()
            } else {
                canonical_value(&value)
            };
            (format!("xsi:{local}"), value)
        } else {
            let key = match (prefix, &resolved) {
                (None, _) => local.to_owned(),
                (Some(p), _) if p.as_ref() == "xml" => format!("xml:{local}"),
                (Some(_), ResolveResult::Bound(Namespace(ns))) => format!("{{{ns}}}{local}"),
                // An undeclared prefix: written as it is.
                (Some(p), _) => format!("{}:{local}", p.as_ref()),
            };
            (key, canonical_value(&value))
        };
        attrs.push(RenderedAttr {
            local: local.to_owned(),
            key,
            value,
        });
    }
    attrs.sort_by(|a, b| {
        (a.local.as_str(), a.key.as_str(), a.value.as_str()).cmp(&(
            b.local.as_str(),
            b.key.as_str(),
            b.value.as_str(),
        ))
    });
    let mut out = e.local_name().as_ref().to_owned();
    for attr in attrs {
        out.push(' ');
        out.push_str(&attr.key);
        out.push_str("=\"");
        out.push_str(&escape(&attr.value, true));
        out.push('"');
    }
    Ok(out)
}

/// Appends the text a general reference stands for: a character reference
/// or one of the five predefined entities; anything else is an error.
fn push_reference(text: &mut String, r: &BytesRef<'_>) -> Result<(), String> {
    let name: &str = r;
    if r.is_char_ref() {
        match r.resolve_char_ref() {
            Ok(Some(c)) => text.push(c),
            Ok(None) => return Err(format!("invalid character reference `&{name};`")),
            Err(err) => return Err(format!("invalid character reference `&{name};`: {err}")),
        }
    } else {
        match quick_xml::escape::resolve_predefined_entity(name) {
            Some(s) => text.push_str(s),
            None => return Err(format!("undefined entity `&{name};`")),
        }
    }
    Ok(())
}

/// The canonical line of a decoded text: trimmed, scrub markers unified,
/// escaped; `None` when only whitespace.
fn text_line(decoded: &str) -> Option<String> {
    let text = trim_xml(decoded);
    (!text.is_empty()).then(|| escape(&canonical_value(text), false))
}

/// Unifies scrub markers: a value starting with `(redacted` is `(redacted)`,
/// and a pseudonym `(redacted-N)` inside a value becomes `(redacted)`.
fn canonical_value(value: &str) -> String {
    const PSEUDONYM: &str = "(redacted-";
    if value.starts_with("(redacted") {
        return REDACTED.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find(PSEUDONYM) {
        let after = &rest[at + PSEUDONYM.len()..];
        let id_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if id_len > 0 && after[id_len..].starts_with(')') {
            out.push_str(&rest[..at]);
            out.push_str(REDACTED);
            rest = &after[id_len + 1..];
        } else {
            out.push_str(&rest[..at + PSEUDONYM.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Trims XML whitespace (space, tab, CR, LF).
fn trim_xml(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

/// Minimal escaping for display: `&` and `<` (and `"` in attribute values),
/// and the line-breaking characters as character references so that every
/// element stays on one line.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Login as our client writes it.
    const LOGIN_OURS: &str = r#"<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>u</userName><password>(redacted)</password></Login></soapenv:Body></soapenv:Envelope>"#;

    /// Login as pyVmomi writes it (basic_connection_bad_password.yaml, an
    /// older pyVmomi without `versionId`), user renamed and password scrubbed
    /// under a pseudonym.
    const LOGIN_PYVMOMI: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<soapenv:Body><Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>u</userName><password>(redacted-1)</password></Login></soapenv:Body>\n</soapenv:Envelope>";

    const LOGIN_CANONICAL: &str = "\
<Envelope>
  <Body>
    <Login>
      <_this type=\"SessionManager\">SessionManager</_this>
      <userName>u</userName>
      <password>(redacted)</password>
    </Login>
  </Body>
</Envelope>
";

    /// A request of a newer pyVmomi, verbatim from
    /// basic_container_view.yaml (vcrpy's folded scalar unfolded).
    const CREATE_CONTAINER_VIEW: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n<soapenv:Body><CreateContainerView xmlns=\"urn:vim25\"><_this versionId=\"8.0.2.0\" type=\"ViewManager\">ViewManager</_this><container versionId=\"8.0.2.0\" type=\"Folder\">group-d1</container><type>Datacenter</type><recursive versionId=\"8.0.2.0\">true</recursive></CreateContainerView></soapenv:Body>\n</soapenv:Envelope>";

    fn canon(s: &str) -> String {
        canonical_body(s.as_bytes())
    }

    /// The `-` and `+` lines of a diff, without the `---`/`+++` header.
    fn changed_lines(d: &str) -> Vec<&str> {
        d.lines()
            .filter(|l| {
                (l.starts_with('-') || l.starts_with('+'))
                    && !l.starts_with("--- ")
                    && !l.starts_with("+++ ")
            })
            .collect()
    }

    #[test]
    fn login_of_two_clients_is_equal() {
        assert_eq!(canon(LOGIN_OURS), LOGIN_CANONICAL);
        assert_eq!(canon(LOGIN_PYVMOMI), LOGIN_CANONICAL);
        assert_eq!(diff(&canon(LOGIN_OURS), &canon(LOGIN_PYVMOMI)), "");
        assert_eq!(similarity(&canon(LOGIN_OURS), &canon(LOGIN_PYVMOMI)), 1.0);
    }

    #[test]
    fn real_pyvmomi_request_renders_every_attribute() {
        assert_eq!(
            canon(CREATE_CONTAINER_VIEW),
            "\
<Envelope>
  <Body>
    <CreateContainerView>
      <_this type=\"ViewManager\" versionId=\"8.0.2.0\">ViewManager</_this>
      <container type=\"Folder\" versionId=\"8.0.2.0\">group-d1</container>
      <type>Datacenter</type>
      <recursive versionId=\"8.0.2.0\">true</recursive>
    </CreateContainerView>
  </Body>
</Envelope>
"
        );
    }

    #[test]
    fn formatting_prefixes_and_attribute_order_do_not_matter() {
        let a = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body><RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="Folder" b="2" a="1">group-d1</obj><skip>false</skip><selectSet xsi:type="TraversalSpec"><name>visitFolders</name></selectSet></objectSet></specSet><options><maxObjects xsi:type="xsd:int">100</maxObjects></options></RetrievePropertiesEx></soapenv:Body></soapenv:Envelope>"#;
        let b = r#"<?xml version="1.0"?>
<!-- recorded by another client -->
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
  <S:Body>
    <vim:RetrievePropertiesEx xmlns:vim="urn:vim25" xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance">
      <vim:_this type="PropertyCollector">propertyCollector</vim:_this>
      <vim:specSet>
        <vim:propSet>
          <vim:type>VirtualMachine</vim:type>
          <vim:pathSet> name </vim:pathSet>
        </vim:propSet>
        <vim:objectSet>
          <vim:obj a="1" type='Folder' b="2">group-&#100;1</vim:obj>
          <vim:skip>false</vim:skip>
          <vim:selectSet XMLSchema-instance:type="vim:TraversalSpec">
            <vim:name>visitFolders</vim:name>
          </vim:selectSet>
        </vim:objectSet>
      </vim:specSet>
      <vim:options><vim:maxObjects XMLSchema-instance:type="int">100</vim:maxObjects></vim:options>
    </vim:RetrievePropertiesEx>
  </S:Body>
</S:Envelope>
"#;
        let expected = "\
<Envelope>
  <Body>
    <RetrievePropertiesEx>
      <_this type=\"PropertyCollector\">propertyCollector</_this>
      <specSet>
        <propSet>
          <type>VirtualMachine</type>
          <pathSet>name</pathSet>
        </propSet>
        <objectSet>
          <obj a=\"1\" b=\"2\" type=\"Folder\">group-d1</obj>
          <skip>false</skip>
          <selectSet xsi:type=\"TraversalSpec\">
            <name>visitFolders</name>
          </selectSet>
        </objectSet>
      </specSet>
      <options>
        <maxObjects xsi:type=\"int\">100</maxObjects>
      </options>
    </RetrievePropertiesEx>
  </Body>
</Envelope>
";
        assert_eq!(canon(a), expected);
        assert_eq!(canon(b), expected);
    }

    #[test]
    fn xsi_type_is_not_the_plain_type_attribute() {
        let plain = canon(r#"<val type="UserSession">x</val>"#);
        let xsi = canon(
            r#"<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="UserSession">x</val>"#,
        );
        // Undeclared, as some writers leave it.
        let undeclared = canon(r#"<val XMLSchema-instance:type="UserSession">x</val>"#);
        // Another namespace that happens to use the name `type`.
        let other = canon(r#"<val xmlns:o="urn:not-xsi" o:type="UserSession">x</val>"#);
        assert_eq!(plain, "<val type=\"UserSession\">x</val>\n");
        assert_eq!(xsi, "<val xsi:type=\"UserSession\">x</val>\n");
        assert_eq!(undeclared, xsi);
        assert_eq!(other, "<val {urn:not-xsi}type=\"UserSession\">x</val>\n");
        // Both on one element: sorted by local name, then by key.
        assert_eq!(
            canon(
                r#"<obj xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ManagedObjectReference" type="Folder" xsi:nil="false">group-d1</obj>"#
            ),
            "<obj xsi:nil=\"false\" type=\"Folder\" xsi:type=\"ManagedObjectReference\">group-d1</obj>\n"
        );
    }

    #[test]
    fn text_is_decoded_trimmed_and_escaped_again() {
        let a = canon("<v>a &lt; b &amp;&amp; c &gt; d</v>");
        let b = canon("<v>\n  a &#60; b &#x26;&amp; c > d\n</v>");
        let c = canon("<v><![CDATA[a < b && c > d]]></v>");
        assert_eq!(a, "<v>a &lt; b &amp;&amp; c > d</v>\n");
        assert_eq!(b, a);
        assert_eq!(c, a);
        // Empty and whitespace-only elements are the same.
        assert_eq!(
            canon("<a><b></b><c/><d>  \n </d></a>"),
            "<a>\n  <b/>\n  <c/>\n  <d/>\n</a>\n"
        );
        // Line breaks inside a value stay on the element's line.
        assert_eq!(canon("<v>one\r\ntwo</v>"), "<v>one&#10;two</v>\n");
        // Attribute values are normalised as XML says, and escaped for display.
        assert_eq!(
            canon("<v a=\"x&quot;y\tz&#10;\" b='&lt;'/>"),
            "<v a=\"x&quot;y z&#10;\" b=\"&lt;\"/>\n"
        );
        // Mixed content: the text gets lines of its own.
        assert_eq!(
            canon("<p>before<b>bold</b> after </p>"),
            "<p>\n  before\n  <b>bold</b>\n  after\n</p>\n"
        );
        // Comments and processing instructions inside elements are dropped.
        assert_eq!(canon("<v>a<!-- c --><?pi x?></v>"), canon("<v>a</v>"));
    }

    #[test]
    fn scrubbed_values_compare_equal_whatever_the_pseudonym() {
        let expected = "<a>\n  <p>(redacted)</p>\n  <q k=\"(redacted)\"/>\n  <m>user (redacted) denied</m>\n</a>\n";
        for (p, k, m) in [
            ("(redacted)", "(redacted)", "(redacted)"),
            ("(redacted-1)", "(redacted-2)", "(redacted-17)"),
            ("  (redacted-3)\n", "(redacted-x)", "(redacted)"),
        ] {
            let body = format!("<a><p>{p}</p><q k=\"{k}\"/><m>user {m} denied</m></a>");
            assert_eq!(canon(&body), expected, "{body}");
        }
        // A value that only looks alike is kept.
        assert_eq!(
            canon("<m>x(redacted-)y (redacted-1 z</m>"),
            "<m>x(redacted-)y (redacted-1 z</m>\n"
        );
        // And a real value differs from a scrubbed one.
        assert_ne!(canon("<p>secret</p>"), canon("<p>(redacted)</p>"));
    }

    #[test]
    fn real_differences_remain_and_diff_shows_exactly_them() {
        let base = canon(LOGIN_OURS);

        // A changed field value.
        let changed = canon(&LOGIN_OURS.replace("<userName>u<", "<userName>v<"));
        assert_ne!(changed, base);
        let d = diff(&base, &changed);
        assert!(d.starts_with("--- recorded\n+++ request\n@@ "), "{d}");
        assert_eq!(
            changed_lines(&d),
            [
                "-      <userName>u</userName>",
                "+      <userName>v</userName>"
            ]
        );
        assert_eq!(
            d,
            "\
--- recorded
+++ request
@@ -2,7 +2,7 @@
   <Body>
     <Login>
       <_this type=\"SessionManager\">SessionManager</_this>
-      <userName>u</userName>
+      <userName>v</userName>
       <password>(redacted)</password>
     </Login>
   </Body>
"
        );

        // An added element.
        let added = canon(&LOGIN_OURS.replace("</password>", "</password><locale>en</locale>"));
        assert_ne!(added, base);
        assert_eq!(
            changed_lines(&diff(&base, &added)),
            ["+      <locale>en</locale>"]
        );

        // A removed element, seen from the other side.
        assert_eq!(
            changed_lines(&diff(&added, &base)),
            ["-      <locale>en</locale>"]
        );

        // A changed `_this`.
        let this =
            canon(&LOGIN_OURS.replace(">SessionManager</_this>", ">SessionManager-2</_this>"));
        assert_ne!(this, base);
        assert_eq!(
            changed_lines(&diff(&base, &this)),
            [
                "-      <_this type=\"SessionManager\">SessionManager</_this>",
                "+      <_this type=\"SessionManager\">SessionManager-2</_this>"
            ]
        );

        // A changed `_this` type, and a changed xsi:type.
        let ty = canon(&LOGIN_OURS.replace("type=\"SessionManager\"", "type=\"Folder\""));
        assert_ne!(ty, base);
        assert_ne!(
            canon(
                r#"<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:int">1</v>"#
            ),
            canon(
                r#"<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:long">1</v>"#
            )
        );
        // An added attribute.
        assert_ne!(canon("<v>1</v>"), canon("<v a=\"\">1</v>"));

        // Similarity orders the candidates.
        assert!(similarity(&base, &changed) > similarity(&base, &canon(CREATE_CONTAINER_VIEW)));
        assert!(similarity(&base, &changed) < 1.0);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(diff("", ""), "");
        assert_eq!(changed_lines(&diff("", "<a/>\n")), ["+<a/>"]);
        // Inputs without a final newline still give whole lines.
        assert_eq!(
            diff("<a/>", "<b/>"),
            "--- recorded\n+++ request\n@@ -1 +1 @@\n-<a/>\n+<b/>\n"
        );
    }

    #[test]
    fn diff_has_three_lines_of_context() {
        let recorded: String = (0..20).map(|i| format!("<l{i}/>\n")).collect();
        let actual = recorded.replace("<l10/>", "<x/>");
        assert_eq!(
            diff(&recorded, &actual),
            "--- recorded\n+++ request\n@@ -8,7 +8,7 @@\n <l7/>\n <l8/>\n <l9/>\n-<l10/>\n+<x/>\n <l11/>\n <l12/>\n <l13/>\n"
        );
    }

    #[test]
    fn empty_and_non_xml_input() {
        assert_eq!(canonical_body(b""), "");
        assert_eq!(canonical_body(b"   \n"), "");
        assert_eq!(canonical_body(b"plain text"), "plain text\n");
        // Lossy decoding of bytes that are not UTF-8.
        assert_eq!(canonical_body(b"<a>\xff</a>"), "<a>\u{fffd}</a>\n");
        assert_eq!(
            canonical_body(b"<a>\xff</a>"),
            canonical_body(b"<a>\xfe</a>")
        );
    }

    #[test]
    fn malformed_bodies_render_what_parsed_and_the_rest() {
        let m = canon("<a><b>1</b><c>2</d></a>");
        assert_eq!(
            m,
            "<a>\n  <b>1</b>\n  <c>\n    2\n!malformed at byte 15: ill-formed document: expected `</c>`, but `</d>` was found\n</d></a>\n"
        );
        // Same malformed body, same rendering; another one, another rendering.
        assert_eq!(canon("<a><b>1</b><c>2</d></a>"), m);
        assert_ne!(canon("<a><b>1</b><c>2</d></a> "), m);
        assert_ne!(canon("<a><b>1</b><c>3</d></a>"), m);
        // Cut short.
        assert_eq!(
            canon("<a><b>1</b>"),
            "<a>\n  <b>1</b>\n!malformed at byte 11: unexpected end of input: `<a>` is not closed\n"
        );
        assert_ne!(canon("<a><b>1</b>"), canon("<a><b>1</b></a>"));
        // Undefined entity, bad character reference, dangling `&`, bad attribute.
        for (body, message) in [
            (
                "<a>x&nbsp;y</a>",
                "!malformed at byte 4: undefined entity `&nbsp;`",
            ),
            (
                "<a>&#0;</a>",
                "!malformed at byte 3: invalid character reference `&#0;`",
            ),
            (
                "<a>x & y</a>",
                "!malformed at byte 5: ill-formed document: entity or character reference not closed",
            ),
            (
                "<a b=\"1\" b=\"2\"/>",
                "!malformed at byte 0: invalid attribute",
            ),
            (
                "<a b=\"&nbsp;\"/>",
                "!malformed at byte 0: invalid attribute value",
            ),
            ("</a>", "!malformed at byte 0: "),
        ] {
            let out = canon(body);
            assert!(out.contains(message), "{body:?} -> {out:?}");
            assert!(
                out.lines().any(|l| l.starts_with("!malformed at byte ")),
                "{out}"
            );
        }
        // Non-ASCII before the error: the position is a char boundary.
        let out = canonical_body("<a>é</b>".as_bytes());
        assert!(out.contains("!malformed at byte 5: "), "{out}");
        assert!(out.ends_with("</b>\n"), "{out}");
    }

    #[test]
    fn request_info_of_requests() {
        let login = SoapRequestInfo {
            operation: Some("Login".into()),
            this: Some(("SessionManager".into(), "SessionManager".into())),
        };
        assert_eq!(request_info(LOGIN_OURS.as_bytes()), login);
        assert_eq!(request_info(LOGIN_PYVMOMI.as_bytes()), login);
        assert_eq!(
            request_info(CREATE_CONTAINER_VIEW.as_bytes()),
            SoapRequestInfo {
                operation: Some("CreateContainerView".into()),
                this: Some(("ViewManager".into(), "ViewManager".into())),
            }
        );
        // `_this` text with references and whitespace; a second `_this` is
        // ignored, and so is a SOAP Header.
        assert_eq!(
            request_info(
                b"<s:Envelope xmlns:s=\"x\"><s:Header/><s:Body>\n  <Fetch>\n    <_this type=\"ContainerView\"> session[1]&#x41;&amp; </_this><_this type=\"X\">y</_this>\n  </Fetch></s:Body></s:Envelope>"
            ),
            SoapRequestInfo {
                operation: Some("Fetch".into()),
                this: Some(("ContainerView".into(), "session[1]A&".into())),
            }
        );
        // No `_this`: the `_this` of a deeper element is not taken.
        assert_eq!(
            request_info(
                br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><spec><_this type="A">a</_this></spec></RetrieveServiceContent></soapenv:Body></soapenv:Envelope>"#
            ),
            SoapRequestInfo {
                operation: Some("RetrieveServiceContent".into()),
                this: None,
            }
        );
        // An empty operation element, an empty `_this`, one without a type.
        assert_eq!(
            request_info(b"<Envelope><Body><CurrentTime/></Body></Envelope>"),
            SoapRequestInfo {
                operation: Some("CurrentTime".into()),
                this: None,
            }
        );
        assert_eq!(
            request_info(b"<Envelope><Body><Op><_this/></Op></Body></Envelope>").this,
            Some((String::new(), String::new()))
        );
        assert_eq!(
            request_info(b"<Envelope><Body><Op><_this>x</_this></Op></Body></Envelope>").this,
            Some((String::new(), "x".into()))
        );
        // Empty Body, not an envelope, garbage.
        for garbage in [
            &b"<Envelope><Body></Body></Envelope>"[..],
            b"<Envelope><Body/></Envelope>",
            b"<Response><Body><Login/></Body></Response>",
            b"",
            b"not xml at all",
            b"<<<>>>&&&",
            b"\xff\xfe\x00<\x00E",
            b"<Envelope><Body><Login><_this type=\"Sess",
        ] {
            assert_eq!(request_info(garbage).this, None, "{garbage:?}");
        }
        assert_eq!(request_info(b"garbage").operation, None);
        // Cut inside `_this`: the operation, but no `_this`.
        assert_eq!(
            request_info(b"<Envelope><Body><Login><_this type=\"SessionManager\">Sess"),
            SoapRequestInfo {
                operation: Some("Login".into()),
                this: None,
            }
        );
    }

    /// The request bodies of the shared pyVmomi cassettes.
    fn shared_requests() -> Vec<String> {
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/cassettes/pyvmomi-vcrpy/"
        ));
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        names.sort();
        let mut bodies = Vec::new();
        for path in names {
            let cassette = crate::cassette::load_vcrpy(&path).unwrap_or_else(|e| panic!("{e}"));
            for interaction in crate::cassette::interactions(&cassette) {
                if let Some(body) = interaction.request_body {
                    bodies.push(body.to_owned());
                }
            }
        }
        bodies
    }

    #[test]
    fn shared_cassette_requests_canonicalise() {
        let bodies = shared_requests();
        assert!(bodies.len() >= 15, "{}", bodies.len());
        for body in &bodies {
            let c = canonical_body(body.as_bytes());
            assert!(c.starts_with("<Envelope>\n  <Body>\n"), "{c}");
            assert!(!c.contains("!malformed"), "{c}");
            let info = request_info(body.as_bytes());
            let operation = info.operation.expect(body);
            assert!(c.contains(&format!("\n    <{operation}")), "{c}");
            let (ty, value) = info.this.expect(body);
            assert!(!ty.is_empty() && !value.is_empty(), "{body}");
        }
    }

    #[test]
    fn no_truncation_of_a_real_request_panics() {
        let mut bodies = vec![
            LOGIN_OURS.to_owned(),
            LOGIN_PYVMOMI.to_owned(),
            CREATE_CONTAINER_VIEW.to_owned(),
            // Non-ASCII, so that some cuts fall inside a character.
            LOGIN_OURS.replace("<userName>u<", "<userName>ü&#x1F600;😀<"),
        ];
        bodies.extend(shared_requests());
        for body in &bodies {
            let bytes = body.as_bytes();
            let full = canonical_body(bytes);
            assert!(!full.contains("!malformed"), "{full}");
            // Where the document element starts (after the declaration).
            let root = body
                .match_indices('<')
                .map(|(i, _)| i)
                .find(|&i| !body[i + 1..].starts_with(['?', '!']))
                .unwrap();
            for cut in 0..bytes.len() {
                let prefix = &bytes[..cut];
                let c = canonical_body(prefix);
                let _ = request_info(prefix);
                if !bytes[cut..].iter().all(u8::is_ascii_whitespace) {
                    assert_ne!(c, full, "cut at {cut} of {body}");
                }
                if cut > root {
                    assert!(c.contains("!malformed at byte "), "cut at {cut}: {c}");
                }
            }
        }
    }
}
