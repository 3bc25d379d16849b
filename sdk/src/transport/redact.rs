//! Redaction of secrets in SOAP bodies and HTTP headers.
//!
//! This module is the single place that knows what a vSphere secret looks
//! like. The SOAP transport passes every logged body and header through a
//! [`Redactor`], and the cassette recorder scrubs recorded bodies with the
//! same rules (plus rules of its caller). [`Redactor::contains_secret`] is
//! the matching scanner for tests that check cassettes and captured logs.
//!
//! Every secret is replaced by [`REDACTED`], `(redacted)`: plain ASCII
//! without `<`, `&` or quotes, so it is valid XML text, a valid header value
//! and a valid cookie value, and rewriting an already redacted document
//! changes nothing.
//!
//! # Body rules
//!
//! Bodies are rewritten in place: only the text content of secret elements
//! is replaced, every other byte (declaration, prefixes, attributes,
//! whitespace) is kept as it was. Elements are matched by local name, with
//! any namespace prefix. The whole subtree of a secret element is secret
//! (a `CustomizationPassword` keeps its child tags but loses their text),
//! except a `plainText` flag, which is a boolean and kept so a recorded
//! response still decodes.
//!
//! The rules come from the vim25 7.0 XSDs (`vim-types.xsd`,
//! `vim-messagetypes.xsd`, `query-*.xsd`, `vim.wsdl`) and the newer
//! properties in `vmodl.json`: every field whose name says password,
//! secret, ticket, token, cookie, session id or key material was checked
//! against its type and its uses.
//!
//! * Always secret, by name ([`SECRET_ELEMENTS`]): `password` (Login,
//!   HostConnectSpec, HostAccountSpec, NamePasswordAuthentication,
//!   ServiceLocatorNamePassword, HostNasVolumeSpec, HostIpmiInfo,
//!   KmipServerSpec, HostActiveDirectorySpec, JoinDomain, SetNFSUser,
//!   QueryConnectionInfo, CustomizationGuiUnattended, ...), `newPassword`,
//!   `oldPassword` (ChangePassword), `vimAccountPassword`,
//!   `datastorePrincipalPasswd`, `adminPassword`, `domainAdminPassword`,
//!   `chapSecret`, `mutualChapSecret` (iSCSI), `userSecretAttachToTarget`,
//!   `userSecretAttachToInitiator` (vSAN iSCSI), `privateKey`
//!   (UploadClientCert), `keyData` (CryptoKeyPlain), `cloneTicket`
//!   (CloneSession), `ticket` (VirtualMachineTicket, VirtualMachineMksTicket,
//!   TicketedSessionAuthentication), `sessionId` (TerminateSession,
//!   HasPrivilegeOnEntity, HostServiceTicket, session events),
//!   `sessionCookie` (InvalidSession), `vcSessionCookie` (SOAP header of the
//!   PBM/VSLM endpoints), `base64Token` (LoginBySSPI, SSPIChallenge),
//!   `sspiToken`, `authToken`, `trustVerificationToken`,
//!   `verificationToken`, `hostAuthParams` (HostGatewaySpec),
//!   `passwordFilePath` (SessionManagerLocalTicket), `readOnlyCommunities`,
//!   `community` (SNMP community strings) and `userdata` (cloud-init).
//!   All of them are `xsd:string` (or a structure of strings) wherever they
//!   occur, so the marker never breaks a recorded response.
//! * Secret by context:
//!   * `key` of a `UserSession` (the session key). An element is a
//!     UserSession when its `xsi:type` is `UserSession` (the `val` of the
//!     `currentSession` property), when it is named `UserSession` (items of
//!     the `sessionList` property, `ArrayOfUserSession`), or when it is the
//!     `returnval` of `LoginResponse`, `LoginByTokenResponse`,
//!     `LoginBySSPIResponse`, `LoginExtensionBySubjectNameResponse`,
//!     `LoginExtensionByCertificateResponse`,
//!     `LoginExtensionByExtensionResponse`, `ImpersonateUserResponse` or
//!     `CloneSessionResponse`. The many other `key` elements (device keys,
//!     option keys, ...) are kept.
//!   * `returnval` of `AcquireCloneTicketResponse` (the clone ticket).
//!   * `id` of a `SessionManagerGenericServiceTicket` (by `xsi:type`, or the
//!     `returnval` of `AcquireGenericServiceTicketResponse`).
//!   * `token`, except the paging tokens of the property collector and the
//!     audit log: children of `ContinueRetrievePropertiesEx`,
//!     `CancelRetrievePropertiesEx`, `FetchAuditRecords`, of a
//!     `RetrieveResult` (`xsi:type`) and of the `returnval` of
//!     `RetrievePropertiesExResponse` / `ContinueRetrievePropertiesExResponse`.
//!     Every other `token` (ServiceLocatorSAMLCredential,
//!     SAMLTokenAuthentication, anything unknown) is secret.
//!   * `sessionID` of `SessionIsActive` (the other `sessionID`s are `xsd:long`
//!     guest-operation handles).
//!   * `value` and `defaultValue` after a sibling `type` whose text starts
//!     with `password` (vApp/OVF properties of type password), or after a
//!     sibling `key` whose text contains `password`, `passwd` or `secret`
//!     (OptionValue, KeyValue, KeyAnyValue), when the value is a string
//!     (no `xsi:type`, or `xsi:type` string).
//! * Secret by `xsi:type`, whole subtree ([`SECRET_TYPES`]):
//!   `CustomizationPassword`, `CustomizationSysprepText` (a full sysprep
//!   answer file) and `PasswordField` (host profile answers).
//! * Secret by namespace, whole subtree ([`SECRET_NAMESPACES`]): the
//!   WS-Security header (`wsse:Security`, UsernameToken,
//!   BinarySecurityToken) and SAML assertions (the bearer token of
//!   LoginByToken).
//! * Caller rules: [`Redactor::with_element`] adds local names.
//! * Literals: [`Redactor::with_literal`] registers exact strings (the
//!   password in use, the session cookie value); any occurrence in a body or
//!   header, raw or in its XML- or JSON-escaped form, is replaced, so even an
//!   unexpected echo (a fault message quoting the password) is caught.
//!
//! `xsi:type` is resolved through the namespace declarations to
//! `http://www.w3.org/2001/XMLSchema-instance`, whatever the prefix (vcsim
//! writes `XMLSchema-instance:type`).
//!
//! Malformed XML never makes the redactor panic or leak: everything from the
//! first byte it could not parse (or from the start of the text of a secret
//! element that was open there) is replaced by one marker. A body that is
//! cut short inside a secret keeps its prefix and ends in the marker.
//!
//! # Header rules
//!
//! `Cookie` and `Set-Cookie`: every cookie value is replaced, cookie names
//! and attributes (`Path`, `Domain`, `Expires`, `Max-Age`, `SameSite`,
//! `Secure`, `HttpOnly`, ...) are kept. `Authorization` and
//! `Proxy-Authorization`: the scheme is kept, the credentials replaced.
//! `vmware-api-session-id` ([`SECRET_HEADERS`]) and headers added with
//! [`Redactor::with_header`] are replaced whole. Literals apply to every
//! header.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The marker that replaces every secret: `(redacted)`.
///
/// It is valid XML character data, a valid HTTP header value and a valid
/// cookie value (RFC 6265 `cookie-octet`s only), so redacted output stays
/// well formed, and redacting it again changes nothing.
pub const REDACTED: &str = "(redacted)";

const MARK: &[u8] = REDACTED.as_bytes();

/// Whether `text` is the marker or a numbered pseudonym of the cassette
/// scrubber (`(redacted)`, `(redacted-3)`): already redacted, left alone.
pub fn is_redacted(text: &str) -> bool {
    is_redacted_bytes(text.as_bytes())
}

fn is_redacted_bytes(t: &[u8]) -> bool {
    if t == MARK {
        return true;
    }
    match t
        .strip_prefix(b"(redacted-".as_slice())
        .and_then(|r| r.strip_suffix(b")".as_slice()))
    {
        Some(n) => !n.is_empty() && n.iter().all(u8::is_ascii_digit),
        None => false,
    }
}

