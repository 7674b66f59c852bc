//! Frame parsing, strict JSON_SR decoding, message indexes, sniffing and capture-line parsing must never
//! panic, whatever the bytes. The first byte chooses whether the next 5 or 17 bytes act as a schema-id header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchyard_wire::{decode_json_sr, parse_frame, parse_message_indexes, read_capture, sniff};

fuzz_target!(|data: &[u8]| {
    let (header, body) = match data.split_first() {
        Some((&b, rest)) if b & 1 == 1 && rest.len() >= 5 => {
            let n = if b & 2 == 2 && rest.len() >= 17 { 17 } else { 5 };
            (Some(&rest[..n]), &rest[n..])
        }
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let s = sniff(Some(body), header);
    let _ = s.summary();
    let _ = decode_json_sr(body, header);
    if let Ok(f) = parse_frame(body) {
        let _ = parse_message_indexes(&f);
    }
    for r in read_capture(body) {
        let _ = r;
    }
});
