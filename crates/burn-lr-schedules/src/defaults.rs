//! Serde defaults shared by several policies.

pub(crate) fn one_f64() -> f64 {
    1.0
}

pub(crate) fn one_u64() -> u64 {
    1
}

pub(crate) fn yes() -> bool {
    true
}
