//! The CIN census XML reader (`caseaudit::fuzz::census`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::census(bytes));
