//! API-release negotiation for the vim25 SOAP API (what pyVmomi's
//! `SmartConnect` does), as pure decision logic: the client fetches, this
//! module decides.
//!
//! 1. `GET /sdk/vimServiceVersions.xml` (vSphere 4.0 and later):
//!    [`parse_service_versions`], then [`choose`].
//! 2. Without it, `GET /sdk/vimService.wsdl`: [`is_vim_service_wsdl`] proves a
//!    vim25 endpoint but names no release.
//! 3. Last resort, `about.apiVersion` of `RetrieveServiceContent`:
//!    [`choose_from_about`].
//!
//! The chosen [`Release`] goes on every request as the `SOAPAction`
//! ([`Release::soap_action`]); the server then behaves as that release.
//!
//! Odd version texts: servers list a few releases that are not dotted
//! numbers: `2.5u2` and `2.5u2server` in 4.0 to 6.x servers, and an internal
//! build code such as `uA046D008` as the *current* version of a pre-release
//! vCenter (the 8.0.3 recording in `shared/cassettes`). [`Release`] is
//! strictly numeric, so such entries are kept as text in
//! [`ServiceVersions::unrecognized`] and never chosen: nobody needs 2.5
//! update releases, and a code cannot be placed in the order. One odd entry
//! never fails a document; a document with no numbered release at all does.

// The type lives with the request check in the bindings, so that the
// client, negotiation and the check share it.
pub use vmomi_bindings::rt::release::{NEWEST_KNOWN, ParseReleaseError, Release};

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};

/// The wire names of every vim25 release this SDK knows, oldest first, ending
/// with [`NEWEST_KNOWN`] (taken from `shared/vmodl/versions.json`).
///
/// Two entries, `2.5u2` and `2.5u2server`, are not numbered releases and do
/// not parse as [`Release`]; every other entry does, in ascending order.
#[must_use]
pub fn known_releases() -> &'static [&'static str] {
    // The generated release table (from versions.json), cut at the newest
    // release the client negotiates.
    let all = crate::rt::release::RELEASES;
    let end = all
        .iter()
        .position(|r| *r == NEWEST_KNOWN)
        .map_or(all.len(), |i| i + 1);
    &all[..end]
}

/// Longest piece of untrusted text quoted in an error message.
const QUOTE_MAX: usize = 64;

/// `s`, cut to [`QUOTE_MAX`] characters so that an error message stays
/// readable whatever the server sent.
fn clip(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// Everything negotiation can report. Messages name what was wrong and
/// quote what the server sent (cut to 64 characters).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// A release text that does not parse (see [`ParseReleaseError`]).
    #[error(transparent)]
    BadRelease(#[from] ParseReleaseError),
    /// `about.apiVersion` is not a numbered release.
    #[error("about.apiVersion: {0}")]
    BadApiVersion(ParseReleaseError),
    /// The versions document is not well-formed XML (or not UTF-8).
    #[error("vimServiceVersions.xml: not well-formed XML at byte {offset}: {message}")]
    NotXml {
        /// Byte offset in the document where the problem was found.
        offset: u64,
        /// What the XML reader reported.
        message: String,
    },
    /// Well-formed XML, but its root is not `<namespaces>` (an error page, say).
    #[error("vimServiceVersions.xml: root element is <{root}>, expected <namespaces>")]
    NotServiceVersions {
        /// The root element's name as written.
        root: String,
    },
    /// No `<namespace>` is named `urn:vim25`.
    #[error("vimServiceVersions.xml: no urn:vim25 namespace (found: {})", quoted(.found))]
    NoVim25Namespace {
        /// The names of the namespaces the document has.
        found: Vec<String>,
    },
    /// The `urn:vim25` namespace has no (or an empty) `<version>`.
    #[error("vimServiceVersions.xml: namespace urn:vim25 has no <version>")]
    NoVersion,
    /// Every version the `urn:vim25` namespace lists is an odd text, none a
    /// numbered release.
    #[error(
        "vimServiceVersions.xml: urn:vim25 lists no numbered release, only {}",
        quoted(.unrecognized)
    )]
    NoNumberedRelease {
        /// The texts listed, in document order.
        unrecognized: Vec<String>,
    },
    /// Every release the server offers is newer than the client knows.
    #[error(
        "no common release: the server offers {}, this client knows releases up to {client_newest}",
        listed(.server)
    )]
    NoCommonRelease {
        /// The server's numbered releases, in document order.
        server: Vec<Release>,
        /// The newest release the client knows.
        client_newest: Release,
    },
    /// The pinned release is not among the server's releases.
    #[error("pinned release {pinned} is not offered by the server (it offers {})", listed(.offered))]
    PinnedNotOffered {
        /// The pin.
        pinned: Release,
        /// The server's numbered releases, in document order.
        offered: Vec<Release>,
    },
    /// The pinned release is newer than the server's `about.apiVersion`.
    #[error("pinned release {pinned} is newer than the server's about.apiVersion {server}")]
    PinnedAboveServer {
        /// The pin.
        pinned: Release,
        /// The server's `about.apiVersion`.
        server: Release,
    },
}

