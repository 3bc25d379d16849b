//! SOAP 1.1 envelopes: writing requests, reading responses and faults.
//!
//! Envelope, Body and Fault are matched by local name: servers differ in the
//! prefixes they use.

use std::fmt;

use super::{BytesStart, DecodeError, EncodeFields, UnknownStats, XmlReader, XmlValue, XmlWriter};

/// Namespace of the vim25 API.
pub const VIM25_NAMESPACE: &str = "urn:vim25";

/// Namespace of the PBM storage-policy service (`/pbm/sdk`).
pub const PBM_NAMESPACE: &str = "urn:pbm";

const ENVELOPE_START: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/""#,
    r#" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
    r#" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    "<soapenv:Body>"
);
const ENVELOPE_END: &str = "</soapenv:Body></soapenv:Envelope>";

/// The request document for `operation` (e.g. `RetrievePropertiesEx`) with
/// `body`'s fields, then any unknown elements it kept, as the operation
/// element's content. The envelope declares the `xsi` and `xsd` prefixes.
pub fn request_envelope<B: EncodeFields + ?Sized>(operation: &str, body: &B) -> Vec<u8> {
    request_envelope_in(VIM25_NAMESPACE, operation, body)
}

/// [`request_envelope`] for an API whose operations are in `namespace`
/// ([`PBM_NAMESPACE`]). An unprefixed `xsi:type` in it names a type of that
/// namespace, as XML Schema reads it.
pub fn request_envelope_in<B: EncodeFields + ?Sized>(
    namespace: &str,
    operation: &str,
    body: &B,
) -> Vec<u8> {
    let mut w = XmlWriter::with_capacity(512);
    w.raw(ENVELOPE_START);
    w.start_with_attr(operation, "xmlns", namespace);
    body.encode_fields(&mut w);
    for e in body.extra().elements() {
        w.raw(&e.xml);
    }
    w.end(operation);
    w.raw(ENVELOPE_END);
    w.into_bytes()
}

/// A SOAP fault; `F` is the (polymorphic) `MethodFault` type of the bindings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SoapFault<F> {
    /// `faultcode`, e.g. `ServerFaultCode`.
    pub code: String,
    /// `faultstring`: the human-readable message.
    pub string: String,
    /// The typed fault: the first child element of `detail`, if any.
    pub detail: Option<F>,
    /// Raw XML of that element, as received.
    pub raw_detail: Option<String>,
}

impl<F> fmt::Display for SoapFault<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SOAP fault {}: {}", self.code, self.string)
    }
}

impl<F: fmt::Debug> std::error::Error for SoapFault<F> {}

/// A decoded response `Body`: the operation's result or a fault.
#[derive(Debug)]
pub enum SoapBody<'a, F> {
    /// The `<XResponse>` element; read its `returnval`s, then call
    /// [`SoapResponse::finish`].
    Response(SoapResponse<'a>),
    /// A fault. The document has been read to its end; the counts of unknown
    /// content (inside the fault detail) come with it.
    Fault(SoapFault<F>, UnknownStats),
}

/// Reader positioned inside a response element (`<XResponse>`), handing out
/// its `returnval` children.
pub struct SoapResponse<'a> {
    reader: XmlReader<'a>,
    name: String,
    /// The response element's end tag has been consumed.
    done: bool,
}

impl fmt::Debug for SoapResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoapResponse")
            .field("name", &self.name)
            .field("offset", &self.reader.offset())
            .field("done", &self.done)
            .finish()
    }
}

