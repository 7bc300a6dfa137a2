//! One connection to Redis: its stream, and the reply reader over it.
//!
//! redis-rs' blocking reader zeroes 8 KiB of buffer before every `read` and never asks for more
//! than 8 KiB at a time: measured with callgrind, the zeroing alone was ~6k instructions per
//! reply (a quarter of a `get_value` miss's own work), and a 12 kB value took two or three
//! `recv` calls. This reader keeps one initialised buffer, reads as much as the kernel has,
//! resumes a partly received reply where it stopped (the parser is `resp.rs`), and lets memory
//! follow the bytes that arrive, not the lengths announced. Every wait is under the call's
//! deadline (`stream.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redis::{Cmd, Value};

use super::address::Address;
use super::clock::now_ms;
use super::deadline::Deadline;
#[cfg(fuzzing)]
use super::resp;
use super::resp::{Parser, Step, protocol};
use super::stream::{Stream, WriteFailed};
use crate::errors::{CacheError, CacheResult};

// Fuzzing shrinks the sizes below so that inputs of a few hundred bytes reach every path of
// `recv` (growth, compaction, shrinking).

/// An idle connection is looked at before reuse when it has rested this long: after a Redis
/// restart it is closed, and a command written to it could not tell whether it ran.
const CHECK_AFTER_IDLE_MS: u64 = 100;

/// Enough for most replies in one `read`; larger bulk strings grow the buffer as they arrive.
const READ_CHUNK: usize = if cfg!(fuzzing) { 64 } else { 64 << 10 };
/// The least room a read is given.
const MIN_ROOM: usize = if cfg!(fuzzing) { 16 } else { 4096 };
/// Room reserved ahead for an announced bulk string, at most (past it the buffer doubles with
/// the bytes that did arrive): a length header alone must not cost memory.
const MAX_RESERVE: usize = if cfg!(fuzzing) { 128 } else { 4 << 20 };

pub struct Conn {
    stream: Stream,
    /// Always fully initialised; the unparsed bytes are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    parser: Parser,
    /// When a reply last arrived (or the connection was opened), on `clock::now_ms`'s clock.
    pub last_used: u64,
    /// A Sentinel master's epoch and its value when this connection was opened: once the
    /// epoch moves on (a failover), the connection is not used again.
    retire: Option<(Arc<AtomicU64>, u64)>,
}

