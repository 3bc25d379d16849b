//! The spec judged against the policy and the live inventory.

use crate::model::{Facts, Plan, Policy, Refusal, Spec};

/// What `up` would do for `build`, or every reason it cannot.
pub fn judge(spec: &Spec, policy: &Policy, facts: &Facts, build: &str) -> Result<Plan, Refusal> {
    let _ = (spec, policy, facts, build);
    todo!()
}