impl<'a> SoapResponse<'a> {
    /// Local name of the response element, e.g. `RetrievePropertiesExResponse`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The underlying reader, positioned inside the response element.
    pub fn reader(&mut self) -> &mut XmlReader<'a> {
        &mut self.reader
    }

    /// Adds the response path (`/Envelope/Body/XResponse`) to an error.
    fn wrap(&self, e: DecodeError) -> DecodeError {
        e.within(&self.name).within("Body").within("Envelope")
    }

    /// The next `returnval` child decoded as `T`, or `None` at the end of the
    /// response element. Other children are skipped and counted as unknown.
    pub fn next_returnval<T: XmlValue>(&mut self) -> Result<Option<T>, DecodeError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let child = match self.reader.next_child() {
                Ok(Some(c)) => c,
                Ok(None) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(e) => return Err(self.wrap(e)),
            };
            if child.local_name().as_ref() == "returnval" {
                return match T::decode(&mut self.reader, &child) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) => Err(self.wrap(e.within("returnval"))),
                };
            }
            if let Err(e) = self.reader.skip_unknown(&child) {
                return Err(self.wrap(e.within(child.local_name().as_ref())));
            }
        }
    }

    /// No result expected (`void` operations).
    pub fn unit(&mut self) -> Result<(), DecodeError> {
        Ok(())
    }

    /// Exactly one result (further `returnval`s are skipped and counted as unknown).
    pub fn one<T: XmlValue>(&mut self) -> Result<T, DecodeError> {
        match self.next_returnval()? {
            Some(v) => Ok(v),
            None => Err(self.wrap(self.reader.unexpected("missing returnval"))),
        }
    }

    /// Zero or one result.
    pub fn opt<T: XmlValue>(&mut self) -> Result<Option<T>, DecodeError> {
        self.next_returnval()
    }

    /// Any number of results.
    pub fn vec<T: XmlValue>(&mut self) -> Result<Vec<T>, DecodeError> {
        let mut out = Vec::new();
        while let Some(v) = self.next_returnval()? {
            out.push(v);
        }
        Ok(out)
    }

    /// Reads the rest of the document (skipping and counting whatever was not
    /// read) and returns the counts of unknown content.
    pub fn finish(mut self) -> Result<UnknownStats, DecodeError> {
        while !self.done {
            let child = match self.reader.next_child() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(self.wrap(e)),
            };
            if let Err(e) = self.reader.skip_unknown(&child) {
                return Err(self.wrap(e.within(child.local_name().as_ref())));
            }
        }
        finish_envelope(&mut self.reader)?;
        Ok(self.reader.take_stats())
    }
}

/// Skips the rest of Body, then of Envelope.
fn finish_envelope(r: &mut XmlReader<'_>) -> Result<(), DecodeError> {
    skip_rest(r).map_err(|e| e.within("Body").within("Envelope"))?;
    skip_rest(r).map_err(|e| e.within("Envelope"))
}

/// Skips the remaining children of the current element and its end tag.
fn skip_rest(r: &mut XmlReader<'_>) -> Result<(), DecodeError> {
    while let Some(c) = r.next_child()? {
        r.skip(&c).map_err(|e| e.within(c.local_name().as_ref()))?;
    }
    Ok(())
}

/// Namespace of SOAP 1.1 envelopes, the only SOAP vSphere speaks.
pub const SOAP_ENVELOPE_NAMESPACE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Namespace of SOAP 1.2 envelopes, named in errors.
const SOAP12_ENVELOPE_NAMESPACE: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The namespace declarations (`xmlns`, `xmlns:p`) of one start tag:
/// `(prefix, uri)`, `None` for the default namespace.
type Declarations<'a> = Vec<(Option<&'a str>, &'a str)>;

