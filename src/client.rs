//! Connections: URL parsing, command execution with one reconnect, and two ways to a socket.
//!
//! Everything here runs with the GIL released (the wrapper calls in through `py.detach`), so it
//! never touches Python objects. Single commands go through one shared, implicitly pipelined
//! connection (`mux`); work that holds a connection for several round trips or may block it
//! (SCAN loops, pipelines, arbitrary commands) borrows one of its own from a small pool.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use redis::io::tcp::TcpSettings;
use redis::{
    Cmd, Connection, ConnectionAddr, ConnectionInfo, FromRedisValue, IntoConnectionInfo, Pipeline,
};

use crate::errors::{CacheError, CacheResult};
use crate::mux::{Mux, MuxConn};
use crate::resp::RespConn;

#[derive(Clone, Debug, Default)]
pub struct Tls {
    /// PEM file of the CA that signed the server's certificate (else the system's trust store).
    pub ca_certs: Option<String>,
    /// PEM client certificate and key, for servers that require mutual TLS.
    pub certfile: Option<String>,
    pub keyfile: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub connect_timeout: Option<Duration>,
    pub socket_timeout: Option<Duration>,
    pub max_connections: usize,
    pub tls: Tls,
}

impl Default for Options {
    fn default() -> Self {
        // Frappe has no timeouts at all, so a stalled Redis hangs every worker forever.
        Options {
            connect_timeout: Some(Duration::from_secs(5)),
            socket_timeout: Some(Duration::from_secs(5)),
            max_connections: 64,
            tls: Tls::default(),
        }
    }
}

/// Parses a `redis://`, `rediss://` or `unix://` URL, explaining what is wrong when it can't.
pub fn parse_url(url: &str) -> CacheResult<ConnectionInfo> {
    let bad = |why: &str| {
        CacheError::Config(format!(
            "invalid Redis URL {:?}: {why}; expected redis://[[user]:password@]host[:port][/db], \
             rediss://... or unix:///path/to/redis.sock[?db=N]",
            mask_password(url)
        ))
    };
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("redis" | "rediss" | "unix" | "redis+unix" | "valkey" | "valkeys") => {}
        Some(other) => return Err(bad(&format!("unsupported scheme '{other}://'"))),
        None => return Err(bad("it has no scheme")),
    }
    let info = url
        .into_connection_info()
        .map_err(|e| bad(e.detail().unwrap_or(&e.to_string())))?;
    if let ConnectionAddr::Tcp(host, _) | ConnectionAddr::TcpTls { host, .. } = info.addr() {
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
    }
    // No CLIENT SETINFO on connect: it is one more round trip per connection, and on a frozen
    // server each of its replies waits out the connect timeout again.
    let redis = info.redis_settings().clone().set_skip_set_lib_name();
    // Small request/response round trips: never let Nagle hold a GET back.
    Ok(info
        .set_redis_settings(redis)
        .set_tcp_settings(TcpSettings::default().set_nodelay(true)))
}

/// The URL with any password replaced by `***`, for reprs and error messages.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((creds, host)) => {
            let user = creds.split_once(':').map_or(creds, |(u, _)| u);
            let masked = if creds.contains(':') {
                format!("{user}:***")
            } else {
                "***".into()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// Bumped in a forked child (`os.register_at_fork`, set up by the package): comparing it costs
/// an atomic load, where asking for the pid is a system call on every command.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

pub(crate) fn fork_generation() -> u64 {
    FORK_GENERATION.load(Ordering::Relaxed)
}

/// Called in the child after `os.fork()`: every pool opens fresh connections from now on.
#[pyo3::pyfunction]
pub fn _after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

struct Idle {
    connections: Vec<Connection>,
    /// Connections that exist, idle or lent out.
    open: usize,
    /// The fork generation they were opened in: a forked child must not share its parent's
    /// sockets.
    generation: u64,
}

pub struct Client {
    client: redis::Client,
    options: Options,
    /// The shared, implicitly pipelined connection for single commands.
    mux: Mux,
    idle: Mutex<Idle>,
    returned: Condvar,
}

/// A connection lent by the pool; goes back on drop unless it broke.
struct Lease<'a> {
    pool: &'a Client,
    conn: Option<Connection>,
    /// Whether it came from the idle list (and so may have died while idle).
    reused: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut idle = self.pool.idle.lock();
        match self.conn.take() {
            Some(conn) if idle.generation == fork_generation() => idle.connections.push(conn),
            Some(_) => {}
            None => idle.open = idle.open.saturating_sub(1),
        }
        drop(idle);
        self.pool.returned.notify_one();
    }
}

