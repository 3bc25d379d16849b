//! Malformed specs and policies, read from files as the CLI reads them:
//! every error names file, line, column and field.

use std::path::PathBuf;
use vmci::model::ConfigError;
use vmci::policy::load_policy;
use vmci::spec::load_spec;

/// A file in a folder of its own, removed with the value.
struct File {
    path: PathBuf,
}

impl Drop for File {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl std::ops::Deref for File {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.path
    }
}

fn write(name: &str, text: &[u8]) -> File {
    let dir = std::env::temp_dir().join(format!("vmci-spec-errors-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    File { path }
}

fn shown(errors: &[ConfigError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_spec_with_mistakes_reports_each_at_its_place() {
    let path = write(
        "mistakes.yml",
        b"\
repository: acme/widget
vms:
  - role: builder
    template: debian-12-ci
    cpus: 2
    memory: 4GiB
  - role: builder
    template: debian-12-ci
    cpu: 2
    memory: 4 gigs
    lifetime: 2 hours
",
    );
    let file = path.display().to_string();
    let errors = load_spec(&path).unwrap_err();
    assert_eq!(
        shown(&errors),
        [
            format!("{file}:7:5: vms[1].cpus: missing required field `cpus`"),
            format!(
                "{file}:7:11: vms[1].role: role `builder` is already used at line 3; roles must be unique"
            ),
            format!(
                "{file}:9:5: vms[1].cpu: unknown field `cpu`; did you mean `cpus`? the fields are \
                 role, template, count, cpus, memory, disk, disks, network, lifetime"
            ),
            format!(
                "{file}:10:13: vms[1].memory: `4 gigs` is not a size: unknown unit `gigs`; \
                 use MiB, GiB or TiB (like 4GiB; a plain number is MiB)"
            ),
            format!(
                "{file}:11:15: vms[1].lifetime: `2 hours` is not a duration: write a number and a \
                 unit (s, m, h, d), like 30m, 2h or 1d"
            ),
        ]
    );
}

#[test]
fn a_spec_syntax_error_names_its_line_column_and_field() {
    // `memory` is indented one column short of its siblings.
    let path = write(
        "syntax.yml",
        b"repository: acme/widget\nvms:\n  - role: builder\n    template: debian-12-ci\n    cpus: 2\n   memory: 4GiB\n",
    );
    let errors = load_spec(&path).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.place.file, path.display().to_string());
    assert_eq!((e.place.line, e.place.column), (6, 4), "{e}");
    assert_eq!(e.field, "vms[0].memory");
    assert!(!e.message.is_empty());
}

#[test]
fn wrong_types_and_zero_counts_in_a_spec() {
    let path = write(
        "types.yml",
        b"repository: acme/widget\nvms:\n  - role: builder\n    template: [debian-12-ci]\n    count: 0\n    cpus: two\n    memory: 4GiB\n",
    );
    let file = path.display().to_string();
    assert_eq!(
        shown(&load_spec(&path).unwrap_err()),
        [
            format!("{file}:4:15: vms[0].template: expected text, found a list"),
            format!("{file}:5:12: vms[0].count: count must be at least 1, not 0"),
            format!("{file}:6:11: vms[0].cpus: expected a whole number, found the text \"two\""),
        ]
    );
}

#[test]
fn a_policy_with_mistakes_reports_each_at_its_place() {
    let path = write(
        "policy.yml",
        b"\
folder: /DC0/vm/ci
resource_pool: /DC0/host/DC0_C0/Resources
templates: [debian-12-ci]
limits:
  cpus: 8
  memroy: 16GiB
  disk: 100GiB
  count: 10
  lifetime: 8h
  default_lifetime: 12h
quota: { vms: 20, cpus: 64, memory: 128 }
repositories:
  acme/big: { vms: forty, cpus: 160, memory: 512GiB }
",
    );
    let file = path.display().to_string();
    assert_eq!(
        shown(&load_policy(&path).unwrap_err()),
        [
            format!("{file}:5:3: limits.memory: missing required field `memory`"),
            format!(
                "{file}:6:3: limits.memroy: unknown field `memroy`; did you mean `memory`? the fields \
                 are cpus, memory, disk, count, lifetime, default_lifetime"
            ),
            format!(
                "{file}:10:21: limits.default_lifetime: the default lifetime 12h is longer than the \
                 maximum `lifetime` 8h"
            ),
            format!(
                "{file}:13:20: repositories[\"acme/big\"].vms: expected a whole number, found the text \"forty\""
            ),
        ]
    );
}

#[test]
fn a_policy_syntax_error_names_its_line_column_and_field() {
    // An unclosed flow list.
    let path = write(
        "policy-syntax.yml",
        b"folder: /DC0/vm/ci\nresource_pool: /DC0/host/DC0_C0/Resources\ntemplates: [debian-12-ci\nlimits:\n  cpus: 8\n",
    );
    let errors = load_policy(&path).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!((e.place.line, e.place.column), (4, 7), "{e}");
    assert_eq!(e.field, "limits");
}

#[test]
fn unreadable_files_are_one_clear_error() {
    let missing = std::env::temp_dir().join(format!(
        "vmci-spec-errors-{}-none/no-such.yml",
        std::process::id()
    ));
    let errors = load_spec(&missing).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].place.line, 0);
    assert!(
        errors[0]
            .to_string()
            .starts_with(&format!("{}: cannot read it:", missing.display())),
        "{}",
        errors[0]
    );
    let latin1 = write("latin1.yml", b"folder: /DC0/vm/caf\xe9\n");
    let errors = load_policy(&latin1).unwrap_err();
    assert_eq!(
        shown(&errors),
        [format!("{}:1:20: is not UTF-8 text", latin1.display())]
    );
}
