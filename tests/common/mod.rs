//! What the multi-process tests (`tests/cli.rs`, `tests/operate.rs`) share:
//! waiting for a `serve` child process to listen. It runs in a process of its
//! own, so the test can only poll its port, with a deadline.

use std::process::Child;
use std::time::{Duration, Instant};

/// Waits (up to 30 s) until `child` accepts connections on `port`; fails at
/// once, with its stderr when piped, if it exits first.
pub fn wait_until_listening(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                use std::io::Read;
                let _ = pipe.read_to_string(&mut stderr);
            }
            panic!("serve exited with {status}: {stderr}");
        }
        assert!(Instant::now() < deadline, "serve never started listening");
        std::thread::sleep(Duration::from_millis(20));
    }
}
