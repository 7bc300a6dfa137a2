//! The transport: connections to Redis, and the one front the wrapper and decorators call.
//!
//! - `Transport::query`: one command on the shared, implicitly pipelined connection (`mux`).
//! - `Transport::exclusive`, `pipeline`, `run`: a pooled connection of their own (`pool`), for
//!   work that holds a connection for several round trips or may block it.
//! - `Locator`: where commands go: one node (a URL), the master Redis Sentinel names
//!   (`sentinel`), or each key's master in a Redis Cluster (`cluster`); the callers never know
//!   which. `each_master` runs work (SCAN loops) on every master.
//!
//! Under all of it: one `Deadline` per call (`socket_timeout` bounds the whole call: queueing,
//! connecting, writing, reading), our own RESP reader on every connection (`conn`, `resp`,
//! `stream`; TLS through rustls in `stream`/`tls`), at-most-once retries (`retry`), and state
//! that a forked child never inherits (`fork`). Everything here runs with the GIL released.

pub mod address;
pub mod clock;
pub mod cluster;
mod conn;
pub mod deadline;
pub mod fork;
mod mux;
mod pool;
mod resp;
mod retry;
pub mod sentinel;
mod stream;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use redis::{Cmd, FromRedisValue, Pipeline, Value};

pub use address::{Address, mask_password, parse_url};
pub use conn::Conn;
pub use deadline::Deadline;
pub use sentinel::Sentinel;
pub use tls::TlsFiles;

use crate::errors::{CacheError, CacheResult, Reply};
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

/// Which server the commands go to.
#[derive(Debug)]
pub enum Locator {
    /// One server, from a URL.
    Node(Address),
    /// The master that Redis Sentinel names, followed across failovers.
    Sentinel(Arc<Sentinel>),
    /// The masters of a Redis Cluster, each key to the one serving its slot.
    Cluster(Arc<cluster::Cluster>),
}

impl Locator {
    /// The address whose credentials and TLS settings every connection uses.
    fn template(&self) -> &Address {
        match self {
            Locator::Node(address) => address,
            Locator::Sentinel(s) => &s.master,
            Locator::Cluster(c) => &c.seeds[0],
        }
    }
}

/// One process's connections (see `fork.rs`).
struct Connections {
    shared: Mux<Conn>,
    pool: Pool,
    /// The Sentinel master as this process knows it.
    master: Arc<sentinel::Master>,
    /// The cluster's slot map and per-master connections, as this process knows them.
    cluster: cluster::State,
}

pub struct Transport {
    locator: Locator,
    tls: Option<Arc<rustls::ClientConfig>>,
    options: Options,
    connections: ForkLocal<Connections>,
}

fn is_read_only(reply: &Value) -> bool {
    matches!(reply, Value::ServerError(e) if e.code() == "READONLY")
}

fn convert<T: FromRedisValue>(value: Value) -> CacheResult<T> {
    redis::from_redis_value(value).map_err(|e| CacheError::from(redis::RedisError::from(e)))
}

impl Transport {
    pub fn new(locator: Locator, options: Options) -> CacheResult<Transport> {
        if options.tls.any() && !locator.template().tls {
            return Err(CacheError::Config(
                "ssl_ca_certs / ssl_certfile / ssl_keyfile need a rediss:// URL (or ssl=True \
                 for Sentinel)"
                    .into(),
            ));
        }
        let tls = if locator.template().tls {
            Some(tls::client_config(
                &options.tls,
                locator.template().insecure,
            )?)
        } else {
            None
        };
        let connections = ForkLocal::new(Self::fresh(&options));
        Ok(Transport {
            locator,
            tls,
            options,
            connections,
        })
    }

    fn fresh(options: &Options) -> Connections {
        Connections {
            shared: Mux::new(),
            pool: Pool::new(options.max_connections),
            master: Arc::default(),
            cluster: cluster::State::default(),
        }
    }

    fn router<'t>(&'t self, cluster: &'t cluster::Cluster) -> cluster::Router<'t> {
        cluster::Router {
            cluster,
            state: &self.connections().cluster,
            tls: self.tls.as_ref(),
            connect_timeout: self.options.connect_timeout,
            max_connections: self.options.max_connections,
        }
    }

    /// Whether keys are spread over a cluster's masters (multi-key commands must then keep to
    /// one slot, or go through `query`/`pipeline`, which split them).
    pub fn clustered(&self) -> bool {
        matches!(self.locator, Locator::Cluster(_))
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
        let connected = match &self.locator {
            Locator::Node(address) => {
                let within = deadline.capped(self.options.connect_timeout);
                Conn::connect(address, self.tls.as_ref(), &within)
            }
            Locator::Sentinel(sentinel) => sentinel.connect(
                &self.connections().master,
                self.tls.as_ref(),
                self.options.connect_timeout,
                deadline,
            ),
            // Cluster connections are made per master by the router; this one serves what
            // is not routed (none of the front's calls).
            Locator::Cluster(c) => {
                let within = deadline.capped(self.options.connect_timeout);
                Conn::connect(&c.seeds[0], self.tls.as_ref(), &within)
            }
        };
        connected.map_err(|e| match e {
            CacheError::Timeout(m) if !m.contains("while connecting") => {
                CacheError::Timeout(format!("{m} (while connecting)"))
            }
            other => other,
        })
    }

