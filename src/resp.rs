//! The shared connection's socket: a plain TCP or Unix stream with a RESP2 reply reader.
//!
//! redis-rs' blocking reader zeroes 8 KiB of buffer before every `read` and never asks for more
//! than 8 KiB at a time: measured with callgrind, the zeroing alone was ~6k instructions per
//! reply (a quarter of a `get_value` miss's own work), and a 12 kB value took two or three
//! `recv` calls. This reader keeps one initialised buffer, reads as much as the kernel has, and
//! resumes a partly received reply where it stopped. TLS connections keep redis-rs' reader.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::Duration;

use redis::{ConnectionAddr, ConnectionInfo, Value};

use crate::errors::{CacheError, CacheResult};

/// Enough for most replies in one `read`; larger bulk strings grow the buffer to fit.
const READ_CHUNK: usize = 64 * 1024;
/// Nesting deeper than this is not a reply Redis sends to our commands.
const MAX_DEPTH: usize = 64;
/// Redis refuses values over 512 MB unless configured otherwise; a length past this is garbage,
/// not a reason to allocate.
const MAX_BULK: i64 = 4 << 30;

enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Stream {
    fn set_timeouts(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(timeout)?;
                s.set_write_timeout(timeout)
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                s.set_read_timeout(timeout)?;
                s.set_write_timeout(timeout)
            }
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.write_all(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write_all(buf),
        }
    }
}

pub struct RespConn {
    stream: Stream,
    /// Always fully initialised; the unparsed bytes are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    parser: Parser,
}

impl RespConn {
    /// Connects and authenticates as `info` says, or `None` for a TLS address (left to redis-rs).
    pub fn connect(
        info: &ConnectionInfo,
        connect_timeout: Option<Duration>,
        socket_timeout: Option<Duration>,
    ) -> CacheResult<Option<RespConn>> {
        let stream = match info.addr() {
            ConnectionAddr::Tcp(host, port) => {
                Stream::Tcp(connect_tcp(host, *port, connect_timeout)?)
            }
            #[cfg(unix)]
            ConnectionAddr::Unix(path) => Stream::Unix(UnixStream::connect(path).map_err(|e| {
                CacheError::Connection(format!("Redis connection failed: {}: {e}", path.display()))
            })?),
            _ => return Ok(None),
        };
        let mut conn = RespConn {
            stream,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            parser: Parser::default(),
        };
        // The handshake is part of connecting: it gets the connect timeout.
        conn.stream
            .set_timeouts(connect_timeout)
            .map_err(io_error)?;
        let settings = info.redis_settings();
        if let Some(password) = settings.password() {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = settings.username() {
                auth.arg(user);
            }
            auth.arg(password);
            conn.handshake(&auth, "authentication failed")?;
        }
        if settings.db() != 0 {
            conn.handshake(
                redis::cmd("SELECT").arg(settings.db()),
                "cannot select the database",
            )?;
        }
        conn.stream.set_timeouts(socket_timeout).map_err(io_error)?;
        Ok(Some(conn))
    }

    fn handshake(&mut self, cmd: &redis::Cmd, what: &str) -> CacheResult<()> {
        self.send(&cmd.get_packed_command())?;
        match self.recv()? {
            Value::ServerError(e) => Err(CacheError::Connection(format!(
                "Redis connection failed: {what}: {}",
                e.details().unwrap_or(e.code())
            ))),
            _ => Ok(()),
        }
    }

    pub fn send(&mut self, packed: &[u8]) -> CacheResult<()> {
        self.stream.write_all(packed).map_err(io_error)
    }

    /// The next reply (an error reply is a `Value::ServerError`, not an `Err`).
    pub fn recv(&mut self) -> CacheResult<Value> {
        loop {
            let (step, used) = self.parser.step(&self.buf[self.start..self.end])?;
            self.start += used;
            let need = match step {
                Step::Reply(value) => return Ok(value),
                Step::Need(need) => need,
            };
            let pending = self.end - self.start;
            if pending == 0 {
                (self.start, self.end) = (0, 0);
                if self.buf.len() > 4 * READ_CHUNK {
                    // A large reply grew the buffer: do not keep megabytes per wrapper.
                    self.buf = vec![0; READ_CHUNK];
                }
            }
            // Room to read what the pending token needs (a large bulk string), else a chunk.
            let room = need.saturating_sub(pending).max(4096);
            if self.buf.len() - self.end < room {
                self.buf.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, pending);
                if self.buf.len() - self.end < room {
                    self.buf.resize(self.end + room.max(READ_CHUNK), 0);
                }
            }
            let n = self
                .stream
                .read(&mut self.buf[self.end..])
                .map_err(io_error)?;
            if n == 0 {
                return Err(CacheError::Connection(
                    "Redis connection failed: the server closed the connection".into(),
                ));
            }
            self.end += n;
        }
    }
}

