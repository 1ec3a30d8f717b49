//! The settings (TOML) loader and its checks (`caseaudit::fuzz::settings`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| caseaudit::fuzz::settings(text));
