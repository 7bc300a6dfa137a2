//! One connection shared by every thread, with implicit pipelining.
//!
//! Single commands (GET, SET, HGET, ...) from all threads go through one connection. A thread
//! that finds it idle becomes the *leader*: it writes every command queued so far in one
//! `send`, reads their replies (usually in one `recv`), hands each to the thread waiting for it,
//! writes whatever queued up meanwhile and makes the first of those threads the next leader.
//! Alone, a thread pays one `send` and one `recv`, as on its own connection; with N threads
//! busy, a round trip carries up to N commands, so the kernel's loopback/TCP work, which is
//! most of a miss's cost, and Redis' reads and writes are shared by the whole batch.
//!
//! Everything here runs with the GIL released. The state lock is never held across I/O: the
//! leader role (`busy`) is what gives one thread the socket at a time.

use std::sync::Arc;

use parking_lot::{Condvar, Mutex, MutexGuard};
use redis::{Cmd, Connection, Value};

use crate::client::fork_generation;
use crate::errors::{CacheError, CacheResult};
use crate::resp::RespConn;

/// A command's fate, left by the leader for the thread that queued it.
enum Done {
    Reply(Value),
    Failed(CacheError),
    /// The connection had served before and dropped: the command may run again, once, on a new
    /// one (the pool's rule for a connection that died while idle).
    Retry(CacheError),
}

/// The shared connection: our own reader on TCP and Unix sockets, redis-rs' on TLS.
pub enum MuxConn {
    Resp(RespConn),
    Redis(Connection),
}

impl MuxConn {
    fn send(&mut self, packed: &[u8]) -> CacheResult<()> {
        match self {
            MuxConn::Resp(c) => c.send(packed),
            MuxConn::Redis(c) => c.send_packed_command(packed).map_err(CacheError::from),
        }
    }

    fn recv(&mut self) -> CacheResult<Value> {
        match self {
            MuxConn::Resp(c) => c.recv(),
            MuxConn::Redis(c) => c.recv_response().map_err(CacheError::from),
        }
    }
}

struct Waiter {
    id: u64,
    wake: Arc<Condvar>,
}

#[derive(Default)]
struct State {
    conn: Option<MuxConn>,
    /// The connection has completed a batch (so a drop now means it died, not that it never
    /// worked).
    served: bool,
    generation: u64,
    /// Packed commands not yet written, and who waits for each (in order).
    outbox: Vec<u8>,
    queued: Vec<Waiter>,
    /// Written, replies not yet read (in order).
    inflight: Vec<Waiter>,
    /// Replies waiting to be picked up by their threads.
    done: Vec<(u64, Done)>,
    /// A leader owns the connection.
    busy: bool,
    /// The thread asked to lead next (its command is in `inflight`).
    next_leader: Option<u64>,
    next_id: u64,
}

pub struct Mux {
    state: Mutex<State>,
}

impl Mux {
    pub fn new() -> Mux {
        Mux {
            state: Mutex::new(State {
                generation: fork_generation(),
                ..State::default()
            }),
        }
    }

    /// Closes the connection if no thread is using it.
    pub fn close(&self) {
        let mut st = self.state.lock();
        if !st.busy {
            st.conn = None;
            st.served = false;
        }
    }

    /// Sends `cmd` and returns its reply (a Redis error reply as `Err`). `connect` opens a new
    /// connection when there is none.
    pub fn query(
        &self,
        cmd: &Cmd,
        connect: &dyn Fn() -> CacheResult<MuxConn>,
    ) -> CacheResult<Value> {
        match self.round_trip(cmd, connect) {
            Done::Reply(v) => v.extract_error().map_err(CacheError::from),
            Done::Failed(e) => Err(e),
            Done::Retry(_) => match self.round_trip(cmd, connect) {
                Done::Reply(v) => v.extract_error().map_err(CacheError::from),
                Done::Failed(e) | Done::Retry(e) => Err(e),
            },
        }
    }

    fn round_trip(&self, cmd: &Cmd, connect: &dyn Fn() -> CacheResult<MuxConn>) -> Done {
        // Each command's thread sleeps on a condition variable of its own, so a reply wakes only
        // its owner (one per command: a parking_lot Condvar must not serve two mutexes at once).
        let wake = Arc::new(Condvar::new());
        let mut st = self.state.lock();
        if st.generation != fork_generation() {
            // After fork the socket is the parent's: never touch it (dropping would be harmless,
            // but a leader in the parent may have been mid-batch).
            std::mem::forget(st.conn.take());
            *st = State {
                generation: fork_generation(),
                ..State::default()
            };
        }
        let id = st.next_id;
        st.next_id += 1;
        cmd.write_packed_command(&mut st.outbox);
        st.queued.push(Waiter {
            id,
            wake: Arc::clone(&wake),
        });
        if !st.busy {
            st.busy = true;
            return self.lead(st, id, connect);
        }
        loop {
            wake.wait(&mut st);
            if let Some(i) = st.done.iter().position(|(d, _)| *d == id) {
                return st.done.swap_remove(i).1;
            }
            if st.next_leader == Some(id) {
                st.next_leader = None;
                return self.lead(st, id, connect);
            }
        }
    }

