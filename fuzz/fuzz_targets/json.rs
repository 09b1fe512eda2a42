//! Fuzz target: datastroom::fuzz::json (see src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| datastroom::fuzz::json(data));
