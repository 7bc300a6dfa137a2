//! Redis Cluster: commands routed to the master that serves their key's hash slot.
//!
//! Keys are Frappe's, unchanged (no hash tags are added): one site's keys spread over every
//! slot, so no master becomes one site's hot spot, and pure-Python workers on a plain Redis use
//! the same keys. The slot map comes from `CLUSTER SLOTS`, asked of any known node; a `MOVED`
//! reply updates the map and sends the command on (it did not run), an `ASK` reply sends it
//! once to the named node after `ASKING`, `TRYAGAIN` waits a little. Each master gets its own
//! shared pipelined connection and pool, as a single Redis does.
//!
//! Multi-key commands are split by slot (`MGET`, `DEL`, `UNLINK`, `EXISTS`, `TOUCH`, `MSET`)
//! and their replies merged; `FLUSHALL`, `FLUSHDB`, `DBSIZE` and `KEYS` go to every master.
//! Pipelines are grouped by master, one round trip per master; a transaction (`MULTI`) must
//! keep to one slot. Other commands go to the master of their first key (or any master).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use redis::{Cmd, Value};

use super::address::{Address, Target};
use super::clock::now_ms;
use super::conn::Conn;
use super::deadline::Deadline;
use super::mux::Mux;
use super::pool::Pool;
use super::retry::{self, upper, words};
use crate::errors::{CacheError, CacheResult};

mod commands;

use commands::{
    Planned, Redirect, SLOTS, Shape, is_down, merge_all, merge_parts, redirect, shape, split,
};

const UNSERVED: u16 = u16::MAX;
/// Redirections followed for one command before giving up (a map in flux settles in one or two).
const MAX_REDIRECTS: usize = 5;
/// The slot map is asked for again at most this often, however many MOVED replies arrive.
const REFRESH_EVERY_MS: u64 = 50;

/// The nodes a wrapper was given (any of them tells the rest), with credentials and TLS.
#[derive(Debug)]
pub struct Cluster {
    pub seeds: Vec<Address>,
}

/// One master's connections.
pub struct Node {
    address: Address,
    shared: Mux<Conn>,
    pool: Pool,
}

/// Which master serves each slot.
#[derive(Default)]
struct SlotMap {
    /// Index into `masters` per slot; empty until first asked.
    owner: Vec<u16>,
    masters: Vec<Arc<Node>>,
}

/// One process's view of the cluster and its connections.
#[derive(Default)]
pub struct State {
    map: RwLock<Arc<SlotMap>>,
    nodes: Mutex<HashMap<Target, Arc<Node>>>,
    /// A node failed or the cluster said it is down: ask for the map before the next command.
    stale: AtomicBool,
    refreshed_ms: AtomicU64,
    refreshing: Mutex<()>,
}

/// A cluster, its process-local state and how to connect: what routing needs.
pub struct Router<'t> {
    pub cluster: &'t Cluster,
    pub state: &'t State,
    pub tls: Option<&'t Arc<rustls::ClientConfig>>,
    pub connect_timeout: Option<Duration>,
    pub max_connections: usize,
}

