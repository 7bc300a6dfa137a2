//! The native halves of `@redis_cache`, `@request_cache` and `@site_cache`
//! (the Python front, with bare/with-arguments use and `async def`, is `caching.py`).
//!
//! - `RedisCached`: per-call keys `{site}|[user:{u}:]{module}.{qualname}::{digest}` with a
//!   digest that is stable across processes (`digest.rs`). A hit costs one GET at most, and none
//!   when the current request already has it: a per-request memo maps the call's arguments to
//!   its key, and the request-local cache maps the key to the value. Concurrent misses of one
//!   key in this process compute once; with `lock=True`, once per Redis.
//! - `RequestCached`: a per-request memo only.
//! - `SiteCached`: an in-process memo per site, across requests, with a per-function TTL and a
//!   FIFO bound, as Frappe's `site_cache`.
//!
//! Memo lookups use Python's own hashing and equality (as Frappe's dicts do), so `f(1)` and
//! `f(1.0)` share an entry and unhashable arguments simply skip the memo.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use pyo3::PyClass;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFrozenSet, PyTuple};
use redis::Value;

use crate::codec;
use crate::digest;
use crate::errors::{CacheError, CacheResult};
use crate::fastcall;
use crate::keys;
use crate::request_cache::with_scope;
use crate::transport::fork::ForkLocal;
use crate::wrapper::{Flag, RedisWrapper, User};
use crate::wrapper::{local_forget_wire, local_get_wire, local_put_wire, refused};

/// How long a caller waits for another thread's (or, with `lock=True`, process's) computation
/// of the same entry before computing it itself.
const WAIT_FOR_OTHERS: Duration = Duration::from_secs(30);
/// How often a process waiting on another's `lock=True` computation looks for the result.
const LOCK_POLL: Duration = Duration::from_millis(20);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// A wrapper, or a function returning the wrapper in use (the drop-in's: `frappe.cache`).
static DEFAULT_CACHE: Mutex<Option<Py<PyAny>>> = Mutex::new(None);
/// Separates positional from keyword arguments in memo keys, as Frappe's `_KWD_MARK` does.
static KWD_MARK: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static CACHE_INFO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static METHOD_TYPE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static WARN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Sets the wrapper the decorators use when they were given no `cache=`: a `RedisWrapper`, a
/// function returning the one in use at each call (`None` when there is none), or `None`.
#[pyfunction]
pub fn set_default_cache(cache: Option<&Bound<'_, PyAny>>) -> CacheResult<()> {
    if let Some(c) = cache {
        if !c.is_instance_of::<RedisWrapper>() && !c.is_callable() {
            return Err(CacheError::Type(format!(
                "set_default_cache takes a RedisWrapper, a function returning one, or None; got {}",
                c.get_type().name()?
            )));
        }
    }
    let previous = std::mem::replace(
        &mut *DEFAULT_CACHE.lock(),
        cache.map(|c| c.clone().unbind()),
    );
    drop(previous);
    Ok(())
}

/// The wrapper the decorators use by default, if any.
#[pyfunction]
pub fn get_default_cache(py: Python<'_>) -> PyResult<Option<Py<RedisWrapper>>> {
    let Some(set) = DEFAULT_CACHE.lock().as_ref().map(|c| c.clone_ref(py)) else {
        return Ok(None);
    };
    let set = set.into_bound(py);
    let wrapper = if set.is_instance_of::<RedisWrapper>() {
        set
    } else {
        set.call0()?
    };
    Ok(wrapper.cast_into::<RedisWrapper>().ok().map(Bound::unbind))
}

/// The stable digest of a call's arguments (`None` when one has no stable form).
#[pyfunction]
#[pyo3(signature = (args, kwargs=None))]
pub fn arg_digest(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<String>> {
    digest::digest(py, args, kwargs)
}

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// The memo key of a call: a lone non-tuple argument is its own key (no tuple to build on the
/// hot path); otherwise the args tuple, or `(args, KWD_MARK, frozenset(kwargs.items()))` with
/// keywords. The forms cannot collide: a lone tuple argument is keyed as the 1-tuple `(arg,)`.
/// An error means the arguments are unhashable: no memo for this call.
fn memo_key<'py>(
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = args.py();
    match kwargs.filter(|k| !k.is_empty()) {
        None => match args.len() {
            1 => {
                let only = args.get_item(0)?;
                Ok(if only.is_instance_of::<PyTuple>() {
                    args.clone().into_any()
                } else {
                    only
                })
            }
            _ => Ok(args.clone().into_any()),
        },
        Some(kwargs) => {
            let mark = KWD_MARK.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
                Ok(py.import("builtins")?.getattr("object")?.call0()?.unbind())
            })?;
            let items = PyFrozenSet::new(py, kwargs.items().iter())?;
            Ok(PyTuple::new(py, [args.as_any(), mark.bind(py), items.as_any()])?.into_any())
        }
    }
}

