//! The filter language: the expression, a newline, then a CSV extract (`caseaudit::fuzz::filter`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| caseaudit::fuzz::filter(text));
