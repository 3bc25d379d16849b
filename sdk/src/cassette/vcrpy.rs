//! Import of vcrpy YAML cassettes.
//!
//! YAML crate: `saphyr` (with its parser crate `saphyr-parser`). serde_yaml is
//! archived; its forks (serde_yaml_ng, serde_norway) go through serde, which
//! hides node positions and python tags such as `!!python/unicode` behind the
//! deserializer, and serde-saphyr needs Rust 1.89 (the workspace targets 1.85).
//! saphyr is the maintained successor of yaml-rust/yaml-rust2, pure Rust,
//! YAML 1.2, and its `MarkedYaml` tree keeps a span per node and, with
//! `early_parse` off, each scalar's raw text, quoting style and tag. That lets
//! us accept the python tags, read block and flow styles alike, and report
//! `file:line:column` plus a key path for every structural error.

use std::path::Path;

use base64::Engine as _;
use saphyr::{AnnotatedMapping, MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};
use vcr_cassette::chrono::{DateTime, Datelike, FixedOffset, Utc};
use vcr_cassette::url::Url;

use super::{
    Body, Cassette, CassetteError, Headers, HttpInteraction, Method, Request, Response, Status,
};

/// Reads a vcrpy YAML cassette from `path` (see [`parse_vcrpy`]).
pub fn load_vcrpy(path: &Path) -> Result<Cassette, CassetteError> {
    let text = std::fs::read_to_string(path).map_err(|source| CassetteError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    parse_vcrpy(&text, &path.display().to_string())
}

/// Parses the text of a vcrpy YAML cassette; `source` names it in errors
/// (usually the file path).
///
/// Accepts block and flow styles, the python tags vcrpy writes
/// (`!!python/unicode`, `!!python/str`, `!!binary` with UTF-8 content),
/// bodies given as a string, as `null` or as `{string: ...}`, header values
/// given as lists or single strings, and status as `{code, message}`.
pub fn parse_vcrpy(text: &str, source: &str) -> Result<Cassette, CassetteError> {
    let cx = Cx { file: source };
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    // Keep every scalar as its raw text, style and tag: python tags survive and
    // plain scalars such as `1.0` or `012` are never reinterpreted.
    loader.early_parse(false);
    feed_bounded(text, &mut loader, &cx)?;
    if let Some(e) = loader.error() {
        return Err(cx.syntax(e));
    }
    let mut docs = loader.into_documents();
    if docs.len() > 1 {
        let node = &docs[1];
        return Err(cx.at(node, "", "expected a single YAML document, found several"));
    }
    let Some(root) = docs.pop() else {
        return Err(CassetteError::YamlStructure {
            file: source.to_owned(),
            line: 1,
            column: 1,
            key_path: "<root>".into(),
            message: "empty document, expected a mapping with `interactions`".into(),
        });
    };
    cx.cassette(&root)
}

/// Deepest nesting of sequences and mappings a cassette may have. vcrpy
/// writes four levels; the tree, its conversion and its drop all recurse.
const MAX_NESTING: usize = 64;

/// Most nodes a cassette may expand to, aliases counted at their anchor's
/// size: a few nested aliases could otherwise expand to gigabytes.
const MAX_NODES: usize = 1_000_000;

/// Feeds the parser's events to `loader`, refusing input nested deeper than
/// [`MAX_NESTING`] or expanding beyond [`MAX_NODES`].
///
/// `Parser::load` would recurse once per level of nesting (a stack overflow
/// on hostile input, found by fuzzing); its event iterator is a state machine.
fn feed_bounded<'i>(
    text: &'i str,
    loader: &mut YamlLoader<'i, MarkedYaml<'i>>,
    cx: &Cx<'_>,
) -> Result<(), CassetteError> {
    // Per open collection: the node count when it opened and its anchor id.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // Node count of each anchored node, by anchor id, for aliases.
    let mut anchored: std::collections::HashMap<usize, usize> = Default::default();
    let mut nodes = 0usize;
    let refuse = |span: Span, message: String| CassetteError::YamlSyntax {
        file: cx.file.to_owned(),
        line: span.start.line(),
        column: span.start.col() + 1,
        message,
    };
    for event in Parser::new_from_str(text) {
        let (ev, span) = event.map_err(|e| cx.syntax(&e))?;
        match &ev {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() == MAX_NESTING {
                    return Err(refuse(
                        span,
                        format!("nested deeper than {MAX_NESTING} levels"),
                    ));
                }
                open.push((nodes, *anchor));
                nodes += 1;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((start, anchor)) = open.pop() {
                    if anchor != 0 {
                        anchored.insert(anchor, nodes - start);
                    }
                }
            }
            Event::Scalar(_, _, anchor, _) => {
                nodes += 1;
                if *anchor != 0 {
                    anchored.insert(*anchor, 1);
                }
            }
            Event::Alias(anchor) => {
                nodes = nodes.saturating_add(anchored.get(anchor).copied().unwrap_or(1));
            }
            _ => {}
        }
        if nodes > MAX_NODES {
            return Err(refuse(
                span,
                format!("expands to more than {MAX_NODES} nodes (aliases of aliases?)"),
            ));
        }
        loader.on_event(ev, span);
    }
    Ok(())
}