/// `memo_key` for a vectorcall without keywords, building a tuple only when it must.
fn fast_memo_key<'py>(
    py: Python<'py>,
    argv: &[*mut pyo3::ffi::PyObject],
) -> Option<Bound<'py, PyAny>> {
    // SAFETY: the pointers are the vectorcall's borrowed arguments, alive for this call.
    let arg = |p: &*mut pyo3::ffi::PyObject| unsafe { Bound::from_borrowed_ptr(py, *p) };
    if let [only] = argv {
        let only = arg(only);
        if !only.is_instance_of::<PyTuple>() {
            return Some(only);
        }
    }
    PyTuple::new(py, argv.iter().map(arg))
        .ok()
        .map(Bound::into_any)
}

/// This request's memo dict for decorated function `id`, created on first use, with the
/// request cache's epoch; `None` outside a request scope.
fn request_memo(py: Python<'_>, id: u64) -> Option<(Bound<'_, PyDict>, u64)> {
    let (memo, epoch) = with_scope(py, |s| {
        if s.store.memo(id).is_none() {
            // An allocation may run the collector, whose finalizers find the store borrowed and
            // bypass it: safe inside the borrow.
            s.store.set_memo(id, PyDict::new(py).into_any().unbind());
        }
        Some((s.store.memo(id)?.clone_ref(py), s.store.epoch()))
    })
    .flatten()?;
    Some((memo.into_bound(py).cast_into::<PyDict>().ok()?, epoch))
}

/// What `@redis_cache`'s memo keeps per call: the key, and the value as of `epoch`.
#[pyclass(module = "frappe_cache._native", frozen)]
struct Remembered {
    key: Vec<u8>,
    epoch: u64,
    value: Py<PyAny>,
}

/// Notes `call -> (key, value)` in this request's memo (unhashable arguments: nothing).
fn remember(
    py: Python<'_>,
    memo: &Bound<'_, PyDict>,
    call: &Bound<'_, PyAny>,
    key: &[u8],
    value: &Bound<'_, PyAny>,
) {
    let Some(epoch) = with_scope(py, |s| s.store.epoch()) else {
        return;
    };
    let entry = Remembered {
        key: key.to_vec(),
        epoch,
        value: value.clone().unbind(),
    };
    if let Ok(entry) = Bound::new(py, entry) {
        let _ = memo.set_item(call, entry);
    }
}

/// The value a memo entry stands for: its copy while the request cache's epoch has not moved,
/// else the request cache's entry for its key, noted again so the next call is short again
/// (`None`: gone, look further).
fn recall(
    py: Python<'_>,
    memo: &Bound<'_, PyDict>,
    call: &Bound<'_, PyAny>,
    epoch: u64,
) -> Option<Py<PyAny>> {
    let entry = memo_get(memo, call)?;
    let entry = entry.cast::<Remembered>().ok()?.get();
    if entry.epoch == epoch {
        return Some(entry.value.clone_ref(py));
    }
    let hit = local_get_wire(py, &entry.key)?;
    remember(py, memo, call, &entry.key.clone(), &hit);
    Some(hit.unbind())
}

fn forget_request_memo(py: Python<'_>, id: u64) {
    let displaced = with_scope(py, |s| s.store.drop_memo(id));
    drop(displaced);
}

/// `memo[key]`, treating unhashable keys as a miss.
fn memo_get<'py>(memo: &Bound<'py, PyDict>, key: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
    memo.get_item(key).ok().flatten()
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Counters {
    fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    fn info<'py>(
        &self,
        py: Python<'py>,
        maxsize: Option<usize>,
        currsize: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cls = CACHE_INFO.import(py, "frappe_cache.caching", "CacheInfo")?;
        cls.call1((
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            maxsize,
            currsize,
        ))
    }
}

/// `types.MethodType(function, obj)`: decorated functions bind like plain functions.
fn bind_method(
    py: Python<'_>,
    function: Py<PyAny>,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(function),
        Some(obj) => {
            let method = METHOD_TYPE.import(py, "types", "MethodType")?;
            Ok(method.call1((function, obj))?.unbind())
        }
    }
}

