//! Returned audit and moderation forms as `collect` reads them
//! (`caseaudit::fuzz::forms`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::forms(bytes));
