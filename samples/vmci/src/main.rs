//! `vmci`: build VMs for CI on vSphere from the repository's
//! `.vsphere-ci.yml`, judged against the operator's policy.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use vmci::error::Error;
use vmci::model::{Plan, Policy, Spec};
use vmci::ops::{self, Ctx, RefusalRecord, VmRow};
use vmci::progress::Progress;
use vmci::{judge, policy, spec, vc};
use vmomi_samples::output::{or_dash, print_json, render_table};
use vmomi_samples::{ConnectArgs, with_client};

/// Build VMs for CI, provisioned on vSphere from a spec kept in the application's repository.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "The spec is .vsphere-ci.yml in the current folder or the nearest one above it. \
The policy is --policy, VMCI_POLICY, or vmci-policy.yml found the same way (for trying vmci out; \
operators set VMCI_POLICY on their runners). The build id is --build, VMCI_BUILD, the CI system's \
own (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILD_NUMBER, TRAVIS_BUILD_NUMBER, BUILDKITE_BUILD_NUMBER), or \
local-$USER. vCenter and credentials come from VSPHERE_URL, VSPHERE_USER, VSPHERE_PASSWORD, \
VSPHERE_INSECURE, VSPHERE_THUMBPRINT, VSPHERE_CA_FILE (or GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, \
GOVC_INSECURE)."
)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// The spec file, instead of .vsphere-ci.yml found from the current folder upward.
    #[arg(long, global = true, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// The operator's policy.
    #[arg(long, global = true, env = "VMCI_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The build id (VM names and labels carry it).
    #[arg(long, global = true, env = "VMCI_BUILD")]
    build: Option<String>,
    /// VMs worked on at once.
    #[arg(long, global = true, default_value_t = 4)]
    concurrency: usize,
    #[command(flatten)]
    connect: ConnectArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Check the spec against the policy and the inventory; print what `up` would do, or every reason it cannot.
    Plan,
    /// Make the build's VMs, power them on and wait for their IP addresses (idempotent).
    Up {
        /// Print shell variables for the CI job instead of a table.
        #[arg(long)]
        env: bool,
        /// How long to wait for each VM's IP address: 90s, 5m, ...
        #[arg(long, default_value = "5m", value_parser = vmomi::session::parse_duration)]
        ip_timeout: Duration,
    },
    /// What exists for this repository and build, and its state.
    Status,
    /// Destroy this build's VMs, and only them.
    Down,
    /// For operators: destroy build VMs past their lifetime, of every repository.
    Reap,
    /// For operators: build VMs per repository, and the demand that was refused.
    Report,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Refused(r)) => {
            // The refusal is plan's (and up's) answer: it goes to standard output.
            if args.json {
                print_json(&serde_json::json!({ "refused": r.to_json() }));
            } else {
                let text = r.to_string();
                print!("{text}");
                if !text.ends_with('\n') {
                    println!();
                }
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("vmci: {line}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `now` in seconds since the Unix epoch; `VMCI_NOW` pins it (replays, tests).
fn now() -> Result<i64, Error> {
    match std::env::var("VMCI_NOW") {
        Ok(s) => s.parse().map_err(|_| {
            Error::Usage(format!(
                "VMCI_NOW={s}: expected seconds since the Unix epoch"
            ))
        }),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)),
    }
}

fn build_id(args: &Args) -> String {
    if let Some(b) = &args.build {
        return b.clone();
    }
    for var in [
        "GITHUB_RUN_ID",
        "CI_PIPELINE_ID",
        "BUILD_NUMBER",
        "TRAVIS_BUILD_NUMBER",
        "BUILDKITE_BUILD_NUMBER",
    ] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return v;
        }
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
    format!("local-{user}")
}

fn load_spec(args: &Args) -> Result<Spec, Error> {
    let path = match &args.spec {
        Some(p) => p.clone(),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Error::Usage(format!("the current folder: {e}")))?;
            spec::find_spec(&cwd).ok_or_else(|| {
                Error::Usage(format!(
                    "no {} in {} or any folder above it",
                    spec::FILE_NAME,
                    cwd.display()
                ))
            })?
        }
    };
    Ok(spec::load_spec(&path)?)
}

/// The policy file's name when found from the current folder upward.
const POLICY_FILE: &str = "vmci-policy.yml";

fn load_policy(args: &Args) -> Result<Policy, Error> {
    let path = match &args.policy {
        Some(p) => p.clone(),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Error::Usage(format!("the current folder: {e}")))?;
            spec::find_upward(&cwd, POLICY_FILE).ok_or_else(|| {
                Error::Usage(format!(
                    "no policy: pass --policy FILE or set VMCI_POLICY (no {POLICY_FILE} in {} or above, up to the repository's root)",
                    cwd.display()
                ))
            })?
        }
    };
    Ok(policy::load_policy(&path)?)
}

