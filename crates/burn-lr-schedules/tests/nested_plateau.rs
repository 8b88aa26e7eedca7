//! `plateau` after a warm-up or as the last part of a `sequential`: the pure schedule until the
//! plateau part starts, then the handle's rate; reports before that are ignored; resume is exact.

use burn_lr_schedules::{ScheduleConfig, Scheduler};
use burn_optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};

fn config(text: &str) -> ScheduleConfig {
    toml::from_str(text).unwrap()
}

const WARMUP: &str = "kind = 'warmup'\nwarmup_steps = 4\nstart_lr = 0.02\n\
    [after]\nkind = 'plateau'\ninitial_lr = 0.1\npatience = 0\nfactor = 0.5";

/// Steps `per_report` times, then reports the next metric; the rates returned, as bits.
fn run(s: &mut Scheduler, metrics: &[f64], per_report: usize) -> Vec<u64> {
    let handle = s.plateau().expect("a plateau part has a handle");
    let mut rates = Vec::new();
    for &m in metrics {
        for _ in 0..per_report {
            rates.push(s.step().to_bits());
        }
        handle.report(m);
    }
    rates
}

#[test]
fn warmup_ramps_to_initial_lr_then_the_metric_drives_the_rate() {
    let mut s = config(WARMUP).build().unwrap();
    let handle = s.plateau().unwrap();
    let ramp: Vec<f64> = (0..4).map(|_| s.step()).collect();
    assert_eq!(ramp, [0.02, 0.04, 0.06, 0.08]);
    // Reported during the warm-up (here: right after its last step): ignored.
    handle.report(5.0);
    handle.report(9.0);
    assert!(!handle.is_active());
    assert_eq!(handle.state().reports, 0);
    assert_eq!(s.step(), 0.1);
    assert!(handle.is_active());
    handle.report(1.0);
    handle.report(1.5); // worse, patience 0: halved
    assert_eq!(s.step(), 0.05);
    assert_eq!(handle.state().reports, 2);
}

#[test]
fn sequential_ending_in_plateau_hands_over_at_its_milestone() {
    let mut s = config(
        "kind = 'sequential'\nmilestones = [3]\n\
         [[schedules]]\nkind = 'constant'\nlr = 0.3\n\
         [[schedules]]\nkind = 'plateau'\ninitial_lr = 0.2\npatience = 0\nfactor = 0.5",
    )
    .build()
    .unwrap();
    let handle = s.plateau().unwrap();
    assert_eq!([s.step(), s.step(), s.step()], [0.3, 0.3, 0.3]);
    handle.report(1.0); // ignored
    assert_eq!(s.step(), 0.2);
    handle.report(1.0);
    handle.report(2.0);
    assert_eq!(s.peek(), 0.1);
}

#[test]
fn per_epoch_counts_the_start_in_epochs() {
    let policy = config(WARMUP).policy().unwrap().per_epoch(10).unwrap();
    let mut s = Scheduler::new(policy);
    let handle = s.plateau().unwrap();
    for _ in 0..40 {
        s.step();
    }
    handle.report(1.0);
    assert_eq!(handle.state().reports, 0, "40 steps = the 4 warm-up epochs");
    assert_eq!(s.step(), 0.1);
    handle.report(1.0);
    assert_eq!(handle.state().reports, 1);
}

#[test]
fn no_handle_without_a_plateau_part() {
    let s = config("kind = 'warmup'\nwarmup_steps = 4\n[after]\nkind = 'constant'\nlr = 0.1")
        .build()
        .unwrap();
    assert!(s.plateau().is_none());
}

#[test]
fn resumes_exactly_at_every_cut_before_during_and_after_the_warmup() {
    let metrics = [1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.9, 0.91, 0.7, 0.75, 0.8];
    let config = config(WARMUP);
    let whole = run(&mut config.build().unwrap(), &metrics, 3);
    for cut in 0..metrics.len() {
        let mut first = config.build().unwrap();
        let mut rates = run(&mut first, &metrics[..cut], 3);
        let bytes = first.to_record().into_bytes().unwrap();
        let mut resumed = config.build().unwrap();
        resumed
            .load_record_checked(LrSchedulerRecord::from_bytes(bytes).unwrap())
            .unwrap();
        assert_eq!(
            resumed.plateau().unwrap().is_active(),
            first.plateau().unwrap().is_active(),
            "cut {cut}"
        );
        rates.extend(run(&mut resumed, &metrics[cut..], 3));
        assert_eq!(rates, whole, "cut after {cut} reports");
    }
    // After the warm-up the metrics reduced the rate, so the state really travelled.
    assert!(whole[4..].iter().any(|&b| f64::from_bits(b) < 0.1));
}
