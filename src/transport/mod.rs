//! The transport: connections to Redis, and the one front the wrapper and decorators call.
//!
//! - `Transport::query`: one command on the shared, implicitly pipelined connection (`mux`).
//! - `Transport::exclusive`, `pipeline`, `run`: a pooled connection of their own (`pool`), for
//!   work that holds a connection for several round trips or may block it.
//!
//! Under all of it: one `Deadline` per call (`socket_timeout` bounds the whole call: queueing,
//! connecting, writing, reading), our own RESP reader on every connection (`conn`, `resp`,
//! `stream`; TLS through rustls in `stream`/`tls`), at-most-once retries (`retry`), and state
//! that a forked child never inherits (`fork`). Everything here runs with the GIL released.

pub mod address;
mod clock;
mod conn;
pub mod deadline;
pub mod fork;
mod mux;
mod pool;
mod resp;
mod retry;
mod stream;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use redis::{Cmd, FromRedisValue, Pipeline, Value};

pub use address::{Address, mask_password, parse_url};
pub use conn::Conn;
pub use deadline::Deadline;
pub use tls::TlsFiles;

use crate::errors::{CacheError, CacheResult};
use fork::ForkLocal;
use mux::Mux;
use pool::Pool;

#[cfg(fuzzing)]
pub use conn::fuzz as fuzz_resp;

#[derive(Clone, Debug)]
pub struct Options {
    pub connect_timeout: Option<Duration>,
    pub socket_timeout: Option<Duration>,
    pub max_connections: usize,
    pub tls: TlsFiles,
}

impl Default for Options {
    fn default() -> Self {
        // Frappe has no timeouts at all, so a stalled Redis hangs every worker forever.
        Options {
            connect_timeout: Some(Duration::from_secs(5)),
            socket_timeout: Some(Duration::from_secs(5)),
            max_connections: 64,
            tls: TlsFiles::default(),
        }
    }
}

/// One process's connections (see `fork.rs`).
struct Connections {
    shared: Mux<Conn>,
    pool: Pool,
}

pub struct Transport {
    address: Address,
    tls: Option<Arc<rustls::ClientConfig>>,
    options: Options,
    connections: ForkLocal<Connections>,
}

fn convert<T: FromRedisValue>(value: Value) -> CacheResult<T> {
    redis::from_redis_value(value).map_err(|e| CacheError::from(redis::RedisError::from(e)))
}

impl Transport {
    pub fn new(address: Address, options: Options) -> CacheResult<Transport> {
        if options.tls.any() && !address.tls {
            return Err(CacheError::Config(
                "ssl_ca_certs / ssl_certfile / ssl_keyfile need a rediss:// URL".into(),
            ));
        }
        let tls = if address.tls {
            Some(tls::client_config(&options.tls, address.insecure)?)
        } else {
            None
        };
        let connections = ForkLocal::new(Self::fresh(&options));
        Ok(Transport {
            address,
            tls,
            options,
            connections,
        })
    }

    fn fresh(options: &Options) -> Connections {
        Connections {
            shared: Mux::new(),
            pool: Pool::new(options.max_connections),
        }
    }

    fn connections(&self) -> &Connections {
        self.connections.get(|| Self::fresh(&self.options))
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// A new call's deadline: `socket_timeout` from now.
    pub fn deadline(&self) -> Deadline<'static> {
        Deadline::after(self.options.socket_timeout)
    }

    fn connect(&self, deadline: &Deadline<'_>) -> CacheResult<Conn> {
        let within = deadline.capped(self.options.connect_timeout);
        Conn::connect(&self.address, self.tls.as_ref(), &within).map_err(|e| match e {
            CacheError::Timeout(m) if !m.contains("while connecting") => {
                CacheError::Timeout(format!("{m} (while connecting)"))
            }
            other => other,
        })
    }

    /// Closes the idle connections (the next command opens new ones).
    pub fn close(&self) {
        let c = self.connections();
        c.shared.close();
        c.pool.close();
    }

    /// One command on the shared connection, batched with other threads' commands. For
    /// commands that do not block the connection.
    pub fn query<T: FromRedisValue>(&self, cmd: &Cmd, deadline: &Deadline<'_>) -> CacheResult<T> {
        let connect = |d: &Deadline<'_>| self.connect(d);
        let reply =
            self.connections()
                .shared
                .query(cmd, retry::idempotent(cmd), deadline, &connect)?;
        convert(reply)
    }

    /// Runs `work` on a pooled connection. A connection that broke while idle is replaced and
    /// `work` run again once on a fresh one, if `idempotent` (it may have run). A connection
    /// that failed in any other way is closed, never reused.
    pub fn run<T>(
        &self,
        idempotent: bool,
        deadline: &Deadline<'_>,
        mut work: impl FnMut(&mut Conn, &Deadline<'_>) -> CacheResult<T>,
    ) -> CacheResult<T> {
        let connect = |d: &Deadline<'_>| self.connect(d);
        let pool = &self.connections().pool;
        let mut lease = pool.lease(false, deadline, &connect)?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(CacheError::connection("no connection"));
        };
        let err = match work(conn, deadline) {
            Ok(v) => return Ok(v),
            Err(err) => err,
        };
        let retry = lease.reused && idempotent && err.is_connection();
        if !matches!(err, CacheError::Response(..)) {
            lease.conn = None; // its state is unknown: close it
        }
        drop(lease);
        if !retry {
            return Err(err);
        }
        let mut lease = pool.lease(true, deadline, &connect)?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(err);
        };
        work(conn, deadline).inspect_err(|e| {
            if !matches!(e, CacheError::Response(..)) {
                lease.conn = None;
            }
        })
    }

    /// One command on a connection of its own (a blocking command such as BLPOP must not hold
    /// up every other thread's commands).
    pub fn exclusive<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        deadline: &Deadline<'_>,
    ) -> CacheResult<T> {
        self.run(retry::idempotent(cmd), deadline, |conn, d| {
            conn.query_as(cmd, d)
        })
    }

    /// Every command of `pipe` in one round trip; one reply per command, an error reply as a
    /// `Value::ServerError` in its place.
    pub fn pipeline(&self, pipe: &Pipeline, deadline: &Deadline<'_>) -> CacheResult<Vec<Value>> {
        let packed = pipe.get_packed_pipeline();
        let count = pipe.cmd_iter().count();
        self.run(retry::pipeline(pipe.cmd_iter()), deadline, |conn, d| {
            conn.send(&packed, d).map_err(|f| f.error)?;
            (0..count).map(|_| conn.recv(d)).collect()
        })
    }

    /// `pipeline` for its effect: the first error reply, if any, is the result, classed as a
    /// single command's would be.
    pub fn pipeline_checked(&self, pipe: &Pipeline, deadline: &Deadline<'_>) -> CacheResult<()> {
        for reply in self.pipeline(pipe, deadline)? {
            if let Value::ServerError(e) = reply {
                return Err(CacheError::from(redis::RedisError::from(e)));
            }
        }
        Ok(())
    }
}
