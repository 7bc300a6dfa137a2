//! `RedisWrapper`: Frappe's `frappe.cache` method surface. Argument handling and Frappe's
//! policies (what is prefixed, what is cached locally, which connection errors are swallowed)
//! live here; keys, codec, connections and the request-local cache are in their own modules.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDelta, PyDeltaAccess, PyDict, PyInt, PyList, PySet, PyString, PyTuple,
};
use redis::{Cmd, Value};

use crate::client::{self, Client, Options};
use crate::codec;
use crate::errors::{CacheError, CacheResult};
use crate::keys;
use crate::reply;
use crate::request_cache::with_scope;

/// Keys per SCAN step (listing) and per UNLINK: big enough to be quick, small enough that
/// Redis, which every site shares, never stalls on one command.
const BATCH: usize = 1000;
/// Keys per SCAN + UNLINK step when deleting by pattern: freeing is the costly part, so smaller
/// steps keep every other client's worst wait well under a millisecond.
const DELETE_BATCH: usize = 250;

#[pyclass(module = "frappe_cache._native", frozen, subclass)]
pub struct RedisWrapper {
    client: Client,
    url: String,
    site: Option<String>,
    strict: bool,
}

/// Who a key belongs to: Frappe's `user=` argument.
#[derive(Clone, Copy)]
pub(crate) enum User<'a> {
    Nobody,
    /// `user=True`: the current request's user.
    Current,
    Named(&'a str),
}

impl<'a> User<'a> {
    pub(crate) fn from_arg(user: Option<&'a Bound<'_, PyAny>>) -> CacheResult<User<'a>> {
        let Some(user) = user else {
            return Ok(User::Nobody);
        };
        if user.is_none() {
            return Ok(User::Nobody);
        }
        if let Ok(flag) = user.cast::<PyBool>() {
            return Ok(if flag.is_true() {
                User::Current
            } else {
                User::Nobody
            });
        }
        if let Ok(name) = user.cast::<PyString>() {
            let name = name.to_str()?;
            return Ok(if name.is_empty() {
                User::Nobody
            } else {
                User::Named(name)
            });
        }
        Err(CacheError::Type(format!(
            "user must be a user name (str), True for the current request's user, or None; got {}",
            user.get_type().name()?
        )))
    }
}

/// Frappe's connection-error policy: where it swallows, a connection error becomes `fallback`.
/// Timeouts and error replies always propagate.
fn swallow<T>(result: CacheResult<T>, fallback: T) -> CacheResult<T> {
    match result {
        Err(err) if err.is_connection() => Ok(fallback),
        other => other,
    }
}

fn ttl_seconds(value: &Bound<'_, PyAny>, name: &str, positive: bool) -> CacheResult<i64> {
    let seconds = if let Ok(delta) = value.cast::<PyDelta>() {
        delta.get_days() as i64 * 86_400 + delta.get_seconds() as i64
    } else if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        value.extract::<i64>()?
    } else {
        return Err(CacheError::Type(format!(
            "{name} must be a whole number of seconds (int) or a datetime.timedelta, not {}",
            value.get_type().name()?
        )));
    };
    if positive && seconds <= 0 {
        return Err(CacheError::Python(pyo3::exceptions::PyValueError::new_err(
            format!(
                "{name} must be a positive number of seconds, got {seconds}; \
             pass None for a key that never expires"
            ),
        )));
    }
    Ok(seconds)
}

fn cmd_with(name: &str, key: &[u8]) -> Cmd {
    let mut cmd = redis::cmd(name);
    cmd.arg(key);
    cmd
}

fn bytes_list<'py>(py: Python<'py>, items: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, items.iter().map(|k| PyBytes::new(py, k)))
}

