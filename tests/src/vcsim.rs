//! The vCenter simulator harness: builds `tests/vcsim/main.go` against Debian's
//! govmomi simulator sources (GOPATH mode, `scripts/install-test-deps` installs
//! them), starts it on a random 127.0.0.1 port with the inventory a test
//! chooses, and stops it when dropped (the simulator exits when its stdin closes).
//!
//! With [`Options::tls`] the simulator serves https with a leaf certificate for
//! 127.0.0.1 signed by a CA it makes at start-up; [`Vcsim::ca_pem`] is that CA
//! (PEM) and [`Vcsim::sha256`] / [`Vcsim::sha1`] are the leaf's thumbprints in
//! vSphere's form (`AB:CD:...`). With [`Options::tls_builtin`] it serves https
//! with govmomi's built-in certificate instead (thumbprints, no CA file).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Inventory and mode of one simulator.
#[derive(Clone, Debug)]
pub struct Options {
    /// Virtual machines per resource pool.
    pub vm: u32,
    /// Clusters per datacenter.
    pub cluster: u32,
    /// Standalone hosts per datacenter.
    pub host: u32,
    /// Serve https with a certificate signed by a CA made at start-up.
    pub tls: bool,
    /// Serve https with govmomi's built-in httptest certificate, as a plain
    /// `vcsim` does: RSA-1024, a CA certificate used as the server's own,
    /// valid for 127.0.0.1. Excludes [`tls`](Self::tls).
    pub tls_builtin: bool,
    /// The vmci fixture (`tests/vcsim/ci.go`): templates `debian-12-ci` and
    /// `ubuntu-24.04-ci`, a folder `/DC0/vm/ci` that refuses a duplicate VM
    /// name as vCenter does, and a guest agent that reports an IP address
    /// after a VM powers on.
    pub ci: bool,
    /// The storage policy (PBM) service (`tests/vcsim/pbm.go`) at `/pbm/sdk`,
    /// authenticated by the `vmware_soap_session` cookie of a login on `/sdk`,
    /// with `PbmCheckCompatibility`, and a datastore `vsanDatastore` of type
    /// vsan on the first cluster's hosts: the built-in "vSAN Default Storage
    /// Policy" is compatible with it and not with `LocalDS_0`.
    pub pbm: bool,
    /// ESXCLI through the API (`tests/vcsim/esxcli.go`, wire shapes in
    /// `tests/vcsim/ESXCLI.md`): every host answers `RetrieveDynamicTypeManager`
    /// and `RetrieveManagedMethodExecuter` with its own type manager and
    /// executer, serving `system hostname get`, `system version get`,
    /// `network ip interface ipv4 get` and `software vib list`. The first
    /// standalone host is ESXi 6.0 (apiVersion 6.0), whose executer refuses an
    /// `ExecuteSoap` of a newer version; the others are 6.5. The simulator
    /// prints that host's name as `ESXCLI_OLD_HOST=<name>` before `URL=`.
    pub esxcli: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            vm: 2,
            cluster: 1,
            host: 1,
            tls: false,
            tls_builtin: false,
            ci: false,
            pbm: false,
            esxcli: false,
        }
    }
}

/// A running simulator; dropping it stops it.
pub struct Vcsim {
    child: Child,
    /// The SDK URL, e.g. `http://127.0.0.1:43291/sdk`.
    pub url: String,
    /// `host:port`.
    pub addr: String,
    /// With TLS: the file holding the simulator's CA certificate (PEM); it is
    /// removed when the simulator is dropped.
    pub ca_pem: Option<PathBuf>,
    /// With TLS: the SHA-256 thumbprint of the server certificate, uppercase
    /// colon-separated hex as vSphere shows it.
    pub sha256: Option<String>,
    /// With TLS: the SHA-1 thumbprint of the server certificate, same form.
    pub sha1: Option<String>,
    /// The names of the simulator's virtual machines, as it reported them.
    pub vms: Vec<String>,
    /// With [`Options::esxcli`]: the host the fixture made an older
    /// release (ESXi 6.0), by name.
    pub esxcli_old_host: Option<String>,
}

/// The user and password the simulator accepts.
pub const USER: &str = "user";
/// See [`USER`]. Distinctive, so the no-secrets-in-logs test cannot match
/// it by accident (plain "pass" occurs inside "password").
pub const PASSWORD: &str = "Vcsim-Pa55-7f3e";

/// `std::env::temp_dir()/vmomi-vcsim`, where the binary and CA files live.
fn work_dir() -> PathBuf {
    std::env::temp_dir().join("vmomi-vcsim")
}

/// A CA file name unique to this process and simulator.
fn ca_file(dir: &Path) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("ca-{}-{n}.pem", std::process::id()))
}

/// The start-up lines the simulator prints, up to and including `URL=`.
#[derive(Debug, Default)]
struct Startup {
    url: String,
    sha256: Option<String>,
    sha1: Option<String>,
    vms: Vec<String>,
    esxcli_old_host: Option<String>,
}

