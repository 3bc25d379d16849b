//! Release metadata: the oldest vSphere release that has each generated type,
//! field (request parameters included), operation and enum value.
//!
//! Sources, in order of precedence (see "Releases" in `docs/design-bindings.md`):
//!
//! 1. `since.json`: the release of every type, and of each property, method and
//!    parameter whose release differs from its type's (or method's); release
//!    ids are mapped to wire names through `versions.json`.
//! 2. Derived: an `ArrayOf*` box has the release of its item type (primitive
//!    and reference items: the first release); a request type and its `_this`
//!    have the release of their operation.
//! 3. The difference between the old WSDL set (5.5) and the primary one (7.0),
//!    for what `since.json` does not give (enum values, ids it cannot map):
//!    present in the old set ⇒ the release of the enclosing type (the oldest
//!    release that may have it: the set only proves "at most 5.5");
//!    absent ⇒ the release after the old set's, or the enclosing type's if later.
//!
//! `since.json` is also cross-checked against the WSDL difference: every item
//! it puts at or before the old release but the old set lacks, or after it
//! while the old set has it, is listed as a [`Disagreement`]. `since.json`
//! stays the recorded value.

use crate::model::{Kind, Model, TypeRef};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where a recorded release comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Given for the item itself by `since.json`.
    SinceJson,
    /// Not listed in `since.json`: it shares its type's (or method's) release.
    Inherited,
    /// Derived from another item (`ArrayOf*` boxes, request types, `_this`).
    Derived,
    /// A bound from the old-versus-new WSDL difference (enum values).
    WsdlBound,
    /// vmodl.json's `version-id-ref` of a method it adds that since.json
    /// does not list.
    VmodlJson,
    /// No source gives a release.
    Unknown,
    /// A type of the PBM service: vim25's releases do not date it.
    Pbm,
    /// A vSAN type a vim25 field holds: vim25's releases do not date it
    /// (the field that holds it is dated).
    Vsan,
}

impl Source {
    /// Short label for the summary.
    pub fn label(self) -> &'static str {
        match self {
            Source::SinceJson => "since.json",
            Source::Inherited => "since.json (the type's or method's release)",
            Source::Derived => "derived (item type of an ArrayOf box, operation of a request)",
            Source::WsdlBound => "5.5-versus-7.0 WSDL difference (lower bound)",
            Source::VmodlJson => "vmodl.json's version-id-ref (not in since.json)",
            Source::Unknown => "unknown",
            Source::Pbm => "none: the PBM service has releases of its own (not in since.json)",
            Source::Vsan => {
                "none: a vSAN type that vim25 fields hold (not in since.json; the fields are dated)"
            }
        }
    }
}

/// A recorded release: an index into [`ReleaseInfo::releases`], or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Since {
    pub release: Option<u8>,
    pub source: Source,
}

impl Since {
    fn new(release: Option<u8>, source: Source) -> Self {
        match release {
            Some(_) => Since { release, source },
            // PBM items are undated by design, not for want of a source.
            None if matches!(source, Source::Pbm | Source::Vsan) => Since { release, source },
            None => Since {
                release: None,
                source: Source::Unknown,
            },
        }
    }
}

/// The source of a type that vim25's releases do not date (PBM's, and the
/// vSAN types vim25 fields hold), or `None` for a vim25 type.
fn own_releases(m: &Model, name: &str) -> Option<Source> {
    if m.pbm.contains(name) {
        Some(Source::Pbm)
    } else if m.vsan.contains(name) {
        Some(Source::Vsan)
    } else {
        None
    }
}

/// An item `since.json` dates differently from what the WSDL difference shows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Disagreement {
    /// `type`, `enum`, `field`, `operation` or `parameter`.
    pub kind: &'static str,
    /// `Type`, `Type.field`, `Operation` or `Operation.param`.
    pub item: String,
    /// The release `since.json` gives (index).
    pub since: u8,
    /// Whether the old WSDL set has the item.
    pub in_old: bool,
}

