//! Output every sample shares: aligned text tables and JSON on standard
//! output, so a second program formats the way the first does.

/// Formats `rows` under `header` as an aligned text table: columns two
/// spaces apart, widths in characters, trailing spaces trimmed. A row shorter
/// than the header leaves its last cells empty.
///
/// ```
/// let t = vmomi_samples::output::render_table(
///     &["NAME", "CPU"],
///     &[vec!["build-01".into(), "4".into()]],
/// );
/// assert_eq!(t, "NAME      CPU\nbuild-01  4\n");
/// ```
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (c, w) in cols.zip(&width) {
            l.push_str(c);
            for _ in c.chars().count()..*w + 2 {
                l.push(' ');
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// Prints `value` as indented JSON on standard output.
pub fn print_json(value: &serde_json::Value) {
    // Serializing a Value cannot fail: its keys are strings.
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// `-` for a value that is not there, as every table shows it.
pub fn or_dash<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_characters_and_short_rows_stay_short() {
        let t = render_table(
            &["A", "B", "C"],
            &[
                vec!["é".into(), "xx".into(), "y".into()],
                vec!["long".into()],
            ],
        );
        assert_eq!(t, "A     B   C\né     xx  y\nlong\n");
        assert_eq!(or_dash(None::<i32>), "-");
        assert_eq!(or_dash(Some(3)), "3");
    }
}
