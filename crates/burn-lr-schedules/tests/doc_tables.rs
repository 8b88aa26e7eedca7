//! The schedule table appears three times: in the repository's README, in the crate docs
//! (`src/lib.rs`) and in `docs/schedules.md`. Each one's kind column must list
//! `Kind::ALL`, the same kinds in the same order, so a new kind (or a renamed one) cannot
//! leave a table behind.

use std::path::{Path, PathBuf};

use burn_lr_schedules::Kind;

/// A file of the repository, from this crate's folder.
fn repository_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The kind column of the one Markdown table whose first header cell is `kind`, its cells
/// unquoted from their backticks. Lines may carry a prefix (`//! ` in Rust doc comments).
fn kind_column(text: &str, prefix: &str) -> Result<Vec<String>, String> {
    let rows: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start())
        .map(|l| l.strip_prefix(prefix).unwrap_or(l).trim())
        .collect();
    let cells = |row: &str| -> Vec<String> {
        row.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let starts: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].starts_with('|') && cells(rows[i])[0] == "kind")
        .collect();
    let start = match starts.as_slice() {
        [one] => *one,
        [] => return Err("no table whose first column is `kind`".into()),
        _ => {
            return Err(format!(
                "{} tables whose first column is `kind`",
                starts.len()
            ));
        }
    };
    let column = rows[start + 2..]
        .iter()
        .take_while(|row| row.starts_with('|'))
        .map(|row| cells(row)[0].trim_matches('`').to_string())
        .collect();
    Ok(column)
}

/// `Ok` when `column` is `Kind::ALL`'s names in order, else a message saying how it differs.
fn check(column: &[String]) -> Result<(), String> {
    let all: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    if column == all.as_slice() {
        return Ok(());
    }
    let missing: Vec<&str> = all
        .iter()
        .copied()
        .filter(|k| !column.iter().any(|c| c == k))
        .collect();
    let extra: Vec<&str> = column
        .iter()
        .map(String::as_str)
        .filter(|c| !all.contains(c))
        .collect();
    Err(format!(
        "its kind column differs from Kind::ALL (src/config.rs):\n  table:     {column:?}\n  \
         Kind::ALL: {all:?}\n  missing: {missing:?}, not kinds: {extra:?}{}",
        if missing.is_empty() && extra.is_empty() {
            ", so the order differs"
        } else {
            ""
        }
    ))
}

fn assert_table_lists_every_kind(path: &str, prefix: &str) {
    let file = repository_file(path);
    let result = kind_column(&read(&file), prefix).and_then(|column| check(&column));
    if let Err(message) = result {
        panic!(
            "the schedule table of {path} is out of date: {message}\n\
             (one row per kind, in the order of the `kinds!` list)"
        );
    }
}

#[test]
fn the_readme_table_lists_every_kind_in_order() {
    assert_table_lists_every_kind("../../README.md", "");
}

#[test]
fn the_crate_docs_table_lists_every_kind_in_order() {
    assert_table_lists_every_kind("src/lib.rs", "//!");
}

#[test]
fn the_schedules_reference_table_lists_every_kind_in_order() {
    assert_table_lists_every_kind("../../docs/schedules.md", "");
}

/// The check itself: a table with a row missing, a row too many or two rows swapped fails,
/// naming what differs.
#[test]
fn a_table_that_differs_from_kind_all_is_refused() {
    let table = |kinds: &[&str]| -> String {
        let mut text = String::from("Intro.\n\n| kind | lr(t) |\n|---|---|\n");
        for k in kinds {
            text.push_str(&format!("| `{k}` | x |\n"));
        }
        text + "\nAfter.\n"
    };
    let all: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let column = |text: &str| kind_column(text, "").unwrap();
    assert_eq!(check(&column(&table(&all))), Ok(()));

    let without_cosine: Vec<&str> = all.iter().copied().filter(|k| *k != "cosine").collect();
    let message = check(&column(&table(&without_cosine))).unwrap_err();
    assert!(message.contains("missing: [\"cosine\"]"), "{message}");

    let mut with_typo = all.clone();
    with_typo.push("cosin");
    let message = check(&column(&table(&with_typo))).unwrap_err();
    assert!(message.contains("not kinds: [\"cosin\"]"), "{message}");

    let mut swapped = all.clone();
    swapped.swap(0, 1);
    let message = check(&column(&table(&swapped))).unwrap_err();
    assert!(message.contains("the order differs"), "{message}");

    // The doc-comment prefix is stripped, and a file without the table is named as such.
    let doc: String = table(&all).lines().map(|l| format!("//! {l}\n")).collect();
    assert_eq!(check(&kind_column(&doc, "//!").unwrap()), Ok(()));
    assert!(kind_column("no table here", "").is_err());
}