impl RedisWrapper {
    /// Runs Redis work with the GIL released.
    pub(crate) fn io<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Client) -> CacheResult<T> + Send,
    ) -> CacheResult<T> {
        py.detach(|| f(&self.client))
    }

    /// The wire key for `key`: Frappe's `make_key`, always as bytes.
    pub(crate) fn key(
        &self,
        key: &Bound<'_, PyAny>,
        user: User<'_>,
        shared: bool,
    ) -> CacheResult<Vec<u8>> {
        self.key_from(&codec::key_bytes(key)?, user, shared)
    }

    /// `key` for an already encoded key.
    pub(crate) fn key_from(
        &self,
        raw: &[u8],
        user: User<'_>,
        shared: bool,
    ) -> CacheResult<Vec<u8>> {
        if shared {
            return Ok(raw.to_vec());
        }
        let from_scope = with_scope(|scope| {
            let user = match user {
                User::Nobody => None,
                User::Named(u) => Some(u),
                User::Current => match scope.user.as_deref() {
                    Some(u) => Some(u),
                    None => return Err(no_current_user()),
                },
            };
            Ok(keys::build(&scope.site, user, raw))
        });
        match from_scope {
            Some(built) => built,
            None => {
                let site = self.site.as_deref().ok_or_else(|| {
                    CacheError::Scope(format!(
                        "no site for key {:?}: call inside frappe_cache.request_scope(site) / \
                         begin_request(site), create the wrapper with from_url(url, site=...), \
                         or pass shared=True",
                        String::from_utf8_lossy(raw)
                    ))
                })?;
                let user = match user {
                    User::Nobody => None,
                    User::Named(u) => Some(u),
                    User::Current => return Err(no_current_user()),
                };
                Ok(keys::build(site, user, raw))
            }
        }
    }

    /// The hit path: builds the wire key in the scope's reused buffer and looks it up there,
    /// allocating nothing. `field` looks inside a cached hash instead of the string map.
    /// `None` also when the key cannot be built here (`user=True` without a scope user): the
    /// slow path then reports why.
    pub(crate) fn local_get(
        py: Python<'_>,
        raw: &[u8],
        user: User<'_>,
        shared: bool,
        field: Option<&[u8]>,
    ) -> Option<Py<PyAny>> {
        let value = Self::local_ptr(raw, user, shared, field)?;
        // SAFETY: the request cache holds a reference to `value`, and nothing has run since.
        Some(unsafe { Bound::from_borrowed_ptr(py, value) }.unbind())
    }

    /// `local_get` without the reference count: a pointer the request cache holds, valid until
    /// Python code runs again (for `hot.rs`, which runs without PyO3's bookkeeping).
    pub(crate) fn local_ptr(
        raw: &[u8],
        user: User<'_>,
        shared: bool,
        field: Option<&[u8]>,
    ) -> Option<*mut pyo3::ffi::PyObject> {
        with_scope(|s| {
            let user = match user {
                _ if shared => None,
                User::Nobody => None,
                User::Named(u) => Some(u),
                User::Current => Some(s.user.as_deref()?),
            };
            let mut buf = std::mem::take(&mut s.scratch);
            if shared {
                buf.clear();
                buf.extend_from_slice(raw);
            } else {
                keys::build_into(&mut buf, &s.site, user, raw);
            }
            let hit = match field {
                None => s.get(&buf),
                Some(f) => s.hget(&buf, f),
            }
            .map(|v| v.as_ptr());
            s.scratch = buf;
            hit
        })
        .flatten()
    }

    pub(crate) fn site_key(&self, key: &Bound<'_, PyAny>) -> CacheResult<Vec<u8>> {
        self.key(key, User::Nobody, false)
    }

    /// The site prefix in force (scope, else wrapper), for patterns and unprefixing.
    pub(crate) fn current_site(&self) -> CacheResult<String> {
        with_scope(|s| s.site.clone())
            .or_else(|| self.site.clone())
            .ok_or_else(|| {
                CacheError::Scope(
                    "no site: call inside frappe_cache.request_scope(site) / begin_request(site), \
                     or create the wrapper with from_url(url, site=...)"
                        .into(),
                )
            })
    }

    /// Unpickles stored bytes; undecodable bytes are a logged miss (or an error when strict).
    pub(crate) fn decode<'py>(
        &self,
        py: Python<'py>,
        key: &[u8],
        data: &[u8],
    ) -> CacheResult<Option<Bound<'py, PyAny>>> {
        match codec::loads(py, data) {
            Ok(value) => Ok(Some(value)),
            // KeyboardInterrupt, SystemExit and friends are not a bad value: let them through.
            Err(cause) if !cause.is_instance_of::<pyo3::exceptions::PyException>(py) => {
                Err(cause.into())
            }
            Err(cause) => codec::undecodable(py, key, cause, self.strict).map(|()| None),
        }
    }

    pub(crate) fn local_put(key: &[u8], value: &Bound<'_, PyAny>) {
        let displaced = with_scope(|s| s.put(key, value.clone().unbind()));
        drop(displaced); // outside the borrow: `__del__` may call back into the cache
    }

    pub(crate) fn local_forget(key: &[u8]) {
        let displaced = with_scope(|s| s.remove(key));
        drop(displaced);
    }

    /// Keys of this site matching `{site}|{prefix}*`, by SCAN (never KEYS, which blocks a Redis
    /// every site shares). On a connection error: the request-local cache's keys, as Frappe does.
    fn scan_keys(&self, py: Python<'_>, prefix: &Bound<'_, PyAny>) -> CacheResult<Vec<Vec<u8>>> {
        let mut pattern = self.site_key(prefix)?;
        pattern.push(b'*');
        let scanned = self.io(py, |client| {
            client.run(|conn| {
                let mut seen = std::collections::HashSet::new();
                let mut cursor: u64 = 0;
                loop {
                    let (next, batch): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                        .cursor_arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(BATCH)
                        .query(conn)?;
                    seen.extend(batch);
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
                let mut keys: Vec<Vec<u8>> = seen.into_iter().collect();
                keys.sort();
                Ok(keys)
            })
        });
        match scanned {
            Err(err) if err.is_connection() => {
                Ok(
                    with_scope(|s| s.keys_where(|k| keys::glob_match(&pattern, k)))
                        .unwrap_or_default(),
                )
            }
            other => other,
        }
    }

    /// Deletes every key matching the glob `pattern`, locally and in Redis: SCAN one batch,
    /// UNLINK it, repeat, so Redis never sees one long blocking command. Connection errors are
    /// swallowed, as Frappe's `delete_keys` does.
    pub(crate) fn delete_pattern(&self, py: Python<'_>, pattern: Vec<u8>) -> CacheResult<()> {
        let displaced = with_scope(|s| {
            s.keys_where(|k| keys::glob_match(&pattern, k))
                .into_iter()
                .flat_map(|k| s.remove(&k))
                .collect::<Vec<_>>()
        });
        drop(displaced);
        let result = self.io(py, |client| {
            client.run(|conn| {
                let mut cursor: u64 = 0;
                loop {
                    let (next, batch): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                        .cursor_arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(DELETE_BATCH)
                        .query(conn)?;
                    if !batch.is_empty() {
                        redis::cmd("UNLINK").arg(&batch).query::<()>(conn)?;
                    }
                    if next == 0 {
                        return Ok(());
                    }
                    cursor = next;
                }
            })
        });
        swallow(result, ())
    }

    fn unlink(&self, py: Python<'_>, keys: &[Vec<u8>]) -> CacheResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for chunk in keys.chunks(BATCH) {
            pipe.cmd("UNLINK").arg(chunk).ignore();
        }
        swallow(self.io(py, |c| c.query_pipeline::<()>(&pipe)), ())
    }

    fn hdel_many(&self, py: Python<'_>, pairs: Vec<(Vec<u8>, Vec<Vec<u8>>)>) -> CacheResult<()> {
        let pairs: Vec<_> = pairs.into_iter().filter(|(_, f)| !f.is_empty()).collect();
        for (name, fields) in &pairs {
            let displaced: Vec<_> = fields
                .iter()
                .filter_map(|f| with_scope(|s| s.hremove(name, f)).flatten())
                .collect();
            drop(displaced);
        }
        if pairs.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        for (name, fields) in &pairs {
            pipe.cmd("HDEL").arg(name).arg(fields).ignore();
        }
        swallow(self.io(py, |c| c.query_pipeline::<()>(&pipe)), ())
    }

    fn raw_query<T: redis::FromRedisValue + Send>(
        &self,
        py: Python<'_>,
        cmd: Cmd,
    ) -> CacheResult<T> {
        self.io(py, move |c| c.query(&cmd))
    }
}