fn declarations<'a>(start: &BytesStart<'a>, r: &XmlReader<'a>) -> Declarations<'a> {
    let mut out = Vec::new();
    let attrs = start.attributes_raw();
    if !attrs.contains("xmlns") {
        return out;
    }
    // Borrow from the input so the declarations outlive the start tag.
    let Some(attrs) = r.input_str(attrs) else {
        return out;
    };
    for (key, value) in super::reader::scan_attributes(attrs).map_while(Result::ok) {
        if key == "xmlns" {
            out.push((None, value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            out.push((Some(p), value));
        }
    }
    out
}

/// The namespace URI of `start`, resolved in `scopes` (outermost first, the
/// element's own declarations last); `None` when it is in no namespace.
fn namespace_of<'a>(start: &BytesStart<'_>, scopes: &[&Declarations<'a>]) -> Option<&'a str> {
    let name = start.name();
    let prefix = name.prefix().map(|p| p.into_inner());
    scopes
        .iter()
        .rev()
        .find_map(|d| {
            d.iter()
                .rev()
                .find(|(p, _)| *p == prefix)
                .map(|(_, uri)| *uri)
        })
        .filter(|uri| !uri.is_empty())
}

/// Checks that a SOAP element (`Envelope`, `Body`, `Fault`) is in the SOAP
/// 1.1 namespace.
fn check_soap_namespace(
    r: &XmlReader<'_>,
    start: &BytesStart<'_>,
    ns: Option<&str>,
) -> Result<(), DecodeError> {
    let what = match ns {
        Some(SOAP_ENVELOPE_NAMESPACE) => return Ok(()),
        Some(SOAP12_ENVELOPE_NAMESPACE) => {
            format!("is a SOAP 1.2 element (namespace {SOAP12_ENVELOPE_NAMESPACE})")
        }
        Some(other) => format!("is in namespace {other:?}"),
        None => "is in no namespace".to_owned(),
    };
    Err(r.unexpected(format!(
        "<{}> {what}; vSphere speaks SOAP 1.1 ({SOAP_ENVELOPE_NAMESPACE})",
        start.name().as_ref()
    )))
}

/// Walks `Envelope/Body` of a vim25 response document and returns either
/// the response element (to read `returnval`s from) or the decoded fault.
///
/// The envelope must be SOAP 1.1 and the response element must be in the
/// `urn:vim25` namespace: a document of another protocol or API fails with
/// an error that names the namespace found, instead of decoding as if it
/// were vim25.
pub fn decode_body<F: XmlValue>(bytes: &[u8]) -> Result<SoapBody<'_, F>, DecodeError> {
    decode_body_in(bytes, VIM25_NAMESPACE)
}

/// [`decode_body`] for an API whose response elements are in `namespace`
/// (`urn:vim25`, `urn:pbm`, ...).
pub fn decode_body_in<'a, F: XmlValue>(
    bytes: &'a [u8],
    namespace: &str,
) -> Result<SoapBody<'a, F>, DecodeError> {
    let mut r = XmlReader::new(bytes);
    let env = r.root()?;
    if env.local_name().as_ref() != "Envelope" {
        return Err(r.unexpected(format!(
            "expected a SOAP Envelope, found <{}>",
            env.name().as_ref()
        )));
    }
    let env_decls = declarations(&env, &r);
    check_soap_namespace(&r, &env, namespace_of(&env, &[&env_decls]))?;
    // Find Body, skipping Header.
    let body_decls;
    loop {
        let child = r
            .next_child()
            .map_err(|e| e.within("Envelope"))?
            .ok_or_else(|| {
                r.unexpected("SOAP Envelope without Body")
                    .within("Envelope")
            })?;
        if child.local_name().as_ref() == "Body" {
            let decls = declarations(&child, &r);
            check_soap_namespace(&r, &child, namespace_of(&child, &[&env_decls, &decls]))
                .map_err(|e| e.within("Envelope"))?;
            body_decls = decls;
            break;
        }
        r.skip(&child)
            .map_err(|e| e.within(child.local_name().as_ref()).within("Envelope"))?;
    }
    let first = r
        .next_child()
        .map_err(|e| e.within("Body").within("Envelope"))?
        .ok_or_else(|| {
            r.unexpected("empty SOAP Body")
                .within("Body")
                .within("Envelope")
        })?;
    let name = first.local_name();
    let name: &str = name.as_ref();
    let first_decls = declarations(&first, &r);
    let ns = namespace_of(&first, &[&env_decls, &body_decls, &first_decls]);
    let within = |e: DecodeError| e.within("Body").within("Envelope");
    if name == "Fault" {
        check_soap_namespace(&r, &first, ns).map_err(within)?;
    } else if ns != Some(namespace) {
        let found = ns.map_or_else(|| "no namespace".to_owned(), |n| format!("namespace {n:?}"));
        return Err(within(r.unexpected(format!(
            "<{}> is in {found}, not {namespace:?}: not a response of this API",
            first.name().as_ref()
        ))));
    }
    if name == "Fault" {
        let fault =
            read_fault(&mut r).map_err(|e| e.within("Fault").within("Body").within("Envelope"))?;
        finish_envelope(&mut r)?;
        let stats = r.take_stats();
        return Ok(SoapBody::Fault(fault, stats));
    }
    Ok(SoapBody::Response(SoapResponse {
        reader: r,
        name: name.to_owned(),
        done: false,
    }))
}

