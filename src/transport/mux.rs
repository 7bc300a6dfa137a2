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
//!
//! Every wait is under the caller's own deadline. A thread whose deadline passes (or that is
//! interrupted) while it waits leaves: its command, if already queued, still goes out (it may
//! run), and its reply is thrown away when it comes. A leader whose own deadline passes while it
//! reads fails the rest of its batch and drops the connection. When a connection breaks, a
//! command that may have run is offered for a second run only if it is idempotent.
//!
//! The connection is a `Link`, so the protocol above is tested against a fake one.

use std::sync::Arc;

use parking_lot::{Condvar, Mutex, MutexGuard};
use redis::{Cmd, Value};

use super::deadline::Deadline;
use super::stream::WriteFailed;
use crate::errors::{CacheError, CacheResult};

/// The connection under the shared channel.
pub trait Link: Send {
    fn send(&mut self, packed: &[u8], deadline: &Deadline<'_>) -> Result<(), WriteFailed>;
    fn recv(&mut self, deadline: &Deadline<'_>) -> CacheResult<Value>;
    /// Whether the connection must not be reused (retired, or rested and already gone).
    fn stale(&self) -> bool;
}

impl Link for super::conn::Conn {
    fn send(&mut self, packed: &[u8], deadline: &Deadline<'_>) -> Result<(), WriteFailed> {
        super::conn::Conn::send(self, packed, deadline)
    }
    fn recv(&mut self, deadline: &Deadline<'_>) -> CacheResult<Value> {
        super::conn::Conn::recv(self, deadline)
    }
    fn stale(&self) -> bool {
        super::conn::Conn::stale(self)
    }
}

/// A command's fate, left by the leader for the thread that queued it.
enum Done {
    Reply(Value),
    Failed(CacheError),
    /// The connection broke under it and running it again is safe (it is idempotent and the
    /// connection had served before, or it never reached the server): once, on a new one.
    Retry(CacheError),
}

struct Waiter {
    id: u64,
    wake: Arc<Condvar>,
    idempotent: bool,
}

struct State<L> {
    conn: Option<L>,
    /// The connection has completed a batch (so a drop now means it died, not that it never
    /// worked).
    served: bool,
    /// Packed commands not yet written, and who waits for each (in order).
    outbox: Vec<u8>,
    queued: Vec<Waiter>,
    /// Written, replies not yet read (in order).
    inflight: Vec<Waiter>,
    /// Replies waiting to be picked up by their threads.
    done: Vec<(u64, Done)>,
    /// Threads that left before their command's outcome came: it is thrown away.
    gone: Vec<u64>,
    /// A leader owns the connection.
    busy: bool,
    /// The thread asked to lead next (its command is in `inflight` or `queued`).
    next_leader: Option<u64>,
    next_id: u64,
}

impl<L> Default for State<L> {
    fn default() -> Self {
        State {
            conn: None,
            served: false,
            outbox: Vec::new(),
            queued: Vec::new(),
            inflight: Vec::new(),
            done: Vec::new(),
            gone: Vec::new(),
            busy: false,
            next_leader: None,
            next_id: 0,
        }
    }
}

impl<L> State<L> {
    /// Leaves `outcome` for waiter `w` (or drops it if `w` left) and wakes it.
    fn deliver(&mut self, w: &Waiter, outcome: Done, me: u64) -> Option<Done> {
        if w.id == me {
            return Some(outcome);
        }
        if let Some(i) = self.gone.iter().position(|g| *g == w.id) {
            self.gone.swap_remove(i);
            return None;
        }
        self.done.push((w.id, outcome));
        w.wake.notify_one();
        None
    }

    /// The connection broke under `waiters`' commands, after they were written (`reached`) or
    /// before: forget it, and fail each, as retryable when a second run is safe.
    fn broken(
        &mut self,
        waiters: Vec<Waiter>,
        e: &CacheError,
        reached: bool,
        me: u64,
    ) -> Option<Done> {
        let died = self.served;
        self.conn = None;
        self.served = false;
        let mut mine = None;
        for w in waiters {
            let retry = e.is_connection() && (!reached || (died && w.idempotent));
            let outcome = if retry {
                Done::Retry(e.again())
            } else {
                Done::Failed(e.again())
            };
            if let Some(o) = self.deliver(&w, outcome, me) {
                mine = Some(o);
            }
        }
        mine
    }
}

pub struct Mux<L> {
    state: Mutex<State<L>>,
}

type Connect<'c, L> = &'c dyn Fn(&Deadline<'_>) -> CacheResult<L>;

impl<L: Link> Mux<L> {
    pub fn new() -> Mux<L> {
        Mux {
            state: Mutex::new(State::default()),
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

    /// Sends `cmd` and returns its reply (a Redis error reply as `Err`), within `deadline`.
    /// `connect` opens a new connection when there is none.
    pub fn query(
        &self,
        cmd: &Cmd,
        idempotent: bool,
        deadline: &Deadline<'_>,
        connect: Connect<'_, L>,
    ) -> CacheResult<Value> {
        self.query_raw(cmd, idempotent, deadline, connect)?
            .extract_error()
            .map_err(CacheError::from)
    }

    /// `query`, with an error reply returned as the `Value::ServerError` it is.
    pub fn query_raw(
        &self,
        cmd: &Cmd,
        idempotent: bool,
        deadline: &Deadline<'_>,
        connect: Connect<'_, L>,
    ) -> CacheResult<Value> {
        match self.round_trip(cmd, idempotent, deadline, connect) {
            Done::Reply(v) => Ok(v),
            Done::Failed(e) => Err(e),
            Done::Retry(_) => match self.round_trip(cmd, idempotent, deadline, connect) {
                Done::Reply(v) => Ok(v),
                Done::Failed(e) | Done::Retry(e) => Err(e),
            },
        }
    }

    fn round_trip(
        &self,
        cmd: &Cmd,
        idempotent: bool,
        deadline: &Deadline<'_>,
        connect: Connect<'_, L>,
    ) -> Done {
        // Each command's thread sleeps on a condition variable of its own, so a reply wakes only
        // its owner (one per command: a parking_lot Condvar must not serve two mutexes at once).
        let wake = Arc::new(Condvar::new());
        let mut st = self.state.lock();
        let id = st.next_id;
        st.next_id += 1;
        cmd.write_packed_command(&mut st.outbox);
        st.queued.push(Waiter {
            id,
            wake: Arc::clone(&wake),
            idempotent,
        });
        if !st.busy {
            st.busy = true;
            return self.lead(st, id, deadline, connect);
        }
        let mut stop: Option<CacheError> = None;
        loop {
            if let Some(i) = st.done.iter().position(|(d, _)| *d == id) {
                return st.done.swap_remove(i).1;
            }
            if st.next_leader == Some(id) {
                st.next_leader = None;
                if let Some(e) = stop.take().or_else(|| deadline.slice().err()) {
                    return self.abdicate(st, id, e);
                }
                return self.lead(st, id, deadline, connect);
            }
            if let Some(e) = stop.take() {
                // This thread stops waiting (its deadline passed, or it was interrupted): its
                // outcome, when it comes, is thrown away; its command, if queued, still goes out.
                st.gone.push(id);
                return Done::Failed(e);
            }
            match deadline.slice() {
                Err(e) => stop = Some(e),
                Ok(slice) => {
                    if wake.wait_for(&mut st, slice).timed_out() {
                        // Checked unlocked (it may attach to the interpreter); the loop then
                        // looks again at what happened meanwhile.
                        stop = MutexGuard::unlocked(&mut st, || deadline.check()).err();
                    }
                }
            }
        }
    }

    /// This thread was made the leader but cannot wait any more: another waiter of the batch in
    /// flight reads it, or, with none left, the connection is dropped and the batch fails.
    fn abdicate(&self, mut st: MutexGuard<'_, State<L>>, me: u64, e: CacheError) -> Done {
        st.gone.push(me);
        if !st.inflight.is_empty() {
            if let Some(w) = first_live(&st.inflight, &st.gone) {
                st.next_leader = Some(w.0);
                w.1.notify_one();
                return Done::Failed(e);
            }
            let inflight = std::mem::take(&mut st.inflight);
            st.broken(inflight, &e, true, u64::MAX);
        }
        self.pass_on(&mut st);
        Done::Failed(e)
    }

    /// As the leader: writes the queue (unless a batch is already in flight), reads the batch's
    /// replies, which include this thread's own, and passes the role on.
    fn lead(
        &self,
        mut st: MutexGuard<'_, State<L>>,
        me: u64,
        deadline: &Deadline<'_>,
        connect: Connect<'_, L>,
    ) -> Done {
        if st.inflight.is_empty() {
            // Nothing written yet: a connection (a fresh one if the idle one died) and the queue.
            let mut conn = match st.conn.take() {
                Some(c) if !c.stale() => c,
                _ => {
                    st.served = false;
                    match MutexGuard::unlocked(&mut st, || connect(deadline)) {
                        Ok(c) => c,
                        Err(e) => {
                            // Nothing was sent: everything queued fails with the connect error.
                            let queued = std::mem::take(&mut st.queued);
                            st.outbox.clear();
                            let mine = st.broken(queued, &e, true, me);
                            return self.finish(st, me, mine);
                        }
                    }
                }
            };
            let out = std::mem::take(&mut st.outbox);
            st.inflight = std::mem::take(&mut st.queued);
            let sent = MutexGuard::unlocked(&mut st, || conn.send(&out, deadline));
            st.outbox = recycle(out, std::mem::take(&mut st.outbox));
            if let Err(WriteFailed { error, reached }) = sent {
                let inflight = std::mem::take(&mut st.inflight);
                let mine = st.broken(inflight, &error, reached, me);
                return self.finish(st, me, mine);
            }
            st.conn = Some(conn);
        }
        // Read the replies of the batch in flight (this thread's command is in it).
        let Some(mut conn) = st.conn.take() else {
            let inflight = std::mem::take(&mut st.inflight);
            let mine = st.broken(inflight, &lost(), true, me);
            return self.finish(st, me, mine);
        };
        let inflight = std::mem::take(&mut st.inflight);
        let n = inflight.len();
        let (replies, failure) = MutexGuard::unlocked(&mut st, || {
            let mut replies = Vec::with_capacity(n);
            for _ in 0..n {
                match conn.recv(deadline) {
                    Ok(v) => replies.push(v),
                    Err(e) => return (replies, Some(e)),
                }
            }
            (replies, None)
        });
        let mut mine = None;
        let mut waiters = inflight.into_iter();
        // Replies first in the zip: it must not take a waiter that has no reply.
        for (v, w) in replies.into_iter().zip(waiters.by_ref()) {
            if let Some(o) = st.deliver(&w, Done::Reply(v), me) {
                mine = Some(o);
            }
        }
        if let Some(e) = failure {
            // The replies that did arrive are good; the rest may or may not have run.
            if let Some(o) = st.broken(waiters.collect(), &e, true, me) {
                mine = Some(o);
            }
            if matches!(e, CacheError::Python(_)) && mine.is_some() {
                // This thread's own interrupt (Ctrl-C): it gets the exception itself.
                mine = Some(Done::Failed(e));
            }
            return self.finish(st, me, mine);
        }
        st.conn = Some(conn);
        st.served = true;
        // Put what queued meanwhile on the wire before returning (measured: waking this
        // batch's threads first does better than writing first).
        self.hand_over(&mut st, deadline);
        // A leader's own command is always in the batch it reads.
        mine.unwrap_or_else(|| Done::Failed(lost()))
    }

    /// After a failure: this thread's own outcome, and the leader role passed on to whoever
    /// queued meanwhile (it will connect afresh if the connection broke).
    fn finish(&self, mut st: MutexGuard<'_, State<L>>, me: u64, mine: Option<Done>) -> Done {
        self.pass_on(&mut st);
        mine.unwrap_or_else(|| {
            st.done
                .iter()
                .position(|(d, _)| *d == me)
                .map(|i| st.done.swap_remove(i).1)
                .unwrap_or_else(|| Done::Failed(lost()))
        })
    }

    /// After a good batch: write what queued meanwhile, so it is in flight while the next leader
    /// wakes up, and make its first thread the leader. With nothing queued, step down.
    fn hand_over(&self, st: &mut MutexGuard<'_, State<L>>, deadline: &Deadline<'_>) {
        if st.queued.is_empty() {
            st.busy = false;
            return;
        }
        if let Some(mut conn) = st.conn.take() {
            let out = std::mem::take(&mut st.outbox);
            let batch = std::mem::take(&mut st.queued);
            // Written under this leader's deadline: it is still within it, and the write of a
            // small batch does not wait unless the server stopped reading.
            let sent = MutexGuard::unlocked(st, || conn.send(&out, deadline));
            st.outbox = recycle(out, std::mem::take(&mut st.outbox));
            match sent {
                Ok(()) => match first_live(&batch, &st.gone) {
                    Some((first, wake)) => {
                        st.conn = Some(conn);
                        st.inflight = batch;
                        st.next_leader = Some(first);
                        wake.notify_one();
                        return;
                    }
                    None => {
                        // Every owner left: nobody reads these replies, so the connection
                        // (with replies pending) goes.
                        st.broken(batch, &lost(), true, u64::MAX);
                    }
                },
                Err(WriteFailed { error, reached }) => {
                    st.broken(batch, &error, reached, u64::MAX);
                }
            }
        }
        self.pass_on(st);
    }

    /// Makes the first queued thread still waiting the leader (it will write the queue), or
    /// steps down.
    fn pass_on(&self, st: &mut MutexGuard<'_, State<L>>) {
        if !st.inflight.is_empty() {
            st.busy = false;
            return;
        }
        match first_live(&st.queued, &st.gone) {
            Some((id, wake)) => {
                st.next_leader = Some(id);
                wake.notify_one();
            }
            None => {
                // Only commands whose threads left: never sent, their outcomes not wanted.
                let queued = std::mem::take(&mut st.queued);
                st.outbox.clear();
                for w in &queued {
                    st.deliver(w, Done::Failed(lost()), u64::MAX);
                }
                st.busy = false;
            }
        }
    }
}

/// The first of `waiters` whose thread still waits.
fn first_live(waiters: &[Waiter], gone: &[u64]) -> Option<(u64, Arc<Condvar>)> {
    waiters
        .iter()
        .find(|w| !gone.contains(&w.id))
        .map(|w| (w.id, Arc::clone(&w.wake)))
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

#[cfg(test)]
mod tests {
    //! The shared-connection protocol against a fake connection: replies echo each command's
    //! argument, and the fake can refuse a write, break a read or stall.

    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::transport::resp::{Parser, Step};

    #[derive(Default)]
    struct Server {
        sends: usize,
        /// Commands that reached the server (what ran).
        ran: Vec<Vec<u8>>,
        /// Fail the next write before any byte leaves.
        refuse_write: bool,
        /// Break the connection after this many more replies.
        break_after: Option<usize>,
        /// Replies never come.
        stall: bool,
    }

    #[derive(Clone, Default)]
    struct Fake(Arc<parking_lot::Mutex<Server>>, Arc<AtomicUsize>);

    struct FakeLink {
        fake: Fake,
        /// Replies this connection owes, in order.
        owed: VecDeque<Value>,
    }

    impl Fake {
        fn connect(&self) -> impl Fn(&Deadline<'_>) -> CacheResult<FakeLink> + '_ {
            move |_| {
                self.1.fetch_add(1, Ordering::SeqCst);
                Ok(FakeLink {
                    fake: self.clone(),
                    owed: VecDeque::new(),
                })
            }
        }
        fn server(&self) -> parking_lot::MutexGuard<'_, Server> {
            self.0.lock()
        }
    }

    impl Link for FakeLink {
        fn send(&mut self, packed: &[u8], _: &Deadline<'_>) -> Result<(), WriteFailed> {
            let mut server = self.fake.server();
            if std::mem::take(&mut server.refuse_write) {
                return Err(WriteFailed {
                    error: CacheError::connection("refused"),
                    reached: false,
                });
            }
            server.sends += 1;
            let mut parser = Parser::default();
            let mut rest = packed;
            while !rest.is_empty() {
                let Ok((Step::Reply(Value::Array(words)), used)) = parser.step(rest) else {
                    panic!("not a command");
                };
                rest = &rest[used..];
                let arg = match words.get(1) {
                    Some(Value::BulkString(b)) => b.clone(),
                    _ => Vec::new(),
                };
                server.ran.push(arg.clone());
                self.owed.push_back(Value::BulkString(arg));
            }
            Ok(())
        }

        fn recv(&mut self, deadline: &Deadline<'_>) -> CacheResult<Value> {
            loop {
                {
                    let mut server = self.fake.server();
                    if let Some(n) = server.break_after {
                        if n == 0 {
                            server.break_after = None;
                            self.owed.clear();
                            return Err(CacheError::connection("broken"));
                        }
                        server.break_after = Some(n - 1);
                    }
                    if !server.stall {
                        if let Some(v) = self.owed.pop_front() {
                            return Ok(v);
                        }
                    }
                }
                thread::sleep(deadline.slice()?.min(Duration::from_millis(2)));
                deadline.check()?;
            }
        }

        fn stale(&self) -> bool {
            false
        }
    }

    fn get(key: &str) -> Cmd {
        let mut c = redis::cmd("GET");
        c.arg(key);
        c
    }

    fn incr(key: &str) -> Cmd {
        let mut c = redis::cmd("INCR");
        c.arg(key);
        c
    }

    fn within(ms: u64) -> Deadline<'static> {
        Deadline::after(Some(Duration::from_millis(ms)))
    }

    #[test]
    fn each_thread_gets_its_own_reply_and_round_trips_are_shared() {
        let fake = Fake::default();
        let mux = Mux::new();
        let connect = fake.connect();
        thread::scope(|s| {
            for t in 0..8 {
                let (mux, connect) = (&mux, &connect);
                s.spawn(move || {
                    for i in 0..200 {
                        let key = format!("{t}:{i}");
                        let reply = mux.query(&get(&key), true, &within(5000), connect).unwrap();
                        assert_eq!(reply, Value::BulkString(key.into_bytes()));
                    }
                });
            }
        });
        let server = fake.server();
        assert_eq!(server.ran.len(), 1600);
        assert!(server.sends <= 1600, "{} sends", server.sends);
        assert_eq!(
            fake.1.load(Ordering::SeqCst),
            1,
            "one connection for everyone"
        );
    }

    #[test]
    fn a_write_that_never_left_is_sent_again_even_when_not_idempotent() {
        let fake = Fake::default();
        let mux = Mux::new();
        let connect = fake.connect();
        fake.server().refuse_write = true;
        let reply = mux
            .query(&incr("n"), false, &within(1000), &connect)
            .unwrap();
        assert_eq!(reply, Value::BulkString(b"n".to_vec()));
        assert_eq!(fake.server().ran, vec![b"n".to_vec()], "it ran once");
        assert_eq!(fake.1.load(Ordering::SeqCst), 2, "on a new connection");
    }

    #[test]
    fn a_broken_read_runs_idempotent_commands_again_and_never_the_others() {
        let fake = Fake::default();
        let mux = Mux::new();
        let connect = fake.connect();
        // A first batch: the connection has served.
        mux.query(&get("warm"), true, &within(1000), &connect)
            .unwrap();
        fake.server().break_after = Some(0);
        let err = mux
            .query(&incr("n"), false, &within(1000), &connect)
            .unwrap_err();
        assert!(err.is_connection(), "{err:?}");
        // The new connection serves once, then breaks under an idempotent command.
        mux.query(&get("warm"), true, &within(1000), &connect)
            .unwrap();
        fake.server().break_after = Some(0);
        let reply = mux.query(&get("k"), true, &within(1000), &connect).unwrap();
        assert_eq!(reply, Value::BulkString(b"k".to_vec()));
        let ran = fake.server().ran.clone();
        assert_eq!(
            ran.iter().filter(|r| r.as_slice() == b"n").count(),
            1,
            "INCR ran once"
        );
        assert_eq!(
            ran.iter().filter(|r| r.as_slice() == b"k").count(),
            2,
            "GET ran again"
        );
    }

    #[test]
    fn a_stalled_server_ends_each_call_at_its_own_deadline() {
        let fake = Fake::default();
        let mux = Mux::new();
        let connect = fake.connect();
        mux.query(&get("warm"), true, &within(1000), &connect)
            .unwrap();
        fake.server().stall = true;
        let took: Vec<Duration> = thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let (mux, connect) = (&mux, &connect);
                    s.spawn(move || {
                        thread::sleep(Duration::from_millis(30 * i));
                        let start = Instant::now();
                        let err = mux
                            .query(&get("k"), true, &within(200), connect)
                            .unwrap_err();
                        assert!(matches!(err, CacheError::Timeout(_)), "{err:?}");
                        start.elapsed()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for t in took {
            assert!(
                t < Duration::from_millis(350),
                "a call took {t:?} with a 200 ms deadline"
            );
        }
        // The server comes back: the shared connection works again.
        fake.server().stall = false;
        let reply = mux
            .query(&get("after"), true, &within(1000), &connect)
            .unwrap();
        assert_eq!(reply, Value::BulkString(b"after".to_vec()));
    }

    #[test]
    fn an_interrupted_waiter_leaves_and_the_others_carry_on() {
        let fake = Fake::default();
        let mux = Mux::new();
        let connect = fake.connect();
        mux.query(&get("warm"), true, &within(1000), &connect)
            .unwrap();
        fake.server().stall = true;
        thread::scope(|s| {
            let (m, c) = (&mux, &connect);
            let leader = s.spawn(move || m.query(&get("slow"), true, &within(600), c));
            thread::sleep(Duration::from_millis(50));
            let interrupt = || Err(CacheError::connection("interrupted"));
            let waiter = Deadline::after(Some(Duration::from_secs(5))).with_interrupt(&interrupt);
            let start = Instant::now();
            let err = mux
                .query(&get("mine"), true, &waiter, &connect)
                .unwrap_err();
            assert!(err.to_string().contains("interrupted"), "{err}");
            assert!(start.elapsed() < Duration::from_millis(250));
            fake.server().stall = false;
            assert!(
                leader.join().unwrap().is_ok(),
                "the leader still gets its reply"
            );
        });
        let reply = mux
            .query(&get("next"), true, &within(1000), &connect)
            .unwrap();
        assert_eq!(
            reply,
            Value::BulkString(b"next".to_vec()),
            "the abandoned reply was skipped"
        );
    }
}
