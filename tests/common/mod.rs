//! What the multi-process tests (`tests/cli.rs`, `tests/operate.rs`) share:
//! waiting for a `serve` child process to be up. It runs in a process of its
//! own, so the test can only poll it, with a deadline.

use std::io::{Read, Write};
use std::process::Child;
use std::time::{Duration, Instant};

/// Waits (up to 30 s) until `child` answers HTTP on `port` (`GET /healthz`);
/// fails at once, with its stderr when piped, if it exits first. An answer,
/// not just an accepted connection: the kernel accepts connections as soon
/// as the port is bound, before the server (and its SIGTERM handling) runs.
pub fn wait_until_listening(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !answers_http(port) {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            panic!("serve exited with {status}: {stderr}");
        }
        assert!(Instant::now() < deadline, "serve never started listening");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn answers_http(port: u16) -> bool {
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 9];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 ")
}

/// A port that is free now, for a `serve` child to bind. Taken below the
/// kernel's ephemeral range (32768–60999 on Linux), so the outgoing
/// connections that other tests open at the same time cannot be handed it
/// between this check and the child's bind (port 0's answers come from that
/// range, which made such tests fail now and then under load).
pub fn free_port() -> u16 {
    for _ in 0..1000 {
        let port = fastrand::u16(20_000..32_000);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between 20000 and 32000");
}