/// Conversion context: the source name for error messages.
struct Cx<'s> {
    file: &'s str,
}

type Res<T> = Result<T, CassetteError>;

impl Cx<'_> {
    fn syntax(&self, e: &saphyr::ScanError) -> CassetteError {
        CassetteError::YamlSyntax {
            file: self.file.to_owned(),
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        }
    }

    fn at(&self, node: &MarkedYaml<'_>, path: &str, message: impl Into<String>) -> CassetteError {
        CassetteError::YamlStructure {
            file: self.file.to_owned(),
            line: node.span.start.line().max(1),
            column: node.span.start.col() + 1,
            key_path: if path.is_empty() {
                "<root>".into()
            } else {
                path.to_owned()
            },
            message: message.into(),
        }
    }

    fn cassette(&self, root: &MarkedYaml<'_>) -> Res<Cassette> {
        let map = self.mapping(root, "")?;
        let version = match get(map, "version") {
            None => None,
            Some(node) => {
                let v = self.string(node, "version")?;
                if v.trim() != "1" {
                    return Err(self.at(
                        node,
                        "version",
                        format!("unsupported vcrpy cassette format version `{v}` (expected 1)"),
                    ));
                }
                Some(v)
            }
        };
        let list = self.required(root, map, "", "interactions")?;
        let YamlData::Sequence(items) = &untag(list).data else {
            return Err(self.at(
                list,
                "interactions",
                format!("expected a list, found {}", kind(list)),
            ));
        };
        let http_interactions = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.interaction(item, &format!("interactions[{i}]")))
            .collect::<Res<Vec<_>>>()?;
        Ok(Cassette {
            http_interactions,
            recorded_with: match version {
                Some(v) => format!("vcrpy (cassette format {})", v.trim()),
                None => "vcrpy".into(),
            },
        })
    }

    fn interaction(&self, node: &MarkedYaml<'_>, path: &str) -> Res<HttpInteraction> {
        let map = self.mapping(node, path)?;
        let request = self.request(
            self.required(node, map, path, "request")?,
            &join(path, "request"),
        )?;
        let response = self.response(
            self.required(node, map, path, "response")?,
            &join(path, "response"),
        )?;
        let recorded_at = recorded_at(&response.headers);
        Ok(HttpInteraction {
            response,
            request,
            recorded_at,
        })
    }

    fn request(&self, node: &MarkedYaml<'_>, path: &str) -> Res<Request> {
        let map = self.mapping(node, path)?;
        let method_node = self.required(node, map, path, "method")?;
        let method = parse_method(&self.string(method_node, &join(path, "method"))?);
        let uri_path = join(path, "uri");
        let uri_node = self.required(node, map, path, "uri")?;
        let uri_text = self.string(uri_node, &uri_path)?;
        let uri = Url::parse(&uri_text).map_err(|e| {
            self.at(
                uri_node,
                &uri_path,
                format!("invalid URI `{uri_text}`: {e}"),
            )
        })?;
        Ok(Request {
            uri,
            body: self.body(get(map, "body"), &join(path, "body"))?,
            method,
            headers: self.headers(get(map, "headers"), &join(path, "headers"))?,
        })
    }

    fn response(&self, node: &MarkedYaml<'_>, path: &str) -> Res<Response> {
        let map = self.mapping(node, path)?;
        let status_path = join(path, "status");
        let status_node = self.required(node, map, path, "status")?;
        let status_map = self.mapping(status_node, &status_path)?;
        let code_path = join(&status_path, "code");
        let code_node = self.required(status_node, status_map, &status_path, "code")?;
        let code_text = self.string(code_node, &code_path)?;
        let code = code_text.trim().parse::<u16>().map_err(|_| {
            self.at(
                code_node,
                &code_path,
                format!("expected an HTTP status code, found `{code_text}`"),
            )
        })?;
        let message = match get(status_map, "message") {
            Some(m) => self
                .text(m, &join(&status_path, "message"))?
                .unwrap_or_default(),
            None => String::new(),
        };
        Ok(Response {
            body: self.body(get(map, "body"), &join(path, "body"))?,
            http_version: None,
            status: Status { code, message },
            headers: self.headers(get(map, "headers"), &join(path, "headers"))?,
        })
    }

    /// A body: absent or `null` (empty), a string, or a mapping with `string`.
    fn body(&self, node: Option<&MarkedYaml<'_>>, path: &str) -> Res<Body> {
        let string = match node.map(untag) {
            None => String::new(),
            Some(
                n @ MarkedYaml {
                    data: YamlData::Mapping(map),
                    ..
                },
            ) => match get(map, "string") {
                Some(s) => self.text(s, &join(path, "string"))?.unwrap_or_default(),
                None => {
                    return Err(self.at(n, &join(path, "string"), "missing key `string` in body"));
                }
            },
            Some(n) => self.text(n, path)?.unwrap_or_default(),
        };
        Ok(Body {
            encoding: None,
            string,
        })
    }

    /// Headers: absent, `null` or a mapping of name to a list of values (or one value).
    fn headers(&self, node: Option<&MarkedYaml<'_>>, path: &str) -> Res<Headers> {
        let mut headers = Headers::new();
        let Some(node) = node.map(untag) else {
            return Ok(headers);
        };
        if is_null(node) {
            return Ok(headers);
        }
        let map = self.mapping(node, path)?;
        for (key, value) in map {
            let name = self.string(key, path)?;
            let value_path = join(path, &name);
            let values = match &untag(value).data {
                YamlData::Sequence(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        self.text(v, &format!("{value_path}[{i}]"))
                            .map(Option::unwrap_or_default)
                    })
                    .collect::<Res<Vec<_>>>()?,
                _ => self.text(value, &value_path)?.into_iter().collect(),
            };
            headers.insert(name, values);
        }
        Ok(headers)
    }

    fn mapping<'a, 'i>(
        &self,
        node: &'a MarkedYaml<'i>,
        path: &str,
    ) -> Res<&'a AnnotatedMapping<'i, MarkedYaml<'i>>> {
        match &untag(node).data {
            YamlData::Mapping(map) => Ok(map),
            _ => Err(self.at(
                node,
                path,
                format!("expected a mapping, found {}", kind(node)),
            )),
        }
    }

    fn required<'a, 'i>(
        &self,
        parent: &MarkedYaml<'i>,
        map: &'a AnnotatedMapping<'i, MarkedYaml<'i>>,
        path: &str,
        key: &str,
    ) -> Res<&'a MarkedYaml<'i>> {
        get(map, key)
            .ok_or_else(|| self.at(parent, &join(path, key), format!("missing key `{key}`")))
    }

    /// A scalar that must not be null.
    fn string(&self, node: &MarkedYaml<'_>, path: &str) -> Res<String> {
        self.text(node, path)?
            .ok_or_else(|| self.at(node, path, "expected a string, found null"))
    }

    /// A scalar as text, `None` for null. Understands the tags vcrpy writes.
    fn text(&self, node: &MarkedYaml<'_>, path: &str) -> Res<Option<String>> {
        let YamlData::Representation(raw, style, tag) = &node.data else {
            return Err(self.at(
                node,
                path,
                format!("expected a string, found {}", kind(node)),
            ));
        };
        let Some(tag) = tag else {
            return Ok(if *style == ScalarStyle::Plain && is_null_literal(raw) {
                None
            } else {
                Some(raw.to_string())
            });
        };
        let suffix = if tag.is_yaml_core_schema() {
            tag.suffix.as_str()
        } else {
            ""
        };
        match suffix {
            "str" | "python/unicode" | "python/str" | "int" | "float" | "bool" => {
                Ok(Some(raw.to_string()))
            }
            "null" => Ok(None),
            "binary" | "python/bytes" => {
                let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .map_err(|e| self.at(node, path, format!("invalid base64 in !!binary: {e}")))?;
                String::from_utf8(bytes).map(Some).map_err(|_| {
                    self.at(
                        node,
                        path,
                        "binary content is not UTF-8 text; not supported",
                    )
                })
            }
            _ => Err(self.at(node, path, format!("unsupported YAML tag `{tag}`"))),
        }
    }
}

