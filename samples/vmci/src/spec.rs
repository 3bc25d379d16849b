//! The developer's spec, `.vsphere-ci.yml` (YAML).
//!
//! ```yaml
//! repository: acme/widget
//! vms:
//!   - role: builder
//!     template: debian-12-ci
//!     count: 2            # optional, 1 when left out
//!     cpus: 2
//!     memory: 4GiB
//!     disk: 40GiB         # optional: grow the first disk
//!     network: VM Network # optional: the first NIC's network
//!     disks:              # optional, instead of `disk`: the template's disks
//!       - size: 40GiB     #   in order, each with a size to grow to
//!         storage_policy: vSAN Default Storage Policy  # and/or a policy
//!     lifetime: 2h        # optional: the policy's default when left out
//! ```
//!
//! Every error names the file, line, column and field (`vms[1].memory`,
//! indexes from 0): unknown fields (with the nearest known name), wrong
//! types, missing fields and bad values are all reported at once, sorted by
//! place; a YAML syntax error stops the parse and is reported alone.
//!
//! This module also holds what the policy's parser shares: the YAML layer
//! ([`yaml`]: a tree with places, read with serde-saphyr, and a checker that
//! collects errors), sizes ([`parse_size`]) and durations ([`parse_duration`]).

use crate::model::{ConfigError, DiskRequest, Place, Spec, VmRequest};
use std::path::{Path, PathBuf};
use std::time::Duration;
use yaml::{Checker, Node};

/// The spec's file name, looked for from a folder upward.
pub const FILE_NAME: &str = ".vsphere-ci.yml";

/// The largest spec or policy file read (1 MiB); a larger one is refused
/// rather than read into memory.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// The longest role: it is part of every VM's name.
pub const MAX_ROLE_LEN: usize = 32;

/// The longest lifetime written anywhere (3650 days), so that expiry times
/// stay far from overflowing.
pub const MAX_DURATION: Duration = Duration::from_secs(3650 * 86_400);

/// The spec's fields, in the order documented.
pub const SPEC_FIELDS: &[&str] = &["repository", "vms"];

/// A VM group's fields, in the order documented.
pub const VM_FIELDS: &[&str] = &[
    "role", "template", "count", "cpus", "memory", "disk", "disks", "network", "lifetime",
];

/// A disk's fields (`vms[0].disks[1]`), in the order documented.
pub const DISK_FIELDS: &[&str] = &["size", "storage_policy"];

/// The most disks a spec may speak of per VM (a VM has at most 64 SCSI
/// disks, and more than that is a mistake, not a build).
pub const MAX_DISKS: usize = 64;

/// Finds `.vsphere-ci.yml` in `start` or the nearest folder above it
/// (see [`find_upward`]).
pub fn find_spec(start: &Path) -> Option<PathBuf> {
    find_upward(start, FILE_NAME)
}

/// Finds a file named `name` in `start` or the nearest folder above it.
///
/// The search stops at the root of the repository: a folder holding `.git`
/// (a folder, or a file for worktrees and submodules) is the last one looked
/// in, so a file above the checkout is never picked up by mistake. A
/// relative `start` is taken from the current folder; the path returned is
/// absolute then.
pub fn find_upward(start: &Path, name: &str) -> Option<PathBuf> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads and parses a spec. A file that cannot be read is one error at line
/// 0 (shown as `file: cannot read it: ...`); text that is not UTF-8 is one
/// error at the first bad byte's place.
pub fn load_spec(path: &Path) -> Result<Spec, Vec<ConfigError>> {
    let file = path.display().to_string();
    let text = read_config(path, &file).map_err(|e| vec![e])?;
    parse_spec(&file, &text)
}

/// Parses and validates a spec; every error found, each with its place.
pub fn parse_spec(file: &str, text: &str) -> Result<Spec, Vec<ConfigError>> {
    let root = yaml::parse(file, text).map_err(|e| vec![e])?;
    let mut c = Checker::new(file);
    let spec = check_spec(&mut c, &root);
    c.finish(spec)
}

fn check_spec(c: &mut Checker<'_>, root: &Node) -> Option<Spec> {
    let f = c.document(root, "spec", SPEC_FIELDS)?;
    let repository = c.required(&f, "repository", "").and_then(|n| {
        let name = c.text(n, "repository")?;
        c.check(n, "repository", check_repository(&name))?;
        Some(name)
    });
    let vms = c.required(&f, "vms", "").and_then(|n| {
        let items = c.list(n, "vms")?;
        if items.is_empty() {
            c.error_at(n, "vms", "lists no VMs; name at least one group");
            return None;
        }
        let mut roles: Vec<(String, usize)> = Vec::new();
        let mut vms = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match check_vm(c, item, &format!("vms[{i}]"), &mut roles) {
                Some(vm) => vms.push(vm),
                None => ok = false,
            }
        }
        ok.then_some(vms)
    });
    Some(Spec {
        file: c.file().to_string(),
        repository: repository?,
        vms: vms?,
    })
}

fn check_vm(
    c: &mut Checker<'_>,
    node: &Node,
    path: &str,
    roles: &mut Vec<(String, usize)>,
) -> Option<VmRequest> {
    let f = c.map(node, path, VM_FIELDS)?;
    let field = |name: &str| format!("{path}.{name}");

    let role = c.required(&f, "role", path).and_then(|n| {
        let role = c.text(n, &field("role"))?;
        c.check(n, &field("role"), check_role(&role))?;
        if let Some((_, line)) = roles.iter().find(|(r, _)| *r == role) {
            c.error_at(
                n,
                &field("role"),
                format!("role `{role}` is already used at line {line}; roles must be unique"),
            );
            return None;
        }
        roles.push((role.clone(), n.line));
        Some((role, c.place(n)))
    });
    let template = c
        .required(&f, "template", path)
        .and_then(|n| c.name(n, &field("template")));
    let count = match f.get("count") {
        None => Some(1),
        Some(n) => c.positive(n, &field("count"), "count"),
    };
    let cpus = c
        .required(&f, "cpus", path)
        .and_then(|n| c.positive(n, &field("cpus"), "cpus"));
    let memory_mb = c
        .required(&f, "memory", path)
        .and_then(|n| c.positive_size(n, &field("memory")));
    let disks = match (f.get("disk"), f.get("disks")) {
        (None, None) => Some(Vec::new()),
        (Some(n), None) => c.positive_size(n, &field("disk")).map(|size| {
            vec![DiskRequest {
                place: c.place(n),
                size_mb: Some(size),
                storage_policy: None,
            }]
        }),
        (Some(n), Some(_)) => {
            c.error_at(
                n,
                &field("disk"),
                "give `disk` or `disks`, not both (`disk: 40GiB` is `disks: [{size: 40GiB}]`)",
            );
            None
        }
        (None, Some(n)) => check_disks(c, n, &field("disks")),
    };
    let network = match f.get("network") {
        None => Some(None),
        Some(n) => c.name(n, &field("network")).map(Some),
    };
    let lifetime = match f.get("lifetime") {
        None => Some(None),
        Some(n) => c.duration(n, &field("lifetime")).map(Some),
    };
    let (role, place) = role?;
    Some(VmRequest {
        role,
        place,
        template: template?,
        count: count?,
        cpus: cpus?,
        memory_mb: memory_mb?,
        disks: disks?,
        network: network?,
        lifetime: lifetime?,
    })
}

