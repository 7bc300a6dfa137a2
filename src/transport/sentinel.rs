//! A master found through Redis Sentinel, and followed across failovers.
//!
//! Sentinels are asked `SENTINEL get-master-addr-by-name` (each within the connect timeout, in
//! order) when there is no known master or the known one failed; every new connection to a
//! master checks `ROLE`, so a demoted master is never used once it says so. That alone is not
//! enough: after `SENTINEL FAILOVER` the old master stays a writable master for seconds, until
//! Sentinel reconfigures it, and writes acknowledged there in that time are lost (measured, see
//! `../shared/redis-notes.md`). So each process also follows `+switch-master` on every sentinel
//! (one watcher thread per sentinel): on the announcement the new master is learnt at once and
//! every connection opened to the old one is retired (`Conn::stale`), before the next command.
//!
//! The mutable part (`Master`) is per process (`Transport` keeps it in its fork-local state),
//! so a forked child asks again rather than trust locks or threads it did not inherit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::thread;
use std::time::Duration;

use parking_lot::Mutex;
use redis::Value;

use super::address::{Address, Target};
use super::conn::Conn;
use super::deadline::Deadline;
use crate::errors::{CacheError, CacheResult};

/// How long a watcher waits before reconnecting to a sentinel it lost, and how often it checks
/// that its wrapper still exists while nothing is announced.
const WATCH_PAUSE: Duration = Duration::from_millis(500);

/// Where the sentinels are and what to ask them: fixed for a wrapper's lifetime.
#[derive(Debug)]
pub struct Sentinel {
    /// Each sentinel, with the credentials and TLS setting for talking to sentinels.
    pub sentinels: Vec<Address>,
    pub service: String,
    /// Credentials, database and TLS for the master; its `target` is replaced by the one found.
    pub master: Address,
}

/// One process's view of the master.
#[derive(Default)]
pub struct Master {
    known: Mutex<Known>,
    /// Bumped whenever connections to the previous master must not be used again.
    epoch: Arc<AtomicU64>,
    watching: OnceLock<()>,
}

#[derive(Default)]
struct Known {
    target: Option<Target>,
    /// The target failed (refused, timed out): ask the sentinels before the next connect.
    doubtful: bool,
}

impl Sentinel {
    /// `host:port, ...` of the sentinels, for messages.
    pub fn describe(&self) -> String {
        let all: Vec<String> = self.sentinels.iter().map(Address::describe).collect();
        format!("master {:?} of sentinels {}", self.service, all.join(", "))
    }

    fn master_at(&self, target: Target) -> Address {
        Address {
            target,
            ..self.master.clone()
        }
    }