/// Reads the content of `<Fault>` (SOAP 1.1: faultcode, faultstring, detail).
fn read_fault<F: XmlValue>(r: &mut XmlReader<'_>) -> Result<SoapFault<F>, DecodeError> {
    let mut fault = SoapFault {
        code: String::new(),
        string: String::new(),
        detail: None,
        raw_detail: None,
    };
    while let Some(c) = r.next_child()? {
        let name = c.local_name();
        let name: &str = name.as_ref();
        let res = match name {
            "faultcode" => r.text(&c).map(|t| fault.code = t.trim_ascii().to_owned()),
            "faultstring" => r.text(&c).map(|t| fault.string = t.into_owned()),
            "detail" => read_detail(r, &mut fault),
            _ => r.skip(&c),
        };
        res.map_err(|e| e.within(name))?;
    }
    Ok(fault)
}

fn read_detail<F: XmlValue>(
    r: &mut XmlReader<'_>,
    fault: &mut SoapFault<F>,
) -> Result<(), DecodeError> {
    while let Some(d) = r.next_child()? {
        if fault.detail.is_some() {
            r.skip(&d)?;
            continue;
        }
        let begin = r.start_index(&d);
        let value = F::decode(r, &d).map_err(|e| e.within(d.local_name().as_ref()))?;
        if let Some(b) = begin {
            fault.raw_detail = Some(r.raw_from(b)?.to_owned());
        }
        fault.detail = Some(value);
    }
    Ok(())
}

/// Decodes a whole response with `read` (for example `|r| r.one::<T>()`),
/// returning the result or the fault, and the counts of unknown content.
pub fn decode_with<'a, R, F: XmlValue>(
    bytes: &'a [u8],
    read: impl FnOnce(&mut SoapResponse<'a>) -> Result<R, DecodeError>,
) -> Result<(Result<R, SoapFault<F>>, UnknownStats), DecodeError> {
    decode_with_in(bytes, VIM25_NAMESPACE, read)
}

/// [`decode_with`] for an API whose response elements are in `namespace`.
pub fn decode_with_in<'a, R, F: XmlValue>(
    bytes: &'a [u8],
    namespace: &str,
    read: impl FnOnce(&mut SoapResponse<'a>) -> Result<R, DecodeError>,
) -> Result<(Result<R, SoapFault<F>>, UnknownStats), DecodeError> {
    match decode_body_in::<F>(bytes, namespace)? {
        SoapBody::Response(mut resp) => {
            let value = read(&mut resp)?;
            let stats = resp.finish()?;
            Ok((Ok(value), stats))
        }
        SoapBody::Fault(fault, stats) => Ok((Err(fault), stats)),
    }
}

/// Decodes the response of an operation that returns nothing.
pub fn decode_unit<F: XmlValue>(bytes: &[u8]) -> Result<Result<(), SoapFault<F>>, DecodeError> {
    decode_with(bytes, SoapResponse::unit).map(|(r, _)| r)
}

/// Decodes the response of an operation that returns exactly one value.
pub fn decode_one<T: XmlValue, F: XmlValue>(
    bytes: &[u8],
) -> Result<Result<T, SoapFault<F>>, DecodeError> {
    decode_with(bytes, SoapResponse::one).map(|(r, _)| r)
}

/// Decodes the response of an operation that returns an optional value.
pub fn decode_opt<T: XmlValue, F: XmlValue>(
    bytes: &[u8],
) -> Result<Result<Option<T>, SoapFault<F>>, DecodeError> {
    decode_with(bytes, SoapResponse::opt).map(|(r, _)| r)
}