async fn run(args: &Args) -> Result<(), Error> {
    // Both documents are read and checked before anything is sent.
    let needs_spec = matches!(
        args.command,
        Command::Plan | Command::Up { .. } | Command::Status | Command::Down
    );
    let spec = if needs_spec {
        Some(load_spec(args)?)
    } else {
        None
    };
    let policy = load_policy(args)?;
    let build = build_id(args);
    let now = now()?;
    let quiet = args.json || matches!(args.command, Command::Up { env: true, .. });
    let mut result: Result<(), Error> = Ok(());
    let connected = with_client(&args.connect, async |client| {
        let site = vc::site(client, &policy).await?;
        let ctx = Ctx {
            client,
            policy: &policy,
            site,
            now,
            progress: Progress::new(quiet),
            concurrency: args.concurrency,
            ip_timeout: match args.command {
                Command::Up { ip_timeout, .. } => ip_timeout,
                _ => Duration::from_secs(300),
            },
        };
        result = command(args, &ctx, spec.as_ref(), &build).await;
        Ok(())
    })
    .await;
    connected?;
    result
}

async fn command(
    args: &Args,
    ctx: &Ctx<'_>,
    spec: Option<&Spec>,
    build: &str,
) -> Result<(), Error> {
    let found = ops::existing(ctx).await?;
    match (&args.command, spec) {
        (Command::Plan, Some(spec)) => {
            let plan = judged(ctx, spec, &found, build, "plan").await?;
            if args.json {
                print_json(&plan.to_json());
            } else {
                print_plan(&plan);
            }
        }
        (Command::Up { env, .. }, Some(spec)) => {
            let plan = judged(ctx, spec, &found, build, "up").await?;
            let rows = ops::up(ctx, &plan, &found).await?;
            if *env {
                print!("{}", env_lines(&rows));
            } else if args.json {
                print_json(&serde_json::Value::Array(
                    rows.iter().map(VmRow::to_json).collect(),
                ));
            } else {
                print_rows(&rows, ctx.now);
            }
        }
        (Command::Status, Some(spec)) => {
            let rows = ops::rows(&ops::of_build(found, &spec.repository, build));
            if args.json {
                print_json(&serde_json::json!({
                    "repository": spec.repository,
                    "build": build,
                    "vms": rows.iter().map(VmRow::to_json).collect::<Vec<_>>(),
                }));
            } else if rows.is_empty() {
                println!("{} build {build}: no VMs", spec.repository);
            } else {
                print_rows(&rows, ctx.now);
            }
        }
        (Command::Down, Some(spec)) => {
            let gone = ops::destroy(ctx, ops::of_build(found, &spec.repository, build)).await?;
            print_names(args.json, "destroyed", &gone);
        }
        (Command::Reap, _) => {
            let gone = ops::destroy(ctx, ops::expired(found, ctx.now)).await?;
            print_names(args.json, "reaped", &gone);
        }
        (Command::Report, _) => {
            let report = ops::report(ctx, &found).await?;
            if args.json {
                print_json(&serde_json::Value::Array(
                    report.iter().map(|r| r.to_json()).collect(),
                ));
            } else {
                let rows: Vec<Vec<String>> = report
                    .iter()
                    .map(|r| {
                        vec![
                            r.repository.clone(),
                            r.vms.to_string(),
                            r.cpus.to_string(),
                            format!("{} MB", r.memory_mb),
                            format!("{:.1} GB", r.storage_bytes as f64 / 1e9),
                            age(r.oldest_age),
                            r.refused.to_string(),
                            r.refused_by_rule
                                .iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join(","),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    render_table(
                        &[
                            "REPOSITORY",
                            "VMS",
                            "CPU",
                            "MEMORY",
                            "STORAGE",
                            "OLDEST",
                            "REFUSED",
                            "RULES"
                        ],
                        &rows
                    )
                );
            }
        }
        _ => unreachable!("the spec is read for every command that needs it"),
    }
    Ok(())
}

/// The spec judged against the policy and the inventory; a refusal is
/// recorded in vCenter before it is returned.
async fn judged(
    ctx: &Ctx<'_>,
    spec: &Spec,
    found: &[vc::Existing],
    build: &str,
    command: &str,
) -> Result<Plan, Error> {
    let mut facts = vc::facts(&ctx.site, found, &spec.repository);
    facts.storage = vc::storage_facts(ctx.client, &ctx.site, ctx.policy, spec).await?;
    match judge::judge(spec, ctx.policy, &facts, build) {
        Ok(plan) => Ok(plan),
        Err(refusal) => {
            let record = RefusalRecord::new(&refusal, spec, build, command);
            if let Err(e) = ops::record_refusal(ctx, &record).await {
                eprintln!("vmci: the refusal could not be recorded in vCenter: {e}");
            }
            Err(Error::Refused(Box::new(refusal)))
        }
    }
}

/// The plan's DISKS column: each disk the spec speaks of, `size` and/or
/// `policy`, or nothing when the template's are kept.
fn disks_column(disks: &[vmci::model::PlannedDisk]) -> Option<String> {
    if disks.is_empty() {
        return None;
    }
    let shown: Vec<String> = disks
        .iter()
        .map(|d| {
            let size = d.size_mb.map(|mb| format!("{mb} MB"));
            let policy = d.storage_policy.as_ref().map(|(name, _)| name.clone());
            match (size, policy) {
                (Some(s), Some(p)) => format!("{s} ({p})"),
                (Some(s), None) => s,
                (None, Some(p)) => format!("({p})"),
                (None, None) => "-".into(),
            }
        })
        .collect();
    Some(shown.join(", "))
}

fn age(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s => format!("{}h", s / 3600),
    }
}

fn print_plan(plan: &Plan) {
    let new = plan.vms.iter().filter(|v| !v.exists).count();
    println!(
        "{} build {}: {} VMs, {new} to make, {} there already",
        plan.repository,
        plan.build,
        plan.vms.len(),
        plan.vms.len() - new
    );
    let rows: Vec<Vec<String>> = plan
        .vms
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.role.clone(),
                v.template.clone(),
                v.cpus.to_string(),
                format!("{} MB", v.memory_mb),
                or_dash(disks_column(&v.disks)),
                or_dash(v.network.as_deref()),
                spec::format_duration(v.lifetime),
                if v.exists { "keep" } else { "make" }.to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        render_table(
            &[
                "NAME", "ROLE", "TEMPLATE", "CPU", "MEMORY", "DISK", "NETWORK", "LIFETIME",
                "ACTION"
            ],
            &rows
        )
    );
}