impl Client {
    pub fn new(info: ConnectionInfo, options: Options) -> CacheResult<Client> {
        let tls = &options.tls;
        let client = if tls.ca_certs.is_none() && tls.certfile.is_none() && tls.keyfile.is_none() {
            redis::Client::open(info)?
        } else {
            if !matches!(info.addr(), ConnectionAddr::TcpTls { .. }) {
                return Err(CacheError::Config(
                    "ssl_ca_certs / ssl_certfile / ssl_keyfile need a rediss:// URL".into(),
                ));
            }
            let read = |what: &str, path: &str| {
                std::fs::read(path)
                    .map_err(|e| CacheError::Config(format!("cannot read {what} {path:?}: {e}")))
            };
            let client_tls = match (&tls.certfile, &tls.keyfile) {
                (Some(cert), Some(key)) => Some(redis::ClientTlsConfig {
                    client_cert: read("ssl_certfile", cert)?,
                    client_key: read("ssl_keyfile", key)?,
                }),
                (None, None) => None,
                _ => {
                    return Err(CacheError::Config(
                        "mutual TLS needs both ssl_certfile and ssl_keyfile".into(),
                    ));
                }
            };
            let root_cert = tls
                .ca_certs
                .as_deref()
                .map(|p| read("ssl_ca_certs", p))
                .transpose()?;
            redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls,
                    root_cert,
                },
            )?
        };
        Ok(Client {
            client,
            options,
            mux: Mux::new(),
            idle: Mutex::new(Idle {
                connections: Vec::new(),
                open: 0,
                generation: fork_generation(),
            }),
            returned: Condvar::new(),
        })
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Closes the idle connections; lent ones close when they come back after a `fork`.
    pub fn close(&self) {
        self.mux.close();
        let mut idle = self.idle.lock();
        let closed = std::mem::take(&mut idle.connections);
        idle.open = idle.open.saturating_sub(closed.len());
        drop(idle);
        drop(closed);
    }

    fn lease(&self, fresh: bool) -> CacheResult<Lease<'_>> {
        let deadline = self.options.connect_timeout.map(|t| Instant::now() + t);
        let mut idle = self.idle.lock();
        let generation = fork_generation();
        if idle.generation != generation {
            // After fork: the inherited sockets belong to the parent. Forget them unused.
            let inherited = std::mem::take(&mut idle.connections);
            std::mem::forget(inherited);
            idle.open = 0;
            idle.generation = generation;
        }
        loop {
            if !fresh {
                if let Some(conn) = idle.connections.pop() {
                    return Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                        reused: true,
                    });
                }
            } else if let Some(stale) = idle.connections.pop() {
                // A reconnect was asked for: idle connections likely died with the server too.
                idle.open -= 1;
                drop(stale);
                continue;
            }
            if idle.open < self.options.max_connections {
                idle.open += 1;
                drop(idle);
                return match self.connect() {
                    Ok(conn) => Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                        reused: false,
                    }),
                    Err(err) => {
                        self.idle.lock().open -= 1;
                        self.returned.notify_one();
                        Err(err)
                    }
                };
            }
            let timed_out = match deadline {
                Some(deadline) => self.returned.wait_until(&mut idle, deadline).timed_out(),
                None => {
                    self.returned.wait(&mut idle);
                    false
                }
            };
            if timed_out {
                return Err(CacheError::Timeout(format!(
                    "all {} pooled Redis connections stayed busy; raise max_connections",
                    self.options.max_connections
                )));
            }
        }
    }

    /// The shared connection: our own socket and reader, except over TLS.
    fn connect_shared(&self) -> CacheResult<MuxConn> {
        let o = &self.options;
        let info = self.client.get_connection_info();
        match RespConn::connect(info, o.connect_timeout, o.socket_timeout)? {
            Some(conn) => Ok(MuxConn::Resp(conn)),
            None => Ok(MuxConn::Redis(self.connect()?)),
        }
    }

    fn connect(&self) -> CacheResult<Connection> {
        let conn = match self.options.connect_timeout {
            Some(t) => self.client.get_connection_with_timeout(t),
            None => self.client.get_connection(),
        }
        .map_err(|e| match CacheError::from(e) {
            CacheError::Timeout(m) => CacheError::Timeout(format!("{m} (while connecting)")),
            other => other,
        })?;
        conn.set_read_timeout(self.options.socket_timeout)?;
        conn.set_write_timeout(self.options.socket_timeout)?;
        Ok(conn)
    }

    /// Runs `f` on a pooled connection. A connection that broke while idle (the server restarted,
    /// an idle timeout closed it) is replaced and `f` retried once on a fresh one. A connection
    /// that failed in any other way is closed, never reused.
    pub fn run<T>(
        &self,
        mut f: impl FnMut(&mut Connection) -> redis::RedisResult<T>,
    ) -> CacheResult<T> {
        let mut lease = self.lease(false)?;
        let first = match lease.conn.as_mut() {
            Some(conn) => f(conn),
            None => return Err(CacheError::connection("no connection")),
        };
        match first {
            Ok(v) => Ok(v),
            Err(err) => {
                let err = CacheError::from(err);
                let retry = lease.reused && err.is_connection();
                if !matches!(err, CacheError::Response(..)) {
                    lease.conn = None; // its state is unknown: close it
                }
                drop(lease);
                if !retry {
                    return Err(err);
                }
                let mut lease = self.lease(true)?;
                let result = match lease.conn.as_mut() {
                    Some(conn) => f(conn),
                    None => return Err(err),
                };
                result.map_err(|e| {
                    let e = CacheError::from(e);
                    if !matches!(e, CacheError::Response(..)) {
                        lease.conn = None;
                    }
                    e
                })
            }
        }
    }

    /// One command on the shared connection (see `mux`), batched with other threads' commands.
    /// For commands that do not block the connection.
    pub fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> CacheResult<T> {
        let reply = self.mux.query(cmd, &|| self.connect_shared())?;
        redis::from_redis_value(reply).map_err(|e| CacheError::from(redis::RedisError::from(e)))
    }

    /// One command on a connection of its own (a blocking command such as BLPOP must not hold
    /// up every other thread's commands).
    pub fn query_exclusive<T: FromRedisValue>(&self, cmd: &Cmd) -> CacheResult<T> {
        self.run(|conn| cmd.query(conn))
    }

    pub fn query_pipeline<T: FromRedisValue>(&self, pipe: &Pipeline) -> CacheResult<T> {
        self.run(|conn| pipe.query(conn))
    }

    /// Runs a pipeline built with `ignore_errors()` for its effect: the first error reply, if
    /// any, is the result, classed as a single command's would be (redis-rs would fold them into
    /// one unclassified "pipeline failure").
    pub fn run_pipeline(&self, pipe: &Pipeline) -> CacheResult<()> {
        let replies: Vec<redis::Value> = self.query_pipeline(pipe)?;
        for reply in replies {
            if let redis::Value::ServerError(e) = reply {
                return Err(CacheError::from(redis::RedisError::from(e)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_db_user_and_password() {
        let info = parse_url("redis://alice:s3cret@127.0.0.1:13000/2").unwrap();
        assert_eq!(info.redis_settings().db(), 2);
        assert_eq!(info.redis_settings().username(), Some("alice"));
        assert_eq!(info.redis_settings().password(), Some("s3cret"));
        assert!(info.tcp_settings().nodelay());
        let unix = parse_url("unix:///tmp/redis.sock?db=3").unwrap();
        assert_eq!(unix.redis_settings().db(), 3);
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, why) in [
            ("http://localhost", "unsupported scheme"),
            ("localhost:6379", "no scheme"),
            ("", "no scheme"),
            ("redis://localhost:notaport", "invalid Redis URL"),
        ] {
            match parse_url(url) {
                Err(CacheError::Config(m)) => assert!(m.contains(why), "{url}: {m}"),
                other => panic!("{url}: expected a config error, got {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(mask_password("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(mask_password("redis://:pw@h"), "redis://:***@h");
        assert_eq!(mask_password("redis://h:1"), "redis://h:1");
    }
}
