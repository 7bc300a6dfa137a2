//! `RedisWrapper`: Frappe's `frappe.cache` method surface, and Frappe's policies (what is
//! prefixed, what is cached locally, which connection errors are swallowed). The plumbing
//! under it is in `plumbing.rs`, argument conventions in `args.rs`, request-cache addressing
//! in `local.rs`; keys, codec, connections and the request cache itself in their own modules.

mod args;
mod cluster;
mod local;
mod plumbing;
mod sentinel;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PySet, PyTuple};
use redis::Value;

pub(crate) use args::many;
pub(crate) use args::{Flag, User};
pub(crate) use local::{Made, local_forget, local_get_wire, local_put, local_put_wire};
pub(crate) use plumbing::{cmd_with, refused, swallow};

use args::command_from;
pub use cluster::ClusterNodes;
use local::{forget_field, hash_field, local_get, local_hash};
use plumbing::bytes_list;
pub use sentinel::SentinelMaster;

use crate::codec;
use crate::errors::{CacheError, CacheResult};
use crate::keys;
use crate::reply;
use crate::transport::{self, Locator, Options, Transport};
use crate::ttl;

#[pyclass(module = "frappe_cache._native", frozen, subclass)]
pub struct RedisWrapper {
    transport: Transport,
    url: String,
    /// Set when the master is found through Sentinel (`from_sentinel`).
    sentinel: Option<Py<SentinelMaster>>,
    /// How the wrapper was built, for `repr`: `from_url("...")`, `from_sentinel(...)`, ...
    built: String,
    site: Option<String>,
    strict: bool,
}

fn none(py: Python<'_>) -> Bound<'_, PyAny> {
    py.None().into_bound(py)
}

/// What a timeout of `None` means, for the error that refuses a bad one.
const FOREVER: &str = "no timeout (wait forever)";

#[pymethods]
impl RedisWrapper {
    #[new]
    #[pyo3(signature = (url, *, site=None, socket_connect_timeout=Some(5.0), socket_timeout=Some(5.0), max_connections=64, strict=false, ssl_ca_certs=None, ssl_certfile=None, ssl_keyfile=None))]
    fn new(
        url: &Bound<'_, PyAny>,
        site: Option<String>,
        socket_connect_timeout: Option<f64>,
        socket_timeout: Option<f64>,
        max_connections: usize,
        strict: bool,
        ssl_ca_certs: Option<String>,
        ssl_certfile: Option<String>,
        ssl_keyfile: Option<String>,
    ) -> CacheResult<Self> {
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
            connect_timeout: ttl::duration(
                socket_connect_timeout,
                "socket_connect_timeout",
                FOREVER,
            )?,
            socket_timeout: ttl::duration(socket_timeout, "socket_timeout", FOREVER)?,
            max_connections,
            tls: transport::TlsFiles {
                ca_certs: ssl_ca_certs,
                certfile: ssl_certfile,
                keyfile: ssl_keyfile,
            },
        };
        let (locator, sentinel, url, built) = if let Ok(master) = url.cast::<SentinelMaster>() {
            let m = master.get();
            let built = format!("from_sentinel({:?}, {:?}", m.sentinels(), m.service());
            let locator = Locator::Sentinel(std::sync::Arc::new(m.locate()));
            (locator, Some(master.clone().unbind()), m.url(), built)
        } else if let Ok(nodes) = url.cast::<ClusterNodes>() {
            let n = nodes.get();
            let masked: Vec<String> = n
                .urls()
                .iter()
                .map(|u| transport::mask_password(u))
                .collect();
            let locator = Locator::Cluster(std::sync::Arc::new(n.locate()?));
            (locator, None, n.url(), format!("from_cluster({masked:?}"))
        } else {
            let url: String = url.extract()?;
            let built = format!("from_url({:?}", transport::mask_password(&url));
            (Locator::Node(transport::parse_url(&url)?), None, url, built)
        };
        Ok(RedisWrapper {
            transport: Transport::new(locator, options)?,
            url,
            sentinel,
            built,
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

    /// A wrapper on the master that Redis Sentinel names for `service_name`, as Frappe's
    /// `redis_cache_sentinel_enabled` config asks: `SentinelMaster`'s keywords describe the
    /// sentinels and the master, the others are `from_url`'s.
    #[classmethod]
    #[pyo3(signature = (sentinels, service_name, **options))]
    fn from_sentinel<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        sentinels: &Bound<'py, PyAny>,
        service_name: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let (for_master, for_wrapper) = (PyDict::new(py), PyDict::new(py));
        for (name, value) in options.into_iter().flatten() {
            let ours = SentinelMaster::KEYWORDS
                .iter()
                .any(|k| name.eq(k).unwrap_or(false));
            if ours { &for_master } else { &for_wrapper }.set_item(name, value)?;
        }
        let master = py
            .get_type::<SentinelMaster>()
            .call((sentinels, service_name), Some(&for_master))?;
        cls.call((master,), Some(&for_wrapper))
    }

    /// A wrapper on a Redis Cluster: `nodes` are URLs of some of its nodes (any one tells the
    /// rest); the options are `from_url`'s.
    #[classmethod]
    #[pyo3(signature = (nodes, **options))]
    fn from_cluster<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        nodes: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let nodes = Bound::new(cls.py(), ClusterNodes::new(nodes)?)?;
        cls.call((nodes,), options)
    }

    /// The Sentinel set-up this wrapper follows (`None` for a wrapper built from a URL).
    #[getter]
    fn sentinel_master(&self, py: Python<'_>) -> Option<Py<SentinelMaster>> {
        self.sentinel.as_ref().map(|m| m.clone_ref(py))
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
        let source = &self.built;
        format!(
            "RedisWrapper.{source}, site={site}, socket_timeout={timeout}, max_connections={})",
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
        let ttl = ttl::expiry(expires_in_sec, "expires_in_sec")?;
        self.set_pickled(py, &k, val, ttl)
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
        // A stored pickle of None reads as a miss, as in Frappe (only EXISTS tells them apart).
        let value = self.get_pickled(py, k.wire())?.filter(|v| !v.is_none());
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
        cmd.arg(ttl::whole_seconds(time, "time", false)?);
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
        let names = many(names)?;
        let hashes = names
            .iter()
            .map(|name| self.make(name, &User::Nobody, false))
            .collect::<CacheResult<Vec<_>>>()?;
        self.hdel_field(py, hashes, key)
    }

    fn hdel_keys(
        &self,
        py: Python<'_>,
        name_starts_with: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let hashes = self.scan_keys(py, name_starts_with)?;
        self.hdel_field(py, hashes.into_iter().map(Made::Prefixed).collect(), key)
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
