//! The vCenter simulator harness: builds `tests/vcsim/main.go` against Debian's
//! govmomi simulator sources (GOPATH mode, `scripts/install-test-deps` installs
//! them), starts it on a random 127.0.0.1 port with the inventory a test
//! chooses, and stops it when dropped (the simulator exits when its stdin closes).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
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
    /// Serve https with a self-signed certificate.
    pub tls: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            vm: 2,
            cluster: 1,
            host: 1,
            tls: false,
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
}

/// The user and password the simulator accepts.
pub const USER: &str = "user";
/// See [`USER`].
pub const PASSWORD: &str = "pass";

fn build() -> Result<PathBuf, String> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        let src = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/vcsim"));
        // Go's build cache makes rebuilding cheap; the binary is per process
        // so parallel test binaries never write the same file.
        let dir = std::env::temp_dir().join("vmomi-vcsim");
        let out = dir.join(format!("vcsim-{}", std::process::id()));
        let gocache = dir.join("gocache");
        let status = Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
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
        Ok(out)
    })
    .clone()
}

impl Vcsim {
    /// Builds (once per test binary) and starts a simulator.
    pub fn start(o: &Options) -> Result<Self, String> {
        let bin = build()?;
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
            .args(if o.tls { &["-tls"][..] } else { &[][..] })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the simulator: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        // Read the URL line on a thread so a stuck simulator cannot hang the test.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let r = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = tx.send(r);
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(l)) => l,
            other => {
                let _ = child.kill();
                return Err(format!("the simulator did not report its URL: {other:?}"));
            }
        };
        let url = line
            .trim()
            .strip_prefix("URL=")
            .ok_or_else(|| format!("unexpected simulator output: {line:?}"))?
            .to_string();
        let addr = url
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .ok_or_else(|| format!("bad URL {url}"))?
            .to_string();
        Ok(Self { child, url, addr })
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
    }
}
