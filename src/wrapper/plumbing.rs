//! The wrapper's Redis plumbing: running commands under one deadline with the GIL released,
//! making keys, the pickled GET/SET pair that `get_value`, `set_value` and `@redis_cache`
//! share, and the SCAN/UNLINK/HDEL loops. Frappe's policies (what is swallowed, what is cached
//! locally) are applied by the callers in `mod.rs`, with `swallow` and `refused`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use redis::Cmd;

use super::RedisWrapper;
use super::args::User;
use super::local::{Made, forget_field, local_forget, local_put};
use crate::codec;
use crate::errors::{CacheError, CacheResult};
use crate::keys;
use crate::request_cache::{Key, with_scope};
use crate::transport::{Deadline, Transport};

/// Keys per UNLINK of `delete_value`: big enough to be quick, small enough that Redis, which
/// every site shares, never stalls on one command.
const BATCH: usize = 1000;
/// Hash-table slots one SCAN step visits: a few hundred microseconds of server time, and one
/// step for a site cache of a few thousand keys (as many round trips as Frappe's one KEYS then).
const SCAN_COUNT: usize = 5000;
/// Keys per UNLINK when deleting by pattern: freeing is the costly part, so smaller steps keep
/// every other client's worst wait well under a millisecond.
const DELETE_BATCH: usize = 250;
/// Hash-table slots per SCAN step when deleting by pattern: a mass delete is the moment other
/// clients are busiest waiting, and a 5000-slot step over a full table measured 5.2 ms on a
/// loaded 2-core host (SLOWLOG); 1000 keeps each step near a millisecond for a few more round
/// trips (100k keys: some 100 steps instead of 20).
const DELETE_SCAN_COUNT: usize = 1000;

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
pub(crate) fn swallow<T>(result: CacheResult<T>, fallback: T) -> CacheResult<T> {
    match result {
        Err(err) if err.is_connection() => Ok(fallback),
        other => other,
    }
}

/// One `SCAN cursor MATCH pattern COUNT count` step.
fn scan_step(cursor: u64, pattern: &[u8], count: usize) -> Cmd {
    let mut cmd = redis::cmd("SCAN");
    cmd.arg(cursor)
        .arg("MATCH")
        .arg(pattern)
        .arg("COUNT")
        .arg(count);
    cmd
}

pub(crate) fn cmd_with(name: &str, key: &[u8]) -> Cmd {
    let mut cmd = redis::cmd(name);
    cmd.arg(key);
    cmd
}

