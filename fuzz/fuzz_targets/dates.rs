//! The date parser, its error messages and the month parser (`caseaudit::fuzz::dates`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| caseaudit::fuzz::dates(text));