/// Looks a key up in a mapping whose keys are raw scalar representations.
fn get<'a, 'i>(
    map: &'a AnnotatedMapping<'i, MarkedYaml<'i>>,
    key: &str,
) -> Option<&'a MarkedYaml<'i>> {
    map.iter().find_map(|(k, v)| match &untag(k).data {
        YamlData::Representation(raw, _, _) if raw.as_ref() == key => Some(v),
        _ => None,
    })
}

/// Strips a user-defined tag from a collection (scalars keep theirs in the representation).
fn untag<'a, 'i>(node: &'a MarkedYaml<'i>) -> &'a MarkedYaml<'i> {
    match &node.data {
        YamlData::Tagged(_, inner) => untag(inner),
        _ => node,
    }
}

fn is_null(node: &MarkedYaml<'_>) -> bool {
    match &node.data {
        YamlData::Representation(raw, ScalarStyle::Plain, None) => is_null_literal(raw),
        YamlData::Representation(_, _, Some(tag)) => {
            tag.is_yaml_core_schema() && tag.suffix == "null"
        }
        _ => false,
    }
}

fn is_null_literal(raw: &str) -> bool {
    matches!(raw, "" | "~" | "null" | "Null" | "NULL")
}

fn kind(node: &MarkedYaml<'_>) -> &'static str {
    match &untag(node).data {
        YamlData::Mapping(_) => "a mapping",
        YamlData::Sequence(_) => "a list",
        YamlData::Representation(..) | YamlData::Value(_) => "a scalar",
        YamlData::Alias(_) => "an alias",
        YamlData::Tagged(..) | YamlData::BadValue => "an invalid value",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn parse_method(m: &str) -> Method {
    match m.to_ascii_uppercase().as_str() {
        "CONNECT" => Method::Connect,
        "DELETE" => Method::Delete,
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "OPTIONS" => Method::Options,
        "PATCH" => Method::Patch,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "TRACE" => Method::Trace,
        _ => Method::Other(m.to_owned()),
    }
}

/// The response's `Date` header if it is RFC 2822 with a four-digit year,
/// else the Unix epoch.
fn recorded_at(headers: &Headers) -> DateTime<FixedOffset> {
    // Sorted by name so that `Date` and `date` both present still give one answer.
    let mut dates: Vec<_> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("date"))
        .collect();
    dates.sort();
    dates
        .into_iter()
        .flat_map(|(_, values)| values.first())
        .filter_map(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
        // RFC 2822 writes four-digit years; the parser takes more.
        .find(|d| super::RFC2822_YEARS.contains(&d.year()))
        .unwrap_or_else(|| DateTime::<Utc>::UNIX_EPOCH.fixed_offset())
}
