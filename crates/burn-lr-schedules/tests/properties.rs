//! Properties over generated parameters: finite, non-negative, inside the policy's bounds,
//! monotone where the policy is, continuous across joins, and exact resume from a record.

use burn_lr_schedules::*;
use burn_optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use proptest::prelude::*;

fn rate() -> impl Strategy<Value = f64> {
    (-5.0f64..1.0).prop_map(|e| 10f64.powf(e))
}

fn steps() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..5, 1u64..2000]
}

fn leaf() -> impl Strategy<Value = ScheduleConfig> {
    prop_oneof![
        rate().prop_map(|lr| ScheduleConfig::Constant(Constant { lr })),
        (rate(), 0.01f64..=1.0, steps()).prop_map(|(initial_lr, gamma, step_size)| {
            ScheduleConfig::Step(Step {
                initial_lr,
                gamma,
                step_size,
            })
        }),
        (
            rate(),
            0.01f64..3.0,
            prop::collection::vec(0u64..3000, 0..6)
        )
            .prop_map(|(initial_lr, gamma, mut m)| {
                m.sort();
                ScheduleConfig::Multistep(Multistep {
                    initial_lr,
                    gamma,
                    milestones: m,
                })
            }),
        (rate(), 0.0f64..0.5).prop_map(|(initial_lr, decay_rate)| {
            ScheduleConfig::Exponential(Exponential {
                initial_lr,
                decay_rate,
            })
        }),
        (rate(), 0.0f64..5.0, steps(), any::<bool>()).prop_map(
            |(initial_lr, decay_rate, decay_steps, staircase)| {
                ScheduleConfig::InverseTime(InverseTime {
                    initial_lr,
                    decay_rate,
                    decay_steps,
                    staircase,
                })
            }
        ),
        (rate(), 0.0f64..1.0, 0.1f64..4.0, steps(), any::<bool>()).prop_map(
            |(initial_lr, frac, power, total_steps, cycle)| {
                ScheduleConfig::Polynomial(Polynomial {
                    initial_lr,
                    end_lr: initial_lr * frac,
                    power,
                    total_steps,
                    cycle,
                })
            }
        ),
        (rate(), 0.0f64..1.0, steps()).prop_map(|(max_lr, frac, total_steps)| {
            ScheduleConfig::Cosine(Cosine {
                max_lr,
                min_lr: max_lr * frac,
                total_steps,
            })
        }),
        (
            rate(),
            0.0f64..1.0,
            steps(),
            1u64..4,
            prop_oneof![Just(1.0), 0.01f64..=1.0],
            prop::option::of(1u64..6)
        )
            .prop_map(
                |(max_lr, frac, first_cycle_steps, cycle_mult, cycle_decay, cycle_limit)| {
                    ScheduleConfig::CosineRestarts(CosineRestarts {
                        max_lr,
                        min_lr: max_lr * frac,
                        first_cycle_steps,
                        cycle_mult,
                        cycle_decay,
                        cycle_limit,
                    })
                }
            ),
        (rate(), 0u64..500, prop::option::of(1u64..3000)).prop_map(
            |(peak_lr, warmup_steps, timescale)| {
                ScheduleConfig::InverseSqrt(InverseSqrt {
                    peak_lr,
                    warmup_steps,
                    timescale,
                })
            }
        ),
        (rate(), 0.0f64..1.0, steps()).prop_map(|(max_lr, frac, total_steps)| {
            ScheduleConfig::Rex(Rex {
                max_lr,
                min_lr: max_lr * frac,
                total_steps,
            })
        }),
        (
            rate(),
            1.01f64..50.0,
            steps(),
            0usize..3,
            0.9f64..=1.0,
            0usize..3
        )
            .prop_map(|(base_lr, ratio, step_size, mode, gamma, window)| {
                ScheduleConfig::Cyclical(Cyclical {
                    base_lr,
                    max_lr: base_lr * ratio,
                    step_size,
                    mode: [
                        CyclicalMode::Triangular,
                        CyclicalMode::Triangular2,
                        CyclicalMode::ExpRange,
                    ][mode],
                    gamma,
                    window: [Window::Triangular, Window::Welch, Window::Hann][window],
                    cycle_momentum: window != 1,
                    base_momentum: 0.8,
                    max_momentum: 0.9,
                })
            }),
        (
            rate(),
            20u64..3000,
            0.1f64..0.45,
            1.0f64..100.0,
            1.0f64..1e4,
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(
                |(
                    max_lr,
                    total_steps,
                    pct_start,
                    div_factor,
                    final_div_factor,
                    cos,
                    three_phase,
                )| {
                    ScheduleConfig::OneCycle(OneCycle {
                        max_lr,
                        total_steps,
                        pct_start,
                        div_factor,
                        final_div_factor,
                        anneal_strategy: if cos {
                            AnnealStrategy::Cos
                        } else {
                            AnnealStrategy::Linear
                        },
                        three_phase,
                        cycle_momentum: !three_phase || cos,
                        base_momentum: 0.85,
                        max_momentum: 0.95,
                    })
                }
            ),
        (rate(), rate(), steps()).prop_map(|(start_lr, end_lr, total_steps)| {
            ScheduleConfig::Linear(Linear {
                start_lr,
                end_lr,
                total_steps,
            })
        }),
        (
            rate(),
            0.0f64..1.0,
            0u64..500,
            0u64..500,
            steps(),
            0usize..3
        )
            .prop_map(
                |(peak_lr, frac, warmup_steps, stable_steps, decay_steps, shape)| {
                    ScheduleConfig::Wsd(Wsd {
                        peak_lr,
                        min_lr: peak_lr * frac,
                        warmup_steps,
                        stable_steps,
                        decay_steps,
                        decay_shape: [DecayShape::Linear, DecayShape::Cosine, DecayShape::Sqrt]
                            [shape],
                    })
                }
            ),
    ]
}

fn any_schedule() -> impl Strategy<Value = ScheduleConfig> {
    prop_oneof![
        3 => leaf(),
        1 => (steps(), 0.0f64..1.0, leaf()).prop_map(|(warmup_steps, frac, after)| {
            let start_lr = after.lr(0) * frac;
            ScheduleConfig::Warmup(Warmup { warmup_steps, start_lr, after: Box::new(after) })
        }),
        1 => prop::collection::vec((1u64..800, leaf()), 1..4).prop_map(|parts| {
            let mut at = 0;
            let mut milestones = Vec::new();
            for (len, _) in &parts[1..] {
                at += len;
                milestones.push(at);
            }
            ScheduleConfig::Sequential(Sequential {
                milestones,
                schedules: parts.into_iter().map(|(_, s)| s).collect(),
            })
        }),
        1 => prop::collection::vec(leaf(), 1..4)
            .prop_map(|schedules| ScheduleConfig::Product(Product { schedules })),
    ]
}

fn sample_steps(extra: u64) -> impl Iterator<Item = u64> {
    (0..3000u64).chain([extra, 10_000, 123_457, 999_999, 1 << 40])
}

fn is_non_increasing(config: &ScheduleConfig) -> bool {
    match config {
        ScheduleConfig::Constant(_)
        | ScheduleConfig::Step(_)
        | ScheduleConfig::Exponential(_)
        | ScheduleConfig::InverseTime(_)
        | ScheduleConfig::Rex(_)
        | ScheduleConfig::Cosine(_) => true,
        ScheduleConfig::InverseSqrt(s) => s.warmup_steps == 0,
        ScheduleConfig::Multistep(m) => m.gamma <= 1.0,
        ScheduleConfig::Polynomial(p) => !p.cycle && p.end_lr <= p.initial_lr,
        ScheduleConfig::Linear(l) => l.end_lr <= l.start_lr,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, max_global_rejects: 1 << 20, ..ProptestConfig::default() })]

    #[test]
    fn rates_are_finite_non_negative_and_inside_bounds(config in any_schedule(), t in any::<u64>()) {
        let policy = config.policy().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (lo, hi) = policy.bounds();
        let slack = 1e-12 * hi.abs();
        for t in sample_steps(t) {
            let lr = policy.lr(t);
            prop_assert!(lr.is_finite() && lr >= 0.0, "t = {t}: lr = {lr}");
            prop_assert!(lr >= lo - slack && lr <= hi + slack, "t = {t}: {lr} outside [{lo}, {hi}]");
        }
    }

    #[test]
    fn momentum_is_in_its_range_wherever_it_is_given(config in any_schedule(), t in any::<u64>()) {
        let policy = config.policy().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for t in sample_steps(t) {
            match policy.momentum(t) {
                Some(m) => {
                    prop_assert!(policy.cycles_momentum(), "t = {t}: {m} from a policy that does not cycle");
                    // Every cycling policy generated here ranges over [0.8, 0.9] or [0.85, 0.95].
                    prop_assert!((0.8 - 1e-12..=0.95 + 1e-12).contains(&m), "t = {t}: momentum {m}");
                }
                // Only `sequential` mixes parts without momentum with parts that cycle it.
                None => prop_assert!(
                    !policy.cycles_momentum() || matches!(config, ScheduleConfig::Sequential(_)),
                    "t = {t}: no momentum from a cycling policy"
                ),
            }
        }
    }

    #[test]
    fn decaying_policies_never_increase(config in leaf()) {
        prop_assume!(is_non_increasing(&config));
        let policy = config.policy().unwrap();
        let mut last = policy.lr(0);
        for t in 1..3000 {
            let lr = policy.lr(t);
            prop_assert!(lr <= last * (1.0 + 1e-12), "t = {t}: {lr} > {last}");
            last = lr;
        }
    }

    #[test]
    fn warmup_and_wsd_joins_are_continuous(config in any_schedule()) {
        let joins: Vec<(u64, f64)> = match &config {
            ScheduleConfig::Warmup(w) => {
                let ramp = (w.after.lr(0) - w.start_lr).abs() / w.warmup_steps as f64;
                vec![(w.warmup_steps, ramp)]
            }
            ScheduleConfig::Wsd(w) if w.warmup_steps > 0 => {
                let span = w.peak_lr - w.min_lr;
                let d = w.decay_steps as f64;
                let decay_step = span * (1.0 / d).max((1.0 / d).sqrt()).max(std::f64::consts::PI / (2.0 * d)).min(1.0);
                let end = w.warmup_steps + w.stable_steps + w.decay_steps;
                let warm_step = span / w.warmup_steps as f64;
                // With no stable phase the decay starts where the warm-up ends, so that join
                // sits between the ramp and the decay and either may be the faster side.
                let before_decay = if w.stable_steps == 0 { warm_step } else { 0.0 };
                vec![
                    (w.warmup_steps, warm_step),
                    (w.warmup_steps + w.stable_steps, decay_step.max(before_decay)),
                    (end, decay_step),
                ]
            }
            _ => vec![],
        };
        prop_assume!(!joins.is_empty());
        let policy = config.policy().unwrap();
        for (j, step) in joins {
            // Across the join the rate moves by no more than one step of the faster side.
            let jump = (policy.lr(j) - policy.lr(j - 1)).abs();
            prop_assert!(jump <= step * (1.0 + 1e-9) + 1e-15, "join at {j}: jump {jump} > {step}");
        }
    }

    #[test]
    fn restored_scheduler_continues_exactly(config in any_schedule(), k in 0u64..5000, through_bytes in any::<bool>()) {
        let mut original = config.build().unwrap();
        for _ in 0..k {
            original.step();
        }
        let mut record = original.to_record();
        if through_bytes {
            record = LrSchedulerRecord::from_bytes(record.into_bytes().unwrap()).unwrap();
        }
        let mut resumed = config.build().unwrap();
        resumed.load_record(record);
        for _ in 0..300 {
            prop_assert_eq!(original.step().to_bits(), resumed.step().to_bits());
        }
    }

    #[test]
    fn restored_plateau_continues_exactly(
        metrics in prop::collection::vec(0.0f64..2.0, 1..60),
        cut in 0usize..60,
        patience in 0u64..4,
        cooldown in 0u64..3,
        max in any::<bool>(),
        warmup_steps in 0u64..5,
    ) {
        let plateau = ScheduleConfig::Plateau(Plateau {
            initial_lr: 0.1, mode: if max { PlateauMode::Max } else { PlateauMode::Min },
            factor: 0.5, patience, threshold: 1e-4, threshold_mode: ThresholdMode::Rel,
            cooldown, min_lr: 1e-4, eps: 1e-8,
        });
        // Nested after a warm-up, the first reports are ignored; the record must say so too.
        let config = if warmup_steps == 0 {
            plateau
        } else {
            ScheduleConfig::Warmup(Warmup { warmup_steps, start_lr: 0.0, after: Box::new(plateau) })
        };
        let cut = cut.min(metrics.len());
        let mut original = config.build().unwrap();
        let run = |s: &mut Scheduler, ms: &[f64]| -> Vec<u64> {
            let handle = s.plateau().unwrap();
            ms.iter().map(|&m| { let lr = s.step(); handle.report(m); lr.to_bits() }).collect()
        };
        run(&mut original, &metrics[..cut]);
        let record = LrSchedulerRecord::from_bytes(original.to_record().into_bytes().unwrap()).unwrap();
        let mut resumed = config.build().unwrap();
        resumed.load_record(record);
        prop_assert_eq!(run(&mut original, &metrics[cut..]), run(&mut resumed, &metrics[cut..]));
    }
}

#[test]
fn first_step_returns_lr_zero_and_counts() {
    let config: ScheduleConfig =
        toml::from_str("kind='linear'\nstart_lr=0.5\nend_lr=0.0\ntotal_steps=5").unwrap();
    let mut s = config.build().unwrap();
    assert_eq!(s.peek(), 0.5);
    let got: Vec<f64> = (0..7).map(|_| s.step()).collect();
    let expected = [0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.0];
    for (a, b) in got.iter().zip(expected) {
        assert!((a - b).abs() < 1e-15, "{got:?}");
    }
    assert_eq!(s.steps(), 7);
}

#[test]
fn boxed_as_a_burn_dyn_scheduler() {
    let config: ScheduleConfig = toml::from_str("kind='constant'\nlr=2.5").unwrap();
    let mut dynamic: Box<dyn LrScheduler> = Box::new(config.build().unwrap());
    let mut copy = dynamic.clone();
    assert_eq!(dynamic.step(), 2.5);
    assert_eq!(copy.step(), 2.5);
}
