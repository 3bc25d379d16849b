//! ESXCLI through the API, on each host's own release.
//!
//! A host describes its command tree through its dynamic type manager
//! (`RetrieveDynamicTypeManager`, `DynamicTypeMgrQueryTypeInfo`,
//! `DynamicTypeMgrQueryMoInstances`) and runs commands through its method
//! executer (`RetrieveManagedMethodExecuter`, `ExecuteSoap`). The executer
//! is told the release to answer in, and a host refuses one newer than its
//! own: a client that sends the vCenter's release through a newer vCenter
//! fails on every older host (pyVmomi issue 180; govmomi pins
//! `urn:vim25/5.0`, rbVmomi `urn:vim25/6.5`). [`Esxcli`] sends each host's
//! own release ([`Client::for_host`]), so every host answers in the newest
//! release it has.
//!
//! Results decode into a [`Value`] (records of named fields, lists, text,
//! booleans, numbers, typed by the host's type info) that also deserializes
//! into a struct of your own.
//!
//! ```no_run
//! # async fn run(client: vmomi::Client, host: vmomi::types::ManagedObjectReference) -> Result<(), vmomi::Error> {
//! use vmomi::esxcli::Esxcli;
//! #[derive(serde::Deserialize)]
//! #[serde(rename_all = "PascalCase")]
//! struct Vib { name: String, version: String }
//! let esxcli = Esxcli::connect(&client, &host).await?;
//! let vibs: Vec<Vib> = esxcli.run_as(&["software", "vib", "list"], &[]).await?;
//! let ipv4 = esxcli
//!     .run(&["network", "ip", "interface", "ipv4", "get"], &[("interface-name", "vmk0")])
//!     .await?;
//! # Ok(()) }
//! ```

pub mod value;

pub use value::{DataTypeInfo, PropertyInfo, TypeTable, Value, ValueError};

use crate::error::EsxcliProblem;
use crate::mo::{HostSystem, InternalDynamicTypeManager, ReflectManagedMethodExecuter};
use crate::release::Release;
use crate::types::{
    CompactString, DynamicTypeMgrAllTypeInfo, DynamicTypeMgrParamTypeInfo, ManagedObjectReference,
    ReflectManagedMethodExecuterSoapArgument,
};
use crate::{Client, Error};

/// The namespace every ESXCLI managed type lives in.
const ESXCLI_PREFIX: &str = "vim.EsxCLI.";

/// One command of a host: `system hostname get`.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// The words: namespaces, then the method (`["system", "hostname", "get"]`).
    pub words: Vec<CompactString>,
    /// The handler object on the host (`ha-cli-handler-system-hostname`).
    pub moid: CompactString,
    /// The method's full name (`vim.EsxCLI.system.hostname.get`).
    pub method: CompactString,
    /// Its parameters, in declaration order (the order they are sent in).
    pub params: Vec<Param>,
    /// The result's type name (`vim.EsxCLI.system.hostname.get.FullyQualifiedHostName`),
    /// without `[]`; `None` for a command without result.
    pub result: Option<CompactString>,
    /// Whether the result is a list.
    pub result_is_list: bool,
}

/// A parameter of a [`Command`].
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name on the wire (`interfacename`): the long option without its
    /// dashes.
    pub name: CompactString,
    /// Its type (`string`, `boolean`, `long`, ...), without `[]`.
    pub type_name: CompactString,
    /// Whether it takes several values.
    pub is_list: bool,
    /// Whether it may be left out.
    pub optional: bool,
}

impl Command {
    /// The command as typed: `system hostname get`.
    pub fn name(&self) -> String {
        self.words.join(" ")
    }
}

/// ESXCLI on one host, through its vCenter (or the host itself).
#[derive(Clone, Debug)]
pub struct Esxcli {
    client: Client,
    host: ManagedObjectReference,
    executer: ManagedObjectReference,
    commands: Vec<Command>,
    types: TypeTable,
}

impl Esxcli {
    /// ESXCLI on `host`, speaking the host's own release (see
    /// [`Client::for_host`]): reads its command tree (two calls) once.
    pub async fn connect(client: &Client, host: &ManagedObjectReference) -> Result<Self, Error> {
        let scoped = client.for_host(host).await?;
        Self::with_client(scoped, host).await
    }