impl Router<'_> {
    fn node(&self, target: &Target) -> Arc<Node> {
        let mut nodes = self.state.nodes.lock();
        nodes
            .entry(target.clone())
            .or_insert_with(|| {
                Arc::new(Node {
                    address: Address {
                        target: target.clone(),
                        ..self.cluster.seeds[0].clone()
                    },
                    shared: Mux::new(),
                    pool: Pool::new(self.max_connections),
                })
            })
            .clone()
    }

    fn connect(&self, address: &Address, deadline: &Deadline<'_>) -> CacheResult<Conn> {
        Conn::connect(address, self.tls, &deadline.capped(self.connect_timeout))
    }

    /// Closes every node's idle connections.
    pub fn close(&self) {
        for node in self.state.nodes.lock().values() {
            node.shared.close();
            node.pool.close();
        }
    }

    fn map(&self, deadline: &Deadline<'_>) -> CacheResult<Arc<SlotMap>> {
        let current = self.state.map.read().clone();
        if current.owner.is_empty() || self.state.stale.load(Ordering::Acquire) {
            return self.refresh(deadline).or_else(|e| {
                // A map we have beats none while the cluster is in flux.
                if current.owner.is_empty() {
                    Err(e)
                } else {
                    Ok(current)
                }
            });
        }
        Ok(current)
    }

    /// Asks the known masters, then the seeds, for `CLUSTER SLOTS`; the first answer wins.
    fn refresh(&self, deadline: &Deadline<'_>) -> CacheResult<Arc<SlotMap>> {
        let _one_at_a_time = self.state.refreshing.lock();
        let recent = now_ms().saturating_sub(self.state.refreshed_ms.load(Ordering::Acquire));
        let current = self.state.map.read().clone();
        if !current.owner.is_empty() && recent < REFRESH_EVERY_MS {
            return Ok(current);
        }
        let mut candidates: Vec<Address> =
            current.masters.iter().map(|n| n.address.clone()).collect();
        candidates.extend(self.cluster.seeds.iter().cloned());
        let mut failures = Vec::new();
        for address in &candidates {
            let asked = self
                .connect(address, deadline)
                .and_then(|mut conn| conn.query(redis::cmd("CLUSTER").arg("SLOTS"), deadline));
            match asked.and_then(|reply| self.build(reply, address)) {
                Ok(map) => {
                    let map = Arc::new(map);
                    *self.state.map.write() = map.clone();
                    self.state.stale.store(false, Ordering::Release);
                    self.state.refreshed_ms.store(now_ms(), Ordering::Release);
                    return Ok(map);
                }
                Err(e) => failures.push(format!("{}: {e}", address.describe())),
            }
            deadline.check()?;
        }
        Err(CacheError::connection(format!(
            "Redis Cluster: no node answered CLUSTER SLOTS ({})",
            failures.join("; ")
        )))
    }

    /// A slot map from a `CLUSTER SLOTS` reply: `[[start, end, [host, port, ...], replicas...]]`.
    fn build(&self, reply: Value, asked: &Address) -> CacheResult<SlotMap> {
        let bad = || CacheError::connection("Redis Cluster: a malformed CLUSTER SLOTS reply");
        let Value::Array(ranges) = reply else {
            return Err(bad());
        };
        let mut map = SlotMap {
            owner: vec![UNSERVED; SLOTS],
            masters: Vec::new(),
        };
        let mut index: HashMap<Target, u16> = HashMap::new();
        for range in ranges {
            let Value::Array(parts) = range else {
                return Err(bad());
            };
            let (Some(Value::Int(start)), Some(Value::Int(end)), Some(Value::Array(master))) =
                (parts.first(), parts.get(1), parts.get(2))
            else {
                return Err(bad());
            };
            let host = match master.first() {
                Some(Value::BulkString(h)) => String::from_utf8_lossy(h).into_owned(),
                _ => return Err(bad()),
            };
            let Some(Value::Int(port)) = master.get(1) else {
                return Err(bad());
            };
            // An empty or unknown endpoint means "the node you asked".
            let host = match (host.as_str(), &asked.target) {
                ("" | "?", Target::Tcp { host, .. }) => host.clone(),
                _ => host,
            };
            let target = Target::Tcp {
                host,
                port: u16::try_from(*port).map_err(|_| bad())?,
            };
            let next = u16::try_from(map.masters.len()).map_err(|_| bad())?;
            let at = *index.entry(target.clone()).or_insert_with(|| {
                map.masters.push(self.node(&target));
                next
            });
            let (start, end) = (
                usize::try_from(*start).map_err(|_| bad())?,
                usize::try_from(*end).map_err(|_| bad())?,
            );
            if start > end || end >= SLOTS {
                return Err(bad());
            }
            map.owner[start..=end].fill(at);
        }
        if map.masters.is_empty() {
            return Err(bad());
        }
        Ok(map)
    }

    fn owner(&self, slot: u16, deadline: &Deadline<'_>) -> CacheResult<Arc<Node>> {
        let map = self.map(deadline)?;
        match map.owner.get(usize::from(slot)) {
            Some(&at) if at != UNSERVED => Ok(map.masters[usize::from(at)].clone()),
            _ => {
                self.state.stale.store(true, Ordering::Release);
                Err(CacheError::connection(format!(
                    "Redis Cluster: no master serves slot {slot} (is the cluster down?)"
                )))
            }
        }
    }

    fn any_master(&self, deadline: &Deadline<'_>) -> CacheResult<Arc<Node>> {
        let map = self.map(deadline)?;
        map.masters
            .first()
            .cloned()
            .ok_or_else(|| CacheError::connection("Redis Cluster: no master known"))
    }

    /// `MOVED slot target`: the slot is served there now.
    fn moved(&self, slot: u16, target: &Target) {
        let node = self.node(target);
        let mut map = self.state.map.write();
        let mut next = SlotMap {
            owner: map.owner.clone(),
            masters: map.masters.clone(),
        };
        let at = match next.masters.iter().position(|n| Arc::ptr_eq(n, &node)) {
            Some(at) => at,
            None => {
                next.masters.push(node);
                next.masters.len() - 1
            }
        };
        if let (Some(owner), Ok(at)) = (next.owner.get_mut(usize::from(slot)), u16::try_from(at)) {
            *owner = at;
        }
        *map = Arc::new(next);
        // Other slots probably moved too (a resharding): ask for the whole map soon.
        self.state.stale.store(true, Ordering::Release);
    }

    /// One command on `node`: its shared connection, or (`exclusive`) a pooled one.
    fn send(
        &self,
        node: &Node,
        cmd: &Cmd,
        exclusive: bool,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Value> {
        let connect = |d: &Deadline<'_>| self.connect(&node.address, d);
        let idempotent = retry::idempotent(cmd);
        if exclusive {
            node.pool
                .run(idempotent, deadline, &connect, &mut |conn, d| {
                    conn.send(&cmd.get_packed_command(), d)
                        .map_err(|f| f.error)?;
                    conn.recv(d)
                })
        } else {
            node.shared.query_raw(cmd, idempotent, deadline, &connect)
        }
    }

    /// `ASKING` and the command on one connection of `node` (the flag lasts one command).
    fn asking(&self, node: &Node, cmd: &Cmd, deadline: &Deadline<'_>) -> CacheResult<Value> {
        let connect = |d: &Deadline<'_>| self.connect(&node.address, d);
        let mut packed = redis::cmd("ASKING").get_packed_command();
        packed.extend_from_slice(&cmd.get_packed_command());
        node.pool.run(false, deadline, &connect, &mut |conn, d| {
            conn.send(&packed, d).map_err(|f| f.error)?;
            conn.recv(d)?;
            conn.recv(d)
        })
    }

    /// One command to the master of `slot` (any master for `None`), following redirections.
    /// An error reply is returned as the `Value::ServerError` it is.
    fn exec_one(
        &self,
        slot: Option<u16>,
        cmd: &Cmd,
        exclusive: bool,
        deadline: &Deadline<'_>,
    ) -> CacheResult<Value> {
        let mut node = match slot {
            Some(s) => self.owner(s, deadline)?,
            None => self.any_master(deadline)?,
        };
        let mut ask = false;
        for _ in 0..=MAX_REDIRECTS {
            let reply = if ask {
                self.asking(&node, cmd, deadline)
            } else {
                self.send(&node, cmd, exclusive, deadline)
            };
            ask = false;
            let reply = match reply {
                Ok(reply) => reply,
                Err(e) => {
                    if e.is_connection() || matches!(e, CacheError::Timeout(_)) {
                        self.state.stale.store(true, Ordering::Release);
                    }
                    return Err(e);
                }
            };
            match redirect(&reply) {
                Some(Redirect::Moved(slot, target)) => {
                    self.moved(slot, &target);
                    node = self.node(&target);
                }
                Some(Redirect::Ask(target)) => {
                    node = self.node(&target);
                    ask = true;
                }
                Some(Redirect::TryAgain) => {
                    let left = deadline.remaining().unwrap_or(Duration::MAX);
                    thread::sleep(Duration::from_millis(10).min(left));
                    deadline.check()?;
                }
                None => {
                    if is_down(&reply) {
                        self.state.stale.store(true, Ordering::Release);
                    }
                    return Ok(reply);
                }
            }
        }
        Err(CacheError::connection(format!(
            "Redis Cluster: more than {MAX_REDIRECTS} redirections for one command (the slot \
             map keeps changing)"
        )))
    }

    /// Commands to their masters, one pipelined round trip per master; a redirected reply is
    /// followed on its own. Replies in the order of `cmds`.
    fn exec_many(
        &self,
        cmds: &[(Option<u16>, Cmd)],
        deadline: &Deadline<'_>,
    ) -> CacheResult<Vec<Value>> {
        let mut groups: Vec<(Arc<Node>, Vec<usize>)> = Vec::new();
        for (i, (slot, _)) in cmds.iter().enumerate() {
            let node = match slot {
                Some(s) => self.owner(*s, deadline)?,
                None => self.any_master(deadline)?,
            };
            match groups.iter_mut().find(|(n, _)| Arc::ptr_eq(n, &node)) {
                Some((_, members)) => members.push(i),
                None => groups.push((node, vec![i])),
            }
        }
        let mut replies: Vec<Option<Value>> = vec![None; cmds.len()];
        for (node, members) in &groups {
            let mut packed = Vec::new();
            for &i in members {
                packed.extend_from_slice(&cmds[i].1.get_packed_command());
            }
            let idempotent = members.iter().all(|&i| retry::idempotent(&cmds[i].1));
            let connect = |d: &Deadline<'_>| self.connect(&node.address, d);
            let got = node
                .pool
                .run(idempotent, deadline, &connect, &mut |conn, d| {
                    conn.send(&packed, d).map_err(|f| f.error)?;
                    members
                        .iter()
                        .map(|_| conn.recv(d))
                        .collect::<CacheResult<Vec<_>>>()
                })
                .inspect_err(|_| self.state.stale.store(true, Ordering::Release))?;
            for (&i, reply) in members.iter().zip(got) {
                replies[i] = Some(reply);
            }
        }
        let mut out = Vec::with_capacity(cmds.len());
        for ((slot, cmd), reply) in cmds.iter().zip(replies) {
            let reply = reply.unwrap_or(Value::Nil);
            out.push(if redirect(&reply).is_some() {
                self.exec_one(*slot, cmd, true, deadline)?
            } else {
                reply
            });
        }
        Ok(out)
    }

    /// One command, routed by its keys (split and merged if they span slots). An error reply
    /// is returned as the `Value::ServerError` it is.
    pub fn query(&self, cmd: &Cmd, exclusive: bool, deadline: &Deadline<'_>) -> CacheResult<Value> {
        match shape(cmd) {
            Shape::Keyless => self.exec_one(None, cmd, exclusive, deadline),
            Shape::Slot(slot) => self.exec_one(Some(slot), cmd, exclusive, deadline),
            Shape::Split { step, merge } => {
                let parts = split(cmd, step);
                if parts.len() == 1 {
                    return self.exec_one(Some(parts[0].slot), cmd, exclusive, deadline);
                }
                let cmds: Vec<(Option<u16>, Cmd)> = parts
                    .iter()
                    .map(|p| (Some(p.slot), p.cmd.clone()))
                    .collect();
                let replies = self.exec_many(&cmds, deadline)?;
                Ok(merge_parts(merge, &parts, replies))
            }
            Shape::Everywhere(merge) => {
                let masters = self.map(deadline)?.masters.clone();
                let mut replies = Vec::with_capacity(masters.len());
                for node in &masters {
                    replies.push(self.send(node, cmd, true, deadline)?);
                }
                Ok(merge_all(merge, replies))
            }
        }
    }

    /// A pipeline: each command routed (multi-key ones split), one round trip per master,
    /// replies in order. A transaction (`MULTI` ... `EXEC`) goes whole to the master of its
    /// one slot.
    pub fn pipeline(&self, cmds: &[&Cmd], deadline: &Deadline<'_>) -> CacheResult<Vec<Value>> {
        let transaction = cmds.iter().any(|c| {
            let mut buf = [0u8; 16];
            words(c).next().and_then(|w| upper(w, &mut buf)) == Some(b"MULTI".as_slice())
        });
        if transaction {
            return self.transaction(cmds, deadline);
        }
        let mut flat: Vec<(Option<u16>, Cmd)> = Vec::new();
        let mut plan: Vec<Planned> = Vec::new();
        for cmd in cmds {
            let start = flat.len();
            match shape(cmd) {
                Shape::Keyless | Shape::Everywhere(_) => flat.push((None, (*cmd).clone())),
                Shape::Slot(slot) => flat.push((Some(slot), (*cmd).clone())),
                Shape::Split { step, merge } => {
                    let parts = split(cmd, step);
                    if parts.len() == 1 {
                        flat.push((Some(parts[0].slot), (*cmd).clone()));
                    } else {
                        flat.extend(parts.iter().map(|p| (Some(p.slot), p.cmd.clone())));
                        plan.push((start..flat.len(), Some((merge, parts))));
                        continue;
                    }
                }
            }
            plan.push((start..flat.len(), None));
        }
        let mut replies = self.exec_many(&flat, deadline)?.into_iter();
        let mut out = Vec::with_capacity(cmds.len());
        for (range, merging) in plan {
            let mine: Vec<Value> = replies.by_ref().take(range.len()).collect();
            out.push(match merging {
                Some((merge, parts)) => merge_parts(merge, &parts, mine),
                None => mine.into_iter().next().unwrap_or(Value::Nil),
            });
        }
        Ok(out)
    }

    fn transaction(&self, cmds: &[&Cmd], deadline: &Deadline<'_>) -> CacheResult<Vec<Value>> {
        let mut slot = None;
        for cmd in cmds {
            let keys = match shape(cmd) {
                Shape::Slot(s) => vec![s],
                Shape::Split { step, .. } => split(cmd, step).iter().map(|p| p.slot).collect(),
                Shape::Everywhere(_) => {
                    return Err(CacheError::Response(
                        crate::errors::Reply::Plain,
                        "CROSSSLOT a transaction on Redis Cluster cannot run FLUSHALL, FLUSHDB, \
                         DBSIZE or KEYS"
                            .into(),
                    ));
                }
                Shape::Keyless => vec![],
            };
            for s in keys {
                if *slot.get_or_insert(s) != s {
                    return Err(CacheError::Response(
                        crate::errors::Reply::Plain,
                        "CROSSSLOT a transaction's keys must all be in one hash slot on Redis \
                         Cluster; use pipeline(transaction=False), or keys with one {hash tag}"
                            .into(),
                    ));
                }
            }
        }
        let node = match slot {
            Some(s) => self.owner(s, deadline)?,
            None => self.any_master(deadline)?,
        };
        let mut packed = Vec::new();
        for cmd in cmds {
            packed.extend_from_slice(&cmd.get_packed_command());
        }
        let connect = |d: &Deadline<'_>| self.connect(&node.address, d);
        let idempotent = retry::pipeline(cmds.iter().copied());
        let replies = node
            .pool
            .run(idempotent, deadline, &connect, &mut |conn, d| {
                conn.send(&packed, d).map_err(|f| f.error)?;
                cmds.iter()
                    .map(|_| conn.recv(d))
                    .collect::<CacheResult<Vec<_>>>()
            })?;
        if replies.iter().any(|r| redirect(r).is_some()) {
            // Nothing ran (EXEC aborts on a queued command's redirection): learn the new map.
            self.state.stale.store(true, Ordering::Release);
        }
        Ok(replies)
    }

    /// Runs `work` on a pooled connection of every master, in turn.
    pub fn each_master<T>(
        &self,
        deadline: &Deadline<'_>,
        mut work: impl FnMut(&mut Conn, &Deadline<'_>) -> CacheResult<T>,
    ) -> CacheResult<Vec<T>> {
        let masters = self.map(deadline)?.masters.clone();
        let mut out = Vec::with_capacity(masters.len());
        for node in &masters {
            let connect = |d: &Deadline<'_>| self.connect(&node.address, d);
            out.push(
                node.pool
                    .run(true, deadline, &connect, &mut work)
                    .inspect_err(|_| self.state.stale.store(true, Ordering::Release))?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i64) -> Value {
        Value::Int(n)
    }

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    fn seed(host: &str, port: u16) -> Address {
        Address {
            target: Target::Tcp {
                host: host.into(),
                port,
            },
            tls: false,
            insecure: false,
            username: None,
            password: Some("pw".into()),
            db: 0,
        }
    }

    fn router<'t>(cluster: &'t Cluster, state: &'t State) -> Router<'t> {
        Router {
            cluster,
            state,
            tls: None,
            connect_timeout: None,
            max_connections: 4,
        }
    }

    #[test]
    fn a_slot_map_is_built_from_cluster_slots_and_unknown_hosts_are_the_asked_node() {
        let cluster = Cluster {
            seeds: vec![seed("10.0.0.9", 7000)],
        };
        let state = State::default();
        let router = router(&cluster, &state);
        let reply = Value::Array(vec![
            Value::Array(vec![
                int(0),
                int(8000),
                Value::Array(vec![bulk("10.0.0.1"), int(7001), bulk("id1")]),
            ]),
            Value::Array(vec![
                int(8001),
                int(16383),
                Value::Array(vec![bulk(""), int(7002), bulk("id2")]),
            ]),
        ]);
        let map = router
            .build(reply, &cluster.seeds[0])
            .expect("a valid reply");
        assert_eq!(map.masters.len(), 2);
        let owner = |slot: usize| map.masters[usize::from(map.owner[slot])].address.clone();
        assert_eq!(owner(0).describe(), "10.0.0.1:7001");
        assert_eq!(owner(8000).describe(), "10.0.0.1:7001");
        // "" is the node that was asked; credentials come from the seeds.
        assert_eq!(owner(16383).describe(), "10.0.0.9:7002");
        assert_eq!(owner(16383).password.as_deref(), Some("pw"));
        // A slot outside every range, a range past the end, and a non-array: refused.
        let partial = Value::Array(vec![Value::Array(vec![
            int(0),
            int(100),
            Value::Array(vec![bulk("h"), int(1)]),
        ])]);
        let map = router
            .build(partial, &cluster.seeds[0])
            .expect("a partial map is a map");
        assert_eq!(map.owner[101], UNSERVED);
        let past = Value::Array(vec![Value::Array(vec![
            int(0),
            int(16384),
            Value::Array(vec![bulk("h"), int(1)]),
        ])]);
        assert!(router.build(past, &cluster.seeds[0]).is_err());
        assert!(router.build(Value::Nil, &cluster.seeds[0]).is_err());
    }

    #[test]
    fn moved_points_the_slot_at_its_new_master_and_asks_for_the_whole_map() {
        let cluster = Cluster {
            seeds: vec![seed("h", 1)],
        };
        let state = State::default();
        let router = router(&cluster, &state);
        let reply = Value::Array(vec![Value::Array(vec![
            int(0),
            int(16383),
            Value::Array(vec![bulk("a"), int(1)]),
        ])]);
        *state.map.write() = Arc::new(router.build(reply, &cluster.seeds[0]).expect("valid"));
        let b = Target::Tcp {
            host: "b".into(),
            port: 2,
        };
        router.moved(42, &b);
        let map = state.map.read().clone();
        assert_eq!(map.masters[usize::from(map.owner[42])].address.target, b);
        assert_eq!(
            map.masters[usize::from(map.owner[43])].address.describe(),
            "a:1"
        );
        assert!(state.stale.load(Ordering::Acquire));
    }
}
