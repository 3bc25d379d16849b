//! The layering of `sdk/src`, enforced: error → transport → cassette →
//! session → helpers. Each layer may use only the layers before it (plus the
//! re-exported bindings: `crate::types`, `crate::rt`, ...),
//! and no two modules may import each other.
//!
//! The test reads every `crate::` path of every file (`use crate::...`,
//! grouped `use crate::{a, b::{c, d}}`, and paths inline in code), with
//! comments and string literals left out, and resolves names the crate root
//! re-exports (`crate::Client`, `crate::redact`) to the layer they come from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, in order: each may use those before it.
const LAYERS: &[&str] = &["error", "transport", "cassette", "session", "helpers"];

/// One `crate::` path found in a file.
#[derive(Debug)]
struct Use {
    line: usize,
    /// The path after `crate::`, e.g. `["transport", "redact", "Redactor"]`.
    segments: Vec<String>,
}

/// One source file: its module path (`["cassette", "record"]`) and the
/// `crate::` paths it uses.
struct File {
    rel: String,
    module: Vec<String>,
    uses: Vec<Use>,
}

#[test]
fn layers_point_one_way_and_modules_do_not_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_files(&src);
    let aliases = root_reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    assert!(
        LAYERS
            .iter()
            .all(|l| modules.contains(&vec![l.to_string()])),
        "every layer has a module: {modules:?}"
    );

    let mut problems = Vec::new();
    // Module → (module it uses → first file:line), for the cycle check.
    let mut edges: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
    for f in &files {
        let Some(own) = layer_of(&f.module) else {
            continue; // lib.rs: the crate root wires the layers together.
        };
        for u in &f.uses {
            let target = resolve(&u.segments, &aliases);
            let Some(layer) = layer_of(&target) else {
                continue; // the re-exported bindings
            };
            if layer > own {
                problems.push(format!(
                    "{}:{}: layer {} uses crate::{} of the later layer {}",
                    f.rel,
                    u.line,
                    LAYERS[own],
                    u.segments.join("::"),
                    LAYERS[layer]
                ));
            }
            let used = longest_module(&target, &modules);
            // A module using its own items or a parent's (`crate::cassette`
            // from `cassette/record.rs`) is how a folder is built, not a
            // cycle; every other pair of modules may use each other one way.
            if used != f.module && !f.module.starts_with(&used) {
                edges
                    .entry(f.module.clone())
                    .or_default()
                    .entry(used)
                    .or_insert_with(|| format!("{}:{}", f.rel, u.line));
            }
        }
    }
    for (a, uses) in &edges {
        for (b, at_a) in uses {
            if a >= b {
                continue;
            }
            if let Some(at_b) = edges.get(b).and_then(|m| m.get(a)) {
                problems.push(format!(
                    "modules {} and {} import each other: {at_a} uses {}, {at_b} uses {}",
                    a.join("::"),
                    b.join("::"),
                    b.join("::"),
                    a.join("::")
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layering violations in sdk/src (transport → cassette → session → helpers):\n{}",
        problems.join("\n")
    );
}

/// The checker itself: grouped imports, inline paths, comments, strings.
#[test]
fn the_scanner_reads_grouped_and_inline_paths_only_in_code() {
    let text = r####"
use crate::{Error, transport::{Transport, redact::Redactor}};
// use crate::helpers::Nope;
/* crate::helpers::Nope too */
let s = "crate::helpers::Nope";
let r = r#"crate::helpers::Nope"#;
let c = '"'; let l: &'static str = "x";
pub(crate) fn f() { crate::session::Client::builder(); }
"####;
    let uses = scan(text);
    let paths: Vec<String> = uses.iter().map(|u| u.segments.join("::")).collect();
    assert_eq!(
        paths,
        [
            "Error",
            "transport::Transport",
            "transport::redact::Redactor",
            "session::Client::builder"
        ]
    );
    assert_eq!(uses[3].line, 8);
    let aliases = root_reexports(
        "pub use session::{Client, release};\npub use transport::{redact, tls};\npub use error::{Error, TransportKind};\npub use vmomi_bindings::{rt, xml};\npub use helpers::{EventsExt, event};\n",
    );
    assert_eq!(
        resolve(&["Client".into(), "builder".into()], &aliases),
        ["session", "Client", "builder"]
    );
    assert_eq!(resolve(&["rt".into()], &aliases), ["rt"]);
    assert_eq!(layer_of(&resolve(&["Error".into()], &aliases)), Some(0));
    assert_eq!(layer_of(&resolve(&["event".into()], &aliases)), Some(4));
}

fn read_files(src: &Path) -> Vec<File> {
    let mut paths = Vec::new();
    walk(src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(src).unwrap();
            let mut module: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            File {
                rel: format!("sdk/src/{}", rel.display()),
                module,
                uses: scan(&text),
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The index of the layer a module path is in, `None` outside the layers.
fn layer_of(path: &[String]) -> Option<usize> {
    let first = path.first()?;
    LAYERS.iter().position(|l| l == first)
}

/// What `lib.rs` re-exports from a layer: `pub use session::{Client,
/// release};` maps `Client` and `release` to `session::Client`, ... .
fn root_reexports(lib: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for u in scan_with(lib, "pub use ") {
        if u.segments.len() >= 2 && LAYERS.contains(&u.segments[0].as_str()) {
            out.insert(u.segments.last().unwrap().clone(), u.segments.clone());
        }
    }
    out
}

/// A `crate::` path with a root re-export replaced by its origin.
fn resolve(segments: &[String], aliases: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    match segments.first().and_then(|s| aliases.get(s)) {
        Some(origin) => origin.iter().chain(&segments[1..]).cloned().collect(),
        None => segments.to_vec(),
    }
}

/// The longest prefix of `path` that is a module of its own file.
fn longest_module(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
        .unwrap_or_default()
}

/// Every `crate::` path of a file.
fn scan(text: &str) -> Vec<Use> {
    scan_with(text, "crate::")
}

/// Every path after `lead` (`crate::`, or `pub use ` for the root's
/// re-exports) in the code of `text`, groups expanded.
fn scan_with(text: &str, lead: &str) -> Vec<Use> {
    let code = code_only(text);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find(lead) {
        let start = from + at;
        from = start + lead.len();
        // `crate::` must start a path: not `$crate::` nor `foo_crate::`.
        if start > 0 {
            let prev = bytes[start - 1];
            if prev == b'$' || prev == b'_' || prev.is_ascii_alphanumeric() || prev == b':' {
                continue;
            }
        }
        let line = code[..start].matches('\n').count() + 1;
        let mut pos = from;
        for segments in tree(&code, &mut pos, Vec::new()) {
            if !segments.is_empty() {
                out.push(Use { line, segments });
            }
        }
        from = pos.max(from);
    }
    out
}

/// Parses a use tree at `pos`: `a::b`, `a::{b, c::{d}}`, `a::*`, `a as b`.
fn tree(code: &str, pos: &mut usize, prefix: Vec<String>) -> Vec<Vec<String>> {
    let mut path = prefix;
    loop {
        skip_space(code, pos);
        let rest = &code[*pos..];
        if rest.starts_with('{') {
            *pos += 1;
            let mut all = Vec::new();
            loop {
                skip_space(code, pos);
                if code[*pos..].starts_with('}') {
                    *pos += 1;
                    return all;
                }
                if *pos >= code.len() {
                    return all;
                }
                let before = *pos;
                all.extend(tree(code, pos, path.clone()));
                skip_space(code, pos);
                if code[*pos..].starts_with(',') {
                    *pos += 1;
                } else if *pos == before {
                    *pos += 1; // not a path: never loop forever
                }
            }
        }
        if rest.starts_with('*') {
            *pos += 1;
            return vec![path];
        }
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            return vec![path];
        }
        let ident = &rest[..len];
        *pos += len;
        if ident != "self" {
            path.push(ident.to_string());
        }
        if code[*pos..].starts_with("::") {
            *pos += 2;
            continue;
        }
        return vec![path];
    }
}

fn skip_space(code: &str, pos: &mut usize) {
    while code[*pos..].starts_with(char::is_whitespace) {
        *pos += code[*pos..].chars().next().map_or(1, char::len_utf8);
    }
}

/// `text` with comments and the contents of string and char literals
/// replaced by spaces (newlines kept, so line numbers stay).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (0usize, 0);
            while j < rest.len() {
                if rest[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &rest[..j]);
            i += j;
        } else if let Some(end) = raw_string_end(rest) {
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' {
            // A char literal ('x', '\n', '\u{1F600}', '"'); otherwise a lifetime.
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..].iter().position(|&c| c == b'\'').map(|p| p + 3)
            } else {
                // `'` is one byte, so `i + 1` is a char boundary.
                let ch = text
                    .get(i + 1..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                (rest.get(1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            match end {
                Some(end) => {
                    blank(&mut out, &rest[..end]);
                    i += end;
                }
                None => {
                    out.push(b'\'');
                    i += 1;
                }
            }
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The length of a raw (byte) string literal at the start of `s`
/// (`r"..."`, `r#"..."#`, `br"..."`), if one starts there.
fn raw_string_end(s: &[u8]) -> Option<usize> {
    let start = if s.starts_with(b"br") {
        2
    } else if s.starts_with(b"r") {
        1
    } else {
        return None;
    };
    let hashes = s[start..].iter().take_while(|&&c| c == b'#').count();
    if s.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    let body = start + hashes + 1;
    let end = s[body..]
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map_or(s.len(), |p| body + p + close.len());
    Some(end)
}
