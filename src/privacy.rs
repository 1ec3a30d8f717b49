//! Privacy by default: stable keyed pseudonyms for case ids (`--redact`), for
//! sharing outputs beyond the QA team.

use sha2::{Digest, Sha256};

/// The pseudonym of a case id under a secret key: `R-` and 10 hex digits of
/// SHA-256("<key>\n<case_id>"). The same key always gives the same pseudonym, so
/// redacted outputs can still be joined to each other, but not to the extract
/// without the key.
pub(crate) fn pseudonym(key: &str, case_id: &str) -> String {
    if case_id.is_empty() {
        return String::new();
    }
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    h.update(b"\n");
    h.update(case_id.as_bytes());
    let digest = h.finalize();
    let hex: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("R-{hex}")
}

/// Whether a case id is one of our pseudonyms (`R-` and 10 hex digits): a redacted
/// file fed back into `allocate` or `record` would poison the ledger.
pub(crate) fn is_pseudonym(id: &str) -> bool {
    id.len() == 12 && id.starts_with("R-") && id[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Refuses a file whose case ids are pseudonyms.
pub(crate) fn refuse_pseudonyms<'a>(
    file: &str,
    mut ids: impl Iterator<Item = &'a str>,
) -> anyhow::Result<()> {
    if let Some(id) = ids.find(|id| is_pseudonym(id)) {
        anyhow::bail!(
            "{file} holds pseudonymised case ids (e.g. {id}, from --redact); allocation and the history need the real ids: use the file written without --redact"
        );
    }
    Ok(())
}

/// Whether an output column holds case ids (redacted under `--redact`).
pub(crate) fn is_case_id_column(name: &str) -> bool {
    let key = crate::values::header_key(name);
    key == "case_id" || key == "case id" || key == "child unique id"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let a = pseudonym("secret", "CH001");
        assert_eq!(a, pseudonym("secret", "CH001"));
        assert_ne!(a, pseudonym("other", "CH001"));
        assert_ne!(a, pseudonym("secret", "CH002"));
        assert!(a.starts_with("R-") && a.len() == 12);
        assert_eq!(pseudonym("secret", ""), "");
    }
}
