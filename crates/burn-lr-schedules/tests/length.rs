//! `ScheduleConfig::length`: where each kind's schedule ends, and that its rate does not change
//! after that step.

use burn_lr_schedules::ScheduleConfig;

mod presets;
use presets::read_presets;

fn config(text: &str) -> ScheduleConfig {
    toml::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn each_kind_ends_where_its_lengths_say() {
    let cosine = "kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 90";
    for (text, end) in [
        ("kind = 'constant'\nlr = 0.1", None),
        (
            "kind = 'step'\ninitial_lr = 0.1\ngamma = 0.5\nstep_size = 10",
            None,
        ),
        (
            "kind = 'multistep'\ninitial_lr = 0.1\ngamma = 0.5\nmilestones = [10, 20]",
            None,
        ),
        (
            "kind = 'exponential'\ninitial_lr = 0.1\ndecay_rate = 0.01",
            None,
        ),
        (
            "kind = 'inverse_time'\ninitial_lr = 0.1\ndecay_rate = 0.01",
            None,
        ),
        (
            "kind = 'inverse_sqrt'\npeak_lr = 0.1\nwarmup_steps = 10",
            None,
        ),
        (
            "kind = 'cyclical'\nbase_lr = 0.01\nmax_lr = 0.1\nstep_size = 10",
            None,
        ),
        ("kind = 'plateau'\ninitial_lr = 0.1", None),
        (
            "kind = 'polynomial'\ninitial_lr = 0.1\ntotal_steps = 40",
            Some(40),
        ),
        (
            "kind = 'polynomial'\ninitial_lr = 0.1\ntotal_steps = 40\ncycle = true",
            None,
        ),
        (cosine, Some(90)),
        (
            "kind = 'one_cycle'\nmax_lr = 0.1\ntotal_steps = 50",
            Some(50),
        ),
        (
            "kind = 'linear'\nstart_lr = 0.1\nend_lr = 0.01\ntotal_steps = 30",
            Some(30),
        ),
        ("kind = 'rex'\nmax_lr = 0.1\ntotal_steps = 30", Some(30)),
        (
            "kind = 'cosine_restarts'\nmax_lr = 0.1\nfirst_cycle_steps = 10",
            None,
        ),
        (
            "kind = 'cosine_restarts'\nmax_lr = 0.1\nfirst_cycle_steps = 10\ncycle_mult = 2\ncycle_limit = 3",
            Some(70),
        ),
        (
            "kind = 'wsd'\npeak_lr = 0.1\nwarmup_steps = 5\nstable_steps = 20\ndecay_steps = 10",
            Some(35),
        ),
        (
            &format!("kind = 'warmup'\nwarmup_steps = 10\n[after]\n{cosine}"),
            Some(100),
        ),
        (
            "kind = 'warmup'\nwarmup_steps = 10\n[after]\nkind = 'constant'\nlr = 0.1",
            None,
        ),
        (
            &format!(
                "kind = 'sequential'\nmilestones = [25]\n[[schedules]]\nkind = 'constant'\nlr = 0.1\n[[schedules]]\n{cosine}"
            ),
            Some(115),
        ),
        (
            &format!(
                "kind = 'sequential'\nmilestones = [25]\n[[schedules]]\n{cosine}\n[[schedules]]\nkind = 'constant'\nlr = 0.1"
            ),
            None,
        ),
        (
            &format!(
                "kind = 'product'\n[[schedules]]\nkind = 'constant'\nlr = 0.5\n[[schedules]]\n{cosine}\n[[schedules]]\nkind = 'linear'\nstart_lr = 1.0\nend_lr = 0.5\ntotal_steps = 120"
            ),
            Some(120),
        ),
        (
            &format!(
                "kind = 'product'\n[[schedules]]\nkind = 'exponential'\ninitial_lr = 1.0\ndecay_rate = 0.01\n[[schedules]]\n{cosine}"
            ),
            None,
        ),
        (
            "kind = 'product'\n[[schedules]]\nkind = 'constant'\nlr = 0.5",
            None,
        ),
    ] {
        let schedule = config(text);
        schedule.policy().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(schedule.length(), end, "{text}");
    }
}

#[test]
fn no_preset_changes_its_rate_after_its_length() {
    let mut ending = 0;
    for (name, text) in read_presets() {
        let file: toml::Table = toml::from_str(&text).unwrap();
        let schedule: ScheduleConfig = file["schedule"].clone().try_into().unwrap();
        let Some(end) = schedule.length() else {
            continue;
        };
        ending += 1;
        let policy = schedule.policy().unwrap();
        let last = policy.lr(end);
        // It ends there, not much earlier (one-cycle reaches its floor on its last step, T − 1).
        let near = end - end.div_ceil(50);
        assert_ne!(
            policy.lr(near),
            last,
            "{name}: already final at {near}, before {end}"
        );
        for t in end..end + 3000 {
            assert_eq!(
                policy.lr(t),
                last,
                "{name}: changes at step {t}, after its length {end}"
            );
        }
    }
    assert!(ending >= 5, "only {ending} presets have a length");
}
