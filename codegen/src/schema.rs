//! The VI/JSON schema table (`generated/schema.rs`): what writing a value
//! in the encoding of vSphere's JSON protocol needs beyond the release
//! tables, which already give each type's base and each field's wire type.
//!
//! Two compact static tables, read by `vmomi_bindings::rt::vijson`:
//!
//! * `REPEATED_FIELDS`: the rows of the release table `FIELDS` whose field
//!   is repeated (`maxOccurs="unbounded"`, or an array property of a
//!   managed object), ascending, so that a single-element array is still a
//!   JSON list;
//! * `RESULTS`: per operation, its result's wire type and shape (none, one,
//!   optional, repeated), so that a `returnval` sent without `xsi:type`
//!   still gets its `_typeName` and an array result is a list.

use crate::model::Model;
use std::fmt::Write as _;

/// Numbers per line in `REPEATED_FIELDS`.
const PER_LINE: usize = 16;

/// The text of `schema.rs`.
pub fn emit(m: &Model, header: &str) -> String {
    let rows = crate::releases::table_rows(m);
    let mut repeated = Vec::new();
    let mut index = 0u32;
    for row in rows.values() {
        for f in &row.fields {
            if f.3 {
                repeated.push(index);
            }
            index += 1;
        }
    }
    let mut out = format!(
        "{header}//! The VI/JSON schema: what writing a value as vSphere's JSON protocol does\n//! needs beyond the release tables (`releases/`), which give each type's base\n//! and each field's wire type. Read through `crate::rt::vijson`.\n\n/// Rows of `FIELDS` (`releases/fields.rs`) whose field is repeated\n/// (`maxOccurs=\"unbounded\"`, or an array property), ascending.\n#[rustfmt::skip]\npub(crate) static REPEATED_FIELDS: &[u32] = &[\n"
    );
    for chunk in repeated.chunks(PER_LINE) {
        let line: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(out, "    {},", line.join(", "));
    }
    out.push_str(
        "];\n\n/// Per operation, sorted by name: `(name, result's wire type or \"\", shape)`;\n/// shape `0`: no result, `1`: one `returnval`, `2`: zero or one, `3`: any number.\n#[rustfmt::skip]\npub(crate) static RESULTS: &[(&str, &str, u8)] = &[\n",
    );
    for op in m.operations.values() {
        let (ty, shape) = match &op.returnval {
            None => (String::new(), 0),
            Some(r) => (
                crate::releases::wsdl_ty(&r.ty),
                if r.repeated {
                    3
                } else if r.optional {
                    2
                } else {
                    1
                },
            ),
        };
        let _ = writeln!(out, "    ({:?}, {ty:?}, {shape}),", op.name);
    }
    out.push_str("];\n");
    out
}
