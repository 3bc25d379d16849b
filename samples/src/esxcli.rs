//! `esxcli`: ESXCLI commands on a host through vCenter (or the host
//! itself), each host answering in its own release (see [`vmomi::esxcli`]).
//!
//! The command line is the one of the `esxcli` shell: namespaces and the
//! command, then options as `--name value`, `--name=value`, or `--name`
//! alone for `true` (`esxcli --host esx-01 network ip interface ipv4 get
//! --interface-name vmk0`).

use crate::output::render_table;
use vmomi::esxcli::{Esxcli, Value};
use vmomi::find::Finder;
use vmomi::mo::HostSystem;
use vmomi::types::ManagedObjectReference;
use vmomi::{Client, Error};

/// The command words and the options of an `esxcli` command line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommandLine {
    /// `["system", "hostname", "get"]`.
    pub words: Vec<String>,
    /// `[("interface-name", "vmk0")]`, names without their dashes' prefix.
    pub options: Vec<(String, String)>,
}

/// Splits `args` into command words and options. Words come first; an
/// option is `--name value`, `--name=value`, or `--name` alone (followed by
/// another option, or last) for `true`.
///
/// ```
/// let c = vmomi_samples::esxcli::parse_command_line(&["software", "vib", "list", "--rebooting-image"]);
/// assert_eq!(c.words, ["software", "vib", "list"]);
/// assert_eq!(c.options, [("rebooting-image".to_string(), "true".to_string())]);
/// ```
pub fn parse_command_line<S: AsRef<str>>(args: &[S]) -> CommandLine {
    let mut out = CommandLine::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_ref();
        if let Some(opt) = a.strip_prefix("--") {
            match opt.split_once('=') {
                Some((n, v)) => out.options.push((n.to_string(), v.to_string())),
                None => match args.get(i + 1).map(AsRef::as_ref) {
                    Some(v) if !v.starts_with("--") => {
                        out.options.push((opt.to_string(), v.to_string()));
                        i += 1;
                    }
                    _ => out.options.push((opt.to_string(), "true".to_string())),
                },
            }
        } else if let Some(opt) = a.strip_prefix('-').filter(|o| !o.is_empty()) {
            // Short options (`-i vmk0`) name nothing the API knows; kept so the
            // host's answer names them.
            out.options.push((opt.to_string(), String::new()));
        } else {
            out.words.push(a.to_string());
        }
        i += 1;
    }
    out
}

/// The host `name` names: an inventory path when it holds a `/`, else a
/// host's name (its inventory name, usually its DNS name).
pub async fn find_host(client: &Client, name: &str) -> Result<ManagedObjectReference, Error> {
    if name.contains('/') {
        return Ok(Finder::new(client).by_path(name).await?.obj);
    }
    let hosts = vmomi::property::retrieve_all(client, HostSystem::TYPE_NAME, &["name"]).await?;
    let mut names = Vec::new();
    for h in hosts {
        let Some(p) = h.prop_set.into_iter().next() else {
            continue;
        };
        let n = HostSystem::NAME.decode(p.val)?;
        if n == name {
            return Ok(h.obj);
        }
        names.push(n);
    }
    names.sort();
    Err(Error::NotFound {
        path: name.to_string(),
        deepest: format!("hosts ({})", names.join(", ")),
        missing: name.to_string(),
    })
}

/// Runs `line` on the host `host` names; `release` pins the release the
/// host is asked for instead of its own.
pub async fn run(
    client: &Client,
    host: &str,
    release: Option<&str>,
    line: &CommandLine,
) -> Result<Value, Error> {
    let host = find_host(client, host).await?;
    let esxcli = match release {
        Some(r) => Esxcli::connect_at(client, &host, r).await?,
        None => Esxcli::connect(client, &host).await?,
    };
    let words: Vec<&str> = line.words.iter().map(String::as_str).collect();
    let options: Vec<(&str, &str)> = line
        .options
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    esxcli.run(&words, &options).await
}

/// A result as a table: one row per record, a column per field.
pub fn render(value: &Value) -> String {
    let (header, rows) = vmomi::esxcli::value::columns(value);
    if header.is_empty() {
        return rows.iter().map(|r| format!("{}\n", r.join(" "))).collect();
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    render_table(&header, &rows)
}
