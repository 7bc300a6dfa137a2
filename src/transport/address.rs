//! Where to connect and how to introduce ourselves: parsed from a Redis URL.
//!
//! Parsed here as redis-py parses it: a bench's URL must name the same server and database
//! for our workers as for its pure-Python ones.

use std::path::PathBuf;

use crate::errors::{CacheError, CacheResult};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

/// Parses a Redis URL as redis-py's `from_url` reads it (Frappe's workers build their client
/// from the same string): `redis://[[user]:password@]host[:port][/db]`, `rediss://...` (TLS)
/// and `unix://[[user]:password@]/path/to/redis.sock`, each with `?db=`, `?username=` and
/// `?password=`. As in redis-py, credentials in the URL win over the query, `?db=` over the
/// path, and the first of repeated query values counts. Unlike it, a database that is not a
/// number is an error rather than database 0, and `rediss://...?ssl_cert_reqs=none` (or
/// `#insecure`) skips the certificate check.
pub fn parse_url(url: &str) -> CacheResult<Address> {
    let bad = |why: &str| {
        CacheError::Config(format!(
            "invalid Redis URL {:?}: {why}; expected redis://[[user]:password@]host[:port][/db], \
             rediss://... or unix:///path/to/redis.sock[?db=N]",
            mask_password(url)
        ))
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad("it has no scheme"));
    };
    let (unix, tls) = match scheme.to_ascii_lowercase().as_str() {
        "redis" | "valkey" => (false, false),
        "rediss" | "valkeys" => (false, true),
        "unix" | "redis+unix" => (true, false),
        other => {
            return Err(bad(&format!(
                "the scheme must be redis://, rediss:// or unix://, not '{other}://'"
            )));
        }
    };
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
    let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));

    let params = query_params(query);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let nonempty = |text: String| (!text.is_empty()).then_some(text);
    let username = nonempty(percent_decode(user)).or_else(|| param("username"));
    let password = nonempty(percent_decode(pass)).or_else(|| param("password"));

    let target = if unix {
        if path.is_empty() {
            return Err(bad(
                "unix:// needs the socket's path, e.g. unix:///run/redis/redis.sock",
            ));
        }
        Target::Unix(PathBuf::from(percent_decode(path)))
    } else {
        let (host, port) = split_host_port(hostport).map_err(|why| bad(&why))?;
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        Target::Tcp {
            host: percent_decode(host),
            port,
        }
    };
    let path_db = (!unix)
        .then(|| percent_decode(path).replace('/', ""))
        .filter(|db| !db.is_empty());
    let db = match param("db").or(path_db) {
        None => 0,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(db) if db < 0 => {
                return Err(bad(&format!("the database number {db} is negative")));
            }
            Ok(db) => db,
            Err(_) => {
                return Err(bad(&format!("the database must be a number, not {text:?}")));
            }
        },
    };
    let insecure = tls
        && (fragment.eq_ignore_ascii_case("insecure")
            || param("ssl_cert_reqs").is_some_and(|v| v.eq_ignore_ascii_case("none")));
    Ok(Address {
        target,
        tls,
        insecure,
        username,
        password,
        db,
    })
}

/// `a=1&b=2` as Python's `parse_qs` reads it: `+` is a space, `%XX` escapes decoded, empty
/// values dropped, and the first of repeated names kept (redis-py takes `value[0]`).
fn query_params(query: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |t: &str| percent_decode(&t.replace('+', " "));
        let (k, v) = (decode(k), decode(v));
        if !v.is_empty() && !params.iter().any(|(seen, _)| *seen == k) {
            params.push((k, v));
        }
    }
    params
}

/// `host[:port]` or `[v6addr][:port]`; the port defaults to 6379.
fn split_host_port(hostport: &str) -> Result<(&str, u16), String> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err("an IPv6 address needs its closing ']'".into());
        };
        match after.strip_prefix(':') {
            Some(port) => (host, port),
            None if after.is_empty() => (host, ""),
            None => return Err(format!("unexpected {after:?} after the IPv6 address")),
        }
    } else {
        hostport.rsplit_once(':').unwrap_or((hostport, ""))
    };
    if port.is_empty() {
        return Ok((host, 6379));
    }
    match port.parse::<u16>() {
        Ok(port) if port > 0 => Ok((host, port)),
        _ => Err(format!(
            "the port must be a number from 1 to 65535, not {port:?}"
        )),
    }
}

/// `%XX` escapes decoded, as Python's `unquote` does (a malformed escape stays as written).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL with any password (in the credentials or as `?password=`) replaced by `***`, for
/// reprs and error messages.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let (authority, tail) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let mut out = format!("{scheme}://");
    match authority.rsplit_once('@') {
        Some((creds, host)) => {
            match creds.split_once(':') {
                Some((user, _)) => out.push_str(&format!("{user}:***@")),
                None => out.push_str("***@"),
            }
            out.push_str(host);
        }
        None => out.push_str(authority),
    }
    out.push_str(tail);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
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
            ("http://localhost", "the scheme must be redis://"),
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
    fn urls_are_read_as_redis_py_reads_them() {
        let a = parse_url("redis://:s3cret@127.0.0.1:13000?db=3").unwrap();
        assert_eq!((a.db, a.password.as_deref()), (3, Some("s3cret")));
        // ?db= wins over the path, the URL's credentials over the query
        let a = parse_url("redis://u:p%40ss@h/2?db=5&password=other&username=x").unwrap();
        assert_eq!(a.db, 5);
        assert_eq!(a.username.as_deref(), Some("u"));
        assert_eq!(a.password.as_deref(), Some("p@ss"));
        let a = parse_url("unix://:s3cret@/tmp/redis.sock?db=3").unwrap();
        assert_eq!(a.target, Target::Unix("/tmp/redis.sock".into()));
        assert_eq!((a.db, a.password.as_deref()), (3, Some("s3cret")));
        let a = parse_url("unix:///tmp/r.sock?db=2&password=a+b&db=9").unwrap();
        assert_eq!((a.db, a.password.as_deref()), (2, Some("a b")));
        let a = parse_url("redis://[::1]:7000").unwrap();
        assert_eq!(
            a.target,
            Target::Tcp {
                host: "::1".into(),
                port: 7000
            }
        );
        let a = parse_url("redis://cache").unwrap();
        assert_eq!(
            (a.target, a.db, a.password),
            (
                Target::Tcp {
                    host: "cache".into(),
                    port: 6379
                },
                0,
                None
            )
        );
        assert!(parse_url("rediss://h?ssl_cert_reqs=none").unwrap().insecure);
        assert!(parse_url("rediss://h#insecure").unwrap().insecure);
        assert!(!parse_url("rediss://h").unwrap().insecure);
        assert!(!parse_url("redis://h?ssl_cert_reqs=none").unwrap().insecure);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(mask_password("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(mask_password("redis://:pw@h"), "redis://:***@h");
        assert_eq!(mask_password("redis://h:1"), "redis://h:1");
        assert_eq!(
            mask_password("unix:///r.sock?db=1&password=pw"),
            "unix:///r.sock?db=1&password=***"
        );
    }
}