/// A raw command from Python arguments, encoded as redis-py encodes them.
fn command_from(args: &Bound<'_, PyTuple>) -> CacheResult<Cmd> {
    let mut parts = args.iter();
    let Some(name) = parts.next() else {
        return Err(CacheError::Type(
            "execute_command needs a command name".into(),
        ));
    };
    let mut cmd = Cmd::new();
    cmd.arg(codec::arg_bytes(&name, "command name")?.as_ref());
    for arg in parts {
        cmd.arg(codec::arg_bytes(&arg, "command argument")?.as_ref());
    }
    Ok(cmd)
}

fn no_current_user() -> CacheError {
    CacheError::Scope(
        "user=True means the current request's user, but no request scope with a user is open \
         on this thread: use request_scope(site, user=...) or pass the user name"
            .into(),
    )
}

/// The elements of a `keys`/`names` argument: a str, bytes or int is one key; any other
/// iterable (list, tuple, set, dict view, generator) is many; anything else is one (bad) key.
fn many<'py>(arg: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if arg.is_instance_of::<PyString>()
        || arg.is_instance_of::<PyBytes>()
        || arg.is_instance_of::<PyInt>()
    {
        return Ok(vec![arg.clone()]);
    }
    match arg.try_iter() {
        Ok(items) => items.collect(),
        Err(_) => Ok(vec![arg.clone()]),
    }
}

