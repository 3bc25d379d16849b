//! The codegen's report: counts, and every skipped or downgraded input item.

use crate::emit::Ctx;
use crate::model::Kind;
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