    /// ESXCLI on `host` with `release` instead of the host's own, the way
    /// clients that pin one release for every host work (an older host
    /// refuses a release newer than its own with `InvalidArgument`).
    pub async fn connect_at(
        client: &Client,
        host: &ManagedObjectReference,
        release: &str,
    ) -> Result<Self, Error> {
        Self::with_client(client.at_release(release)?, host).await
    }

    async fn with_client(client: Client, host: &ManagedObjectReference) -> Result<Self, Error> {
        let view: HostSystem = client.view(host.clone());
        let dtm = view.retrieve_dynamic_type_manager().await?;
        let executer = view.retrieve_managed_method_executer().await?;
        let dtm: InternalDynamicTypeManager = client.view(dtm);
        let instances = dtm.dynamic_type_mgr_query_mo_instances(None).await?;
        let info = dtm.dynamic_type_mgr_query_type_info(None).await?;
        let moids: Vec<(CompactString, CompactString)> =
            instances.into_iter().map(|i| (i.mo_type, i.id)).collect();
        Ok(Self {
            commands: commands_of(&info, &moids),
            types: types_of(&info),
            client,
            host: host.clone(),
            executer,
        })
    }

    /// The host.
    pub fn host(&self) -> &ManagedObjectReference {
        &self.host
    }

    /// The release the host is asked to answer in.
    pub fn release(&self) -> &Release {
        self.client.release()
    }

    /// Every command the host has, sorted by name.
    pub fn commands(&self) -> &[Command] {
        &self.commands
    }

    /// The host's result types, by wire name.
    pub fn types(&self) -> &TypeTable {
        &self.types
    }

    /// The command of `words` (`["system", "hostname", "get"]`); an unknown
    /// one is [`EsxcliProblem::UnknownCommand`], listing what the host has
    /// where the words stop matching.
    pub fn command(&self, words: &[&str]) -> Result<&Command, Error> {
        if let Some(c) = self.commands.iter().find(|c| {
            c.words
                .iter()
                .map(CompactString::as_str)
                .eq(words.iter().copied())
        }) {
            return Ok(c);
        }
        // The longest prefix of `words` some command starts with.
        let depth = (0..=words.len())
            .rev()
            .find(|&n| {
                self.commands.iter().any(|c| {
                    c.words.len() > n
                        && c.words[..n]
                            .iter()
                            .map(CompactString::as_str)
                            .eq(words[..n].iter().copied())
                })
            })
            .unwrap_or(0);
        let mut available: Vec<String> = self
            .commands
            .iter()
            .filter(|c| {
                c.words.len() > depth
                    && c.words[..depth]
                        .iter()
                        .map(CompactString::as_str)
                        .eq(words[..depth].iter().copied())
            })
            .map(|c| c.words[depth].to_string())
            .collect();
        available.sort();
        available.dedup();
        Err(esxcli_error(
            &words.join(" "),
            EsxcliProblem::UnknownCommand {
                unknown: words[depth.min(words.len())..].join(" "),
                available,
            },
        ))
    }

    /// Runs `words` with `args` (`("interface-name", "vmk0")`; dashes in
    /// names are ignored, as the host's names are the long options without
    /// them; a list parameter takes the name again for each value), and
    /// decodes the result. A command without result gives an empty list.
    pub async fn run(&self, words: &[&str], args: &[(&str, &str)]) -> Result<Value, Error> {
        let command = self.command(words)?;
        let arguments = arguments(command, args)?;
        let version = format!("urn:vim25/{}", self.release());
        let executer: ReflectManagedMethodExecuter = self.client.view(self.executer.clone());
        let result = executer
            .execute_soap(
                command.moid.clone(),
                version,
                command.method.clone(),
                arguments,
            )
            .await?;
        let name = command.name();
        let Some(result) = result else {
            return Ok(Value::List(Vec::new()));
        };
        if let Some(fault) = result.fault {
            let problem = match fault.fault_detail.as_deref().map(value::parse_fault) {
                Some(Ok(f)) => EsxcliProblem::Failed {
                    fault: f.type_name,
                    messages: if f.messages.is_empty() {
                        vec![fault.fault_msg.into()]
                    } else {
                        f.messages
                    },
                },
                _ => EsxcliProblem::Failed {
                    fault: "unknown".into(),
                    messages: vec![fault.fault_msg.into()],
                },
            };
            return Err(esxcli_error(&name, problem));
        }
        let Some(doc) = result.response else {
            return Ok(Value::List(Vec::new()));
        };
        let value = value::parse_response(&doc, &self.types)
            .map_err(|e| esxcli_error(&name, EsxcliProblem::Answer(e.to_string())))?;
        // A list result of one element may come as that element alone.
        Ok(match value {
            Value::List(_) => value,
            other if command.result_is_list => Value::List(vec![other]),
            other => other,
        })
    }

