//! `ClusterNodes`: the Python-facing list of a Redis Cluster's nodes (any of them tells the
//! rest), given as URLs.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{CacheError, CacheResult};
use crate::transport::address::Target;
use crate::transport::{self, mask_password, parse_url};

/// Some nodes of a Redis Cluster, as URLs. Build a wrapper on it with
/// `RedisWrapper.from_cluster(...)`.
#[pyclass(module = "frappe_cache._native", frozen)]
pub struct ClusterNodes {
    #[pyo3(get)]
    urls: Vec<String>,
}

fn bad(why: impl std::fmt::Display) -> CacheError {
    CacheError::Config(format!(
        "cluster nodes: {why}; expected a list of redis:// or rediss:// URLs, e.g. \
         [\"redis://10.0.0.1:7000\", \"redis://10.0.0.2:7000\"]"
    ))
}

#[pymethods]
impl ClusterNodes {
    #[new]
    pub(crate) fn new(nodes: &Bound<'_, PyAny>) -> CacheResult<Self> {
        let urls: Vec<String> = if let Ok(one) = nodes.cast::<PyString>() {
            vec![one.to_str()?.to_string()]
        } else {
            nodes.extract().map_err(|_| {
                bad(format!(
                    "got {}",
                    nodes.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                ))
            })?
        };
        if urls.is_empty() {
            return Err(bad("the list is empty"));
        }
        let node = ClusterNodes { urls };
        node.locate()?; // every URL checked now, not at the first command
        Ok(node)
    }

    /// `redis+cluster://host:port,...`, without credentials (for messages and `url`).
    #[getter]
    pub(crate) fn url(&self) -> String {
        let seeds = self.locate().map(|c| c.seeds).unwrap_or_default();
        let scheme = if seeds.first().is_some_and(|a| a.tls) {
            "rediss+cluster"
        } else {
            "redis+cluster"
        };
        let hosts: Vec<String> = seeds.iter().map(|a| a.describe()).collect();
        format!("{scheme}://{}", hosts.join(","))
    }

    fn __repr__(&self) -> String {
        format!(
            "ClusterNodes({:?})",
            self.urls
                .iter()
                .map(|u| mask_password(u))
                .collect::<Vec<_>>()
        )
    }
}

impl ClusterNodes {
    pub(crate) fn urls(&self) -> &[String] {
        &self.urls
    }

    pub(crate) fn locate(&self) -> CacheResult<transport::cluster::Cluster> {
        let mut seeds = Vec::with_capacity(self.urls.len());
        for url in &self.urls {
            let address = parse_url(url)?;
            if !matches!(address.target, Target::Tcp { .. }) {
                return Err(bad(format!("{} is not a TCP address", mask_password(url))));
            }
            if address.db != 0 {
                return Err(bad(format!(
                    "{} names database {}; Redis Cluster has only database 0",
                    mask_password(url),
                    address.db
                )));
            }
            seeds.push(address);
        }
        if seeds.iter().any(|a| a.tls != seeds[0].tls) {
            return Err(bad("some URLs are rediss:// and some redis://"));
        }
        Ok(transport::cluster::Cluster { seeds })
    }
}
