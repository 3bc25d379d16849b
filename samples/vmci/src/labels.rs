//! The labels `vmci` writes on each VM it makes, as `config.extraConfig`
//! keys. They are part of the clone's own configuration, so a VM never
//! exists without them, and `down` and `reap` touch nothing that lacks them.

use crate::model::Labels;
use vmomi::types::{Any, AnyOptionValue, OptionValue};

/// The keys, under one prefix so an operator sees at once what `vmci` owns.
pub const REPOSITORY: &str = "vmci.repository";
pub const BUILD: &str = "vmci.build";
pub const ROLE: &str = "vmci.role";
pub const SPEC: &str = "vmci.spec";
pub const EXPIRES: &str = "vmci.expires";
pub const CREATED: &str = "vmci.created";

/// The labels as extraConfig entries, with the creation time (seconds since
/// the Unix epoch).
pub fn encode(labels: &Labels, created: i64) -> Vec<AnyOptionValue> {
    let entry = |key: &str, value: String| {
        AnyOptionValue::from(OptionValue {
            key: key.into(),
            value: Some(Any::String(value.into())),
            ..Default::default()
        })
    };
    vec![
        entry(REPOSITORY, labels.repository.clone()),
        entry(BUILD, labels.build.clone()),
        entry(ROLE, labels.role.clone()),
        entry(SPEC, labels.spec_hash.clone()),
        entry(EXPIRES, labels.expires.to_string()),
        entry(CREATED, created.to_string()),
    ]
}

/// The labels and creation time read back from a VM's extraConfig; `None`
/// unless every label is there and well formed (a VM a person edited by
/// hand is left alone rather than guessed at).
pub fn decode(extra: &[AnyOptionValue]) -> Option<(Labels, i64)> {
    let get = |key: &str| {
        extra.iter().find_map(|o| {
            let o = o.as_base();
            match (&o.key, &o.value) {
                (k, Some(Any::String(v))) if k == key => Some(v.to_string()),
                _ => None,
            }
        })
    };
    let labels = Labels {
        repository: get(REPOSITORY)?,
        build: get(BUILD)?,
        role: get(ROLE)?,
        spec_hash: get(SPEC)?,
        expires: get(EXPIRES)?.parse().ok()?,
    };
    let created = get(CREATED)?.parse().ok()?;
    Some((labels, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_back_and_a_missing_one_means_none() {
        let l = Labels {
            repository: "acme/widget".into(),
            build: "42".into(),
            role: "builder".into(),
            spec_hash: "abc".into(),
            expires: 1_700_000_000,
        };
        let mut extra = encode(&l, 1_699_990_000);
        assert_eq!(decode(&extra), Some((l, 1_699_990_000)));
        let mut no_build = extra.clone();
        no_build.retain(|o| o.as_base().key != BUILD);
        assert_eq!(decode(&no_build), None);
        for o in &mut extra {
            if o.as_base().key == EXPIRES {
                o.as_base_mut().value = Some(Any::String("soon".into()));
            }
        }
        assert_eq!(decode(&extra), None, "an expiry that is not a number");
    }
}
