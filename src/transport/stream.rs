//! A connection's byte stream (TCP, Unix socket, or TLS over TCP), with every wait under the
//! call's `Deadline`.
//!
//! Each socket read or write waits at most one slice of the deadline (`SO_RCVTIMEO` /
//! `SO_SNDTIMEO`, set only when the wanted value changes, so a busy connection makes no extra
//! system call), then the deadline is checked: a server that stalls, or drip-feeds one byte at a
//! time, cannot hold a call past its deadline. TLS records are moved through rustls here, one
//! socket read or write at a time, for the same reason.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::fd::{AsRawFd, RawFd};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConnection;

use super::address::{Address, Target};
use super::deadline::Deadline;
use super::tls;
use crate::errors::{CacheError, CacheResult};

/// A write that failed, and whether any of it reached the socket (then the server may act on
/// it: a command that must not run twice is not sent again).
#[derive(Debug)]
pub struct WriteFailed {
    pub error: CacheError,
    pub reached: bool,
}

pub trait Socket: Read + Write {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()>;
    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()>;
    #[cfg(unix)]
    fn fd(&self) -> RawFd;
}

impl Socket for TcpStream {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, t)
    }
    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        TcpStream::set_write_timeout(self, t)
    }
    #[cfg(unix)]
    fn fd(&self) -> RawFd {
        self.as_raw_fd()
    }
}

#[cfg(unix)]
impl Socket for UnixStream {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        UnixStream::set_read_timeout(self, t)
    }
    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        UnixStream::set_write_timeout(self, t)
    }
    fn fd(&self) -> RawFd {
        self.as_raw_fd()
    }
}

/// A socket and the timeouts last set on it.
pub struct Timed<S> {
    socket: S,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// The slice a wait gets, in whole milliseconds: a deadline's last slice shrinks on every
/// read, and rounding keeps the timeout system calls to one per millisecond at most.
fn whole_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis().max(1).min(u64::MAX as u128) as u64)
}

