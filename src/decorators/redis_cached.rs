//! `@redis_cache`: results in Redis under stable keys, a per-request memo in front.

use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use redis::Value;

use super::flight::{Flight, FlightState, Flights, LOCK_POLL, Leading, WAIT_FOR_OTHERS};
use super::memo::{forget_request_memo, recall, remember, request_memo};
use super::*;
use crate::keys;
use crate::transport::fork::ForkLocal;
use crate::wrapper::{Flag, Made, User, local_get_wire, local_put_wire};

// ---------------------------------------------------------------------------------------------
// @redis_cache

#[pyclass(module = "frappe_cache._native", frozen, dict, weakref)]
pub struct RedisCached {
    /// Read by CPython through `tp_vectorcall_offset` (see `fastcall/vectorcall.rs`).
    #[cfg(feature = "fastcall")]
    pub(crate) vectorcall: Option<pyo3::ffi::vectorcallfunc>,
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

/// `RedisCached`'s vectorcall entry point (see `EntryPoint`).
#[cfg(feature = "fastcall")]
pub(crate) static REDIS_CACHED_ENTRY: EntryPoint = EntryPoint::new();

/// What a lookup found: the value, or the key to store the computed value under (`None` when
/// the arguments have no stable digest and the call must not be cached).
enum Lookup {
    Hit(Py<PyAny>),
    Miss(Option<Vec<u8>>),
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
            None => w
                .get_pickled(py, &key)?
                .inspect(|value| local_put_wire(py, &key, value))
                .map(Bound::unbind),
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

    fn store(
        &self,
        py: Python<'_>,
        w: &RedisWrapper,
        key: &[u8],
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let ttl = *self.ttl.lock();
        w.set_pickled(py, &Made::Prefixed(key.to_vec()), value, ttl)
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
                if let Some(value) = w.get_pickled(py, key)? {
                    local_put_wire(py, key, &value);
                    return Ok(value.unbind());
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
    pub(crate) fn new(
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
            #[cfg(feature = "fastcall")]
            vectorcall: REDIS_CACHED_ENTRY.get().copied(),
            id: next_id(),
            func: func.clone().unbind(),
            func_key: format!("{}::", qualified_name(func)?).into_bytes(),
            ttl: Mutex::new(crate::ttl::expiry(ttl, "ttl")?),
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
    pub(crate) fn __call__(
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
        *self.ttl.lock() = crate::ttl::expiry(ttl, "ttl")?;
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

#[cfg(feature = "fastcall")]
impl RedisCached {
    /// The vectorcall fast path (`fastcall/vectorcall.rs`): a call this request has already seen: its key from the memo, its value from the request
    /// cache. `None`: take the general path.
    pub(crate) fn fast_hit(
        &self,
        py: Python<'_>,
        argv: &[*mut pyo3::ffi::PyObject],
    ) -> Option<Py<PyAny>> {
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
