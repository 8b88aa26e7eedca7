//! Momentum cycling: which policies give a momentum, and what the composites pass through.
//! (Its values against PyTorch's are in `momentum_golden.rs`.)

use burn_lr_schedules::{Policy, ScheduleConfig};

fn policy(text: &str) -> Policy {
    let config: ScheduleConfig = toml::from_str(text).expect("parses");
    config.policy().expect("valid")
}

const ONE_CYCLE: &str = "kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100";
const CLR: &str = "kind='cyclical'\nbase_lr=0.01\nmax_lr=0.1\nstep_size=10";

#[test]
fn only_one_cycle_and_cyclical_cycle_momentum_and_only_when_asked() {
    for text in [
        "kind='constant'\nlr=0.1",
        "kind='cosine'\nmax_lr=0.1\ntotal_steps=10",
        &format!("{ONE_CYCLE}\ncycle_momentum=false"),
        &format!("{CLR}\ncycle_momentum=false"),
    ] {
        let p = policy(text);
        assert!(!p.cycles_momentum(), "{text}");
        assert!((0..300).all(|t| p.momentum(t).is_none()), "{text}");
    }
    for text in [ONE_CYCLE, CLR] {
        let p = policy(text);
        assert!(p.cycles_momentum() && (0..300).all(|t| p.momentum(t).is_some()));
    }
}

#[test]
fn turning_momentum_off_leaves_every_rate_as_it_was() {
    for text in [ONE_CYCLE, CLR] {
        let (on, off) = (
            policy(text),
            policy(&format!("{text}\ncycle_momentum=false")),
        );
        assert!((0..300).all(|t| on.lr(t).to_bits() == off.lr(t).to_bits()));
    }
}

#[test]
fn momentum_moves_against_the_rate() {
    let p = policy(CLR);
    for t in 0..40 {
        let (dl, dm) = (
            p.lr(t + 1) - p.lr(t),
            p.momentum(t + 1).unwrap() - p.momentum(t).unwrap(),
        );
        assert!(
            dl * dm < 0.0,
            "t = {t}: rate moves by {dl}, momentum by {dm}"
        );
    }
    let p = policy(&format!(
        "{CLR}\nbase_momentum=0.5\nmax_momentum=0.7\nwindow='hann'"
    ));
    assert_eq!((p.momentum(0), p.momentum(10)), (Some(0.7), Some(0.5)));
    assert!(
        (p.momentum(5).unwrap() - 0.6).abs() < 1e-15,
        "Hann is half-way at x = ½"
    );
}

#[test]
fn one_cycle_holds_max_momentum_past_the_end() {
    for three in [false, true] {
        let p = policy(&format!("{ONE_CYCLE}\nthree_phase={three}"));
        assert_eq!(p.momentum(100), Some(0.95));
        assert_eq!(p.momentum(1 << 40), Some(0.95));
        assert!((p.momentum(99).unwrap() - 0.95).abs() < 1e-15);
    }
}

#[test]
fn warmup_holds_the_first_momentum_of_what_follows_then_passes_it_through() {
    let p = policy(&format!(
        "kind='warmup'\nwarmup_steps=7\n[after]\n{ONE_CYCLE}"
    ));
    let inner = policy(ONE_CYCLE);
    assert!(p.cycles_momentum());
    assert!((0..7).all(|t| p.momentum(t) == inner.momentum(0)));
    assert!((7..200).all(|t| p.momentum(t) == inner.momentum(t - 7)));
    let p = policy("kind='warmup'\nwarmup_steps=7\n[after]\nkind='constant'\nlr=0.1");
    assert!(!p.cycles_momentum() && p.momentum(3).is_none());
}

#[test]
fn sequential_gives_each_part_its_own_momentum_on_its_own_clock() {
    let p = policy(&format!(
        "kind='sequential'\nmilestones=[20]\n[[schedules]]\nkind='constant'\nlr=0.01\n[[schedules]]\n{ONE_CYCLE}"
    ));
    let inner = policy(ONE_CYCLE);
    assert!(p.cycles_momentum());
    assert!((0..20).all(|t| p.momentum(t).is_none()));
    assert!((20..200).all(|t| p.momentum(t) == inner.momentum(t - 20)));
}

#[test]
fn per_epoch_holds_the_momentum_within_an_epoch() {
    let p = policy(CLR).per_epoch(5).unwrap();
    let inner = policy(CLR);
    assert!((0..100).all(|t| p.momentum(t) == inner.momentum(t / 5)));
}
