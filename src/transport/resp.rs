//! The RESP2 reply parser: resumable at any byte, bounded, linear in the bytes received.
//!
//! `Parser::step` consumes complete tokens from the bytes it is given and keeps partly built
//! arrays, so a large reply arriving in many reads is scanned once. Every malformed or hostile
//! input (a bulk length past Redis' own limit, a line past `MAX_LINE`, nesting past `MAX_DEPTH`)
//! is a protocol error before any allocation, never a panic. The connection that feeds it is
//! `conn.rs`.

use redis::Value;

use crate::errors::{CacheError, CacheResult};

/// Nesting deeper than this is not a reply Redis sends to our commands.
pub(super) const MAX_DEPTH: usize = 64;
/// Redis' proto-max-bulk-len default: it never sends a longer bulk string, so a larger length
/// is garbage, not a reason to allocate.
const MAX_BULK: i64 = 512 << 20;
/// Redis counts reply elements in a C int; a larger count is garbage.
const MAX_ARRAY: i64 = i32::MAX as i64;
/// The longest line (status, error, integer, or a length header) taken, counting its type byte
/// and CR: bounding it bounds the CR search. Redis' own inline request limit is 64 KiB too.
/// (Fuzzing shrinks it so that small inputs reach it.)
const MAX_LINE: usize = if cfg!(fuzzing) { 256 } else { 64 << 10 };

pub(super) enum Step {
    Reply(Value),
    /// More bytes are needed: at least this many from the current position (0: unknown).
    Need(usize),
}

/// An array still being filled.
struct Frame {
    want: usize,
    items: Vec<Value>,
}

/// A RESP2 reply parser that can stop at any byte and resume: complete tokens are consumed,
/// partly built arrays kept, and a pending line or bulk string is not scanned twice, so the
/// work is linear in the bytes received however they are split into reads.
///
/// The caller passes the bytes not yet used again, followed by the new ones.
#[derive(Default)]
pub(super) struct Parser {
    stack: Vec<Frame>,
    /// A bulk string whose header is consumed: its length, payload and CRLF still to come.
    bulk: Option<usize>,
    /// How many bytes of the pending line have been searched for its CR already.
    scanned: usize,
}

enum Token {
    Value(Value),
    Array(usize),
    /// A bulk string's length header: the payload follows.
    Bulk(usize),
}

impl Parser {
    /// Consumes complete tokens from `data`; returns the reply once it is whole, and how many
    /// bytes were used. Any malformed input is a protocol error, never a panic.
    pub(super) fn step(&mut self, data: &[u8]) -> CacheResult<(Step, usize)> {
        let result = self.consume(data);
        if result.is_err() {
            // The connection is dropped; a parser reused anyway starts clean.
            *self = Parser::default();
        }
        result
    }

