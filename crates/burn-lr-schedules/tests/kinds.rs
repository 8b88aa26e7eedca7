//! `Kind`, `KINDS`, `kind()` and the serde tag all come from one list in `config.rs`; these
//! tests check that they agree with each other and with the preset files.

use std::collections::HashSet;

use burn_lr_schedules::{KINDS, Kind, ScheduleConfig};

mod presets;
use presets::read_presets;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schedule: ScheduleConfig,
}

/// One config of each kind: the top-level schedule of every preset file.
fn preset_configs() -> Vec<(String, ScheduleConfig)> {
    read_presets()
        .into_iter()
        .map(|(name, text)| {
            let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, file.schedule)
        })
        .collect()
}

#[test]
fn all_kinds_are_kinds_in_order() {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(names, KINDS);
}

#[test]
fn every_kind_parses_back_from_its_name() {
    for kind in Kind::ALL {
        assert_eq!(kind.name().parse::<Kind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.name());
    }
}

#[test]
fn an_unknown_kind_is_one_line_naming_every_valid_kind() {
    for bad in ["", "cosin", "OneCycle", "one-cycle", "cosine\nstep"] {
        let message = bad.parse::<Kind>().unwrap_err().to_string();
        assert!(!message.contains('\n'), "{message}");
        for name in KINDS {
            assert!(message.contains(name), "{message} lacks {name}");
        }
    }
}

#[test]
fn kind_serializes_as_its_name() {
    for kind in Kind::ALL {
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.name()));
        assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), kind);
    }
}

#[test]
fn the_presets_hold_a_config_of_every_kind() {
    let covered: HashSet<Kind> = preset_configs().iter().map(|(_, c)| c.tag()).collect();
    let missing: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| !covered.contains(k))
        .collect();
    assert!(missing.is_empty(), "no preset of kind {missing:?}");
}

#[test]
fn tag_name_is_kind_and_the_serde_tag() {
    for (name, config) in preset_configs() {
        assert_eq!(config.tag().name(), config.kind(), "{name}");
        // Serde writes the tag from the variant name; the list's name must match it.
        let text = toml::to_string(&config).unwrap();
        let tag_line = format!("kind = \"{}\"", config.kind());
        assert_eq!(
            text.lines().next(),
            Some(tag_line.as_str()),
            "{name}: {text}"
        );
        let again: ScheduleConfig = toml::from_str(&text).unwrap();
        assert_eq!(again, config, "{name}");
    }
}
