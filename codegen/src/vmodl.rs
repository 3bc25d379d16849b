//! Merges the managed-object model (`vmodl.json`) into the WSDL model.
//!
//! The WSDL gives wire shapes but not which managed object owns a method or
//! what properties a managed object has; vmodl.json gives those.

use crate::model::{Managed, MoProperty, Model, Prim, Skip, TypeRef};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
struct VType {
    kind: String,
    #[serde(default)]
    wsdl_base: Option<String>,
    #[serde(default)]
    props: Vec<VProp>,
    #[serde(default)]
    methods: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
struct VProp {
    name: String,
    #[serde(rename = "is-optional", default)]
    optional: bool,
    #[serde(rename = "is-array", default)]
    array: bool,
    #[serde(default)]
    wsdl_type: Option<String>,
}

fn type_ref(model: &Model, managed: &BTreeMap<String, VType>, wsdl_type: &str) -> Option<TypeRef> {
    // A property typed by a managed object holds a reference to it on the wire.
    if wsdl_type == "ManagedObject" || managed.get(wsdl_type).is_some_and(|t| t.kind == "managed") {
        return Some(TypeRef::Mor);
    }
    // Type and method names travel as plain strings.
    if matches!(wsdl_type, "TypeName" | "MethodName" | "PropertyPath") {
        return Some(TypeRef::Prim(Prim::String));
    }
    if let Some(x) = wsdl_type.strip_prefix("xsd:") {
        return Prim::from_xsd(x).map(TypeRef::Prim);
    }
    if wsdl_type == "ManagedObjectReference" {
        return Some(TypeRef::Mor);
    }
    (model.complex.contains_key(wsdl_type) || model.enums.contains_key(wsdl_type))
        .then(|| TypeRef::Named(wsdl_type.to_string()))
}

/// Reads `path` and adds managed objects to `model`, recording every skip.
pub fn merge(model: &mut Model, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    merge_str(model, &text, &path.display().to_string())
}

/// Like [`merge`], from a string.
pub fn merge_str(model: &mut Model, text: &str, source: &str) -> Result<(), String> {
    let types: BTreeMap<String, VType> = serde_json::from_str(text)
        .map_err(|e| format!("{source}: line {} column {}: {e}", e.line(), e.column()))?;
    let wsdl = model.source.clone();

    // name -> (base, properties, methods in the WSDL)
    type Kept = (Option<String>, Vec<MoProperty>, Vec<String>);
    let mut kept: BTreeMap<String, Kept> = BTreeMap::new();
    for (name, t) in &types {
        match t.kind.as_str() {
            "managed" => {}
            "data" => {
                if !model.complex.contains_key(name) {
                    model.skipped.push(Skip {
                        item: format!("data type {name}"),
                        reason: format!("in vmodl.json but not in the {wsdl} WSDL (newer release)"),
                    });
                }
                continue;
            }
            "enum" => {
                match model.enums.get(name) {
                    None => model.skipped.push(Skip {
                        item: format!("enum {name}"),
                        reason: format!("in vmodl.json but not in the {wsdl} WSDL (newer release)"),
                    }),
                    Some(e) => {
                        for v in &t.values {
                            if !e.values.contains(v) {
                                model.skipped.push(Skip {
                                    item: format!("enum value {name}.{v}"),
                                    reason: format!("in vmodl.json but not in the {wsdl} WSDL; decodes as Unrecognized"),
                                });
                            }
                        }
                    }
                }
                continue;
            }
            other => {
                model.skipped.push(Skip {
                    item: format!("{other} type {name}"),
                    reason: "opaque in vmodl.json: no wire shape to bind".into(),
                });
                continue;
            }
        }
        let in_wsdl: Vec<String> = t
            .methods
            .keys()
            .filter(|m| model.operations.contains_key(*m))
            .cloned()
            .collect();
        if !t.methods.is_empty() && in_wsdl.is_empty() {
            model.skipped.push(Skip {
                item: format!("managed object {name} ({} methods)", t.methods.len()),
                reason: format!(
                    "none of its methods is a port-type operation of the {wsdl} WSDL ({})",
                    if name.starts_with("Pbm") {
                        "it belongs to the PBM storage-policy service, not vim25"
                    } else {
                        "another service or a newer release"
                    }
                ),
            });
            continue;
        }
        for m in t
            .methods
            .keys()
            .filter(|m| !model.operations.contains_key(*m))
        {
            model.skipped.push(Skip {
                item: format!("method {name}.{m}"),
                reason: format!("not a port-type operation of the {wsdl} WSDL (newer release)"),
            });
        }
        let mut props = Vec::new();
        for p in &t.props {
            let wt = p.wsdl_type.as_deref().unwrap_or("");
            match type_ref(model, &types, wt) {
                Some(ty) => props.push(MoProperty {
                    name: p.name.clone(),
                    ty,
                    optional: p.optional,
                    repeated: p.array,
                }),
                None => model.skipped.push(Skip {
                    item: format!("property {name}.{}", p.name),
                    reason: format!("its type `{wt}` is not in the {wsdl} WSDL"),
                }),
            }
        }
        kept.insert(name.clone(), (t.wsdl_base.clone(), props, in_wsdl));
    }

    // A base that was skipped is replaced by the nearest kept ancestor.
    let bases: BTreeMap<String, Option<String>> = types
        .iter()
        .filter(|(_, t)| t.kind == "managed")
        .map(|(n, t)| (n.clone(), t.wsdl_base.clone()))
        .collect();
    for (name, (base, props, methods)) in kept.clone() {
        let mut b = base;
        while let Some(cur) = b.clone() {
            if kept.contains_key(&cur) {
                break;
            }
            b = bases.get(&cur).cloned().flatten();
        }
        model.managed.insert(
            name.clone(),
            Managed {
                name,
                base: b,
                properties: props,
                methods,
            },
        );
    }
    Ok(())
}
