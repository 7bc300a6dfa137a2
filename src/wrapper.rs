//! `RedisWrapper`: Frappe's `frappe.cache` method surface. Argument handling and Frappe's
//! policies (what is prefixed, what is cached locally, which connection errors are swallowed)
//! live here; keys, codec, connections and the request-local cache are in their own modules.

use std::borrow::Cow;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDelta, PyDeltaAccess, PyDict, PyInt, PyList, PySet, PyString, PyTuple,
};
use redis::{Cmd, Value};

use crate::codec;
use crate::errors::{CacheError, CacheResult};
use crate::keys;
use crate::reply;
use crate::request_cache::{self, Key, current, with_scope};
use crate::transport::{self, Deadline, Options, Transport};

/// Keys per UNLINK of `delete_value`: big enough to be quick, small enough that Redis, which
/// every site shares, never stalls on one command.
const BATCH: usize = 1000;
/// Hash-table slots one SCAN step visits: a few hundred microseconds of server time, and one
/// step for a site cache of a few thousand keys (as many round trips as Frappe's one KEYS then).
const SCAN_COUNT: usize = 5000;
/// Keys per UNLINK when deleting by pattern: freeing is the costly part, so smaller steps keep
/// every other client's worst wait well under a millisecond.
const DELETE_BATCH: usize = 250;

#[pyclass(module = "frappe_cache._native", frozen, subclass)]
pub struct RedisWrapper {
    transport: Transport,
    url: String,
    site: Option<String>,
    strict: bool,
}

/// Who a key belongs to: Frappe's `user=` argument.
#[derive(Clone)]
pub(crate) enum User<'a> {
    Nobody,
    /// `user=True`: the current request's user.
    Current,
    Named(Cow<'a, str>),
}

impl<'a> User<'a> {
    /// As Frappe reads it: a falsy value is nobody, `True` itself the current user, anything
    /// else formatted into the key (`user=7` is `user:7:`).
    pub(crate) fn from_arg(user: Option<&'a Bound<'_, PyAny>>) -> CacheResult<User<'a>> {
        let Some(user) = user else {
            return Ok(User::Nobody);
        };
        if let Ok(name) = user.cast::<PyString>() {
            let name = name.to_str()?;
            return Ok(if name.is_empty() {
                User::Nobody
            } else {
                User::Named(Cow::Borrowed(name))
            });
        }
        if user.is(PyBool::new(user.py(), true)) {
            return Ok(User::Current);
        }
        if !user.is_truthy()? {
            return Ok(User::Nobody);
        }
        let text = codec::key_bytes(user)?;
        Ok(User::Named(Cow::Owned(
            String::from_utf8_lossy(&text).into_owned(),
        )))
    }
}

/// A flag argument read as Frappe reads it: by truthiness (`shared=None` is false, `1` true).
#[derive(Clone, Copy)]
pub(crate) struct Flag(pub bool);

impl FromPyObject<'_, '_> for Flag {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        match obj.cast::<PyBool>() {
            Ok(b) => Ok(Flag(b.is_true())),
            Err(_) => Ok(Flag(obj.is_truthy()?)),
        }
    }
}

/// A key as Frappe's `make_key` returns it, with its wire form.
pub(crate) enum Made<'py> {
    /// `{site}|[user:{u}:]{key}`: the request cache holds it under these bytes.
    Prefixed(Vec<u8>),
    /// A shared (or already made) key: the request cache holds it under the object as given.
    AsGiven(Bound<'py, PyAny>, Vec<u8>),
}

impl Made<'_> {
    pub(crate) fn wire(&self) -> &[u8] {
        match self {
            Made::Prefixed(k) | Made::AsGiven(_, k) => k,
        }
    }

    fn as_given<'py>(key: &Bound<'py, PyAny>) -> CacheResult<Made<'py>> {
        let wire = codec::arg_bytes(key, "cache key")?.into_owned();
        Ok(Made::AsGiven(key.clone(), wire))
    }
}

