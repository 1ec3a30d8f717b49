//! Every CSV layout reader on the same bytes: extracts (standard and Annex A), auditors,
//! history and completed audits (`caseaudit::fuzz::tables`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::tables(bytes));
