//! The decoding every CSV file goes through (byte-order mark, CRLF, UTF-8 or
//! Windows-1252 by the first byte), then every CSV layout reader
//! (`caseaudit::fuzz::decoding`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| caseaudit::fuzz::decoding(bytes));