#[pymethods]
impl RedisWrapper {
    #[new]
    #[pyo3(signature = (url, *, site=None, socket_connect_timeout=Some(5.0), socket_timeout=Some(5.0), max_connections=64, strict=false, ssl_ca_certs=None, ssl_certfile=None, ssl_keyfile=None))]
    fn new(
        url: &str,
        site: Option<String>,
        socket_connect_timeout: Option<f64>,
        socket_timeout: Option<f64>,
        max_connections: usize,
        strict: bool,
        ssl_ca_certs: Option<String>,
        ssl_certfile: Option<String>,
        ssl_keyfile: Option<String>,
    ) -> CacheResult<Self> {
        let seconds = |name: &str, v: Option<f64>| -> CacheResult<Option<Duration>> {
            match v {
                None => Ok(None),
                Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
                Some(s) => Err(CacheError::Config(format!(
                    "{name} must be a positive number of seconds or None (wait forever), got {s}"
                ))),
            }
        };
        if max_connections == 0 {
            return Err(CacheError::Config(
                "max_connections must be at least 1".into(),
            ));
        }
        if site.as_deref() == Some("") {
            return Err(CacheError::Config(
                "site must be a non-empty db_name, or None".into(),
            ));
        }
        let options = Options {
            connect_timeout: seconds("socket_connect_timeout", socket_connect_timeout)?,
            socket_timeout: seconds("socket_timeout", socket_timeout)?,
            max_connections,
            tls: client::Tls {
                ca_certs: ssl_ca_certs,
                certfile: ssl_certfile,
                keyfile: ssl_keyfile,
            },
        };
        let info = client::parse_url(url)?;
        Ok(RedisWrapper {
            client: Client::new(info, options)?,
            url: url.to_string(),
            site,
            strict,
        })
    }

