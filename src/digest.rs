//! Stable digests of call arguments for `@redis_cache` keys.
//!
//! Frappe keys a call by Python's `hash()`, which is salted per process (PYTHONHASHSEED), so
//! gunicorn and RQ workers never share an entry for string arguments. Here the arguments are
//! written out in a canonical byte form and hashed with BLAKE2b-128: the same arguments give
//! the same key in every process, on every restart.
//!
//! The canonical form follows Python equality where Frappe's `hash()` did: `1`, `1.0` and `True`
//! are one argument, dict and set order do not matter, a dict subclass (`frappe._dict`) equals a
//! dict, and keyword order does not matter. A positional and a keyword call stay distinct.
//! An object compared by identity (its class keeps `object.__eq__`, as a plain class or a Frappe
//! `Document` does) is its identity: distinct instances are distinct entries, as with Frappe's
//! `hash()`, and only this process can hit them. The identity is a serial number given on first
//! sight (held in a weak dictionary), never the address: an address is reused once the object
//! is freed, and a new object must not find the old one's result. Other objects without a
//! canonical form are
//! pickled (the same state, the same bytes); objects that cannot be pickled make the call
//! undigestable (`None`): the decorator then calls through.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple,
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Deeper than this is not an argument list worth caching on.
const MAX_DEPTH: usize = 32;

static BLAKE2B: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `{"digest_size": 16}`, built once: BLAKE2b-128.
static BLAKE2B_OPTIONS: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
/// Types whose `str()` is a faithful, stable form: written as `type:str(value)`.
static BY_STR: PyOnceLock<Py<PyTuple>> = PyOnceLock::new();
static OBJECT_EQ: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static GETPID: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// Identity-compared arguments seen so far -> their serial number (weakly held).
static SERIALS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static NEXT_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// This object's serial number, given on first sight; `None` when it cannot be weakly
/// referenced (then it has no stable identity to key on).
fn serial(value: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    let py = value.py();
    let serials = SERIALS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("weakref")?
            .getattr("WeakKeyDictionary")?
            .call0()?
            .unbind())
    })?;
    let serials = serials.bind(py);
    if let Some(known) = serials
        .call_method1("get", (value,))?
        .extract::<Option<u64>>()?
    {
        return Ok(Some(known));
    }
    let fresh = NEXT_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match serials.set_item(value, fresh) {
        Ok(()) => Ok(Some(fresh)),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Random per interpreter: an identity written by one process never matches another's, even
/// on another host sharing the Redis (the pid tells forked children apart).
fn process_nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static NONCE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    })
}

/// Whether `value`'s class compares by identity (it never overrode `__eq__`).
fn compared_by_identity(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = value.py();
    let object_eq = OBJECT_EQ.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .get_type::<pyo3::types::PyAny>()
            .getattr("__eq__")?
            .unbind())
    })?;
    Ok(value.get_type().getattr("__eq__")?.is(object_eq.bind(py)))
}

/// The hex digest of `(args, kwargs)`, or `None` when an argument has no stable form.
pub fn digest(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<String>> {
    let mut out = Vec::with_capacity(64);
    if !encode_seq(&mut out, b'(', args.iter(), args.len(), 0)? {
        return Ok(None);
    }
    if let Some(kwargs) = kwargs.filter(|k| !k.is_empty()) {
        out.push(b'K');
        if !encode_dict(&mut out, kwargs, 0)? {
            return Ok(None);
        }
    }
    let blake2b = BLAKE2B.import(py, "hashlib", "blake2b")?;
    let options = BLAKE2B_OPTIONS.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        let options = PyDict::new(py);
        options.set_item("digest_size", 16)?;
        Ok(options.unbind())
    })?;
    let hash = blake2b.call((PyBytes::new(py, &out),), Some(options.bind(py)))?;
    let digest = hash.call_method0("digest")?;
    let digest = digest.cast::<PyBytes>()?.as_bytes();
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    Ok(Some(hex))
}

fn len_prefix(out: &mut Vec<u8>, tag: u8, len: usize) {
    use std::io::Write;
    out.push(tag);
    let _ = write!(out, "{len}:"); // writing to a Vec cannot fail
}

