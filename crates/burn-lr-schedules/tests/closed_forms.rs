//! The policies (and modes) PyTorch lacks, against their closed forms written out by hand.

use std::f64::consts::PI;

use burn_lr_schedules::{LossDecay, Schedule, ScheduleConfig};

fn policy(text: &str) -> burn_lr_schedules::Policy {
    toml::from_str::<ScheduleConfig>(text)
        .unwrap()
        .policy()
        .unwrap()
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300),
        "{what}: {a} != {b}"
    );
}

#[test]
fn inverse_time_smooth_and_staircase() {
    let p = policy("kind='inverse_time'\ninitial_lr=0.1\ndecay_rate=0.5\ndecay_steps=10");
    for t in [0u64, 1, 5, 10, 15, 1000] {
        assert_close(p.lr(t), 0.1 / (1.0 + 0.5 * t as f64 / 10.0), "smooth");
    }
    let p = policy(
        "kind='inverse_time'\ninitial_lr=0.1\ndecay_rate=0.5\ndecay_steps=10\nstaircase=true",
    );
    for t in [0u64, 9, 10, 19, 20, 1005] {
        assert_close(p.lr(t), 0.1 / (1.0 + 0.5 * (t / 10) as f64), "staircase");
    }
    // The reference text's η₀/(1+α·t) with the default decay_steps = 1.
    let p = policy("kind='inverse_time'\ninitial_lr=1.0\ndecay_rate=0.01");
    assert_close(p.lr(100), 0.5, "reference text");
}

#[test]
fn exponential_is_the_reference_text_formula() {
    let p = policy("kind='exponential'\ninitial_lr=1.0\ndecay_rate=0.05");
    for t in [0u64, 1, 10, 99] {
        assert_close(p.lr(t), (-0.05 * t as f64).exp(), "exponential");
    }
}

#[test]
fn polynomial_with_cycle_follows_keras() {
    let p = policy(
        "kind='polynomial'\ninitial_lr=1.0\nend_lr=0.1\npower=2\ntotal_steps=10\ncycle=true",
    );
    let keras = |t: u64| {
        let mult = if t == 0 {
            1.0
        } else {
            (t as f64 / 10.0).ceil()
        };
        let d = 10.0 * mult;
        (1.0 - 0.1) * (1.0 - t as f64 / d).powi(2) + 0.1
    };
    for t in [0u64, 1, 9, 10, 11, 20, 21, 55] {
        assert_close(p.lr(t), keras(t), &format!("t = {t}"));
    }
    // After each period it restarts below the previous peak.
    assert!(p.lr(11) < p.lr(1));
    // Without cycle it stays at end_lr.
    let flat = policy("kind='polynomial'\ninitial_lr=1.0\nend_lr=0.1\ntotal_steps=10");
    assert_eq!(flat.lr(10), 0.1);
    assert_eq!(flat.lr(11), 0.1);
}

#[test]
fn cyclical_welch_and_hann_windows() {
    for (window, w) in [
        ("welch", (|x: f64| 1.0 - x * x) as fn(f64) -> f64),
        ("hann", |x: f64| 0.5 * (1.0 + (PI * x).cos())),
        ("triangular", |x: f64| (1.0 - x).max(0.0)),
    ] {
        for mode in ["triangular", "triangular2", "exp_range"] {
            let p = policy(&format!(
                "kind='cyclical'\nbase_lr=0.01\nmax_lr=0.11\nstep_size=8\nwindow='{window}'\nmode='{mode}'\ngamma=0.99"
            ));
            for t in 0u64..80 {
                let c = (1.0 + t as f64 / 16.0).floor();
                let x = (t as f64 / 8.0 - 2.0 * c + 1.0).abs();
                let f = match mode {
                    "triangular" => 1.0,
                    "triangular2" => 1.0 / 2f64.powf(c - 1.0),
                    _ => 0.99f64.powf(t as f64),
                };
                assert_close(
                    p.lr(t),
                    0.01 + 0.1 * w(x) * f,
                    &format!("{window}/{mode} t = {t}"),
                );
            }
            // Every window starts at base_lr and peaks at max_lr mid-cycle in the first cycle.
            assert_close(p.lr(0), 0.01, "start");
            if mode != "exp_range" {
                assert_close(p.lr(8), 0.11, "peak");
            }
        }
    }
    // Early in the rise (x = 0.75) Welch is above triangular, Hann below.
    let at = |w: &str| {
        policy(&format!(
            "kind='cyclical'\nbase_lr=0.0001\nmax_lr=1\nstep_size=8\nwindow='{w}'"
        ))
        .lr(2)
    };
    assert!(at("welch") > at("triangular") && at("triangular") > at("hann"));
}

