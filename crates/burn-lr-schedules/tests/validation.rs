//! Every validation rule, with the exact one-line message a user sees.

use burn_lr_schedules::ScheduleConfig;

fn error_of(toml_text: &str) -> String {
    let config: ScheduleConfig = toml::from_str(toml_text).expect("parses");
    config.policy().expect_err("must be rejected").to_string()
}

fn parse_error(toml_text: &str) -> String {
    toml::from_str::<ScheduleConfig>(toml_text)
        .expect_err("must not parse")
        .to_string()
}

#[test]
fn each_rule_names_the_parameter_the_value_and_the_rule() {
    let cases = [
        (
            "kind='constant'\nlr=0.0",
            "constant: lr (0) must be a finite number greater than 0",
        ),
        (
            "kind='constant'\nlr=-0.1",
            "constant: lr (-0.1) must be a finite number greater than 0",
        ),
        (
            "kind='constant'\nlr=nan",
            "constant: lr (NaN) must be a finite number greater than 0",
        ),
        (
            "kind='constant'\nlr=inf",
            "constant: lr (inf) must be a finite number greater than 0",
        ),
        (
            "kind='step'\ninitial_lr=0.1\ngamma=1.5\nstep_size=3",
            "step: gamma (1.5) must be greater than 0 and at most 1",
        ),
        (
            "kind='step'\ninitial_lr=0.1\ngamma=0.5\nstep_size=0",
            "step: step_size (0) must be at least 1",
        ),
        (
            "kind='multistep'\ninitial_lr=0.1\ngamma=0.1\nmilestones=[30, 10]",
            "multistep: milestones ([30, 10]) must be sorted in increasing order",
        ),
        (
            "kind='multistep'\ninitial_lr=0.1\ngamma=0\nmilestones=[3]",
            "multistep: gamma (0) must be a finite number greater than 0",
        ),
        (
            "kind='exponential'\ninitial_lr=0.1\ndecay_rate=-1",
            "exponential: decay_rate (-1) must be a finite number of at least 0",
        ),
        (
            "kind='inverse_time'\ninitial_lr=0.1\ndecay_rate=0.5\ndecay_steps=0",
            "inverse_time: decay_steps (0) must be at least 1",
        ),
        (
            "kind='polynomial'\ninitial_lr=0.1\ntotal_steps=10\npower=0",
            "polynomial: power (0) must be a finite number greater than 0",
        ),
        (
            "kind='polynomial'\ninitial_lr=0.1\ntotal_steps=0",
            "polynomial: total_steps (0) must be at least 1",
        ),
        (
            "kind='polynomial'\ninitial_lr=0.1\ntotal_steps=5\nend_lr=-0.01",
            "polynomial: end_lr (-0.01) must be a finite number of at least 0",
        ),
        (
            "kind='cosine'\nmax_lr=0.1\nmin_lr=0.2\ntotal_steps=10",
            "cosine: max_lr (0.1) must be at least min_lr (0.2)",
        ),
        (
            "kind='cosine'\nmax_lr=0.1\ntotal_steps=0",
            "cosine: total_steps (0) must be at least 1",
        ),
        (
            "kind='cosine_restarts'\nmax_lr=0.1\nfirst_cycle_steps=10\ncycle_mult=0",
            "cosine_restarts: cycle_mult (0) must be at least 1",
        ),
        (
            "kind='cyclical'\nbase_lr=0.01\nmax_lr=0.001\nstep_size=10",
            "cyclical: max_lr (0.001) must be greater than base_lr (0.01)",
        ),
        (
            "kind='cyclical'\nbase_lr=0.001\nmax_lr=0.01\nstep_size=0",
            "cyclical: step_size (0) must be at least 1",
        ),
        (
            "kind='cyclical'\nbase_lr=0.001\nmax_lr=0.01\nstep_size=5\nmode='exp_range'\ngamma=1.2",
            "cyclical: gamma (1.2) must be greater than 0 and at most 1",
        ),
        (
            "kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100\npct_start=1.0",
            "one_cycle: pct_start (1) must be greater than 0 and less than 1",
        ),
        (
            "kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100\ndiv_factor=0",
            "one_cycle: div_factor (0) must be a finite number greater than 0",
        ),
        (
            "kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100\nbase_momentum=-0.1",
            "one_cycle: base_momentum (-0.1) must be at least 0 and less than 1",
        ),
        (
            "kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100\nbase_momentum=0.95\nmax_momentum=0.9",
            "one_cycle: max_momentum (0.9) must be at least base_momentum (0.95)",
        ),
        (
            "kind='cyclical'\nbase_lr=0.001\nmax_lr=0.01\nstep_size=5\nmax_momentum=1.0",
            "cyclical: max_momentum (1) must be at least 0 and less than 1",
        ),
        (
            "kind='cyclical'\nbase_lr=0.001\nmax_lr=0.01\nstep_size=5\nbase_momentum=nan\ncycle_momentum=false",
            "cyclical: base_momentum (NaN) must be at least 0 and less than 1",
        ),
        (
            "kind='one_cycle'\nmax_lr=0.1\ntotal_steps=3",
            "one_cycle: pct_start (0.3) leaves a phase without steps for total_steps = 3 (phases end at steps -0.1, 2); raise total_steps or move pct_start towards 0.5",
        ),
        (
            "kind='linear'\nstart_lr=0\nend_lr=0\ntotal_steps=10",
            "linear: end_lr (0) must be greater than 0 when start_lr is 0",
        ),
        (
            "kind='warmup'\nwarmup_steps=0\n[after]\nkind='constant'\nlr=0.1",
            "warmup: warmup_steps (0) must be at least 1",
        ),
        (
            "kind='warmup'\nwarmup_steps=5\n[after]\nkind='cosine'\nmax_lr=0.1\ntotal_steps=0",
            "warmup: after: cosine: total_steps (0) must be at least 1",
        ),
        (
            "kind='product'\nschedules=[{kind='constant', lr=1}, {kind='plateau', initial_lr=0.1}]",
            "product: schedules[1]: plateau: kind (plateau) can only be the top-level schedule, warmup's after or sequential's last schedule",
        ),
        (
            "kind='product'\nschedules=[{kind='warmup', warmup_steps=3, after={kind='plateau', initial_lr=0.1}}]",
            "product: schedules[0]: warmup: after: plateau: kind (plateau) can only be the top-level schedule, warmup's after or sequential's last schedule",
        ),
        (
            "kind='sequential'\nmilestones=[5]\nschedules=[{kind='plateau', initial_lr=0.1}, {kind='constant', lr=0.01}]",
            "sequential: schedules[0]: plateau: kind (plateau) can only be the top-level schedule, warmup's after or sequential's last schedule",
        ),
        (
            "kind='sequential'\nmilestones=[5]\nschedules=[{kind='sequential', milestones=[2], schedules=[{kind='constant', lr=1}, {kind='plateau', initial_lr=0.1}]}, {kind='constant', lr=0.01}]",
            "sequential: schedules[0]: sequential: schedules[1]: plateau: kind (plateau) can only be the top-level schedule, warmup's after or sequential's last schedule",
        ),
        (
            "kind='warmup'\nwarmup_steps=5\n[after]\nkind='plateau'\ninitial_lr=0.1\nfactor=2",
            "warmup: after: plateau: factor (2) must be greater than 0 and less than 1",
        ),
        (
            "kind='wsd'\npeak_lr=0.1\nwarmup_steps=1\nstable_steps=1\ndecay_steps=0",
            "wsd: decay_steps (0) must be at least 1",
        ),
        (
            "kind='wsd'\npeak_lr=0.1\nmin_lr=0.5\nwarmup_steps=1\nstable_steps=1\ndecay_steps=1",
            "wsd: peak_lr (0.1) must be at least min_lr (0.5)",
        ),
        (
            "kind='sequential'\nmilestones=[]\nschedules=[]",
            "sequential: schedules ([]) must hold at least one schedule",
        ),
        (
            "kind='sequential'\nmilestones=[]\nschedules=[{kind='constant', lr=0.1}, {kind='constant', lr=0.01}]",
            "sequential: milestones ([]) must hold one step fewer than schedules (2 schedules need 1 milestones)",
        ),
        (
            "kind='sequential'\nmilestones=[0]\nschedules=[{kind='constant', lr=0.1}, {kind='constant', lr=0.01}]",
            "sequential: milestones ([0]) must be greater than 0",
        ),
        (
            "kind='sequential'\nmilestones=[5, 5]\nschedules=[{kind='constant', lr=0.1}, {kind='constant', lr=0.01}, {kind='constant', lr=0.001}]",
            "sequential: milestones ([5, 5]) must be strictly increasing",
        ),
        (
            "kind='sequential'\nmilestones=[5]\nschedules=[{kind='constant', lr=0.1}, {kind='constant', lr=0}]",
            "sequential: schedules[1]: constant: lr (0) must be a finite number greater than 0",
        ),
        (
            "kind='plateau'\ninitial_lr=0.1\nfactor=1.0",
            "plateau: factor (1) must be greater than 0 and less than 1",
        ),
        (
            "kind='plateau'\ninitial_lr=0.1\nthreshold=-1",
            "plateau: threshold (-1) must be a finite number of at least 0",
        ),
        (
            "kind='inverse_sqrt'\npeak_lr=0\nwarmup_steps=10",
            "inverse_sqrt: peak_lr (0) must be a finite number greater than 0",
        ),
        (
            "kind='inverse_sqrt'\npeak_lr=0.1\nwarmup_steps=10\ntimescale=0",
            "inverse_sqrt: timescale (0) must be at least 1",
        ),
        (
            "kind='rex'\nmax_lr=0.1\nmin_lr=0.2\ntotal_steps=10",
            "rex: max_lr (0.1) must be at least min_lr (0.2)",
        ),
        (
            "kind='rex'\nmax_lr=0.1\ntotal_steps=0",
            "rex: total_steps (0) must be at least 1",
        ),
        (
            "kind='rex'\nmax_lr=0.1\nmin_lr=-1\ntotal_steps=5",
            "rex: min_lr (-1) must be a finite number of at least 0",
        ),
        (
            "kind='cosine_restarts'\nmax_lr=0.1\nfirst_cycle_steps=10\ncycle_decay=0",
            "cosine_restarts: cycle_decay (0) must be greater than 0 and at most 1",
        ),
        (
            "kind='cosine_restarts'\nmax_lr=0.1\nfirst_cycle_steps=10\ncycle_decay=1.5",
            "cosine_restarts: cycle_decay (1.5) must be greater than 0 and at most 1",
        ),
        (
            "kind='cosine_restarts'\nmax_lr=0.1\nfirst_cycle_steps=10\ncycle_decay=nan",
            "cosine_restarts: cycle_decay (NaN) must be greater than 0 and at most 1",
        ),
        (
            "kind='cosine_restarts'\nmax_lr=0.1\nfirst_cycle_steps=10\ncycle_limit=0",
            "cosine_restarts: cycle_limit (0) must be at least 1",
        ),
        (
            "kind='product'\nschedules=[]",
            "product: schedules ([]) must hold at least one schedule",
        ),
        (
            "kind='product'\nschedules=[{kind='constant', lr=0.1}, {kind='cosine', max_lr=1, total_steps=0}]",
            "product: schedules[1]: cosine: total_steps (0) must be at least 1",
        ),
        (
            "kind='product'\nschedules=[{kind='constant', lr=1e200}, {kind='constant', lr=1e200}, {kind='constant', lr=1e-300}]",
            "product: largest rate (inf) of schedules[0..=1] must be at most 1e300; lower the rates of the parts",
        ),
        // Rates that would overflow inside the formulas (found by tests/fuzz_config.rs).
        (
            "kind='cosine_restarts'\nmax_lr=1e308\nfirst_cycle_steps=200",
            "cosine_restarts: largest rate (1e308) must be at most 1e300; lower the rates or the factors that multiply them",
        ),
        (
            "kind='one_cycle'\nmax_lr=1.0\ntotal_steps=100\ndiv_factor=1e-301",
            "one_cycle: largest rate (9.999999999999999e300) must be at most 1e300; lower the rates or the factors that multiply them",
        ),
    ];
    for (config, expected) in cases {
        assert_eq!(error_of(config), expected, "for config:\n{config}");
        // The same message reaches a Burn scheduler built from the config.
        let parsed: ScheduleConfig = toml::from_str(config).unwrap();
        assert_eq!(parsed.build().unwrap_err().to_string(), expected);
    }
}