fn connect_tcp(host: &str, port: u16, timeout: Option<Duration>) -> CacheResult<TcpStream> {
    let failed = |e: io::Error| {
        if matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) {
            CacheError::Timeout(format!(
                "Redis did not answer in time: connecting to {host}:{port}: {e} (while connecting)"
            ))
        } else {
            CacheError::Connection(format!("Redis connection failed: {host}:{port}: {e}"))
        }
    };
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        "the host name resolved to no address",
    );
    for addr in (host, port).to_socket_addrs().map_err(failed)? {
        let stream = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match stream {
            Ok(stream) => {
                // Small request/response round trips: never let Nagle hold a GET back.
                stream.set_nodelay(true).map_err(failed)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(failed(last))
}

fn io_error(e: io::Error) -> CacheError {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            CacheError::Timeout(format!("Redis did not answer in time: {e}"))
        }
        _ => CacheError::Connection(format!("Redis connection failed: {e}")),
    }
}

enum Step {
    Reply(Value),
    /// More bytes are needed: at least this many from the current position (0: unknown).
    Need(usize),
}

/// An array still being filled.
struct Frame {
    want: usize,
    items: Vec<Value>,
}

/// A RESP2 reply parser that can stop at any byte and resume: complete tokens are consumed and
/// partly built arrays kept, so a large reply arriving in many reads is scanned once.
#[derive(Default)]
struct Parser {
    stack: Vec<Frame>,
}

enum Token {
    Value(Value),
    Array(usize),
}

impl Parser {
    /// Consumes complete tokens from `data`; returns the reply once it is whole, and how many
    /// bytes were used.
    fn step(&mut self, data: &[u8]) -> CacheResult<(Step, usize)> {
        let mut used = 0;
        loop {
            let (token, len) = match token(&data[used..])? {
                Ok(done) => done,
                Err(need) => return Ok((Step::Need(need), used)),
            };
            used += len;
            let mut value = match token {
                Token::Value(v) => v,
                Token::Array(0) => Value::Array(Vec::new()),
                Token::Array(n) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(protocol("replies nested too deeply"));
                    }
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
}

/// One token from the start of `data`: `Ok((token, bytes used))`, or `Err(bytes needed)`.
fn token(data: &[u8]) -> CacheResult<Result<(Token, usize), usize>> {
    let Some(&kind) = data.first() else {
        return Ok(Err(0));
    };
    let Some(cr) = data.iter().position(|&b| b == b'\r') else {
        return Ok(Err(0));
    };
    if cr + 1 >= data.len() {
        return Ok(Err(cr + 2));
    }
    if data[cr + 1] != b'\n' {
        return Err(protocol("a line without \\r\\n"));
    }
    let line = &data[1..cr];
    let after = cr + 2;
    let token = match kind {
        b'+' if line == b"OK" => Token::Value(Value::Okay),
        b'+' => Token::Value(Value::SimpleString(
            String::from_utf8_lossy(line).into_owned(),
        )),
        // Redis' own parser turns the line into its error codes (ERR, WRONGTYPE, NOAUTH, ...).
        b'-' => Token::Value(
            redis::parse_redis_value(&data[..after]).map_err(|e| protocol(&e.to_string()))?,
        ),
        b':' => Token::Value(Value::Int(number(line)?)),
        b'$' => match number(line)? {
            -1 => Token::Value(Value::Nil),
            n if (0..=MAX_BULK).contains(&n) => {
                let n = usize::try_from(n).map_err(|_| protocol("bulk length"))?;
                let total = after + n + 2;
                if data.len() < total {
                    return Ok(Err(total));
                }
                if &data[after + n..total] != b"\r\n" {
                    return Err(protocol("a bulk string longer than announced"));
                }
                return Ok(Ok((
                    Token::Value(Value::BulkString(data[after..after + n].to_vec())),
                    total,
                )));
            }
            _ => return Err(protocol("a bulk length out of range")),
        },
        b'*' => match number(line)? {
            -1 => Token::Value(Value::Nil),
            n if n >= 0 => Token::Array(usize::try_from(n).map_err(|_| protocol("array length"))?),
            _ => return Err(protocol("a negative array length")),
        },
        other => {
            return Err(protocol(&format!(
                "unexpected reply type byte {other:#04x}"
            )));
        }
    };
    Ok(Ok((token, after)))
}

fn number(line: &[u8]) -> CacheResult<i64> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| protocol("a malformed number"))
}

fn protocol(what: &str) -> CacheError {
    // The stream is out of step with the replies: the connection must not be used again.
    CacheError::Connection(format!("Redis connection failed: protocol error: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            let mut parser = Parser::default();
            match parser.step(wire) {
                Err(CacheError::Connection(m)) => assert!(m.contains("protocol error"), "{m}"),
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

    /// Times hostile and large replies through a real socket; a measurement, not a check:
    /// `cargo test --release --lib -- --ignored --nocapture hostile_reply_timings`.
    #[test]
    #[ignore = "a measurement, run by hand"]
    fn hostile_reply_timings() {
        use redis::IntoConnectionInfo;
        use std::net::TcpListener;
        use std::time::Instant;

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
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let server = std::thread::spawn(move || {
                let (mut s, _) = listener.accept().unwrap();
                // The client may hang up first.
                let _ = s.write_all(&wire);
            });
            let info = format!("redis://{addr}").into_connection_info().unwrap();
            let mut conn = RespConn::connect(&info, None, None).unwrap().unwrap();
            let t = Instant::now();
            let got = conn.recv();
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