/// Decodes the response of an operation that returns an array.
pub fn decode_vec<T: XmlValue, F: XmlValue>(
    bytes: &[u8],
) -> Result<Result<Vec<T>, SoapFault<F>>, DecodeError> {
    decode_with(bytes, SoapResponse::vec).map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::examples::{Device, Vm};
    use crate::xml::{
        BytesStart, DecodeErrorKind, DecodeFields, Extra, ManagedObjectReference, XmlType,
        decode_struct, encode_struct,
    };

    /// A tiny fault hierarchy shaped like the generated one.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct MethodFault {
        fault_message: Vec<String>,
        extra: Extra,
    }

    impl XmlType for MethodFault {
        const TYPE_NAME: &'static str = "MethodFault";
    }

    impl DecodeFields for MethodFault {
        fn decode_field<'a>(
            &mut self,
            name: &str,
            r: &mut XmlReader<'a>,
            s: &BytesStart<'a>,
        ) -> Result<(), DecodeError> {
            match name {
                "faultMessage" => self.fault_message.push(r.value(s)?),
                _ => return r.unknown_element(s, &mut self.extra),
            }
            Ok(())
        }
        fn extra_mut(&mut self) -> &mut Extra {
            &mut self.extra
        }
    }

    impl EncodeFields for MethodFault {
        fn encode_fields(&self, w: &mut XmlWriter) {
            w.vec_field("faultMessage", &self.fault_message);
        }
        fn extra(&self) -> &Extra {
            &self.extra
        }
    }

    #[derive(Clone, Debug, Default, PartialEq)]
    struct InvalidLogin {
        base: MethodFault,
    }

    impl XmlType for InvalidLogin {
        const TYPE_NAME: &'static str = "InvalidLogin";
    }

    impl DecodeFields for InvalidLogin {
        fn decode_field<'a>(
            &mut self,
            name: &str,
            r: &mut XmlReader<'a>,
            s: &BytesStart<'a>,
        ) -> Result<(), DecodeError> {
            self.base.decode_field(name, r, s)
        }
        fn extra_mut(&mut self) -> &mut Extra {
            self.base.extra_mut()
        }
    }

    impl EncodeFields for InvalidLogin {
        fn encode_fields(&self, w: &mut XmlWriter) {
            self.base.encode_fields(w);
        }
        fn extra(&self) -> &Extra {
            self.base.extra()
        }
    }

    #[derive(Clone, Debug, PartialEq)]
    enum AnyFault {
        MethodFault(Box<MethodFault>),
        InvalidLogin(Box<InvalidLogin>),
    }

    impl XmlValue for AnyFault {
        fn decode<'a>(r: &mut XmlReader<'a>, s: &BytesStart<'a>) -> Result<Self, DecodeError> {
            Ok(match r.xsi_type(s)? {
                Some("InvalidLogin") => AnyFault::InvalidLogin(Box::new(decode_struct(r, s)?)),
                _ => AnyFault::MethodFault(Box::new(decode_struct(r, s)?)),
            })
        }
        fn encode(&self, w: &mut XmlWriter, name: &str, xsi_type: Option<&str>) {
            match self {
                AnyFault::MethodFault(f) => encode_struct(w, name, &**f, xsi_type),
                AnyFault::InvalidLogin(f) => {
                    encode_struct(w, name, &**f, xsi_type.or(Some("InvalidLogin")))
                }
            }
        }
    }

    /// A request type: a root type with `_this` and a few parameters.
    #[derive(Default)]
    struct LoginRequestType {
        this: ManagedObjectReference,
        user_name: String,
        password: String,
        locale: Option<String>,
        extra: Extra,
    }

    impl EncodeFields for LoginRequestType {
        fn encode_fields(&self, w: &mut XmlWriter) {
            w.field("_this", &self.this);
            w.field("userName", &self.user_name);
            w.field("password", &self.password);
            w.opt_field("locale", &self.locale);
        }
        fn extra(&self) -> &Extra {
            &self.extra
        }
    }

    /// The bad-password response of a real vCenter (from the pyvmomi cassettes).
    const INVALID_LOGIN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\"\n xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"\n xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<soapenv:Body>\n<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot complete login due to an incorrect user name or password.</faultstring><detail><InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\"></InvalidLoginFault></detail></soapenv:Fault>\n</soapenv:Body>\n</soapenv:Envelope>";

    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\"\n xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"\n xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<soapenv:Body>\n";
    const TAIL: &str = "\n</soapenv:Body>\n</soapenv:Envelope>";

    fn response(inner: &str) -> Vec<u8> {
        format!("{HEAD}{inner}{TAIL}").into_bytes()
    }

    #[test]
    fn request_envelope_is_exact() {
        let req = LoginRequestType {
            this: ManagedObjectReference::new("SessionManager", "SessionManager"),
            user_name: "my_user".into(),
            password: "p&ss<word>".into(),
            locale: None,
            extra: Extra::default(),
        };
        let out = String::from_utf8(request_envelope("Login", &req)).unwrap();
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" \
             xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
             <soapenv:Body><Login xmlns=\"urn:vim25\">\
             <_this type=\"SessionManager\">SessionManager</_this>\
             <userName>my_user</userName><password>p&amp;ss&lt;word&gt;</password>\
             </Login></soapenv:Body></soapenv:Envelope>"
        );
    }

    #[test]
    fn request_envelope_writes_kept_unknown_elements() {
        let mut req = LoginRequestType::default();
        req.extra.push_element(crate::xml::UnknownElement {
            name: "newParam".into(),
            xml: "<newParam>1</newParam>".into(),
        });
        let out = String::from_utf8(request_envelope("Login", &req)).unwrap();
        assert!(out.ends_with(
            "<password></password><newParam>1</newParam></Login></soapenv:Body></soapenv:Envelope>"
        ));
    }

    fn ns_error(doc: &str) -> String {
        decode_one::<String, AnyFault>(doc.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn envelope_and_payload_namespaces_are_checked() {
        let ok = |doc: &str| {
            decode_one::<String, AnyFault>(doc.as_bytes())
                .unwrap()
                .unwrap()
        };
        // Default namespace, a prefix of its own, a prefix bound on Body or
        // on the Envelope: all urn:vim25.
        assert_eq!(ok(std::str::from_utf8(&response(r#"<CurrentTimeResponse xmlns="urn:vim25"><returnval>x</returnval></CurrentTimeResponse>"#)).unwrap()), "x");
        assert_eq!(ok(std::str::from_utf8(&response(r#"<v:CurrentTimeResponse xmlns:v="urn:vim25"><returnval>x</returnval></v:CurrentTimeResponse>"#)).unwrap()), "x");
        assert_eq!(
            ok(
                r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:vim25"><e:Body><R><returnval>y</returnval></R></e:Body></e:Envelope>"#
            ),
            "y"
        );
        assert_eq!(
            ok(
                r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><R xmlns="urn:vim25"><returnval>z</returnval></R></Body></Envelope>"#
            ),
            "z"
        );

        let e = ns_error(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><R xmlns="urn:vim25"><returnval>x</returnval></R></env:Body></env:Envelope>"#,
        );
        assert!(
            e.contains("SOAP 1.2") && e.contains("<env:Envelope>"),
            "{e}"
        );
        let e = ns_error(r#"<Envelope><Body><R xmlns="urn:vim25"/></Body></Envelope>"#);
        assert!(e.contains("no namespace"), "{e}");
        let e = ns_error(
            r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><b:Body xmlns:b="urn:other"><R xmlns="urn:vim25"/></b:Body></e:Envelope>"#,
        );
        assert!(
            e.contains("\"urn:other\"") && e.contains("/Envelope"),
            "{e}"
        );
        let e = ns_error(std::str::from_utf8(&response(r#"<CurrentTimeResponse xmlns="urn:pbm"><returnval>x</returnval></CurrentTimeResponse>"#)).unwrap());
        assert!(
            e.contains("\"urn:pbm\"") && e.contains("not \"urn:vim25\""),
            "{e}"
        );
        assert!(e.contains("/Envelope/Body"), "names where: {e}");
        let e = ns_error(
            std::str::from_utf8(&response(
                "<CurrentTimeResponse><returnval>x</returnval></CurrentTimeResponse>",
            ))
            .unwrap(),
        );
        assert!(e.contains("no namespace"), "{e}");
        // A Fault outside the envelope namespace is not a SOAP fault.
        let e = ns_error(
            std::str::from_utf8(&response(
                r#"<Fault xmlns="urn:vim25"><faultstring>x</faultstring></Fault>"#,
            ))
            .unwrap(),
        );
        assert!(e.contains("<Fault>"), "{e}");
        // Another API's namespace when asked for it.
        let doc = response(r#"<R xmlns="urn:pbm"><returnval>p</returnval></R>"#);
        assert!(matches!(
            decode_body_in::<AnyFault>(&doc, "urn:pbm"),
            Ok(SoapBody::Response(_))
        ));
    }

    #[test]
    fn invalid_login_fault() {
        let res = decode_one::<ManagedObjectReference, AnyFault>(INVALID_LOGIN.as_bytes()).unwrap();
        let fault = res.unwrap_err();
        assert_eq!(fault.code, "ServerFaultCode");
        assert_eq!(
            fault.string,
            "Cannot complete login due to an incorrect user name or password."
        );
        assert_eq!(fault.detail, Some(AnyFault::InvalidLogin(Box::default())));
        assert_eq!(
            fault.raw_detail.as_deref(),
            Some(
                r#"<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault>"#
            )
        );
        assert_eq!(
            fault.to_string(),
            "SOAP fault ServerFaultCode: Cannot complete login due to an incorrect user name or password."
        );
        // Every shape of decode reports the same fault; stats come with it.
        assert!(
            decode_unit::<AnyFault>(INVALID_LOGIN.as_bytes())
                .unwrap()
                .is_err()
        );
        assert!(
            decode_vec::<String, AnyFault>(INVALID_LOGIN.as_bytes())
                .unwrap()
                .is_err()
        );
        match decode_body::<AnyFault>(INVALID_LOGIN.as_bytes()).unwrap() {
            SoapBody::Fault(f, stats) => {
                assert_eq!(f, fault);
                assert!(stats.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fault_without_detail_and_with_unknown_content() {
        let doc = response(
            "<soapenv:Fault><faultcode> soapenv:Server </faultcode><faultstring>boom &amp; bust</faultstring><faultactor>x</faultactor></soapenv:Fault>",
        );
        let f = decode_unit::<AnyFault>(&doc).unwrap().unwrap_err();
        assert_eq!(
            (f.code.as_str(), f.string.as_str()),
            ("soapenv:Server", "boom & bust")
        );
        assert_eq!((f.detail, f.raw_detail), (None, None));

        let doc = response(
            r#"<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>x</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><faultMessage>m</faultMessage><object type="Folder">group-d1</object></NotAuthenticatedFault><second/></detail></soapenv:Fault>"#,
        );
        let (res, stats) = decode_with::<(), AnyFault>(&doc, |r| r.unit()).unwrap();
        let f = res.unwrap_err();
        let Some(AnyFault::MethodFault(mf)) = &f.detail else {
            panic!("{f:?}")
        };
        assert_eq!(mf.fault_message, ["m"]);
        assert_eq!(mf.extra.unknown_type(), Some("NotAuthenticated"));
        assert_eq!(
            mf.extra.elements()[0].xml,
            r#"<object type="Folder">group-d1</object>"#
        );
        assert!(f.raw_detail.unwrap().starts_with("<NotAuthenticatedFault "));
        assert_eq!(stats.types.get("NotAuthenticated"), Some(&1));
        assert_eq!(stats.elements.get("object"), Some(&1));
    }

    #[test]
    fn one_opt_vec_unit() {
        // From the vCenter 8.0 cassette.
        let doc = response(
            r#"<CreateContainerViewResponse xmlns="urn:vim25"><returnval type="ContainerView">session[52bb85b0-adbe-7f20-156d-6130b6dc066e]5286fa88-7318-63fc-4917-f258ec859d33</returnval></CreateContainerViewResponse>"#,
        );
        let mor = decode_one::<ManagedObjectReference, AnyFault>(&doc)
            .unwrap()
            .unwrap();
        assert_eq!(mor.r#type, "ContainerView");
        assert!(mor.value.starts_with("session[52bb85b0"));

        let doc = response(r#"<LogoutResponse xmlns="urn:vim25"></LogoutResponse>"#);
        decode_unit::<AnyFault>(&doc).unwrap().unwrap();
        assert_eq!(decode_opt::<String, AnyFault>(&doc).unwrap().unwrap(), None);
        assert!(
            decode_vec::<String, AnyFault>(&doc)
                .unwrap()
                .unwrap()
                .is_empty()
        );
        let e = decode_one::<String, AnyFault>(&doc).unwrap_err();
        assert_eq!(e.path(), "/Envelope/Body/LogoutResponse");
        assert!(matches!(e.kind(), DecodeErrorKind::Unexpected(m) if m.contains("returnval")));

        let doc = response(r#"<RetrieveResponse xmlns="urn:vim25"/>"#);
        assert_eq!(decode_opt::<String, AnyFault>(&doc).unwrap().unwrap(), None);

        // Several results, a header before the body, an unexpected child.
        let doc = String::from(
            r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header><x/></S:Header><S:Body><FindResponse xmlns="urn:vim25"><returnval>a</returnval><surprise>1</surprise><returnval>b</returnval></FindResponse></S:Body></S:Envelope>"#,
        );
        let (res, stats) =
            decode_with::<_, AnyFault>(doc.as_bytes(), |r| r.vec::<String>()).unwrap();
        assert_eq!(res.unwrap(), ["a", "b"]);
        assert_eq!(stats.elements.get("surprise"), Some(&1));

        // `one` leaves further results to `finish`, which counts them.
        let (res, stats) = decode_with::<_, AnyFault>(doc.as_bytes(), |r| {
            assert_eq!(r.name(), "FindResponse");
            r.one::<String>()
        })
        .unwrap();
        assert_eq!(res.unwrap(), "a");
        assert_eq!(stats.total_elements(), 2);
    }

    #[test]
    fn typed_returnval_with_vcsim_prefixes() {
        let doc = response(
            r#"<ReadVmResponse xmlns="urn:vim25"><returnval><name>vm</name><devices xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="Disk"><key>1</key><capacityInKB>9</capacityInKB></devices></returnval></ReadVmResponse>"#,
        );
        let vm = decode_one::<Vm, AnyFault>(&doc).unwrap().unwrap();
        assert_eq!(vm.name, "vm");
        assert!(
            matches!(&vm.devices[0], crate::xml::examples::AnyDevice::Disk(d) if d.capacity_in_kb == 9)
        );
    }

    #[test]
    fn errors_carry_the_soap_path() {
        let inner = r#"<ReadVmResponse xmlns="urn:vim25"><returnval><name>vm</name><devices><key>x1</key></devices></returnval></ReadVmResponse>"#;
        let doc = response(inner);
        let e = decode_one::<Vm, AnyFault>(&doc).unwrap_err();
        assert_eq!(
            e.path(),
            "/Envelope/Body/ReadVmResponse/returnval/devices/key"
        );
        let text = std::str::from_utf8(&doc).unwrap();
        assert_eq!(e.offset(), text.find("<key>").unwrap() as u64);

        let e = decode_one::<Vm, AnyFault>(b"<html><body>502</body></html>").unwrap_err();
        assert!(matches!(e.kind(), DecodeErrorKind::Unexpected(m) if m.contains("Envelope")));
        let e = decode_one::<Vm, AnyFault>(&response("")).unwrap_err();
        assert_eq!(e.path(), "/Envelope/Body");
        let e = decode_one::<Vm, AnyFault>(
            br#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Header/></Envelope>"#,
        )
        .unwrap_err();
        assert_eq!(e.path(), "/Envelope");

        // Garbage after the response inside Body is still checked for well-formedness.
        let doc = response(
            r#"<XResponse xmlns="urn:vim25"><returnval>a</returnval></XResponse><oops></nope>"#,
        );
        let e = decode_one::<String, AnyFault>(&doc).unwrap_err();
        assert!(e.path().starts_with("/Envelope/Body"), "{e}");

        // A fault whose detail is malformed.
        let bad = INVALID_LOGIN.replace(
            "</InvalidLoginFault>",
            "<faultMessage>x</faultMessag></InvalidLoginFault>",
        );
        let e = decode_unit::<AnyFault>(bad.as_bytes()).unwrap_err();
        assert_eq!(
            e.path(),
            "/Envelope/Body/Fault/detail/InvalidLoginFault/faultMessage"
        );
    }

    #[test]
    fn truncated_responses_never_panic() {
        for doc in [
            INVALID_LOGIN.as_bytes().to_vec(),
            response(
                r#"<R xmlns="urn:vim25"><returnval><name>vm</name><devices xsi:type="Disk"><key>1</key></devices></returnval></R>"#,
            ),
        ] {
            for cut in 0..doc.len() {
                let r = decode_one::<Vm, AnyFault>(&doc[..cut]);
                assert!(r.is_err(), "prefix of {cut} bytes decoded");
            }
        }
        let _ = Device::default();
    }
}