pub(super) fn bytes_list<'py>(
    py: Python<'py>,
    items: Vec<Vec<u8>>,
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, items.iter().map(|k| PyBytes::new(py, k)))
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

    /// The connections under this wrapper (the client cache opens its own through them).
    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
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
        let user = user.resolve(py)?;
        let user = user.as_deref();
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

    /// GET and unpickle: `None` for a missing key, an undecodable value (logged) or a
    /// connection error (Frappe's policy for reads); timeouts and error replies propagate.
    pub(crate) fn get_pickled<'py>(
        &self,
        py: Python<'py>,
        key: &[u8],
    ) -> CacheResult<Option<Bound<'py, PyAny>>> {
        let cmd = cmd_with("GET", key);
        let stored: Option<Vec<u8>> = swallow(self.io(py, |t, d| t.query(&cmd, d)), None)?;
        match stored {
            Some(data) => self.decode(py, key, &data),
            None => Ok(None),
        }
    }

    /// Pickle and SET (with `EX ttl`), the request cache updated first, as in Frappe. The value
    /// is pickled before anything is touched, so an unpicklable one leaves both caches as they
    /// were; a write Redis refused or may not have made drops the local copy again. Connection
    /// errors are swallowed (the request goes on with its local copy).
    pub(crate) fn set_pickled(
        &self,
        py: Python<'_>,
        key: &Made<'_>,
        value: &Bound<'_, PyAny>,
        ttl: Option<i64>,
    ) -> CacheResult<()> {
        let pickled = codec::dumps(value)?;
        let mut cmd = cmd_with("SET", key.wire());
        cmd.arg(pickled.as_bytes());
        if let Some(ttl) = ttl {
            cmd.arg("EX").arg(ttl);
        }
        drop(pickled);
        local_put(py, key, value)?;
        let written = self.io(py, |t, d| t.query::<()>(&cmd, d));
        if refused(&written) {
            local_forget(py, key)?;
        }
        swallow(written, ())
    }

    /// Keys of this site matching `{site}|{prefix}*`, by SCAN (never KEYS, which blocks a Redis
    /// every site shares). On a connection error: the request-local cache's keys, as Frappe does.
    pub(super) fn scan_keys(
        &self,
        py: Python<'_>,
        prefix: &Bound<'_, PyAny>,
    ) -> CacheResult<Vec<Vec<u8>>> {
        let mut pattern = self.site_key(prefix)?;
        pattern.push(b'*');
        // Every master of a cluster holds a share of the keys.
        let scanned = self.io(py, |t, d| {
            let per_master = t.each_master(d, |conn, d| {
                let mut seen = Vec::new();
                let mut cursor: u64 = 0;
                loop {
                    let (next, batch): (u64, Vec<Vec<u8>>) =
                        conn.query_as(&scan_step(cursor, &pattern, SCAN_COUNT), d)?;
                    seen.extend(batch);
                    if next == 0 {
                        return Ok(seen);
                    }
                    cursor = next;
                }
            })?;
            // SCAN may return a key twice.
            let mut keys: Vec<Vec<u8>> = per_master.into_iter().flatten().collect();
            keys.sort();
            keys.dedup();
            Ok(keys)
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
            t.each_master(d, |conn, d| {
                let mut cursor: u64 = 0;
                loop {
                    let (next, batch): (u64, Vec<Vec<u8>>) =
                        conn.query_as(&scan_step(cursor, &pattern, DELETE_SCAN_COUNT), d)?;
                    // One command per chunk, each its own round trip: other clients run between.
                    for chunk in batch.chunks(DELETE_BATCH) {
                        if t.clustered() {
                            // One UNLINK per slot, pipelined (multi-key commands keep to a slot).
                            let mut pipe = redis::pipe();
                            pipe.cmd("UNLINK").arg(chunk);
                            t.pipeline_checked(&pipe, d)?;
                        } else {
                            conn.query(redis::cmd("UNLINK").arg(chunk), d)?;
                        }
                    }
                    if next == 0 {
                        return Ok(());
                    }
                    cursor = next;
                }
            })
        });
        swallow(result.map(drop), ())
    }

    pub(crate) fn unlink(&self, py: Python<'_>, keys: &[Made<'_>]) -> CacheResult<()> {
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

    /// Removes field `key` from each of `hashes`, locally and in Redis (one round trip).
    pub(super) fn hdel_field(
        &self,
        py: Python<'_>,
        hashes: Vec<Made<'_>>,
        key: &Bound<'_, PyAny>,
    ) -> CacheResult<()> {
        let mut pairs = Vec::with_capacity(hashes.len());
        for hash in &hashes {
            let wire = self.forget_fields(py, hash, std::slice::from_ref(key))?;
            pairs.push((hash.wire().to_vec(), wire));
        }
        self.hdel_many(py, pairs)
    }

    /// HDEL of each hash's fields, in one round trip (connection errors swallowed).
    pub(super) fn hdel_many(
        &self,
        py: Python<'_>,
        pairs: Vec<(Vec<u8>, Vec<Vec<u8>>)>,
    ) -> CacheResult<()> {
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
    pub(super) fn forget_fields(
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

    pub(super) fn raw_query<T: redis::FromRedisValue + Send>(
        &self,
        py: Python<'_>,
        cmd: Cmd,
    ) -> CacheResult<T> {
        self.io(py, move |t, d| t.query(&cmd, d))
    }
}

impl RedisWrapper {
    pub(super) fn push(
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

    pub(super) fn set_members(
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