impl Conn {
    /// Connects, authenticates and selects the database as `address` says, within `deadline`.
    pub fn connect(
        address: &Address,
        tls: Option<&Arc<rustls::ClientConfig>>,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Conn> {
        let mut conn = Conn::over(Stream::connect(address, tls, deadline)?);
        if let Some(password) = &address.password {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = &address.username {
                auth.arg(user);
            }
            auth.arg(password);
            conn.handshake(&auth, "authentication failed", deadline)?;
        }
        if address.db != 0 {
            conn.handshake(
                redis::cmd("SELECT").arg(address.db),
                "cannot select the database",
                deadline,
            )?;
        }
        Ok(conn)
    }

    pub fn over(stream: Stream) -> Conn {
        Conn {
            stream,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            parser: Parser::default(),
            last_used: now_ms(),
            retire: None,
        }
    }

    fn handshake(&mut self, cmd: &Cmd, what: &str, deadline: &Deadline<'_>) -> CacheResult<()> {
        self.send(&cmd.get_packed_command(), deadline)
            .map_err(|f| f.error)?;
        match self.recv(deadline)? {
            // NOAUTH, WRONGPASS, ERR invalid password: redis-py's AuthenticationError.
            Value::ServerError(e) => Err(
                match CacheError::from_reply(e.code(), e.details().unwrap_or("")) {
                    CacheError::Connection(kind, m) => CacheError::Connection(
                        kind,
                        format!("Redis connection failed: {what}: {m}"),
                    ),
                    // Any other refusal (SELECT of a db the server does not have) is not a passing
                    // network fault: raise it where Frappe's policy would hide a connection error.
                    CacheError::Response(kind, m) => {
                        CacheError::Response(kind, format!("{what}: {m}"))
                    }
                    other => other,
                },
            ),
            _ => Ok(()),
        }
    }

    pub fn send(&mut self, packed: &[u8], deadline: &Deadline<'_>) -> Result<(), WriteFailed> {
        self.stream.write_all(packed, deadline)
    }

    /// Not to be used again once `epoch` has moved past `at`.
    pub fn retire_after(&mut self, epoch: Arc<AtomicU64>, at: u64) {
        self.retire = Some((epoch, at));
    }

    /// Whether this connection must not be reused: its server is no longer the master, or it
    /// rested long enough to be looked at and is already gone (see `Stream::looks_dead`).
    pub fn stale(&self) -> bool {
        self.retired()
            || now_ms().saturating_sub(self.last_used) >= CHECK_AFTER_IDLE_MS
                && self.stream.looks_dead()
    }

    /// Whether its server is no longer the master (a Sentinel failover moved the epoch on).
    pub fn retired(&self) -> bool {
        matches!(&self.retire, Some((epoch, at)) if epoch.load(Ordering::Acquire) != *at)
    }

    /// Whether the server closed this idle connection (or sent something unasked), without
    /// waiting: the client cache's watch over its tracked connection.
    pub fn looks_dead(&self) -> bool {
        self.stream.looks_dead()
    }

    /// One command and its reply; an error reply is an `Err`, classed as redis-py classes it.
    pub fn query(&mut self, cmd: &Cmd, deadline: &Deadline<'_>) -> CacheResult<Value> {
        self.send(&cmd.get_packed_command(), deadline)
            .map_err(|f| f.error)?;
        self.recv(deadline)?
            .extract_error()
            .map_err(CacheError::from)
    }

    /// One command's reply, converted (`FromRedisValue`).
    pub fn query_as<T: redis::FromRedisValue>(
        &mut self,
        cmd: &Cmd,
        deadline: &Deadline<'_>,
    ) -> CacheResult<T> {
        let value = self.query(cmd, deadline)?;
        redis::from_redis_value(value).map_err(|e| CacheError::from(redis::RedisError::from(e)))
    }

    /// The next reply (an error reply is a `Value::ServerError`, not an `Err`).
    pub fn recv(&mut self, deadline: &Deadline<'_>) -> CacheResult<Value> {
        loop {
            let (step, used) = self.parser.step(&self.buf[self.start..self.end])?;
            // The parser never reports more than it was given; checked, as a bad count would
            // otherwise slice out of bounds below.
            self.start = self
                .start
                .checked_add(used)
                .filter(|&s| s <= self.end)
                .ok_or_else(|| protocol("reader bookkeeping"))?;
            let need = match step {
                Step::Reply(value) => {
                    self.last_used = now_ms();
                    return Ok(value);
                }
                Step::Need(need) => need,
            };
            let pending = self.end - self.start;
            if pending == 0 {
                (self.start, self.end) = (0, 0);
                if self.buf.len() > 4 * READ_CHUNK {
                    // A large reply grew the buffer: do not keep megabytes per connection.
                    self.buf = vec![0; READ_CHUNK];
                }
            }
            // Room for what the pending token still needs (a large bulk string), else a little.
            // Reserved ahead: at most MAX_RESERVE or as much as already arrived, so memory
            // follows the bytes received, not the announced length, and growth is geometric.
            let room = need
                .saturating_sub(pending)
                .min(MAX_RESERVE.max(pending))
                .max(MIN_ROOM);
            if self.buf.len() - self.end < room {
                if self.start > 0 {
                    self.buf.copy_within(self.start..self.end, 0);
                    (self.start, self.end) = (0, pending);
                }
                if self.buf.len() - self.end < room {
                    let len = self.end + room.max(READ_CHUNK);
                    // Exact: `room` already doubles, amortized growth would double again.
                    self.buf.reserve_exact(len - self.buf.len());
                    self.buf.resize(len, 0);
                }
            }
            let n = self.stream.read(&mut self.buf[self.end..], deadline)?;
            if n == 0 {
                return Err(CacheError::connection(
                    "Redis connection failed: the server closed the connection",
                ));
            }
            self.end += n;
        }
    }
}

/// The checks of the `resp` fuzz target (fuzz/fuzz_targets/resp.rs). The first two bytes say
/// how the rest is split into reads. For any bytes: no panic; the replies, and whether a
/// protocol error ends them, do not depend on the split, nor on whether `recv` or the bare
/// parser reads them; each reply re-read in one piece is the same value; and `recv`'s buffer
/// follows the bytes received, not announced lengths.
#[cfg(fuzzing)]
pub fn fuzz(data: &[u8]) {
    let (plan, wire) = data.split_at(data.len().min(2));
    let pieces = resp::split(wire, plan);
    let chunked = resp::read_pieces(&pieces);
    assert_eq!(
        chunked,
        resp::read_pieces(&[wire.to_vec()]),
        "the split changed the replies"
    );
    let mut conn = Conn::over(Stream::script(pieces));
    let bound = 2 * wire.len() + MAX_RESERVE + 2 * READ_CHUNK;
    let mut replies = Vec::new();
    let failed = loop {
        let got = conn.recv(&Deadline::after(None));
        assert!(
            conn.buf.len() <= bound,
            "buffer of {} bytes",
            conn.buf.len()
        );
        match got {
            Ok(value) => replies.push(value),
            Err(CacheError::Connection(_, m)) => break m.contains("protocol error"),
            Err(other) => panic!("recv failed with {other:?}"),
        }
    };
    assert_eq!((replies, failed), chunked, "recv and the parser disagree");
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use super::*;
    use crate::transport::address::parse_url;

    /// A loopback server that sends `wire` and hangs up, and a connection to it.
    fn serve(wire: Vec<u8>) -> (Conn, std::thread::JoinHandle<()>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // The client may hang up first.
            let _ = s.write_all(&wire);
        });
        let address = parse_url(&format!("redis://{addr}")).unwrap();
        let conn = Conn::connect(
            &address,
            None,
            &Deadline::after(Some(Duration::from_secs(5))),
        )
        .unwrap();
        (conn, server)
    }

    #[test]
    fn an_announced_length_alone_does_not_grow_the_buffer() {
        let mut wire = b"$500000000\r\n".to_vec();
        wire.resize(wire.len() + (1 << 20), b'x');
        let (mut conn, server) = serve(wire);
        match conn.recv(&Deadline::after(Some(Duration::from_secs(30)))) {
            Err(CacheError::Connection(_, m)) => assert!(m.contains("closed"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(
            conn.buf.len() <= 8 << 20,
            "buffer of {} bytes",
            conn.buf.len()
        );
        server.join().unwrap();
    }

    /// `recv` over replies arriving in reads of any size, a 20 MB bulk string among them: the
    /// buffer grows with the bytes, and shrinks back once the large reply is read.
    #[test]
    fn recv_reads_replies_whatever_the_reads() {
        let big = vec![b'y'; 20 << 20];
        let mut wire = b"+OK\r\n*2\r\n$1\r\na\r\n:5\r\n".to_vec();
        wire.extend_from_slice(format!("${}\r\n", big.len()).as_bytes());
        wire.extend_from_slice(&big);
        wire.extend_from_slice(b"\r\n-ERR x\r\n$-1\r\n");
        for piece in [1 << 10, 7 << 10, 64 << 10, 1 << 20, wire.len()] {
            let pieces: Vec<Vec<u8>> = wire.chunks(piece).map(<[u8]>::to_vec).collect();
            let mut conn = Conn::over(Stream::script(pieces));
            assert_eq!(
                conn.recv(&Deadline::after(Some(Duration::from_secs(30))))
                    .unwrap(),
                Value::Okay
            );
            let pair = vec![Value::BulkString(b"a".to_vec()), Value::Int(5)];
            assert_eq!(
                conn.recv(&Deadline::after(Some(Duration::from_secs(30))))
                    .unwrap(),
                Value::Array(pair)
            );
            assert_eq!(
                conn.recv(&Deadline::after(Some(Duration::from_secs(30))))
                    .unwrap(),
                Value::BulkString(big.clone())
            );
            assert!(
                conn.buf.len() <= 2 * big.len() + MAX_RESERVE,
                "piece {piece}"
            );
            assert!(matches!(
                conn.recv(&Deadline::after(Some(Duration::from_secs(30))))
                    .unwrap(),
                Value::ServerError(_)
            ));
            assert_eq!(
                conn.recv(&Deadline::after(Some(Duration::from_secs(30))))
                    .unwrap(),
                Value::Nil
            );
            assert!(
                conn.recv(&Deadline::after(Some(Duration::from_secs(30))))
                    .is_err(),
                "piece {piece}: a reply past the end"
            );
            assert!(
                conn.buf.len() <= READ_CHUNK,
                "piece {piece}: the large buffer was kept"
            );
        }
    }

    /// Times hostile and large replies through a real socket; a measurement, not a check:
    /// `cargo test --release --lib -- --ignored --nocapture hostile_reply_timings`.
    #[test]
    #[ignore = "a measurement, run by hand"]
    fn hostile_reply_timings() {
        let line = |n: usize| {
            let mut w = vec![b'+'];
            w.resize(n, b'x');
            w
        };
        let header = |len: usize, sent: usize| {
            let mut w = format!("${len}\r\n").into_bytes();
            w.resize(w.len() + sent, b'x');
            w
        };
        let mut bulk = header(64 << 20, 64 << 20);
        bulk.extend_from_slice(b"\r\n");
        let cases = [
            ("16 MB line without CR", line(16 << 20)),
            ("64 MB line without CR", line(64 << 20)),
            (
                "$3000000000 header, 1 MB sent",
                header(3_000_000_000, 1 << 20),
            ),
            ("$500000000 header, 1 MB sent", header(500_000_000, 1 << 20)),
            ("64 MB bulk string", bulk),
        ];
        for (name, wire) in cases {
            let (mut conn, server) = serve(wire);
            let t = std::time::Instant::now();
            let got = conn.recv(&Deadline::after(Some(Duration::from_secs(30))));
            let took = t.elapsed();
            let outcome = match got {
                Ok(Value::BulkString(b)) => format!("a bulk string of {} bytes", b.len()),
                Ok(other) => format!("{other:?}"),
                Err(e) => e.to_string(),
            };
            let buffer = conn.buf.len();
            drop(conn);
            server.join().unwrap();
            eprintln!("{name}: {took:.2?}, buffer {buffer} bytes: {outcome}");
        }
    }
}
