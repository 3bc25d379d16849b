//! The intermediate model the parsers fill and the emitter reads.

use std::collections::BTreeMap;

/// XML Schema built-in types used by vim25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Prim {
    String,
    Boolean,
    Byte,
    Short,
    Int,
    Long,
    Float,
    Double,
    DateTime,
    Base64Binary,
    AnyUri,
    AnyType,
}

impl Prim {
    /// Maps an XSD local type name to a primitive.
    pub fn from_xsd(name: &str) -> Option<Prim> {
        Some(match name {
            "string" => Prim::String,
            "boolean" => Prim::Boolean,
            "byte" => Prim::Byte,
            "short" => Prim::Short,
            "int" => Prim::Int,
            "long" => Prim::Long,
            "float" => Prim::Float,
            "double" => Prim::Double,
            "dateTime" => Prim::DateTime,
            "base64Binary" => Prim::Base64Binary,
            "anyURI" => Prim::AnyUri,
            "anyType" => Prim::AnyType,
            _ => return None,
        })
    }

    /// The XSD local name.
    pub fn xsd_name(self) -> &'static str {
        match self {
            Prim::String => "string",
            Prim::Boolean => "boolean",
            Prim::Byte => "byte",
            Prim::Short => "short",
            Prim::Int => "int",
            Prim::Long => "long",
            Prim::Float => "float",
            Prim::Double => "double",
            Prim::DateTime => "dateTime",
            Prim::Base64Binary => "base64Binary",
            Prim::AnyUri => "anyURI",
            Prim::AnyType => "anyType",
        }
    }
}

/// What a field or parameter refers to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    Prim(Prim),
    /// `ManagedObjectReference`.
    Mor,
    /// A named complex type or enum of the vim25 namespace.
    Named(String),
}

/// One element of a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: TypeRef,
    pub optional: bool,
    pub repeated: bool,
}

/// What a complex type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A `DynamicData` descendant (or `DynamicData` itself), faults excluded.
    Data,
    /// `MethodFault` or one of its descendants.
    Fault,
    /// An `ArrayOf*` box used inside `xsd:anyType`.
    ArrayOf,
    /// The parameters of a port-type operation (`*RequestType`).
    Request,
    /// Any other complex type (`DynamicProperty`, `DynamicArray`, ...).
    Other,
}

/// A named complex type.
#[derive(Debug, Clone)]
pub struct Complex {
    pub name: String,
    pub base: Option<String>,
    pub fields: Vec<Field>,
    pub kind: Kind,
}

/// A string enumeration.
#[derive(Debug, Clone)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
}

/// A port-type operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: String,
    pub request_type: String,
    pub returnval: Option<Field>,
    pub faults: Vec<String>,
}

/// A property of a managed object (from vmodl.json).
#[derive(Debug, Clone)]
pub struct MoProperty {
    pub name: String,
    pub ty: TypeRef,
    pub optional: bool,
    pub repeated: bool,
}

/// A managed object type (from vmodl.json, kept when its methods exist in the WSDL).
#[derive(Debug, Clone)]
pub struct Managed {
    pub name: String,
    pub base: Option<String>,
    pub properties: Vec<MoProperty>,
    pub methods: Vec<String>,
}

/// Something from the inputs the bindings leave out or weaken, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skip {
    pub item: String,
    pub reason: String,
}

/// The whole model.
#[derive(Debug, Default)]
pub struct Model {
    /// Label of the WSDL set, e.g. `vim25-7.0`.
    pub source: String,
    pub complex: BTreeMap<String, Complex>,
    pub enums: BTreeMap<String, Enum>,
    pub operations: BTreeMap<String, Operation>,
    pub managed: BTreeMap<String, Managed>,
    pub skipped: Vec<Skip>,
    pub downgraded: Vec<Skip>,
    /// Types and enums that come from vmodl.json, not the WSDL (newer releases).
    pub from_model: std::collections::BTreeSet<String>,
    /// The PBM storage-policy service's items (`urn:pbm`), from vmodl.json:
    /// types, enums, operations, their request types and managed objects
    /// (every name starts with `Pbm`), generated in trees of their own.
    pub pbm: std::collections::BTreeSet<String>,
    /// Data types and enums of the vSAN service that vim25 data types hold
    /// in their fields (and what those hold): generated with vim25, undated.
    pub vsan: std::collections::BTreeSet<String>,
    /// The release id (`vim.version.*`) vmodl.json gives the result of each
    /// method it adds: the release of one since.json does not list.
    pub method_versions: BTreeMap<String, String>,
    /// Fields and enum values of WSDL types added from vmodl.json.
    pub added: Vec<Skip>,
    /// Where the WSDL and vmodl.json disagree (the WSDL wins).
    pub disagreements: Vec<Skip>,
    /// Release of every item (empty unless loaded with [`crate::load_releases`]).
    pub releases: crate::releases::ReleaseInfo,
}

impl Model {
    /// Direct subtypes of each complex type.
    pub fn children(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in self.complex.values() {
            if let Some(b) = &c.base {
                out.entry(b.as_str()).or_default().push(c.name.as_str());
            }
        }
        out
    }

    /// All descendants of `name` (not including itself), sorted by name.
    pub fn descendants(&self, name: &str) -> Vec<String> {
        let children = self.children();
        let mut out = Vec::new();
        let mut todo = vec![name];
        while let Some(n) = todo.pop() {
            if let Some(cs) = children.get(n) {
                for c in cs {
                    out.push(c.to_string());
                    todo.push(c);
                }
            }
        }
        out.sort();
        out
    }

    /// The chain `name`, base, base of base, ... up to the root.
    pub fn ancestry(&self, name: &str) -> Vec<String> {
        let mut out = vec![name.to_string()];
        let mut cur = name;
        while let Some(b) = self.complex.get(cur).and_then(|c| c.base.as_deref()) {
            out.push(b.to_string());
            cur = b;
        }
        out
    }

    /// The root of a type's inheritance chain.
    pub fn root_of(&self, name: &str) -> String {
        self.ancestry(name)
            .pop()
            .unwrap_or_else(|| name.to_string())
    }

    /// Counts of the kinds the acceptance criteria name.
    pub fn count(&self, kind: Kind) -> usize {
        self.complex.values().filter(|c| c.kind == kind).count()
    }
}