fn listed(releases: &[Release]) -> String {
    if releases.is_empty() {
        return "nothing".to_owned();
    }
    let texts: Vec<&str> = releases.iter().map(Release::as_str).collect();
    texts.join(", ")
}

fn quoted(texts: &[String]) -> String {
    if texts.is_empty() {
        return "nothing".to_owned();
    }
    let texts: Vec<String> = texts.iter().map(|t| format!("{:?}", clip(t))).collect();
    texts.join(", ")
}

/// The `urn:vim25` entry of a server's `vimServiceVersions.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceVersions {
    /// The namespace's `<name>`: always `urn:vim25`.
    pub namespace: String,
    /// The namespace's `<version>`; `None` when that is not a numbered
    /// release (a pre-release vCenter names it with a build code), in which
    /// case the text is in [`unrecognized`](Self::unrecognized).
    pub current: Option<Release>,
    /// The numbered releases of `<priorVersions>`, in document order
    /// (servers list them newest first).
    pub prior: Vec<Release>,
    /// Version texts that are not numbered releases (`uA046D008`, `2.5u2`,
    /// `2.5u2server`), in document order, trimmed: kept for diagnostics,
    /// never chosen.
    pub unrecognized: Vec<String>,
}

impl ServiceVersions {
    /// Every numbered release the server offers: the current one first, then
    /// the prior ones in document order.
    pub fn all(&self) -> impl Iterator<Item = &Release> {
        self.current.iter().chain(self.prior.iter())
    }
}

/// Parses a server's `/sdk/vimServiceVersions.xml` and returns its
/// `urn:vim25` namespace (others, such as `urn:vim2`, are ignored).
///
/// The whole document must be well-formed UTF-8 XML with root `<namespaces>`,
/// so a truncated download is an error, not a shorter list. Versions that are
/// not numbered releases go to [`ServiceVersions::unrecognized`] instead of
/// failing the document (see the [module docs](self)); if the first
/// `urn:vim25` namespace lists no numbered release at all, that is
/// [`VersionError::NoNumberedRelease`]. Never panics, whatever the input.
///
/// # Errors
///
/// [`NotXml`](VersionError::NotXml) (with the byte offset),
/// [`NotServiceVersions`](VersionError::NotServiceVersions),
/// [`NoVim25Namespace`](VersionError::NoVim25Namespace),
/// [`NoVersion`](VersionError::NoVersion) or
/// [`NoNumberedRelease`](VersionError::NoNumberedRelease).
///
/// ```
/// use vmomi::release::parse_service_versions;
/// let xml = br#"<?xml version="1.0" encoding="UTF-8" ?>
/// <namespaces version="1.0">
///  <namespace>
///   <name>urn:vim25</name>
///   <version>6.5</version>
///   <priorVersions><version>6.0</version><version>2.5u2</version></priorVersions>
///  </namespace>
///  <namespace><name>urn:vim2</name><version>2.0</version></namespace>
/// </namespaces>"#;
/// let sv = parse_service_versions(xml).unwrap();
/// assert_eq!(sv.current.as_ref().unwrap().as_str(), "6.5");
/// assert_eq!(sv.prior.len(), 1);
/// assert_eq!(sv.unrecognized, ["2.5u2"]);
/// ```
pub fn parse_service_versions(xml: &[u8]) -> Result<ServiceVersions, VersionError> {
    let doc = read_versions_doc(xml)?;
    let found: Vec<String> = doc.namespaces.iter().map(|n| n.name.clone()).collect();
    // Only the first urn:vim25 entry counts; a second one would be a server bug.
    let Some(ns) = doc.namespaces.into_iter().find(|n| n.name == "urn:vim25") else {
        return Err(VersionError::NoVim25Namespace { found });
    };
    let current_text = match ns.version {
        Some(t) if !t.is_empty() => t,
        _ => return Err(VersionError::NoVersion),
    };
    let mut unrecognized = Vec::new();
    let current = match current_text.parse::<Release>() {
        Ok(r) => Some(r),
        Err(_) => {
            unrecognized.push(current_text);
            None
        }
    };
    let mut prior = Vec::new();
    for text in ns.prior.into_iter().filter(|t| !t.is_empty()) {
        match text.parse::<Release>() {
            Ok(r) => prior.push(r),
            Err(_) => unrecognized.push(text),
        }
    }
    if current.is_none() && prior.is_empty() {
        return Err(VersionError::NoNumberedRelease { unrecognized });
    }
    Ok(ServiceVersions {
        namespace: ns.name,
        current,
        prior,
        unrecognized,
    })
}

