#!/usr/bin/env bash
# The packaged library as a user gets it: packages burn-lr-schedules, unpacks the .crate, and
# builds and runs scripts/outside-crate (a project outside the workspace) against it, with the
# workspace's Cargo.lock and Burn's crates from the workspace's debug build in $CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target

# The .crate alone (CI's `cargo publish --dry-run` has already built it once).
cargo package -p burn-lr-schedules --no-verify --allow-dirty --quiet
version=$(cargo pkgid -p burn-lr-schedules | sed 's/.*[#@]//')
crate="$target/package/burn-lr-schedules-$version.crate"
unpacked="$target/package/burn-lr-schedules-$version"
# Cargo stamps a .crate's files with one fixed date, older than any build, so unpacked as they
# are a changed library would look unchanged: unpack with today's dates, and only when the
# .crate changed, so an unchanged library is not rebuilt.
sum=$(sha256sum "$crate" | cut -d' ' -f1)
if [ "$(cat "$unpacked.sha256" 2>/dev/null)" != "$sum" ]; then
    rm -rf "$unpacked"
    tar -xzmf "$crate" -C "$target/package"
    echo "$sum" >"$unpacked.sha256"
fi

# The project's own copy (its Cargo.lock stays out of the clone), with the workspace's lock so the
# versions the workspace tested resolve.
work="$target/outside-crate"
rm -rf "$work/src"
mkdir -p "$work"
cp -a scripts/outside-crate/. "$work/"
cp Cargo.lock "$work/Cargo.lock"
cd "$work"
patch="patch.crates-io.burn-lr-schedules.path=\"$unpacked\""
cargo build --config "$patch" --features match-workspace \
    --message-format=json-render-diagnostics >build.json

# Nothing resolved to another version than the workspace's.
versions() { awk '/^name = /{n=$3} /^version = /{print n, $3}' "$1" | sort -u; }
changed=$(comm -23 <(versions Cargo.lock | grep -v '^"outside-crate"') <(versions "$root/Cargo.lock"))
if [ -n "$changed" ]; then
    echo "outside-crate: resolved versions the workspace's Cargo.lock does not have: $(echo $changed)" >&2
    exit 1
fi
# Registry crates compiled here rather than reused from the workspace's build: after the
# workspace's tests, only when the features of `match-workspace` no longer match: an error, as it
# would silently add Burn's whole build to CI.
rebuilt=$(grep '"reason":"compiler-artifact".*"fresh":false' build.json |
    grep -o '"package_id":"registry+[^"]*#[^"]*' | sed 's/.*#//' | sort -u | tr '\n' ' ' || true)
if [ -n "$rebuilt" ]; then
    echo "outside-crate: compiled again, not reused from the workspace's build (about 20 minutes of CI): $rebuilt; make match-workspace in scripts/outside-crate/Cargo.toml turn on what the workspace turns on" >&2
    exit 1
fi

"$target/debug/outside-crate"
# A bad schedule file is refused in one line.
printf 'kind = "cosine"\nmax_lr = 0.1\ntotal_steps = "150%%"\n' >bad.toml
if message=$("$target/debug/outside-crate" bad.toml 2>&1); then
    echo "outside-crate: accepted a share of 150%" >&2
    exit 1
fi
case $message in
*$'\n'*) echo "outside-crate: a bad schedule gave more than one line: $message" >&2; exit 1 ;;
*"at most 100"*) ;;
*) echo "outside-crate: unexpected error for a bad schedule: $message" >&2; exit 1 ;;
esac
