//! Recorded HTTP exchanges ("cassettes") for golden tests and offline replay.
//!
//! The in-memory model is the VCR cassette of the [`vcr_cassette`] crate
//! ([`Cassette`], [`HttpInteraction`]). Two on-disk formats are read:
//!
//! * vcrpy YAML cassettes (`.yaml` / `.yml`), as recorded by pyVmomi's test
//!   suite: [`load_vcrpy`] / [`parse_vcrpy`];
//! * our own JSON format, which is the serde form of [`Cassette`] written
//!   with sorted keys so that files are byte-for-byte reproducible:
//!   [`load`] / [`save`].
//!
//! [`load_any`] picks the reader from the file extension, and [`interactions`]
//! gives a light view of each exchange (method, URI, bodies, status and the
//! SOAP operation of the request) for replay-by-operation.
//!
//! Conventions of the conversion from vcrpy:
//!
//! * a `null` body becomes an empty [`Body`] string; the [`Interaction`] view
//!   reports empty bodies as `None`;
//! * vcrpy records no timestamp per interaction: `recorded_at` is taken from
//!   the response's `Date` header when it parses as RFC 2822, and is the Unix
//!   epoch otherwise, so a conversion is always deterministic;
//! * `recorded_with` is `"vcrpy"` followed by the cassette's format version.

pub mod canon;
mod record;
mod replay;
mod vcrpy;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(crate) use record::Recording;
pub use record::{Recorder, Scrubber};
pub use replay::Player;
pub use vcr_cassette::{
    Body, Cassette, Headers, HttpInteraction, Method, Request, Response, Status,
};
pub use vcrpy::{load_vcrpy, parse_vcrpy};

/// Everything that can go wrong when reading or writing a cassette.
///
/// Every variant names the file (or the `source` label given to
/// [`parse_vcrpy`]); YAML variants also carry the 1-based line and column and,
/// for structural problems, the key path such as
/// `interactions[3].response.status.code`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// The file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        /// The file concerned.
        file: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not well-formed YAML.
    #[error("{file}:{line}:{column}: invalid YAML: {message}")]
    YamlSyntax {
        /// The file (or source label) concerned.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the YAML parser reported.
        message: String,
    },
    /// The YAML is well-formed but is not a vcrpy cassette of the expected shape.
    #[error("{file}:{line}:{column}: `{key_path}`: {message}")]
    YamlStructure {
        /// The file (or source label) concerned.
        file: String,
        /// 1-based line of the offending node (or of the mapping lacking a key).
        line: usize,
        /// 1-based column of the offending node.
        column: usize,
        /// Path of the offending key, e.g. `interactions[3].response.status.code`.
        key_path: String,
        /// What was wrong.
        message: String,
    },
    /// A JSON cassette could not be parsed (the message includes line and column).
    #[error("{file}: invalid JSON cassette: {source}")]
    Json {
        /// The file concerned.
        file: PathBuf,
        /// The underlying serde_json error.
        #[source]
        source: serde_json::Error,
    },
    /// The file extension is none of `.yaml`, `.yml` or `.json`.
    #[error("{file}: unknown cassette format (expected a .yaml, .yml or .json extension)")]
    UnknownFormat {
        /// The file concerned.
        file: PathBuf,
    },
}

/// Reads a cassette in our JSON format (see [`save`]).
pub fn load(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| CassetteError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let json = |source| CassetteError::Json {
        file: path.to_path_buf(),
        source,
    };
    let cassette: Cassette = serde_json::from_str(&text).map_err(json)?;
    writable_dates(&cassette).map_err(json)?;
    Ok(cassette)
}

/// The years RFC 2822 can write (four digits): vcr-cassette panics on any
/// other when it writes `recorded_at`, though chrono parses them.
pub(crate) const RFC2822_YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

/// Checks that every `recorded_at` can be written back: vcr-cassette writes
/// it as RFC 2822, which has four-digit years, and panics on any other (a
/// fuzzer found `Date: Wed, 25 Nov 22026 ...`, which parses).
fn writable_dates(cassette: &Cassette) -> Result<(), serde_json::Error> {
    use vcr_cassette::chrono::Datelike;
    for (n, i) in cassette.http_interactions.iter().enumerate() {
        let year = i.recorded_at.year();
        if !RFC2822_YEARS.contains(&year) {
            return Err(<serde_json::Error as serde::ser::Error>::custom(format!(
                "interaction {n}: recorded_at is in the year {year}, which RFC 2822 cannot write (0 to 9999)"
            )));
        }
    }
    Ok(())
}