/// A write Redis refused (an error reply) or may not have made (a timeout): the request cache
/// must not keep serving its value, as Redis holds another. (A connection error keeps it, as in
/// Frappe: the request goes on without Redis.)
pub(crate) fn refused<T>(written: &CacheResult<T>) -> bool {
    matches!(
        written,
        Err(CacheError::Response(..) | CacheError::Timeout(_))
    )
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
        value.extract::<i64>().map_err(|_| {
            CacheError::Python(pyo3::exceptions::PyValueError::new_err(format!(
                "{name} is too large: Redis takes at most {} seconds",
                i64::MAX
            )))
        })?
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

/// One `SCAN cursor MATCH pattern COUNT SCAN_COUNT` step.
fn scan_step(cursor: u64, pattern: &[u8]) -> Cmd {
    let mut cmd = redis::cmd("SCAN");
    cmd.arg(cursor)
        .arg("MATCH")
        .arg(pattern)
        .arg("COUNT")
        .arg(SCAN_COUNT);
    cmd
}

fn cmd_with(name: &str, key: &[u8]) -> Cmd {
    let mut cmd = redis::cmd(name);
    cmd.arg(key);
    cmd
}

fn bytes_list<'py>(py: Python<'py>, items: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, items.iter().map(|k| PyBytes::new(py, k)))
}

// -- the request-local cache, addressed by made keys ----------------------------------------------

/// The value the request cache holds at `key`, if any (a cached `None` included).
pub(crate) fn local_get<'py>(
    py: Python<'py>,
    key: &Made<'py>,
) -> CacheResult<Option<Bound<'py, PyAny>>> {
    match key {
        Made::Prefixed(k) => Ok(local_get_wire(py, k)),
        Made::AsGiven(k, _) => match current(py) {
            Some(cache) => Ok(cache.get().lookup(k)?),
            None => Ok(None),
        },
    }
}

/// `local_get` for a prefixed (or decorator) key given as bytes.
pub(crate) fn local_get_wire<'py>(py: Python<'py>, key: &[u8]) -> Option<Bound<'py, PyAny>> {
    with_scope(py, |s| {
        s.store.get(Key::Bytes(key)).map(|v| v.bind(py).clone())
    })
    .flatten()
}

/// `local_put` for a prefixed (or decorator) key given as bytes.
pub(crate) fn local_put_wire(py: Python<'_>, key: &[u8], value: &Bound<'_, PyAny>) {
    let displaced = with_scope(py, |s| s.store.put(Key::Bytes(key), value.clone().unbind()));
    drop(displaced); // outside the borrow: `__del__` may call back into the cache
}

/// `local_forget` for a prefixed (or decorator) key given as bytes.
pub(crate) fn local_forget_wire(py: Python<'_>, key: &[u8]) {
    let displaced = with_scope(py, |s| s.store.remove(Key::Bytes(key)));
    drop(displaced);
}

/// Sets `key` in the request cache (no-op outside a request).
pub(crate) fn local_put(
    py: Python<'_>,
    key: &Made<'_>,
    value: &Bound<'_, PyAny>,
) -> CacheResult<()> {
    match key {
        Made::Prefixed(k) => local_put_wire(py, k, value),
        Made::AsGiven(k, _) => {
            if let Some(cache) = current(py) {
                cache.get().assign(k, value)?;
            }
        }
    }
    Ok(())
}

/// Drops `key` from the request cache (Frappe's `frappe.local.cache.pop(key, None)`).
pub(crate) fn local_forget(py: Python<'_>, key: &Made<'_>) -> CacheResult<()> {
    match key {
        Made::Prefixed(k) => {
            let displaced = with_scope(py, |s| s.store.remove(Key::Bytes(k)));
            drop(displaced);
        }
        Made::AsGiven(k, _) => {
            if let Some(cache) = current(py) {
                drop(cache.get().take(k)?);
            }
        }
    }
    Ok(())
}

/// The dict the request cache holds for hash `name`; with `create`, an empty one is put there
/// first when there is none (Frappe: `frappe.local.cache.setdefault(name, {})`).
fn local_hash<'py>(
    py: Python<'py>,
    name: &Made<'py>,
    create: bool,
) -> CacheResult<Option<Bound<'py, PyAny>>> {
    let found = local_get(py, name)?;
    if found.is_some() || !create || current(py).is_none() {
        return Ok(found);
    }
    let fresh = PyDict::new(py).into_any();
    local_put(py, name, &fresh)?;
    Ok(Some(fresh))
}