fn waiting(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl<S: Socket> Timed<S> {
    fn new(socket: S) -> Self {
        Timed {
            socket,
            read_timeout: None,
            write_timeout: None,
        }
    }

    fn read(&mut self, buf: &mut [u8], deadline: &Deadline<'_>) -> CacheResult<usize> {
        loop {
            let wait = Some(whole_ms(deadline.slice()?));
            if self.read_timeout != wait {
                self.socket.set_read_timeout(wait).map_err(io_error)?;
                self.read_timeout = wait;
            }
            match self.socket.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if waiting(&e) => deadline.check()?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(e)),
            }
        }
    }

    fn write_all(&mut self, mut buf: &[u8], deadline: &Deadline<'_>) -> Result<(), WriteFailed> {
        let mut reached = false;
        let failed = |error, reached| WriteFailed { error, reached };
        while !buf.is_empty() {
            let wait = Some(whole_ms(deadline.slice().map_err(|e| failed(e, reached))?));
            if self.write_timeout != wait {
                self.socket
                    .set_write_timeout(wait)
                    .map_err(|e| failed(io_error(e), reached))?;
                self.write_timeout = wait;
            }
            match self.socket.write(buf) {
                Ok(0) => return Err(failed(io_error(io::ErrorKind::WriteZero.into()), reached)),
                Ok(n) => {
                    reached = true;
                    buf = &buf[n..];
                }
                Err(e) if waiting(&e) => deadline.check().map_err(|e| failed(e, reached))?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(failed(io_error(e), reached)),
            }
        }
        Ok(())
    }

    /// What a look at an idle connection finds, without waiting.
    #[cfg(unix)]
    fn idle_state(&self) -> Idle {
        let mut byte = 0u8;
        // SAFETY: a one-byte buffer we own, a socket descriptor we own; MSG_PEEK|MSG_DONTWAIT
        // neither consumes data nor blocks.
        let n = unsafe {
            libc::recv(
                self.socket.fd(),
                (&raw mut byte).cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        match n {
            0 => Idle::Closed,
            n if n > 0 => Idle::Data,
            _ if io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock => Idle::Quiet,
            _ => Idle::Closed,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Idle {
    Quiet,
    Data,
    Closed,
}

pub enum Stream {
    Tcp(Timed<TcpStream>),
    #[cfg(unix)]
    Unix(Timed<UnixStream>),
    Tls(Box<TlsStream>),
    /// Replies from memory, handed out in these pieces, then end of stream: tests and fuzzing
    /// drive a connection's reader with it.
    #[cfg(any(test, fuzzing))]
    Script(std::collections::VecDeque<Vec<u8>>),
}

impl Stream {
    /// Connects to `address` (TLS handshake included) within `deadline`.
    pub fn connect(
        address: &Address,
        tls_config: Option<&Arc<rustls::ClientConfig>>,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Stream> {
        match &address.target {
            Target::Tcp { host, port } => {
                let socket = connect_tcp(host, *port, deadline)?;
                match (address.tls, tls_config) {
                    (true, Some(config)) => {
                        match TlsStream::handshake(
                            Timed::new(socket),
                            config,
                            host,
                            address,
                            deadline,
                        ) {
                            Ok(tls) => Ok(Stream::Tls(Box::new(tls))),
                            // A plain Redis never answers a TLS hello: say so, rather than time out
                            // on every call.
                            Err(CacheError::Timeout(m)) if speaks_plain_resp(host, *port) => {
                                Err(plaintext(address).unwrap_or(CacheError::Timeout(m)))
                            }
                            Err(e) => Err(e),
                        }
                    }
                    (true, None) => Err(CacheError::Config(
                        "a rediss:// URL needs TLS settings".into(),
                    )),
                    (false, _) => Ok(Stream::Tcp(Timed::new(socket))),
                }
            }
            #[cfg(unix)]
            Target::Unix(path) => {
                let socket = UnixStream::connect(path).map_err(|e| {
                    CacheError::connection(format!(
                        "Redis connection failed: {}: {e}",
                        path.display()
                    ))
                })?;
                Ok(Stream::Unix(Timed::new(socket)))
            }
            #[cfg(not(unix))]
            Target::Unix(_) => Err(CacheError::Config("unix:// needs a Unix system".into())),
        }
    }

    #[cfg(any(test, fuzzing))]
    pub fn script(pieces: impl IntoIterator<Item = Vec<u8>>) -> Stream {
        Stream::Script(pieces.into_iter().collect())
    }

    /// Reads what has arrived (at least one byte), `Ok(0)` at the end of the stream.
    pub fn read(&mut self, buf: &mut [u8], deadline: &Deadline<'_>) -> CacheResult<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf, deadline),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf, deadline),
            Stream::Tls(s) => s.read(buf, deadline),
            #[cfg(any(test, fuzzing))]
            Stream::Script(pieces) => {
                let Some(mut piece) = pieces.pop_front() else {
                    return Ok(0);
                };
                let n = piece.len().min(buf.len());
                buf[..n].copy_from_slice(&piece[..n]);
                if n < piece.len() {
                    pieces.push_front(piece.split_off(n));
                }
                Ok(n)
            }
        }
    }

    pub fn write_all(&mut self, buf: &[u8], deadline: &Deadline<'_>) -> Result<(), WriteFailed> {
        match self {
            Stream::Tcp(s) => s.write_all(buf, deadline),
            #[cfg(unix)]
            Stream::Unix(s) => s.write_all(buf, deadline),
            Stream::Tls(s) => s.write_all(buf, deadline),
            #[cfg(any(test, fuzzing))]
            Stream::Script(_) => Ok(()),
        }
    }

    /// Whether an idle connection is already gone (the server closed it, or sent something
    /// no command asked for): checked before reusing one, so a command is not written to a
    /// dead socket, where it could not tell whether it ran.
    pub fn looks_dead(&self) -> bool {
        match self {
            #[cfg(unix)]
            Stream::Tcp(s) => s.idle_state() != Idle::Quiet,
            #[cfg(unix)]
            Stream::Unix(s) => s.idle_state() != Idle::Quiet,
            // TLS may have records in flight that are not replies (a session ticket): only a
            // closed socket counts.
            #[cfg(unix)]
            Stream::Tls(s) => s.socket.idle_state() == Idle::Closed,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

/// TCP connect to each address `host` resolves to until one answers, within the deadline; a
/// socket connected to itself (a port in the ephemeral range with nothing listening, while we
/// retry) is closed and counted as refused.
fn connect_tcp(host: &str, port: u16, deadline: &Deadline<'_>) -> CacheResult<TcpStream> {
    let failed = |e: io::Error| {
        if waiting(&e) {
            CacheError::Timeout(format!(
                "Redis did not answer in time: connecting to {host}:{port}: {e} (while connecting)"
            ))
        } else {
            CacheError::connection(format!("Redis connection failed: {host}:{port}: {e}"))
        }
    };
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        "the host name resolved to no address",
    );
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(failed)?.collect();
    for addr in addrs {
        let stream = match deadline.remaining() {
            Some(left) if left.is_zero() => return Err(deadline.timed_out()),
            Some(left) => TcpStream::connect_timeout(&addr, left),
            None => TcpStream::connect(addr),
        };
        match stream {
            Ok(stream) => {
                if let (Ok(local), Ok(peer)) = (stream.local_addr(), stream.peer_addr()) {
                    if local == peer {
                        // Closed with an RST (no linger): no TIME_WAIT left holding the port.
                        #[cfg(unix)]
                        abort(&stream);
                        last = io::Error::new(
                            io::ErrorKind::ConnectionRefused,
                            "connection refused (the socket connected to itself: nothing listens there)",
                        );
                        continue;
                    }
                }
                // Small request/response round trips: never let Nagle hold a GET back.
                stream.set_nodelay(true).map_err(failed)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(failed(last))
}

fn plaintext(address: &Address) -> Option<CacheError> {
    Some(CacheError::Config(format!(
        "the rediss:// URL asks for TLS, but {} speaks plain RESP: it does not speak TLS \
         there; use a redis:// URL (or the server's TLS port)",
        address.describe()
    )))
}

/// After a TLS handshake got no answer: whether a plain `PING` there gets a RESP reply (a
/// quarter of a second at most, only on that error path).
fn speaks_plain_resp(host: &str, port: u16) -> bool {
    let probe = Duration::from_millis(250);
    let Some(addr) = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return false;
    };
    let Ok(mut s) = TcpStream::connect_timeout(&addr, probe) else {
        return false;
    };
    let mut first = [0u8; 1];
    s.set_read_timeout(Some(probe)).is_ok()
        && s.set_write_timeout(Some(probe)).is_ok()
        && s.write_all(b"PING\r\n").is_ok()
        && matches!(s.read(&mut first), Ok(1))
        && matches!(first[0], b'+' | b'-')
}

/// Makes the coming close an abortive one (RST), leaving nothing in TIME_WAIT.
#[cfg(unix)]
fn abort(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a socket descriptor we own, and a `linger` of the size passed.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

pub fn io_error(e: io::Error) -> CacheError {
    if waiting(&e) {
        CacheError::Timeout(format!("Redis did not answer in time: {e}"))
    } else {
        CacheError::connection(format!("Redis connection failed: {e}"))
    }
}

/// TLS over a TCP socket: ciphertext moves between the socket and rustls one read or write at
/// a time, each under the deadline.
pub struct TlsStream {
    socket: Timed<TcpStream>,
    session: ClientConnection,
    /// Ciphertext read from the socket and not yet handed to rustls.
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
}

const TLS_READ: usize = 16 << 10;

impl TlsStream {
    fn handshake(
        socket: Timed<TcpStream>,
        config: &Arc<rustls::ClientConfig>,
        host: &str,
        address: &Address,
        deadline: &Deadline<'_>,
    ) -> CacheResult<TlsStream> {
        let session = ClientConnection::new(Arc::clone(config), tls::server_name(host)?)
            .map_err(|e| CacheError::Config(format!("TLS: {e}")))?;
        let mut stream = TlsStream {
            socket,
            session,
            incoming: vec![0; TLS_READ],
            outgoing: Vec::new(),
        };
        let mut first: Vec<u8> = Vec::new();
        while stream.session.is_handshaking() {
            stream.flush(deadline).map_err(|f| f.error)?;
            if !stream.session.is_handshaking() {
                break;
            }
            let n = stream.socket.read(&mut stream.incoming, deadline)?;
            if n == 0 {
                return Err(CacheError::connection(format!(
                    "Redis connection failed: {}: the server closed the connection during the TLS handshake",
                    address.describe()
                )));
            }
            if first.len() < 8 {
                first.extend_from_slice(&stream.incoming[..n.min(8)]);
            }
            let mut slice = &stream.incoming[..n];
            while !slice.is_empty() {
                stream.session.read_tls(&mut slice).map_err(io_error)?;
                if let Err(e) = stream.session.process_new_packets() {
                    // A plain Redis may answer a TLS hello with a RESP error line.
                    if matches!(first.first(), Some(b'-' | b'+' | b'$' | b'*' | b':')) {
                        return Err(
                            plaintext(address).unwrap_or_else(|| CacheError::connection("TLS"))
                        );
                    }
                    return Err(CacheError::connection(format!(
                        "Redis connection failed: {}: TLS handshake: {e}",
                        address.describe()
                    )));
                }
            }
        }
        stream.flush(deadline).map_err(|f| f.error)?;
        Ok(stream)
    }

    /// Writes what rustls has queued for the socket.
    fn flush(&mut self, deadline: &Deadline<'_>) -> Result<(), WriteFailed> {
        while self.session.wants_write() {
            self.outgoing.clear();
            self.session
                .write_tls(&mut self.outgoing)
                .map_err(|e| WriteFailed {
                    error: io_error(e),
                    reached: false,
                })?;
            self.socket.write_all(&self.outgoing, deadline)?;
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], deadline: &Deadline<'_>) -> CacheResult<usize> {
        loop {
            match self.session.reader().read(buf) {
                Ok(n) => return Ok(n), // 0: the server closed the session cleanly
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(io_error(e)),
            }
            let n = self.socket.read(&mut self.incoming, deadline)?;
            if n == 0 {
                return Ok(0);
            }
            let mut slice = &self.incoming[..n];
            while !slice.is_empty() {
                self.session.read_tls(&mut slice).map_err(io_error)?;
                self.session.process_new_packets().map_err(|e| {
                    CacheError::connection(format!("Redis connection failed: TLS: {e}"))
                })?;
            }
            // A key update or an alert may want an answer.
            self.flush(deadline).map_err(|f| f.error)?;
        }
    }

    fn write_all(&mut self, buf: &[u8], deadline: &Deadline<'_>) -> Result<(), WriteFailed> {
        self.session
            .writer()
            .write_all(buf)
            .map_err(|e| WriteFailed {
                error: io_error(e),
                reached: false,
            })?;
        self.flush(deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_stalled_read_ends_at_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let _server = std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_secs(2));
            drop(s);
        });
        let deadline = Deadline::after(Some(Duration::from_millis(300)));
        let mut stream = Stream::Tcp(Timed::new(
            connect_tcp("127.0.0.1", port, &deadline).unwrap(),
        ));
        let start = std::time::Instant::now();
        let mut buf = [0u8; 16];
        let got = stream.read(&mut buf, &deadline);
        assert!(matches!(got, Err(CacheError::Timeout(_))), "{got:?}");
        assert!(
            start.elapsed() < Duration::from_millis(450),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn an_idle_connection_closed_by_the_server_looks_dead() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let deadline = Deadline::after(Some(Duration::from_secs(2)));
        let stream = Stream::Tcp(Timed::new(
            connect_tcp("127.0.0.1", port, &deadline).unwrap(),
        ));
        let (accepted, _) = listener.accept().unwrap();
        assert!(!stream.looks_dead());
        drop(accepted);
        std::thread::sleep(Duration::from_millis(50));
        assert!(stream.looks_dead());
    }
}