/// Serializes a cassette to our JSON format: pretty-printed, every object's
/// keys sorted (header maps included), ending in a newline. The same cassette
/// always gives the same bytes.
pub fn to_json_string(cassette: &Cassette) -> Result<String, serde_json::Error> {
    writable_dates(cassette)?;
    let value = sort_keys(serde_json::to_value(cassette)?);
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}

/// Writes a cassette in our JSON format (see [`to_json_string`]).
pub fn save(cassette: &Cassette, path: impl AsRef<Path>) -> Result<(), CassetteError> {
    let path = path.as_ref();
    let text = to_json_string(cassette).map_err(|source| CassetteError::Json {
        file: path.to_path_buf(),
        source,
    })?;
    std::fs::write(path, text).map_err(|source| CassetteError::Io {
        file: path.to_path_buf(),
        source,
    })
}

/// Reads a cassette, choosing the format by extension (case-insensitive):
/// `.yaml` / `.yml` → vcrpy ([`load_vcrpy`]), `.json` → ours ([`load`]).
pub fn load_any(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
    let path = path.as_ref();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("yaml" | "yml") => load_vcrpy(path),
        Some("json") => load(path),
        _ => Err(CassetteError::UnknownFormat {
            file: path.to_path_buf(),
        }),
    }
}

/// Rebuilds every JSON object with its keys in sorted order, whichever map
/// type serde_json was compiled with (`preserve_order` or not).
fn sort_keys(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sort_keys(v))).collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// A borrowed, simplified view of one [`HttpInteraction`].
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction<'a> {
    /// The HTTP method in upper case, e.g. `"POST"`.
    pub method: &'a str,
    /// The request URI, e.g. `"https://vcsa/sdk"`.
    pub uri: &'a str,
    /// The request body, `None` when empty.
    pub request_body: Option<&'a str>,
    /// Local name of the first child element of the SOAP `Body` of the
    /// request (e.g. `"RetrieveServiceContent"`, `"Login"`), if the request
    /// body is a SOAP envelope.
    pub soap_operation: Option<String>,
    /// The HTTP status code of the response.
    pub response_status: u16,
    /// The response body, `None` when empty.
    pub response_body: Option<&'a str>,
    /// The full interaction, for headers and the rest.
    pub raw: &'a HttpInteraction,
}

/// Returns the [`Interaction`] view of every exchange of `cassette`, in order.
pub fn interactions(cassette: &Cassette) -> Vec<Interaction<'_>> {
    cassette
        .http_interactions
        .iter()
        .map(|raw| {
            let request_body = non_empty(&raw.request.body.string);
            Interaction {
                method: raw.request.method.as_str(),
                uri: raw.request.uri.as_str(),
                request_body,
                soap_operation: request_body.and_then(soap_operation),
                response_status: raw.response.status.code,
                response_body: non_empty(&raw.response.body.string),
                raw,
            }
        })
        .collect()
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Finds the operation of a SOAP request: the local name of the first child
/// element of `Envelope/Body` (prefixes are ignored). Returns `None` when the
/// text is not a SOAP envelope, the body is empty, or the XML is malformed
/// before that point.
pub fn soap_operation(xml: &str) -> Option<String> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(xml);
    // Element depth relative to the document; Envelope is at depth 1 and Body at 2.
    let mut depth = 0usize;
    let mut in_body = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                let name = e.local_name();
                match (depth, in_body) {
                    (0, _) if name.as_ref() != "Envelope" => return None,
                    (1, false) if name.as_ref() == "Body" => in_body = true,
                    (2, true) => return Some(name.as_ref().to_owned()),
                    _ => {}
                }
                depth += 1;
            }
            Event::Empty(e) => {
                let name = e.local_name();
                match (depth, in_body) {
                    (0, _) => return None,
                    (2, true) => return Some(name.as_ref().to_owned()),
                    _ => {}
                }
            }
            Event::End(_) => {
                depth = depth.checked_sub(1)?;
                if depth < 2 && in_body {
                    // The Body closed without an element child.
                    return None;
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
