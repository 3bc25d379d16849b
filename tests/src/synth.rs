//! Synthesises, from the codegen's model of the WSDL, one fully populated XML
//! value of any data object or fault: every field present, subtypes chosen for
//! polymorphic fields, in XSD sequence order with inherited fields first, in
//! exactly the form the bindings' encoder writes. Round-trip tests decode it,
//! re-encode it and compare bytes.

use std::fmt::Write as _;
use vmomi_codegen::model::{Kind, Model, Prim, TypeRef};

/// Builds sample XML for types of one model.
pub struct Synth<'m> {
    m: &'m Model,
    children: std::collections::BTreeMap<&'m str, Vec<&'m str>>,
    /// Rotates through subtypes so different fields exercise different variants.
    counter: std::cell::Cell<usize>,
}

const MAX_DEPTH: usize = 3;

impl<'m> Synth<'m> {
    /// A synthesiser over `m`.
    pub fn new(m: &'m Model) -> Self {
        Self {
            m,
            children: m.children(),
            counter: std::cell::Cell::new(0),
        }
    }

    /// `<name xsi:type="ty">...</name>` for data object or fault `ty`.
    pub fn value(&self, name: &str, ty: &str) -> String {
        let mut out = String::new();
        let _ = write!(out, "<{name} xsi:type=\"{ty}\">");
        self.fields(&mut out, ty, 0);
        let _ = write!(out, "</{name}>");
        out
    }

    fn fields(&self, out: &mut String, ty: &str, depth: usize) {
        let c = &self.m.complex[ty];
        if let Some(b) = &c.base {
            self.fields(out, b, depth);
        }
        for f in &c.fields {
            let is_struct = matches!(&f.ty, TypeRef::Named(n) if self.m.complex.contains_key(n));
            // Optional structs stop at a depth so cyclic types stay finite.
            if is_struct && f.optional && depth >= MAX_DEPTH {
                continue;
            }
            let n = if f.repeated { 2 } else { 1 };
            for _ in 0..n {
                self.field(out, &f.name, &f.ty, depth);
            }
        }
    }

    fn field(&self, out: &mut String, name: &str, ty: &TypeRef, depth: usize) {
        match ty {
            TypeRef::Prim(Prim::AnyType) => {
                let _ = write!(out, "<{name} xsi:type=\"xsd:int\">42</{name}>");
            }
            TypeRef::Prim(p) => {
                let _ = write!(out, "<{name}>{}</{name}>", prim_text(*p));
            }
            TypeRef::Mor => {
                let _ = write!(out, "<{name} type=\"VirtualMachine\">vm-42</{name}>");
            }
            TypeRef::Named(n) => {
                if let Some(e) = self.m.enums.get(n) {
                    let v = e.values.last().map(String::as_str).unwrap_or("");
                    let _ = write!(out, "<{name}>{v}</{name}>");
                    return;
                }
                let c = &self.m.complex[n];
                if c.kind == Kind::ArrayOf {
                    // Fields are never declared with a box type in vim25.
                    panic!("field {name} declared with box type {n}");
                }
                let chosen = self.pick(n);
                if chosen == n.as_str() {
                    let _ = write!(out, "<{name}>");
                } else {
                    let _ = write!(out, "<{name} xsi:type=\"{chosen}\">");
                }
                self.fields(out, chosen, depth + 1);
                let _ = write!(out, "</{name}>");
            }
        }
    }

    /// The declared type or one of its descendants, rotating.
    fn pick<'a>(&'a self, ty: &'a str) -> &'a str {
        let mut all = vec![ty];
        let mut todo = vec![ty];
        while let Some(t) = todo.pop() {
            if let Some(cs) = self.children.get(t) {
                for c in cs {
                    all.push(c);
                    todo.push(c);
                }
            }
        }
        if all.len() == 1 {
            return ty;
        }
        let i = self.counter.get();
        self.counter.set(i + 1);
        all[i % all.len()]
    }
}

fn prim_text(p: Prim) -> &'static str {
    match p {
        Prim::String => "text &amp; &lt;more&gt;",
        Prim::AnyUri => "https://example.invalid/x",
        Prim::Boolean => "true",
        Prim::Byte => "-7",
        Prim::Short => "300",
        Prim::Int => "70000",
        Prim::Long => "5000000000",
        Prim::Float => "1.5",
        Prim::Double => "2.25",
        Prim::DateTime => "2024-01-02T03:04:05.123456Z",
        Prim::Base64Binary => "AQIDBA==",
        Prim::AnyType => unreachable!("handled by the caller"),
    }
}