/// Writes `value`; `Ok(false)` when it has no stable form.
fn encode(out: &mut Vec<u8>, value: &Bound<'_, PyAny>, depth: usize) -> PyResult<bool> {
    if depth > MAX_DEPTH {
        return Ok(false);
    }
    if value.is_none() {
        out.push(b'N');
        return Ok(true);
    }
    if let Ok(s) = value.cast::<PyString>() {
        let text = match s.to_str() {
            Ok(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
            // Lone surrogates: still a stable form, just not UTF-8.
            Err(_) => std::borrow::Cow::Owned(
                s.call_method1("encode", ("utf-8", "surrogatepass"))?
                    .extract::<Vec<u8>>()?,
            ),
        };
        len_prefix(out, b's', text.len());
        out.extend_from_slice(&text);
        return Ok(true);
    }
    if value.is_instance_of::<PyBool>() || value.is_instance_of::<PyInt>() {
        // `True == 1`, as in the hash Frappe uses.
        out.push(b'i');
        match value.extract::<i64>() {
            Ok(i) => {
                use std::io::Write;
                let _ = write!(out, "{i}");
            }
            Err(_) => {
                out.extend_from_slice(value.call_method0("__index__")?.str()?.to_str()?.as_bytes())
            }
        }
        out.push(b';');
        return Ok(true);
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        let x = f.value();
        if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
            // `1.0 == 1`: an integral float is written as the int it equals.
            out.push(b'i');
            out.extend_from_slice((x as i64).to_string().as_bytes());
            out.push(b';');
        } else {
            out.push(b'f');
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        return Ok(true);
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        len_prefix(out, b'b', b.as_bytes().len());
        out.extend_from_slice(b.as_bytes());
        return Ok(true);
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        let data = b.to_vec();
        len_prefix(out, b'b', data.len());
        out.extend_from_slice(&data);
        return Ok(true);
    }
    if let Ok(t) = value.cast::<PyTuple>() {
        return encode_seq(out, b'(', t.iter(), t.len(), depth + 1);
    }
    if let Ok(l) = value.cast::<PyList>() {
        return encode_seq(out, b'[', l.iter(), l.len(), depth + 1);
    }
    if let Ok(d) = value.cast::<PyDict>() {
        return encode_dict(out, d, depth + 1);
    }
    if value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>() {
        let mut items = Vec::new();
        for item in value.try_iter()? {
            let mut one = Vec::new();
            if !encode(&mut one, &item?, depth + 1)? {
                return Ok(false);
            }
            items.push(one);
        }
        items.sort();
        len_prefix(out, b'{', items.len());
        items.iter().for_each(|i| out.extend_from_slice(i));
        return Ok(true);
    }
    let py = value.py();
    let by_str = BY_STR.get_or_try_init(py, || -> PyResult<Py<PyTuple>> {
        let dt = py.import("datetime")?;
        let types = [
            dt.getattr("datetime")?,
            dt.getattr("date")?,
            dt.getattr("time")?,
            dt.getattr("timedelta")?,
            py.import("decimal")?.getattr("Decimal")?,
            py.import("uuid")?.getattr("UUID")?,
        ];
        Ok(PyTuple::new(py, types)?.unbind())
    })?;
    if value.is_instance(by_str.bind(py).as_any())? {
        let ty = value.get_type().fully_qualified_name()?;
        let text = format!("{ty}:{}", value.str()?);
        len_prefix(out, b'o', text.len());
        out.extend_from_slice(text.as_bytes());
        return Ok(true);
    }
    if compared_by_identity(value)? {
        // Python calls two such objects equal only if they are one object: so does the key.
        let Some(serial) = serial(value)? else {
            return Ok(false);
        };
        let pid = GETPID.import(py, "os", "getpid")?.call0()?;
        let text = format!("{:016x}:{pid}:{serial}", process_nonce());
        len_prefix(out, b'@', text.len());
        out.extend_from_slice(text.as_bytes());
        return Ok(true);
    }
    // Anything else (an Enum, a dataclass, a class with its own equality): its pickle, which is
    // the same for the same state. No pickle, no key.
    match crate::codec::pickle(value) {
        Ok(pickled) => {
            len_prefix(out, b'p', pickled.as_bytes().len());
            out.extend_from_slice(pickled.as_bytes());
            Ok(true)
        }
        Err(err) if err.is_instance_of::<pyo3::exceptions::PyException>(py) => Ok(false),
        Err(err) => Err(err),
    }
}

fn encode_seq<'py>(
    out: &mut Vec<u8>,
    tag: u8,
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
) -> PyResult<bool> {
    len_prefix(out, tag, len);
    for item in items {
        if !encode(out, &item, depth)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A dict as its (key, value) pairs sorted by the key's canonical form: order never matters.
fn encode_dict(out: &mut Vec<u8>, dict: &Bound<'_, PyDict>, depth: usize) -> PyResult<bool> {
    let mut pairs = Vec::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let mut key = Vec::new();
        let mut value = Vec::new();
        if !encode(&mut key, &k, depth + 1)? || !encode(&mut value, &v, depth + 1)? {
            return Ok(false);
        }
        pairs.push((key, value));
    }
    pairs.sort();
    len_prefix(out, b'd', pairs.len());
    for (k, v) in pairs {
        out.extend_from_slice(&k);
        out.extend_from_slice(&v);
    }
    Ok(true)
}
