//! What Redis Cluster routing needs to know of a command: its key's hash slot, where its keys
//! are (one key, several to split by slot, none), how split replies merge back, and which error
//! replies redirect it. Pure functions, tested here without a server.

use redis::{Cmd, Value};

use super::super::address::Target;
use super::super::retry::{upper, words};

pub const SLOTS: usize = 16384;

/// CRC16/XMODEM, the checksum Redis Cluster hashes keys with, as a table built at compile time.
const CRC16: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// The hash slot of `key`, as Redis computes it (the part between the first `{` and the next
/// `}` if that is not empty, else the whole key).
pub fn slot(key: &[u8]) -> u16 {
    let hashed = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    let crc = hashed.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ CRC16[usize::from(((crc >> 8) as u8) ^ b)]
    });
    crc % SLOTS as u16
}

/// How a command's keys decide where it goes.
pub(super) enum Shape {
    /// No key: any master.
    Keyless,
    Slot(u16),
    /// Keys from argument 1 on, `step` arguments apart, split by slot and merged.
    Split {
        step: usize,
        merge: Merge,
    },
    /// Every master, merged.
    Everywhere(Merge),
}

#[derive(Clone, Copy)]
pub(super) enum Merge {
    /// Integer replies added (DEL, UNLINK, EXISTS, TOUCH, DBSIZE).
    Sum,
    /// Array replies put back in the order of the keys (MGET).
    InOrder,
    /// Array replies joined (KEYS).
    Concat,
    /// OK from every part (MSET, FLUSHALL).
    AllOk,
}

const KEYLESS: &[&[u8]] = &[
    b"PING",
    b"ECHO",
    b"TIME",
    b"INFO",
    b"CLIENT",
    b"CONFIG",
    b"CLUSTER",
    b"COMMAND",
    b"SELECT",
    b"AUTH",
    b"HELLO",
    b"ROLE",
    b"WAIT",
    b"SCAN",
    b"RANDOMKEY",
    b"PUBLISH",
    b"SCRIPT",
    b"FUNCTION",
    b"ACL",
    b"LASTSAVE",
    b"SLOWLOG",
    b"LATENCY",
    b"MULTI",
    b"EXEC",
    b"DISCARD",
    b"UNWATCH",
    b"PUBSUB",
];

pub(super) fn shape(cmd: &Cmd) -> Shape {
    let mut args = words(cmd);
    let mut buf = [0u8; 16];
    let Some(name) = args.next().and_then(|w| upper(w, &mut buf)) else {
        return Shape::Keyless;
    };
    let split = |merge| Shape::Split { step: 1, merge };
    match name {
        b"MGET" => return split(Merge::InOrder),
        b"DEL" | b"UNLINK" | b"EXISTS" | b"TOUCH" => return split(Merge::Sum),
        b"MSET" => {
            return Shape::Split {
                step: 2,
                merge: Merge::AllOk,
            };
        }
        b"FLUSHALL" | b"FLUSHDB" => return Shape::Everywhere(Merge::AllOk),
        b"DBSIZE" => return Shape::Everywhere(Merge::Sum),
        b"KEYS" => return Shape::Everywhere(Merge::Concat),
        _ => {}
    }
    if KEYLESS.contains(&name) {
        return Shape::Keyless;
    }
    let key = match name {
        // A subcommand first: OBJECT ENCODING key, MEMORY USAGE key, XINFO STREAM key.
        b"OBJECT" | b"MEMORY" | b"XINFO" | b"XGROUP" => args.nth(1),
        // EVAL script numkeys key...: keyless when numkeys is 0.
        b"EVAL" | b"EVALSHA" | b"EVAL_RO" | b"EVALSHA_RO" | b"FCALL" | b"FCALL_RO" => {
            match args.nth(1) {
                Some(b"0") | None => None,
                Some(_) => args.next(),
            }
        }
        _ => args.next(),
    };
    key.map_or(Shape::Keyless, |k| Shape::Slot(slot(k)))
}

/// Where a reply sends the command instead.
pub(super) enum Redirect {
    Moved(u16, Target),
    Ask(Target),
    TryAgain,
}

