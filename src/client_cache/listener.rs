//! The invalidation listener: one thread per client cache and process, on a connection of its
//! own subscribed to `__redis__:invalidate` (where Redis sends, for RESP2 clients, the keys
//! that changed since a tracked connection read them) and to `clear_persistent_cache`
//! (Frappe's cross-process "drop your in-process caches" message).
//!
//! The cache may serve entries only while this link is up, so every way of losing it ends in
//! a flush: the connection closing or failing (a Redis restart, `CLIENT KILL`), a PING not
//! answered within `PONG_WITHIN` (a silently dead link), a Sentinel failover (its connection
//! is retired), the tracked connection dying (the server forgot what it tracked). The thread
//! then reconnects with a growing pause; the new subscription has a new client id, and the
//! tracked connection, which names the old one, is replaced before anything is stored again.

use std::sync::Weak;
use std::time::Duration;

use redis::Value;

use super::Shared;
use crate::errors::CacheError;
use crate::transport::clock::now_ms;
use crate::transport::{Conn, Deadline, fork};

/// How often the thread looks at its link, its tracked connection and its owner.
const TICK: Duration = Duration::from_millis(100);
/// A PING this often on the subscription...
const PING_EVERY_MS: u64 = 1000;
/// ...answered within this, or the link counts as lost.
const PONG_WITHIN_MS: u64 = 2000;
/// Pauses between reconnection attempts grow from the first to the last.
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LAST_PAUSE: Duration = Duration::from_millis(1000);

pub(super) const INVALIDATE: &str = "__redis__:invalidate";
pub(super) const PERSISTENT: &str = "clear_persistent_cache";

/// Starts the listener of this process (`generation`, see `fork.rs`) for `shared`'s cache.
pub(super) fn spawn(shared: Weak<Shared>, generation: u64) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("frappe-cache-invalidations".into())
        .spawn(move || run(&shared, generation))
        .map(drop)
}

fn run(shared: &Weak<Shared>, generation: u64) {
    if let Some(owner) = shared.upgrade() {
        owner.process().thread_started(native_id());
    }
    run_until_gone(shared, generation);
    if let Some(owner) = shared.upgrade() {
        owner.process().thread_started(0);
    }
}

/// This thread's kernel id.
fn native_id() -> i64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions and cannot fail.
        i64::from(unsafe { libc::gettid() })
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

fn run_until_gone(shared: &Weak<Shared>, generation: u64) {
    let mut pause = FIRST_PAUSE;
    loop {
        let Some(owner) = shared.upgrade() else {
            return;
        };
        if fork::generation() != generation {
            return; // a forked child starts its own
        }
        match subscribe(&owner) {
            Ok((conn, id)) => {
                owner.process().link_up(id);
                drop(owner);
                pause = FIRST_PAUSE;
                let lost = serve(shared, conn);
                match shared.upgrade() {
                    Some(owner) if !owner.process().gave_up() => owner.process().link_down(lost),
                    _ => return,
                }
                continue; // reconnect at once: a killed connection is not a dead server
            }
            // The server cannot do it (Redis < 6, a Redis Cluster): no point in trying again.
            Err(err @ (CacheError::Response(..) | CacheError::Config(_))) => {
                owner.process().unsupported(err.to_string());
                return;
            }
            Err(err) => owner.process().link_down(Some(err.to_string())),
        }
        drop(owner);
        if !rest(shared, pause) {
            return;
        }
        pause = (pause * 2).min(LAST_PAUSE);
    }
}

/// Sleeps `pause` in ticks; false once the cache is gone.
fn rest(shared: &Weak<Shared>, pause: Duration) -> bool {
    let mut left = pause;
    while !left.is_zero() {
        let step = left.min(TICK);
        std::thread::sleep(step);
        left -= step;
        if shared.strong_count() == 0 {
            return false;
        }
    }
    true
}

/// A new connection's client id, after subscribing it to both channels.
fn subscribe(owner: &Shared) -> Result<(Conn, i64), CacheError> {
    let transport = owner.wrapper.get().transport();
    let options = transport.options();
    // Never without a bound: a frozen server must not hold the thread (and the first
    // `get_value`, which waits for this attempt) forever.
    let within = (options.connect_timeout.max(options.socket_timeout)).unwrap_or(LAST_PAUSE * 5);
    let deadline = Deadline::after(Some(within));
    let mut conn = transport.dedicated(&deadline)?;
    let id: i64 = conn.query_as(redis::cmd("CLIENT").arg("ID"), &deadline)?;
    let mut cmd = redis::cmd("SUBSCRIBE");
    cmd.arg(INVALIDATE).arg(PERSISTENT);
    conn.send(&cmd.get_packed_command(), &deadline)
        .map_err(|f| f.error)?;
    for _ in 0..2 {
        match conn.recv(&deadline)? {
            Value::Array(items) if kind(&items) == Some(b"subscribe") => {}
            Value::ServerError(e) => return Err(CacheError::from(redis::RedisError::from(e))),
            other => {
                return Err(CacheError::connection(format!(
                    "Redis answered SUBSCRIBE with {other:?}"
                )));
            }
        }
    }
    Ok((conn, id))
}

fn kind(items: &[Value]) -> Option<&[u8]> {
    match items.first()? {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.as_bytes()),
        _ => None,
    }
}

/// Reads the subscription until the link is lost (why, for `unhealthy_reason`) or the cache is
/// gone (None).
fn serve(shared: &Weak<Shared>, mut conn: Conn) -> Option<String> {
    let mut last_ping = now_ms();
    let mut awaiting_pong: Option<u64> = None;
    let lost = |why: String| Some(format!("the invalidation link was lost: {why}"));
    loop {
        let got = conn.recv(&Deadline::after(Some(TICK)));
        let owner = shared.upgrade()?;
        match got {
            Ok(Value::Array(items)) => match kind(&items) {
                Some(b"message") => owner.message(&items[1..]),
                Some(b"pong") => awaiting_pong = None,
                _ => {}
            },
            Ok(other) => return lost(format!("Redis sent {other:?} on the subscription")),
            Err(CacheError::Timeout(_)) => {}
            Err(err) => return lost(err.to_string()),
        }
        owner.process().check_tracked();
        if owner.process().gave_up() {
            return None;
        }
        if conn.retired() {
            return lost("the Sentinel master changed".into());
        }
        let now = now_ms();
        match awaiting_pong {
            Some(sent) if now.saturating_sub(sent) > PONG_WITHIN_MS => {
                return lost(format!("no answer to PING within {PONG_WITHIN_MS} ms"));
            }
            None if now.saturating_sub(last_ping) >= PING_EVERY_MS => {
                let ping = redis::cmd("PING").get_packed_command();
                if let Err(failed) = conn.send(&ping, &Deadline::after(Some(TICK))) {
                    return lost(failed.error.to_string());
                }
                (last_ping, awaiting_pong) = (now, Some(now));
            }
            _ => {}
        }
    }
}
