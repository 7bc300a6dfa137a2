//! `ClientCache`: Frappe v16's `frappe.client_cache`, a per-process cache of hot keys kept fresh
//! by Redis's server-assisted invalidation (client-side caching, default mode, RESP2).
//!
//! - `store.rs`: the entries, with a ticket per fetch and an epoch per flush, so a reply older
//!   than an invalidation never lands;
//! - `listener.rs`: the thread subscribed to `__redis__:invalidate`, which every loss of the
//!   link turns into a flush;
//! - here: the tracked connection (`CLIENT TRACKING ON REDIRECT <listener> NOLOOP`: the reads
//!   that fill the cache and the writes that go through it), and Frappe's method surface.
//!
//! Keys and pickled bytes are `frappe.cache`'s (the wrapper makes and decodes them), so pure-
//! Python v16 workers on the same Redis invalidate our entries with their writes, and ours
//! theirs. While the link is down the cache serves nothing and behaves as `frappe.cache` does
//! (Frappe's "unhealthy" mode); it comes back by itself with the link.

mod entries;
mod listener;
mod store;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use redis::Value;

use crate::codec;
use crate::errors::{CacheError, CacheResult};
use crate::keys;
use crate::transport::clock::now_ms;
use crate::transport::fork::{self, ForkLocal};
use crate::transport::{Conn, Deadline, Transport};
use crate::wrapper::{Flag, Made, RedisWrapper, User, cmd_with, local_forget, local_put, many};
use entries::Entries;

/// How long creating the cache (or its first use in a forked child) waits for the listener's
/// first attempt, at most: meanwhile reads go to Redis, so this only decides whether the very
/// first reads can be cached.
const FIRST_ATTEMPT: Duration = Duration::from_secs(2);

/// The connection whose reads Redis tracks for us, and the listener it redirects to.
struct Tracked {
    conn: Conn,
    redirect: i64,
}

#[derive(Default)]
struct Status {
    /// The listener's first attempt is over (connected or not).
    settled: bool,
    /// Why the last attempt failed.
    last_error: Option<String>,
    /// Why the cache can never track here (Redis < 6, a Redis Cluster).
    unsupported: Option<String>,
}

/// One process's cache (a forked child starts empty, with its own listener).
struct Process {
    entries: Entries,
    /// The listener's CLIENT ID while it is subscribed; 0 while the link is down.
    listener: AtomicI64,
    tracked: Mutex<Option<Tracked>>,
    started: AtomicBool,
    /// The listener thread's kernel id while it runs (0 when none), for tools that watch it.
    thread_id: AtomicI64,
    status: Mutex<Status>,
    settled: Condvar,
}

impl Process {
    fn new(capacity: usize, ttl_ms: u64) -> Self {
        Process {
            entries: Entries::new(capacity, ttl_ms),
            listener: AtomicI64::new(0),
            tracked: Mutex::new(None),
            started: AtomicBool::new(false),
            thread_id: AtomicI64::new(0),
            status: Mutex::new(Status::default()),
            settled: Condvar::new(),
        }
    }

    fn link(&self) -> i64 {
        self.listener.load(Ordering::Acquire)
    }

    /// From any thread: nothing cached may be served any more.
    fn flush(&self) {
        self.entries.post_flush();
    }

    fn settle(&self, update: impl FnOnce(&mut Status)) {
        let mut status = self.status.lock();
        status.settled = true;
        update(&mut status);
        self.settled.notify_all();
    }

    fn thread_started(&self, id: i64) {
        self.thread_id.store(id, Ordering::Release);
    }

    fn link_up(&self, id: i64) {
        self.flush();
        self.settle(|s| {
            if s.unsupported.is_none() {
                self.listener.store(id, Ordering::Release);
                s.last_error = None;
            }
        });
    }

    /// Whether the server cannot track keys for us (the listener then stops).
    fn gave_up(&self) -> bool {
        self.status.lock().unsupported.is_some()
    }

