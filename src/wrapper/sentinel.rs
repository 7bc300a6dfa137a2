//! `SentinelMaster`: the Python-facing description of a master found through Redis Sentinel,
//! read as Frappe's config gives it (`redis_cache_sentinels` = `["host:port", ...]`, which
//! Frappe splits into `(host, "port")` tuples) or as redis-py's `Sentinel` takes it.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{CacheError, CacheResult};
use crate::transport::address::{Address, Target};
use crate::transport::{self, mask_password};

/// The sentinels, the service name and the master's credentials. Build a wrapper on it with
/// `RedisWrapper.from_sentinel(...)`.
#[pyclass(module = "frappe_cache._native", frozen)]
pub struct SentinelMaster {
    #[pyo3(get)]
    sentinels: Vec<(String, u16)>,
    #[pyo3(get)]
    service_name: String,
    #[pyo3(get)]
    db: i64,
    #[pyo3(get)]
    username: Option<String>,
    #[pyo3(get)]
    password: Option<String>,
    #[pyo3(get)]
    sentinel_username: Option<String>,
    #[pyo3(get)]
    sentinel_password: Option<String>,
    #[pyo3(get)]
    ssl: bool,
}

fn bad_sentinels(why: impl std::fmt::Display) -> CacheError {
    CacheError::Config(format!(
        "sentinels: {why}; expected a list of (host, port) pairs or \"host:port\" strings, \
         as in redis_cache_sentinels"
    ))
}

fn repr(obj: &Bound<'_, PyAny>) -> String {
    obj.repr().map_or_else(|_| "?".into(), |r| r.to_string())
}

fn port(text: &str) -> CacheResult<u16> {
    match text.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(bad_sentinels(format!("{text:?} is not a port number"))),
    }
}

/// One sentinel: `"host:port"`, or `(host, port)` with the port an int or a string.
fn sentinel(item: &Bound<'_, PyAny>) -> CacheResult<(String, u16)> {
    if let Ok(text) = item.cast::<PyString>() {
        let text = text.to_str()?;
        return match text.rsplit_once(':') {
            Some((host, p)) if !host.is_empty() => Ok((host.to_string(), port(p)?)),
            _ => Err(bad_sentinels(format!("{text:?} has no :port"))),
        };
    }
    let parts: Vec<Bound<'_, PyAny>> = item
        .extract()
        .map_err(|_| bad_sentinels(format!("{} is not a pair", repr(item))))?;
    let [host, p] = parts.as_slice() else {
        return Err(bad_sentinels(format!("{} is not a pair", repr(item))));
    };
    let host: String = host
        .extract()
        .map_err(|_| bad_sentinels(format!("the host in {} is not a string", repr(item))))?;
    let p = match p.extract::<u16>() {
        Ok(p) if p > 0 => p,
        _ => port(&p.str()?.to_string())?,
    };
    if host.is_empty() {
        return Err(bad_sentinels("a host is empty"));
    }
    Ok((host, p))
}

#[pymethods]
impl SentinelMaster {
    #[new]
    #[pyo3(signature = (sentinels, service_name, *, db=0, username=None, password=None, sentinel_username=None, sentinel_password=None, ssl=false))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        sentinels: &Bound<'_, PyAny>,
        service_name: Option<String>,
        db: i64,
        username: Option<String>,
        password: Option<String>,
        sentinel_username: Option<String>,
        sentinel_password: Option<String>,
        ssl: bool,
    ) -> CacheResult<Self> {
        if sentinels.is_instance_of::<PyString>() {
            return Err(bad_sentinels("got one string"));
        }
        let items: Vec<Bound<'_, PyAny>> = sentinels
            .extract()
            .map_err(|_| bad_sentinels(format!("got {}", repr(sentinels))))?;
        let sentinels = items
            .iter()
            .map(sentinel)
            .collect::<CacheResult<Vec<_>>>()?;
        if sentinels.is_empty() {
            return Err(bad_sentinels("the list is empty"));
        }
        let service_name = service_name.filter(|s| !s.is_empty()).ok_or_else(|| {
            CacheError::Config(
                "service_name is missing: give the name Sentinel monitors the master under \
                 (redis_cache_master_service, e.g. \"mymaster\")"
                    .into(),
            )
        })?;
        if db < 0 {
            return Err(CacheError::Config(format!(
                "db must be 0 or more, not {db}"
            )));
        }
        // Frappe passes unset credentials as None; an empty string is no credential either.
        let set = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(SentinelMaster {
            sentinels,
            service_name,
            db,
            username: set(username),
            password: set(password),
            sentinel_username: set(sentinel_username),
            sentinel_password: set(sentinel_password),
            ssl,
        })
    }

    /// `redis+sentinel://host:port,.../service/db`, without passwords (for messages and `url`).
    #[getter]
    pub(crate) fn url(&self) -> String {
        let hosts: Vec<String> = self
            .sentinels
            .iter()
            .map(|(h, p)| format!("{h}:{p}"))
            .collect();
        let scheme = if self.ssl {
            "rediss+sentinel"
        } else {
            "redis+sentinel"
        };
        mask_password(&format!(
            "{scheme}://{}/{}/{}",
            hosts.join(","),
            self.service_name,
            self.db
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "SentinelMaster({:?}, {:?}, db={})",
            self.sentinels, self.service_name, self.db
        )
    }
}

impl SentinelMaster {
    /// The keyword arguments of `SentinelMaster(...)`, which `from_sentinel` passes on to it.
    pub(crate) const KEYWORDS: [&'static str; 6] = [
        "db",
        "username",
        "password",
        "sentinel_username",
        "sentinel_password",
        "ssl",
    ];

    pub(crate) fn sentinels(&self) -> &[(String, u16)] {
        &self.sentinels
    }

    pub(crate) fn service(&self) -> &str {
        &self.service_name
    }

    pub(crate) fn locate(&self) -> transport::Sentinel {
        let node =
            |host: &str, port: u16, username: &Option<String>, password: &Option<String>| Address {
                target: Target::Tcp {
                    host: host.to_string(),
                    port,
                },
                tls: self.ssl,
                insecure: false,
                username: username.clone(),
                password: password.clone(),
                db: 0,
            };
        let (user, pass) = (&self.sentinel_username, &self.sentinel_password);
        transport::Sentinel {
            sentinels: self
                .sentinels
                .iter()
                .map(|(host, port)| node(host, *port, user, pass))
                .collect(),
            service: self.service_name.clone(),
            // The target is a placeholder: the sentinels name the master.
            master: Address {
                db: self.db,
                ..node("", 0, &self.username, &self.password)
            },
        }
    }
}
