//! The files that pass between commands, each with one owner: its columns, its
//! reader and its writer. `sample.csv` (written by `sample`, read by `allocate`),
//! `allocation.csv` (written by `allocate`, read by `record` and `progress`), the
//! audit history (`history`) and the auditors list (`auditors`). Completed audits
//! and moderation results are owned by `audits` and `moderation`. `headings` finds
//! the fields of any of these layouts among a file's headings (standard names,
//! built-in aliases, the settings' `[<layout>.columns]`).

pub(crate) mod allocation;
pub(crate) mod auditors;
pub(crate) mod headings;
pub(crate) mod history;
pub(crate) mod reader;
pub(crate) mod sample;
