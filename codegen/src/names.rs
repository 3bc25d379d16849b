//! Rust names for WSDL names: snake_case fields and functions, CamelCase variants.

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// `capacityInKB` -> `capacity_in_kb`, `PowerOnVM_Task` -> `power_on_vm_task`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == '.' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        return "field_".into();
    }
    ident(out)
}

/// Makes a string a usable identifier: keywords become raw identifiers.
pub fn ident(s: String) -> String {
    if matches!(s.as_str(), "self" | "Self" | "super" | "crate") {
        return format!("{s}_");
    }
    if KEYWORDS.contains(&s.as_str()) {
        return format!("r#{s}");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{s}");
    }
    s
}

/// `poweredOff` -> `PoweredOff`, `vmx-04` -> `Vmx04`, `2.0` -> `V2_0`.
pub fn variant(value: &str) -> String {
    let mut out = String::new();
    for part in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        if part.is_empty() {
            continue;
        }
        if out.ends_with(|c: char| c.is_ascii_digit())
            && part.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        let mut cs = part.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// `runtime` -> `RUNTIME`, `layoutEx` -> `LAYOUT_EX`.
pub fn constant(name: &str) -> String {
    let s = snake(name);
    s.trim_start_matches("r#").to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_cases() {
        assert_eq!(snake("capacityInKB"), "capacity_in_kb");
        assert_eq!(snake("PowerOnVM_Task"), "power_on_vm_task");
        assert_eq!(snake("vDiskId"), "v_disk_id");
        assert_eq!(snake("numCPU"), "num_cpu");
        assert_eq!(snake("_this"), "this");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("RetrievePropertiesEx"), "retrieve_properties_ex");
        assert_eq!(snake("ipv6Address"), "ipv6_address");
        assert_eq!(
            snake("reloadVirtualMachineFromPath_Task"),
            "reload_virtual_machine_from_path_task"
        );
        assert_eq!(snake("self"), "self_");
    }

    #[test]
    fn variants() {
        assert_eq!(variant("poweredOff"), "PoweredOff");
        assert_eq!(variant("vmx-04"), "Vmx04");
        assert_eq!(variant("2.0"), "V2_0");
        assert_eq!(variant("windows7_64Guest"), "Windows7_64Guest");
        assert_eq!(variant(""), "Empty");
    }

    #[test]
    fn constants() {
        assert_eq!(constant("layoutEx"), "LAYOUT_EX");
        assert_eq!(constant("type"), "TYPE");
    }
}
