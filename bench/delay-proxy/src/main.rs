//! `delay-proxy <upstream host:port> <one-way delay µs>`: listens on a free loopback port (printed
//! as the first line of stdout), and forwards every connection to the upstream, holding each chunk
//! `delay` in each direction, so a round trip costs 2 x delay more than on loopback: Redis as on
//! another host, without `netem` (this kernel has none).
//!
//! Each direction has a reader that stamps chunks as they arrive and a writer that sends each at
//! its stamp + delay: chunks keep their order and spacing, and a chunk behind another does not
//! wait for it twice. The writer sleeps to within `SPIN` of the due time and spins the rest, so
//! its lateness stays in the microseconds rather than the timer slack (~50-100 µs).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;
use std::time::{Duration, Instant};

const SPIN: Duration = Duration::from_micros(120);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(upstream), Some(delay)) =
        (args.get(1), args.get(2).and_then(|d| d.parse::<u64>().ok()))
    else {
        eprintln!("usage: delay-proxy <upstream host:port> <one-way delay in microseconds>");
        std::process::exit(2);
    };
    let delay = Duration::from_micros(delay);
    let listener = match TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("delay-proxy: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("{}", addr.port()),
        Err(e) => {
            eprintln!("delay-proxy: {e}");
            std::process::exit(1);
        }
    }
    for client in listener.incoming().flatten() {
        let upstream = upstream.clone();
        thread::spawn(move || {
            if let Err(e) = serve(client, &upstream, delay) {
                eprintln!("delay-proxy: {e}");
            }
        });
    }
}

fn serve(client: TcpStream, upstream: &str, delay: Duration) -> std::io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    for s in [&client, &server] {
        s.set_nodelay(true)?;
    }
    pipe(client.try_clone()?, server.try_clone()?, delay);
    pipe(server, client, delay);
    Ok(())
}

/// Forwards `from` to `to`, each chunk `delay` after it arrived.
fn pipe(from: TcpStream, to: TcpStream, delay: Duration) {
    let (tx, rx) = channel();
    thread::spawn(move || read_side(from, tx));
    thread::spawn(move || write_side(to, rx, delay));
}

fn read_side(mut from: TcpStream, tx: Sender<(Instant, Vec<u8>)>) {
    let mut buf = vec![0u8; 64 << 10];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => return, // dropping `tx` tells the writer to close its side
            Ok(n) => {
                if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    return;
                }
            }
        }
    }
}

fn write_side(mut to: TcpStream, rx: Receiver<(Instant, Vec<u8>)>, delay: Duration) {
    while let Ok((arrived, chunk)) = rx.recv() {
        let due = arrived + delay;
        let now = Instant::now();
        if due > now + SPIN {
            thread::sleep(due - now - SPIN);
        }
        while Instant::now() < due {
            std::hint::spin_loop();
        }
        if to.write_all(&chunk).is_err() {
            return;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