/// Release data for every generated item. Keys are WSDL names.
#[derive(Clone, Debug, Default)]
pub struct ReleaseInfo {
    /// Release wire names, oldest first (from `versions.json`).
    pub releases: Vec<String>,
    /// Label and index of the old WSDL set's release.
    pub old_label: String,
    pub old_release: Option<u8>,
    /// Complex types (every kind), enums and managed object types.
    pub types: BTreeMap<String, Since>,
    /// `(type, field)`: fields of complex types (request parameters and
    /// `_this` included) and properties of managed object types.
    pub fields: BTreeMap<(String, String), Since>,
    /// Port-type operations.
    pub operations: BTreeMap<String, Since>,
    /// `(enum, value)`.
    pub enum_values: BTreeMap<(String, String), Since>,
    /// `since.json` versus the WSDL difference.
    pub disagreements: Vec<Disagreement>,
    /// Other observations for the summary (ids that map to no release, ...).
    pub notes: Vec<String>,
}

#[derive(Deserialize)]
struct Versions {
    releases: Vec<VRelease>,
    #[serde(default)]
    aliases: BTreeMap<String, VAlias>,
}

#[derive(Deserialize)]
struct VRelease {
    id: String,
    wire: String,
}

#[derive(Deserialize)]
struct VAlias {
    same_as: String,
}

#[derive(Deserialize)]
struct SinceFile {
    types: BTreeMap<String, SType>,
}

#[derive(Deserialize)]
struct SType {
    since: String,
    #[serde(default)]
    props: BTreeMap<String, String>,
    #[serde(default)]
    methods: BTreeMap<String, SMethod>,
}

#[derive(Deserialize)]
struct SMethod {
    since: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
}

/// Maps release ids to indexes, counting the ids it cannot map.
struct Ids {
    index: BTreeMap<String, u8>,
    unmapped: BTreeMap<String, usize>,
}

impl Ids {
    fn get(&mut self, id: &str) -> Option<u8> {
        match self.index.get(id) {
            Some(i) => Some(*i),
            None => {
                *self.unmapped.entry(id.to_string()).or_default() += 1;
                None
            }
        }
    }
}

fn max_opt(a: Option<u8>, b: Option<u8>) -> Option<u8> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (x, None) | (None, x) => x,
    }
}

/// The WSDL-difference rule for an item `since.json` does not date: present
/// in the old set ⇒ the enclosing item's release; absent ⇒ the release after
/// the old set's, or the enclosing item's if later.
fn wsdl_bound(in_old: bool, parent: Option<u8>, old: Option<u8>) -> Since {
    if in_old {
        Since::new(parent, Source::WsdlBound)
    } else {
        let after = old.map(|o| o.saturating_add(1));
        Since::new(max_opt(after, parent), Source::WsdlBound)
    }
}