fn warn(py: Python<'_>, message: String) -> PyResult<()> {
    let warn = WARN.import(py, "warnings", "warn")?;
    warn.call1((
        message,
        py.get_type::<pyo3::exceptions::PyRuntimeWarning>(),
        3,
    ))?;
    Ok(())
}

fn qualified_name(func: &Bound<'_, PyAny>) -> PyResult<String> {
    let module: String = func
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_else(|_| "__main__".into());
    let qualname: String = match func.getattr("__qualname__") {
        Ok(q) => q.extract()?,
        Err(_) => func.getattr("__name__")?.extract()?,
    };
    Ok(format!("{module}.{qualname}"))
}

// ---------------------------------------------------------------------------------------------
// In-process stampede protection

enum FlightState {
    Running,
    Done(Py<PyAny>),
    Failed,
}

/// One in-progress computation of a key that other threads may wait for.
struct Flight {
    owner: ThreadId,
    state: Mutex<FlightState>,
    finished: Condvar,
}

impl Flight {
    fn finish(&self, result: FlightState) {
        *self.state.lock() = result;
        self.finished.notify_all();
    }

    /// Waits (the caller has released the GIL) until the leader finishes or `deadline`.
    fn wait(&self, deadline: Instant) {
        let mut state = self.state.lock();
        while matches!(*state, FlightState::Running) {
            if self.finished.wait_until(&mut state, deadline).timed_out() {
                return;
            }
        }
    }

    fn result(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        match &*self.state.lock() {
            FlightState::Done(value) => Some(value.clone_ref(py)),
            _ => None,
        }
    }
}

/// Unregisters the leader's flight however its computation ends (a raise included).
type Flights = Mutex<HashMap<Vec<u8>, Arc<Flight>>>;

struct Leading<'a> {
    flights: &'a Flights,
    key: &'a [u8],
    flight: Arc<Flight>,
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        {
            let mut state = self.flight.state.lock();
            if matches!(*state, FlightState::Running) {
                *state = FlightState::Failed;
            }
        }
        self.flight.finished.notify_all();
        self.flights.lock().remove(self.key);
    }
}

// ---------------------------------------------------------------------------------------------
// Garbage collection: each decorator class reports the Python objects it holds.

trait Traverse {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError>;
}

// ---------------------------------------------------------------------------------------------
// @redis_cache

#[pyclass(module = "frappe_cache._native", frozen, dict, weakref)]
pub struct RedisCached {
    /// Read by CPython through `tp_vectorcall_offset` (see `fastcall.rs`).
    vectorcall: pyo3::ffi::vectorcallfunc,
    id: u64,
    func: Py<PyAny>,
    /// `{module}.{qualname}::`, the key's fixed part.
    func_key: Vec<u8>,
    ttl: Mutex<Option<i64>>,
    user: Option<Py<PyAny>>,
    /// `user=True`: the key depends on the session user at each call, so no per-request memo
    /// (it maps arguments to a key, and the session user can change within a request).
    per_user: bool,
    shared: bool,
    lock: bool,
    cache: Option<Py<RedisWrapper>>,
    counters: Counters,
    /// Misses being computed in this process, by key (a forked child starts with none: the
    /// computations it would wait for run in its parent).
    flights: ForkLocal<Flights>,
}

/// What a lookup found: the value, or the key to store the computed value under (`None` when
/// the arguments have no stable digest and the call must not be cached).
enum Lookup {
    Hit(Py<PyAny>),
    Miss(Option<Vec<u8>>),
}

fn check_ttl(ttl: Option<&Bound<'_, PyAny>>) -> CacheResult<Option<i64>> {
    let Some(ttl) = ttl.filter(|t| !t.is_none()) else {
        return Ok(None);
    };
    if ttl.is_instance_of::<pyo3::types::PyBool>() || !ttl.is_instance_of::<pyo3::types::PyInt>() {
        return Err(CacheError::Type(format!(
            "ttl must be a whole number of seconds (int) or None, not {}",
            ttl.get_type().name()?
        )));
    }
    let seconds: i64 = ttl.extract()?;
    if seconds <= 0 {
        return Err(CacheError::Python(pyo3::exceptions::PyValueError::new_err(
            format!(
                "ttl must be a positive number of seconds, got {seconds}; pass None for entries that never expire"
            ),
        )));
    }
    Ok(Some(seconds))
}

impl Traverse for RedisCached {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.func)?;
        visit.call(&self.user)?;
        visit.call(&self.cache)
    }
}