/// Local names of elements whose content is secret wherever they occur.
///
/// See the [module documentation](self) for where each one comes from.
pub const SECRET_ELEMENTS: &[&str] = &[
    "password",
    "newPassword",
    "oldPassword",
    "vimAccountPassword",
    "datastorePrincipalPasswd",
    "adminPassword",
    "domainAdminPassword",
    "chapSecret",
    "mutualChapSecret",
    "userSecretAttachToTarget",
    "userSecretAttachToInitiator",
    "privateKey",
    "keyData",
    "cloneTicket",
    "ticket",
    "sessionId",
    "sessionCookie",
    "vcSessionCookie",
    "base64Token",
    "sspiToken",
    "authToken",
    "trustVerificationToken",
    "verificationToken",
    "hostAuthParams",
    "passwordFilePath",
    "readOnlyCommunities",
    "community",
    "userdata",
];

/// `xsi:type`s (local part) whose whole subtree is secret.
pub const SECRET_TYPES: &[&str] = &[
    "CustomizationPassword",
    "CustomizationSysprepText",
    "PasswordField",
];

/// Namespaces whose elements are secret with their whole subtree:
/// WS-Security 1.0 and 1.1 (`wsse:Security` and everything in it) and
/// SAML 1 and 2 assertions (bearer tokens).
pub const SECRET_NAMESPACES: &[&str] = &[
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd",
    "urn:oasis:names:tc:SAML:2.0:assertion",
    "urn:oasis:names:tc:SAML:1.0:assertion",
];

/// Headers whose whole value is a secret (besides `Cookie`, `Set-Cookie`,
/// `Authorization` and `Proxy-Authorization`, which are redacted
/// structurally). Matched case-insensitively.
pub const SECRET_HEADERS: &[&str] = &["vmware-api-session-id"];

/// The cookie vSphere keeps the SOAP session in; the scanner also looks for
/// it outside of headers.
const SESSION_COOKIE: &str = "vmware_soap_session";

const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Responses whose `returnval` is a `UserSession`.
const USER_SESSION_RESPONSES: &[&str] = &[
    "LoginResponse",
    "LoginByTokenResponse",
    "LoginBySSPIResponse",
    "LoginExtensionBySubjectNameResponse",
    "LoginExtensionByCertificateResponse",
    "LoginExtensionByExtensionResponse",
    "ImpersonateUserResponse",
    "CloneSessionResponse",
];

/// Requests whose `token` is a paging token, not a credential.
const PAGING_REQUESTS: &[&str] = &[
    "ContinueRetrievePropertiesEx",
    "CancelRetrievePropertiesEx",
    "FetchAuditRecords",
];

/// Cookie attributes, kept with their values.
const COOKIE_ATTRIBUTES: &[&str] = &[
    "path",
    "domain",
    "expires",
    "max-age",
    "samesite",
    "secure",
    "httponly",
    "partitioned",
    "priority",
    "version",
    "comment",
    "commenturl",
    "discard",
    "port",
];

/// Cookie attributes without a value.
const COOKIE_FLAGS: &[&str] = &["secure", "httponly", "partitioned", "discard"];

/// The rules for finding secrets, and the code that replaces them.
///
/// [`Default`] gives the built-in rules (see the [module
/// documentation](self)); [`with_element`](Self::with_element),
/// [`with_header`](Self::with_header) and
/// [`with_literal`](Self::with_literal) add the caller's. A `Redactor` is
/// cheap to clone, `Send` and `Sync`, and its [`Debug`](fmt::Debug) output
/// shows how many rules it has, never the literals themselves.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Caller-supplied secret element local names.
    elements: Vec<String>,
    /// Caller-supplied secret header names, lower case.
    headers: Vec<String>,
    /// Every searched form of every literal, longest first.
    literals: Vec<Literal>,
    /// How many literals were registered.
    literal_count: usize,
    /// Bit set of the first bytes of `literals` (and of the marker).
    first_bytes: [u64; 4],
}

#[derive(Clone)]
struct Literal {
    bytes: Vec<u8>,
    /// 1-based number of the registered literal this is a form of.
    number: usize,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("elements", &self.elements)
            .field("headers", &self.headers)
            .field("literals", &self.literal_count)
            .finish()
    }
}

impl Redactor {
    /// Adds a rule: the content of every element with this local name (any
    /// namespace prefix) is a secret, with its whole subtree.
    ///
    /// ```
    /// use vmomi::redact::{REDACTED, Redactor};
    /// let r = Redactor::default().with_element("apiKey");
    /// let out = r.body(b"<a><apiKey>k3y</apiKey></a>");
    /// assert_eq!(&*out, format!("<a><apiKey>{REDACTED}</apiKey></a>").as_bytes());
    /// ```
    pub fn with_element(mut self, local_name: impl Into<String>) -> Self {
        let name = local_name.into();
        if !name.is_empty() && !self.elements.contains(&name) {
            self.elements.push(name);
        }
        self
    }

    /// Adds a rule: the whole value of this header (name matched
    /// case-insensitively) is a secret.
    pub fn with_header(mut self, name: impl Into<String>) -> Self {
        let name = name.into().trim().to_ascii_lowercase();
        if !name.is_empty() && !self.headers.contains(&name) {
            self.headers.push(name);
        }
        self
    }

    /// Registers a secret by value: every occurrence of this exact string in
    /// a body or header is replaced, wherever it appears. The client
    /// registers the password it logs in with and the session cookie value.
    ///
    /// Besides the string itself, its XML-escaped forms (as this SDK's
    /// writer, quick-xml and minimal escapers would write it) and the
    /// JSON-escaped form of each are searched. An empty string is ignored.
    /// A very short literal matches often: the output stays safe but gets
    /// hard to read.
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default().with_literal("s3cr&t");
    /// let out = r.body(b"<fault><msg>bad password s3cr&amp;t</msg></fault>");
    /// assert_eq!(&*out, b"<fault><msg>bad password (redacted)</msg></fault>");
    /// ```
    pub fn with_literal(mut self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        if secret.is_empty() {
            return self;
        }
        let number = self.literal_count + 1;
        let mut forms: Vec<String> = vec![
            secret.clone(),
            escape_with(&secret, |c| match c {
                '&' => Some("&amp;"),
                '<' => Some("&lt;"),
                '>' => Some("&gt;"),
                '\r' => Some("&#13;"),
                _ => None,
            }),
            escape_with(&secret, |c| match c {
                '&' => Some("&amp;"),
                '<' => Some("&lt;"),
                '>' => Some("&gt;"),
                '"' => Some("&quot;"),
                '\'' => Some("&apos;"),
                _ => None,
            }),
            escape_with(&secret, |c| match c {
                '&' => Some("&amp;"),
                '<' => Some("&lt;"),
                _ => None,
            }),
        ];
        let json: Vec<String> = forms
            .iter()
            .map(|f| {
                escape_with(f, |c| match c {
                    '\\' => Some("\\\\"),
                    '"' => Some("\\\""),
                    '\n' => Some("\\n"),
                    '\r' => Some("\\r"),
                    '\t' => Some("\\t"),
                    _ => None,
                })
            })
            .collect();
        forms.extend(json);
        for form in forms {
            let bytes = form.into_bytes();
            if self.literals.iter().any(|l| l.bytes == bytes) {
                continue;
            }
            self.first_bytes[usize::from(bytes[0] >> 6)] |= 1 << (bytes[0] & 63);
            self.literals.push(Literal { bytes, number });
        }
        // Longest first, so a literal that contains another is replaced whole.
        self.literals
            .sort_by_key(|l| std::cmp::Reverse(l.bytes.len()));
        self.first_bytes[usize::from(MARK[0] >> 6)] |= 1 << (MARK[0] & 63);
        self.literal_count = number;
        self
    }