    /// redis-py's spelling; builds `cls` so that subclasses get their own type back.
    #[classmethod]
    #[pyo3(signature = (url, **options))]
    fn from_url<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        url: &str,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        cls.call((url,), options)
    }

    #[getter]
    fn site(&self) -> Option<&str> {
        self.site.as_deref()
    }

    #[getter]
    fn url(&self) -> String {
        client::mask_password(&self.url)
    }

    fn __repr__(&self) -> String {
        let o = self.client.options();
        let site = self
            .site
            .as_ref()
            .map_or("None".to_string(), |s| format!("{s:?}"));
        let timeout = o
            .socket_timeout
            .map_or("None".to_string(), |d| d.as_secs_f64().to_string());
        format!(
            "RedisWrapper.from_url({:?}, site={site}, socket_timeout={timeout}, max_connections={})",
            client::mask_password(&self.url),
            o.max_connections
        )
    }

    fn __call__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn close(&self, py: Python<'_>) {
        py.detach(|| self.client.close());
    }

    #[pyo3(signature = (key, user=None, shared=false))]
    fn make_key<'py>(
        &self,
        key: &Bound<'py, PyAny>,
        user: Option<&Bound<'py, PyAny>>,
        shared: bool,
    ) -> CacheResult<Bound<'py, PyAny>> {
        if shared {
            codec::key_bytes(key)?; // still refuse keys Redis could not take
            return Ok(key.clone());
        }
        let k = self.key(key, User::from_arg(user)?, false)?;
        Ok(PyBytes::new(key.py(), &k).into_any())
    }

    fn connected(&self, py: Python<'_>) -> bool {
        self.io(py, |c| c.query::<Value>(&redis::cmd("PING")))
            .is_ok()
    }

    // -- strings ---------------------------------------------------------------------------------

    #[pyo3(signature = (key, val, user=None, expires_in_sec=None, shared=false))]
    fn set_value(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        val: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        expires_in_sec: Option<&Bound<'_, PyAny>>,
        shared: bool,
    ) -> CacheResult<()> {
        let k = self.key(key, User::from_arg(user)?, shared)?;
        let ttl = match expires_in_sec {
            Some(v) if !v.is_none() => Some(ttl_seconds(v, "expires_in_sec", true)?),
            _ => None,
        };
        // Pickle before touching anything: an unpicklable value leaves the caches as they were.
        let pickled = codec::dumps(val)?;
        let mut cmd = cmd_with("SET", &k);
        cmd.arg(pickled.as_bytes());
        if let Some(ttl) = ttl {
            cmd.arg("EX").arg(ttl);
        }
        drop(pickled);
        Self::local_put(&k, val);
        swallow(self.io(py, |c| c.query::<()>(&cmd)), ())
    }

    #[pyo3(signature = (key, generator=None, user=None, expires=false, shared=false, *, use_local_cache=true))]
    fn get_value<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        generator: Option<&Bound<'py, PyAny>>,
        user: Option<&Bound<'py, PyAny>>,
        expires: bool,
        shared: bool,
        use_local_cache: bool,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let user_arg = User::from_arg(user)?;
        if use_local_cache {
            let raw = codec::key_bytes(key)?;
            if let Some(hit) = Self::local_get(py, &raw, user_arg, shared, None) {
                return Ok(hit.into_bound(py));
            }
        }
        let k = self.key(key, user_arg, shared)?;
        let cmd = cmd_with("GET", &k);
        let stored: Option<Vec<u8>> = swallow(self.io(py, |c| c.query(&cmd)), None)?;
        // A stored pickle of None reads as a miss, as in Frappe (only EXISTS tells them apart).
        let mut value = match stored {
            Some(data) => self.decode(py, &k, &data)?.filter(|v| !v.is_none()),
            None => None,
        };
        if expires {
            // Frappe: an expiring read neither runs the generator nor fills the local cache.
            return Ok(value.unwrap_or_else(|| py.None().into_bound(py)));
        }
        if let (None, Some(generator)) = (&value, generator.filter(|g| !g.is_none())) {
            let generated = generator.call0()?;
            self.set_value(py, key, &generated, user, None, shared)?;
            value = Some(generated);
        } else {
            let v = value.clone().unwrap_or_else(|| py.None().into_bound(py));
            Self::local_put(&k, &v); // a miss is cached too: the negative cache
        }
        Ok(value.unwrap_or_else(|| py.None().into_bound(py)))
    }

    #[pyo3(signature = (key, time, *, user=None, shared=false))]
    fn expire_key(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        time: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        shared: bool,
    ) -> CacheResult<Option<bool>> {
        let k = self.key(key, User::from_arg(user)?, shared)?;
        let mut cmd = cmd_with("EXPIRE", &k);
        cmd.arg(ttl_seconds(time, "time", false)?);
        swallow(self.io(py, |c| c.query::<bool>(&cmd)).map(Some), None)
    }

    #[pyo3(signature = (*names, user=None, shared=false))]
    fn exists<'py>(
        &self,
        py: Python<'py>,
        names: &Bound<'py, PyTuple>,
        user: Option<&Bound<'py, PyAny>>,
        shared: bool,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let mut cmd = redis::cmd("EXISTS");
        for name in names.iter() {
            cmd.arg(self.key(&name, User::from_arg(user)?, shared)?);
        }
        if names.is_empty() {
            let Ok(zero) = 0i64.into_pyobject(py);
            return Ok(zero.into_any());
        }
        match self.io(py, |c| c.query::<i64>(&cmd)) {
            Ok(n) => {
                let Ok(count) = n.into_pyobject(py);
                Ok(count.into_any())
            }
            Err(err) if err.is_connection() => Ok(PyBool::new(py, false).to_owned().into_any()),
            Err(err) => Err(err),
        }
    }

    fn get_keys<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> CacheResult<Bound<'py, PyList>> {
        let keys = self.scan_keys(py, key)?;
        Ok(bytes_list(py, keys)?)
    }

    fn delete_keys(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> CacheResult<()> {
        let mut pattern = self.site_key(key)?;
        pattern.push(b'*');
        self.delete_pattern(py, pattern)
    }

    #[pyo3(signature = (keys, user=None, make_keys=true, shared=false))]
    fn delete_value(
        &self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        make_keys: bool,
        shared: bool,
    ) -> CacheResult<()> {
        if !keys.is_truthy()? {
            return Ok(());
        }
        let mut wire = Vec::new();
        for k in many(keys)? {
            wire.push(if make_keys {
                self.key(&k, User::from_arg(user)?, shared)?
            } else {
                codec::key_bytes(&k)?.into_owned()
            });
        }
        for k in &wire {
            Self::local_forget(k);
        }
        self.unlink(py, &wire)
    }

    #[pyo3(signature = (keys, user=None, make_keys=true, shared=false))]
    fn delete_key(
        &self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        make_keys: bool,
        shared: bool,
    ) -> CacheResult<()> {
        self.delete_value(py, keys, user, make_keys, shared)
    }

    fn get_all<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> CacheResult<Bound<'py, PyDict>> {
        let site = self.current_site()?;
        let found = self.scan_keys(py, key)?;
        let result = PyDict::new(py);
        if found.is_empty() {
            return Ok(result);
        }
        let mut cmd = redis::cmd("MGET");
        cmd.arg(&found);
        let values: Vec<Option<Vec<u8>>> =
            swallow(self.io(py, |c| c.query(&cmd)), vec![None; found.len()])?;
        for (k, stored) in found.iter().zip(values) {
            let local = with_scope(|s| s.get(k).map(|v| v.clone_ref(py))).flatten();
            let value = match (local, stored) {
                (Some(v), _) => Some(v.into_bound(py)),
                (None, Some(data)) => self.decode(py, k, &data)?,
                (None, None) => None,
            };
            let Some(value) = value else { continue };
            let short = keys::strip_site(&site, k).unwrap_or(k);
            match std::str::from_utf8(short) {
                Ok(s) => result.set_item(s, value)?,
                Err(_) => result.set_item(PyBytes::new(py, short), value)?,
            }
        }
        Ok(result)
    }

    // -- hashes ----------------------------------------------------------------------------------

    #[pyo3(signature = (name, key, value, shared=false))]
    fn hset(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        shared: bool,
    ) -> CacheResult<()> {
        if key.is_none() {
            return Ok(());
        }
        let n = self.key(name, User::Nobody, shared)?;
        let field = codec::arg_bytes(key, "hash field")?;
        let pickled = codec::dumps(value)?;
        let mut cmd = cmd_with("HSET", &n);
        cmd.arg(&field).arg(pickled.as_bytes());
        drop(pickled);
        let displaced = with_scope(|s| s.hput(&n, &field, value.clone().unbind()));
        drop(displaced);
        swallow(self.io(py, |c| c.query::<()>(&cmd)), ())
    }

    #[pyo3(signature = (name, key, generator=None, shared=false))]
    fn hget<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        key: &Bound<'py, PyAny>,
        generator: Option<&Bound<'py, PyAny>>,
        shared: bool,
    ) -> CacheResult<Bound<'py, PyAny>> {
        // Frappe: a falsy field reads as None. Text and bytes are falsy when empty (no call
        // into Python needed); anything else is asked.
        let text = key.is_instance_of::<PyString>() || key.is_instance_of::<PyBytes>();
        if key.is_none() || (!text && !key.is_truthy()?) {
            return Ok(py.None().into_bound(py));
        }
        let field = codec::arg_bytes(key, "hash field")?;
        if field.is_empty() {
            return Ok(py.None().into_bound(py));
        }
        let hit = Self::local_get(
            py,
            &codec::key_bytes(name)?,
            User::Nobody,
            shared,
            Some(&field),
        );
        if let Some(hit) = hit {
            return Ok(hit.into_bound(py));
        }
        let n = self.key(name, User::Nobody, shared)?;
        let mut cmd = cmd_with("HGET", &n);
        cmd.arg(&field);
        let stored: Option<Vec<u8>> = swallow(self.io(py, |c| c.query(&cmd)), None)?;
        if let Some(data) = stored {
            if let Some(value) = self.decode(py, &n, &data)? {
                let displaced = with_scope(|s| s.hput(&n, &field, value.clone().unbind()));
                drop(displaced);
                return Ok(value);
            }
        }
        match generator.filter(|g| !g.is_none()) {
            Some(generator) => {
                let value = generator.call0()?;
                self.hset(py, name, key, &value, shared)?;
                Ok(value)
            }
            None => Ok(py.None().into_bound(py)),
        }
    }

    #[pyo3(signature = (name, shared=false))]
    fn hgetall<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        shared: bool,
    ) -> CacheResult<Bound<'py, PyDict>> {
        let n = self.key(name, User::Nobody, shared)?;
        let cmd = cmd_with("HGETALL", &n);
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = self.io(py, |c| c.query(&cmd))?;
        let result = PyDict::new(py);
        for (field, data) in pairs {
            if let Some(value) = self.decode(py, &n, &data)? {
                result.set_item(PyBytes::new(py, &field), value)?;
            }
        }
        Ok(result)
    }

    #[pyo3(signature = (name, key, shared=false))]
    fn hexists(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        shared: bool,
    ) -> CacheResult<bool> {
        if key.is_none() {
            return Ok(false);
        }
        let mut cmd = cmd_with("HEXISTS", &self.key(name, User::Nobody, shared)?);
        cmd.arg(codec::arg_bytes(key, "hash field")?);
        swallow(self.io(py, |c| c.query(&cmd)), false)
    }

    #[pyo3(signature = (name, shared=false))]
    fn hkeys<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        shared: bool,
    ) -> CacheResult<Bound<'py, PyList>> {
        let cmd = cmd_with("HKEYS", &self.key(name, User::Nobody, shared)?);
        let fields: Vec<Vec<u8>> = swallow(self.io(py, |c| c.query(&cmd)), Vec::new())?;
        Ok(bytes_list(py, fields)?)
    }

    #[pyo3(signature = (name, keys, shared=false, pipeline=None))]
    fn hdel(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        keys: &Bound<'_, PyAny>,
        shared: bool,
        pipeline: Option<&Bound<'_, PyAny>>,
    ) -> CacheResult<()> {
        let n = self.key(name, User::Nobody, shared)?;
        let fields = many(keys)?
            .iter()
            .map(|f| codec::arg_bytes(f, "hash field").map(|b| b.into_owned()))
            .collect::<CacheResult<Vec<_>>>()?;
        if let Some(pipeline) = pipeline.filter(|p| !p.is_none() && !fields.is_empty()) {
            // Frappe batches invalidations on a caller's pipeline: forget locally, queue the HDEL.
            for f in &fields {
                let displaced = with_scope(|s| s.hremove(&n, f));
                drop(displaced);
            }
            let mut args = vec![PyBytes::new(py, &n).into_any()];
            args.extend(fields.iter().map(|f| PyBytes::new(py, f).into_any()));
            pipeline.call_method1("hdel", PyTuple::new(py, args)?)?;
            return Ok(());
        }
        self.hdel_many(py, vec![(n, fields)])
    }

    fn hdel_names(
        &self,
        py: Python<'_>,
        names: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let field = codec::arg_bytes(key, "hash field")?.into_owned();
        let pairs = many(names)?
            .iter()
            .map(|n| Ok((self.site_key(n)?, vec![field.clone()])))
            .collect::<CacheResult<Vec<_>>>()?;
        self.hdel_many(py, pairs)
    }

    fn hdel_keys(
        &self,
        py: Python<'_>,
        name_starts_with: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let field = codec::arg_bytes(key, "hash field")?.into_owned();
        let names = self.scan_keys(py, name_starts_with)?;
        self.hdel_many(
            py,
            names
                .into_iter()
                .map(|n| (n, vec![field.clone()]))
                .collect(),
        )
    }

    // -- lists and sets: raw members, never pickled, never cached locally --------------------------

    fn lpush(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<i64> {
        self.push(py, "LPUSH", key, value)
    }

    fn rpush(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<i64> {
        self.push(py, "RPUSH", key, value)
    }

    fn lpop<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> CacheResult<Option<Bound<'py, PyBytes>>> {
        let popped: Option<Vec<u8>> = self.raw_query(py, cmd_with("LPOP", &self.site_key(key)?))?;
        Ok(popped.map(|b| PyBytes::new(py, &b)))
    }

    fn rpop<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> CacheResult<Option<Bound<'py, PyBytes>>> {
        let popped: Option<Vec<u8>> = self.raw_query(py, cmd_with("RPOP", &self.site_key(key)?))?;
        Ok(popped.map(|b| PyBytes::new(py, &b)))
    }

    fn llen(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> CacheResult<i64> {
        self.raw_query(py, cmd_with("LLEN", &self.site_key(key)?))
    }

    fn lrange<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        start: i64,
        stop: i64,
    ) -> CacheResult<Bound<'py, PyList>> {
        let mut cmd = cmd_with("LRANGE", &self.site_key(key)?);
        cmd.arg(start).arg(stop);
        let items: Vec<Vec<u8>> = self.raw_query(py, cmd)?;
        Ok(bytes_list(py, items)?)
    }

    fn ltrim(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        start: i64,
        stop: i64,
    ) -> CacheResult<bool> {
        let mut cmd = cmd_with("LTRIM", &self.site_key(key)?);
        cmd.arg(start).arg(stop);
        self.raw_query::<()>(py, cmd).map(|()| true)
    }

    #[pyo3(signature = (name, *values))]
    fn sadd(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        values: &Bound<'_, PyTuple>,
    ) -> CacheResult<()> {
        self.set_members(py, "SADD", name, values)
    }

    #[pyo3(signature = (name, *values))]
    fn srem(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        values: &Bound<'_, PyTuple>,
    ) -> CacheResult<()> {
        self.set_members(py, "SREM", name, values)
    }

    fn sismember(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<bool> {
        let mut cmd = cmd_with("SISMEMBER", &self.site_key(name)?);
        cmd.arg(codec::arg_bytes(value, "set member")?);
        self.raw_query(py, cmd)
    }

    fn spop<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
    ) -> CacheResult<Option<Bound<'py, PyBytes>>> {
        let popped: Option<Vec<u8>> =
            self.raw_query(py, cmd_with("SPOP", &self.site_key(name)?))?;
        Ok(popped.map(|b| PyBytes::new(py, &b)))
    }

    #[pyo3(signature = (name, count=None))]
    fn srandmember<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        count: Option<i64>,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let mut cmd = cmd_with("SRANDMEMBER", &self.site_key(name)?);
        match count {
            None => {
                let member: Option<Vec<u8>> = self.raw_query(py, cmd)?;
                Ok(match member {
                    Some(m) => PyBytes::new(py, &m).into_any(),
                    None => py.None().into_bound(py),
                })
            }
            Some(count) => {
                cmd.arg(count);
                let members: Vec<Vec<u8>> = self.raw_query(py, cmd)?;
                Ok(bytes_list(py, members)?.into_any())
            }
        }
    }

    fn smembers<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
    ) -> CacheResult<Bound<'py, PySet>> {
        let members: Vec<Vec<u8>> =
            self.raw_query(py, cmd_with("SMEMBERS", &self.site_key(name)?))?;
        Ok(PySet::new(py, members.iter().map(|m| PyBytes::new(py, m)))?)
    }

    // -- raw commands: keys as given, replies as redis-py returns them before its callbacks ------

    /// Sends one command as given (no prefixing, no pickling) and returns the raw reply.
    #[pyo3(signature = (*args))]
    fn execute_command<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let cmd = command_from(args)?;
        let reply: Value = self.io(py, |c| c.query_exclusive(&cmd))?;
        Ok(reply::to_python(py, reply)?)
    }

    /// Sends `commands` (each a tuple of arguments) in one round trip, inside MULTI/EXEC when
    /// `transaction`; returns one reply per command, an error reply as an (unraised) exception.
    #[pyo3(signature = (commands, transaction=false))]
    fn execute_pipeline<'py>(
        &self,
        py: Python<'py>,
        commands: &Bound<'py, PyAny>,
        transaction: bool,
    ) -> CacheResult<Bound<'py, PyList>> {
        let mut pipe = redis::pipe();
        let mut count = 0;
        for args in commands.try_iter()? {
            let args = args?;
            let args = args.cast::<PyTuple>().map_err(|_| {
                CacheError::Type("each pipeline command must be a tuple of arguments".into())
            })?;
            pipe.add_command(command_from(args)?);
            count += 1;
        }
        if count == 0 {
            return Ok(PyList::empty(py));
        }
        if transaction {
            pipe.atomic();
        }
        pipe.ignore_errors();
        let replies: Vec<Value> = self.io(py, |c| c.query_pipeline(&pipe))?;
        let out = PyList::empty(py);
        for reply in replies {
            out.append(reply::to_python(py, reply)?)?;
        }
        Ok(out)
    }
}

impl RedisWrapper {
    fn push(
        &self,
        py: Python<'_>,
        command: &str,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<i64> {
        let mut cmd = cmd_with(command, &self.site_key(key)?);
        cmd.arg(codec::arg_bytes(value, "list value")?);
        self.raw_query(py, cmd)
    }

    fn set_members(
        &self,
        py: Python<'_>,
        command: &str,
        name: &Bound<'_, PyAny>,
        values: &Bound<'_, PyTuple>,
    ) -> CacheResult<()> {
        if values.is_empty() {
            return Err(CacheError::Type(format!(
                "{} needs at least one member: {}(name, value, ...)",
                command.to_lowercase(),
                command.to_lowercase()
            )));
        }
        let mut cmd = cmd_with(command, &self.site_key(name)?);
        for v in values.iter() {
            cmd.arg(codec::arg_bytes(&v, "set member")?);
        }
        self.raw_query::<()>(py, cmd)
    }
}