pub(super) fn redirect(reply: &Value) -> Option<Redirect> {
    let Value::ServerError(e) = reply else {
        return None;
    };
    let target = |detail: Option<&str>| -> Option<(u16, Target)> {
        let (slot, at) = detail?.split_once(' ')?;
        let (host, port) = at.rsplit_once(':')?;
        Some((
            slot.parse().ok()?,
            Target::Tcp {
                host: host.to_string(),
                port: port.parse().ok()?,
            },
        ))
    };
    match e.code() {
        "MOVED" => target(e.details()).map(|(s, t)| Redirect::Moved(s, t)),
        "ASK" => target(e.details()).map(|(_, t)| Redirect::Ask(t)),
        "TRYAGAIN" => Some(Redirect::TryAgain),
        _ => None,
    }
}

pub(super) fn is_down(reply: &Value) -> bool {
    matches!(reply, Value::ServerError(e) if e.code() == "CLUSTERDOWN")
}

/// Per command of a pipeline: its replies' place among the routed commands, and how to merge
/// them (`None`: one reply, as is).
pub(super) type Planned = (std::ops::Range<usize>, Option<(Merge, Vec<Part>)>);

/// One slot's share of a multi-key command: the command, and where its keys were.
pub(super) struct Part {
    pub(super) slot: u16,
    pub(super) cmd: Cmd,
    pub(super) positions: Vec<usize>,
}

/// `cmd`'s keys (from argument 1, each `step` arguments long) grouped by slot, first seen first.
pub(super) fn split(cmd: &Cmd, step: usize) -> Vec<Part> {
    let args: Vec<&[u8]> = words(cmd).collect();
    let Some((name, rest)) = args.split_first() else {
        return Vec::new();
    };
    let mut parts: Vec<Part> = Vec::new();
    for (position, group) in rest.chunks(step).enumerate() {
        let s = slot(group[0]);
        let at = match parts.iter().position(|p| p.slot == s) {
            Some(at) => at,
            None => {
                parts.push(Part {
                    slot: s,
                    cmd: redis::cmd(&String::from_utf8_lossy(name)),
                    positions: Vec::new(),
                });
                parts.len() - 1
            }
        };
        for arg in group {
            parts[at].cmd.arg(*arg);
        }
        parts[at].positions.push(position);
    }
    parts
}

fn first_error(replies: &[Value]) -> Option<Value> {
    replies
        .iter()
        .find(|r| matches!(r, Value::ServerError(_)))
        .cloned()
}

pub(super) fn merge_parts(merge: Merge, parts: &[Part], replies: Vec<Value>) -> Value {
    if let Some(error) = first_error(&replies) {
        return error;
    }
    match merge {
        Merge::InOrder => {
            let total = parts.iter().map(|p| p.positions.len()).sum();
            let mut out = vec![Value::Nil; total];
            for (part, reply) in parts.iter().zip(replies) {
                if let Value::Array(values) = reply {
                    for (&at, value) in part.positions.iter().zip(values) {
                        if let Some(slot) = out.get_mut(at) {
                            *slot = value;
                        }
                    }
                }
            }
            Value::Array(out)
        }
        other => merge_all(other, replies),
    }
}