    /// Returns `data` with only the registered literals replaced (no element
    /// or header rules): for bytes that must stay as they are except for
    /// the caller's own secrets, such as a fault that echoes the password.
    /// Borrowed when nothing changed.
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default().with_literal("hunter2");
    /// assert_eq!(&*r.literals(b"<faultstring>bad: hunter2</faultstring>"), b"<faultstring>bad: (redacted)</faultstring>");
    /// ```
    pub fn literals<'a>(&self, data: &'a [u8]) -> Cow<'a, [u8]> {
        match self.replace_literals(data) {
            Some(replaced) => Cow::Owned(replaced),
            None => Cow::Borrowed(data),
        }
    }

    /// [`literals`](Self::literals) in the text content of an XML body only
    /// (between tags): the markup stays whole whatever a secret looks like.
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default().with_literal("x");
    /// let body = br#"<E xmlns:xsi="urn:x"><m>bad password x</m></E>"#;
    /// assert_eq!(
    ///     &*r.text_literals(body),
    ///     br#"<E xmlns:xsi="urn:x"><m>bad password (redacted)</m></E>"#
    /// );
    /// ```
    pub fn text_literals<'a>(&self, xml: &'a [u8]) -> Cow<'a, [u8]> {
        let mut out = Vec::new();
        let mut changed = false;
        let mut i = 0;
        while i < xml.len() {
            let lt = xml[i..]
                .iter()
                .position(|&b| b == b'<')
                .map_or(xml.len(), |k| i + k);
            match self.replace_literals(&xml[i..lt]) {
                Some(r) => {
                    out.extend_from_slice(&r);
                    changed = true;
                }
                None => out.extend_from_slice(&xml[i..lt]),
            }
            let gt = xml[lt..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(xml.len(), |k| lt + k + 1);
            out.extend_from_slice(&xml[lt..gt]);
            i = gt;
        }
        if changed {
            Cow::Owned(out)
        } else {
            Cow::Borrowed(xml)
        }
    }

    /// [`literals`](Self::literals) for text: log fields, error messages.
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default().with_literal("52a1b2c3");
    /// assert_eq!(r.text("session[52a1b2c3]5f9e"), "session[(redacted)]5f9e");
    /// ```
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.replace_literals(text.as_bytes()) {
            // Literals are whole UTF-8 strings and the marker is ASCII.
            Some(bytes) => Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
            None => Cow::Borrowed(text),
        }
    }

    /// Returns `xml` with the text content of every secret element replaced
    /// by [`REDACTED`] and every registered literal replaced too; all other
    /// bytes are kept as they were. A body without secrets comes back
    /// borrowed, without allocation.
    ///
    /// If the body is not well-formed XML, the part that parsed is returned
    /// (redacted) followed by one marker in place of the rest; if a secret
    /// element was open at that point, its text is part of the rest. This
    /// never panics.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default();
    /// let login = br#"<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>admin</userName><password>hunter2</password></Login>"#;
    /// assert_eq!(
    ///     &*r.body(login),
    ///     br#"<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>admin</userName><password>(redacted)</password></Login>"#
    /// );
    /// // Nothing secret: the very same bytes, borrowed.
    /// let other = b"<CurrentTime xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this></CurrentTime>";
    /// assert!(matches!(r.body(other), Cow::Borrowed(_)));
    /// // Cut short inside the password: the password does not survive.
    /// assert_eq!(&*r.body(b"<Login><password>hunt"), b"<Login><password>(redacted)");
    /// ```
    pub fn body<'a>(&self, xml: &'a [u8]) -> Cow<'a, [u8]> {
        let mut walk = self.walk(xml, 0, false);
        // Already redacted: nothing to do (redacting is idempotent and, on
        // redacted input, allocation-free).
        walk.spans
            .retain(|s| !is_redacted_bytes(&xml[s.range.clone()]));
        let cut = walk.failed.as_ref().map(|f| f.cut);
        let spliced = if walk.spans.is_empty() && cut.is_none() {
            Cow::Borrowed(xml)
        } else {
            let end = cut.unwrap_or(xml.len());
            let mut out = Vec::with_capacity(end + MARK.len() * (walk.spans.len() + 1));
            let mut pos = 0;
            for span in walk.spans.iter().filter(|s| s.range.end <= end) {
                out.extend_from_slice(&xml[pos..span.range.start]);
                out.extend_from_slice(MARK);
                pos = span.range.end;
            }
            out.extend_from_slice(&xml[pos..end]);
            if cut.is_some() {
                out.extend_from_slice(MARK);
            }
            Cow::Owned(out)
        };
        match self.replace_literals(&spliced) {
            Some(replaced) => Cow::Owned(replaced),
            None => spliced,
        }
    }

    /// Returns the value of header `name` (matched case-insensitively) with
    /// its secrets replaced by [`REDACTED`]; borrowed when nothing changed.
    ///
    /// * `Cookie`, `Set-Cookie`: each cookie value is replaced; names and
    ///   attributes (`Path=/`, `HttpOnly`, `Expires=...`) are kept.
    /// * `Authorization`, `Proxy-Authorization`: the scheme is kept.
    /// * `vmware-api-session-id` and headers added with
    ///   [`with_header`](Self::with_header): replaced whole.
    /// * Registered literals are replaced in every header.
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default();
    /// assert_eq!(
    ///     r.header("Set-Cookie", r#"vmware_soap_session="52a1b2"; Path=/; HttpOnly; Secure;"#),
    ///     "vmware_soap_session=(redacted); Path=/; HttpOnly; Secure;"
    /// );
    /// assert_eq!(r.header("authorization", "Basic dXNlcjpwYXNz"), "Basic (redacted)");
    /// assert_eq!(r.header("Content-Type", "text/xml; charset=utf-8"), "text/xml; charset=utf-8");
    /// ```
    pub fn header<'a>(&self, name: &str, value: &'a str) -> Cow<'a, str> {
        let structured = self.structured_header(name, value);
        match self.replace_literals(structured.as_bytes()) {
            // Literals are whole UTF-8 strings and the marker is ASCII, so
            // the result is UTF-8; the lossy path is never taken.
            Some(bytes) => Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
            None => structured,
        }
    }

    /// The secret texts [`body`](Self::body) would replace, in document
    /// order (markers excluded). The cassette scrubber uses them to give each
    /// secret a stable pseudonym.
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default();
    /// let login = b"<Login><userName>u</userName><password>hunter2</password></Login>";
    /// assert_eq!(r.secret_values(login), vec!["hunter2".to_string()]);
    /// ```
    pub fn secret_values(&self, xml: &[u8]) -> Vec<String> {
        let walk = self.walk(xml, 0, false);
        walk.spans
            .iter()
            .map(|s| &xml[s.range.clone()])
            .filter(|v| !is_redacted_bytes(v))
            .map(|v| String::from_utf8_lossy(v).trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Scans `data` (a body, a captured log, a cassette file as YAML or
    /// JSON) for a secret that was not redacted and describes the first one
    /// found, or returns `None` when it is clean.
    ///
    /// It reports, in this order: a registered literal; a secret element
    /// (by the body rules) whose text is not empty and not the marker; a
    /// `Cookie`/`Set-Cookie`/`Authorization`/secret header line (`name:
    /// value`, also as a YAML or JSON key) whose value would be changed by
    /// [`header`](Self::header); a `vmware_soap_session=` cookie with a value
    /// other than the marker. The description names the element or header
    /// and the byte offset, never the secret itself.
    ///
    /// The XML scan is lenient: it resumes after anything it cannot parse,
    /// and reads `xsi:type` also from JSON-escaped attributes (`\"`).
    ///
    /// ```
    /// use vmomi::redact::Redactor;
    /// let r = Redactor::default().with_literal("hunter2");
    /// let log = b"POST /sdk <Login><userName>u</userName><password>hunter2</password></Login>";
    /// assert!(r.contains_secret(log).is_some());
    /// assert_eq!(r.contains_secret(&r.body(log)), None);
    /// ```
    pub fn contains_secret(&self, data: &[u8]) -> Option<String> {
        if let Some((at, literal)) = self.next_literal(data, 0) {
            return Some(format!(
                "registered literal #{} ({} bytes) at byte {at}",
                literal.number,
                literal.bytes.len()
            ));
        }
        self.scan_xml(data)
            .or_else(|| self.scan_headers(data))
            .or_else(|| scan_session_cookie(data))
    }

    // ---- headers -------------------------------------------------------

    fn structured_header<'a>(&self, name: &str, value: &'a str) -> Cow<'a, str> {
        let name = name.trim();
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("cookie") || is("set-cookie") {
            redact_cookies(value)
        } else if is("authorization") || is("proxy-authorization") {
            redact_authorization(value)
        } else if SECRET_HEADERS.iter().any(|h| is(h)) || self.headers.iter().any(|h| is(h)) {
            redact_whole(value)
        } else {
            Cow::Borrowed(value)
        }
    }

    // ---- literals ------------------------------------------------------

    /// The first registered literal at or after `from`, skipping markers.
    fn next_literal(&self, data: &[u8], mut from: usize) -> Option<(usize, &Literal)> {
        if self.literals.is_empty() {
            return None;
        }
        while from < data.len() {
            let b = data[from];
            if self.first_bytes[usize::from(b >> 6)] & (1 << (b & 63)) == 0 {
                from += 1;
                continue;
            }
            let rest = &data[from..];
            if rest.starts_with(MARK) {
                from += MARK.len();
                continue;
            }
            if let Some(l) = self.literals.iter().find(|l| rest.starts_with(&l.bytes)) {
                return Some((from, l));
            }
            from += 1;
        }
        None
    }

    /// `data` with every literal replaced, or `None` if there was none.
    fn replace_literals(&self, data: &[u8]) -> Option<Vec<u8>> {
        let (mut at, mut literal) = self.next_literal(data, 0)?;
        let mut out = Vec::with_capacity(data.len());
        let mut copied = 0;
        loop {
            out.extend_from_slice(&data[copied..at]);
            out.extend_from_slice(MARK);
            copied = at + literal.bytes.len();
            match self.next_literal(data, copied) {
                Some((a, l)) => (at, literal) = (a, l),
                None => break,
            }
        }
        out.extend_from_slice(&data[copied..]);
        Some(out)
    }

    // ---- XML -----------------------------------------------------------

    /// Walks the XML in `data[start..]` and lists the byte ranges to redact.
    ///
    /// Text between two structural events (start, empty or end tags) inside
    /// a secret element is a span: the whole content of a secret element
    /// without child elements, or any run containing text (not only
    /// whitespace) in a secret element with children. `lenient` is the
    /// scanner's mode: end tags are not checked and bad attributes do not
    /// stop the walk.
    fn walk(&self, data: &[u8], start: usize, lenient: bool) -> Walk {
        let mut reader = NsReader::from_reader(&data[start..]);
        {
            let config = reader.config_mut();
            config.check_end_names = !lenient;
            config.allow_unmatched_ends = lenient;
            config.trim_text(false);
            config.expand_empty_elements = false;
        }
        let mut stack: Vec<Open> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        // End of the last start, empty or end tag: where the current run of
        // content began.
        let mut mark = start;
        // Whether the current run holds text other than whitespace.
        let mut text = false;
        loop {
            let before = start + to_usize(reader.buffer_position());
            let event = reader.read_event();
            let after = start + to_usize(reader.buffer_position());
            let (element, is_start) = match event {
                Err(_) => return fail(spans, &stack, mark, before),
                Ok(Event::Eof) => {
                    if let Some(top) = stack.last().filter(|t| t.secret && mark < data.len()) {
                        spans.push(Span {
                            range: mark..data.len(),
                            name: top.name.clone(),
                        });
                    }
                    return Walk {
                        spans,
                        failed: None,
                    };
                }
                Ok(Event::Text(_)) => {
                    if !data[before..after].iter().all(u8::is_ascii_whitespace) {
                        text = true;
                    }
                    continue;
                }
                Ok(Event::CData(_)) | Ok(Event::GeneralRef(_)) => {
                    text = true;
                    continue;
                }
                Ok(Event::End(_)) => {
                    let Some(top) = stack.pop() else {
                        // An unmatched end tag (lenient mode only).
                        mark = after;
                        text = false;
                        continue;
                    };
                    if top.secret && mark < before && (text || !top.has_child) {
                        spans.push(Span {
                            range: mark..before,
                            name: top.name.clone(),
                        });
                    }
                    let leaf_field = !top.secret && !top.has_child;
                    if let Some(parent) = stack.last_mut().filter(|_| leaf_field) {
                        parent.password_hint |= hints_password(top.role, &data[mark..before]);
                    }
                    mark = after;
                    text = false;
                    continue;
                }
                Ok(Event::Start(e)) => (e, true),
                Ok(Event::Empty(e)) => (e, false),
                // Comments, processing instructions, declarations, DOCTYPE:
                // part of the current run.
                Ok(_) => continue,
            };
            // A start or empty tag ends the run of its parent's content.
            if let Some(parent) = stack.last_mut() {
                if parent.secret && text && mark < before {
                    spans.push(Span {
                        range: mark..before,
                        name: parent.name.clone(),
                    });
                }
                parent.has_child = true;
            }
            let Some(open) = self.classify(&reader, &element, &stack, before, lenient) else {
                return fail(spans, &stack, mark, before);
            };
            if is_start {
                stack.push(open);
            }
            mark = after;
            text = false;
        }
    }

    /// Decides what a start tag opens; `None` if its attributes are
    /// malformed (strict mode).
    fn classify(
        &self,
        reader: &NsReader<&[u8]>,
        element: &BytesStart<'_>,
        stack: &[Open],
        at: usize,
        lenient: bool,
    ) -> Option<Open> {
        let qname = element.name();
        let name = at + 1..at + 1 + qname.into_inner().len();
        let (ns, local) = reader.resolver().resolve_element(qname);
        let local = local.into_inner();
        let mut xsi_type: Option<String> = None;
        for attribute in element.attributes() {
            match attribute {
                Ok(a) => {
                    let (ans, alocal) = reader.resolver().resolve_attribute(a.key);
                    if alocal.into_inner() == "type"
                        && matches!(ans, ResolveResult::Bound(Namespace(n)) if n == XSI_NAMESPACE)
                    {
                        xsi_type = Some(local_part(&a.value).to_string());
                    }
                }
                Err(_) if lenient => {
                    if xsi_type.is_none() {
                        xsi_type = raw_xsi_type(element.attributes_raw()).map(str::to_string);
                    }
                    break;
                }
                Err(_) => return None,
            }
        }
        let xsi_type = xsi_type.as_deref();
        let in_secret_namespace = match &ns {
            ResolveResult::Bound(Namespace(n)) => SECRET_NAMESPACES.contains(n),
            // The scanner may meet JSON-escaped namespace declarations it
            // cannot read; fall back on the usual prefixes.
            ResolveResult::Unknown(prefix) => {
                lenient && matches!(prefix.as_str(), "wsse" | "wsse11" | "saml" | "saml2")
            }
            ResolveResult::Unbound => false,
        };
        let parent = stack.last();
        let parent_role = parent.map_or(Role::Other, |p| p.role);
        let role = Role::of(local);
        let is_returnval = local == "returnval";

        let user_session = xsi_type == Some("UserSession")
            || local == "UserSession"
            || (is_returnval && parent_role == Role::UserSessionResponse);
        let generic_ticket = xsi_type == Some("SessionManagerGenericServiceTicket")
            || (is_returnval && parent_role == Role::GenericTicketResponse);
        let paging = PAGING_REQUESTS.contains(&local)
            || xsi_type == Some("RetrieveResult")
            || (is_returnval && parent_role == Role::PagingResponse);

        let inherited = parent.is_some_and(|p| p.secret) && local != "plainText";
        let by_context = match local {
            "key" => parent.is_some_and(|p| p.user_session),
            "id" => parent.is_some_and(|p| p.generic_ticket),
            "token" => !parent.is_some_and(|p| p.paging),
            "sessionID" => parent_role == Role::SessionIsActive,
            "returnval" => parent_role == Role::CloneTicketResponse,
            "value" | "defaultValue" => {
                parent.is_some_and(|p| p.password_hint) && xsi_type.is_none_or(|t| t == "string")
            }
            _ => false,
        };
        let secret = inherited
            || by_context
            || in_secret_namespace
            || SECRET_ELEMENTS.contains(&local)
            || self.elements.iter().any(|e| e == local)
            || xsi_type.is_some_and(|t| SECRET_TYPES.contains(&t));

        Some(Open {
            role,
            secret,
            user_session,
            generic_ticket,
            paging,
            password_hint: false,
            has_child: false,
            name,
        })
    }

    /// The lenient walk over all of `data`, resuming after parse errors.
    fn scan_xml(&self, data: &[u8]) -> Option<String> {
        let mut start = 0;
        loop {
            let walk = self.walk(data, start, true);
            for span in &walk.spans {
                if !blank_or_marker(&data[span.range.clone()]) {
                    return Some(format!(
                        "unredacted text in element `{}` at byte {}",
                        String::from_utf8_lossy(&data[span.name.clone()]),
                        span.range.start
                    ));
                }
            }
            let failure = walk.failed?;
            let from = failure.at + 1;
            let next = data.get(from..)?.iter().position(|&b| b == b'<')?;
            start = from + next;
        }
    }

    /// Header lines (`Name: value`, YAML `Name:\n - value`, JSON
    /// `"Name": ["value"]`) of the secret headers.
    fn scan_headers(&self, data: &[u8]) -> Option<String> {
        let lower = data.to_ascii_lowercase();
        let mut names: Vec<&str> = vec![
            "cookie",
            "set-cookie",
            "authorization",
            "proxy-authorization",
        ];
        names.extend(SECRET_HEADERS);
        names.extend(self.headers.iter().map(String::as_str));
        for name in names {
            let mut from = 0;
            while let Some(p) = find(&lower[from..], name.as_bytes()) {
                let at = from + p;
                from = at + 1;
                if at > 0 && is_header_name_byte(lower[at - 1]) {
                    continue;
                }
                let mut i = at + name.len();
                if matches!(data.get(i), Some(b'"' | b'\'')) {
                    i += 1;
                }
                while matches!(data.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
                if data.get(i) != Some(&b':') {
                    continue;
                }
                let Some(value) = header_value_at(data, i + 1) else {
                    continue;
                };
                let value = String::from_utf8_lossy(value);
                if self.structured_header(name, &value) != value {
                    return Some(format!(
                        "header `{name}` carries an unredacted value at byte {at}"
                    ));
                }
            }
        }
        None
    }
}

/// One open element of the walk.
struct Open {
    role: Role,
    /// Its content (whole subtree) is secret.
    secret: bool,
    /// It is a UserSession: its `key` is the session key.
    user_session: bool,
    /// It is a SessionManagerGenericServiceTicket: its `id` is the ticket.
    generic_ticket: bool,
    /// Its `token` is a paging token.
    paging: bool,
    /// A child `type`/`key` said that the next `value` is a password.
    password_hint: bool,
    has_child: bool,
    /// Where its qualified name is in the input (for messages).
    name: Range<usize>,
}

/// Element names that matter to the rules of their children.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    TypeField,
    KeyField,
    SessionIsActive,
    CloneTicketResponse,
    UserSessionResponse,
    GenericTicketResponse,
    PagingResponse,
}