/// One `<namespace>` as written: texts trimmed, nothing parsed yet.
#[derive(Default)]
struct RawNamespace {
    name: String,
    version: Option<String>,
    prior: Vec<String>,
}

struct RawDoc {
    namespaces: Vec<RawNamespace>,
}

/// Which text an open element collects into.
#[derive(Clone, Copy)]
enum Slot {
    Name,
    Version,
    Prior,
}

/// Reads the whole versions document. Elements are matched by local name
/// (servers write no namespaces here); unknown elements are skipped.
fn read_versions_doc(xml: &[u8]) -> Result<RawDoc, VersionError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    // Local names of the open elements, root first.
    let mut stack: Vec<String> = Vec::new();
    let mut seen_root = false;
    let mut namespaces = Vec::new();
    let mut current = RawNamespace::default();
    // The element collecting text, its depth, and the text so far.
    let mut slot: Option<(Slot, usize)> = None;
    let mut text = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(xml, &reader, e))?;
        let (start, is_empty) = match event {
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(_) => {
                let depth = stack.len();
                let closed = stack.pop();
                if let Some((which, _)) = slot.filter(|&(_, at)| at == depth) {
                    let t = std::mem::take(&mut text).trim().to_owned();
                    store(&mut current, which, t);
                    slot = None;
                }
                if depth == 2 && closed.as_deref() == Some("namespace") {
                    namespaces.push(std::mem::take(&mut current));
                }
                continue;
            }
            Event::Text(t) => {
                if collecting(slot, &stack) {
                    text.push_str(&t);
                } else if stack.is_empty() && !t.trim().is_empty() {
                    return Err(not_xml(&reader, "text outside the root element"));
                }
                continue;
            }
            Event::CData(c) => {
                if collecting(slot, &stack) {
                    text.push_str(&c);
                } else if stack.is_empty() {
                    return Err(not_xml(&reader, "CDATA outside the root element"));
                }
                continue;
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(not_xml(
                                &reader,
                                &format!("unknown entity &{};", clip(&r)),
                            ));
                        }
                    },
                    Err(e) => return Err(xml_error(xml, &reader, e)),
                };
                if stack.is_empty() {
                    return Err(not_xml(&reader, "reference outside the root element"));
                }
                if collecting(slot, &stack) {
                    text.push_str(&c);
                }
                continue;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => continue,
        };
        let local = start.local_name();
        let local: &str = local.as_ref();
        if stack.is_empty() {
            if seen_root {
                return Err(not_xml(&reader, "a second root element"));
            }
            seen_root = true;
            if local != "namespaces" {
                return Err(VersionError::NotServiceVersions {
                    root: clip(start.name().as_ref()),
                });
            }
        }
        let parent = stack.last().map(String::as_str);
        let grandparent = stack.len().checked_sub(2).map(|i| stack[i].as_str());
        let depth = stack.len() + 1;
        if slot.is_none() {
            let starts = match (depth, parent, grandparent, local) {
                (3, Some("namespace"), _, "name") => Some(Slot::Name),
                (3, Some("namespace"), _, "version") => Some(Slot::Version),
                (4, Some("priorVersions"), Some("namespace"), "version") => Some(Slot::Prior),
                _ => None,
            };
            if let Some(which) = starts {
                if is_empty {
                    store(&mut current, which, String::new());
                } else {
                    slot = Some((which, depth));
                    text.clear();
                }
            }
        }
        if !is_empty {
            stack.push(local.to_owned());
        }
    }
    if let Some(open) = stack.last() {
        return Err(VersionError::NotXml {
            offset: xml.len() as u64,
            message: format!("document ends inside <{}>", clip(open)),
        });
    }
    if !seen_root {
        return Err(VersionError::NotXml {
            offset: xml.len() as u64,
            message: "no root element".to_owned(),
        });
    }
    Ok(RawDoc { namespaces })
}

