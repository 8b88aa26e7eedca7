//! Per-parameter-group schedules inside Burn's own training loop: `SupervisedTraining` with
//! Burn's `ModuleLrScheduler`, the MLP's hidden layer (the "backbone") under warm-up → cosine and
//! its output layer (the "head") under one-cycle. Every parameter received its own group's
//! `lr(t)` at every step.

mod common;

use std::collections::BTreeMap;

use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::ParamGroup;
use burn_lr_schedules::{Policy, ScheduleConfig, Scheduler};
use common::{images, run};
use learner_example::train_groups;

fn policy(toml_text: &str) -> Policy {
    toml::from_str::<ScheduleConfig>(toml_text)
        .unwrap()
        .policy()
        .unwrap()
}

/// Each parameter's rates against `lr(t)` of the policy of its layer (the first part of its
/// path), to 1e-12; the first parameter and step that differ, or a parameter of no group.
fn check(rates: &BTreeMap<String, Vec<f64>>, groups: &[(&str, &Policy)]) -> Result<(), String> {
    for (path, rates) in rates {
        let layer = path.split('.').next().unwrap_or_default();
        let (_, policy) = groups
            .iter()
            .find(|(name, _)| *name == layer)
            .ok_or_else(|| format!("{path} is in no group"))?;
        for (t, &rate) in rates.iter().enumerate() {
            let expected = policy.lr(t as u64);
            if (rate - expected).abs() > 1e-12 {
                return Err(format!(
                    "{path} step {t}: received {rate}, lr(t) = {expected}"
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn each_parameter_receives_its_groups_lr_t_in_the_loop() {
    let backbone = policy(
        "kind = 'warmup'\nwarmup_steps = 4\n[after]\nkind = 'cosine'\nmax_lr = 0.05\ntotal_steps = 20",
    );
    let head = policy("kind = 'one_cycle'\nmax_lr = 0.2\ntotal_steps = 24");
    let scheduler = ModuleLrScheduler::new(Scheduler::new(backbone.clone())).with_group(
        ParamGroup::from_predicate("output"),
        Scheduler::new(head.clone()),
    );

    let dir = tempfile::tempdir().unwrap();
    let trained = train_groups(&images(), &run(3), scheduler, dir.path()).unwrap();
    assert_eq!(trained.interrupted, None);
    let rates = trained.rates;
    let paths: Vec<_> = rates.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "hidden.bias",
            "hidden.weight",
            "output.bias",
            "output.weight"
        ]
    );
    // 3 epochs of 8 steps: every parameter updated at every step.
    assert!(rates.values().all(|r| r.len() == 24), "{rates:?}");
    check(&rates, &[("hidden", &backbone), ("output", &head)]).unwrap();
    // The groups' rates differ, so a loop that gave either layer the other's would fail.
    let swapped = check(&rates, &[("hidden", &head), ("output", &backbone)]);
    assert!(swapped.is_err());
}