impl Role {
    fn of(local: &str) -> Self {
        match local {
            "type" => Role::TypeField,
            "key" => Role::KeyField,
            "SessionIsActive" => Role::SessionIsActive,
            "AcquireCloneTicketResponse" => Role::CloneTicketResponse,
            "AcquireGenericServiceTicketResponse" => Role::GenericTicketResponse,
            "RetrievePropertiesExResponse" | "ContinueRetrievePropertiesExResponse" => {
                Role::PagingResponse
            }
            l if USER_SESSION_RESPONSES.contains(&l) => Role::UserSessionResponse,
            _ => Role::Other,
        }
    }
}

/// A byte range to redact and the element it belongs to.
struct Span {
    range: Range<usize>,
    name: Range<usize>,
}

struct Walk {
    spans: Vec<Span>,
    failed: Option<Failure>,
}

struct Failure {
    /// Output stops here (then one marker).
    cut: usize,
    /// Where the unparsable event starts.
    at: usize,
}

/// The walk stopped at `at`: everything after `cut` is dropped. If a secret
/// element is open, its content so far is part of the dropped rest (and a
/// span for the scanner).
fn fail(mut spans: Vec<Span>, stack: &[Open], mark: usize, at: usize) -> Walk {
    let open_secret = stack.last().filter(|t| t.secret);
    if let Some(top) = open_secret.filter(|_| mark < at) {
        spans.push(Span {
            range: mark..at,
            name: top.name.clone(),
        });
    }
    Walk {
        spans,
        failed: Some(Failure {
            cut: if open_secret.is_some() { mark } else { at },
            at,
        }),
    }
}

