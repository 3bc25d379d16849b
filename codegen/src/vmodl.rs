//! Merges the managed-object model (`vmodl.json`) into the WSDL model.
//!
//! The WSDL gives wire shapes but not which managed object owns a method or
//! what properties a managed object has; vmodl.json gives those. It also
//! holds the releases after the WSDL's: the vim25 data types, faults, enums,
//! enum values and fields the WSDL lacks are added from it (the model's
//! property order is the wire order), where the WSDL speaks it stays the
//! authority, and every difference between the two is recorded.

use crate::model::{
    Complex, Enum, Field, Kind, Managed, MoProperty, Model, Operation, Prim, Skip, TypeRef,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
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
struct VMethod {
    #[serde(default)]
    params: Vec<VProp>,
    result: VResult,
}

#[derive(Deserialize)]
struct VResult {
    #[serde(rename = "version-id-ref", default)]
    version: Option<String>,
    #[serde(rename = "is-optional", default)]
    optional: bool,
    #[serde(rename = "is-array", default)]
    array: bool,
    #[serde(rename = "is-task", default)]
    task: bool,
    #[serde(default)]
    wsdl_type: Option<String>,
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

/// The vim25 names of `since.json` (its `types` keys): what tells a vim25
/// type of the model from one of another service (vSAN, SMS, CNS, ...).
pub fn vim25_names(since_json: &str) -> Result<BTreeSet<String>, String> {
    #[derive(Deserialize)]
    struct Since {
        types: BTreeMap<String, serde_json::Value>,
    }
    let s: Since = serde_json::from_str(since_json)
        .map_err(|e| format!("since.json: line {} column {}: {e}", e.line(), e.column()))?;
    Ok(s.types.into_keys().collect())
}

/// Reads `path` and merges it into `model`, recording every skip; the vim25
/// types newer than the WSDL come in when `since.json` is beside it.
pub fn merge(model: &mut Model, path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let since = path.with_file_name("since.json");
    let vim25 = match std::fs::read_to_string(&since) {
        Ok(t) => Some(vim25_names(&t)?),
        Err(_) => None,
    };
    merge_str_with(model, &text, &path.display().to_string(), vim25.as_ref())
}

/// Like [`merge`], from a string, managed objects only.
pub fn merge_str(model: &mut Model, text: &str, source: &str) -> Result<(), String> {
    merge_str_with(model, text, source, None)
}

/// Like [`merge`], from a string; `vim25` names the model's vim25 types
/// (data types, faults and enums of the model in it that the WSDL lacks are
/// added, and fields and values the WSDL's types lack); `None` adds none.
pub fn merge_str_with(
    model: &mut Model,
    text: &str,
    source: &str,
    vim25: Option<&BTreeSet<String>>,
) -> Result<(), String> {
    let types: BTreeMap<String, VType> = serde_json::from_str(text)
        .map_err(|e| format!("{source}: line {} column {}: {e}", e.line(), e.column()))?;
    let wsdl = model.source.clone();
    // since.json's vim25 set, plus vim25's internal reflection types.
    let vim25: Option<BTreeSet<String>> = vim25.map(|v| {
        let mut v: BTreeSet<String> = v
            .iter()
            .cloned()
            .chain(types.keys().filter(|n| is_vim25_internal(n)).cloned())
            .collect();
        model.vsan = held_by_vim25(&types, &v);
        v.extend(model.vsan.iter().cloned());
        v
    });
    let vim25 = vim25.as_ref();
    if let Some(vim25) = vim25 {
        merge_data(model, &types, vim25);
        merge_operations(model, &types, vim25);
    }

    // name -> (base, properties, methods in the WSDL)
    type Kept = (Option<String>, Vec<MoProperty>, Vec<String>);
    let mut kept: BTreeMap<String, Kept> = BTreeMap::new();
    for (name, t) in &types {
        match t.kind.as_str() {
            "managed" => {}
            "data" => {
                if !model.complex.contains_key(name) && !model.from_model.contains(name) {
                    let reason = match vim25 {
                        None => format!("in vmodl.json but not in the {wsdl} WSDL (newer release)"),
                        Some(v) if v.contains(name) => continue, // recorded by merge_data
                        Some(_) => other_service(name),
                    };
                    model.skipped.push(Skip {
                        item: format!("data type {name}"),
                        reason,
                    });
                }
                continue;
            }
            "enum" => {
                if model.from_model.contains(name) {
                    continue;
                }
                match model.enums.get(name) {
                    None => model.skipped.push(Skip {
                        item: format!("enum {name}"),
                        reason: match vim25 {
                            None => {
                                format!("in vmodl.json but not in the {wsdl} WSDL (newer release)")
                            }
                            Some(_) => other_service(name),
                        },
                    }),
                    Some(e) => {
                        for v in &t.values {
                            if !e.values.contains(v) && vim25.is_none() {
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
            let item = format!("method {name}.{m}");
            // merge_operations has said why already.
            if model.skipped.iter().any(|s| s.item == item) {
                continue;
            }
            model.skipped.push(Skip {
                item,
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
        if is_pbm(name) {
            model.pbm.insert(name.clone());
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
    if vim25.is_some() {
        add_host_internal_methods(model);
    }
    Ok(())
}

/// vim25's internal reflection types, through which ESXCLI runs on a host
/// (its dynamic type manager describes the commands, its method executer
/// runs them): in vmodl.json, left out of since.json, bound all the same.
fn is_vim25_internal(name: &str) -> bool {
    name.starts_with("DynamicTypeMgr")
        || name == "DynamicTypeEnumTypeInfo"
        || name.starts_with("ReflectManagedMethodExecuter")
        || name == "InternalDynamicTypeManager"
}

/// The two HostSystem methods that hand out a host's dynamic type manager
/// and method executer: in neither the WSDL nor vmodl.json (govmomi writes
/// them by hand), so named here: (method, the managed object it returns).
const HOST_INTERNAL_METHODS: &[(&str, &str)] = &[
    ("RetrieveDynamicTypeManager", "InternalDynamicTypeManager"),
    (
        "RetrieveManagedMethodExecuter",
        "ReflectManagedMethodExecuter",
    ),
];

/// Adds [`HOST_INTERNAL_METHODS`] to HostSystem: `_this` only, returning a
/// reference; only when HostSystem and the returned managed object are bound.
fn add_host_internal_methods(model: &mut Model) {
    for (name, returns) in HOST_INTERNAL_METHODS {
        if !model.managed.contains_key("HostSystem")
            || !model.managed.contains_key(*returns)
            || model.operations.contains_key(*name)
        {
            continue;
        }
        let request_type = format!("{name}RequestType");
        model.complex.insert(
            request_type.clone(),
            Complex {
                name: request_type.clone(),
                base: None,
                fields: vec![Field {
                    name: "_this".into(),
                    ty: TypeRef::Mor,
                    optional: false,
                    repeated: false,
                }],
                kind: Kind::Request,
            },
        );
        model.operations.insert(
            name.to_string(),
            Operation {
                name: name.to_string(),
                request_type,
                returnval: Some(Field {
                    name: "returnval".into(),
                    ty: TypeRef::Mor,
                    optional: false,
                    repeated: false,
                }),
                faults: Vec::new(),
            },
        );
        if let Some(host) = model.managed.get_mut("HostSystem") {
            host.methods.push(name.to_string());
        }
        model.added.push(Skip {
            item: format!("method HostSystem.{name}"),
            reason: format!("internal to vim25, in neither input: returns the host's {returns}"),
        });
    }
}

/// The data types and enums of other services (all of them vSAN's) that
/// vim25 data types hold in their fields, with their bases and what they
/// hold in turn: bound with vim25 (they travel in `urn:vim25` like the
/// fields that hold them), so that every vim25 field of the model is typed.
fn held_by_vim25(types: &BTreeMap<String, VType>, vim25: &BTreeSet<String>) -> BTreeSet<String> {
    let mut held = BTreeSet::new();
    let mut todo: Vec<&String> = types
        .iter()
        .filter(|(n, t)| t.kind == "data" && vim25.contains(*n))
        .map(|(n, _)| n)
        .collect();
    while let Some(n) = todo.pop() {
        let t = &types[n];
        let refs = t
            .props
            .iter()
            .filter_map(|p| p.wsdl_type.as_ref())
            .chain(t.wsdl_base.as_ref());
        for r in refs {
            let Some((name, rt)) = types.get_key_value(r) else {
                continue;
            };
            if matches!(rt.kind.as_str(), "data" | "enum")
                && !vim25.contains(name)
                && !is_pbm(name)
                && held.insert(name.clone())
                && rt.kind == "data"
            {
                todo.push(name);
            }
        }
    }
    held
}

/// Whether a model type belongs to the PBM storage-policy service (no
/// vim25 name starts with `Pbm`).
fn is_pbm(name: &str) -> bool {
    name.starts_with("Pbm")
}

/// Why a model type outside since.json's vim25 set is not bound.
fn other_service(name: &str) -> String {
    if name.starts_with("Pbm") {
        "of the PBM storage-policy service (urn:pbm), not vim25".into()
    } else {
        "of another service than vim25 (vSAN, SMS, CNS, vslm, ...; not in since.json)".into()
    }
}

/// The wire type of a data object's field typed `wsdl_type` in the model.
fn data_type_ref(
    model: &Model,
    types: &BTreeMap<String, VType>,
    owner: &str,
    wsdl_type: &str,
) -> Option<TypeRef> {
    // A fault held in a data object travels wrapped with its message (but
    // for the wrapper's own field).
    if wsdl_type == "MethodFault" && owner != "LocalizedMethodFault" {
        return Some(TypeRef::Named("LocalizedMethodFault".into()));
    }
    type_ref(model, types, wsdl_type)
}

/// A field (or parameter) of `owner` as the model gives it; `None` when its
/// type is of another service.
fn model_field(
    model: &Model,
    types: &BTreeMap<String, VType>,
    owner: &str,
    p: &VProp,
) -> Option<Field> {
    let ty = data_type_ref(model, types, owner, p.wsdl_type.as_deref().unwrap_or(""))?;
    Some(Field {
        name: p.name.clone(),
        ty,
        optional: p.optional,
        repeated: p.array,
    })
}

/// Adds the model's vim25 enums, enum values, data types, faults and fields
/// that the WSDL lacks; the WSDL's own items stay as they are.
fn merge_data(model: &mut Model, types: &BTreeMap<String, VType>, vim25: &BTreeSet<String>) {
    let wsdl = model.source.clone();
    let newer = |what: &str| format!("in vmodl.json, not in the {wsdl} WSDL: {what}");
    // Enums and their values, in the model's order after the WSDL's values.
    for (name, t) in types.iter().filter(|(_, t)| t.kind == "enum") {
        match model.enums.get_mut(name) {
            Some(e) => {
                for v in &t.values {
                    if !e.values.contains(v) {
                        e.values.push(v.clone());
                        model.added.push(Skip {
                            item: format!("enum value {name}.{v}"),
                            reason: newer("added from the model"),
                        });
                    }
                }
            }
            None if vim25.contains(name) || is_pbm(name) => {
                if is_pbm(name) {
                    model.pbm.insert(name.clone());
                }
                model.enums.insert(
                    name.clone(),
                    Enum {
                        name: name.clone(),
                        values: t.values.clone(),
                    },
                );
                model.from_model.insert(name.clone());
            }
            None => {}
        }
    }
    // Data types and faults the WSDL lacks, whose base chain is known. A type
    // whose base belongs to another service is left out, and so, in turn, are
    // the types built on it.
    let mut candidates: BTreeSet<&String> = types
        .iter()
        .filter(|(n, t)| {
            t.kind == "data" && (vim25.contains(*n) || is_pbm(n)) && !model.complex.contains_key(*n)
        })
        .map(|(n, _)| n)
        .collect();
    loop {
        let before = candidates.len();
        let now = candidates.clone();
        candidates.retain(|n| {
            let base = types[*n].wsdl_base.as_deref().unwrap_or("DataObject");
            model.complex.contains_key(base) || now.contains(&base.to_string())
        });
        if candidates.len() == before {
            break;
        }
    }
    for (n, t) in types
        .iter()
        .filter(|(n, t)| t.kind == "data" && vim25.contains(*n))
    {
        if !model.complex.contains_key(n) && !candidates.contains(n) {
            model.skipped.push(Skip {
                item: format!("data type {n}"),
                reason: format!(
                    "in vmodl.json as vim25, but its base {} is of another service",
                    t.wsdl_base.as_deref().unwrap_or("(none)")
                ),
            });
        }
    }
    for n in &candidates {
        model.complex.insert(
            (*n).clone(),
            Complex {
                name: (*n).clone(),
                base: types[*n].wsdl_base.clone(),
                fields: Vec::new(),
                kind: Kind::Other,
            },
        );
        model.from_model.insert((*n).clone());
        if is_pbm(n) {
            model.pbm.insert((*n).clone());
        }
    }
    // Fields: a new type's from the model; a WSDL type's rebuilt in the
    // model's order, the WSDL's field wherever it has one.
    let mut boxes: BTreeSet<String> = BTreeSet::new();
    for (n, t) in types.iter().filter(|(_, t)| t.kind == "data") {
        let Some(c) = model.complex.get(n) else {
            continue;
        };
        let is_new = model.from_model.contains(n);
        let wsdl_fields = c.fields.clone();
        let mut fields = Vec::new();
        let mut skipped = Vec::new();
        if !is_new {
            let norm = |b: Option<&str>| b.filter(|b| *b != "DataObject").map(str::to_string);
            if norm(t.wsdl_base.as_deref()) != c.base {
                model.disagreements.push(Skip {
                    item: format!("type {n}"),
                    reason: format!(
                        "base: WSDL {}, vmodl.json {}",
                        c.base.as_deref().unwrap_or("(none)"),
                        t.wsdl_base.as_deref().unwrap_or("(none)")
                    ),
                });
            }
        }
        for p in &t.props {
            if let Some(f) = wsdl_fields.iter().find(|f| f.name == p.name) {
                let mut differ = Vec::new();
                if f.optional != p.optional {
                    differ.push(format!(
                        "optional: WSDL {}, vmodl.json {}",
                        f.optional, p.optional
                    ));
                }
                if f.repeated != p.array {
                    differ.push(format!(
                        "array: WSDL {}, vmodl.json {}",
                        f.repeated, p.array
                    ));
                }
                let wt = p.wsdl_type.as_deref().unwrap_or("");
                if let Some(ty) = data_type_ref(model, types, n, wt)
                    && ty != f.ty
                {
                    differ.push(format!("type: WSDL {:?}, vmodl.json {wt}", f.ty));
                }
                if !differ.is_empty() {
                    model.disagreements.push(Skip {
                        item: format!("field {n}.{}", p.name),
                        reason: differ.join("; "),
                    });
                }
                fields.push(f.clone());
                continue;
            }
            let wt = p.wsdl_type.as_deref().unwrap_or("");
            match model_field(model, types, n, p) {
                Some(f) => {
                    if let TypeRef::Named(e) = &f.ty
                        && f.repeated
                        && model.from_model.contains(e)
                    {
                        boxes.insert(e.clone());
                    }
                    fields.push(f);
                    if !is_new {
                        model.added.push(Skip {
                            item: format!("field {n}.{}", p.name),
                            reason: newer("added from the model"),
                        });
                    }
                }
                None => skipped.push(Skip {
                    item: format!("field {n}.{} (type {wt})", p.name),
                    reason: "its type is of another service than vim25 (vSAN): decodes as kept XML"
                        .into(),
                }),
            }
        }
        // A WSDL field the model does not list stays, at the end.
        for f in &wsdl_fields {
            if !fields.iter().any(|g| g.name == f.name) {
                model.disagreements.push(Skip {
                    item: format!("field {n}.{}", f.name),
                    reason: "in the WSDL but not in vmodl.json: kept".into(),
                });
                fields.push(f.clone());
            }
        }
        if !is_new {
            let order = |fs: &[Field]| fs.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
            let kept: Vec<String> = order(&fields)
                .into_iter()
                .filter(|f| wsdl_fields.iter().any(|w| &w.name == f))
                .collect();
            if kept != order(&wsdl_fields) {
                model.disagreements.push(Skip {
                    item: format!("type {n}"),
                    reason:
                        "the model orders the WSDL's fields differently: the WSDL's order is kept"
                            .into(),
                });
                // The WSDL's order for its own fields, new fields after them.
                let mut wsdl_first = wsdl_fields.clone();
                wsdl_first.extend(
                    fields
                        .into_iter()
                        .filter(|f| !wsdl_fields.iter().any(|w| w.name == f.name)),
                );
                fields = wsdl_first;
            }
        }
        model.skipped.extend(skipped);
        if let Some(c) = model.complex.get_mut(n) {
            c.fields = fields;
        }
    }
    // `ArrayOf*` boxes of the new types used as arrays, as the WSDL has them
    // for its own: one repeated element named after the type.
    for e in boxes {
        let name = format!("ArrayOf{e}");
        if model.complex.contains_key(&name) {
            continue;
        }
        model.complex.insert(
            name.clone(),
            Complex {
                name: name.clone(),
                base: None,
                fields: vec![Field {
                    name: e.clone(),
                    ty: TypeRef::Named(e),
                    optional: true,
                    repeated: true,
                }],
                kind: Kind::ArrayOf,
            },
        );
        if model.pbm.contains(&name["ArrayOf".len()..]) {
            model.pbm.insert(name.clone());
        }
        model.from_model.insert(name);
    }
    // Kinds of the new types, now that every base is in place.
    let new: Vec<String> = model
        .from_model
        .iter()
        .filter(|n| model.complex.get(*n).is_some_and(|c| c.kind == Kind::Other))
        .cloned()
        .collect();
    for n in new {
        let root = model.root_of(&n);
        let kind = match root.as_str() {
            "MethodFault" => Kind::Fault,
            "DynamicData" => Kind::Data,
            _ => Kind::Other,
        };
        if let Some(c) = model.complex.get_mut(&n) {
            c.kind = kind;
        }
    }
}

/// Adds the methods of the model's vim25 managed objects that the WSDL
/// lacks, and those of the PBM service's, as port-type operations with
/// request types (`_this` and the parameters, in the model's order): `Name`
/// takes `NameRequestType`, and `Name_Task` takes `NameRequestType` and
/// returns the task. PBM's operations and request types join `model.pbm`.
fn merge_operations(model: &mut Model, types: &BTreeMap<String, VType>, vim25: &BTreeSet<String>) {
    for (owner, t) in types
        .iter()
        .filter(|(n, t)| t.kind == "managed" && (vim25.contains(*n) || is_pbm(n)))
    {
        for (name, raw) in &t.methods {
            if model.operations.contains_key(name) {
                continue;
            }
            let skip = |model: &mut Model, why: String| {
                model.skipped.push(Skip {
                    item: format!("method {owner}.{name}"),
                    reason: why,
                });
            };
            let m: VMethod = match serde_json::from_value(raw.clone()) {
                Ok(m) => m,
                Err(e) => {
                    skip(model, format!("its vmodl.json entry does not read: {e}"));
                    continue;
                }
            };
            // A task method returns its task; the model's result (type and
            // array) describes what the task's `info.result` holds.
            let returnval = if m.result.task {
                Some(Field {
                    name: "returnval".into(),
                    ty: TypeRef::Mor,
                    optional: false,
                    repeated: false,
                })
            } else {
                match m.result.wsdl_type.as_deref() {
                    None => None,
                    Some(wt) => match data_type_ref(model, types, "", wt) {
                        Some(ty) => Some(Field {
                            name: "returnval".into(),
                            ty,
                            optional: m.result.optional,
                            repeated: m.result.array,
                        }),
                        None => {
                            skip(model, format!("its result type {wt} is of another service"));
                            continue;
                        }
                    },
                }
            };
            let mut fields = vec![Field {
                name: "_this".into(),
                ty: TypeRef::Mor,
                optional: false,
                repeated: false,
            }];
            let mut bad = None;
            for p in &m.params {
                match model_field(model, types, "", p) {
                    Some(f) => fields.push(f),
                    None => {
                        bad = Some(format!(
                            "its parameter {} has type {} of another service",
                            p.name,
                            p.wsdl_type.as_deref().unwrap_or("")
                        ))
                    }
                }
            }
            if let Some(why) = bad {
                skip(model, why);
                continue;
            }
            let request_type = format!("{}RequestType", name.strip_suffix("_Task").unwrap_or(name));
            if model.complex.contains_key(&request_type) {
                skip(
                    model,
                    format!("its request type name {request_type} is taken"),
                );
                continue;
            }
            model.complex.insert(
                request_type.clone(),
                Complex {
                    name: request_type.clone(),
                    base: None,
                    fields,
                    kind: Kind::Request,
                },
            );
            if is_pbm(owner) {
                model.pbm.insert(name.clone());
                model.pbm.insert(request_type.clone());
            }
            model.operations.insert(
                name.clone(),
                Operation {
                    name: name.clone(),
                    request_type,
                    returnval,
                    faults: Vec::new(),
                },
            );
            if let Some(v) = m.result.version {
                model.method_versions.insert(name.clone(), v);
            }
            model.added.push(Skip {
                item: format!("method {owner}.{name}"),
                reason: "added from the model".into(),
            });
        }
    }
}