fn print_rows(rows: &[VmRow], now: i64) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.role.clone(),
                if r.powered_on {
                    "poweredOn"
                } else {
                    "poweredOff"
                }
                .to_string(),
                or_dash(r.ip.as_deref()),
                r.cpus.to_string(),
                format!("{} MB", r.memory_mb),
                if r.expires <= now {
                    "expired".to_string()
                } else {
                    format!("in {}", age(r.expires - now))
                },
                r.id.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        render_table(
            &[
                "NAME", "ROLE", "POWER", "IP", "CPU", "MEMORY", "EXPIRES", "ID"
            ],
            &cells
        )
    );
}

fn print_names(json: bool, what: &str, names: &[String]) {
    if json {
        print_json(&serde_json::json!({ what: names }));
    } else if names.is_empty() {
        println!("nothing {what}");
    } else {
        for n in names {
            println!("{what} {n}");
        }
    }
}

/// Shell variables for the CI job: `VMCI_VMS`, and per VM
/// `VMCI_<ROLE>_<N>_{NAME,IP,ID}` plus `VMCI_<ROLE>_IPS`.
fn env_lines(rows: &[VmRow]) -> String {
    let var = |s: &str| {
        s.to_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    };
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut out = String::new();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    out.push_str(&format!("VMCI_VMS={}\n", quote(&names.join(" "))));
    let mut roles: Vec<&str> = Vec::new();
    for r in rows {
        if !roles.contains(&r.role.as_str()) {
            roles.push(&r.role);
        }
    }
    for role in roles {
        let of_role: Vec<&VmRow> = rows.iter().filter(|r| r.role == role).collect();
        for (i, r) in of_role.iter().enumerate() {
            let p = format!("VMCI_{}_{}", var(role), i + 1);
            out.push_str(&format!("{p}_NAME={}\n", quote(&r.name)));
            out.push_str(&format!(
                "{p}_IP={}\n",
                quote(r.ip.as_deref().unwrap_or(""))
            ));
            out.push_str(&format!("{p}_ID={}\n", quote(&r.id)));
        }
        let ips: Vec<&str> = of_role.iter().filter_map(|r| r.ip.as_deref()).collect();
        out.push_str(&format!(
            "VMCI_{}_IPS={}\n",
            var(role),
            quote(&ips.join(" "))
        ));
    }
    out
}