/// Whether the text of a leaf `type`/`key` says its sibling value is a
/// password.
fn hints_password(role: Role, content: &[u8]) -> bool {
    let content = content.trim_ascii().to_ascii_lowercase();
    match role {
        Role::TypeField => content.starts_with(b"password"),
        Role::KeyField => [&b"password"[..], b"passwd", b"secret"]
            .iter()
            .any(|w| find(&content, w).is_some()),
        _ => false,
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// `vim25:UserSession` -> `UserSession`.
fn local_part(value: &str) -> &str {
    let value = value.trim();
    value.rsplit_once(':').map_or(value, |(_, l)| l)
}

/// `xsi:type` read loosely from raw attributes the parser rejected (as in
/// JSON-escaped XML: `xsi:type=\"UserSession\"`).
fn raw_xsi_type(raw: &str) -> Option<&str> {
    let at = raw.find(":type=")?;
    let rest = raw[at + ":type=".len()..].trim_start_matches(['\\', '"', '\'']);
    let end = rest
        .find(['\\', '"', '\'', ' ', '>', '/'])
        .unwrap_or(rest.len());
    Some(local_part(&rest[..end]))
}

fn escape_with(s: &str, rule: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match rule(c) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Trims whitespace, including JSON-escaped `\n`, `\r` and `\t`.
fn trim_scanned(mut s: &[u8]) -> &[u8] {
    loop {
        let t = s.trim_ascii();
        let t = t
            .strip_prefix(b"\\n")
            .or_else(|| t.strip_prefix(b"\\r"))
            .or_else(|| t.strip_prefix(b"\\t"))
            .unwrap_or(t);
        let t = t
            .strip_suffix(b"\\n")
            .or_else(|| t.strip_suffix(b"\\r"))
            .or_else(|| t.strip_suffix(b"\\t"))
            .unwrap_or(t);
        if t.len() == s.len() {
            return t;
        }
        s = t;
    }
}

fn blank_or_marker(content: &[u8]) -> bool {
    let t = trim_scanned(content);
    t.is_empty() || is_redacted_bytes(t)
}

fn redact_whole(value: &str) -> Cow<'_, str> {
    let t = value.trim();
    if t.is_empty() || is_redacted(t) {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(REDACTED.to_string())
    }
}

fn redact_authorization(value: &str) -> Cow<'_, str> {
    let t = value.trim_start();
    let lead = value.len() - t.len();
    match t.find(|c: char| c.is_ascii_whitespace()) {
        Some(sp) if !t[sp..].trim().is_empty() => {
            if is_redacted(t[sp..].trim()) {
                Cow::Borrowed(value)
            } else {
                Cow::Owned(format!("{}{} {REDACTED}", &value[..lead], &t[..sp]))
            }
        }
        // A lone token may be the credential itself.
        _ => redact_whole(value),
    }
}

/// Replaces every cookie value of a `Cookie` or `Set-Cookie` value. Splits
/// on `;` and on `,` (folded `Set-Cookie` lines), keeping the attributes.
fn redact_cookies(value: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut after_expires = false;
    let mut seg_start = 0;
    let ends = value
        .match_indices([';', ','])
        .map(|(i, _)| i)
        .chain(std::iter::once(value.len()));
    for end in ends {
        let segment = &value[seg_start..end];
        if let Some(r) = cookie_secret(segment, &mut after_expires) {
            out.push_str(&value[copied..seg_start + r.start]);
            out.push_str(REDACTED);
            copied = seg_start + r.end;
        }
        seg_start = end + 1;
    }
    if copied == 0 && out.is_empty() {
        return Cow::Borrowed(value);
    }
    out.push_str(&value[copied..]);
    Cow::Owned(out)
}

/// The range of the secret in one `;`/`,`-separated segment of a cookie
/// header, if any.
fn cookie_secret(segment: &str, after_expires: &mut bool) -> Option<Range<usize>> {
    let was_expires = std::mem::take(after_expires);
    let t = segment.trim();
    if t.is_empty() {
        return None;
    }
    let lead = segment.len() - segment.trim_start().len();
    if let Some(eq) = t.find('=') {
        let name = t[..eq].trim();
        if COOKIE_ATTRIBUTES
            .iter()
            .any(|a| name.eq_ignore_ascii_case(a))
        {
            *after_expires = name.eq_ignore_ascii_case("expires");
            return None;
        }
        let raw = &t[eq + 1..];
        let v = raw.trim();
        if v.trim_matches(['"', '\\']).is_empty() || is_redacted(v.trim_matches(['"', '\\'])) {
            return None;
        }
        let start = lead + eq + 1 + (raw.len() - raw.trim_start().len());
        return Some(start..start + v.len());
    }
    let is_date_tail = was_expires
        && t.contains(' ')
        && t.contains(':')
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" :-".contains(&b));
    if is_date_tail
        || is_redacted(t)
        || t == "''"
        || t == "\"\""
        || COOKIE_FLAGS.iter().any(|f| t.eq_ignore_ascii_case(f))
    {
        return None;
    }
    // A cookie without a name: the value itself.
    Some(lead..lead + t.len())
}