impl RedisCached {
    fn flights(&self) -> &Flights {
        self.flights.get(Flights::default)
    }
    fn wrapper<'py>(&self, py: Python<'py>) -> CacheResult<Bound<'py, RedisWrapper>> {
        match &self.cache {
            Some(cache) => Ok(cache.bind(py).clone()),
            None => get_default_cache(py)?.map(|c| c.into_bound(py)).ok_or_else(|| {
                CacheError::Scope(
                    "@redis_cache has no cache: call frappe_cache.set_default_cache(wrapper) once at \
                     start-up, or pass redis_cache(cache=wrapper)"
                        .into(),
                )
            }),
        }
    }

    fn lookup(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> CacheResult<Lookup> {
        let user = User::from_arg(self.user.as_ref().map(|u| u.bind(py)))?;
        let memo = if self.per_user {
            None
        } else {
            request_memo(py, self.id)
        };
        let call = memo.as_ref().and_then(|_| memo_key(args, kwargs).ok());
        // 1. Seen in this request: the memo has the value, or its key in the request cache.
        if let (Some((memo, epoch)), Some(call)) = (&memo, &call) {
            if let Some(hit) = recall(py, memo, call, *epoch) {
                return Ok(Lookup::Hit(hit));
            }
        }
        // 2. The stable key.
        let Some(digest) = digest::digest(py, args, kwargs)? else {
            warn(
                py,
                format!(
                    "@redis_cache: the arguments of {} have no stable form (an object that cannot \
                     be pickled, or one compared by identity that cannot be weakly referenced); \
                     calling it uncached",
                    String::from_utf8_lossy(&self.func_key).trim_end_matches(':')
                ),
            )?;
            return Ok(Lookup::Miss(None));
        };
        let mut raw = self.func_key.clone();
        raw.extend_from_slice(digest.as_bytes());
        let key = if self.shared {
            raw
        } else {
            w.key_from(py, &raw, &user)?
        };
        let found = match local_get_wire(py, &key) {
            Some(hit) => Some(hit.unbind()),
            // 3. One GET. A stored pickle of None is a cached None: no EXISTS needed.
            None => self
                .fetch(py, w, &key)?
                .inspect(|value| local_put_wire(py, &key, value.bind(py))),
        };
        match found {
            Some(value) => {
                if let (Some((memo, _)), Some(call)) = (&memo, &call) {
                    remember(py, memo, call, &key, value.bind(py));
                }
                Ok(Lookup::Hit(value))
            }
            None => Ok(Lookup::Miss(Some(key))),
        }
    }

    fn fetch(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        key: &[u8],
    ) -> CacheResult<Option<Py<PyAny>>> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(key);
        let stored: Option<Vec<u8>> = match w.io(py, |t, d| t.query(&cmd, d)) {
            Ok(v) => v,
            Err(err) if err.is_connection() => None,
            Err(err) => return Err(err),
        };
        match stored {
            Some(data) => Ok(w.decode(py, key, &data)?.map(Bound::unbind)),
            None => Ok(None),
        }
    }

    fn store(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        key: &[u8],
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let pickled = codec::dumps(value)?;
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(pickled.as_bytes());
        if let Some(ttl) = *self.ttl.lock() {
            cmd.arg("EX").arg(ttl);
        }
        drop(pickled);
        local_put_wire(py, key, value);
        let written = w.io(py, |t, d| t.query::<()>(&cmd, d));
        if refused(&written) {
            local_forget_wire(py, key);
        }
        match written {
            Err(err) if !err.is_connection() => Err(err),
            _ => Ok(()),
        }
    }

    fn compute_and_store(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        key: &[u8],
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> CacheResult<Py<PyAny>> {
        let value = self.func.bind(py).call(args, kwargs)?;
        self.store(py, w, key, &value)?;
        Ok(value.unbind())
    }

    /// A miss: compute once per process (others wait for the result), and with `lock=True`
    /// once per Redis.
    fn compute(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        key: Vec<u8>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> CacheResult<Py<PyAny>> {
        let me = std::thread::current().id();
        // Decide under the lock, act after releasing it: the computation may call back in.
        let joined = {
            let mut flights = self.flights().lock();
            match flights.get(&key) {
                Some(f) if f.owner == me => None,
                Some(f) => Some((f.clone(), false)),
                None => {
                    let f = Arc::new(Flight {
                        owner: me,
                        state: Mutex::new(FlightState::Running),
                        finished: Condvar::new(),
                    });
                    flights.insert(key.clone(), f.clone());
                    Some((f, true))
                }
            }
        };
        let Some((flight, leader)) = joined else {
            // The same thread again: a recursive call with the same arguments. Waiting on
            // ourselves would never end, so just compute.
            return self.compute_and_store(py, w, &key, args, kwargs);
        };
        if !leader {
            let deadline = Instant::now() + WAIT_FOR_OTHERS;
            py.detach(|| flight.wait(deadline));
            if let Some(value) = flight.result(py) {
                self.counters.hit();
                local_put_wire(py, &key, value.bind(py));
                return Ok(value);
            }
            // The leader failed or is too slow: compute ourselves.
            self.counters.miss();
            return self.compute_and_store(py, w, &key, args, kwargs);
        }
        self.counters.miss();
        let leading = Leading {
            flights: self.flights(),
            key: &key,
            flight,
        };
        let value = if self.lock {
            self.compute_locked(py, w, &key, args, kwargs)?
        } else {
            self.compute_and_store(py, w, &key, args, kwargs)?
        };
        leading
            .flight
            .finish(FlightState::Done(value.clone_ref(py)));
        drop(leading);
        Ok(value)
    }

    /// Across processes: the one that takes `{key}:lock` (SET NX PX) computes; the others poll
    /// for the value until it appears, the lock goes away, or they have waited long enough.
    fn compute_locked(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        key: &[u8],
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> CacheResult<Py<PyAny>> {
        let mut lock_key = key.to_vec();
        lock_key.extend_from_slice(b":lock");
        let token = format!(
            "{}:{:?}:{}",
            std::process::id(),
            std::thread::current().id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
                ^ u128::from(next_id())
        );
        let deadline = Instant::now() + WAIT_FOR_OTHERS;
        loop {
            let mut take = redis::cmd("SET");
            take.arg(&lock_key)
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(WAIT_FOR_OTHERS.as_millis() as u64);
            let taken = match w.io(py, |t, d| t.query::<Value>(&take, d)) {
                Ok(Value::Okay) => true,
                Ok(_) => false,
                // No Redis, no lock to share: compute here.
                Err(err) if err.is_connection() => {
                    return self.compute_and_store(py, w, key, args, kwargs);
                }
                Err(err) => return Err(err),
            };
            if taken {
                let result = self.compute_and_store(py, w, key, args, kwargs);
                // Delete the lock only if it is still ours (it may have expired and moved on).
                let mut release = redis::cmd("EVAL");
                release
                    .arg("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0")
                    .arg(1)
                    .arg(&lock_key)
                    .arg(&token);
                let _ = w.io(py, |t, d| t.query::<Value>(&release, d));
                return result;
            }
            while Instant::now() < deadline {
                py.detach(|| std::thread::sleep(LOCK_POLL));
                if let Some(value) = self.fetch(py, w, key)? {
                    local_put_wire(py, key, value.bind(py));
                    return Ok(value);
                }
                let mut held = redis::cmd("EXISTS");
                held.arg(&lock_key);
                if !w.io(py, |t, d| t.query::<bool>(&held, d)).unwrap_or(false) {
                    break; // the holder gave up without a value: try to take the lock
                }
            }
            if Instant::now() >= deadline {
                return self.compute_and_store(py, w, key, args, kwargs);
            }
        }
    }
}

#[pymethods]
impl RedisCached {
    #[new]
    #[pyo3(signature = (func, ttl=None, user=None, shared=Flag(false), cache=None, lock=false), text_signature = "(func, ttl=None, user=None, shared=False, cache=None, lock=False)")]
    fn new(
        func: &Bound<'_, PyAny>,
        ttl: Option<&Bound<'_, PyAny>>,
        user: Option<&Bound<'_, PyAny>>,
        shared: Flag,
        cache: Option<Py<RedisWrapper>>,
        lock: bool,
    ) -> CacheResult<Self> {
        if !func.is_callable() {
            return Err(CacheError::Type(
                "@redis_cache decorates a function or method".into(),
            ));
        }
        let per_user = matches!(User::from_arg(user)?, User::Current);
        Ok(RedisCached {
            vectorcall: fastcall::entry::<Call<RedisCached>>(),
            id: next_id(),
            func: func.clone().unbind(),
            func_key: format!("{}::", qualified_name(func)?).into_bytes(),
            ttl: Mutex::new(check_ttl(ttl)?),
            user: user.filter(|u| !u.is_none()).map(|u| u.clone().unbind()),
            per_user,
            shared: shared.0,
            lock,
            cache,
            counters: Counters::default(),
            flights: ForkLocal::new(Flights::default()),
        })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> CacheResult<Py<PyAny>> {
        let wrapper = self.wrapper(py)?;
        let w = wrapper.get();
        match self.lookup(py, w, args, kwargs)? {
            Lookup::Hit(value) => {
                self.counters.hit();
                Ok(value)
            }
            Lookup::Miss(Some(key)) => {
                let value = self.compute(py, w, key.clone(), args, kwargs)?;
                let memo = if self.per_user {
                    None
                } else {
                    request_memo(py, self.id)
                };
                if let (Some((memo, _)), Ok(call)) = (memo, memo_key(args, kwargs)) {
                    remember(py, &memo, &call, &key, value.bind(py));
                }
                Ok(value)
            }
            Lookup::Miss(None) => {
                self.counters.miss();
                Ok(self.func.bind(py).call(args, kwargs)?.unbind())
            }
        }
    }

    /// Lets the garbage collector see the function (and what else we hold): a decorated closure
    /// that refers back to itself is a cycle it must be able to collect.
    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        self.traverse(visit)
    }

    fn __get__(
        slf: Py<Self>,
        py: Python<'_>,
        obj: Option<&Bound<'_, PyAny>>,
        _owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        bind_method(py, slf.into_any(), obj)
    }

    /// For `async def` functions (caching.py awaits between the two halves):
    /// `(True, value)` on a hit, else `(False, key)` with the key to `_store` the result under
    /// (`None`: do not cache this call).
    fn _lookup<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> CacheResult<(bool, Py<PyAny>)> {
        let wrapper = self.wrapper(py)?;
        Ok(match self.lookup(py, wrapper.get(), args, kwargs)? {
            Lookup::Hit(value) => {
                self.counters.hit();
                (true, value)
            }
            Lookup::Miss(key) => {
                self.counters.miss();
                (
                    false,
                    key.map_or_else(|| py.None(), |k| PyBytes::new(py, &k).into_any().unbind()),
                )
            }
        })
    }

    fn _store(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyBytes>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let wrapper = self.wrapper(py)?;
        self.store(py, wrapper.get(), key.as_bytes(), value)
    }

    /// Removes every entry of this function for the current site: site-wide, per-user and
    /// shared ones (Frappe's misses the last two), and this request's memo of it.
    fn clear_cache(&self, py: Python<'_>) -> CacheResult<()> {
        forget_request_memo(py, self.id);
        let wrapper = self.wrapper(py)?;
        let w = wrapper.get();
        let mut pattern_tail = keys::glob_escape(&self.func_key);
        pattern_tail.push(b'*');
        if let Ok(site) = w.current_site(py) {
            let site = keys::glob_escape(site.as_bytes());
            for middle in [&b"|"[..], b"|user:*:"] {
                let mut pattern = site.clone();
                pattern.extend_from_slice(middle);
                pattern.extend_from_slice(&pattern_tail);
                w.delete_pattern(py, pattern)?;
            }
        }
        w.delete_pattern(py, pattern_tail)
    }

    fn cache_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.counters.info(py, None, None)
    }

    /// Seconds an entry lives; `None`: forever. Read on every call, so it can change at run time.
    #[getter]
    fn get_ttl(&self) -> Option<i64> {
        *self.ttl.lock()
    }

    #[setter]
    fn set_ttl(&self, ttl: Option<&Bound<'_, PyAny>>) -> CacheResult<()> {
        *self.ttl.lock() = check_ttl(ttl)?;
        Ok(())
    }

    #[getter]
    fn lock(&self) -> bool {
        self.lock
    }

    fn __repr__(&self) -> String {
        let ttl = self.ttl.lock().map_or("None".into(), |t| t.to_string());
        format!(
            "<redis_cache {} ttl={ttl}>",
            String::from_utf8_lossy(&self.func_key).trim_end_matches(':')
        )
    }
}

// ---------------------------------------------------------------------------------------------
// @request_cache

#[pyclass(module = "frappe_cache._native", frozen, dict, weakref)]
pub struct RequestCached {
    /// Read by CPython through `tp_vectorcall_offset` (see `fastcall.rs`).
    vectorcall: pyo3::ffi::vectorcallfunc,
    id: u64,
    func: Py<PyAny>,
    counters: Counters,
}

impl Traverse for RequestCached {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.func)
    }
}

