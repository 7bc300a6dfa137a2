//! Connections lent one at a time, for work that holds a connection for several round trips or
//! may block it (SCAN loops, pipelines, arbitrary commands such as BLPOP).

use parking_lot::{Condvar, Mutex};

use super::conn::Conn;
use super::deadline::Deadline;
use crate::errors::{CacheError, CacheResult};

struct Idle {
    conns: Vec<Conn>,
    /// Connections that exist, idle or lent out.
    open: usize,
}

pub struct Pool {
    idle: Mutex<Idle>,
    returned: Condvar,
    max: usize,
}

/// A connection lent by the pool; it goes back on drop unless the work broke it (`conn` taken).
pub struct Lease<'a> {
    pool: &'a Pool,
    pub conn: Option<Conn>,
    /// Whether it came from the idle list (so it served before, and a failure means it died).
    pub reused: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut idle = self.pool.idle.lock();
        match self.conn.take() {
            Some(conn) => idle.conns.push(conn),
            None => idle.open = idle.open.saturating_sub(1),
        }
        drop(idle);
        self.pool.returned.notify_one();
    }
}

impl Pool {
    pub fn new(max: usize) -> Pool {
        Pool {
            idle: Mutex::new(Idle {
                conns: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
            max,
        }
    }

    /// Closes the idle connections; lent ones close when they come back broken.
    pub fn close(&self) {
        let mut idle = self.idle.lock();
        let closed = std::mem::take(&mut idle.conns);
        idle.open = idle.open.saturating_sub(closed.len());
        drop(idle);
        drop(closed);
    }

    /// A connection: an idle one (checked if it rested), a new one while fewer than `max` are
    /// open, else the next one returned, all within `deadline`. `fresh` skips the idle ones.
    pub fn lease(
        &self,
        fresh: bool,
        deadline: &Deadline<'_>,
        connect: &dyn Fn(&Deadline<'_>) -> CacheResult<Conn>,
    ) -> CacheResult<Lease<'_>> {
        let mut idle = self.idle.lock();
        loop {
            if let Some(conn) = idle.conns.pop() {
                let dead = fresh || conn.stale();
                if !dead {
                    return Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                        reused: true,
                    });
                }
                idle.open -= 1;
                drop(conn);
                continue;
            }
            if idle.open < self.max {
                idle.open += 1;
                drop(idle);
                return match connect(deadline) {
                    Ok(conn) => Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                        reused: false,
                    }),
                    Err(err) => {
                        self.idle.lock().open -= 1;
                        self.returned.notify_one();
                        Err(err)
                    }
                };
            }
            let slice = deadline.slice().map_err(|_| self.exhausted())?;
            if self.returned.wait_for(&mut idle, slice).timed_out() {
                parking_lot::MutexGuard::unlocked(&mut idle, || deadline.check()).map_err(|e| {
                    match e {
                        CacheError::Timeout(_) => self.exhausted(),
                        other => other,
                    }
                })?;
            }
        }
    }

    /// Runs `work` on a leased connection. A connection that broke while idle is replaced and
    /// `work` run again once on a fresh one, if `idempotent` (it may have run). A connection
    /// that failed in any other way is closed, never reused.
    pub fn run<T>(
        &self,
        idempotent: bool,
        deadline: &Deadline<'_>,
        connect: &dyn Fn(&Deadline<'_>) -> CacheResult<Conn>,
        work: &mut impl FnMut(&mut Conn, &Deadline<'_>) -> CacheResult<T>,
    ) -> CacheResult<T> {
        let mut lease = self.lease(false, deadline, connect)?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(CacheError::connection("no connection"));
        };
        let err = match work(conn, deadline) {
            Ok(v) => return Ok(v),
            Err(err) => err,
        };
        let retry = lease.reused && idempotent && err.is_connection();
        if !matches!(err, CacheError::Response(..)) {
            lease.conn = None; // its state is unknown: close it
        }
        drop(lease);
        if !retry {
            return Err(err);
        }
        let mut lease = self.lease(true, deadline, connect)?;
        let Some(conn) = lease.conn.as_mut() else {
            return Err(err);
        };
        work(conn, deadline).inspect_err(|e| {
            if !matches!(e, CacheError::Response(..)) {
                lease.conn = None;
            }
        })
    }

    fn exhausted(&self) -> CacheError {
        CacheError::Timeout(format!(
            "all {} pooled Redis connections stayed busy; raise max_connections",
            self.max
        ))
    }
}
