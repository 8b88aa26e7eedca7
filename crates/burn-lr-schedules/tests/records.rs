//! Scheduler records carry the policy's fingerprint: a record loads under the policy that saved
//! it and is refused under any other, so a resume cannot silently switch schedules.

use std::collections::HashMap;

use burn_lr_schedules::ScheduleConfig;
use burn_optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};

mod presets;
use presets::read_presets;

#[derive(serde::Deserialize)]
struct File {
    schedule: ScheduleConfig,
}

fn configs() -> Vec<(String, ScheduleConfig)> {
    read_presets()
        .into_iter()
        .map(|(name, text)| (name, toml::from_str::<File>(&text).unwrap().schedule))
        .collect()
}

#[test]
fn every_preset_has_its_own_fingerprint_and_accepts_only_its_records() {
    let configs = configs();
    let mut seen = HashMap::new();
    for (name, config) in &configs {
        let fingerprint = config.policy().unwrap().fingerprint();
        assert_eq!(
            fingerprint,
            config.clone().policy().unwrap().fingerprint(),
            "{name}"
        );
        if let Some(other) = seen.insert(fingerprint, name) {
            panic!("{name} and {other} share a fingerprint");
        }
    }
    for (saver, config) in &configs {
        let mut scheduler = config.build().unwrap();
        for _ in 0..7 {
            scheduler.step();
        }
        let record = scheduler.to_record();
        for (loader, other) in &configs {
            let mut fresh = other.build().unwrap();
            let loaded = fresh.load_record_checked(record.clone());
            assert_eq!(loaded.is_ok(), saver == loader, "{saver} into {loader}");
            if saver == loader {
                assert_eq!(fresh.steps(), 7);
                assert_eq!(fresh.step(), scheduler.clone().step(), "{saver} continues");
            } else {
                assert_eq!(fresh.steps(), 0, "a refused record changes nothing");
            }
        }
    }
}

#[test]
fn the_epoch_unit_is_part_of_the_policy() {
    let config: ScheduleConfig =
        toml::from_str("kind = 'step'\ninitial_lr = 1.0\ngamma = 0.5\nstep_size = 2").unwrap();
    let per_step = burn_lr_schedules::Scheduler::new(config.policy().unwrap());
    let mut per_epoch =
        burn_lr_schedules::Scheduler::new(config.policy().unwrap().per_epoch(10).unwrap());
    let err = per_epoch
        .load_record_checked(per_step.to_record())
        .unwrap_err();
    assert!(
        err.to_string().contains("saved under another schedule"),
        "{err}"
    );
    assert!(!err.to_string().contains('\n'));
}

#[test]
fn a_record_without_a_fingerprint_loads_unchecked() {
    let config: ScheduleConfig =
        toml::from_str("kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 10").unwrap();
    let mut scheduler = config.build().unwrap();
    let old = LrSchedulerRecord::new().with_scalar("steps", 4u64);
    scheduler.load_record_checked(old).unwrap();
    assert_eq!(scheduler.steps(), 4);
}

#[test]
fn cosine_restarts_without_the_new_keys_keeps_its_old_fingerprint() {
    let parse = |text: &str| toml::from_str::<ScheduleConfig>(text).unwrap();
    let old = "kind='cosine_restarts'\nmax_lr=0.05\nfirst_cycle_steps=200\ncycle_mult=2";
    // The derived `Debug` form before cycle_decay and cycle_limit existed, which the
    // fingerprint hashes: records saved then still load.
    assert_eq!(
        format!("{:?}", parse(old)),
        "CosineRestarts(CosineRestarts { max_lr: 0.05, min_lr: 0.0, first_cycle_steps: 200, cycle_mult: 2 })"
    );
    let fingerprint = |text: &str| parse(text).policy().unwrap().fingerprint();
    assert_eq!(
        fingerprint(old),
        fingerprint(&format!("{old}\ncycle_decay=1.0"))
    );
    assert_ne!(
        fingerprint(old),
        fingerprint(&format!("{old}\ncycle_decay=0.5"))
    );
    assert_ne!(
        fingerprint(old),
        fingerprint(&format!("{old}\ncycle_limit=3"))
    );
}