    fn consume(&mut self, data: &[u8]) -> CacheResult<(Step, usize)> {
        let mut used = 0;
        loop {
            let rest = data.get(used..).unwrap_or_default();
            let (token, len) = match self.token(rest)? {
                Ok(done) => done,
                Err(need) => return Ok((Step::Need(need), used)),
            };
            used += len;
            let mut value = match token {
                Token::Value(v) => v,
                Token::Bulk(n) => {
                    self.bulk = Some(n);
                    continue;
                }
                Token::Array(0) => Value::Array(Vec::new()),
                Token::Array(n) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(protocol("replies nested too deeply"));
                    }
                    // Capacity follows the elements that arrive, not the announced count.
                    self.stack.push(Frame {
                        want: n,
                        items: Vec::with_capacity(n.min(1024)),
                    });
                    continue;
                }
            };
            // Hand the finished value to the arrays it completes.
            loop {
                let Some(frame) = self.stack.last_mut() else {
                    return Ok((Step::Reply(value), used));
                };
                frame.items.push(value);
                if frame.items.len() < frame.want {
                    break;
                }
                match self.stack.pop() {
                    Some(frame) => value = Value::Array(frame.items),
                    None => return Err(protocol("array bookkeeping")),
                }
            }
        }
    }

    /// One token from the start of `data`: `Ok((token, bytes used))`, or `Err(bytes needed)`.
    fn token(&mut self, data: &[u8]) -> CacheResult<Result<(Token, usize), usize>> {
        if let Some(n) = self.bulk {
            // n <= MAX_BULK: no overflow.
            let total = n + 2;
            let (Some(payload), Some(crlf)) = (data.get(..n), data.get(n..total)) else {
                return Ok(Err(total));
            };
            if crlf != b"\r\n" {
                return Err(protocol("a bulk string longer than announced"));
            }
            self.bulk = None;
            let value = Value::BulkString(payload.to_vec());
            return Ok(Ok((Token::Value(value), total)));
        }
        let Some(&kind) = data.first() else {
            return Ok(Err(0));
        };
        if !matches!(kind, b'+' | b'-' | b':' | b'$' | b'*') {
            return Err(protocol(&format!("unexpected reply type byte {kind:#04x}")));
        }
        // Resume the CR search where the last call stopped; never look past MAX_LINE.
        let from = self.scanned.max(1);
        let window = data.get(from..data.len().min(MAX_LINE)).unwrap_or_default();
        let Some(cr) = window.iter().position(|&b| b == b'\r').map(|i| from + i) else {
            if data.len() >= MAX_LINE {
                return Err(protocol(&format!("a line longer than {MAX_LINE} bytes")));
            }
            self.scanned = data.len();
            return Ok(Err(0));
        };
        let Some(&lf) = data.get(cr + 1) else {
            self.scanned = cr;
            return Ok(Err(cr + 2));
        };
        if lf != b'\n' {
            return Err(protocol("a line without \\r\\n"));
        }
        self.scanned = 0;
        // from >= 1, so 1 <= cr.
        let line = data.get(1..cr).unwrap_or_default();
        let after = cr + 2;
        let token = match kind {
            b'+' if line == b"OK" => Token::Value(Value::Okay),
            b'+' => Token::Value(Value::SimpleString(
                String::from_utf8_lossy(line).into_owned(),
            )),
            b'-' => Token::Value(server_error(line)?),
            b':' => Token::Value(Value::Int(number(line)?)),
            b'$' => match number(line)? {
                -1 => Token::Value(Value::Nil),
                n if (0..=MAX_BULK).contains(&n) => {
                    Token::Bulk(usize::try_from(n).map_err(|_| protocol("bulk length"))?)
                }
                _ => return Err(protocol("a bulk length out of range")),
            },
            _ => match number(line)? {
                -1 => Token::Value(Value::Nil),
                n if (0..=MAX_ARRAY).contains(&n) => {
                    Token::Array(usize::try_from(n).map_err(|_| protocol("array length"))?)
                }
                _ => return Err(protocol("an array length out of range")),
            },
        };
        Ok(Ok((token, after)))
    }
}

/// An error reply as redis-rs' own parser makes it (codes ERR, WRONGTYPE, MOVED, ...: its
/// `ServerError` cannot be built outside redis-rs). It is handed a well-formed line, valid UTF-8
/// (Redis may echo binary arguments) without CR or LF, so that any bytes give an error value;
/// and a panic in it is caught, as nothing read from the socket may crash the process.
fn server_error(line: &[u8]) -> CacheResult<Value> {
    let text = String::from_utf8_lossy(line).replace(['\r', '\n'], " ");
    let wire = format!("-{text}\r\n");
    match std::panic::catch_unwind(|| redis::parse_redis_value(wire.as_bytes())) {
        Ok(Ok(value @ Value::ServerError(_))) => Ok(value),
        _ => Err(protocol("an error reply redis-rs cannot read")),
    }
}

fn number(line: &[u8]) -> CacheResult<i64> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| protocol("a malformed number"))
}

pub(super) fn protocol(what: &str) -> CacheError {
    // The stream is out of step with the replies: the connection must not be used again.
    CacheError::connection(format!("Redis connection failed: protocol error: {what}"))
}

