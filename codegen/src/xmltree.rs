//! A minimal element tree over quick-xml, enough to walk WSDL and XSD files.

use quick_xml::events::{BytesStart, Event};
use std::path::Path;

/// One XML element: local name, attributes (raw qualified names), children.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Node {
    /// Attribute value by qualified name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements with the given local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// First child with the given local name.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every descendant (depth first) with the given local name.
    pub fn descendants_named<'a>(&'a self, name: &'a str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants_named(name, out);
        }
    }
}

fn local(qname: &str) -> String {
    let s = qname;
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => s.to_string(),
    }
}

fn node_from(start: &BytesStart<'_>, file: &str) -> Result<Node, String> {
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| format!("{file}: bad attribute: {e}"))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("{file}: bad attribute value: {e}"))?;
        attrs.push((a.key.0.to_string(), v.into_owned()));
    }
    Ok(Node {
        name: local(start.name().0),
        attrs,
        children: Vec::new(),
    })
}

/// Parses a whole document into its root element.
pub fn parse(text: &str, file: &str) -> Result<Node, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event()
            .map_err(|e| format!("{file}: XML error near byte {pos}: {e}"))?;
        match ev {
            Event::Start(s) => stack.push(node_from(&s, file)?),
            Event::Empty(s) => {
                let n = node_from(&s, file)?;
                stack.last_mut().expect("stack has a root").children.push(n);
            }
            Event::End(_) => {
                let n = stack.pop().expect("balanced by quick-xml");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => return Err(format!("{file}: unbalanced end tag")),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack
        .pop()
        .ok_or_else(|| format!("{file}: empty document"))?;
    if !stack.is_empty() {
        return Err(format!("{file}: unexpected end of document"));
    }
    doc.children
        .pop()
        .ok_or_else(|| format!("{file}: no root element"))
}

/// Reads and parses a file.
pub fn parse_file(path: &Path) -> Result<Node, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text, &path.display().to_string())
}
