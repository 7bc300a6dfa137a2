//! The pickle walker (`python -m frappe_cache inspect`) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| _native::fuzzing::pickle_preview(data));