/// Cuts `wire` into pieces of pseudo-random sizes from 1 to `plan[0]`, seeded by `plan[1]`
/// (`plan[0]` 0: one piece).
#[cfg(fuzzing)]
pub(super) fn split(wire: &[u8], plan: &[u8]) -> Vec<Vec<u8>> {
    let max = plan.first().map_or(0, |&b| usize::from(b));
    if max == 0 {
        return vec![wire.to_vec()];
    }
    // xorshift32; the high bit keeps the seed non-zero.
    let mut state = u32::from(plan.get(1).copied().unwrap_or(0)) | 0x8000_0000;
    let (mut rest, mut pieces) = (wire, Vec::new());
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state as usize % max + 1).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        pieces.push(piece.to_vec());
        rest = tail;
    }
    pieces
}

/// Feeds `pieces` to a parser as reads would deliver them, checking each step: the replies,
/// and whether a protocol error ended them.
#[cfg(fuzzing)]
pub(super) fn read_pieces(pieces: &[Vec<u8>]) -> (Vec<Value>, bool) {
    let mut parser = Parser::default();
    // The unused bytes, and the bytes of the reply in progress that were used.
    let (mut buf, mut reply) = (Vec::new(), Vec::new());
    let mut replies = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            let (step, used) = match parser.step(&buf) {
                Ok(done) => done,
                Err(CacheError::Connection(_, m)) if m.contains("protocol error") => {
                    return (replies, true);
                }
                Err(other) => panic!("not a protocol error: {other:?}"),
            };
            assert!(used <= buf.len(), "used {used} of {} bytes", buf.len());
            reply.extend(buf.drain(..used));
            match step {
                Step::Reply(value) => {
                    match Parser::default().step(&reply) {
                        Ok((Step::Reply(again), n)) => {
                            assert_eq!(again, value, "re-read in one piece");
                            assert_eq!(n, reply.len(), "re-read in one piece");
                        }
                        _ => panic!("a reply does not re-read in one piece"),
                    }
                    reply.clear();
                    replies.push(value);
                }
                Step::Need(need) => {
                    assert!(
                        need == 0 || need > buf.len(),
                        "needs {need}, has {}",
                        buf.len()
                    );
                    break;
                }
            }
        }
    }
    (replies, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Feeds `wire` to a parser in pieces of `chunk` bytes, as reads would deliver it.
    fn parse_in_chunks(wire: &[u8], chunk: usize) -> Vec<Value> {
        let mut parser = Parser::default();
        let (mut buf, mut replies) = (Vec::new(), Vec::new());
        for piece in wire.chunks(chunk) {
            buf.extend_from_slice(piece);
            loop {
                let (step, used) = parser.step(&buf).unwrap();
                buf.drain(..used);
                match step {
                    Step::Reply(v) => replies.push(v),
                    Step::Need(_) => break,
                }
            }
        }
        assert!(buf.is_empty(), "bytes left over");
        replies
    }

    /// Feeds `wire` to a parser in pieces of `chunk` bytes: the replies, and the error that
    /// ended them if one did.
    fn outcome(wire: &[u8], chunk: usize) -> (Vec<Value>, Option<String>) {
        let mut parser = Parser::default();
        let (mut buf, mut replies) = (Vec::new(), Vec::new());
        for piece in wire.chunks(chunk.max(1)) {
            buf.extend_from_slice(piece);
            loop {
                match parser.step(&buf) {
                    Ok((step, used)) => {
                        buf.drain(..used);
                        match step {
                            Step::Reply(v) => replies.push(v),
                            Step::Need(_) => break,
                        }
                    }
                    Err(CacheError::Connection(_, m)) if m.contains("protocol error") => {
                        return (replies, Some(m));
                    }
                    Err(other) => panic!("{wire:?}: not a protocol error: {other:?}"),
                }
            }
        }
        (replies, None)
    }

    #[test]
    fn a_line_starting_with_crlf_is_a_protocol_error() {
        for wire in [
            &b"\r\n"[..],
            b"\r\n+OK\r\n",
            b"\r",
            b"\n",
            b"+OK\r\n\r\n:1\r\n",
        ] {
            for chunk in [1, 2, wire.len()] {
                let (replies, error) = outcome(wire, chunk);
                assert!(error.is_some(), "{wire:?} in pieces of {chunk}: no error");
                assert!(replies.len() <= 1, "{wire:?}: {replies:?}");
            }
        }
    }

    /// Every string of up to 5 bytes over the bytes that matter, whole and byte by byte: no
    /// panic, and the same replies and outcome either way.
    #[test]
    fn no_short_input_panics() {
        const ALPHABET: &[u8] = b"+-:$*\r\n01-x\xff";
        let mut wire = Vec::new();
        for len in 0..=5u32 {
            for mut code in 0..ALPHABET.len().pow(len) {
                wire.clear();
                for _ in 0..len {
                    wire.push(ALPHABET[code % ALPHABET.len()]);
                    code /= ALPHABET.len();
                }
                let (whole, whole_error) = outcome(&wire, wire.len());
                let (bytewise, bytewise_error) = outcome(&wire, 1);
                assert_eq!(whole, bytewise, "{wire:?}");
                assert_eq!(whole_error.is_some(), bytewise_error.is_some(), "{wire:?}");
            }
        }
    }

    #[test]
    fn lengths_past_what_redis_sends_are_refused_before_any_allocation() {
        for wire in [
            &b"$3000000000\r\n"[..],
            b"$536870913\r\n",
            b"*2147483648\r\n",
            b"*-2\r\n",
        ] {
            let (_, error) = outcome(wire, wire.len());
            assert!(error.is_some(), "{wire:?}");
        }
        // The largest legal lengths just wait for their data.
        for wire in [&b"$536870912\r\n"[..], b"*2147483647\r\n:1\r\n"] {
            let (replies, error) = outcome(wire, wire.len());
            assert!(replies.is_empty() && error.is_none(), "{wire:?}");
        }
    }

    #[test]
    fn long_lines_are_refused_at_the_limit() {
        let mut line = vec![b'+'];
        line.resize(MAX_LINE - 1, b'x');
        // A line of MAX_LINE bytes with its CR is still read.
        let mut wire = line.clone();
        wire.extend_from_slice(b"\r\n");
        let (replies, error) = outcome(&wire, 4096);
        assert!(error.is_none() && replies.len() == 1, "{error:?}");
        // One byte more, and no CR: refused as soon as the limit is reached, not later.
        line.push(b'x');
        let mut parser = Parser::default();
        let (Ok((Step::Need(_), 0)), Err(CacheError::Connection(_, m))) = (
            parser.step(&line[..MAX_LINE - 1]),
            parser.step(&line[..MAX_LINE]),
        ) else {
            panic!("a line of {MAX_LINE} bytes without CR was not refused");
        };
        assert!(m.contains("protocol error"), "{m}");
    }

    /// Each byte of a pending line is scanned once: a line arriving a byte at a time used to be
    /// searched from its start after every read (64 KiB: 2 billion byte compares).
    #[test]
    fn a_line_arriving_byte_by_byte_is_scanned_once() {
        let mut wire = vec![b'+'];
        wire.resize(MAX_LINE - 1, b'x');
        wire.extend_from_slice(b"\r\n");
        let started = std::time::Instant::now();
        let (replies, error) = outcome(&wire, 1);
        assert!(error.is_none() && replies.len() == 1, "{error:?}");
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{took:?}");
    }

    /// The header is consumed at once: the payload arriving in many reads is not preceded by a
    /// header re-read each time.
    #[test]
    fn a_bulk_header_is_consumed_before_its_payload() {
        let mut parser = Parser::default();
        let Ok((Step::Need(need), used)) = parser.step(b"$10\r\nabc") else {
            panic!("a partial bulk string is not a step");
        };
        assert_eq!((need, used), (12, 5));
        let Ok((Step::Reply(value), 12)) = parser.step(b"abcdefghij\r\n") else {
            panic!("the payload did not complete the reply");
        };
        assert_eq!(value, Value::BulkString(b"abcdefghij".to_vec()));
    }

    #[test]
    fn error_replies_keep_their_code_whatever_their_bytes() {
        let cases: [(&[u8], &str, Option<&str>); 7] = [
            (
                b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                "WRONGTYPE",
                Some("Operation against a key holding the wrong kind of value"),
            ),
            (b"-ERR unknown command\r\n", "ERR", Some("unknown command")),
            (b"-NOAUTH Authentication required.\r\n", "NOAUTH", None),
            (
                b"-MOVED 3999 127.0.0.1:6381\r\n",
                "MOVED",
                Some("3999 127.0.0.1:6381"),
            ),
            // Redis echoes arguments: bytes that are not UTF-8, a stray LF.
            (
                b"-ERR unknown key 'caf\xe9'\r\n",
                "ERR",
                Some("unknown key 'caf\u{fffd}'"),
            ),
            (b"-ERR two\nlines\r\n", "ERR", Some("two lines")),
            (b"-\r\n", "", None),
        ];
        for (wire, code, details) in cases {
            for chunk in [1, wire.len()] {
                let (replies, error) = outcome(wire, chunk);
                assert!(error.is_none(), "{wire:?}: {error:?}");
                let [Value::ServerError(e)] = &replies[..] else {
                    panic!("{wire:?}: {replies:?}");
                };
                assert_eq!(e.code(), code, "{wire:?}");
                if details.is_some() {
                    assert_eq!(e.details(), details, "{wire:?}");
                }
            }
        }
    }

    #[test]
    fn replies_parse_whatever_the_read_boundaries() {
        let big = vec![b'x'; 70_000];
        let mut wire = Vec::new();
        wire.extend_from_slice(b"+OK\r\n+PONG\r\n:-42\r\n$-1\r\n*-1\r\n$0\r\n\r\n*0\r\n");
        wire.extend_from_slice(b"*3\r\n$2\r\nab\r\n*2\r\n:1\r\n*1\r\n$1\r\n\r\r\n:7\r\n");
        wire.extend_from_slice(format!("${}\r\n", big.len()).as_bytes());
        wire.extend_from_slice(&big);
        wire.extend_from_slice(b"\r\n-WRONGTYPE Operation against a key\r\n-ERR unknown\r\n");
        let expected = vec![
            Value::Okay,
            Value::SimpleString("PONG".into()),
            Value::Int(-42),
            Value::Nil,
            Value::Nil,
            Value::BulkString(Vec::new()),
            Value::Array(Vec::new()),
            Value::Array(vec![
                Value::BulkString(b"ab".to_vec()),
                Value::Array(vec![
                    Value::Int(1),
                    Value::Array(vec![Value::BulkString(b"\r".to_vec())]),
                ]),
                Value::Int(7),
            ]),
            Value::BulkString(big),
        ];
        for chunk in [1, 2, 3, 7, 64, 4096, wire.len()] {
            let replies = parse_in_chunks(&wire, chunk);
            assert_eq!(replies.len(), expected.len() + 2, "chunk {chunk}");
            assert_eq!(replies[..expected.len()], expected[..], "chunk {chunk}");
            for (reply, code) in replies[expected.len()..].iter().zip(["WRONGTYPE", "ERR"]) {
                match reply {
                    Value::ServerError(e) => assert_eq!(e.code(), code),
                    other => panic!("expected an error reply, got {other:?}"),
                }
            }
        }
    }

    #[test]
    fn garbage_is_a_connection_error() {
        for wire in [
            &b"?what\r\n"[..],
            b"$3\r\nabcd\r\n",
            b":12x\r\n",
            b"+OK\rX",
            b"$-5\r\n",
            b"$99999999999999\r\n",
            b"$3000000000\r\n",
            b"\r\n",
        ] {
            let mut parser = Parser::default();
            match parser.step(wire) {
                Err(CacheError::Connection(_, m)) => assert!(m.contains("protocol error"), "{m}"),
                Err(other) => panic!("{wire:?}: expected a connection error, got {other:?}"),
                Ok(_) => panic!("{wire:?}: expected an error"),
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let wire = b"*1\r\n".repeat(MAX_DEPTH + 1);
        assert!(Parser::default().step(&wire).is_err());
    }
}