#[pymethods]
impl RequestCached {
    #[new]
    fn new(func: &Bound<'_, PyAny>) -> CacheResult<Self> {
        if !func.is_callable() {
            return Err(CacheError::Type(
                "@request_cache decorates a function or method".into(),
            ));
        }
        Ok(RequestCached {
            vectorcall: fastcall::entry::<Call<RequestCached>>(),
            id: next_id(),
            func: func.clone().unbind(),
            counters: Counters::default(),
        })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let func = self.func.bind(py);
        // Outside a request, or with unhashable arguments: call through, never raise (Frappe).
        let Some((memo, _)) = request_memo(py, self.id) else {
            return Ok(func.call(args, kwargs)?.unbind());
        };
        let Ok(call) = memo_key(args, kwargs) else {
            return Ok(func.call(args, kwargs)?.unbind());
        };
        match memo.get_item(&call) {
            Ok(Some(value)) => {
                self.counters.hit();
                Ok(value.unbind())
            }
            Ok(None) => {
                self.counters.miss();
                let value = func.call(args, kwargs)?;
                let _ = memo.set_item(&call, &value);
                Ok(value.unbind())
            }
            Err(_) => Ok(func.call(args, kwargs)?.unbind()),
        }
    }

    /// Lets the garbage collector see the function (and what else we hold): a decorated closure
    /// that refers back to itself is a cycle it must be able to collect.
    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        self.traverse(visit)
    }

    fn __get__(
        slf: Py<Self>,
        py: Python<'_>,
        obj: Option<&Bound<'_, PyAny>>,
        _owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        bind_method(py, slf.into_any(), obj)
    }

    /// Forgets this function's results in the current request.
    fn clear_cache(&self, py: Python<'_>) {
        forget_request_memo(py, self.id);
    }

    fn cache_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let size = request_memo(py, self.id).map(|(m, _)| m.len());
        self.counters.info(py, None, size)
    }
}

