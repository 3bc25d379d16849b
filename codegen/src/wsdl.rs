//! Reads a vim25 WSDL set (`vim.wsdl` and the XSD files it includes or imports).

use crate::model::{Complex, Enum, Field, Kind, Model, Operation, Prim, Skip, TypeRef};
use crate::xmltree::{Node, parse_file};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// Everything collected from the schema files before the model is assembled.
#[derive(Default)]
struct Raw {
    complex: BTreeMap<String, Shape>,
    enums: BTreeMap<String, Vec<String>>,
    /// Top-level element name -> its declared type.
    elements: BTreeMap<String, TypeRef>,
    /// Response elements (inline complex types): name -> returnval field.
    responses: BTreeMap<String, Option<Field>>,
    skipped: Vec<Skip>,
}

/// Resolves `prefix:name` against the namespace declarations of a schema root.
fn resolve(qname: &str, root_ns: &BTreeMap<String, String>, ctx: &str) -> Result<TypeRef, String> {
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    let ns = root_ns
        .get(prefix)
        .ok_or_else(|| format!("{ctx}: unknown namespace prefix in type `{qname}`"))?;
    if ns == XSD_NS {
        return Prim::from_xsd(local)
            .map(TypeRef::Prim)
            .ok_or_else(|| format!("{ctx}: unsupported XSD type `{qname}`"));
    }
    if local == "ManagedObjectReference" {
        return Ok(TypeRef::Mor);
    }
    Ok(TypeRef::Named(local.to_string()))
}

fn namespaces(root: &Node) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (k, v) in &root.attrs {
        if k == "xmlns" {
            m.insert(String::new(), v.clone());
        } else if let Some(p) = k.strip_prefix("xmlns:") {
            m.insert(p.to_string(), v.clone());
        }
    }
    m
}

fn parse_field(el: &Node, ns: &BTreeMap<String, String>, ctx: &str) -> Result<Field, String> {
    let name = el
        .attr("name")
        .ok_or_else(|| format!("{ctx}: element without a name"))?;
    let ty = el
        .attr("type")
        .ok_or_else(|| format!("{ctx}.{name}: element without a type"))?;
    Ok(Field {
        name: name.to_string(),
        ty: resolve(ty, ns, &format!("{ctx}.{name}"))?,
        optional: el.attr("minOccurs") == Some("0"),
        repeated: el.attr("maxOccurs") == Some("unbounded"),
    })
}

/// A complex type's base and sequence elements.
type Shape = (Option<String>, Vec<Field>);

/// The sequence elements and base of a `complexType` node.
fn parse_complex(
    ct: &Node,
    ns: &BTreeMap<String, String>,
    ctx: &str,
) -> Result<Option<Shape>, String> {
    if ct.child("simpleContent").is_some() {
        return Ok(None);
    }
    let (base, body) = match ct.child("complexContent") {
        Some(cc) => {
            let ext = cc
                .child("extension")
                .ok_or_else(|| format!("{ctx}: complexContent without extension"))?;
            let base = ext
                .attr("base")
                .ok_or_else(|| format!("{ctx}: extension without base"))?;
            let base = match resolve(base, ns, ctx)? {
                TypeRef::Named(n) => n,
                other => return Err(format!("{ctx}: unsupported base {other:?}")),
            };
            (Some(base), ext)
        }
        None => (None, ct),
    };
    let mut fields = Vec::new();
    if let Some(seq) = body.child("sequence") {
        for el in seq.children_named("element") {
            fields.push(parse_field(el, ns, ctx)?);
        }
    }
    Ok(Some((base, fields)))
}

fn load_schema(
    dir: &Path,
    file: &str,
    seen: &mut BTreeSet<String>,
    raw: &mut Raw,
) -> Result<(), String> {
    if !seen.insert(file.to_string()) {
        return Ok(());
    }
    let root = parse_file(&dir.join(file))?;
    read_schema(dir, &root, file, seen, raw)
}

