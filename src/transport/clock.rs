//! A cheap monotonic clock for deadlines and idle checks.
//!
//! Every call reads the clock a few times (its deadline, each wait's slice, a connection's last
//! use). `CLOCK_MONOTONIC_COARSE` is read from the vDSO without a system call and without
//! reading the TSC: a few nanoseconds, at the kernel tick's resolution (1-4 ms), which is as fine
//! as socket timeouts are anyway.

/// Milliseconds on a monotonic clock (its origin is arbitrary).
#[cfg(target_os = "linux")]
pub fn now_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a timespec we own.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) } == 0;
    if !ok {
        return fallback();
    }
    (ts.tv_sec as u64)
        .saturating_mul(1000)
        .saturating_add(ts.tv_nsec as u64 / 1_000_000)
}

#[cfg(not(target_os = "linux"))]
pub fn now_ms() -> u64 {
    fallback()
}

fn fallback() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_millis() as u64
}

#[cfg(test)]
mod tests {
    #[test]
    fn it_moves_forward() {
        let a = super::now_ms();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = super::now_ms();
        assert!(b >= a + 10, "{a} -> {b}");
    }
}
