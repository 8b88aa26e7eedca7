//! `ScheduleConfig::scaled`: every preset, scaled, runs at the factor times its rates at every
//! step, with the same momentum; and a scale that breaks a rule is refused.

use burn_lr_schedules::ScheduleConfig;

mod presets;
use presets::read_presets;

#[derive(serde::Deserialize)]
struct File {
    schedule: ScheduleConfig,
}

#[test]
fn every_preset_scaled_keeps_its_shape_at_the_factor() {
    let presets = read_presets();
    assert!(presets.len() > 20);
    for (name, text) in presets {
        let config = toml::from_str::<File>(&text).unwrap().schedule;
        let base = config.policy().unwrap();
        for factor in [0.125, 0.5, 2.0, 8.0] {
            let scaled = config
                .scaled(factor)
                .unwrap_or_else(|e| panic!("{name} × {factor}: {e}"))
                .policy()
                .unwrap();
            for t in 0..1500 {
                let (want, got) = (base.lr(t) * factor, scaled.lr(t));
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1e-12),
                    "{name} × {factor} at t = {t}: {got} against {want}"
                );
                assert_eq!(scaled.momentum(t), base.momentum(t), "{name} at t = {t}");
            }
        }
    }
}

#[test]
fn a_scale_that_breaks_a_rule_is_refused() {
    let cosine: ScheduleConfig =
        toml::from_str("kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 10").unwrap();
    for bad in [0.0, -1.0, f64::NAN, 1e302] {
        let e = cosine.scaled(bad).expect_err("refused").to_string();
        assert!(e.starts_with("cosine: "), "{bad}: {e}");
    }
}