fn is_header_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The value of a header after its `:`, as a log line, a YAML block list
/// item or a (JSON or YAML) quoted string.
fn header_value_at(data: &[u8], mut i: usize) -> Option<&[u8]> {
    while matches!(data.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if matches!(data.get(i), Some(b'\n' | b'\r')) {
        // YAML: `Name:\n  - value`.
        while data.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if data.get(i) != Some(&b'-') || data.get(i + 1) != Some(&b' ') {
            return None;
        }
        i += 2;
        while matches!(data.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
    }
    if data.get(i) == Some(&b'[') {
        i += 1;
        while data.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
    }
    let rest = data.get(i..)?;
    match rest.first() {
        Some(b'"') => {
            let mut j = 1;
            while j < rest.len() {
                match rest[j] {
                    b'\\' => j += 2,
                    b'"' => return Some(&rest[1..j]),
                    _ => j += 1,
                }
            }
            Some(&rest[1..])
        }
        Some(b'\'') => {
            let mut j = 1;
            while j < rest.len() {
                if rest[j] == b'\'' {
                    if rest.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    return Some(&rest[1..j]);
                }
                j += 1;
            }
            Some(&rest[1..])
        }
        _ => {
            let end = rest
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .unwrap_or(rest.len());
            Some(&rest[..end])
        }
    }
}

/// `vmware_soap_session=<value>` anywhere, with a value other than the
/// marker.
fn scan_session_cookie(data: &[u8]) -> Option<String> {
    let needle = SESSION_COOKIE.as_bytes();
    let mut from = 0;
    while let Some(p) = find(&data[from..], needle) {
        let at = from + p;
        from = at + needle.len();
        let rest = &data[from..];
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let value = {
            let start = rest
                .iter()
                .position(|&b| !matches!(b, b'\\' | b'"' | b'\''))
                .unwrap_or(rest.len());
            let rest = &rest[start..];
            let end = rest
                .iter()
                .position(|&b| {
                    matches!(b, b';' | b'"' | b'\\' | b'\'' | b',') || b.is_ascii_whitespace()
                })
                .unwrap_or(rest.len());
            &rest[..end]
        };
        if !value.is_empty() && !is_redacted_bytes(value) {
            return Some(format!(
                "cookie `{SESSION_COOKIE}` carries an unredacted value at byte {at}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    /// The Login request of the vCenter 8.0.3 recording
    /// (shared/cassettes/pyvmomi-vcrpy/basic_connection.yaml).
    const LOGIN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
<soapenv:Body><Login xmlns="urn:vim25"><_this versionId="5.5" type="SessionManager">SessionManager</_this><userName versionId="5.5">my_user</userName><password versionId="5.5">my_password</password></Login></soapenv:Body>
</soapenv:Envelope>"#;

    /// Its response.
    const LOGIN_RESPONSE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\"\n xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"\n xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<soapenv:Body>\n<LoginResponse xmlns=\"urn:vim25\"><returnval><key>5220f274-9ba1-a663-b51f-9b16fca182f1</key><userName>my_user</userName><fullName>my_user</fullName><loginTime>2023-12-14T06:53:33.763524Z</loginTime><lastActiveTime>2023-12-14T06:53:33.763524Z</lastActiveTime><locale>en</locale><messageLocale>en</messageLocale><extensionSession>false</extensionSession><ipAddress>10.234.46.97</ipAddress><userAgent>pyvmomi Python/3.9.8 (Darwin; 22.6.0; arm64)</userAgent><callCount>0</callCount></returnval></LoginResponse>\n</soapenv:Body>\n</soapenv:Envelope>";

    const SESSION_KEY: &str = "5220f274-9ba1-a663-b51f-9b16fca182f1";

    #[test]
    fn login_request_password_redacted_rest_byte_for_byte() {
        let r = Redactor::default();
        let out = r.body(LOGIN.as_bytes());
        let expected = LOGIN.replace(">my_password<", ">(redacted)<");
        assert_eq!(s(&out), expected);
        assert!(s(&out).contains("<userName versionId=\"5.5\">my_user</userName>"));
        assert_eq!(r.contains_secret(&out), None);
        let found = r.contains_secret(LOGIN.as_bytes()).unwrap();
        assert!(found.contains("`password`"), "{found}");
        assert!(!found.contains("my_password"), "{found}");
    }

    #[test]
    fn login_response_key_redacted_device_key_kept() {
        let r = Redactor::default();
        let out = r.body(LOGIN_RESPONSE.as_bytes());
        assert_eq!(
            s(&out),
            LOGIN_RESPONSE.replace(SESSION_KEY, REDACTED),
            "only the session key changes"
        );
        // The same body with an unrelated VirtualDevice key next to it.
        let mixed = LOGIN_RESPONSE.replace(
            "</LoginResponse>",
            "</LoginResponse><RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval><objects><obj type=\"VirtualMachine\">vm-42</obj><propSet><name>config.hardware.device</name><val xsi:type=\"ArrayOfVirtualDevice\"><VirtualDevice xsi:type=\"VirtualE1000\"><key>4000</key><deviceInfo><label>Network adapter 1</label></deviceInfo><controllerKey>100</controllerKey></VirtualDevice><VirtualDevice xsi:type=\"VirtualIDEController\"><key>201</key><busNumber>1</busNumber></VirtualDevice></val></propSet></objects></returnval></RetrievePropertiesExResponse>",
        );
        let out = r.body(mixed.as_bytes());
        let out = s(&out);
        assert!(!out.contains(SESSION_KEY));
        assert!(out.contains("<key>(redacted)</key><userName>my_user</userName>"));
        assert!(out.contains("<key>201</key>"));
        assert!(out.contains("<key>4000</key>"));
        assert_eq!(out, mixed.replace(SESSION_KEY, REDACTED));
    }

    #[test]
    fn vcsim_current_session_in_retrieve_properties() {
        // vcsim binds the XSI namespace to the prefix `XMLSchema-instance`.
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>3</token><objects><obj type="SessionManager">SessionManager</obj><propSet><name>currentSession</name><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="UserSession"><key>52d5a0a3-7a4c-2b36-e1b4-a1e3c1d8f0aa</key><userName>user</userName><fullName>user</fullName></val></propSet><propSet><name>sessionList</name><val XMLSchema-instance:type="ArrayOfUserSession" xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"><UserSession><key>52aa0000-0000-0000-0000-000000000001</key><userName>other</userName></UserSession></val></propSet><propSet><name>other</name><val o:type="UserSession" xmlns:o="urn:not-xsi"><key>keep-me</key></val></propSet></objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#;
        let r = Redactor::default();
        let out = r.body(body.as_bytes());
        let out = s(&out);
        assert!(!out.contains("52d5a0a3"), "{out}");
        assert!(!out.contains("52aa0000"), "{out}");
        assert!(out.contains("<userName>user</userName>"));
        // A paging token is not a credential.
        assert!(out.contains("<token>3</token>"));
        // `type` in another namespace is not xsi:type.
        assert!(out.contains("<key>keep-me</key>"));
        assert_eq!(r.contains_secret(out.as_bytes()), None);
        assert!(r.contains_secret(body.as_bytes()).is_some());
    }

    #[test]
    fn customization_password_subtree() {
        let body = r#"<CustomizationSpecItem xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><spec><identity xsi:type="CustomizationSysprep"><guiUnattended><password><value>Adm1n!</value><plainText>true</plainText></password><timeZone>85</timeZone><autoLogon>false</autoLogon></guiUnattended><identification><joinDomain>corp</joinDomain><domainAdmin>joiner</domainAdmin><domainAdminPassword>
  <value>J0in&amp;Pw</value>
  <plainText>true</plainText>
</domainAdminPassword></identification></identity></spec><other xsi:type="CustomizationPassword"><value>typed</value></other></CustomizationSpecItem>"#;
        let r = Redactor::default();
        let out = r.body(body.as_bytes());
        let out = s(&out);
        assert!(
            out.contains(
                "<password><value>(redacted)</value><plainText>true</plainText></password>"
            ),
            "{out}"
        );
        assert!(out.contains("<domainAdminPassword>\n  <value>(redacted)</value>\n  <plainText>true</plainText>\n</domainAdminPassword>"), "{out}");
        assert!(out.contains(
            "<other xsi:type=\"CustomizationPassword\"><value>(redacted)</value></other>"
        ));
        assert!(out.contains("<domainAdmin>joiner</domainAdmin>"));
        assert!(out.contains("<timeZone>85</timeZone>"));
        assert_eq!(r.contains_secret(out.as_bytes()), None);
    }

    #[test]
    fn nested_and_contextual_secrets() {
        let r = Redactor::default();
        let body = r#"<Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<AddHost_Task><spec><hostName>esx1</hostName><userName>root</userName><password>r00t</password><sslThumbprint>AA:BB</sslThumbprint><vimAccountPassword>v1m</vimAccountPassword></spec></AddHost_Task>
<CloneSession><cloneTicket>cst-VCT-52</cloneTicket></CloneSession>
<AcquireCloneTicketResponse><returnval>cst-VCT-53</returnval></AcquireCloneTicketResponse>
<AcquireGenericServiceTicketResponse><returnval><id>cst-GST-1</id><hostName>h</hostName></returnval></AcquireGenericServiceTicketResponse>
<SessionIsActive><sessionID>52sess</sessionID><userName>u</userName></SessionIsActive>
<AcquireCredentialsInGuest><sessionID>12345</sessionID><requestedAuth xsi:type="SAMLTokenAuthentication"><token>&lt;saml2:Assertion/&gt;</token></requestedAuth></AcquireCredentialsInGuest>
<ContinueRetrievePropertiesEx><token>7</token></ContinueRetrievePropertiesEx>
<vApp><property><key>3</key><id>root_pw</id><type>password(8..)</type><value>ovfP@ss</value></property><property><key>4</key><type>string</type><value>visible</value></property></vApp>
<option><key>Security.PasswordHistory</key><value xsi:type="xsd:int">5</value></option>
<option><key>app.db.password</key><value xsi:type="xsd:string">dbpw</value></option>
<hostAuthParams><key>user</key><value>nested-secret</value></hostAuthParams>
<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>wss-user</wsse:Username><wsse:Password>wss-pw</wsse:Password></wsse:UsernameToken></wsse:Security>
<x:password xmlns:x="urn:other">prefixed</x:password>
<password/><password></password>
</Body>"#;
        let out = r.body(body.as_bytes());
        let out = s(&out);
        for secret in [
            "r00t",
            "v1m",
            "cst-VCT-52",
            "cst-VCT-53",
            "cst-GST-1",
            "52sess",
            "saml2:Assertion",
            "ovfP@ss",
            "dbpw",
            "nested-secret",
            ">user<",
            "wss-user",
            "wss-pw",
            "prefixed",
        ] {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
        for kept in [
            "<hostName>esx1</hostName>",
            "<userName>root</userName>",
            "<sslThumbprint>AA:BB</sslThumbprint>",
            "<hostName>h</hostName>",
            "<sessionID>12345</sessionID>",
            "<token>7</token>",
            "<value>visible</value>",
            "<value xsi:type=\"xsd:int\">5</value>",
            "<key>user</key>".replace("user", REDACTED).as_str(),
            "<password/><password></password>",
        ] {
            assert!(out.contains(kept), "{kept} missing:\n{out}");
        }
        assert_eq!(r.contains_secret(out.as_bytes()), None);
        // Idempotent.
        assert_eq!(s(&r.body(out.as_bytes())), out);
        assert!(matches!(r.body(out.as_bytes()), Cow::Borrowed(_)));
    }

    #[test]
    fn caller_elements() {
        let r = Redactor::default().with_element("licenseKey");
        let out = r.body(b"<a><licenseKey>AAAAA-BBBBB</licenseKey><key>1</key></a>");
        assert_eq!(
            s(&out),
            "<a><licenseKey>(redacted)</licenseKey><key>1</key></a>"
        );
    }

    #[test]
    fn set_cookie_with_attributes() {
        let r = Redactor::default();
        // As the vCenter 8.0.3 recording has it.
        assert_eq!(
            r.header(
                "set-cookie",
                "vmware_soap_session=\"7bea48466ca72276d54d979e86c48fb254b0f4ec\"; Path=/; HttpOnly; Secure;"
            ),
            "vmware_soap_session=(redacted); Path=/; HttpOnly; Secure;"
        );
        assert_eq!(
            r.header(
                "Set-Cookie",
                "id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=3600; Domain=vc.example; SameSite=Strict"
            ),
            "id=(redacted); Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=3600; Domain=vc.example; SameSite=Strict"
        );
        // Two cookies folded into one line.
        assert_eq!(
            r.header("Set-Cookie", "a=1; Path=/, b=2; Path=/"),
            "a=(redacted); Path=/, b=(redacted); Path=/"
        );
        // Redacted values stay as they are, borrowed.
        let done = "vmware_soap_session=(redacted); Path=/; HttpOnly; Secure;";
        assert!(matches!(r.header("Set-Cookie", done), Cow::Borrowed(_)));
    }

    #[test]
    fn cookie_with_two_cookies() {
        let r = Redactor::default();
        assert_eq!(
            r.header("Cookie", "vmware_soap_session=52a1b2c3; other=\"x=y\""),
            "vmware_soap_session=(redacted); other=(redacted)"
        );
        // pyvmomi sends the whole Set-Cookie line back, and an empty one.
        assert_eq!(
            r.header(
                "cookie",
                "vmware_soap_session=\"7bea\"; Path=/; HttpOnly; Secure;"
            ),
            "vmware_soap_session=(redacted); Path=/; HttpOnly; Secure;"
        );
        assert!(matches!(r.header("Cookie", ""), Cow::Borrowed("")));
        // A cookie without a name is all value.
        assert_eq!(r.header("Cookie", "52a1b2c3"), REDACTED);
    }

    #[test]
    fn authorization_and_session_headers() {
        let r = Redactor::default().with_header("X-Api-Key");
        assert_eq!(
            r.header("Authorization", "Basic dXNlcjpwYXNz"),
            "Basic (redacted)"
        );
        assert_eq!(
            r.header(
                "Proxy-Authorization",
                "Digest username=\"u\", response=\"6629fae4\""
            ),
            "Digest (redacted)"
        );
        assert_eq!(r.header("authorization", "Bearer"), REDACTED);
        assert_eq!(
            r.header("AUTHORIZATION", "Basic (redacted)"),
            "Basic (redacted)"
        );
        assert_eq!(r.header("vmware-api-session-id", "b00c5b8e1f"), REDACTED);
        assert_eq!(r.header("x-api-key", "k"), REDACTED);
        assert!(matches!(
            r.header("SOAPAction", "\"urn:vim25/8.0.3.0\""),
            Cow::Borrowed("\"urn:vim25/8.0.3.0\"")
        ));
    }

    #[test]
    fn literals_in_bodies_and_headers() {
        let r = Redactor::default()
            .with_literal("P&ss<w\"rd")
            .with_literal("7bea48466ca7")
            .with_literal("");
        // A fault that echoes the password, escaped two ways.
        let body = b"<faultstring>Cannot log in with P&amp;ss&lt;w\"rd or P&amp;ss&lt;w&quot;rd</faultstring>";
        assert_eq!(
            s(&r.body(body)),
            "<faultstring>Cannot log in with (redacted) or (redacted)</faultstring>"
        );
        // JSON-escaped, as in a cassette file.
        let json = br#"{"string": "<x>P&amp;ss&lt;w\"rd</x>"}"#;
        assert!(r.contains_secret(json).unwrap().contains("literal #1"));
        assert_eq!(
            r.header("User-Agent", "agent 7bea48466ca7 / 7bea48466ca7"),
            "agent (redacted) / (redacted)"
        );
        assert_eq!(r.header("X-Other", "fine"), "fine");
        let found = r.contains_secret(b"... 7bea48466ca7 ...").unwrap();
        assert!(
            found.contains("literal #2") && !found.contains("7bea"),
            "{found}"
        );
        assert_eq!(
            format!("{r:?}"),
            "Redactor { elements: [], headers: [], literals: 2 }"
        );
    }

    #[test]
    fn malformed_login_truncated_at_every_byte() {
        let r = Redactor::default().with_literal("my_password");
        let plain = Redactor::default();
        let bytes = LOGIN.as_bytes();
        for end in 0..=bytes.len() {
            let cut = &bytes[..end];
            for red in [&r, &plain] {
                let out = red.body(cut);
                assert!(
                    find(&out, b"my_password").is_none(),
                    "password leaked when cut at {end}: {}",
                    String::from_utf8_lossy(&out)
                );
                // Even partial passwords: no 4-byte piece of it survives
                // next to the password tag.
                assert!(
                    find(&out, b">my_p").is_none(),
                    "password prefix leaked when cut at {end}: {}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
        // Garbage in the middle: the parsed prefix, then one marker.
        let broken = LOGIN.replace("<password versionId=\"5.5\">", "<password versionId=5.5>");
        let out = plain.body(broken.as_bytes());
        assert!(
            s(&out).ends_with("my_user</userName>(redacted)"),
            "{}",
            s(&out)
        );
        let broken = LOGIN.replace("</password>", "</passwd>");
        let out = plain.body(broken.as_bytes());
        assert!(!s(&out).contains("my_password"), "{}", s(&out));
        assert!(
            s(&out).ends_with("<password versionId=\"5.5\">(redacted)"),
            "{}",
            s(&out)
        );
        // Not XML at all, and binary junk: no panic.
        assert!(matches!(
            plain.body(b"Service Unavailable"),
            Cow::Borrowed(_)
        ));
        let _ = plain.body(&[0xff, b'<', 0x00, b'>', b'&']);
        let _ = plain.body(b"<a><password>\xff\xfe</password></a>");
    }

    #[test]
    fn contains_secret_planted_and_clean() {
        let r = Redactor::default();
        let log = format!(
            "request POST https://vc/sdk\ncookie: vmware_soap_session=52a1b2\ncontent-type: text/xml\n\n{LOGIN}\nresponse 200\nset-cookie: vmware_soap_session=\"52a1b2\"; Path=/\n\n{LOGIN_RESPONSE}\n"
        );
        let found = r.contains_secret(log.as_bytes()).unwrap();
        assert!(found.contains("`password`"), "{found}");
        // Redact every part as the transport does: clean.
        let redacted = format!(
            "request POST https://vc/sdk\ncookie: {}\ncontent-type: text/xml\n\n{}\nresponse 200\nset-cookie: {}\n\n{}\n",
            r.header("cookie", "vmware_soap_session=52a1b2"),
            s(&r.body(LOGIN.as_bytes())),
            r.header("set-cookie", "vmware_soap_session=\"52a1b2\"; Path=/"),
            s(&r.body(LOGIN_RESPONSE.as_bytes())),
        );
        assert_eq!(r.contains_secret(redacted.as_bytes()), None, "{redacted}");
        // Only the cookie left behind.
        let planted = redacted.replace(
            "cookie: vmware_soap_session=(redacted)",
            "cookie: vmware_soap_session=52a1b2",
        );
        let found = r.contains_secret(planted.as_bytes()).unwrap();
        assert!(found.contains("cookie"), "{found}");
        assert!(!found.contains("52a1b2"), "{found}");
        // Only the session key left behind.
        let planted = redacted.replace(
            "<key>(redacted)</key>",
            &format!("<key>{SESSION_KEY}</key>"),
        );
        let found = r.contains_secret(planted.as_bytes()).unwrap();
        assert!(found.contains("`key`"), "{found}");
        // A cookie as a JSON header, and an Authorization line.
        let json = br#"{"headers": {"Set-Cookie": ["vmware_soap_session=\"52a1\"; Path=/"]}}"#;
        assert!(r.contains_secret(json).is_some());
        let json = br#"{"headers": {"Set-Cookie": ["vmware_soap_session=(redacted); Path=/"]}}"#;
        assert_eq!(r.contains_secret(json), None);
        assert!(
            r.contains_secret(b"Authorization: Basic dXNlcjpwYXNz\n")
                .is_some()
        );
        assert_eq!(
            r.contains_secret(b"Authorization: Basic (redacted)\n"),
            None
        );
    }

    #[test]
    fn contains_secret_in_vcrpy_cassettes() {
        // The real recordings hold the password, the session key and the
        // cookie: the scanner must see them through YAML quoting.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/cassettes/pyvmomi-vcrpy/basic_connection.yaml");
        let Ok(yaml) = std::fs::read(&dir) else {
            return;
        };
        let r = Redactor::default();
        let found = r.contains_secret(&yaml).unwrap();
        assert!(found.contains("`password`"), "{found}");
        // Without the password, the session key (in a JSON-style escaped
        // YAML string) is next.
        let text = String::from_utf8(yaml)
            .unwrap()
            .replace(">my_password<", ">(redacted)<");
        let found = r.contains_secret(text.as_bytes()).unwrap();
        assert!(found.contains("`key`"), "{found}");
        let text = text.replace(SESSION_KEY, REDACTED);
        let found = r.contains_secret(text.as_bytes()).unwrap();
        assert!(found.contains("cookie"), "{found}");
        let text = text.replace("7bea48466ca72276d54d979e86c48fb254b0f4ec", REDACTED);
        let text = text.replace(
            "vmware_soap_session=\"(redacted)\"",
            "vmware_soap_session=(redacted)",
        );
        assert_eq!(r.contains_secret(text.as_bytes()), None);
    }

    #[test]
    fn bodies_without_secrets_are_borrowed() {
        let r = Redactor::default().with_literal("never-there");
        for body in [
            LOGIN.replace("<password versionId=\"5.5\">my_password</password>", ""),
            String::new(),
            "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval><token>1</token><objects><obj type=\"VirtualMachine\">vm-1</obj><propSet><name>config.hardware.device</name><val><VirtualDevice><key>201</key></VirtualDevice></val></propSet></objects></returnval></RetrievePropertiesExResponse>".to_string(),
        ] {
            assert!(
                matches!(r.body(body.as_bytes()), Cow::Borrowed(b) if b == body.as_bytes()),
                "{body}"
            );
        }
    }
}
