//! TEMPORARY STUB
pub(crate) fn strip_label_prefix(s: &str) -> &str {
    s
}
pub(crate) fn referral_is_step_up(source: &str) -> bool {
    source.contains("5D")
}