    /// As the leader: writes the queue (unless a batch is already in flight), reads the batch's
    /// replies, which include this thread's own, and passes the role on.
    fn lead(
        &self,
        mut st: MutexGuard<'_, State>,
        me: u64,
        connect: &dyn Fn() -> CacheResult<MuxConn>,
    ) -> Done {
        if st.inflight.is_empty() {
            // Nothing written yet: connect if needed and write the queue.
            let mut conn = match st.conn.take() {
                Some(c) => c,
                None => {
                    let opened = MutexGuard::unlocked(&mut st, connect);
                    match opened {
                        Ok(c) => {
                            st.served = false;
                            c
                        }
                        Err(e) => {
                            // Everything queued fails with the connect error.
                            let queued = std::mem::take(&mut st.queued);
                            st.outbox.clear();
                            fail(&mut st, queued, &e, false);
                            return self.finish(st, me);
                        }
                    }
                }
            };
            let out = std::mem::take(&mut st.outbox);
            st.inflight = std::mem::take(&mut st.queued);
            let sent = MutexGuard::unlocked(&mut st, || conn.send(&out));
            st.outbox = recycle(out, std::mem::take(&mut st.outbox));
            if let Err(e) = sent {
                let inflight = std::mem::take(&mut st.inflight);
                broken(&mut st, inflight, &e);
                return self.finish(st, me);
            }
            st.conn = Some(conn);
        }
        // Read the replies of the batch in flight (this thread's command is in it).
        let Some(mut conn) = st.conn.take() else {
            let inflight = std::mem::take(&mut st.inflight);
            fail(&mut st, inflight, &lost(), false);
            return self.finish(st, me);
        };
        let inflight = std::mem::take(&mut st.inflight);
        let n = inflight.len();
        let (replies, failure) = MutexGuard::unlocked(&mut st, || {
            let mut replies = Vec::with_capacity(n);
            for _ in 0..n {
                match conn.recv() {
                    Ok(v) => replies.push(v),
                    Err(e) => return (replies, Some(e)),
                }
            }
            (replies, None)
        });
        if let Some(e) = failure {
            // The replies that did arrive are good; the rest fail.
            let mut replies = replies.into_iter();
            let mut waiters = inflight.into_iter();
            let got: Vec<Waiter> = waiters.by_ref().take(replies.len()).collect();
            for (w, v) in got.iter().zip(replies.by_ref()) {
                st.done.push((w.id, Done::Reply(v)));
                if w.id != me {
                    w.wake.notify_one();
                }
            }
            broken(&mut st, waiters.collect(), &e);
            return self.finish(st, me);
        }
        st.conn = Some(conn);
        st.served = true;
        let mut mine = None;
        for (w, v) in inflight.into_iter().zip(replies) {
            if w.id == me {
                mine = Some(Done::Reply(v));
            } else {
                st.done.push((w.id, Done::Reply(v)));
                w.wake.notify_one();
            }
        }
        // Put what queued meanwhile on the wire before returning (measured: waking this
        // batch's threads first does better than writing first).
        self.hand_over(&mut st);
        // A leader's own command is always in the batch it reads.
        mine.unwrap_or_else(|| Done::Failed(lost()))
    }

    /// After a failure: takes this thread's own outcome and passes the leader role on to whoever
    /// queued meanwhile (it will connect afresh if the connection broke).
    fn finish(&self, mut st: MutexGuard<'_, State>, me: u64) -> Done {
        let mine = st
            .done
            .iter()
            .position(|(d, _)| *d == me)
            .map(|i| st.done.swap_remove(i).1)
            .unwrap_or_else(|| Done::Failed(lost()));
        self.pass_on(&mut st);
        mine
    }

    /// After a good batch: write what queued meanwhile, so it is in flight while the next leader
    /// wakes up, and make its first thread the leader. With nothing queued, step down.
    fn hand_over(&self, st: &mut MutexGuard<'_, State>) {
        if st.queued.is_empty() {
            st.busy = false;
            return;
        }
        if let Some(mut conn) = st.conn.take() {
            let out = std::mem::take(&mut st.outbox);
            let batch = std::mem::take(&mut st.queued);
            let sent = MutexGuard::unlocked(st, || conn.send(&out));
            st.outbox = recycle(out, std::mem::take(&mut st.outbox));
            match sent {
                Ok(()) => {
                    st.conn = Some(conn);
                    let first = batch[0].id;
                    let wake = Arc::clone(&batch[0].wake);
                    st.inflight = batch;
                    st.next_leader = Some(first);
                    wake.notify_one();
                    return;
                }
                Err(e) => broken(st, batch, &e),
            }
        }
        self.pass_on(st);
    }

    /// Makes the first queued thread the leader (it will write the queue), or steps down.
    fn pass_on(&self, st: &mut MutexGuard<'_, State>) {
        match st.queued.first().map(|w| (w.id, Arc::clone(&w.wake))) {
            Some((id, wake)) if st.inflight.is_empty() => {
                st.next_leader = Some(id);
                wake.notify_one();
            }
            _ => st.busy = false,
        }
    }
}

/// The connection broke under `waiters`' commands: forget it, and fail them as retryable when it
/// had served before (so it died, rather than never worked) and the error is a connection one.
fn broken(st: &mut State, waiters: Vec<Waiter>, e: &CacheError) {
    let retry = st.served && e.is_connection();
    st.conn = None;
    st.served = false;
    fail(st, waiters, e, retry);
}

/// Leaves `e` as the outcome of every one of `waiters` and wakes them.
fn fail(st: &mut State, waiters: Vec<Waiter>, e: &CacheError, retry: bool) {
    for w in waiters {
        let e = e.again();
        st.done.push((
            w.id,
            if retry {
                Done::Retry(e)
            } else {
                Done::Failed(e)
            },
        ));
        w.wake.notify_one();
    }
}

/// Keeps the larger buffer's allocation for the outbox, emptied, appending anything queued since.
fn recycle(mut sent: Vec<u8>, queued_since: Vec<u8>) -> Vec<u8> {
    if queued_since.is_empty() {
        sent.clear();
        sent
    } else {
        queued_since
    }
}

fn lost() -> CacheError {
    CacheError::connection("Redis connection lost")
}