pub(super) fn merge_all(merge: Merge, replies: Vec<Value>) -> Value {
    if let Some(error) = first_error(&replies) {
        return error;
    }
    match merge {
        Merge::Sum => Value::Int(
            replies
                .iter()
                .map(|r| if let Value::Int(n) = r { *n } else { 0 })
                .sum(),
        ),
        Merge::Concat | Merge::InOrder => Value::Array(
            replies
                .into_iter()
                .flat_map(|r| match r {
                    Value::Array(v) => v,
                    _ => Vec::new(),
                })
                .collect(),
        ),
        Merge::AllOk => Value::Okay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_the_ones_redis_computes() {
        // Known values (CLUSTER KEYSLOT on a Redis 7 server).
        assert_eq!(slot(b"foo"), 12182);
        assert_eq!(slot(b"123456789"), 12739);
        assert_eq!(slot(b""), 0);
        // Hash tags: the first {...} with something inside.
        assert_eq!(slot(b"{user1000}.following"), slot(b"user1000"));
        assert_eq!(slot(b"foo{}{bar}"), slot(b"foo{}{bar}"));
        assert_ne!(slot(b"foo{}{bar}"), slot(b"bar"));
        assert_eq!(slot(b"foo{{bar}}zap"), slot(b"{bar"));
        assert_eq!(slot(b"foo{bar}{zap}"), slot(b"bar"));
    }

    fn cmd(words: &[&str]) -> Cmd {
        let mut c = redis::cmd(words[0]);
        for w in &words[1..] {
            c.arg(*w);
        }
        c
    }

    #[test]
    fn commands_go_by_their_keys() {
        assert!(matches!(shape(&cmd(&["GET", "foo"])), Shape::Slot(12182)));
        assert!(matches!(
            shape(&cmd(&["set", "foo", "1"])),
            Shape::Slot(12182)
        ));
        assert!(matches!(shape(&cmd(&["PING"])), Shape::Keyless));
        assert!(matches!(
            shape(&cmd(&["OBJECT", "ENCODING", "foo"])),
            Shape::Slot(12182)
        ));
        assert!(matches!(
            shape(&cmd(&["EVAL", "return 1", "0"])),
            Shape::Keyless
        ));
        assert!(matches!(
            shape(&cmd(&["EVAL", "s", "1", "foo"])),
            Shape::Slot(12182)
        ));
        assert!(matches!(
            shape(&cmd(&["UNLINK", "a", "b"])),
            Shape::Split { step: 1, .. }
        ));
        assert!(matches!(
            shape(&cmd(&["MSET", "a", "1"])),
            Shape::Split { step: 2, .. }
        ));
        assert!(matches!(shape(&cmd(&["FLUSHALL"])), Shape::Everywhere(_)));
    }

    #[test]
    fn split_keeps_each_keys_place_and_merges_back() {
        let keys = ["a", "b", "c", "{a}x", "d"];
        let mut words = vec!["MGET"];
        words.extend(keys);
        let parts = split(&cmd(&words), 1);
        // {a}x hashes with a.
        let with_a = parts
            .iter()
            .find(|p| p.positions.contains(&0))
            .map(|p| &p.positions);
        assert_eq!(with_a, Some(&vec![0, 3]));
        assert_eq!(parts.iter().map(|p| p.positions.len()).sum::<usize>(), 5);
        // Each part answers with its keys' names: the merge puts them back in order.
        let replies = parts
            .iter()
            .map(|p| {
                Value::Array(
                    p.positions
                        .iter()
                        .map(|&i| Value::BulkString(keys[i].as_bytes().to_vec()))
                        .collect(),
                )
            })
            .collect();
        let merged = merge_parts(Merge::InOrder, &parts, replies);
        let expected = Value::Array(
            keys.iter()
                .map(|k| Value::BulkString(k.as_bytes().to_vec()))
                .collect(),
        );
        assert_eq!(merged, expected);
        let mset = split(&cmd(&["MSET", "a", "1", "b", "2", "{a}x", "3"]), 2);
        assert_eq!(mset.iter().map(|p| p.positions.len()).sum::<usize>(), 3);
        assert_eq!(
            merge_all(Merge::Sum, vec![Value::Int(2), Value::Int(3)]),
            Value::Int(5)
        );
    }

    #[test]
    fn redirections_are_read_from_error_replies() {
        let parsed =
            super::super::super::resp::Parser::default().step(b"-MOVED 3999 127.0.0.1:6381\r\n");
        let Ok((super::super::super::resp::Step::Reply(moved), _)) = parsed else {
            panic!("the reader did not read an error reply");
        };
        match redirect(&moved) {
            Some(Redirect::Moved(3999, Target::Tcp { host, port })) => {
                assert_eq!((host.as_str(), port), ("127.0.0.1", 6381));
            }
            _ => panic!("MOVED not read"),
        }
    }
}
