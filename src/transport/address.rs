//! Where to connect and how to introduce ourselves: parsed from a Redis URL.
//!
//! redis-rs parses the URL (`redis://`, `rediss://`, `unix://`, with user, password and db);
//! this module checks what it produced, says what is wrong with a bad URL, and keeps the parts
//! the transport's own connections need.

use std::path::PathBuf;

use redis::{ConnectionAddr, IntoConnectionInfo};

use crate::errors::{CacheError, CacheResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

#[derive(Clone, Debug)]
pub struct Address {
    pub target: Target,
    /// `rediss://`: TLS over the TCP connection.
    pub tls: bool,
    /// `rediss://...#insecure`: TLS without checking the server's certificate.
    pub insecure: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: i64,
}

impl Address {
    /// `host:port` or the socket path, for messages.
    pub fn describe(&self) -> String {
        match &self.target {
            Target::Tcp { host, port } => format!("{host}:{port}"),
            Target::Unix(path) => path.display().to_string(),
        }
    }
}

/// Parses a `redis://`, `rediss://` or `unix://` URL, explaining what is wrong when it can't.
pub fn parse_url(url: &str) -> CacheResult<Address> {
    let bad = |why: &str| {
        CacheError::Config(format!(
            "invalid Redis URL {:?}: {why}; expected redis://[[user]:password@]host[:port][/db], \
             rediss://... or unix:///path/to/redis.sock[?db=N]",
            mask_password(url)
        ))
    };
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("redis" | "rediss" | "unix" | "redis+unix" | "valkey" | "valkeys") => {}
        Some(other) => return Err(bad(&format!("unsupported scheme '{other}://'"))),
        None => return Err(bad("it has no scheme")),
    }
    let info = url.into_connection_info().map_err(|e| {
        bad(&diagnose(url).unwrap_or_else(|| e.detail().unwrap_or(&e.to_string()).to_owned()))
    })?;
    let (target, tls, insecure) = match info.addr() {
        ConnectionAddr::Tcp(host, port) => (
            tcp(host, *port).ok_or_else(|| bad("it names no host"))?,
            false,
            false,
        ),
        ConnectionAddr::TcpTls {
            host,
            port,
            insecure,
            ..
        } => (
            tcp(host, *port).ok_or_else(|| bad("it names no host"))?,
            true,
            *insecure,
        ),
        ConnectionAddr::Unix(path) => (Target::Unix(path.clone()), false, false),
        #[allow(unreachable_patterns)]
        _ => return Err(bad("an address kind frappe-cache does not connect to")),
    };
    let settings = info.redis_settings();
    if settings.db() < 0 {
        return Err(bad(&format!(
            "the database number {} is negative",
            settings.db()
        )));
    }
    Ok(Address {
        target,
        tls,
        insecure,
        username: settings.username().map(str::to_owned),
        password: settings.password().map(str::to_owned),
        db: settings.db(),
    })
}

/// What is wrong with a URL redis-rs refused, in words a user can act on (redis-rs mostly says
/// only that it "did not parse").
fn diagnose(text: &str) -> Option<String> {
    let parsed = match url::Url::parse(text) {
        Ok(parsed) => parsed,
        Err(url::ParseError::InvalidPort) => {
            return Some("the port must be a number from 1 to 65535".into());
        }
        Err(url::ParseError::EmptyHost) => return Some("it names no host".into()),
        Err(err) => return Some(err.to_string()),
    };
    let unix = matches!(parsed.scheme(), "unix" | "redis+unix");
    if unix && parsed.path().is_empty() {
        return Some("unix:// needs the socket's path, e.g. unix:///run/redis/redis.sock".into());
    }
    if !unix && !parsed.has_host() {
        return Some("it names no host".into());
    }
    let in_path = (!unix)
        .then(|| parsed.path().trim_start_matches('/').to_owned())
        .filter(|db| !db.is_empty());
    let in_query = parsed
        .query_pairs()
        .find(|(k, _)| k == "db")
        .map(|(_, v)| v.into_owned());
    if let Some(db) = in_path.or(in_query) {
        if db.parse::<i64>().is_err() {
            return Some(format!("the database must be a number, not {db:?}"));
        }
    }
    None
}

fn tcp(host: &str, port: u16) -> Option<Target> {
    (!host.is_empty()).then(|| Target::Tcp {
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
        port,
    })
}

/// The URL with any password replaced by `***`, for reprs and error messages.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((creds, host)) => {
            let user = creds.split_once(':').map_or(creds, |(u, _)| u);
            let masked = if creds.contains(':') {
                format!("{user}:***")
            } else {
                "***".into()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_db_user_and_password() {
        let a = parse_url("redis://alice:s3cret@127.0.0.1:13000/2").unwrap();
        assert_eq!(a.db, 2);
        assert_eq!(a.username.as_deref(), Some("alice"));
        assert_eq!(a.password.as_deref(), Some("s3cret"));
        assert_eq!(
            a.target,
            Target::Tcp {
                host: "127.0.0.1".into(),
                port: 13000
            }
        );
        assert!(!a.tls);
        let unix = parse_url("unix:///tmp/redis.sock?db=3").unwrap();
        assert_eq!(unix.db, 3);
        assert_eq!(unix.target, Target::Unix("/tmp/redis.sock".into()));
        let tls = parse_url("rediss://h:1").unwrap();
        assert!(tls.tls && !tls.insecure);
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, why) in [
            ("http://localhost", "unsupported scheme"),
            ("localhost:6379", "no scheme"),
            ("", "no scheme"),
            ("redis://localhost:notaport", "the port must be a number"),
            ("redis://localhost:99999", "the port must be a number"),
            ("redis://localhost/-1", "is negative"),
            (
                "redis://localhost/zero",
                "the database must be a number, not \"zero\"",
            ),
            ("unix://", "needs the socket's path"),
            ("redis://:pw@/0", "no host"),
        ] {
            match parse_url(url) {
                Err(CacheError::Config(m)) => assert!(m.contains(why), "{url}: {m}"),
                other => panic!("{url}: expected a config error, got {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(mask_password("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(mask_password("redis://:pw@h"), "redis://:***@h");
        assert_eq!(mask_password("redis://h:1"), "redis://h:1");
    }
}
