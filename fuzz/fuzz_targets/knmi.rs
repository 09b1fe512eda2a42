//! Fuzz target: datastroom::fuzz::knmi (see src/fuzz.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| datastroom::fuzz::knmi(data));