/// `local[name][field]`, if present (whatever mapping the request cache holds there).
fn hash_field<'py>(
    entry: &Bound<'py, PyAny>,
    field: &Bound<'py, PyAny>,
) -> CacheResult<Option<Bound<'py, PyAny>>> {
    if let Ok(dict) = entry.cast::<PyDict>() {
        return Ok(dict.get_item(field)?);
    }
    if entry.contains(field)? {
        return Ok(Some(entry.get_item(field)?));
    }
    Ok(None)
}

/// Frappe's `del local[name][field]` when present.
fn forget_field(py: Python<'_>, name: &Made<'_>, field: &Bound<'_, PyAny>) -> CacheResult<()> {
    let Some(entry) = local_get(py, name)? else {
        return Ok(());
    };
    if let Ok(dict) = entry.cast::<PyDict>() {
        if dict.contains(field)? {
            dict.del_item(field)?;
        }
    } else if entry.contains(field)? {
        entry.del_item(field)?;
    }
    Ok(())
}

impl RedisWrapper {
    /// Runs Redis work with the GIL released, under one deadline (`socket_timeout` from now);
    /// a thread waiting on the network notices Ctrl-C between slices of the wait.
    pub(crate) fn io<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Transport, &Deadline<'_>) -> CacheResult<T> + Send,
    ) -> CacheResult<T> {
        let interrupt = || Python::attach(|py| py.check_signals()).map_err(CacheError::Python);
        let deadline = self.transport.deadline().with_interrupt(&interrupt);
        py.detach(|| f(&self.transport, &deadline))
    }

    /// Frappe's `make_key(key, user, shared)`.
    pub(crate) fn make<'py>(
        &self,
        key: &Bound<'py, PyAny>,
        user: &User<'_>,
        shared: bool,
    ) -> CacheResult<Made<'py>> {
        if shared {
            return Made::as_given(key);
        }
        Ok(Made::Prefixed(self.key_from(
            key.py(),
            &codec::key_bytes(key)?,
            user,
        )?))
    }

    /// The prefixed wire key for an already encoded key.
    pub(crate) fn key_from(
        &self,
        py: Python<'_>,
        raw: &[u8],
        user: &User<'_>,
    ) -> CacheResult<Vec<u8>> {
        let resolved;
        let user = match user {
            User::Nobody => None,
            User::Named(u) => Some(u.as_ref()),
            User::Current => {
                resolved = request_cache::current_user_name(py)?.ok_or_else(no_current_user)?;
                Some(resolved.as_str())
            }
        };
        if let Some(built) = with_scope(py, |scope| keys::build(&scope.site, user, raw)) {
            return Ok(built);
        }
        let site = self.site.as_deref().ok_or_else(|| {
            CacheError::Scope(format!(
                "no site for key {:?}: call inside frappe_cache.request_scope(site) / \
                 begin_request(site), create the wrapper with from_url(url, site=...), \
                 or pass shared=True",
                String::from_utf8_lossy(raw)
            ))
        })?;
        Ok(keys::build(site, user, raw))
    }

    /// The hit path of `get_value(key)`: builds the wire key in the scope's reused buffer and
    /// looks it up there, allocating nothing. The pointer is valid until Python code runs again.
    #[cfg(feature = "fastcall")]
    pub(crate) fn local_hit(py: Python<'_>, raw: &[u8]) -> Option<*mut pyo3::ffi::PyObject> {
        with_scope(py, |s| {
            let mut buf = std::mem::take(&mut s.scratch);
            keys::build_into(&mut buf, &s.site, None, raw);
            let hit = s.store.get(Key::Bytes(&buf)).map(|v| v.as_ptr());
            s.scratch = buf;
            hit
        })
        .flatten()
    }

    pub(crate) fn site_key(&self, key: &Bound<'_, PyAny>) -> CacheResult<Vec<u8>> {
        self.key_from(key.py(), &codec::key_bytes(key)?, &User::Nobody)
    }

    /// The site prefix in force (scope, else wrapper), for patterns and unprefixing.
    pub(crate) fn current_site(&self, py: Python<'_>) -> CacheResult<String> {
        with_scope(py, |s| s.site.clone())
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

    /// Keys of this site matching `{site}|{prefix}*`, by SCAN (never KEYS, which blocks a Redis
    /// every site shares). On a connection error: the request-local cache's keys, as Frappe does.
    fn scan_keys(&self, py: Python<'_>, prefix: &Bound<'_, PyAny>) -> CacheResult<Vec<Vec<u8>>> {
        let mut pattern = self.site_key(prefix)?;
        pattern.push(b'*');
        let scanned = self.io(py, |t, d| {
            t.run(true, d, |conn, d| {
                let mut seen = std::collections::HashSet::new();
                let mut cursor: u64 = 0;
                loop {
                    let (next, batch): (u64, Vec<Vec<u8>>) =
                        conn.query_as(&scan_step(cursor, &pattern), d)?;
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
            Err(err) if err.is_connection() => Ok(with_scope(py, |s| {
                s.store.bytes_keys_where(|k| keys::glob_match(&pattern, k))
            })
            .unwrap_or_default()),
            other => other,
        }
    }

    /// Deletes every key matching the glob `pattern`, locally and in Redis: SCAN one batch,
    /// UNLINK it, repeat, so Redis never sees one long blocking command. Connection errors are
    /// swallowed, as Frappe's `delete_keys` does.
    pub(crate) fn delete_pattern(&self, py: Python<'_>, pattern: Vec<u8>) -> CacheResult<()> {
        let displaced = with_scope(py, |s| {
            s.store
                .bytes_keys_where(|k| keys::glob_match(&pattern, k))
                .into_iter()
                .filter_map(|k| s.store.remove(Key::Bytes(&k)))
                .collect::<Vec<_>>()
        });
        drop(displaced);
        let result = self.io(py, |t, d| {
            t.run(true, d, |conn, d| {
                let mut cursor: u64 = 0;
                loop {
                    let (next, batch): (u64, Vec<Vec<u8>>) =
                        conn.query_as(&scan_step(cursor, &pattern), d)?;
                    // One command per chunk, each its own round trip: other clients run between.
                    for chunk in batch.chunks(DELETE_BATCH) {
                        conn.query(redis::cmd("UNLINK").arg(chunk), d)?;
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

    fn unlink(&self, py: Python<'_>, keys: &[Made<'_>]) -> CacheResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for chunk in keys.chunks(BATCH) {
            let cmd = pipe.cmd("UNLINK");
            for k in chunk {
                cmd.arg(k.wire());
            }
        }
        swallow(self.io(py, |t, d| t.pipeline_checked(&pipe, d)), ())
    }

    /// HDEL of each hash's fields, in one round trip (connection errors swallowed).
    fn hdel_many(&self, py: Python<'_>, pairs: Vec<(Vec<u8>, Vec<Vec<u8>>)>) -> CacheResult<()> {
        let pairs: Vec<_> = pairs.into_iter().filter(|(_, f)| !f.is_empty()).collect();
        if pairs.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for (name, fields) in &pairs {
            pipe.cmd("HDEL").arg(name).arg(fields);
        }
        swallow(self.io(py, |t, d| t.pipeline_checked(&pipe, d)), ())
    }

    /// Forgets `fields` of hash `name` locally and returns their wire forms.
    fn forget_fields(
        &self,
        py: Python<'_>,
        name: &Made<'_>,
        fields: &[Bound<'_, PyAny>],
    ) -> CacheResult<Vec<Vec<u8>>> {
        let mut wire = Vec::with_capacity(fields.len());
        for f in fields {
            wire.push(codec::arg_bytes(f, "hash field")?.into_owned());
        }
        for f in fields {
            forget_field(py, name, f)?;
        }
        Ok(wire)
    }

    fn raw_query<T: redis::FromRedisValue + Send>(
        &self,
        py: Python<'_>,
        cmd: Cmd,
    ) -> CacheResult<T> {
        self.io(py, move |t, d| t.query(&cmd, d))
    }
}

/// A raw command from Python arguments, encoded as redis-py encodes them. A first argument
/// with spaces is a multi-word command name (`"CLIENT ID"`), as redis-py splits it.
fn command_from(args: &Bound<'_, PyTuple>) -> CacheResult<Cmd> {
    let mut parts = args.iter();
    let Some(name) = parts.next() else {
        return Err(CacheError::Type(
            "execute_command needs a command name".into(),
        ));
    };
    let mut cmd = Cmd::new();
    let name = codec::arg_bytes(&name, "command name")?;
    for word in name
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        cmd.arg(word);
    }
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
/// iterable (list, tuple, set, dict view, generator) is many; anything else is one key.
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

fn none(py: Python<'_>) -> Bound<'_, PyAny> {
    py.None().into_bound(py)
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
                Some(s) if s.is_finite() && s > 0.0 => {
                    Duration::try_from_secs_f64(s).map(Some).map_err(|_| {
                        CacheError::Config(format!(
                            "{name} is too large ({s} s); pass None to wait forever"
                        ))
                    })
                }
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
            tls: transport::TlsFiles {
                ca_certs: ssl_ca_certs,
                certfile: ssl_certfile,
                keyfile: ssl_keyfile,
            },
        };
        let address = transport::parse_url(url)?;
        Ok(RedisWrapper {
            transport: Transport::new(address, options)?,
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
        transport::mask_password(&self.url)
    }

    fn __repr__(&self) -> String {
        let o = self.transport.options();
        let site = self
            .site
            .as_ref()
            .map_or("None".to_string(), |s| format!("{s:?}"));
        let timeout = o
            .socket_timeout
            .map_or("None".to_string(), |d| d.as_secs_f64().to_string());
        format!(
            "RedisWrapper.from_url({:?}, site={site}, socket_timeout={timeout}, max_connections={})",
            transport::mask_password(&self.url),
            o.max_connections
        )
    }

    fn __call__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Closes this wrapper's idle connections (the next command opens new ones).
    fn close_connections(&self, py: Python<'_>) {
        py.detach(|| self.transport.close());
    }

    #[pyo3(signature = (key, user=None, shared=Flag(false)), text_signature = "($self, key, user=None, shared=False)")]
    fn make_key<'py>(
        &self,
        key: &Bound<'py, PyAny>,
        user: Option<&Bound<'py, PyAny>>,
        shared: Flag,
    ) -> CacheResult<Bound<'py, PyAny>> {
        if shared.0 {
            return Ok(key.clone()); // Frappe returns a shared key as it came
        }
        let made = self.make(key, &User::from_arg(user)?, false)?;
        Ok(PyBytes::new(key.py(), made.wire()).into_any())
    }

    fn connected(&self, py: Python<'_>) -> bool {
        self.io(py, |t, d| t.query::<Value>(&redis::cmd("PING"), d))
            .is_ok()
    }

    // -- strings ---------------------------------------------------------------------------------

    #[pyo3(signature = (key, val, user=None, expires_in_sec=None, shared=Flag(false)), text_signature = "($self, key, val, user=None, expires_in_sec=None, shared=False)")]
    fn set_value(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        val: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        expires_in_sec: Option<&Bound<'_, PyAny>>,
        shared: Flag,
    ) -> CacheResult<()> {
        let k = self.make(key, &User::from_arg(user)?, shared.0)?;
        let ttl = match expires_in_sec {
            Some(v) if !v.is_none() => Some(ttl_seconds(v, "expires_in_sec", true)?),
            _ => None,
        };
        // Pickle before touching anything: an unpicklable value leaves the caches as they were.
        let pickled = codec::dumps(val)?;
        let mut cmd = cmd_with("SET", k.wire());
        cmd.arg(pickled.as_bytes());
        if let Some(ttl) = ttl {
            cmd.arg("EX").arg(ttl);
        }
        drop(pickled);
        local_put(py, &k, val)?;
        let written = self.io(py, |t, d| t.query::<()>(&cmd, d));
        if refused(&written) {
            local_forget(py, &k)?;
        }
        swallow(written, ())
    }

    #[pyo3(signature = (key, generator=None, user=None, expires=Flag(false), shared=Flag(false), *, use_local_cache=Flag(true)), text_signature = "($self, key, generator=None, user=None, expires=False, shared=False, *, use_local_cache=True)")]
    fn get_value<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        generator: Option<&Bound<'py, PyAny>>,
        user: Option<&Bound<'py, PyAny>>,
        expires: Flag,
        shared: Flag,
        use_local_cache: Flag,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let shared_flag = shared.0;
        let k = self.make(key, &User::from_arg(user)?, shared_flag)?;
        if use_local_cache.0 {
            if let Some(hit) = local_get(py, &k)? {
                return Ok(hit);
            }
        }
        let cmd = cmd_with("GET", k.wire());
        let stored: Option<Vec<u8>> = swallow(self.io(py, |t, d| t.query(&cmd, d)), None)?;
        // A stored pickle of None reads as a miss, as in Frappe (only EXISTS tells them apart).
        let value = match stored {
            Some(data) => self.decode(py, k.wire(), &data)?.filter(|v| !v.is_none()),
            None => None,
        };
        if expires.0 {
            // Frappe: an expiring read neither runs the generator nor fills the local cache.
            return Ok(value.unwrap_or_else(|| none(py)));
        }
        if let (None, Some(generator)) =
            (&value, generator.filter(|g| g.is_truthy().unwrap_or(true)))
        {
            let generated = generator.call0()?;
            self.set_value(py, key, &generated, user, None, shared)?;
            return Ok(generated);
        }
        let value = value.unwrap_or_else(|| none(py));
        local_put(py, &k, &value)?; // a miss is cached too: the negative cache
        Ok(value)
    }

    #[pyo3(signature = (key, time, *, user=None, shared=Flag(false)), text_signature = "($self, key, time, *, user=None, shared=False)")]
    fn expire_key(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        time: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        shared: Flag,
    ) -> CacheResult<Option<bool>> {
        let k = self.make(key, &User::from_arg(user)?, shared.0)?;
        let mut cmd = cmd_with("EXPIRE", k.wire());
        cmd.arg(ttl_seconds(time, "time", false)?);
        swallow(self.io(py, |t, d| t.query::<bool>(&cmd, d)).map(Some), None)
    }

    #[pyo3(signature = (*names, user=None, shared=Flag(false)), text_signature = "($self, *names, user=None, shared=None)")]
    fn exists<'py>(
        &self,
        py: Python<'py>,
        names: &Bound<'py, PyTuple>,
        user: Option<&Bound<'py, PyAny>>,
        shared: Flag,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let user = User::from_arg(user)?;
        let shared = shared.0;
        let mut cmd = redis::cmd("EXISTS");
        for name in names.iter() {
            cmd.arg(self.make(&name, &user, shared)?.wire());
        }
        if names.is_empty() {
            // Redis refuses an EXISTS without keys; redis-py would send it and raise.
            return Err(CacheError::Type(
                "exists() needs at least one key name".into(),
            ));
        }
        match self.io(py, |t, d| t.query::<i64>(&cmd, d)) {
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

    #[pyo3(signature = (keys, user=None, make_keys=Flag(true), shared=Flag(false)), text_signature = "($self, keys, user=None, make_keys=True, shared=False)")]
    fn delete_value(
        &self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        make_keys: Flag,
        shared: Flag,
    ) -> CacheResult<()> {
        if !keys.is_truthy()? {
            return Ok(());
        }
        let user = User::from_arg(user)?;
        let (make_keys, shared) = (make_keys.0, shared.0);
        let mut made = Vec::new();
        for k in many(keys)? {
            made.push(if make_keys {
                self.make(&k, &user, shared)?
            } else {
                Made::as_given(&k)?
            });
        }
        for k in &made {
            local_forget(py, k)?;
        }
        self.unlink(py, &made)
    }

    #[pyo3(signature = (keys, user=None, make_keys=Flag(true), shared=Flag(false)), text_signature = "($self, keys, user=None, make_keys=True, shared=False)")]
    fn delete_key(
        &self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        user: Option<&Bound<'_, PyAny>>,
        make_keys: Flag,
        shared: Flag,
    ) -> CacheResult<()> {
        self.delete_value(py, keys, user, make_keys, shared)
    }

    fn get_all<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> CacheResult<Bound<'py, PyDict>> {
        let site = self.current_site(py)?;
        let found = self.scan_keys(py, key)?;
        let result = PyDict::new(py);
        if found.is_empty() {
            return Ok(result);
        }
        let mut cmd = redis::cmd("MGET");
        cmd.arg(&found);
        let values: Vec<Option<Vec<u8>>> = swallow(
            self.io(py, |t, d| t.query(&cmd, d)),
            vec![None; found.len()],
        )?;
        for (k, stored) in found.into_iter().zip(values) {
            let made = Made::Prefixed(k);
            let value = match (local_get(py, &made)?, stored) {
                (Some(v), _) => Some(v),
                (None, Some(data)) => self.decode(py, made.wire(), &data)?,
                (None, None) => None,
            };
            let Some(value) = value else { continue };
            let short = keys::strip_site(&site, made.wire()).unwrap_or(made.wire());
            match std::str::from_utf8(short) {
                Ok(s) => result.set_item(s, value)?,
                Err(_) => result.set_item(PyBytes::new(py, short), value)?,
            }
        }
        Ok(result)
    }

    // -- hashes: the request cache holds each as Frappe does, a dict {field: value} ----------------

    #[pyo3(signature = (name, key, value, shared=Flag(false)), text_signature = "($self, name, key, value, shared=False)")]
    fn hset(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        shared: Flag,
    ) -> CacheResult<()> {
        if key.is_none() {
            return Ok(());
        }
        let n = self.make(name, &User::Nobody, shared.0)?;
        let field = codec::arg_bytes(key, "hash field")?;
        let pickled = codec::dumps(value)?;
        let mut cmd = cmd_with("HSET", n.wire());
        cmd.arg(&field).arg(pickled.as_bytes());
        drop(pickled);
        if let Some(entry) = local_hash(py, &n, true)? {
            entry.set_item(key, value)?;
        }
        let written = self.io(py, |t, d| t.query::<()>(&cmd, d));
        if refused(&written) {
            forget_field(py, &n, key)?;
        }
        swallow(written, ())
    }

    #[pyo3(signature = (name, key, generator=None, shared=Flag(false)), text_signature = "($self, name, key, generator=None, shared=False)")]
    fn hget<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        key: &Bound<'py, PyAny>,
        generator: Option<&Bound<'py, PyAny>>,
        shared: Flag,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let n = self.make(name, &User::Nobody, shared.0)?;
        // Frappe makes sure the hash has its dict in the request cache, then reads it.
        let entry = local_hash(py, &n, true)?;
        if !key.is_truthy()? {
            return Ok(none(py));
        }
        if let Some(hit) = entry
            .as_ref()
            .map(|e| hash_field(e, key))
            .transpose()?
            .flatten()
        {
            return Ok(hit);
        }
        let field = codec::arg_bytes(key, "hash field")?;
        let mut cmd = cmd_with("HGET", n.wire());
        cmd.arg(&field);
        let stored: Option<Vec<u8>> = swallow(self.io(py, |t, d| t.query(&cmd, d)), None)?;
        if let Some(data) = stored {
            let value = self.decode(py, n.wire(), &data)?;
            if let Some(value) = value {
                if let Some(entry) = local_hash(py, &n, true)? {
                    entry.set_item(key, &value)?;
                }
                return Ok(value);
            }
        }
        match generator.filter(|g| g.is_truthy().unwrap_or(true)) {
            Some(generator) => {
                let value = generator.call0()?;
                self.hset(py, name, key, &value, shared)?;
                Ok(value)
            }
            None => Ok(none(py)),
        }
    }

    #[pyo3(signature = (name, shared=Flag(false)), text_signature = "($self, name, shared=False)")]
    fn hgetall<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        shared: Flag,
    ) -> CacheResult<Bound<'py, PyDict>> {
        let n = self.make(name, &User::Nobody, shared.0)?;
        let cmd = cmd_with("HGETALL", n.wire());
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = self.io(py, |t, d| t.query(&cmd, d))?;
        let result = PyDict::new(py);
        for (field, data) in pairs {
            if let Some(value) = self.decode(py, n.wire(), &data)? {
                result.set_item(PyBytes::new(py, &field), value)?;
            }
        }
        Ok(result)
    }

    #[pyo3(signature = (name, key, shared=Flag(false)), text_signature = "($self, name, key, shared=False)")]
    fn hexists(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        shared: Flag,
    ) -> CacheResult<bool> {
        if key.is_none() {
            return Ok(false);
        }
        let n = self.make(name, &User::Nobody, shared.0)?;
        let mut cmd = cmd_with("HEXISTS", n.wire());
        cmd.arg(codec::arg_bytes(key, "hash field")?);
        swallow(self.io(py, |t, d| t.query(&cmd, d)), false)
    }

    #[pyo3(signature = (name, shared=Flag(false)), text_signature = "($self, name, shared=False)")]
    fn hkeys<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        shared: Flag,
    ) -> CacheResult<Bound<'py, PyList>> {
        let n = self.make(name, &User::Nobody, shared.0)?;
        let cmd = cmd_with("HKEYS", n.wire());
        let fields: Vec<Vec<u8>> = swallow(self.io(py, |t, d| t.query(&cmd, d)), Vec::new())?;
        Ok(bytes_list(py, fields)?)
    }

    #[pyo3(signature = (name, keys, shared=Flag(false), pipeline=None), text_signature = "($self, name, keys, shared=False, pipeline=None)")]
    fn hdel(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        keys: &Bound<'_, PyAny>,
        shared: Flag,
        pipeline: Option<&Bound<'_, PyAny>>,
    ) -> CacheResult<()> {
        let n = self.make(name, &User::Nobody, shared.0)?;
        let fields = many(keys)?;
        let wire = self.forget_fields(py, &n, &fields)?;
        if let Some(pipeline) = pipeline.filter(|p| !p.is_none()) {
            // Frappe batches invalidations on a caller's pipeline: queue the HDEL there.
            if !wire.is_empty() {
                let mut args = vec![PyBytes::new(py, n.wire()).into_any()];
                args.extend(wire.iter().map(|f| PyBytes::new(py, f).into_any()));
                pipeline.call_method1("hdel", PyTuple::new(py, args)?)?;
            }
            return Ok(());
        }
        self.hdel_many(py, vec![(n.wire().to_vec(), wire)])
    }

    fn hdel_names(
        &self,
        py: Python<'_>,
        names: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let mut pairs = Vec::new();
        for name in many(names)? {
            let n = self.make(&name, &User::Nobody, false)?;
            let wire = self.forget_fields(py, &n, std::slice::from_ref(key))?;
            pairs.push((n.wire().to_vec(), wire));
        }
        self.hdel_many(py, pairs)
    }

    fn hdel_keys(
        &self,
        py: Python<'_>,
        name_starts_with: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let mut pairs = Vec::new();
        for name in self.scan_keys(py, name_starts_with)? {
            let n = Made::Prefixed(name);
            let wire = self.forget_fields(py, &n, std::slice::from_ref(key))?;
            pairs.push((n.wire().to_vec(), wire));
        }
        self.hdel_many(py, pairs)
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

    /// redis-py's reply: the integer 1 or 0.
    fn sismember(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> CacheResult<i64> {
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
                    None => none(py),
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

    // -- raw commands: keys as given, replies as redis-py reads them before its callbacks --------

    /// Sends one command as given (no prefixing, no pickling) and returns the unparsed reply;
    /// `execute_command` applies redis-py's response callbacks on top.
    #[pyo3(signature = (*args))]
    fn execute_raw<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
    ) -> CacheResult<Bound<'py, PyAny>> {
        let cmd = command_from(args)?;
        let reply: Value = self.io(py, |t, d| t.exclusive(&cmd, d))?;
        Ok(reply::to_python(py, reply)?)
    }

    /// Sends `commands` (each a tuple of arguments) in one round trip and returns one reply per
    /// command, an error reply as an (unraised) exception. The Python `Pipeline` frames
    /// transactions with MULTI/EXEC itself, to read each queued command's answer.
    fn execute_pipeline<'py>(
        &self,
        py: Python<'py>,
        commands: &Bound<'py, PyAny>,
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
        pipe.ignore_errors();
        let replies: Vec<Value> = self.io(py, |t, d| t.pipeline(&pipe, d))?;
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