/// Whether text read now belongs to the collecting element (not to a child).
fn collecting(slot: Option<(Slot, usize)>, stack: &[String]) -> bool {
    slot.is_some_and(|(_, at)| at == stack.len())
}

/// Records a collected text; the first `<name>` and `<version>` win.
fn store(ns: &mut RawNamespace, which: Slot, text: String) {
    match which {
        Slot::Name if ns.name.is_empty() => ns.name = text,
        Slot::Version if ns.version.is_none() => ns.version = Some(text),
        Slot::Prior => ns.prior.push(text),
        _ => {}
    }
}

fn not_xml(reader: &quick_xml::Reader<&[u8]>, message: &str) -> VersionError {
    VersionError::NotXml {
        offset: reader.buffer_position(),
        message: message.to_owned(),
    }
}

fn xml_error(
    xml: &[u8],
    reader: &quick_xml::Reader<&[u8]>,
    e: impl Into<quick_xml::Error>,
) -> VersionError {
    let e = e.into();
    let offset = match &e {
        quick_xml::Error::Syntax(_) | quick_xml::Error::IllFormed(_) => reader.error_position(),
        // quick-xml reports the end of the failing chunk; the first bad byte
        // of the prefix is more useful.
        quick_xml::Error::Encoding(_) => {
            let end = usize::try_from(reader.buffer_position())
                .unwrap_or(usize::MAX)
                .min(xml.len());
            match std::str::from_utf8(&xml[..end]) {
                Err(u) => u.valid_up_to() as u64,
                Ok(_) => reader.buffer_position(),
            }
        }
        _ => reader.buffer_position(),
    };
    VersionError::NotXml {
        offset,
        message: e.to_string(),
    }
}

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";

/// Whether `xml` is a vim25 `vimService.wsdl`: a well-formed document whose
/// root is WSDL `definitions` (any prefix) with `targetNamespace`
/// `urn:vim25Service`, or that imports namespace `urn:vim25`.
///
/// Servers without `vimServiceVersions.xml` still serve this file; it proves a
/// vim25 endpoint but names no release, so the client then asks
/// `about.apiVersion` ([`choose_from_about`]). Never panics.
#[must_use]
pub fn is_vim_service_wsdl(xml: &[u8]) -> bool {
    scan_wsdl(xml).unwrap_or(false)
}

/// `None` when the document is not well-formed.
fn scan_wsdl(xml: &[u8]) -> Option<bool> {
    let mut reader = quick_xml::NsReader::from_reader(xml);
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut matched = false;
    loop {
        let (ns, event) = reader.read_resolved_event().ok()?;
        let in_wsdl = matches!(ns, ResolveResult::Bound(Namespace(n)) if n == WSDL_NS);
        let (start, is_empty) = match event {
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(_) => {
                depth = depth.checked_sub(1)?;
                continue;
            }
            Event::Eof => break,
            Event::Text(t) if depth == 0 && !t.trim().is_empty() => return None,
            _ => continue,
        };
        let local = start.local_name();
        let local: &str = local.as_ref();
        let attr = |name: &str| {
            start
                .attributes()
                .filter_map(Result::ok)
                .find(|a| a.key.as_ref() == name)
                .and_then(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .ok()
                        .map(std::borrow::Cow::into_owned)
                })
        };
        if depth == 0 {
            if seen_root || !in_wsdl || local != "definitions" {
                return Some(false);
            }
            seen_root = true;
            matched |= attr("targetNamespace").as_deref() == Some("urn:vim25Service");
        } else if depth == 1 && in_wsdl && local == "import" {
            matched |= attr("namespace").as_deref() == Some("urn:vim25");
        }
        if !is_empty {
            depth += 1;
        }
    }
    Some(seen_root && depth == 0 && matched)
}