/// Computes the release data of `m` (the primary WSDL set merged with
/// vmodl.json) from `old` (the older WSDL set, released as `old_release`, a
/// wire name of `versions.json`), `versions.json` and `since.json`.
pub fn compute(
    m: &Model,
    old: &Model,
    old_release: &str,
    versions_json: &str,
    since_json: &str,
) -> Result<ReleaseInfo, String> {
    let versions: Versions = serde_json::from_str(versions_json).map_err(|e| {
        format!(
            "versions.json: line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let since: SinceFile = serde_json::from_str(since_json)
        .map_err(|e| format!("since.json: line {} column {}: {e}", e.line(), e.column()))?;
    if versions.releases.is_empty() || versions.releases.len() > 250 {
        return Err(format!(
            "versions.json: {} releases; the tables hold 1 to 250",
            versions.releases.len()
        ));
    }
    let mut info = ReleaseInfo {
        releases: versions.releases.iter().map(|r| r.wire.clone()).collect(),
        old_label: old.source.clone(),
        ..ReleaseInfo::default()
    };
    let mut ids = Ids {
        index: BTreeMap::new(),
        unmapped: BTreeMap::new(),
    };
    for (i, r) in versions.releases.iter().enumerate() {
        ids.index.insert(r.id.clone(), i as u8);
    }
    for (alias, a) in &versions.aliases {
        let i = *ids.index.get(&a.same_as).ok_or_else(|| {
            format!(
                "versions.json: alias {alias} names {}, which is not a release",
                a.same_as
            )
        })?;
        ids.index.insert(alias.clone(), i);
    }
    let old_idx = info
        .releases
        .iter()
        .position(|w| w == old_release)
        .ok_or_else(|| {
            format!("old WSDL release `{old_release}` is not a wire name of versions.json")
        })? as u8;
    info.old_release = Some(old_idx);
    let old_i = Some(old_idx);

    // Operation -> (method entry, owner) from the managed types' methods.
    let mut op_since: BTreeMap<&str, (&SMethod, &str)> = BTreeMap::new();
    for (owner, t) in &since.types {
        for (name, meth) in &t.methods {
            if let Some((_, first)) = op_since.get(name.as_str()) {
                info.notes.push(format!(
                    "since.json lists method {name} under both {first} and {owner}; the first is kept"
                ));
                continue;
            }
            op_since.insert(name, (meth, owner));
        }
    }

    let mut dis = Vec::new();
    let mut older_fields = 0usize;

    // The newest release since.json gives to a type of the primary WSDL set:
    // what the model adds beyond it (enum values it does not date) comes after.
    let wsdl_newest = m
        .complex
        .keys()
        .chain(m.enums.keys())
        .filter(|n| !m.from_model.contains(*n))
        .filter_map(|n| since.types.get(n).and_then(|t| ids.get(&t.since)))
        .max();
    let model_values: std::collections::BTreeSet<&str> = m
        .added
        .iter()
        .filter_map(|a| a.item.strip_prefix("enum value "))
        .collect();

    // Enums.
    for (name, e) in &m.enums {
        if let Some(own) = own_releases(m, name) {
            info.types.insert(name.clone(), Since::new(None, own));
            for v in &e.values {
                info.enum_values
                    .insert((name.clone(), v.clone()), Since::new(None, own));
            }
            continue;
        }
        let old_e = old.enums.get(name);
        let t = since.types.get(name).and_then(|t| ids.get(&t.since));
        let ts = match t {
            Some(_) => Since::new(t, Source::SinceJson),
            None => wsdl_bound(old_e.is_some(), None, old_i),
        };
        // The old set is older than the model's items: comparing them would
        // only say so.
        if let Some(s) = t
            && !m.from_model.contains(name)
        {
            cross(&mut dis, "enum", name, s, old_e.is_some(), old_idx);
        }
        info.types.insert(name.clone(), ts);
        for v in &e.values {
            let in_old = old_e.is_some_and(|o| o.values.contains(v));
            let vs = if model_values.contains(format!("{name}.{v}").as_str()) {
                let after = wsdl_newest.map(|w| w.saturating_add(1));
                Since::new(max_opt(after, ts.release), Source::WsdlBound)
            } else {
                wsdl_bound(in_old, ts.release, old_i)
            };
            info.enum_values.insert((name.clone(), v.clone()), vs);
        }
    }

    // Complex types other than boxes and requests (those derive from these).
    for c in m.complex.values() {
        if matches!(c.kind, Kind::ArrayOf | Kind::Request) {
            continue;
        }
        if let Some(own) = own_releases(m, &c.name) {
            info.types.insert(c.name.clone(), Since::new(None, own));
            for f in &c.fields {
                info.fields
                    .insert((c.name.clone(), f.name.clone()), Since::new(None, own));
            }
            continue;
        }
        let old_c = old.complex.get(&c.name);
        let st = since.types.get(&c.name);
        let t = st.and_then(|t| ids.get(&t.since));
        let ts = match t {
            Some(_) => Since::new(t, Source::SinceJson),
            None => wsdl_bound(old_c.is_some(), None, old_i),
        };
        if let Some(s) = t
            && !m.from_model.contains(&c.name)
        {
            cross(&mut dis, "type", &c.name, s, old_c.is_some(), old_idx);
        }
        info.types.insert(c.name.clone(), ts);
        for f in &c.fields {
            let in_old = old_c.is_some_and(|o| o.fields.iter().any(|x| x.name == f.name));
            let listed = st.and_then(|t| t.props.get(&f.name));
            let fs = match (listed.and_then(|id| ids.get(id)), t) {
                (Some(p), _) => {
                    if old_c.is_some() && !m.from_model.contains(&c.name) {
                        cross(
                            &mut dis,
                            "field",
                            &format!("{}.{}", c.name, f.name),
                            p,
                            in_old,
                            old_idx,
                        );
                    }
                    if t.is_some_and(|t| p < t) {
                        older_fields += 1;
                    }
                    Since::new(max_opt(Some(p), t), Source::SinceJson)
                }
                (None, Some(t)) if listed.is_none() => {
                    if old_c.is_some() {
                        cross(
                            &mut dis,
                            "field",
                            &format!("{}.{}", c.name, f.name),
                            t,
                            in_old,
                            old_idx,
                        );
                    }
                    Since::new(Some(t), Source::Inherited)
                }
                _ => wsdl_bound(in_old, ts.release, old_i),
            };
            info.fields.insert((c.name.clone(), f.name.clone()), fs);
        }
    }

    // Operations, their request types and parameters.
    for op in m.operations.values() {
        if m.pbm.contains(&op.name) {
            let pbm = Since::new(None, Source::Pbm);
            info.operations.insert(op.name.clone(), pbm);
            if let Some(req) = m.complex.get(&op.request_type) {
                info.types.insert(req.name.clone(), pbm);
                for f in &req.fields {
                    info.fields.insert((req.name.clone(), f.name.clone()), pbm);
                }
            }
            continue;
        }
        let in_old = old.operations.get(&op.name);
        let entry = op_since.get(op.name.as_str());
        let s = entry.and_then(|(meth, _)| ids.get(&meth.since));
        let modelled = m.method_versions.get(&op.name).and_then(|v| ids.get(v));
        let os = match (s, modelled) {
            (Some(_), _) => Since::new(s, Source::SinceJson),
            (None, Some(v)) => Since::new(Some(v), Source::VmodlJson),
            (None, None) => wsdl_bound(in_old.is_some(), None, old_i),
        };
        if let Some(s) = s {
            cross(
                &mut dis,
                "operation",
                &op.name,
                s,
                in_old.is_some(),
                old_idx,
            );
        }
        info.operations.insert(op.name.clone(), os);
        let Some(req) = m.complex.get(&op.request_type) else {
            continue;
        };
        info.types
            .insert(req.name.clone(), Since::new(os.release, Source::Derived));
        let old_req = in_old.and_then(|o| old.complex.get(&o.request_type));
        for f in &req.fields {
            let p_in_old = old_req.is_some_and(|o| o.fields.iter().any(|x| x.name == f.name));
            let listed = entry.and_then(|(meth, _)| meth.params.get(&f.name));
            let fs = if f.name == "_this" {
                Since::new(os.release, Source::Derived)
            } else {
                match (listed.and_then(|id| ids.get(id)), s) {
                    (Some(p), _) => {
                        if old_req.is_some() {
                            cross(
                                &mut dis,
                                "parameter",
                                &format!("{}.{}", op.name, f.name),
                                p,
                                p_in_old,
                                old_idx,
                            );
                        }
                        Since::new(max_opt(Some(p), s), Source::SinceJson)
                    }
                    (None, Some(s)) if listed.is_none() => {
                        if old_req.is_some() {
                            cross(
                                &mut dis,
                                "parameter",
                                &format!("{}.{}", op.name, f.name),
                                s,
                                p_in_old,
                                old_idx,
                            );
                        }
                        Since::new(Some(s), Source::Inherited)
                    }
                    _ => wsdl_bound(p_in_old, os.release, old_i),
                }
            };
            info.fields.insert((req.name.clone(), f.name.clone()), fs);
        }
    }

    // ArrayOf boxes: the release of their item type.
    for c in m.complex.values().filter(|c| c.kind == Kind::ArrayOf) {
        let s = match &c.fields[0].ty {
            TypeRef::Named(n) => info.types.get(n).and_then(|s| s.release),
            TypeRef::Prim(_) | TypeRef::Mor => Some(0),
        };
        let s = Since::new(s, Source::Derived);
        info.types.insert(c.name.clone(), s);
        info.fields
            .insert((c.name.clone(), c.fields[0].name.clone()), s);
    }

    // Managed object types and their properties.
    for mo in m.managed.values() {
        if m.pbm.contains(&mo.name) {
            let pbm = Since::new(None, Source::Pbm);
            info.types.insert(mo.name.clone(), pbm);
            for p in &mo.properties {
                info.fields.insert((mo.name.clone(), p.name.clone()), pbm);
            }
            continue;
        }
        let st = since.types.get(&mo.name);
        let t = st.and_then(|t| ids.get(&t.since));
        info.types
            .insert(mo.name.clone(), Since::new(t, Source::SinceJson));
        for p in &mo.properties {
            let listed = st.and_then(|t| t.props.get(&p.name));
            let s = match (listed.and_then(|id| ids.get(id)), t) {
                (Some(x), t) => Since::new(max_opt(Some(x), t), Source::SinceJson),
                (None, Some(t)) if listed.is_none() => Since::new(Some(t), Source::Inherited),
                _ => Since::new(None, Source::Unknown),
            };
            info.fields.insert((mo.name.clone(), p.name.clone()), s);
        }
    }

    if older_fields > 0 {
        info.notes.push(format!(
            "{older_fields} fields are dated by since.json before their type: recorded as the type's release"
        ));
    }
    if !ids.unmapped.is_empty() {
        let mut by_prefix: BTreeMap<&str, usize> = BTreeMap::new();
        for (id, n) in &ids.unmapped {
            let p = id.rsplit_once('.').map(|(p, _)| p).unwrap_or(id);
            *by_prefix.entry(p).or_default() += n;
        }
        let list: Vec<String> = by_prefix
            .iter()
            .map(|(p, n)| format!("{p}.* ({n})"))
            .collect();
        info.notes.push(format!(
            "release ids on generated items that versions.json does not map (left to the WSDL rule): {}",
            list.join(", ")
        ));
    }
    dis.sort_by(|a, b| (a.in_old, a.kind, &a.item).cmp(&(b.in_old, b.kind, &b.item)));
    info.disagreements = dis;
    Ok(info)
}

/// Records a disagreement between a `since.json` release and the old set.
fn cross(
    out: &mut Vec<Disagreement>,
    kind: &'static str,
    item: &str,
    since: u8,
    in_old: bool,
    old: u8,
) {
    if (since <= old) != in_old {
        out.push(Disagreement {
            kind,
            item: item.to_string(),
            since,
            in_old,
        });
    }
}

impl ReleaseInfo {
    /// The wire name of a release index.
    pub fn wire(&self, i: u8) -> &str {
        self.releases
            .get(i as usize)
            .map(|s| s.as_str())
            .unwrap_or("?")
    }
}

/// The table byte for a recorded release (`255`: unknown).
fn byte(s: Option<&Since>) -> u8 {
    s.and_then(|s| s.release).unwrap_or(UNKNOWN)
}

/// The `since` byte of items no source dates.
pub const UNKNOWN: u8 = 255;

pub(crate) fn wsdl_ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Prim(p) => format!("xsd:{}", p.xsd_name()),
        TypeRef::Mor => "ManagedObjectReference".into(),
        TypeRef::Named(n) => n.clone(),
    }
}

/// One row of the type table: a complex or managed object type, its base
/// and its fields `(name, wire type, since, repeated)` sorted by name, in
/// the order of the generated `FIELDS` table.
pub struct TableRow<'a> {
    pub base: Option<&'a str>,
    pub fields: Vec<(&'a str, String, u8, bool)>,
}

/// The rows of the generated `TYPES` and `FIELDS` tables, by type name:
/// complex types (every kind) and managed object types. The VI/JSON schema
/// (`crate::schema`) indexes `FIELDS` through the same rows.
pub fn table_rows(m: &Model) -> BTreeMap<&str, TableRow<'_>> {
    let r = &m.releases;
    let mut rows: BTreeMap<&str, TableRow<'_>> = BTreeMap::new();
    for c in m.complex.values() {
        let mut fields: Vec<(&str, String, u8, bool)> = c
            .fields
            .iter()
            .map(|f| {
                let key = (c.name.clone(), f.name.clone());
                (
                    f.name.as_str(),
                    wsdl_ty(&f.ty),
                    byte(r.fields.get(&key)),
                    f.repeated,
                )
            })
            .collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        rows.insert(
            &c.name,
            TableRow {
                base: c.base.as_deref(),
                fields,
            },
        );
    }
    for mo in m.managed.values() {
        let mut fields: Vec<(&str, String, u8, bool)> = mo
            .properties
            .iter()
            .map(|p| {
                let key = (mo.name.clone(), p.name.clone());
                (
                    p.name.as_str(),
                    wsdl_ty(&p.ty),
                    byte(r.fields.get(&key)),
                    p.repeated,
                )
            })
            .collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        fields.dedup_by(|a, b| a.0 == b.0);
        rows.entry(&mo.name).or_insert(TableRow {
            base: mo.base.as_deref(),
            fields,
        });
    }
    rows
}

