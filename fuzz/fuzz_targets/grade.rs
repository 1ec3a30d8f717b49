//! The grade parser on the default scale (`caseaudit::fuzz::grade`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| caseaudit::fuzz::grade(text));