/// Picks the release to speak with a server, from its `vimServiceVersions.xml`.
///
/// Without a pin: the newest release the server lists (current or prior)
/// that is not newer than `newest_client` (usually [`NEWEST_KNOWN`]); a
/// server newer than the client is spoken to in the newest release both know.
/// With a pin: the pin if the server lists it (numerically: `7.0` matches
/// `7.0.0.0`), even above `newest_client`, since the caller asked for it.
/// Either way the result carries the server's spelling, which is what its
/// `SOAPAction` check expects.
///
/// # Errors
///
/// [`PinnedNotOffered`](VersionError::PinnedNotOffered), or without a pin
/// [`NoCommonRelease`](VersionError::NoCommonRelease) when every release the
/// server lists is newer than `newest_client`.
///
/// ```
/// use vmomi::release::{Release, choose, parse_service_versions};
/// let sv = parse_service_versions(
///     b"<namespaces><namespace><name>urn:vim25</name><version>8.0.3.0</version>\
///       <priorVersions><version>8.0.2.0</version><version>7.0.0.0</version></priorVersions>\
///       </namespace></namespaces>",
/// )
/// .unwrap();
/// let client: Release = "8.0.2.0".parse().unwrap();
/// assert_eq!(choose(&sv, &client, None).unwrap().as_str(), "8.0.2.0");
/// let pin: Release = "7.0".parse().unwrap();
/// assert_eq!(choose(&sv, &client, Some(&pin)).unwrap().as_str(), "7.0.0.0");
/// let absent: Release = "6.7".parse().unwrap();
/// assert!(choose(&sv, &client, Some(&absent)).is_err());
/// ```
pub fn choose(
    server: &ServiceVersions,
    newest_client: &Release,
    pinned: Option<&Release>,
) -> Result<Release, VersionError> {
    if let Some(pin) = pinned {
        return server.all().find(|r| *r == pin).cloned().ok_or_else(|| {
            VersionError::PinnedNotOffered {
                pinned: pin.clone(),
                offered: server.all().cloned().collect(),
            }
        });
    }
    // Among equal releases the first listed wins, for a stable spelling.
    server
        .all()
        .filter(|r| *r <= newest_client)
        .reduce(|best, r| if r > best { r } else { best })
        .cloned()
        .ok_or_else(|| VersionError::NoCommonRelease {
            server: server.all().cloned().collect(),
            client_newest: newest_client.clone(),
        })
}