    /// [`run`](Self::run), the result deserialized into `T` (field names as
    /// the host writes them: `#[serde(rename_all = "PascalCase")]`).
    pub async fn run_as<T: serde::de::DeserializeOwned>(
        &self,
        words: &[&str],
        args: &[(&str, &str)],
    ) -> Result<T, Error> {
        let value = self.run(words, args).await?;
        value
            .deserialize_into()
            .map_err(|e| esxcli_error(&words.join(" "), EsxcliProblem::Answer(e.to_string())))
    }
}

fn esxcli_error(command: &str, problem: EsxcliProblem) -> Error {
    Error::Esxcli {
        command: command.to_string(),
        problem: Box::new(problem),
    }
}

/// The commands of a host's type info: each method of each `vim.EsxCLI.*`
/// managed type that has a handler object.
fn commands_of(
    info: &DynamicTypeMgrAllTypeInfo,
    moids: &[(CompactString, CompactString)],
) -> Vec<Command> {
    let mut out = Vec::new();
    for t in &info.managed_type_info {
        let Some(ns) = t.name.strip_prefix(ESXCLI_PREFIX) else {
            continue;
        };
        let Some((_, moid)) = moids.iter().find(|(ty, _)| *ty == t.name) else {
            continue;
        };
        for m in &t.method {
            let mut words: Vec<CompactString> = ns.split('.').map(CompactString::from).collect();
            words.push(m.name.clone());
            let (result, result_is_list) = match &m.return_type_info {
                Some(r) => match r.r#type.strip_suffix("[]") {
                    Some(item) => (Some(item.into()), true),
                    None => (Some(r.r#type.clone()), false),
                },
                None => (None, false),
            };
            out.push(Command {
                words,
                moid: moid.clone(),
                method: format!("{}.{}", t.name, m.name).into(),
                params: m.param_type_info.iter().map(param_of).collect(),
                result,
                result_is_list,
            });
        }
    }
    out.sort_by(|a, b| a.words.cmp(&b.words));
    out
}

fn param_of(p: &DynamicTypeMgrParamTypeInfo) -> Param {
    let (type_name, is_list) = match p.r#type.strip_suffix("[]") {
        Some(t) => (t.into(), true),
        None => (p.r#type.clone(), false),
    };
    Param {
        name: p.name.clone(),
        type_name,
        is_list,
        optional: p.annotation.iter().any(|a| a.name == "optional"),
    }
}

/// The host's data types, for typing results.
fn types_of(info: &DynamicTypeMgrAllTypeInfo) -> TypeTable {
    info.data_type_info
        .iter()
        .map(|t| DataTypeInfo {
            wsdl_name: t.wsdl_name.to_string(),
            name: t.name.to_string(),
            properties: t
                .property
                .iter()
                .map(|p| PropertyInfo::new(p.name.as_str(), p.r#type.as_str()))
                .collect(),
        })
        .collect()
}

/// The name a user gives, as the host names parameters: no dashes, lower case.
fn normalize(name: &str) -> String {
    name.trim_start_matches('-')
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `args` matched to the command's parameters and checked against their
/// types, in the parameters' order, as the executer wants them.
fn arguments(
    command: &Command,
    args: &[(&str, &str)],
) -> Result<Vec<ReflectManagedMethodExecuterSoapArgument>, Error> {
    let name = command.name();
    let mut given: Vec<(usize, &str)> = Vec::new();
    for (arg, value) in args {
        let key = normalize(arg);
        let Some(i) = command.params.iter().position(|p| p.name == key) else {
            return Err(esxcli_error(
                &name,
                EsxcliProblem::UnknownArgument {
                    argument: arg.to_string(),
                    known: command.params.iter().map(|p| p.name.to_string()).collect(),
                },
            ));
        };
        let p = &command.params[i];
        if !p.is_list && given.iter().any(|(j, _)| *j == i) {
            return Err(esxcli_error(
                &name,
                EsxcliProblem::BadArgument {
                    argument: arg.to_string(),
                    problem: "given twice; it takes one value".into(),
                },
            ));
        }
        if let Err(problem) = check_value(&p.type_name, value) {
            return Err(esxcli_error(
                &name,
                EsxcliProblem::BadArgument {
                    argument: arg.to_string(),
                    problem,
                },
            ));
        }
        given.push((i, value));
    }
    if let Some(p) = command
        .params
        .iter()
        .enumerate()
        .find(|(i, p)| !p.optional && !given.iter().any(|(j, _)| j == i))
        .map(|(_, p)| p)
    {
        return Err(esxcli_error(
            &name,
            EsxcliProblem::BadArgument {
                argument: p.name.to_string(),
                problem: "is required".into(),
            },
        ));
    }
    let mut out = Vec::new();
    for (i, p) in command.params.iter().enumerate() {
        let values: Vec<&str> = given
            .iter()
            .filter(|(j, _)| *j == i)
            .map(|(_, v)| *v)
            .collect();
        if values.is_empty() {
            continue;
        }
        let mut w = crate::xml::XmlWriter::new();
        for v in values {
            w.simple(&p.name, None, v);
        }
        out.push(ReflectManagedMethodExecuterSoapArgument {
            name: p.name.clone(),
            val: String::from_utf8_lossy(w.as_bytes()).into(),
            ..Default::default()
        });
    }
    Ok(out)
}

/// Whether `value` is a value of the parameter type `type_name`.
fn check_value(type_name: &str, value: &str) -> Result<(), String> {
    let ok = match type_name {
        "boolean" => matches!(value, "true" | "false"),
        "long" | "int" | "short" | "byte" => value.parse::<i64>().is_ok(),
        "double" | "float" => value.parse::<f64>().is_ok(),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{value:?} is not a {type_name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> Command {
        Command {
            words: vec![
                "network".into(),
                "ip".into(),
                "interface".into(),
                "ipv4".into(),
                "get".into(),
            ],
            moid: "ha-cli-handler-network-ip-interface-ipv4".into(),
            method: "vim.EsxCLI.network.ip.interface.ipv4.get".into(),
            params: vec![
                Param {
                    name: "interfacename".into(),
                    type_name: "string".into(),
                    is_list: false,
                    optional: true,
                },
                Param {
                    name: "netstack".into(),
                    type_name: "string".into(),
                    is_list: false,
                    optional: true,
                },
                Param {
                    name: "count".into(),
                    type_name: "long".into(),
                    is_list: false,
                    optional: true,
                },
            ],
            result: Some("vim.EsxCLI.network.ip.interface.ipv4.get.IPv4Interface".into()),
            result_is_list: true,
        }
    }

    fn problem(e: Error) -> EsxcliProblem {
        match e {
            Error::Esxcli { problem, .. } => *problem,
            other => panic!("not an ESXCLI error: {other}"),
        }
    }

    #[test]
    fn arguments_are_matched_by_long_option_and_sent_in_declaration_order() {
        let args = arguments(
            &cmd(),
            &[
                ("netstack", "defaultTcpipStack"),
                ("--interface-name", "vmk<0>"),
            ],
        )
        .unwrap();
        let sent: Vec<(&str, &str)> = args
            .iter()
            .map(|a| (a.name.as_str(), a.val.as_str()))
            .collect();
        assert_eq!(
            sent,
            [
                (
                    "interfacename",
                    "<interfacename>vmk&lt;0&gt;</interfacename>"
                ),
                ("netstack", "<netstack>defaultTcpipStack</netstack>"),
            ]
        );
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = problem(arguments(&cmd(), &[("interface", "vmk0")]).unwrap_err());
        assert_eq!(
            e,
            EsxcliProblem::UnknownArgument {
                argument: "interface".into(),
                known: vec!["interfacename".into(), "netstack".into(), "count".into()],
            }
        );
        let e = problem(arguments(&cmd(), &[("count", "many")]).unwrap_err());
        assert_eq!(e.to_string(), "argument \"count\": \"many\" is not a long");
        let e = problem(arguments(&cmd(), &[("netstack", "a"), ("netstack", "b")]).unwrap_err());
        assert!(e.to_string().contains("given twice"), "{e}");
    }
}
