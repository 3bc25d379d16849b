//! The codegen's report: counts, and every skipped or downgraded input item.

use crate::emit::Ctx;
use crate::model::Kind;
use crate::releases::{Since, Source};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Renders the summary text (printed, and committed beside the generated code).
pub fn render(ctx: &Ctx<'_>) -> String {
    let m = ctx.m;
    let mut s = String::new();
    let _ = writeln!(s, "vmomi-codegen summary for {}", m.source);
    let _ = writeln!(
        s,
        "  data objects:        {} (DynamicData and its descendants)",
        m.count(Kind::Data)
    );
    let _ = writeln!(s, "  faults:              {}", m.count(Kind::Fault));
    let _ = writeln!(
        s,
        "  enums:               {} ({} values)",
        m.enums.len(),
        m.enums.values().map(|e| e.values.len()).sum::<usize>()
    );
    let _ = writeln!(s, "  ArrayOf boxes:       {}", m.count(Kind::ArrayOf));
    let _ = writeln!(s, "  request types:       {}", m.count(Kind::Request));
    let _ = writeln!(s, "  other types:         {}", m.count(Kind::Other));
    let _ = writeln!(s, "  methods:             {}", m.operations.len());
    let _ = writeln!(
        s,
        "  managed objects:     {} ({} methods bound to them)",
        m.managed.len(),
        m.managed.values().map(|x| x.methods.len()).sum::<usize>()
    );
    let _ = writeln!(
        s,
        "  polymorphic enums:   {} ({} variants)",
        ctx.poly.len(),
        ctx.poly.values().map(|d| d.len() + 1).sum::<usize>()
    );
    let _ = writeln!(
        s,
        "  boxed fields:        {} (to break containment cycles)",
        ctx.boxed.len()
    );
    let new_types = m
        .from_model
        .iter()
        .filter(|n| m.complex.get(*n).is_some_and(|c| c.kind != Kind::ArrayOf))
        .count();
    let new_enums = m
        .from_model
        .iter()
        .filter(|n| m.enums.contains_key(*n))
        .count();
    let new_boxes = m.from_model.len() - new_types - new_enums;
    let count_added = |prefix: &str| {
        m.added
            .iter()
            .filter(|a| a.item.starts_with(prefix))
            .count()
    };
    let _ = writeln!(
        s,
        "  from the model:      {new_types} types, {new_enums} enums, {new_boxes} ArrayOf boxes, {} methods; {} fields and {} enum values on the WSDL's types",
        count_added("method "),
        count_added("field "),
        count_added("enum value ")
    );
    let _ = writeln!(
        s,
        "  of them PBM:         {} types, {} enums (urn:pbm, in generated/pbm/)",
        m.pbm
            .iter()
            .filter(|n| m.complex.get(*n).is_some_and(|c| c.kind != Kind::ArrayOf))
            .count(),
        m.pbm.iter().filter(|n| m.enums.contains_key(*n)).count()
    );
    let _ = writeln!(
        s,
        "  of them vSAN's:      {} types, {} enums (held by vim25 fields, in urn:vim25)",
        m.vsan.iter().filter(|n| m.complex.contains_key(*n)).count(),
        m.vsan.iter().filter(|n| m.enums.contains_key(*n)).count()
    );
    releases(ctx, &mut s);
    let _ = writeln!(
        s,
        "WSDL and vmodl.json disagree on {} items (the WSDL wins):",
        m.disagreements.len()
    );
    let mut dis = m.disagreements.clone();
    dis.sort();
    for d in &dis {
        let _ = writeln!(s, "  {}: {}", d.item, d.reason);
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &m.skipped {
        *reasons.entry(k.reason.as_str()).or_default() += 1;
    }
    let _ = writeln!(s, "skipped: {} input items", m.skipped.len());
    for (r, n) in &reasons {
        let _ = writeln!(s, "  {n:5}  {r}");
    }
    let _ = writeln!(s, "downgraded: {} input items", m.downgraded.len());
    let _ = writeln!(s, "\nevery skipped item:");
    let mut items = m.skipped.clone();
    items.sort();
    for k in &items {
        let _ = writeln!(s, "  skip {}: {}", k.item, k.reason);
    }
    for k in &m.downgraded {
        let _ = writeln!(s, "  downgrade {}: {}", k.item, k.reason);
    }
    s
}

/// Column of the release table an item counts in.
#[derive(Clone, Copy)]
enum Col {
    Types = 0,
    Fields = 1,
    Params = 2,
    Methods = 3,
    Values = 4,
}

/// The release table, the sources of the recorded releases, the
/// disagreements between `since.json` and the WSDL difference, and unknowns.
fn releases(ctx: &Ctx<'_>, s: &mut String) {
    let m = ctx.m;
    let r = &m.releases;
    if r.releases.is_empty() {
        let _ = writeln!(s, "releases: not loaded");
        return;
    }
    let n = r.releases.len();
    // rows: one per release, then unknown, then PBM (dated by its own
    // releases), then the vSAN types vim25 fields hold
    let mut rows = vec![[0usize; 5]; n + 3];
    let mut sources: BTreeMap<(Source, &str), usize> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut count = |col: Col, item: String, since: &Since| {
        let own = matches!(since.source, Source::Pbm | Source::Vsan);
        let row = match since.release {
            _ if since.source == Source::Vsan => n + 2,
            _ if own => n + 1,
            Some(i) => (i as usize).min(n),
            None => n,
        };
        rows[row][col as usize] += 1;
        let label = ["types", "fields", "params", "methods", "enum values"][col as usize];
        *sources.entry((since.source, label)).or_default() += 1;
        if since.release.is_none() && !own {
            unknown.push(format!("{label}: {item}"));
        }
    };
    let type_col = |name: &str| -> Option<Col> {
        match m.complex.get(name).map(|c| c.kind) {
            Some(Kind::ArrayOf | Kind::Request) => None,
            Some(_) => Some(Col::Types),
            None => Some(Col::Types), // enums and managed object types
        }
    };
    for (name, since) in &r.types {
        if let Some(c) = type_col(name) {
            count(c, name.clone(), since);
        }
    }
    for ((owner, field), since) in &r.fields {
        let col = match m.complex.get(owner).map(|c| c.kind) {
            Some(Kind::ArrayOf) => continue,
            Some(Kind::Request) if field == "_this" => continue,
            Some(Kind::Request) => Col::Params,
            _ => Col::Fields,
        };
        count(col, format!("{owner}.{field}"), since);
    }
    for (op, since) in &r.operations {
        count(Col::Methods, op.clone(), since);
    }
    for ((e, v), since) in &r.enum_values {
        count(Col::Values, format!("{e}.{v}"), since);
    }
    let _ = writeln!(
        s,
        "releases: {n} (versions.json); each item counts under the oldest release that has it"
    );
    let _ = writeln!(
        s,
        "  (types: data objects, faults, enums, managed objects; fields: their fields and\n  \
         managed-object properties; params: operation parameters without _this;\n  \
         ArrayOf boxes and request types are derived and not counted)"
    );
    let _ = writeln!(
        s,
        "  {:<13} {:>6} {:>7} {:>7} {:>8} {:>12}",
        "release", "types", "fields", "params", "methods", "enum values"
    );
    let mut total = [0usize; 5];
    for (i, row) in rows.iter().enumerate() {
        let name = match i {
            _ if i < n => r.wire(i as u8),
            _ if i == n => "unknown",
            _ if i == n + 1 => "PBM",
            _ => "vSAN",
        };
        let _ = writeln!(
            s,
            "  {:<13} {:>6} {:>7} {:>7} {:>8} {:>12}",
            name, row[0], row[1], row[2], row[3], row[4]
        );
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
    }
    let _ = writeln!(
        s,
        "  {:<13} {:>6} {:>7} {:>7} {:>8} {:>12}",
        "total", total[0], total[1], total[2], total[3], total[4]
    );
    let newest = r
        .types
        .values()
        .chain(r.fields.values())
        .chain(r.operations.values())
        .filter(|x| matches!(x.source, Source::SinceJson | Source::Inherited))
        .filter_map(|x| x.release)
        .max();
    let _ = writeln!(
        s,
        "  newest release since.json gives an item of {}: {}",
        m.source,
        newest.map(|i| r.wire(i)).unwrap_or("none")
    );
    let _ = writeln!(s, "release sources:");
    for ((src, label), k) in &sources {
        let _ = writeln!(s, "  {k:6}  {label}: {}", src.label());
    }
    let old = r.old_release.map(|i| r.wire(i)).unwrap_or("?");
    let older: Vec<_> = r.disagreements.iter().filter(|d| !d.in_old).collect();
    let newer: Vec<_> = r.disagreements.iter().filter(|d| d.in_old).collect();
    let _ = writeln!(
        s,
        "since.json versus the {} WSDL (release {old}): {} disagreements (since.json is kept)",
        r.old_label,
        r.disagreements.len()
    );
    for (what, list) in [
        (
            format!("dated {old} or older but absent from {}", r.old_label),
            &older,
        ),
        (
            format!("dated after {old} but present in {}", r.old_label),
            &newer,
        ),
    ] {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for d in list.iter() {
            *kinds.entry(d.kind).or_default() += 1;
        }
        let by: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(
            s,
            "  {:5}  {what}{}{}",
            list.len(),
            if by.is_empty() { "" } else { ": " },
            by.join(", ")
        );
        for d in list.iter() {
            let _ = writeln!(
                s,
                "         {} {} (since.json: {})",
                d.kind,
                d.item,
                r.wire(d.since)
            );
        }
    }
    for note in &r.notes {
        let _ = writeln!(s, "note: {note}");
    }
    let _ = writeln!(s, "no release from any source: {} items", unknown.len());
    for u in &unknown {
        let _ = writeln!(s, "  {u}");
    }
}