#[test]
fn wsd_shapes() {
    for (shape, f) in [
        ("linear", (|p: f64| 1.0 - p) as fn(f64) -> f64),
        ("cosine", |p: f64| 0.5 * (1.0 + (PI * p).cos())),
        ("sqrt", |p: f64| 1.0 - p.sqrt()),
    ] {
        let s = policy(&format!(
            "kind='wsd'\npeak_lr=0.5\nmin_lr=0.01\nwarmup_steps=4\nstable_steps=6\ndecay_steps=5\ndecay_shape='{shape}'"
        ));
        let expected = |t: u64| -> f64 {
            match t {
                0..4 => 0.01 + 0.49 * t as f64 / 4.0,
                4..10 => 0.5,
                10..15 => 0.01 + 0.49 * f((t - 10) as f64 / 5.0),
                _ => 0.01,
            }
        };
        for t in 0..20 {
            assert_close(s.lr(t), expected(t), &format!("{shape} t = {t}"));
        }
    }
}

#[test]
fn warmup_in_front_of_any_schedule() {
    let p = policy(
        "kind='warmup'\nwarmup_steps=4\nstart_lr=0.02\n[after]\nkind='step'\ninitial_lr=0.1\ngamma=0.5\nstep_size=3",
    );
    let expected = [
        0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025,
    ];
    for (t, e) in expected.iter().enumerate() {
        assert_close(p.lr(t as u64), *e, &format!("t = {t}"));
    }
}

#[test]
fn sequential_restarts_each_clock() {
    let p = policy(
        "kind='sequential'\nmilestones=[3, 6]\n\
         [[schedules]]\nkind='linear'\nstart_lr=0.0\nend_lr=0.3\ntotal_steps=3\n\
         [[schedules]]\nkind='constant'\nlr=0.3\n\
         [[schedules]]\nkind='exponential'\ninitial_lr=0.3\ndecay_rate=1.0",
    );
    let expected = [
        0.0,
        0.1,
        0.2,
        0.3,
        0.3,
        0.3,
        0.3,
        0.3 * (-1f64).exp(),
        0.3 * (-2f64).exp(),
    ];
    for (t, e) in expected.iter().enumerate() {
        assert_close(p.lr(t as u64), *e, &format!("t = {t}"));
    }
}

#[test]
fn per_epoch_holds_the_rate_within_an_epoch() {
    let p = policy("kind='step'\ninitial_lr=1.0\ngamma=0.5\nstep_size=10")
        .per_epoch(100)
        .unwrap();
    assert_eq!(p.lr(999), 1.0);
    assert_eq!(p.lr(1000), 0.5);
    assert_eq!(p.lr(1999), 0.5);
    // The reference text's step-decay toy example: initial 1.0, drop 0.5 every 10 epochs.
    assert_eq!(p.lr(100 * 25), 0.25);
    let err = policy("kind='constant'\nlr=1").per_epoch(0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "per_epoch: steps_per_epoch (0) must be at least 1"
    );
}

#[test]
fn one_cycle_holds_its_final_rate_past_total_steps() {
    let p = policy("kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100");
    assert_close(p.lr(99), 0.1 / 25.0 / 1e4, "last step");
    assert_eq!(p.lr(100), p.lr(5000));
    assert_close(p.lr(100), 0.1 / 25.0 / 1e4, "after");
}

#[test]
fn loss_decay_normalises_by_the_peak_and_equals_the_lr_schedule_for_sgd() {
    let schedule =
        policy("kind='warmup'\nwarmup_steps=5\n[after]\nkind='cosine'\nmax_lr=0.2\ntotal_steps=20");
    let decay = LossDecay::new(schedule.clone());
    let fixed_lr = 0.2;
    // SGD: w ← w − η·∇(m·L) = w − (η·m)·∇L, so η·m must be the schedule itself.
    for t in 0..30 {
        assert_close(
            fixed_lr * decay.factor(t),
            schedule.lr(t),
            &format!("t = {t}"),
        );
    }
    assert_eq!(decay.factor(5), 1.0);
}

#[test]
fn bounds_are_tight_where_the_schedule_reaches_them() {
    let p = policy("kind='cyclical'\nbase_lr=0.1\nmax_lr=1\nstep_size=4");
    assert_eq!(p.bounds(), (0.1, 1.0));
    let cfg: ScheduleConfig =
        toml::from_str("kind='wsd'\npeak_lr=1\nwarmup_steps=0\nstable_steps=0\ndecay_steps=3")
            .unwrap();
    assert_eq!(cfg.bounds(), (0.0, 1.0));
    assert_eq!(cfg.lr(0), 1.0);
}