// ---------------------------------------------------------------------------------------------
// @site_cache

#[pyclass(module = "frappe_cache._native", frozen, dict, weakref)]
pub struct SiteCached {
    func: Py<PyAny>,
    ttl: Option<Duration>,
    maxsize: Option<usize>,
    /// `(site, memo key) -> value`, in insertion order (FIFO eviction).
    entries: Py<PyDict>,
    /// When every entry of this function expires (Frappe's TTL is per function, not per entry).
    expiration: Mutex<Option<Instant>>,
    counters: Counters,
}

impl Traverse for SiteCached {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.func)?;
        visit.call(&self.entries)
    }
}

#[pymethods]
impl SiteCached {
    #[new]
    #[pyo3(signature = (func, ttl=None, maxsize=None))]
    fn new(
        py: Python<'_>,
        func: &Bound<'_, PyAny>,
        ttl: Option<f64>,
        maxsize: Option<usize>,
    ) -> CacheResult<Self> {
        if !func.is_callable() {
            return Err(CacheError::Type(
                "@site_cache decorates a function or method".into(),
            ));
        }
        let ttl = match ttl {
            None => None,
            Some(t) if t.is_finite() && t > 0.0 => Some(Duration::from_secs_f64(t)),
            Some(t) => {
                return Err(CacheError::Python(pyo3::exceptions::PyValueError::new_err(
                    format!("ttl must be a positive number of seconds or None, got {t}"),
                )));
            }
        };
        if maxsize == Some(0) {
            return Err(CacheError::Python(pyo3::exceptions::PyValueError::new_err(
                "maxsize must be at least 1, or None for no bound",
            )));
        }
        Ok(SiteCached {
            func: func.clone().unbind(),
            ttl,
            maxsize,
            entries: PyDict::new(py).unbind(),
            expiration: Mutex::new(ttl.map(|t| Instant::now() + t)),
            counters: Counters::default(),
        })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let func = self.func.bind(py);
        let Some(site) = crate::request_cache::current_site(py) else {
            return Ok(func.call(args, kwargs)?.unbind());
        };
        let entries = self.entries.bind(py);
        if let Some(ttl) = self.ttl {
            let expired = {
                let mut expiration = self.expiration.lock();
                let now = Instant::now();
                let expired = expiration.is_some_and(|e| now >= e);
                if expired {
                    *expiration = Some(now + ttl);
                }
                expired
            };
            if expired {
                entries.clear();
            }
        }
        // Unhashable arguments raise TypeError, as Frappe's site_cache intends.
        let call = memo_key(args, kwargs)?;
        let key = PyTuple::new(py, [site.into_pyobject(py)?.into_any(), call])?;
        match entries.get_item(&key) {
            Ok(Some(value)) => {
                self.counters.hit();
                Ok(value.unbind())
            }
            Ok(None) => {
                self.counters.miss();
                let value = func.call(args, kwargs)?;
                if let Some(maxsize) = self.maxsize {
                    while entries.len() >= maxsize {
                        let Some((oldest, _)) = entries.iter().next() else {
                            break;
                        };
                        entries.del_item(oldest)?;
                    }
                }
                let _ = entries.set_item(&key, &value);
                Ok(value.unbind())
            }
            Err(err) => Err(err),
        }
    }

