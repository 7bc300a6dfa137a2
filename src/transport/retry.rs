//! Which commands may be sent again after their connection broke before the reply came.
//!
//! Such a command may have run: sending it again is only right when running it twice leaves
//! what running it once does (GET, SET, HSET, DEL/UNLINK, EXPIRE, ...). `LPUSH`, `RPUSH`,
//! `INCR(BY)`, `LPOP`, `RPOP`, `SPOP`, `PUBLISH`, a `SET` with `NX`/`XX`/`GET` and any command
//! not known here are never sent twice: their caller gets a connection error instead.

use redis::{Arg, Cmd};

/// Commands whose second run changes nothing (reads, and writes of a fixed state).
const IDEMPOTENT: &[&[u8]] = &[
    // reads
    b"GET",
    b"MGET",
    b"STRLEN",
    b"GETRANGE",
    b"EXISTS",
    b"TYPE",
    b"TTL",
    b"PTTL",
    b"EXPIRETIME",
    b"PEXPIRETIME",
    b"DBSIZE",
    b"KEYS",
    b"SCAN",
    b"SSCAN",
    b"HSCAN",
    b"ZSCAN",
    b"RANDOMKEY",
    b"PING",
    b"ECHO",
    b"INFO",
    b"TIME",
    b"HGET",
    b"HGETALL",
    b"HMGET",
    b"HKEYS",
    b"HVALS",
    b"HLEN",
    b"HEXISTS",
    b"HSTRLEN",
    b"LLEN",
    b"LRANGE",
    b"LINDEX",
    b"LPOS",
    b"SMEMBERS",
    b"SISMEMBER",
    b"SMISMEMBER",
    b"SCARD",
    b"SRANDMEMBER",
    b"SINTER",
    b"SUNION",
    b"SDIFF",
    b"ZRANGE",
    b"ZSCORE",
    b"ZCARD",
    b"ZRANK",
    b"ZREVRANK",
    b"ZCOUNT",
    b"ZRANGEBYSCORE",
    b"ZREVRANGE",
    b"GETBIT",
    b"BITCOUNT",
    b"PFCOUNT",
    b"OBJECT",
    b"MEMORY",
    // writes of a fixed state
    b"SETEX",
    b"PSETEX",
    b"MSET",
    b"SETRANGE",
    b"HSET",
    b"HMSET",
    b"HDEL",
    b"DEL",
    b"UNLINK",
    b"EXPIRE",
    b"PEXPIRE",
    b"EXPIREAT",
    b"PEXPIREAT",
    b"PERSIST",
    b"LSET",
    b"LTRIM",
    b"SADD",
    b"SREM",
    b"ZREM",
    b"FLUSHDB",
    b"FLUSHALL",
    b"SELECT",
    // a transaction's frame: what it holds decides (see `pipeline`)
    b"MULTI",
    b"EXEC",
    b"DISCARD",
];

pub(super) fn words(cmd: &Cmd) -> impl Iterator<Item = &[u8]> {
    cmd.args_iter().filter_map(|a| match a {
        Arg::Simple(bytes) => Some(bytes),
        _ => None,
    })
}

/// `word` in upper case, in `buf` (no allocation on the per-command path); `None` if longer.
pub(super) fn upper<'b>(word: &[u8], buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    out.copy_from_slice(word);
    out.make_ascii_uppercase();
    Some(out)
}

/// Whether `cmd` may be sent again after a broken connection left its outcome unknown.
pub fn idempotent(cmd: &Cmd) -> bool {
    let mut words = words(cmd);
    let mut buf = [0u8; 16];
    let Some(name) = words.next().and_then(|w| upper(w, &mut buf)) else {
        return false;
    };
    match name {
        // The wrapper's own commands first: decided without a search.
        b"GET" | b"HGET" | b"HSET" | b"UNLINK" | b"EXISTS" | b"HGETALL" => true,
        b"SET" => {
            // SET k v [EX ..] is a fixed state; NX, XX and GET make the reply depend on what
            // was there, which a first run may have changed.
            let mut option = [0u8; 16];
            words
                .skip(2)
                .all(|w| !matches!(upper(w, &mut option), Some(b"NX" | b"XX" | b"GET")))
        }
        other => IDEMPOTENT.contains(&other),
    }
}

/// Whether every command of a pipeline may be sent again.
pub fn pipeline<'a>(mut cmds: impl Iterator<Item = &'a Cmd>) -> bool {
    cmds.all(idempotent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(words: &[&str]) -> Cmd {
        let mut c = redis::cmd(words[0]);
        for w in &words[1..] {
            c.arg(*w);
        }
        c
    }

    #[test]
    fn reads_and_fixed_writes_may_run_twice() {
        for words in [
            &["GET", "k"][..],
            &["set", "k", "v"],
            &["SET", "k", "v", "EX", "10"],
            &["HSET", "h", "f", "v"],
            &["UNLINK", "a", "b"],
            &["EXPIRE", "k", "5"],
            &["SCAN", "0"],
        ] {
            assert!(idempotent(&cmd(words)), "{words:?}");
        }
    }

    #[test]
    fn counters_pushes_pops_and_conditional_sets_never_run_twice() {
        for words in [
            &["INCR", "n"][..],
            &["INCRBY", "n", "2"],
            &["LPUSH", "l", "x"],
            &["RPUSH", "l", "x"],
            &["LPOP", "l"],
            &["SPOP", "s"],
            &["PUBLISH", "c", "m"],
            &["SET", "k", "v", "NX"],
            &["SET", "k", "v", "get"],
            &["EVAL", "return 1", "0"],
            &["SOMETHINGNEW"],
        ] {
            assert!(!idempotent(&cmd(words)), "{words:?}");
        }
        assert!(!pipeline([cmd(&["GET", "k"]), cmd(&["INCR", "n"])].iter()));
        assert!(pipeline(
            [cmd(&["MULTI"]), cmd(&["DEL", "k"]), cmd(&["EXEC"])].iter()
        ));
    }
}