#[test]
fn learning_rates_above_one_are_accepted() {
    let config: ScheduleConfig =
        toml::from_str("kind='cosine'\nmax_lr=8.0\ntotal_steps=10").unwrap();
    assert_eq!(config.policy().unwrap().lr(0), 8.0);
}

#[test]
fn unknown_kind_unknown_field_missing_field_and_wrong_type_are_parse_errors() {
    let unknown_kind = parse_error("kind='cosinus'\nmax_lr=0.1");
    assert!(
        unknown_kind.contains("unknown variant `cosinus`"),
        "{unknown_kind}"
    );
    assert!(
        unknown_kind.contains("cosine_restarts"),
        "lists the kinds: {unknown_kind}"
    );

    let unknown_field = parse_error("kind='cosine'\nmax_lr=0.1\ntotal_steps=10\nwarmup=5");
    assert!(
        unknown_field.contains("unknown field `warmup`"),
        "{unknown_field}"
    );

    let nested_unknown =
        parse_error("kind='warmup'\nwarmup_steps=5\n[after]\nkind='constant'\nlr=0.1\nlrr=1");
    assert!(
        nested_unknown.contains("unknown field `lrr`"),
        "{nested_unknown}"
    );

    let missing = parse_error("kind='cosine'\nmax_lr=0.1");
    assert!(missing.contains("missing field `total_steps`"), "{missing}");

    let negative_steps = parse_error("kind='cosine'\nmax_lr=0.1\ntotal_steps=-3");
    assert!(negative_steps.contains("-3"), "{negative_steps}");

    let no_kind = parse_error("max_lr=0.1\ntotal_steps=3");
    assert!(no_kind.contains("missing field `kind`"), "{no_kind}");

    let bad_mode =
        parse_error("kind='cyclical'\nbase_lr=0.1\nmax_lr=1\nstep_size=3\nmode='triangle'");
    assert!(
        bad_mode.contains("unknown variant `triangle`"),
        "{bad_mode}"
    );
}