    /// Lets the garbage collector see the function (and what else we hold): a decorated closure
    /// that refers back to itself is a cycle it must be able to collect.
    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        self.traverse(visit)
    }

    fn __get__(
        slf: Py<Self>,
        py: Python<'_>,
        obj: Option<&Bound<'_, PyAny>>,
        _owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        bind_method(py, slf.into_any(), obj)
    }

    /// Forgets every entry of this function, for every site.
    fn clear_cache(&self, py: Python<'_>) {
        self.entries.bind(py).clear();
    }

    fn cache_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.counters
            .info(py, self.maxsize, Some(self.entries.bind(py).len()))
    }

    #[getter]
    fn ttl(&self) -> Option<f64> {
        self.ttl.map(|t| t.as_secs_f64())
    }

    #[getter]
    fn maxsize(&self) -> Option<usize> {
        self.maxsize
    }
}

// ---------------------------------------------------------------------------------------------
// Vectorcall entry points (see `fastcall.rs`): a repeated hit in a request answers straight from
// the memo; anything else takes the general path, with the arguments packed as `__call__` gets
// them.

impl RedisCached {
    /// A call this request has already seen: its key from the memo, its value from the request
    /// cache. `None`: take the general path.
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>> {
        if self.per_user {
            return None;
        }
        let (memo, epoch) = request_memo(py, self.id)?;
        let call = fast_memo_key(py, argv)?;
        let hit = recall(py, &memo, &call, epoch)?;
        self.counters.hit();
        Some(hit)
    }
}