    /// The master's address, from the sentinels in order: the first that names one wins.
    fn ask(
        &self,
        tls: Option<&Arc<rustls::ClientConfig>>,
        connect_timeout: Option<Duration>,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Target> {
        let mut failures = Vec::new();
        for sentinel in &self.sentinels {
            match self.ask_one(sentinel, tls, connect_timeout, deadline) {
                Ok(Some(target)) => return Ok(target),
                Ok(None) => failures.push(format!(
                    "{} knows no master named {:?}",
                    sentinel.describe(),
                    self.service
                )),
                Err(e) => failures.push(format!("{}: {e}", sentinel.describe())),
            }
            deadline.check()?;
        }
        Err(CacheError::connection(format!(
            "Redis Sentinel: no sentinel named the master {:?} ({}); check the sentinel \
             addresses and the service name (redis_cache_master_service)",
            self.service,
            failures.join("; ")
        )))
    }

    fn ask_one(
        &self,
        sentinel: &Address,
        tls: Option<&Arc<rustls::ClientConfig>>,
        connect_timeout: Option<Duration>,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Option<Target>> {
        // Each sentinel gets at most the connect timeout: one that hangs must leave time for
        // the next.
        let within = deadline.capped(connect_timeout);
        let mut conn = Conn::connect(sentinel, tls, &within)?;
        let reply = conn.query(&self.get_master_addr(), &within)?;
        parse_master_addr(reply)
    }

    fn get_master_addr(&self) -> redis::Cmd {
        let mut cmd = redis::cmd("SENTINEL");
        cmd.arg("get-master-addr-by-name").arg(&self.service);
        cmd
    }

    /// A connection to the master, checked with `ROLE`, within `deadline`: the known master
    /// first, else (or if it fails) the one the sentinels name now.
    pub fn connect(
        self: &Arc<Self>,
        master: &Arc<Master>,
        tls: Option<&Arc<rustls::ClientConfig>>,
        connect_timeout: Option<Duration>,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Conn> {
        self.watch(master, tls.cloned(), connect_timeout);
        let mut last = None;
        // The known master; the sentinels' answer; once more after a pause, for the moment
        // between a master's promotion and the sentinels' announcing it.
        for attempt in 0..3 {
            if attempt == 2 {
                let left = deadline.remaining().unwrap_or(Duration::MAX);
                thread::sleep(Duration::from_millis(100).min(left));
            }
            deadline.check()?;
            let target = match master.usable() {
                Some(target) => target,
                None => {
                    let target = self.ask(tls, connect_timeout, deadline)?;
                    master.learn(&target);
                    target
                }
            };
            let epoch = master.epoch();
            let within = deadline.capped(connect_timeout);
            match Conn::connect(&self.master_at(target.clone()), tls, &within)
                .and_then(|mut conn| is_master(&mut conn, &within).map(|m| (conn, m)))
            {
                Ok((mut conn, true)) => {
                    conn.retire_after(master.epoch.clone(), epoch);
                    return Ok(conn);
                }
                Ok((_, false)) => {
                    master.demoted(&target);
                    last = Some(CacheError::connection(format!(
                        "Redis Sentinel: {} named as master of {:?} is a replica now",
                        self.master_at(target).describe(),
                        self.service
                    )));
                }
                Err(e) if e.is_connection() || matches!(e, CacheError::Timeout(_)) => {
                    master.doubt(&target);
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| CacheError::connection("Redis Sentinel: no master")))
    }

    /// Starts this process's watchers, once.
    fn watch(
        self: &Arc<Self>,
        master: &Arc<Master>,
        tls: Option<Arc<rustls::ClientConfig>>,
        connect_timeout: Option<Duration>,
    ) {
        master.watching.get_or_init(|| {
            for index in 0..self.sentinels.len() {
                let (me, weak, tls) = (self.clone(), Arc::downgrade(master), tls.clone());
                let spawned = thread::Builder::new()
                    .name(format!("frappe-cache sentinel {index}"))
                    .spawn(move || me.follow(index, &weak, tls.as_ref(), connect_timeout));
                // Without a watcher the master is still found on errors and checked by ROLE.
                drop(spawned);
            }
        });
    }

    /// One watcher: subscribed to `+switch-master` on sentinel `index` for as long as its
    /// process's `Master` exists, reconnecting after a pause when the sentinel goes away.
    fn follow(
        &self,
        index: usize,
        master: &Weak<Master>,
        tls: Option<&Arc<rustls::ClientConfig>>,
        connect_timeout: Option<Duration>,
    ) {
        let sentinel = &self.sentinels[index];
        while master.strong_count() > 0 {
            let deadline = Deadline::after(connect_timeout.or(Some(Duration::from_secs(5))));
            if let Ok(mut conn) = Conn::connect(sentinel, tls, &deadline) {
                // What was announced while this watcher was away.
                let now = conn
                    .query(&self.get_master_addr(), &deadline)
                    .and_then(parse_master_addr);
                if let (Ok(Some(target)), Some(m)) = (now, master.upgrade()) {
                    m.learn(&target);
                }
                let subscribe = redis::cmd("SUBSCRIBE")
                    .arg("+switch-master")
                    .get_packed_command();
                if conn.send(&subscribe, &deadline).is_ok() {
                    self.listen(&mut conn, master);
                }
            }
            let mut slept = Duration::ZERO;
            while slept < WATCH_PAUSE && master.strong_count() > 0 {
                thread::sleep(Duration::from_millis(50));
                slept += Duration::from_millis(50);
            }
        }
    }

    /// Reads announcements until the connection fails or the `Master` is gone.
    fn listen(&self, conn: &mut Conn, master: &Weak<Master>) {
        loop {
            match conn.recv(&Deadline::after(Some(WATCH_PAUSE))) {
                Ok(message) => {
                    if let Some(target) = self.switched_to(message) {
                        match master.upgrade() {
                            Some(m) => m.learn(&target),
                            None => return,
                        }
                    }
                }
                Err(CacheError::Timeout(_)) if master.strong_count() > 0 => {}
                Err(_) => return,
            }
        }
    }

    /// The new master of a `+switch-master` message for this service:
    /// `<name> <old ip> <old port> <new ip> <new port>`.
    fn switched_to(&self, message: Value) -> Option<Target> {
        let Value::Array(parts) = message else {
            return None;
        };
        let [kind, _, payload] = parts.as_slice() else {
            return None;
        };
        if text(kind)? != "message" {
            return None;
        }
        let payload = text(payload)?;
        let fields: Vec<&str> = payload.split(' ').collect();
        match fields.as_slice() {
            [name, _, _, host, port] if *name == self.service => Some(Target::Tcp {
                host: (*host).to_string(),
                port: port.parse().ok()?,
            }),
            _ => None,
        }
    }
}

impl Master {
    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// The known master, unless it failed since.
    fn usable(&self) -> Option<Target> {
        let known = self.known.lock();
        if known.doubtful {
            return None;
        }
        known.target.clone()
    }

    /// The sentinels name `target`: a different master retires connections to the old one.
    fn learn(&self, target: &Target) {
        let mut known = self.known.lock();
        known.doubtful = false;
        if known.target.as_ref() != Some(target) {
            known.target = Some(target.clone());
            self.epoch.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// `target` could not be reached: ask the sentinels next time (its connections may be fine).
    fn doubt(&self, target: &Target) {
        let mut known = self.known.lock();
        if known.target.as_ref() == Some(target) {
            known.doubtful = true;
        }
    }

    /// `target` is a replica now: ask the sentinels, and retire every connection to it.
    pub fn demoted(&self, target: &Target) {
        let mut known = self.known.lock();
        if known.target.as_ref() == Some(target) {
            known.doubtful = true;
        }
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// The connections in use answer READONLY: their server is a replica now.
    pub fn read_only(&self) {
        let target = self.known.lock().target.clone();
        match target {
            Some(t) => self.demoted(&t),
            None => {
                self.epoch.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

/// `SENTINEL get-master-addr-by-name`: `[host, port]`, or nil for an unknown name.
fn parse_master_addr(reply: Value) -> CacheResult<Option<Target>> {
    match reply {
        Value::Nil => Ok(None),
        Value::Array(parts) => match parts.as_slice() {
            [host, port] => {
                let host = text(host);
                let port = text(port).and_then(|p| p.parse::<u16>().ok());
                match (host, port) {
                    (Some(host), Some(port)) => Ok(Some(Target::Tcp { host, port })),
                    _ => Err(CacheError::connection(
                        "Redis Sentinel answered get-master-addr-by-name with a bad address",
                    )),
                }
            }
            _ => Err(CacheError::connection(
                "Redis Sentinel answered get-master-addr-by-name with a bad address",
            )),
        },
        _ => Err(CacheError::connection(
            "Redis Sentinel answered get-master-addr-by-name with a bad address",
        )),
    }
}

/// `ROLE` says master. A server that refuses ROLE (an ACL without it) is taken on the
/// sentinels' word.
fn is_master(conn: &mut Conn, deadline: &Deadline<'_>) -> CacheResult<bool> {
    match conn.query(&redis::cmd("ROLE"), deadline) {
        Ok(Value::Array(parts)) => Ok(parts.first().and_then(text).as_deref() == Some("master")),
        Ok(_) => Ok(true),
        Err(CacheError::Response(..)) => Ok(true),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentinel() -> Sentinel {
        let node = |port| Address {
            target: Target::Tcp {
                host: "127.0.0.1".into(),
                port,
            },
            tls: false,
            insecure: false,
            username: None,
            password: None,
            db: 0,
        };
        Sentinel {
            sentinels: vec![node(26379)],
            service: "mymaster".into(),
            master: node(0),
        }
    }

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn a_switch_of_this_service_names_the_new_master() {
        let s = sentinel();
        let message = Value::Array(vec![
            bulk("message"),
            bulk("+switch-master"),
            bulk("mymaster 127.0.0.1 6379 127.0.0.2 6380"),
        ]);
        assert_eq!(
            s.switched_to(message),
            Some(Target::Tcp {
                host: "127.0.0.2".into(),
                port: 6380
            })
        );
        let other = Value::Array(vec![
            bulk("message"),
            bulk("+switch-master"),
            bulk("othermaster 127.0.0.1 6379 127.0.0.2 6380"),
        ]);
        assert_eq!(s.switched_to(other), None);
        let subscribed = Value::Array(vec![
            bulk("subscribe"),
            bulk("+switch-master"),
            Value::Int(1),
        ]);
        assert_eq!(s.switched_to(subscribed), None);
    }

    #[test]
    fn master_addresses_parse_and_bad_ones_are_errors() {
        assert_eq!(
            parse_master_addr(Value::Array(vec![bulk("10.0.0.1"), bulk("6379")])).ok(),
            Some(Some(Target::Tcp {
                host: "10.0.0.1".into(),
                port: 6379
            }))
        );
        assert_eq!(parse_master_addr(Value::Nil).ok(), Some(None));
        assert!(parse_master_addr(Value::Array(vec![bulk("h"), bulk("port")])).is_err());
        assert!(parse_master_addr(Value::Int(3)).is_err());
    }

    #[test]
    fn learning_another_master_retires_connections_and_the_same_one_does_not() {
        let m = Master::default();
        let a = Target::Tcp {
            host: "a".into(),
            port: 1,
        };
        let b = Target::Tcp {
            host: "b".into(),
            port: 1,
        };
        m.learn(&a);
        let first = m.epoch();
        m.learn(&a);
        assert_eq!(m.epoch(), first);
        m.doubt(&a);
        assert_eq!(m.usable(), None, "a doubted master is asked about again");
        assert_eq!(m.epoch(), first, "doubt alone keeps the connections");
        m.learn(&a);
        assert_eq!(m.usable(), Some(a.clone()));
        m.learn(&b);
        assert!(m.epoch() > first);
        let second = m.epoch();
        m.demoted(&b);
        assert!(m.epoch() > second);
        assert_eq!(m.usable(), None);
    }
}
