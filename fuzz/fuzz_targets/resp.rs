//! The RESP reply reader on arbitrary bytes, split into reads as the first two bytes say.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| _native::fuzzing::resp_parse(data));