fn read_schema(
    dir: &Path,
    schema: &Node,
    file: &str,
    seen: &mut BTreeSet<String>,
    raw: &mut Raw,
) -> Result<(), String> {
    let ns = namespaces(schema);
    for item in &schema.children {
        match item.name.as_str() {
            "include" | "import" => {
                if let Some(loc) = item.attr("schemaLocation") {
                    load_schema(dir, loc, seen, raw)?;
                }
            }
            "complexType" => {
                let name = item
                    .attr("name")
                    .ok_or_else(|| format!("{file}: complexType without a name"))?;
                match parse_complex(item, &ns, &format!("{file}:{name}"))? {
                    Some(ct) => {
                        raw.complex.insert(name.to_string(), ct);
                    }
                    None if name == "ManagedObjectReference" => {}
                    None => raw.skipped.push(Skip {
                        item: format!("complexType {name}"),
                        reason: "simpleContent type other than ManagedObjectReference".into(),
                    }),
                }
            }
            "simpleType" => {
                let name = item
                    .attr("name")
                    .ok_or_else(|| format!("{file}: simpleType without a name"))?;
                let mut values = Vec::new();
                if let Some(r) = item.child("restriction") {
                    for e in r.children_named("enumeration") {
                        if let Some(v) = e.attr("value") {
                            values.push(v.to_string());
                        }
                    }
                }
                raw.enums.insert(name.to_string(), values);
            }
            "element" => {
                let name = item
                    .attr("name")
                    .ok_or_else(|| format!("{file}: element without a name"))?;
                if let Some(ty) = item.attr("type") {
                    let t = resolve(ty, &ns, &format!("{file}:{name}"))?;
                    raw.elements.insert(name.to_string(), t);
                } else if let Some(ct) = item.child("complexType") {
                    let ctx = format!("{file}:{name}");
                    let (_, fields) = parse_complex(ct, &ns, &ctx)?
                        .ok_or_else(|| format!("{ctx}: unexpected simple content"))?;
                    let ret = fields.into_iter().find(|f| f.name == "returnval");
                    raw.responses.insert(name.to_string(), ret);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn strip(qname: &str) -> &str {
    qname.rsplit_once(':').map(|(_, l)| l).unwrap_or(qname)
}

/// Loads `vim.wsdl` from `dir` with everything it references.
pub fn load(dir: &Path) -> Result<Model, String> {
    let wsdl_path = dir.join("vim.wsdl");
    let defs = parse_file(&wsdl_path)?;
    let mut raw = Raw::default();
    let mut seen = BTreeSet::new();
    let types = defs
        .child("types")
        .ok_or_else(|| format!("{}: no <types>", wsdl_path.display()))?;
    for schema in types.children_named("schema") {
        read_schema(dir, schema, "vim.wsdl", &mut seen, &mut raw)?;
    }

    // message name -> element of its single part
    let mut messages = BTreeMap::new();
    for m in defs.children_named("message") {
        let name = m.attr("name").unwrap_or_default();
        if let Some(part) = m.child("part").and_then(|p| p.attr("element")) {
            messages.insert(name.to_string(), strip(part).to_string());
        }
    }

    let mut model = Model {
        source: dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..Model::default()
    };
    model.skipped.extend(raw.skipped);

    let mut request_types = BTreeSet::new();
    for pt in defs.children_named("portType") {
        for op in pt.children_named("operation") {
            let name = op.attr("name").unwrap_or_default().to_string();
            let ctx = format!("portType operation {name}");
            let msg = |dir: &str| -> Result<String, String> {
                let m = op
                    .child(dir)
                    .and_then(|n| n.attr("message"))
                    .ok_or_else(|| format!("{ctx}: no {dir} message"))?;
                messages
                    .get(strip(m))
                    .cloned()
                    .ok_or_else(|| format!("{ctx}: message {m} not defined"))
            };
            let input_el = msg("input")?;
            let output_el = msg("output")?;
            let request_type = match raw.elements.get(&input_el) {
                Some(TypeRef::Named(t)) => t.clone(),
                other => {
                    return Err(format!(
                        "{ctx}: input element {input_el} has type {other:?}"
                    ));
                }
            };
            let returnval = raw
                .responses
                .get(&output_el)
                .ok_or_else(|| format!("{ctx}: response element {output_el} not defined"))?
                .clone();
            let mut faults = Vec::new();
            for f in op.children_named("fault") {
                let m = f.attr("message").unwrap_or_default();
                if let Some(TypeRef::Named(t)) =
                    messages.get(strip(m)).and_then(|el| raw.elements.get(el))
                {
                    faults.push(t.clone());
                }
            }
            request_types.insert(request_type.clone());
            model.operations.insert(
                name.clone(),
                Operation {
                    name,
                    request_type,
                    returnval,
                    faults,
                },
            );
        }
    }

    for (name, (base, fields)) in raw.complex {
        let kind = if request_types.contains(&name) {
            Kind::Request
        } else {
            Kind::Other // fixed below once every base is known
        };
        model.complex.insert(
            name.clone(),
            Complex {
                name,
                base,
                fields,
                kind,
            },
        );
    }
    let names: Vec<String> = model.complex.keys().cloned().collect();
    for name in names {
        let root = model.root_of(&name);
        let c = &model.complex[&name];
        let kind = if c.kind == Kind::Request {
            Kind::Request
        } else if root == "MethodFault" {
            Kind::Fault
        } else if root == "DynamicData" {
            Kind::Data
        } else if name.starts_with("ArrayOf")
            && c.base.is_none()
            && c.fields.len() == 1
            && c.fields[0].repeated
        {
            Kind::ArrayOf
        } else {
            Kind::Other
        };
        model.complex.get_mut(&name).expect("present").kind = kind;
    }
    for (name, values) in raw.enums {
        model.enums.insert(name.clone(), Enum { name, values });
    }
    check_refs(&model)?;
    Ok(model)
}

/// Every named reference must resolve: a dangling one is a broken input set.
fn check_refs(model: &Model) -> Result<(), String> {
    let known = |n: &str| model.complex.contains_key(n) || model.enums.contains_key(n);
    for c in model.complex.values() {
        if let Some(b) = &c.base
            && !model.complex.contains_key(b)
        {
            return Err(format!("type {}: base {b} is not defined", c.name));
        }
        for f in &c.fields {
            if let TypeRef::Named(n) = &f.ty
                && !known(n)
            {
                return Err(format!(
                    "type {}.{}: type {n} is not defined",
                    c.name, f.name
                ));
            }
        }
    }
    Ok(())
}

/// Parses a WSDL set from strings (for unit tests): `files` maps file names to contents.
pub fn load_from_strings(files: &[(&str, &str)]) -> Result<Model, String> {
    let dir = std::env::temp_dir().join(format!(
        "vmomi-codegen-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for (name, text) in files {
        std::fs::write(dir.join(name), text).map_err(|e| e.to_string())?;
    }
    let r = load(&dir).map(|mut m| {
        m.source = "snippet".into();
        m
    });
    let _ = std::fs::remove_dir_all(&dir);
    r
}