    fn link_down(&self, error: Option<String>) {
        self.listener.store(0, Ordering::Release);
        self.flush();
        self.settle(|s| s.last_error = error.or(s.last_error.take()));
    }

    fn unsupported(&self, why: String) {
        self.settle(|s| s.unsupported = Some(why));
        self.listener.store(0, Ordering::Release);
        self.flush();
    }

    /// Drops a tracked connection the server closed: what it read is tracked no more, so the
    /// entries go too. (A connection in use is checked by its user instead.)
    fn check_tracked(&self) {
        let Some(mut slot) = self.tracked.try_lock() else {
            return;
        };
        if slot.as_ref().is_some_and(|t| t.conn.looks_dead()) {
            *slot = None;
            drop(slot);
            self.flush();
        }
    }

    /// A new connection whose reads Redis reports to `listener` (not its own writes: NOLOOP).
    /// Either way a refusal sends this call to Redis without the cache: the listener just went
    /// (its id is gone, the link's loss is being handled), or the server cannot track (Redis 5,
    /// a proxy), which turns the cache off for good.
    fn track(
        &self,
        transport: &Transport,
        listener: i64,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Conn> {
        let mut conn = transport.dedicated(deadline)?;
        let mut cmd = redis::cmd("CLIENT");
        cmd.arg("TRACKING")
            .arg("ON")
            .arg("REDIRECT")
            .arg(listener)
            .arg("NOLOOP");
        match conn.query(&cmd, deadline) {
            Ok(_) => Ok(conn),
            Err(CacheError::Response(_, m)) => {
                if !m.contains("does not exist") {
                    self.unsupported(format!(
                        "Redis refused CLIENT TRACKING ({m}): client caching needs Redis 6 or later"
                    ));
                }
                Err(CacheError::connection(format!(
                    "client cache: Redis refused CLIENT TRACKING: {m}"
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// Runs `work` on the tracked connection, opened (again) to redirect to the current
    /// listener. A connection that failed is closed and the cache flushed: Redis no longer
    /// tracks what it read.
    fn on_tracked<T>(
        &self,
        transport: &Transport,
        deadline: &Deadline<'_>,
        work: impl FnOnce(&mut Conn, &Deadline<'_>) -> CacheResult<T>,
    ) -> CacheResult<T> {
        let wait = deadline.remaining().unwrap_or(Duration::from_secs(3600));
        let mut slot = self.tracked.try_lock_for(wait).ok_or_else(|| {
            CacheError::Timeout("client cache: its connection stayed busy past the timeout".into())
        })?;
        let listener = self.link();
        if listener == 0 {
            return Err(CacheError::connection(
                "client cache: the invalidation link is down",
            ));
        }
        // Following an older listener: nothing it read is cached any more (the link's loss
        // flushed it), so it is only replaced. A connection the server closed is also flushed.
        if slot.as_ref().is_some_and(|t| t.redirect != listener) {
            *slot = None;
        }
        if slot.as_ref().is_some_and(|t| t.conn.stale()) {
            *slot = None;
            self.flush();
        }
        let tracked = match slot.as_mut() {
            Some(tracked) => tracked,
            None => slot.insert(Tracked {
                conn: self.track(transport, listener, deadline)?,
                redirect: listener,
            }),
        };
        let done = work(&mut tracked.conn, deadline);
        if matches!(&done, Err(e) if !matches!(e, CacheError::Response(..))) {
            *slot = None;
            drop(slot);
            self.flush();
        }
        done
    }
}

/// What the Python object and the listener thread share.
pub(crate) struct Shared {
    wrapper: Py<RedisWrapper>,
    capacity: usize,
    ttl_ms: u64,
    /// Called with the payload of each `clear_persistent_cache` message.
    handler: Option<Py<PyAny>>,
    process: ForkLocal<Process>,
}

impl Shared {
    #[inline]
    fn process(&self) -> &Process {
        self.process
            .get(|| Process::new(self.capacity, self.ttl_ms))
    }

    /// A pub/sub message: `[channel, data]`.
    fn message(&self, items: &[Value]) {
        let [Value::BulkString(channel), data] = items else {
            return;
        };
        match (channel.as_slice(), data) {
            (c, Value::Nil) if c == listener::INVALIDATE.as_bytes() => self.process().flush(),
            (c, Value::Array(keys)) if c == listener::INVALIDATE.as_bytes() => {
                let keys = keys.iter().filter_map(|k| match k {
                    Value::BulkString(k) => Some(k.as_slice()),
                    _ => None,
                });
                self.process().entries.post_invalidation(keys);
            }
            (c, Value::BulkString(payload)) if c == listener::PERSISTENT.as_bytes() => {
                if let Some(handler) = &self.handler {
                    Python::attach(|py| {
                        if let Err(err) = handler.call1(py, (PyBytes::new(py, payload),)) {
                            err.write_unraisable(py, Some(handler.bind(py)));
                        }
                    });
                }
            }
            _ => {}
        }
    }
}

/// Frappe v16's `ClientCache`, natively: hot keys kept in the process, invalidated by Redis.
#[pyclass(module = "frappe_cache._native", frozen, subclass)]
pub struct ClientCache {
    shared: Arc<Shared>,
}

impl ClientCache {
    fn wrapper(&self) -> &RedisWrapper {
        self.shared.wrapper.get()
    }

    /// This process's cache, its listener started (the first caller waits, without the GIL,
    /// for the listener's first attempt, so a new cache is healthy from its first read).
    fn process(&self, py: Python<'_>) -> &Process {
        let process = self.shared.process();
        if !process.started.load(Ordering::Acquire) {
            self.start(py, process);
        }
        process
    }

    #[cold]
    fn start(&self, py: Python<'_>, process: &Process) {
        if process.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Shared> = Arc::downgrade(&self.shared);
        if let Err(err) = listener::spawn(weak, fork::generation()) {
            process.unsupported(format!("could not start the listener thread: {err}"));
            return;
        }
        py.detach(|| {
            let mut status = process.status.lock();
            let until = std::time::Instant::now() + FIRST_ATTEMPT;
            while !status.settled {
                if process.settled.wait_until(&mut status, until).timed_out() {
                    break;
                }
            }
        });
    }

    /// The fast entry point's hit (`get_value(key)` inside a request scope): the key built in
    /// the scope's reused buffer, one lookup, a new reference to the value. Anything else (no
    /// scope, a miss) takes the PyO3 method; a process whose listener has not started (a forked
    /// child before its first call) has an empty store, so it always misses here.
    #[cfg(feature = "fastcall")]
    pub(crate) fn fast_hit(&self, py: Python<'_>, raw: &[u8]) -> Option<*mut pyo3::ffi::PyObject> {
        let process = self.shared.process();
        let now = now_ms();
        crate::request_cache::with_scope(py, |s| {
            let mut buf = std::mem::take(&mut s.scratch);
            keys::build_into(&mut buf, &s.site, None, raw);
            let hit = process.entries.with(py, |store| {
                store.get(&buf, now).map(|v| v.clone_ref(py).into_ptr())
            });
            s.scratch = buf;
            hit.ok().flatten()
        })
        .flatten()
    }

    /// `frappe.cache.get_value` with Frappe's policies, for a cache that is not healthy.
    fn as_wrapper_get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        shared: bool,
        generator: Option<&Bound<'py, PyAny>>,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("generator", generator)?;
        kwargs.set_item("shared", shared)?;
        Ok(self
            .shared
            .wrapper
            .bind(py)
            .call_method("get_value", (key,), Some(&kwargs))?)
    }

    fn fetch<'py>(
        &self,
        py: Python<'py>,
        process: &Process,
        key: &[u8],
    ) -> CacheResult<Option<Bound<'py, PyAny>>> {
        let wrapper = self.wrapper();
        let (ticket, old) = process.entries.with(py, |s| s.begin(key, true))?;
        drop(old);
        let cmd = cmd_with("GET", key);
        let fetched = wrapper.io(py, |t, d| {
            process.on_tracked(t, d, |conn, d| conn.query_as::<Option<Vec<u8>>>(&cmd, d))
        });
        let stored = match fetched {
            Ok(stored) => stored,
            Err(err) => {
                process.entries.with(py, |s| s.abandon(key, ticket))?;
                if !err.is_connection() {
                    return Err(err); // an error reply, a timeout, Ctrl-C
                }
                // The link or the tracked connection just went: a plain read, not cached.
                return Ok(wrapper.get_pickled(py, key)?.filter(|v| !v.is_none()));
            }
        };
        let value = match stored {
            Some(data) => wrapper.decode(py, key, &data)?,
            None => None,
        };
        // A stored pickle of None reads as a miss, as in Frappe; misses are never cached.
        let Some(value) = value.filter(|v| !v.is_none()) else {
            process.entries.with(py, |s| s.abandon(key, ticket))?;
            return Ok(None);
        };
        let stored = value.clone().unbind();
        let displaced = process
            .entries
            .with(py, |s| s.finish(key, ticket, stored, now_ms()))?;
        drop(displaced);
        Ok(Some(value))
    }

    /// SET through the tracked connection and read the key back in the same round trip:
    /// NOLOOP spares us our own write, and the read has Redis track the key again, so another
    /// client's later write is reported. What the read returns is what is cached.
    fn store_value(
        &self,
        py: Python<'_>,
        process: &Process,
        key: &Made<'_>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let wrapper = self.wrapper();
        let pickled = codec::dumps(value)?;
        local_put(py, key, value)?; // as frappe.cache.set_value does
        let wire = key.wire();
        let (ticket, old) = process.entries.with(py, |s| s.begin(wire, false))?;
        drop(old);
        if process.link() == 0 {
            process.entries.with(py, |s| s.abandon(wire, ticket))?;
            return wrapper.set_pickled(py, key, value, None);
        }
        let mut pipe = redis::pipe();
        pipe.cmd("SET").arg(wire).arg(pickled.as_bytes());
        pipe.cmd("GET").arg(wire);
        let packed = pipe.get_packed_pipeline();
        let replies = wrapper.io(py, |t, d| {
            process.on_tracked(t, d, |conn, d| {
                conn.send(&packed, d).map_err(|f| f.error)?;
                Ok((conn.recv(d)?, conn.recv(d)?))
            })
        });
        match replies {
            Ok((Value::Okay, Value::BulkString(read))) if read == pickled.as_bytes() => {
                let stored = value.clone().unbind();
                let displaced = process
                    .entries
                    .with(py, |s| s.finish(wire, ticket, stored, now_ms()))?;
                drop(displaced);
                Ok(())
            }
            Ok((Value::ServerError(e), _)) => {
                process.entries.with(py, |s| s.abandon(wire, ticket))?;
                local_forget(py, key)?;
                Err(CacheError::from(redis::RedisError::from(e)))
            }
            // Another client wrote in between: its value is the one to read next time.
            Ok(_) => {
                process.entries.with(py, |s| s.abandon(wire, ticket))?;
                Ok(())
            }
            Err(err) => {
                process.entries.with(py, |s| s.abandon(wire, ticket))?;
                if !err.is_connection() {
                    local_forget(py, key)?; // Redis may hold another value (as `set_pickled`)
                    return Err(err);
                }
                // The link or the tracked connection just went: write as frappe.cache does.
                wrapper.set_pickled(py, key, value, None)
            }
        }
    }
}

#[pymethods]
impl ClientCache {
    #[new]
    #[pyo3(signature = (cache, *, maxsize=1024, ttl=600.0, on_persistent_clear=None))]
    fn new(
        py: Python<'_>,
        cache: &Bound<'_, PyAny>,
        maxsize: Option<i64>,
        ttl: Option<f64>,
        on_persistent_clear: Option<Py<PyAny>>,
    ) -> CacheResult<Self> {
        let wrapper = cache.cast::<RedisWrapper>().map_err(|_| {
            CacheError::Type(format!(
                "ClientCache needs a frappe_cache.RedisWrapper (frappe.cache under the drop-in), \
                 got {}",
                cache
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        // Frappe: a falsy maxsize means the default.
        let capacity = match maxsize {
            None | Some(0) => 1024,
            Some(n) if n > 0 => n as usize,
            Some(n) => {
                return Err(CacheError::Config(format!(
                    "maxsize must be a positive number of entries, got {n}"
                )));
            }
        };
        let ttl = ttl.ok_or_else(|| {
            CacheError::Config(
                "ttl must be a positive number of seconds: client cache entries always expire \
                 (Frappe's default is 600)"
                    .into(),
            )
        })?;
        let ttl = crate::ttl::span(ttl, "ttl")?;
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let this = ClientCache {
            shared: Arc::new(Shared {
                wrapper: wrapper.clone().unbind(),
                capacity,
                ttl_ms,
                handler: on_persistent_clear,
                process: ForkLocal::new(Process::new(capacity, ttl_ms)),
            }),
        };
        this.process(py);
        Ok(this)
    }

    /// Frappe's `ClientCache.get_value`: this process's copy while it is fresh, else Redis (the
    /// read that has Redis track the key); `generator` fills a miss, through `set_value`.
    #[pyo3(signature = (key, *, shared=Flag(false), generator=None), text_signature = "($self, key, *, shared=False, generator=None)")]
    fn get_value<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        shared: Flag,
        generator: Option<&Bound<'py, PyAny>>,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let k = self.wrapper().make(key, &User::Nobody, shared.0)?;
        let process = self.process(py);
        let now = now_ms();
        let hit = process
            .entries
            .with(py, |s| s.get(k.wire(), now).map(|v| v.clone_ref(py)))?;
        if let Some(hit) = hit {
            return Ok(hit.into_bound(py));
        }
        if process.link() == 0 {
            return self.as_wrapper_get(py, key, shared.0, generator);
        }
        if let Some(value) = self.fetch(py, process, k.wire())? {
            return Ok(value);
        }
        match generator.filter(|g| g.is_truthy().unwrap_or(true)) {
            Some(generator) => {
                let value = generator.call0()?;
                self.store_value(py, process, &k, &value)?;
                Ok(value)
            }
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Frappe's `ClientCache.set_value`: SET (no expiry in Redis) and keep the value here.
    #[pyo3(signature = (key, val, *, shared=Flag(false)), text_signature = "($self, key, val, *, shared=False)")]
    fn set_value(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        val: &Bound<'_, PyAny>,
        shared: Flag,
    ) -> CacheResult<()> {
        let k = self.wrapper().make(key, &User::Nobody, shared.0)?;
        let process = self.process(py);
        self.store_value(py, process, &k, val)
    }

    /// Frappe's `ClientCache.delete_value`: the key (or keys) go here, from the request cache
    /// and from Redis, whose invalidation reaches every other process.
    #[pyo3(signature = (key, *, shared=Flag(false)), text_signature = "($self, key, *, shared=False)")]
    fn delete_value(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        shared: Flag,
    ) -> CacheResult<()> {
        let wrapper = self.wrapper();
        let mut made = Vec::new();
        for k in many(key)? {
            made.push(wrapper.make(&k, &User::Nobody, shared.0)?);
        }
        let process = self.process(py);
        let displaced = process
            .entries
            .with(py, |s| s.invalidate(made.iter().map(Made::wire)))?;
        drop(displaced);
        for k in &made {
            local_forget(py, k)?;
        }
        wrapper.unlink(py, &made)
    }

    /// Frappe's `ClientCache.delete_keys`: every key of this site matching `{pattern}*`.
    fn delete_keys(&self, py: Python<'_>, pattern: &Bound<'_, PyAny>) -> CacheResult<()> {
        let wrapper = self.wrapper();
        let mut glob = wrapper.site_key(pattern)?;
        glob.push(b'*');
        let process = self.process(py);
        let forget = || -> CacheResult<()> {
            let displaced = process
                .entries
                .with(py, |s| s.remove_where(|k| keys::glob_match(&glob, k)))?;
            drop(displaced);
            Ok(())
        };
        forget()?;
        wrapper.delete_pattern(py, glob.clone())?;
        forget() // a fill that raced the delete
    }

    /// Empties this process's copy (Redis is untouched).
    fn clear_cache(&self, py: Python<'_>) -> CacheResult<()> {
        let displaced = self.process(py).entries.with(py, |s| s.flush())?;
        drop(displaced);
        Ok(())
    }

    /// Whether entries are being cached: the invalidation link is up. False while Redis is
    /// unreachable (reads then go to Redis, as `frappe.cache`); true again once it is back.
    #[getter]
    fn healthy(&self, py: Python<'_>) -> bool {
        self.process(py).link() != 0
    }

    /// Why the cache is not healthy (None when it is).
    #[getter]
    fn unhealthy_reason(&self, py: Python<'_>) -> Option<String> {
        let process = self.process(py);
        if process.link() != 0 {
            return None;
        }
        let status = process.status.lock();
        Some(
            status
                .unsupported
                .clone()
                .or_else(|| status.last_error.clone())
                .unwrap_or_else(|| "the invalidation link is not up yet".into()),
        )
    }

    /// The listener thread's native id (what `threading.get_native_id()` would say in it), or
    /// None when it is not running in this process.
    #[getter]
    fn listener_native_id(&self, py: Python<'_>) -> Option<i64> {
        Some(self.process(py).thread_id.load(Ordering::Acquire)).filter(|&id| id != 0)
    }

    /// `(hits, misses, capacity, used, healthy)`; the Python class adds Frappe's ratios.
    fn _statistics(&self, py: Python<'_>) -> CacheResult<(u64, u64, usize, usize, bool)> {
        let process = self.process(py);
        let healthy = process.link() != 0;
        process
            .entries
            .with(py, |s| (s.hits, s.misses, s.capacity(), s.len(), healthy))
    }

    fn reset_statistics(&self, py: Python<'_>) -> CacheResult<()> {
        self.process(py)
            .entries
            .with(py, |s| (s.hits, s.misses) = (0, 0))
    }

    /// The cached entries, `{key: value}`, oldest first (a copy, for inspection).
    fn _entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let entries: Vec<(Vec<u8>, Py<PyAny>)> = self.process(py).entries.with(py, |s| {
            s.snapshot()
                .into_iter()
                .map(|(k, v)| (k.to_vec(), v.clone_ref(py)))
                .collect()
        })?;
        let dict = PyDict::new(py);
        for (k, v) in entries {
            dict.set_item(PyBytes::new(py, &k), v)?;
        }
        Ok(dict)
    }

    /// The `frappe.cache` this cache reads and writes through (Frappe's `ClientCache.redis`).
    #[getter]
    fn redis(&self, py: Python<'_>) -> Py<RedisWrapper> {
        self.shared.wrapper.clone_ref(py)
    }

    #[getter]
    fn maxsize(&self) -> usize {
        self.shared.capacity
    }

    /// The local TTL, in seconds.
    #[getter]
    fn ttl(&self) -> f64 {
        self.shared.ttl_ms as f64 / 1000.0
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.shared.wrapper)?;
        if let Some(handler) = &self.shared.handler {
            visit.call(handler)?;
        }
        Ok(())
    }
}