/// `disks`: a list of the template's disks, in order, each with a size or a
/// storage policy (or both).
fn check_disks(c: &mut Checker<'_>, node: &Node, path: &str) -> Option<Vec<DiskRequest>> {
    let items = c.list(node, path)?;
    if items.is_empty() {
        c.error_at(
            node,
            path,
            "lists no disks; leave `disks` out to keep the template's",
        );
        return None;
    }
    if items.len() > MAX_DISKS {
        c.error_at(
            node,
            path,
            format!("lists {} disks; at most {MAX_DISKS}", items.len()),
        );
        return None;
    }
    let mut disks = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let Some(f) = c.map(item, &path, DISK_FIELDS) else {
            ok = false;
            continue;
        };
        let size = match f.get("size") {
            None => Some(None),
            Some(n) => c.positive_size(n, &format!("{path}.size")).map(Some),
        };
        let policy = match f.get("storage_policy") {
            None => Some(None),
            Some(n) => c.name(n, &format!("{path}.storage_policy")).map(Some),
        };
        // A mapping with a misspelt key has had its error already.
        let misspelt = f
            .entries
            .iter()
            .any(|(k, _)| !DISK_FIELDS.contains(&k.name.as_str()));
        match (size, policy) {
            (Some(None), Some(None)) if misspelt => ok = false,
            (Some(None), Some(None)) => {
                c.error_at(
                    item,
                    &path,
                    "says nothing of the disk; give `size`, `storage_policy` or both",
                );
                ok = false;
            }
            (Some(size_mb), Some(storage_policy)) => disks.push(DiskRequest {
                place: c.place(item),
                size_mb,
                storage_policy,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(disks)
}

/// A repository's name: `owner/name`, or deeper (`group/sub/name`), each part
/// letters, digits, `.`, `_` or `-`.
pub fn check_repository(name: &str) -> Result<(), String> {
    let shown = printable(name);
    if name.len() > 200 {
        return Err(format!("`{shown}` is longer than 200 characters"));
    }
    let parts: Vec<&str> = name.split('/').collect();
    let part_ok = |p: &&str| {
        !p.is_empty()
            && *p != "."
            && *p != ".."
            && p.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-'))
    };
    if parts.len() < 2 || !parts.iter().all(part_ok) {
        return Err(format!(
            "`{shown}` is not a repository name: write owner/name (like acme/widget), \
             each part letters, digits, `.`, `_` or `-`"
        ));
    }
    Ok(())
}

/// A role: 1 to 32 of `a-z`, `0-9` and `-`, starting and ending with a letter
/// or digit (it is part of every VM's name).
pub fn check_role(role: &str) -> Result<(), String> {
    let shown = printable(role);
    let ok_char = |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit();
    if role.is_empty() {
        return Err("is empty; name the group with a-z, 0-9 and -".into());
    }
    if role.len() > MAX_ROLE_LEN {
        return Err(format!(
            "`{shown}` is longer than {MAX_ROLE_LEN} characters"
        ));
    }
    if !role.chars().all(|ch| ok_char(ch) || ch == '-') {
        return Err(format!(
            "`{shown}` is not a role: use only a-z, 0-9 and - (it is part of the VM names)"
        ));
    }
    if role.starts_with('-') || role.ends_with('-') {
        return Err(format!(
            "`{shown}` is not a role: it must start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// A size in MiB from `4GiB`, `512MiB`, `1.5GiB`, `1TiB` or a plain number of
/// MiB (`4096`). Units are MiB, GiB, TiB, and MB, GB, TB meaning the same
/// (as vSphere's own GB are 1024 MB), in any case, with or without a space
/// before them. A fraction must come to a whole number of MiB.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let shown = printable(t);
    let split = t
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (&t[..split], t[split..].trim());
    let unit_mib: u128 = match unit.to_ascii_lowercase().as_str() {
        "" | "mib" | "mb" => 1,
        "gib" | "gb" => 1024,
        "tib" | "tb" => 1024 * 1024,
        _ => {
            return Err(format!(
                "`{shown}` is not a size: unknown unit `{}`; use MiB, GiB or TiB \
                 (like 4GiB; a plain number is MiB)",
                printable(unit)
            ));
        }
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    let digits_ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(number.contains('.') && fraction.is_empty());
    if !digits_ok {
        return Err(format!(
            "`{shown}` is not a size: write a number and a unit, like 4GiB or 512MiB"
        ));
    }
    if fraction.len() > 6 || whole.len() > 20 {
        return Err(format!(
            "`{shown}` is not a size this tool reads (too many digits)"
        ));
    }
    let scale = 10u128.pow(fraction.len() as u32);
    let parse = |s: &str| s.parse::<u128>().unwrap_or(0);
    let scaled = parse(whole) * scale
        + if fraction.is_empty() {
            0
        } else {
            parse(fraction)
        };
    let total = scaled * unit_mib;
    if !total.is_multiple_of(scale) {
        return Err(format!("`{shown}` is not a whole number of MiB"));
    }
    u64::try_from(total / scale).map_err(|_| format!("`{shown}` is too large"))
}

/// A size in MiB as the largest unit that shows it whole: `16GiB`, `1536MiB`.
pub fn format_size(mb: u64) -> String {
    const GIB: u64 = 1024;
    const TIB: u64 = 1024 * 1024;
    match mb {
        0 => "0MiB".to_string(),
        _ if mb.is_multiple_of(TIB) => format!("{}TiB", mb / TIB),
        _ if mb.is_multiple_of(GIB) => format!("{}GiB", mb / GIB),
        _ => format!("{mb}MiB"),
    }
}

/// A duration from `30m`, `2h`, `1d`, `90s` or a sum such as `1h30m` (parts
/// may be separated by spaces). Units: `s`, `m` (minutes), `h`, `d`. It must
/// be longer than 0 and at most 3650 days; a bare number is refused (which
/// unit would it be?).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let shown = printable(t);
    let bad = || {
        format!(
            "`{shown}` is not a duration: write a number and a unit (s, m, h, d), like 30m, 2h or 1d"
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|ch: char| !ch.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 || digits > 12 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let mut chars = rest.chars();
        let seconds = match chars.next().map(|ch| ch.to_ascii_lowercase()) {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            Some('d') => 86_400,
            None => {
                return Err(format!(
                    "`{shown}` needs a unit: s, m, h or d (like 30m, 2h or 1d)"
                ));
            }
            Some(_) => return Err(bad()),
        };
        rest = chars.as_str().trim_start();
        total = n
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .filter(|s| *s <= MAX_DURATION.as_secs())
            .ok_or_else(|| format!("`{shown}` is longer than 3650d"))?;
    }
    if total == 0 {
        return Err(format!("`{shown}` must be longer than 0"));
    }
    Ok(Duration::from_secs(total))
}

/// A duration as days, hours, minutes and seconds: `2h`, `1d12h`, `1h30m`.
pub fn format_duration(d: Duration) -> String {
    let mut s = d.as_secs();
    if s == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    out
}

/// Text from a file or a user, safe to print: control and other unprintable
/// characters are escaped (`\n`, `\u{202e}`), the rest is left alone.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '"' | '\'' => out.push(ch),
            _ => out.extend(ch.escape_debug()),
        }
    }
    out
}

/// Reads a spec or policy file: at most [`MAX_FILE_BYTES`], UTF-8.
pub(crate) fn read_config(path: &Path, file: &str) -> Result<String, ConfigError> {
    use std::io::Read;
    let whole = |message: String| ConfigError {
        place: Place {
            file: file.to_string(),
            line: 0,
            column: 0,
        },
        field: String::new(),
        message,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| whole(format!("cannot read it: {e}")))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(whole(format!(
            "is larger than {} and is not read",
            format_size((MAX_FILE_BYTES >> 20) as u64)
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Every byte before the bad one is valid UTF-8, so this cannot fail.
        let good = std::str::from_utf8(good).unwrap_or_default();
        let line = good.matches('\n').count() + 1;
        let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError {
            place: Place {
                file: file.to_string(),
                line,
                column,
            },
            field: String::new(),
            message: "is not UTF-8 text".to_string(),
        }
    })
}

/// The YAML layer the spec and the policy share: a tree whose every node
/// and key knows its line and column, read with serde-saphyr (YAML 1.2
/// booleans, duplicate keys refused, anchors and merges followed within
/// budget), and a checker that walks it collecting every error.
pub(crate) mod yaml {
    use crate::model::{ConfigError, Place};
    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_saphyr::{MessageFormatter, Spanned};
    use std::fmt;
    use std::time::Duration;

    /// A node's value. Plain scalars arrive typed (`2` is a number, `4GiB`
    /// text); quoted ones are always text.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum Value {
        Null,
        Bool(bool),
        Int(i128),
        Float(f64),
        Str(String),
        Seq(Vec<Node>),
        Map(Vec<(Key, Node)>),
    }

    /// A value and where it is (for an alias, where it is used).
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) struct Node {
        pub value: Value,
        pub line: usize,
        pub column: usize,
    }

    /// A mapping's key and where it is.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) struct Key {
        pub name: String,
        pub line: usize,
        pub column: usize,
    }

    impl<'de> Deserialize<'de> for Node {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = Spanned::<Value>::deserialize(d)?;
            Ok(Node {
                value: s.value,
                line: s.referenced.line() as usize,
                column: s.referenced.column() as usize,
            })
        }
    }

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = Spanned::<String>::deserialize(d)?;
            Ok(Key {
                name: s.value,
                line: s.referenced.line() as usize,
                column: s.referenced.column() as usize,
            })
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Value;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a YAML value")
                }
                fn visit_unit<E>(self) -> Result<Value, E> {
                    Ok(Value::Null)
                }
                fn visit_none<E>(self) -> Result<Value, E> {
                    Ok(Value::Null)
                }
                fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                    Ok(Value::Bool(v))
                }
                fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                    Ok(Value::Int(v.into()))
                }
                fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                    Ok(Value::Int(v.into()))
                }
                fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
                    Ok(Value::Int(v))
                }
                fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
                    i128::try_from(v)
                        .map(Value::Int)
                        .map_err(|_| E::custom("number too large"))
                }
                fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                    Ok(Value::Float(v))
                }
                fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                    Ok(Value::Str(v.to_string()))
                }
                fn visit_string<E>(self, v: String) -> Result<Value, E> {
                    Ok(Value::Str(v))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                    let mut items = Vec::new();
                    while let Some(item) = a.next_element()? {
                        items.push(item);
                    }
                    Ok(Value::Seq(items))
                }
                fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                    let mut entries = Vec::new();
                    while let Some(key) = a.next_key::<Key>()? {
                        let value = a.next_value::<Node>()?;
                        entries.push((key, value));
                    }
                    Ok(Value::Map(entries))
                }
            }
            d.deserialize_any(V)
        }
    }

    /// Reads `text` into a tree; a syntax error is one error, at the place
    /// the parser stopped, naming the field of that line (see [`field_near`]).
    pub(crate) fn parse(file: &str, text: &str) -> Result<Node, ConfigError> {
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        options.with_snippet = false;
        if let Some(budget) = options.budget.as_mut() {
            // Specs and policies are a few dozen lines: far tighter limits
            // than the defaults still leave room, and bound the work.
            budget.max_depth = 32;
            budget.max_nodes = 100_000;
            budget.max_events = 200_000;
        }
        serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| {
            let (line, column) = e
                .location()
                .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
            let mut message = serde_saphyr::UserMessageFormatter
                .format_message(&e)
                .into_owned();
            if message.starts_with("while parsing a block") {
                message.push_str(" (check this line's indentation)");
            }
            ConfigError {
                place: Place {
                    file: file.to_string(),
                    line,
                    column,
                },
                field: field_near(text, line),
                message: super::printable(&message),
            }
        })
    }

    /// The field a line of block-style YAML belongs to, judged by
    /// indentation alone (`vms[1].memory`), for a syntax error, when there
    /// is no tree to ask: the nearest key at or before `line`, inside its
    /// parents. `(document)` when none. Flow collections (`{...}`, `[...]`)
    /// are not looked into.
    pub(crate) fn field_near(text: &str, line: usize) -> String {
        enum Seg {
            Key(String),
            Index(usize),
        }
        let mut stack: Vec<(usize, Seg)> = Vec::new();
        let mut block_scalar: Option<usize> = None;
        for raw in text.lines().take(line) {
            // Tabs are no indentation in YAML, but one was just found wanting:
            // count it as a column rather than as part of a key.
            let indent = raw.len() - raw.trim_start_matches([' ', '\t']).len();
            let mut rest = &raw[indent..];
            if let Some(owner) = block_scalar {
                if rest.trim().is_empty() || indent > owner {
                    continue;
                }
                block_scalar = None;
            }
            if rest.trim().is_empty()
                || rest.starts_with('#')
                || rest.starts_with('%')
                || rest.starts_with("---")
                || rest.starts_with("...")
            {
                continue;
            }
            let mut col = indent;
            while rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t") {
                while stack.last().is_some_and(|(c, _)| *c > col) {
                    stack.pop();
                }
                match stack.last_mut() {
                    Some((c, Seg::Index(i))) if *c == col => *i += 1,
                    _ => stack.push((col, Seg::Index(0))),
                }
                let after = &rest[1..];
                let trimmed = after.trim_start();
                col += 1 + (after.len() - trimmed.len());
                rest = trimmed;
            }
            if let Some((key, value)) = key_of(rest) {
                while stack.last().is_some_and(|(c, _)| *c >= col) {
                    stack.pop();
                }
                stack.push((col, Seg::Key(key)));
                if value.starts_with('|') || value.starts_with('>') {
                    block_scalar = Some(col);
                }
            }
        }
        let mut out = String::new();
        for (_, seg) in &stack {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&super::printable(k));
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if out.is_empty() {
            "(document)".to_string()
        } else {
            out
        }
    }

    /// `key: value` (or `key:`) on a line: the key (unquoted) and the value.
    fn key_of(rest: &str) -> Option<(String, &str)> {
        let (key, after) = if let Some(q @ ('"' | '\'')) = rest.chars().next() {
            let close = rest[1..].find(q)? + 1;
            (rest[1..close].to_string(), &rest[close + 1..])
        } else {
            if rest.starts_with(['[', '{', '?', '&', '*', '!', '|', '>']) {
                return None;
            }
            let colon = rest
                .match_indices(':')
                .map(|(i, _)| i)
                .find(|&i| rest[i + 1..].is_empty() || rest[i + 1..].starts_with([' ', '\t']))?;
            let key = rest[..colon].trim_end();
            if key.contains(" #") {
                return None;
            }
            (key.to_string(), &rest[colon..])
        };
        let value = after.strip_prefix(':')?;
        if !(value.is_empty() || value.starts_with([' ', '\t'])) {
            return None;
        }
        Some((key, value.trim_start()))
    }

    /// What a value is, for messages: `the number 12`, `text "abc"`.
    pub(crate) fn describe(value: &Value) -> String {
        match value {
            Value::Null => "nothing".to_string(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(n) => format!("the number {n}"),
            Value::Float(x) => format!("the number {x}"),
            Value::Str(s) => format!("the text \"{}\"", super::printable(s)),
            Value::Seq(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }

    /// A mapping's entries (unknown keys already reported).
    pub(crate) struct Fields<'n> {
        pub line: usize,
        pub column: usize,
        pub entries: &'n [(Key, Node)],
    }

    impl<'n> Fields<'n> {
        /// The value of `name`, if given and not null (`disk:` or `disk: ~`
        /// is the same as leaving `disk` out).
        pub fn get(&self, name: &str) -> Option<&'n Node> {
            self.entries
                .iter()
                .find(|(k, _)| k.name == name)
                .map(|(_, v)| v)
                .filter(|v| v.value != Value::Null)
        }

        fn key(&self, name: &str) -> Option<&'n Key> {
            self.entries
                .iter()
                .find(|(k, _)| k.name == name)
                .map(|(k, _)| k)
        }
    }

    /// `path.name`, or `name` at the top.
    pub(crate) fn join(path: &str, name: &str) -> String {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    }

    /// Walks a tree, collecting every error with its place and field.
    pub(crate) struct Checker<'a> {
        file: &'a str,
        errors: Vec<ConfigError>,
    }

    impl<'a> Checker<'a> {
        pub fn new(file: &'a str) -> Self {
            Checker {
                file,
                errors: Vec::new(),
            }
        }

        pub fn file(&self) -> &'a str {
            self.file
        }

        pub fn place(&self, node: &Node) -> Place {
            Place {
                file: self.file.to_string(),
                line: node.line,
                column: node.column,
            }
        }

        pub fn error(
            &mut self,
            line: usize,
            column: usize,
            field: &str,
            message: impl Into<String>,
        ) {
            self.errors.push(ConfigError {
                place: Place {
                    file: self.file.to_string(),
                    line,
                    column,
                },
                field: field.to_string(),
                message: message.into(),
            });
        }

        pub fn error_at(&mut self, node: &Node, field: &str, message: impl Into<String>) {
            self.error(node.line, node.column, field, message);
        }

        /// The result: `value` when no error was found, else every error,
        /// sorted by place.
        pub fn finish<T>(mut self, value: Option<T>) -> Result<T, Vec<ConfigError>> {
            match value {
                Some(v) if self.errors.is_empty() => Ok(v),
                _ => {
                    if self.errors.is_empty() {
                        // Every path that gives up reports why first; this is
                        // only a guard, never an empty error list.
                        self.error(0, 0, "", "cannot be read");
                    }
                    self.errors.sort_by_key(|e| (e.place.line, e.place.column));
                    Err(self.errors)
                }
            }
        }

        /// Reports `result`'s error at `node`; `Some(())` when it is fine.
        pub fn check(
            &mut self,
            node: &Node,
            field: &str,
            result: Result<(), String>,
        ) -> Option<()> {
            match result {
                Ok(()) => Some(()),
                Err(message) => {
                    self.error_at(node, field, message);
                    None
                }
            }
        }

        /// The top mapping of a document called `what` (`spec`, `policy`).
        pub fn document<'n>(
            &mut self,
            root: &'n Node,
            what: &str,
            known: &[&str],
        ) -> Option<Fields<'n>> {
            if root.value == Value::Null {
                self.error(
                    root.line.max(1),
                    root.column.max(1),
                    "(document)",
                    format!(
                        "the {what} is empty; it needs the fields {}",
                        known.join(", ")
                    ),
                );
                return None;
            }
            if !matches!(root.value, Value::Map(_)) {
                self.error_at(
                    root,
                    "(document)",
                    format!(
                        "the {what} must be a mapping of the fields {}, not {}",
                        known.join(", "),
                        describe(&root.value)
                    ),
                );
                return None;
            }
            self.map(root, "", known)
        }

        /// A mapping with the fields `known`; every other key is reported
        /// (with the nearest known name when one is close).
        pub fn map<'n>(
            &mut self,
            node: &'n Node,
            path: &str,
            known: &[&str],
        ) -> Option<Fields<'n>> {
            let entries =
                self.entries(node, path, &format!("a mapping of {}", known.join(", ")))?;
            for (key, _) in entries {
                if !known.contains(&key.name.as_str()) {
                    let hint = match nearest(&key.name, known) {
                        Some(near) => format!("did you mean `{near}`? "),
                        None => String::new(),
                    };
                    self.error(
                        key.line,
                        key.column,
                        &join(path, &super::printable(&key.name)),
                        format!(
                            "unknown field `{}`; {hint}the fields are {}",
                            super::printable(&key.name),
                            known.join(", ")
                        ),
                    );
                }
            }
            Some(Fields {
                line: node.line,
                column: node.column,
                entries,
            })
        }

        /// A mapping's entries, whatever the keys (`repositories`).
        pub fn entries<'n>(
            &mut self,
            node: &'n Node,
            path: &str,
            expected: &str,
        ) -> Option<&'n [(Key, Node)]> {
            match &node.value {
                Value::Map(entries) => Some(entries),
                other => {
                    self.error_at(
                        node,
                        path,
                        format!("expected {expected}, found {}", describe(other)),
                    );
                    None
                }
            }
        }

        /// A list.
        pub fn list<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
            match &node.value {
                Value::Seq(items) => Some(items),
                other => {
                    self.error_at(
                        node,
                        path,
                        format!("expected a list, found {}", describe(other)),
                    );
                    None
                }
            }
        }

        /// The value of a field that must be there (and not null).
        pub fn required<'n>(&mut self, f: &Fields<'n>, name: &str, path: &str) -> Option<&'n Node> {
            let field = join(path, name);
            if let Some(node) = f.get(name) {
                return Some(node);
            }
            match f.key(name) {
                Some(key) => self.error(
                    key.line,
                    key.column,
                    &field,
                    format!("`{name}` has no value"),
                ),
                None => self.error(
                    f.line,
                    f.column,
                    &field,
                    format!("missing required field `{name}`"),
                ),
            }
            None
        }

        /// Text.
        pub fn text(&mut self, node: &Node, path: &str) -> Option<String> {
            match &node.value {
                Value::Str(s) => Some(s.clone()),
                Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                    self.error_at(
                        node,
                        path,
                        format!(
                            "expected text, found {}; put it in quotes if it is meant as text",
                            describe(&node.value)
                        ),
                    );
                    None
                }
                other => {
                    self.error_at(
                        node,
                        path,
                        format!("expected text, found {}", describe(other)),
                    );
                    None
                }
            }
        }

        /// The name of something in vCenter (template, network, datastore):
        /// text, not empty, without control characters or spaces at its ends.
        pub fn name(&mut self, node: &Node, path: &str) -> Option<String> {
            let s = self.text(node, path)?;
            let problem = if s.is_empty() {
                Some("is empty")
            } else if s.chars().any(char::is_control) {
                Some("holds control characters")
            } else if s.trim() != s {
                Some("has spaces at its start or end")
            } else if s.chars().count() > 255 {
                Some("is longer than 255 characters")
            } else {
                None
            };
            match problem {
                Some(p) => {
                    self.error_at(node, path, format!("`{}` {p}", super::printable(&s)));
                    None
                }
                None => Some(s),
            }
        }

        /// A whole number from 0 to `max`.
        pub fn whole(&mut self, node: &Node, path: &str, max: u64) -> Option<u64> {
            match &node.value {
                Value::Int(n) if *n < 0 => {
                    self.error_at(node, path, format!("{n} is negative"));
                    None
                }
                Value::Int(n) if *n > i128::from(max) => {
                    self.error_at(node, path, format!("{n} is too large (at most {max})"));
                    None
                }
                Value::Int(n) => u64::try_from(*n).ok(),
                other => {
                    self.error_at(
                        node,
                        path,
                        format!("expected a whole number, found {}", describe(other)),
                    );
                    None
                }
            }
        }

        /// A whole number from 1 to `u32::MAX`; `what` names it in the
        /// message (`cpus must be at least 1`).
        pub fn positive(&mut self, node: &Node, path: &str, what: &str) -> Option<u32> {
            let n = self.whole(node, path, u64::from(u32::MAX))?;
            if n == 0 {
                self.error_at(node, path, format!("{what} must be at least 1, not 0"));
                return None;
            }
            u32::try_from(n).ok()
        }

        /// A size in MiB (see [`super::parse_size`]), 0 allowed.
        pub fn size(&mut self, node: &Node, path: &str) -> Option<u64> {
            let parsed = match &node.value {
                Value::Int(n) if *n >= 0 => {
                    u64::try_from(*n).map_err(|_| format!("{n} MiB is too large"))
                }
                Value::Int(n) => Err(format!("{n} is negative")),
                Value::Float(x) => Err(format!(
                    "{x} is not a whole number of MiB; write a unit, like {x}GiB"
                )),
                Value::Str(s) => super::parse_size(s),
                other => Err(format!(
                    "expected a size like 4GiB or 512MiB, found {}",
                    describe(other)
                )),
            };
            match parsed {
                Ok(mb) => Some(mb),
                Err(message) => {
                    self.error_at(node, path, message);
                    None
                }
            }
        }

        /// A size in MiB, more than 0.
        pub fn positive_size(&mut self, node: &Node, path: &str) -> Option<u64> {
            let mb = self.size(node, path)?;
            if mb == 0 {
                self.error_at(node, path, "must be more than 0");
                return None;
            }
            Some(mb)
        }

        /// A duration (see [`super::parse_duration`]).
        pub fn duration(&mut self, node: &Node, path: &str) -> Option<Duration> {
            let parsed = match &node.value {
                Value::Str(s) => super::parse_duration(s),
                Value::Int(n) => Err(format!(
                    "{n} needs a unit: s, m, h or d (like 30m, 2h or 1d)"
                )),
                other => Err(format!(
                    "expected a duration like 30m, 2h or 1d, found {}",
                    describe(other)
                )),
            };
            match parsed {
                Ok(d) => Some(d),
                Err(message) => {
                    self.error_at(node, path, message);
                    None
                }
            }
        }

        /// A list of names (see [`Checker::name`]), each once.
        pub fn names(&mut self, node: &Node, path: &str) -> Option<Vec<String>> {
            let items = self.list(node, path)?;
            let mut out: Vec<(String, usize)> = Vec::new();
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let field = format!("{path}[{i}]");
                match self.name(item, &field) {
                    Some(name) => {
                        if let Some((_, line)) = out.iter().find(|(n, _)| *n == name) {
                            self.error_at(
                                item,
                                &field,
                                format!(
                                    "`{}` is already listed at line {line}",
                                    super::printable(&name)
                                ),
                            );
                            ok = false;
                        } else {
                            out.push((name, item.line));
                        }
                    }
                    None => ok = false,
                }
            }
            ok.then(|| out.into_iter().map(|(n, _)| n).collect())
        }
    }

    /// The known name closest to a mistyped one, if close enough to be
    /// meant: at most 2 edits (1 for short names), or a prefix either way.
    pub(crate) fn nearest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
        let lower = name.to_ascii_lowercase();
        known
            .iter()
            .map(|k| (edits(&lower, k), *k))
            .filter(|(d, k)| {
                let max = if k.len() <= 4 { 1 } else { 2 };
                *d <= max || (lower.len() >= 3 && (k.starts_with(&lower) || lower.starts_with(k)))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }

    /// Levenshtein distance, by characters (names are short).
    fn edits(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().take(64).collect();
        let b: Vec<char> = b.chars().take(64).collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut row = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != cb);
                row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
            }
            prev = row;
        }
        prev[b.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
repository: acme/widget
vms:
  - role: builder
    template: debian-12-ci
    count: 2
    cpus: 2
    memory: 4GiB
    disk: 40GiB
    network: VM Network
    lifetime: 2h
  - role: tester
    template: ubuntu-24.04-ci
    cpus: 1
    memory: 1536
";

    fn errors(text: &str) -> Vec<ConfigError> {
        match parse_spec("s.yml", text) {
            Ok(spec) => panic!("expected errors, got {spec:?}"),
            Err(e) => e,
        }
    }

    /// (line, column, field) of each error, and its message for asserts.
    fn brief(errors: &[ConfigError]) -> Vec<(usize, usize, String)> {
        errors
            .iter()
            .map(|e| (e.place.line, e.place.column, e.field.clone()))
            .collect()
    }

    #[test]
    fn parses_a_good_spec() {
        let spec = parse_spec("s.yml", GOOD).unwrap();
        assert_eq!(spec.file, "s.yml");
        assert_eq!(spec.repository, "acme/widget");
        assert_eq!(spec.vms.len(), 2);
        let b = &spec.vms[0];
        assert_eq!(b.role, "builder");
        assert_eq!(
            b.place,
            Place {
                file: "s.yml".into(),
                line: 3,
                column: 11
            }
        );
        assert_eq!(b.template, "debian-12-ci");
        assert_eq!((b.count, b.cpus, b.memory_mb), (2, 2, 4096));
        assert_eq!(b.first_disk_mb(), Some(40 * 1024));
        assert_eq!(b.network.as_deref(), Some("VM Network"));
        assert_eq!(b.lifetime, Some(Duration::from_secs(7200)));
        let t = &spec.vms[1];
        assert_eq!((t.count, t.cpus, t.memory_mb), (1, 1, 1536));
        assert_eq!(
            (t.first_disk_mb(), t.network.clone(), t.lifetime),
            (None, None, None)
        );
    }

    #[test]
    fn null_optional_fields_are_left_out() {
        let text = "repository: a/b\nvms:\n  - role: x\n    template: t\n    cpus: 1\n    memory: 1GiB\n    disk:\n    network: ~\n";
        let spec = parse_spec("s.yml", text).unwrap();
        assert_eq!(
            (spec.vms[0].first_disk_mb(), spec.vms[0].network.clone()),
            (None, None)
        );
    }

    #[test]
    fn disks_with_sizes_and_storage_policies() {
        let text = "repository: a/b\nvms:\n  - role: x\n    template: t\n    cpus: 1\n    memory: 1GiB\n    disks:\n      - size: 40GiB\n        storage_policy: vSAN Default Storage Policy\n      - storage_policy: gold\n";
        let spec = parse_spec("s.yml", text).unwrap();
        let d = &spec.vms[0].disks;
        assert_eq!(d.len(), 2);
        assert_eq!(
            (
                d[0].size_mb,
                d[0].storage_policy.as_deref(),
                d[0].place.line
            ),
            (Some(40 * 1024), Some("vSAN Default Storage Policy"), 8)
        );
        assert_eq!(
            (d[1].size_mb, d[1].storage_policy.as_deref()),
            (None, Some("gold"))
        );
        assert_eq!(spec.vms[0].first_disk_mb(), Some(40 * 1024));
    }

    #[test]
    fn disk_mistakes_are_reported_at_their_place() {
        let base =
            "repository: a/b\nvms:\n  - role: x\n    template: t\n    cpus: 1\n    memory: 1GiB\n";
        let both = format!("{base}    disk: 1GiB\n    disks:\n      - size: 2GiB\n");
        let e = errors(&both);
        assert_eq!(brief(&e), vec![(7, 11, "vms[0].disk".into())]);
        assert!(e[0].message.contains("not both"), "{}", e[0]);

        let typo = format!(
            "{base}    disks:\n      - storage_polcy: gold\n      - {{}}\n      - size: big\n"
        );
        let e = errors(&typo);
        assert_eq!(
            brief(&e),
            vec![
                (8, 9, "vms[0].disks[0].storage_polcy".into()),
                (9, 9, "vms[0].disks[1]".into()),
                (10, 15, "vms[0].disks[2].size".into()),
            ]
        );
        assert!(
            e[0].message.contains("did you mean `storage_policy`?"),
            "{}",
            e[0]
        );
        assert!(
            e[1].message.contains("says nothing of the disk"),
            "{}",
            e[1]
        );

        let empty = format!("{base}    disks: []\n");
        assert!(errors(&empty)[0].message.contains("lists no disks"));
    }

    #[test]
    fn a_typo_is_an_unknown_field_with_a_suggestion() {
        let text = GOOD.replace("    cpus: 1\n", "    cpu: 1\n");
        let e = errors(&text);
        assert_eq!(
            brief(&e),
            vec![(11, 5, "vms[1].cpus".into()), (13, 5, "vms[1].cpu".into())]
        );
        assert_eq!(e[0].message, "missing required field `cpus`");
        assert!(
            e[1].message
                .contains("unknown field `cpu`; did you mean `cpus`?"),
            "{}",
            e[1]
        );
        assert_eq!(e[1].to_string().split(": ").next(), Some("s.yml:13:5"));
    }

    #[test]
    fn every_semantic_error_is_reported() {
        let text = "\
repository: acme widget
vms:
  - role: Builder
    template: 12
    count: 0
    cpus: 0
    memory: 4 gigs
    disk: 1.5
    lifetime: 90
  - role: tester
    template: t
    cpus: -1
    memory: 1.3MiB
    lifetime: soon
  - role: tester
    template: t
    cpus: 99999999999
    memory: [1]
";
        let e = errors(text);
        assert_eq!(
            brief(&e),
            vec![
                (1, 13, "repository".into()),
                (3, 11, "vms[0].role".into()),
                (4, 15, "vms[0].template".into()),
                (5, 12, "vms[0].count".into()),
                (6, 11, "vms[0].cpus".into()),
                (7, 13, "vms[0].memory".into()),
                (8, 11, "vms[0].disk".into()),
                (9, 15, "vms[0].lifetime".into()),
                (12, 11, "vms[1].cpus".into()),
                (13, 13, "vms[1].memory".into()),
                (14, 15, "vms[1].lifetime".into()),
                (15, 11, "vms[2].role".into()),
                (17, 11, "vms[2].cpus".into()),
                (18, 13, "vms[2].memory".into()),
            ],
            "{e:#?}"
        );
        let m: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
        assert!(m[0].contains("not a repository name"));
        assert!(m[1].contains("use only a-z, 0-9 and -"));
        assert!(m[2].contains("expected text, found the number 12"));
        assert_eq!(m[3], "count must be at least 1, not 0");
        assert_eq!(m[4], "cpus must be at least 1, not 0");
        assert!(m[5].contains("unknown unit `gigs`"));
        assert!(m[6].contains("not a whole number of MiB"));
        assert!(m[7].contains("needs a unit"));
        assert!(m[8].contains("negative"));
        assert!(m[9].contains("not a whole number of MiB"));
        assert!(m[10].contains("not a duration"));
        assert!(m[11].contains("already used at line 10"));
        assert!(m[12].contains("too large"));
        assert!(m[13].contains("expected a size"));
    }

    #[test]
    fn missing_and_empty_fields() {
        let e = errors("vms:\n  - role: a\n    template:\n");
        assert_eq!(
            brief(&e),
            vec![
                (1, 1, "repository".into()),
                (2, 5, "vms[0].cpus".into()),
                (2, 5, "vms[0].memory".into()),
                (3, 5, "vms[0].template".into()),
            ]
        );
        assert_eq!(e[3].message, "`template` has no value");
        let e = errors("repository: a/b\nvms: []\n");
        assert_eq!(brief(&e), vec![(2, 6, "vms".into())]);
        let e = errors("repository: a/b\nvms: builder\n");
        assert!(e[0].message.contains("expected a list"), "{}", e[0]);
        let e = errors("repository: a/b\nvms:\n  - just-a-name\n");
        assert_eq!(brief(&e), vec![(3, 5, "vms[0]".into())]);
    }

    #[test]
    fn empty_and_odd_documents() {
        for text in ["", "# nothing\n", "~\n"] {
            let e = errors(text);
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].field, "(document)");
            assert!(e[0].message.contains("the spec is empty"), "{}", e[0]);
        }
        let e = errors("- a\n- b\n");
        assert!(e[0].message.contains("must be a mapping"), "{}", e[0]);
    }

    #[test]
    fn syntax_errors_name_place_and_field() {
        // A bad indent in the second group.
        let text = "repository: a/b\nvms:\n  - role: a\n    template: t\n  - role: b\n    cpus: 1\n   memory: 1GiB\n";
        let e = errors(text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].place.line, e[0].field.as_str()),
            (7, "vms[1].memory"),
            "{}",
            e[0]
        );
        // A duplicate key.
        let e = errors("repository: a/b\nvms:\n  - role: a\n    cpus: 1\n    cpus: 2\n");
        assert_eq!(brief(&e), vec![(5, 5, "vms[0].cpus".into())]);
        assert!(e[0].message.contains("duplicate"), "{}", e[0]);
        // Two documents.
        let e = errors("repository: a/b\n---\nvms: []\n");
        assert_eq!(e.len(), 1);
        // An unclosed quote.
        let e = errors("repository: \"a/b\nvms: []\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].place.line >= 1);
    }

    #[test]
    fn anchors_and_merges_work() {
        let text = "\
repository: a/b
vms:
  - &base
    role: a
    template: t
    cpus: 1
    memory: 1GiB
  - <<: *base
    role: b
";
        let spec = parse_spec("s.yml", text).unwrap();
        assert_eq!(spec.vms[1].role, "b");
        assert_eq!(spec.vms[1].template, "t");
    }

    #[test]
    fn deep_or_hostile_input_is_an_error_not_a_crash() {
        let deep = format!("repository: {}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(errors(&deep).len(), 1);
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        assert!(!errors(bomb).is_empty());
        assert!(!errors("\u{0}\u{7f}: \u{202e}\n").is_empty());
        assert!(!errors("{repository: [a, {b: }]]").is_empty());
    }

    #[test]
    fn control_characters_are_escaped_in_messages() {
        let e = errors("repository: \"a/b\\u001b[31m\"\nvms: []\n");
        assert!(e[0].message.contains("\\u{1b}"), "{}", e[0]);
        assert!(!e.iter().any(|e| e.to_string().contains('\u{1b}')));
    }

    #[test]
    fn sizes() {
        for (text, mb) in [
            ("4GiB", 4096),
            ("4 GiB", 4096),
            ("4gb", 4096),
            ("512MiB", 512),
            ("512MB", 512),
            ("1TiB", 1 << 20),
            ("2TB", 2 << 20),
            ("1.5GiB", 1536),
            ("0.5GiB", 512),
            ("4096", 4096),
            ("0", 0),
        ] {
            assert_eq!(parse_size(text), Ok(mb), "{text}");
        }
        for text in [
            "",
            "GiB",
            "4KiB",
            "4 G",
            "1.3MiB",
            "1.GiB",
            ".5GiB",
            "1.2.3GiB",
            "-1GiB",
            "99999999999999999999TiB",
            "1.1234567GiB",
            "4GiBs",
        ] {
            assert!(parse_size(text).is_err(), "{text}");
        }
        assert_eq!(format_size(4096), "4GiB");
        assert_eq!(format_size(1536), "1536MiB");
        assert_eq!(format_size(2 << 20), "2TiB");
        assert_eq!(format_size(0), "0MiB");
    }

    #[test]
    fn durations() {
        for (text, s) in [
            ("30m", 1800),
            ("2h", 7200),
            ("1d", 86_400),
            ("90s", 90),
            ("1h30m", 5400),
            ("1h 30m", 5400),
            ("2H", 7200),
        ] {
            assert_eq!(parse_duration(text), Ok(Duration::from_secs(s)), "{text}");
        }
        for text in [
            "",
            "90",
            "0h",
            "h",
            "2x",
            "1.5h",
            "-1h",
            "3651d",
            "99999999999999999d",
            "2h soon",
        ] {
            assert!(parse_duration(text).is_err(), "{text}");
        }
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(
            format_duration(Duration::from_secs(86_400 + 43_200)),
            "1d12h"
        );
        assert_eq!(format_duration(Duration::from_secs(61)), "1m1s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        for s in [1, 59, 3600, 5400, 86_399, 90_061] {
            let d = Duration::from_secs(s);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
    }

    #[test]
    fn roles_and_repositories() {
        for ok in ["a", "builder", "web-1", "0x"] {
            assert_eq!(check_role(ok), Ok(()), "{ok}");
        }
        for bad in ["", "Builder", "web_1", "-a", "a-", "a b", &"a".repeat(33)] {
            assert!(check_role(bad).is_err(), "{bad}");
        }
        for ok in ["acme/widget", "group/sub/proj", "a.b/c_d-e"] {
            assert_eq!(check_repository(ok), Ok(()), "{ok}");
        }
        for bad in ["acme", "acme/", "/widget", "a//b", "a/../b", "a/b c", "a/ü"] {
            assert!(check_repository(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn field_near_follows_indentation() {
        use yaml::field_near;
        let text = "a: 1\nvms:\n- role: x\n  cpus: 1\n- role: y\n  note: |\n    b: not a key\n  memory: 1\n";
        assert_eq!(field_near(text, 0), "(document)");
        assert_eq!(field_near(text, 1), "a");
        assert_eq!(field_near(text, 4), "vms[0].cpus");
        assert_eq!(field_near(text, 5), "vms[1].role");
        assert_eq!(field_near(text, 7), "vms[1].note");
        assert_eq!(field_near(text, 8), "vms[1].memory");
        assert_eq!(field_near("\"q k\": 1\n'x': 2\n", 2), "x");
        assert_eq!(field_near("- - a: 1\n", 1), "[0][0].a");
        assert_eq!(field_near("vms:\n\t- role: a\n", 2), "vms[0].role");
        // Never panics on odd text.
        for odd in [
            "\"unclosed: 1",
            "-",
            "- ",
            "::",
            "é: ü",
            "  - \"x\":",
            "a:b: c",
        ] {
            let _ = field_near(odd, 1);
        }
    }

    #[test]
    fn suggestions() {
        use yaml::nearest;
        assert_eq!(nearest("cpu", VM_FIELDS), Some("cpus"));
        assert_eq!(nearest("templte", VM_FIELDS), Some("template"));
        assert_eq!(nearest("Memory", VM_FIELDS), Some("memory"));
        assert_eq!(nearest("colour", VM_FIELDS), None);
    }

    #[test]
    fn finds_the_spec_upward_within_the_repository() {
        let base = std::env::temp_dir().join(format!("vmci-find-spec-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let deep = base.join("repo/src/deep");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(base.join("repo/.git")).unwrap();
        // Above the repository: never found from inside it.
        std::fs::write(base.join(FILE_NAME), "x").unwrap();
        assert_eq!(find_spec(&deep), None);
        std::fs::write(base.join("repo").join(FILE_NAME), "x").unwrap();
        assert_eq!(find_spec(&deep), Some(base.join("repo").join(FILE_NAME)));
        std::fs::write(deep.join(FILE_NAME), "x").unwrap();
        assert_eq!(find_spec(&deep), Some(deep.join(FILE_NAME)));
        // A folder of that name is not a spec.
        let other = base.join("other");
        std::fs::create_dir_all(other.join(FILE_NAME)).unwrap();
        std::fs::create_dir_all(other.join(".git")).unwrap();
        assert_eq!(find_spec(&other), None);
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn load_reports_unreadable_and_non_utf8_files() {
        let base = std::env::temp_dir().join(format!("vmci-load-spec-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        let missing = base.join("missing.yml");
        let e = load_spec(&missing).unwrap_err();
        assert_eq!((e.len(), e[0].place.line), (1, 0));
        assert!(
            e[0].to_string()
                .starts_with(&format!("{}: cannot read it: ", missing.display()))
        );
        let binary = base.join("binary.yml");
        std::fs::write(&binary, b"repository: a/b\nvms: \xff\n").unwrap();
        let e = load_spec(&binary).unwrap_err();
        assert_eq!((e[0].place.line, e[0].place.column), (2, 6));
        let big = base.join("big.yml");
        std::fs::write(&big, vec![b'#'; MAX_FILE_BYTES + 1]).unwrap();
        assert!(
            load_spec(&big).unwrap_err()[0]
                .message
                .contains("larger than")
        );
        let good = base.join(FILE_NAME);
        std::fs::write(&good, GOOD).unwrap();
        assert_eq!(load_spec(&good).unwrap().file, good.display().to_string());
        let _ = std::fs::remove_dir_all(&base);
    }
}