/// Picks the release from the server's `about.apiVersion`, when no versions
/// document is available.
///
/// The server is assumed to speak every release up to its own: without a pin
/// the result is the older of `api_version` and `newest_client`; a pin is
/// accepted if it is not newer than `api_version`
/// ([`VersionError::PinnedAboveServer`] otherwise). A result equal to
/// `api_version` carries the server's spelling.
///
/// # Errors
///
/// [`BadApiVersion`](VersionError::BadApiVersion) when `api_version` (trimmed)
/// is not a numbered release, or
/// [`PinnedAboveServer`](VersionError::PinnedAboveServer).
pub fn choose_from_about(
    api_version: &str,
    newest_client: &Release,
    pinned: Option<&Release>,
) -> Result<Release, VersionError> {
    let server: Release = api_version
        .trim()
        .parse()
        .map_err(VersionError::BadApiVersion)?;
    let wanted = match pinned {
        Some(pin) if *pin > server => {
            return Err(VersionError::PinnedAboveServer {
                pinned: pin.clone(),
                server,
            });
        }
        Some(pin) => pin,
        None => newest_client,
    };
    Ok(if server <= *wanted {
        server
    } else {
        wanted.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Release {
        s.parse().unwrap()
    }

    #[test]
    fn known_releases_ascend_and_end_with_newest() {
        let known = known_releases();
        assert_eq!(known.last(), Some(&NEWEST_KNOWN));
        assert_eq!(Release::newest_known().as_str(), NEWEST_KNOWN);
        let odd: Vec<&str> = known
            .iter()
            .copied()
            .filter(|s| s.parse::<Release>().is_err())
            .collect();
        assert_eq!(odd, ["2.5u2", "2.5u2server"]);
        let numbered: Vec<Release> = known.iter().filter_map(|s| s.parse().ok()).collect();
        assert!(numbered.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn choose_from_about_takes_the_older_and_checks_pins() {
        let client = r("8.0.2.0");
        assert_eq!(
            choose_from_about("7.0.3.0", &client, None)
                .unwrap()
                .as_str(),
            "7.0.3.0"
        );
        assert_eq!(
            choose_from_about("9.0.0.0", &client, None)
                .unwrap()
                .as_str(),
            "8.0.2.0"
        );
        assert_eq!(
            choose_from_about(" 6.0 ", &client, None).unwrap().as_str(),
            "6.0"
        );
        // A pin equal to the server takes the server's spelling.
        assert_eq!(
            choose_from_about("7.0.0.0", &client, Some(&r("7.0")))
                .unwrap()
                .as_str(),
            "7.0.0.0"
        );
        assert_eq!(
            choose_from_about("7.0.3.0", &client, Some(&r("6.5")))
                .unwrap()
                .as_str(),
            "6.5"
        );
        let e = choose_from_about("6.5", &client, Some(&r("7.0"))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pinned release 7.0 is newer than the server's about.apiVersion 6.5"
        );
        let e = choose_from_about("uA046D008", &client, None).unwrap_err();
        assert!(matches!(e, VersionError::BadApiVersion(_)), "{e}");
        assert!(
            e.to_string()
                .starts_with("about.apiVersion: release \"uA046D008\""),
            "{e}"
        );
    }

    #[test]
    fn versions_doc_structure_errors() {
        let err = |x: &str| parse_service_versions(x.as_bytes()).unwrap_err();
        assert!(matches!(err(""), VersionError::NotXml { offset: 0, .. }));
        assert!(matches!(
            err("<html><body/></html>"),
            VersionError::NotServiceVersions { .. }
        ));
        assert_eq!(
            err("<namespaces><namespace><name>urn:vim2</name><version>2.0</version></namespace></namespaces>")
                .to_string(),
            "vimServiceVersions.xml: no urn:vim25 namespace (found: \"urn:vim2\")"
        );
        assert!(matches!(
            err("<namespaces><namespace><name>urn:vim25</name></namespace></namespaces>"),
            VersionError::NoVersion
        ));
        assert!(matches!(
            err("<namespaces><namespace><name>urn:vim25</name><version/></namespace></namespaces>"),
            VersionError::NoVersion
        ));
        assert_eq!(
            err("<namespaces><namespace><name>urn:vim25</name><version>uX</version></namespace></namespaces>")
                .to_string(),
            "vimServiceVersions.xml: urn:vim25 lists no numbered release, only \"uX\""
        );
        assert!(matches!(
            err("<namespaces>"),
            VersionError::NotXml { offset: 12, .. }
        ));
        assert!(matches!(
            err("<namespaces/><namespaces/>"),
            VersionError::NotXml { .. }
        ));
        assert!(matches!(
            err("<namespaces/>junk"),
            VersionError::NotXml { .. }
        ));
        assert!(matches!(
            err("<namespaces>&bogus;</namespaces>"),
            VersionError::NotXml { .. }
        ));
        assert!(matches!(
            err("<namespaces></other>"),
            VersionError::NotXml { .. }
        ));
    }

    #[test]
    fn versions_doc_text_forms() {
        // References, CDATA, comments, whitespace and an unknown child element.
        let sv = parse_service_versions(
            b"<namespaces><namespace><name> urn:vim&#50;5 </name>\
              <version><!-- c --><![CDATA[6.]]>&#x35;</version><extra><version>1.0</version></extra>\
              <priorVersions><version>\n 6.0\n</version><version/></priorVersions></namespace></namespaces>",
        )
        .unwrap();
        assert_eq!(sv.namespace, "urn:vim25");
        assert_eq!(sv.current, Some(r("6.5")));
        assert_eq!(sv.prior, [r("6.0")]);
        assert!(sv.unrecognized.is_empty());
    }
}