/// The generated tables: files under `releases/`, keyed by name.
pub fn tables(m: &Model, header: &str) -> Vec<(String, String)> {
    let r = &m.releases;
    let mut out = Vec::new();
    let rows = table_rows(m);

    let mut types = format!(
        "{header}//! Per type (complex types, request types, `ArrayOf*` boxes, managed object\n//! types): `(name, since, base or \"\", first field in FIELDS, field count)`,\n//! sorted by name.\n\n/// See the module documentation.\n#[rustfmt::skip]\npub(crate) static TYPES: &[(&str, u8, &str, u32, u16)] = &[\n"
    );
    let mut fields = format!(
        "{header}//! Per field: `(name on the wire, XSD type on the wire, since)`, grouped by\n//! type in the order of TYPES, sorted by name within a type.\n\n/// See the module documentation.\n#[rustfmt::skip]\npub(crate) static FIELDS: &[(&str, &str, u8)] = &[\n"
    );
    let mut next = 0u32;
    for (name, row) in &rows {
        let _ = writeln!(
            types,
            "    ({name:?}, {}, {:?}, {next}, {}),",
            byte(r.types.get(*name)),
            row.base.unwrap_or(""),
            row.fields.len()
        );
        for (f, t, s, _) in &row.fields {
            let _ = writeln!(fields, "    ({f:?}, {t:?}, {s}),");
        }
        next += row.fields.len() as u32;
    }
    types.push_str("];\n");
    fields.push_str("];\n");

    let mut enums = format!(
        "{header}//! Per enum: `(name, since, first value in ENUM_VALUES, value count)`, sorted\n//! by name; per value: `(value, since)`, grouped by enum, sorted by value.\n\n/// See the module documentation.\n#[rustfmt::skip]\npub(crate) static ENUMS: &[(&str, u8, u32, u16)] = &[\n"
    );
    let mut values = String::from(
        "/// See the module documentation.\n#[rustfmt::skip]\npub(crate) static ENUM_VALUES: &[(&str, u8)] = &[\n",
    );
    let mut next = 0u32;
    for e in m.enums.values() {
        let mut vs: Vec<&String> = e.values.iter().collect();
        vs.sort();
        vs.dedup();
        let _ = writeln!(
            enums,
            "    ({:?}, {}, {next}, {}),",
            e.name,
            byte(r.types.get(&e.name)),
            vs.len()
        );
        for v in &vs {
            let _ = writeln!(
                values,
                "    ({v:?}, {}),",
                byte(r.enum_values.get(&(e.name.clone(), (*v).clone())))
            );
        }
        next += vs.len() as u32;
    }
    enums.push_str("];\n\n");
    values.push_str("];\n");
    enums.push_str(&values);

    let mut ops = format!(
        "{header}//! Per operation: `(name, since, request type)`, sorted by name.\n\n/// See the module documentation.\n#[rustfmt::skip]\npub(crate) static OPERATIONS: &[(&str, u8, &str)] = &[\n"
    );
    for op in m.operations.values() {
        let _ = writeln!(
            ops,
            "    ({:?}, {}, {:?}),",
            op.name,
            byte(r.operations.get(&op.name)),
            op.request_type
        );
    }
    ops.push_str("];\n");

    let mut modrs = format!(
        "{header}//! Release tables for version checks: the oldest release that has each\n//! type, field, operation and enum value, as an index into [`RELEASES`]\n//! (`{UNKNOWN}`: unknown). Read through `crate::rt::release`.\n\nmod enums;\nmod fields;\nmod operations;\nmod types;\n\npub(crate) use enums::{{ENUMS, ENUM_VALUES}};\npub(crate) use fields::FIELDS;\npub(crate) use operations::OPERATIONS;\npub(crate) use types::TYPES;\n\n/// The `since` of an item no source dates.\npub(crate) const UNKNOWN: u8 = {UNKNOWN};\n\n/// vSphere releases by wire name (as in `urn:vim25/<release>` and\n/// `vimServiceVersions.xml`), oldest first; each includes every release\n/// before it. From `versions.json`.\npub static RELEASES: &[&str] = &[\n"
    );
    for w in &r.releases {
        let _ = writeln!(modrs, "    {w:?},");
    }
    modrs.push_str("];\n");
    out.push(("mod.rs".to_string(), modrs));
    out.push(("types.rs".to_string(), types));
    out.push(("fields.rs".to_string(), fields));
    out.push(("enums.rs".to_string(), enums));
    out.push(("operations.rs".to_string(), ops));
    out
}