#[test]
fn inverse_sqrt_follows_hugging_face() {
    // Warm-up t/W from 0, then 1/√((t + τ − W)/τ) with τ = W by default.
    let p = policy("kind='inverse_sqrt'\npeak_lr=0.2\nwarmup_steps=4");
    for (t, e) in [
        (0u64, 0.0),
        (1, 0.05),
        (3, 0.15),
        (4, 0.2),
        (16, 0.1),
        (64, 0.05),
    ] {
        assert_close(p.lr(t), e, &format!("t = {t}"));
    }
    // An explicit timescale, below the warm-up: (t + 2 − 8) / 2.
    let p = policy("kind='inverse_sqrt'\npeak_lr=1.0\nwarmup_steps=8\ntimescale=2");
    assert_eq!(p.lr(8), 1.0);
    assert_close(p.lr(14), 0.5, "(14 + 2 − 8)/2 = 4");
    // No warm-up: no ramp, and τ is Hugging Face's 10 000.
    let p = policy("kind='inverse_sqrt'\npeak_lr=1.0\nwarmup_steps=0");
    assert_eq!(p.lr(0), 1.0);
    assert_close(p.lr(30_000), 0.5, "(30 000 + 10 000)/10 000 = 4");
}

#[test]
fn rex_at_the_start_the_middle_and_the_end() {
    let p = policy("kind='rex'\nmax_lr=0.9\nmin_lr=0.3\ntotal_steps=10");
    assert_close(p.lr(0), 0.9, "p = 0");
    assert_close(p.lr(5), 0.3 + 0.6 * 2.0 / 3.0, "p = 1/2");
    assert_eq!(p.lr(10), 0.3);
    assert_eq!(p.lr(1000), 0.3);
    // Above the linear decay everywhere inside: (1 − p)/(1 − p/2) > 1 − p.
    for t in 1..10 {
        assert!(p.lr(t) > 0.9 - 0.6 * t as f64 / 10.0, "t = {t}");
    }
}

#[test]
fn product_multiplies_on_one_clock_and_bounds_multiply() {
    let p = policy(
        "kind='product'\n\
         [[schedules]]\nkind='step'\ninitial_lr=0.5\ngamma=0.5\nstep_size=2\n\
         [[schedules]]\nkind='linear'\nstart_lr=1.0\nend_lr=0.2\ntotal_steps=4",
    );
    let expected = [0.5, 0.5 * 0.8, 0.25 * 0.6, 0.25 * 0.4, 0.125 * 0.2];
    for (t, e) in expected.iter().enumerate() {
        assert_close(p.lr(t as u64), *e, &format!("t = {t}"));
    }
    assert_eq!(p.bounds(), (0.0, 0.5));
}

#[test]
fn cosine_restarts_decays_the_peaks_not_the_floor_and_stops_at_the_limit() {
    let p = policy(
        "kind='cosine_restarts'\nmax_lr=1.0\nmin_lr=0.1\nfirst_cycle_steps=4\n\
         cycle_decay=0.5\ncycle_limit=3",
    );
    for (i, peak) in [1.0, 0.5, 0.25].into_iter().enumerate() {
        let start = 4 * i as u64;
        assert_eq!(p.lr(start), peak, "cycle {i}");
        assert_close(p.lr(start + 2), 0.1 + (peak - 0.1) / 2.0, "mid-cycle");
    }
    for t in [12u64, 13, 100, 1 << 40] {
        assert_eq!(p.lr(t), 0.1, "after the limit, t = {t}");
    }
    assert_eq!(p.bounds(), (0.1, 1.0));
    // Peaks below min_lr: the cycle rises to min_lr (timm's formula), inside the bounds.
    let p = policy(
        "kind='cosine_restarts'\nmax_lr=1.0\nmin_lr=0.5\nfirst_cycle_steps=4\ncycle_decay=0.25",
    );
    assert_eq!(p.lr(4), 0.25);
    assert!(p.lr(5) > 0.25 && p.lr(5) < 0.5);
    assert_eq!(p.bounds(), (0.0, 1.0));
}

#[test]
fn cosine_restarts_restarts_where_timm_rounds_into_the_cycle_before() {
    // Cycles of 1, 3, 9, 27, 81 steps: the sixth starts at t = 121, where timm's
    // floor(log₃(1 + 2t)) rounds log₃ 243 = 5 down to 4 and gives the fifth cycle's end, min_lr.
    let p = policy(
        "kind='cosine_restarts'\nmax_lr=1.0\nfirst_cycle_steps=1\ncycle_mult=3\ncycle_decay=0.5",
    );
    assert_eq!(p.lr(121), 0.5f64.powi(5));
    assert_eq!(p.lr(40), 0.5f64.powi(4), "where timm agrees");
}