#[test]
fn defaults_are_the_documented_ones() {
    let config: ScheduleConfig =
        toml::from_str("kind='one_cycle'\nmax_lr=0.1\ntotal_steps=100").unwrap();
    let ScheduleConfig::OneCycle(p) = config else {
        panic!()
    };
    assert_eq!(
        (p.pct_start, p.div_factor, p.final_div_factor),
        (0.3, 25.0, 1e4)
    );
    assert_eq!(p.anneal_strategy, burn_lr_schedules::AnnealStrategy::Cos);
    assert!(!p.three_phase);
    // PyTorch's OneCycleLR momentum defaults.
    assert_eq!(
        (p.cycle_momentum, p.base_momentum, p.max_momentum),
        (true, 0.85, 0.95)
    );

    let config: ScheduleConfig = toml::from_str("kind='plateau'\ninitial_lr=0.1").unwrap();
    let ScheduleConfig::Plateau(p) = config else {
        panic!()
    };
    assert_eq!(
        (
            p.factor,
            p.patience,
            p.threshold,
            p.cooldown,
            p.min_lr,
            p.eps
        ),
        (0.1, 10, 1e-4, 0, 0.0, 1e-8)
    );
    assert_eq!(
        (p.mode, p.threshold_mode),
        (
            burn_lr_schedules::PlateauMode::Min,
            burn_lr_schedules::ThresholdMode::Rel
        )
    );

    let config: ScheduleConfig =
        toml::from_str("kind='cyclical'\nbase_lr=0.1\nmax_lr=1\nstep_size=3").unwrap();
    let ScheduleConfig::Cyclical(c) = config else {
        panic!()
    };
    assert_eq!(
        (c.mode, c.window, c.gamma),
        (
            burn_lr_schedules::CyclicalMode::Triangular,
            burn_lr_schedules::Window::Triangular,
            1.0
        )
    );
    // PyTorch's CyclicLR momentum defaults.
    assert_eq!(
        (c.cycle_momentum, c.base_momentum, c.max_momentum),
        (true, 0.8, 0.9)
    );
}

#[test]
fn configs_round_trip_through_toml() {
    let text = "kind = 'warmup'\nwarmup_steps = 500\n[after]\nkind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 9000\n";
    let config: ScheduleConfig = toml::from_str(text).unwrap();
    let again: ScheduleConfig = toml::from_str(&toml::to_string(&config).unwrap()).unwrap();
    assert_eq!(config, again);
    assert_eq!(config.kind(), "warmup");
}