/// A decorator class's two ways to answer a vectorcall.
trait Vectorcalled: PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync {
    /// A hit answered from the arguments as they come (no keywords); `None`: take `call`.
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>>;
    /// The general path, with the arguments packed as `__call__` gets them.
    fn call(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>>;
}

impl Vectorcalled for RedisCached {
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>> {
        RedisCached::fast_hit(self, py, argv)
    }

    fn call(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        Ok(self.__call__(py, args, kwargs)?)
    }
}

impl Vectorcalled for RequestCached {
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>> {
        let (memo, _) = request_memo(py, self.id)?;
        let hit = memo_get(&memo, &fast_memo_key(py, argv)?)?;
        self.counters.hit();
        Some(hit.unbind())
    }

    fn call(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        self.__call__(py, args, kwargs)
    }
}

struct Call<T>(std::marker::PhantomData<T>);

impl<T: Vectorcalled> pyo3::impl_::trampoline::MethodDef<fastcall::Body> for Call<T> {
    const METH: fastcall::Body = vectorcall::<T>;
}

/// # Safety
/// Called by CPython's vectorcall on a `T` with the interpreter attached.
unsafe fn vectorcall<T: Vectorcalled>(
    py: Python<'_>,
    slf: *mut pyo3::ffi::PyObject,
    args: *const *mut pyo3::ffi::PyObject,
    nargsf: pyo3::ffi::Py_ssize_t,
    kwnames: *mut pyo3::ffi::PyObject,
) -> PyResult<*mut pyo3::ffi::PyObject> {
    // SAFETY: CPython calls this slot only on instances of the type that carries it.
    let this = unsafe { Bound::from_borrowed_ptr(py, slf).cast_into_unchecked::<T>() };
    let this = this.get();
    if kwnames.is_null() {
        if let Some(hit) = this.fast_hit(py, unsafe { fastcall::positional(args, nargsf) }) {
            return Ok(hit.into_ptr());
        }
    }
    let (args, kwargs) = unsafe { fastcall::unpack(py, args, nargsf, kwnames) }?;
    Ok(this.call(py, &args, kwargs.as_ref())?.into_ptr())
}

/// Turns vectorcall on for the decorator classes; called once, at import.
pub fn enable_vectorcall(py: Python<'_>) -> PyResult<()> {
    let probe = py.import("builtins")?.getattr("len")?;
    let redis_cached = Bound::new(
        py,
        RedisCached::new(&probe, None, None, Flag(false), None, false)?,
    )?;
    let request_cached = Bound::new(py, RequestCached::new(&probe)?)?;
    // SAFETY: each probe is an instance of its (final) type, and every instance sets the field.
    unsafe {
        fastcall::enable(
            &py.get_type::<RedisCached>(),
            redis_cached.as_any(),
            &redis_cached.get().vectorcall,
        );
        fastcall::enable(
            &py.get_type::<RequestCached>(),
            request_cached.as_any(),
            &request_cached.get().vectorcall,
        );
    }
    Ok(())
}