fn read_startup(stdout: impl std::io::Read) -> Result<Startup, String> {
    let mut r = BufReader::new(stdout);
    let mut s = Startup::default();
    loop {
        let mut line = String::new();
        let n = r
            .read_line(&mut line)
            .map_err(|e| format!("reading the simulator's output: {e}"))?;
        if n == 0 {
            return Err("the simulator exited before reporting its URL".into());
        }
        let line = line.trim();
        if let Some(url) = line.strip_prefix("URL=") {
            s.url = url.to_string();
            return Ok(s);
        } else if let Some(t) = line.strip_prefix("SHA256=") {
            s.sha256 = Some(t.to_string());
        } else if let Some(t) = line.strip_prefix("SHA1=") {
            s.sha1 = Some(t.to_string());
        } else if let Some(t) = line.strip_prefix("VM=") {
            s.vms.push(t.to_string());
        } else if let Some(t) = line.strip_prefix("ESXCLI_OLD_HOST=") {
            s.esxcli_old_host = Some(t.to_string());
        } else {
            return Err(format!("unexpected simulator output: {line:?}"));
        }
    }
}

fn build() -> Result<PathBuf, String> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        let src = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/vcsim"));
        // Go's build cache makes rebuilding cheap. Each process builds to a
        // file of its own, so parallel test binaries never write the same
        // file, then renames it over the one shared binary (atomic; a
        // simulator already running from the old file keeps it), so the
        // folder holds one binary however many test runs there were.
        let dir = work_dir();
        let tmp = dir.join(format!("vcsim-{}.tmp", std::process::id()));
        let out = dir.join("vcsim");
        let gocache = dir.join("gocache");
        let status = Command::new("go")
            .args(["build", "-o"])
            .arg(&tmp)
            .arg(".")
            .current_dir(&src)
            .env("GO111MODULE", "off")
            .env("GOPATH", "/usr/share/gocode")
            .env("GOCACHE", &gocache)
            .status()
            .map_err(|e| format!("cannot run `go` ({e}): run scripts/install-test-deps"))?;
        if !status.success() {
            return Err(format!(
                "building the simulator failed ({status}): run scripts/install-test-deps"
            ));
        }
        std::fs::rename(&tmp, &out)
            .map_err(|e| format!("cannot move the simulator to {}: {e}", out.display()))?;
        Ok(out)
    })
    .clone()
}

impl Vcsim {
    /// Builds (once per test binary) and starts a simulator.
    pub fn start(o: &Options) -> Result<Self, String> {
        let bin = build()?;
        let ca_pem = if o.tls {
            let dir = work_dir();
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            Some(ca_file(&dir))
        } else {
            None
        };
        let mut tls_args: Vec<&std::ffi::OsStr> = Vec::new();
        if let Some(ca) = &ca_pem {
            tls_args.extend(["-tls".as_ref(), "-ca-out".as_ref(), ca.as_os_str()]);
        }
        if o.tls_builtin {
            tls_args.push("-tls-builtin".as_ref());
        }
        if o.ci {
            tls_args.push("-ci".as_ref());
        }
        if o.pbm {
            tls_args.push("-pbm".as_ref());
        }
        if o.esxcli {
            tls_args.push("-esxcli".as_ref());
        }
        let mut child = Command::new(bin)
            .args([
                "-vm",
                &o.vm.to_string(),
                "-cluster",
                &o.cluster.to_string(),
                "-host",
                &o.host.to_string(),
            ])
            .args(["-user", USER, "-pass", PASSWORD])
            .args(&tls_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the simulator: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        // Read the start-up lines on a thread so a stuck simulator cannot hang
        // the test.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_startup(stdout));
        });
        let fail = |mut child: Child, e: String| {
            let _ = child.kill();
            let _ = child.wait();
            if let Some(ca) = &ca_pem {
                let _ = std::fs::remove_file(ca);
            }
            Err(e)
        };
        let startup = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return fail(child, e),
            Err(e) => {
                return fail(child, format!("the simulator did not report its URL: {e}"));
            }
        };
        if (o.tls || o.tls_builtin) && (startup.sha256.is_none() || startup.sha1.is_none()) {
            return fail(
                child,
                format!("the simulator printed no thumbprints: {startup:?}"),
            );
        }
        let url = startup.url;
        let Some(addr) = url
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .map(str::to_string)
        else {
            return fail(child, format!("bad URL {url}"));
        };
        Ok(Self {
            child,
            url,
            addr,
            ca_pem,
            sha256: startup.sha256,
            sha1: startup.sha1,
            vms: startup.vms,
            esxcli_old_host: startup.esxcli_old_host,
        })
    }

    /// Starts a simulator, or explains why it cannot: a failure under `CI=true`,
    /// `None` (with a message) on a developer machine without Go.
    pub fn start_or_skip(o: &Options) -> Option<Self> {
        match Self::start(o) {
            Ok(s) => Some(s),
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("{e}"),
            Err(e) => {
                eprintln!("skipping: {e}");
                None
            }
        }
    }
}

impl Drop for Vcsim {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        if let Some(ca) = &self.ca_pem {
            let _ = std::fs::remove_file(ca);
        }
    }
}