    /// A connection of its own to the server the commands go to (the Sentinel master
    /// included), for a caller that keeps it: the client cache's listener and tracked
    /// connection. A cluster has no single such server.
    pub fn dedicated(&self, deadline: &Deadline<'_>) -> CacheResult<Conn> {
        if self.clustered() {
            return Err(CacheError::Config(
                "a Redis Cluster has no single server to track keys on".into(),
            ));
        }
        self.connect(deadline)
    }

    /// Closes the idle connections (the next command opens new ones).
    pub fn close(&self) {
        let c = self.connections();
        c.shared.close();
        c.pool.close();
        if let Locator::Cluster(cluster) = &self.locator {
            self.router(cluster).close();
        }
    }

    /// One command on the shared connection, batched with other threads' commands. For
    /// commands that do not block the connection.
    pub fn query<T: FromRedisValue>(&self, cmd: &Cmd, deadline: &Deadline<'_>) -> CacheResult<T> {
        if let Locator::Cluster(c) = &self.locator {
            let reply = self.router(c).query(cmd, false, deadline)?;
            return convert(reply.extract_error().map_err(CacheError::from)?);
        }
        let connect = |d: &Deadline<'_>| self.connect(d);
        let once = || {
            self.connections()
                .shared
                .query(cmd, retry::idempotent(cmd), deadline, &connect)
        };
        convert(self.past_failover(once)?)
    }

    /// Runs `attempt` again once if a Sentinel master answered READONLY (it became a replica:
    /// the command did not run), after retiring its connections; READONLY again is a
    /// connection error, as redis-py's Sentinel client raises.
    fn past_failover<T>(&self, mut attempt: impl FnMut() -> CacheResult<T>) -> CacheResult<T> {
        let first = attempt();
        if !self.demoted_by(first.as_ref().err()) {
            return first;
        }
        let second = attempt();
        if self.demoted_by(second.as_ref().err()) {
            return Err(self.still_read_only());
        }
        second
    }

    /// Whether `error` is READONLY from a Sentinel master; if so its connections are retired.
    fn demoted_by(&self, error: Option<&CacheError>) -> bool {
        matches!(error, Some(CacheError::Response(Reply::ReadOnly, _))) && self.master_demoted()
    }

    /// A READONLY reply came back: for a Sentinel master, retires its connections (true).
    fn master_demoted(&self) -> bool {
        if matches!(self.locator, Locator::Sentinel(_)) {
            self.connections().master.read_only();
            return true;
        }
        false
    }

    fn still_read_only(&self) -> CacheError {
        let service = match &self.locator {
            Locator::Sentinel(s) => s.describe(),
            Locator::Node(a) => a.describe(),
            Locator::Cluster(c) => c.seeds[0].describe(),
        };
        CacheError::connection(format!(
            "Redis Sentinel: the {service} answers READONLY (a failover is under way)"
        ))
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
        self.past_failover(|| self.run_once(idempotent, deadline, &mut work))
    }

    fn run_once<T>(
        &self,
        idempotent: bool,
        deadline: &Deadline<'_>,
        work: &mut impl FnMut(&mut Conn, &Deadline<'_>) -> CacheResult<T>,
    ) -> CacheResult<T> {
        let connect = |d: &Deadline<'_>| self.connect(d);
        self.connections()
            .pool
            .run(idempotent, deadline, &connect, work)
    }

    /// One command on a connection of its own (a blocking command such as BLPOP must not hold
    /// up every other thread's commands).
    pub fn exclusive<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        deadline: &Deadline<'_>,
    ) -> CacheResult<T> {
        if let Locator::Cluster(c) = &self.locator {
            let reply = self.router(c).query(cmd, true, deadline)?;
            return convert(reply.extract_error().map_err(CacheError::from)?);
        }
        self.run(retry::idempotent(cmd), deadline, |conn, d| {
            conn.query_as(cmd, d)
        })
    }

    /// Runs `work` on a pooled connection of each master (the one server, but for a cluster),
    /// for commands that must visit every master (SCAN).
    pub fn each_master<T>(
        &self,
        deadline: &Deadline<'_>,
        mut work: impl FnMut(&mut Conn, &Deadline<'_>) -> CacheResult<T>,
    ) -> CacheResult<Vec<T>> {
        match &self.locator {
            Locator::Cluster(c) => self.router(c).each_master(deadline, work),
            _ => Ok(vec![self.run(true, deadline, &mut work)?]),
        }
    }

    /// Every command of `pipe` in one round trip; one reply per command, an error reply as a
    /// `Value::ServerError` in its place.
    pub fn pipeline(&self, pipe: &Pipeline, deadline: &Deadline<'_>) -> CacheResult<Vec<Value>> {
        if let Locator::Cluster(c) = &self.locator {
            let cmds: Vec<&Cmd> = pipe.cmd_iter().collect();
            return self.router(c).pipeline(&cmds, deadline);
        }
        let packed = pipe.get_packed_pipeline();
        let count = pipe.cmd_iter().count();
        let idempotent = retry::pipeline(pipe.cmd_iter());
        let once = || {
            self.run(idempotent, deadline, |conn, d| {
                conn.send(&packed, d).map_err(|f| f.error)?;
                (0..count)
                    .map(|_| conn.recv(d))
                    .collect::<CacheResult<Vec<Value>>>()
            })
        };
        let replies = once()?;
        if !replies.iter().any(is_read_only) || !self.master_demoted() {
            return Ok(replies);
        }
        // A replica ran none of the writes; the reads are safe to repeat, the rest not.
        if !idempotent {
            return Err(self.still_read_only());
        }
        let replies = once()?;
        if replies.iter().any(is_read_only) {
            self.master_demoted();
            return Err(self.still_read_only());
        }
        Ok(replies)
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
