//! The `alignbot` binary as an operator meets it: settings errors, migrate,
//! serve and a graceful stop.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn alignbot(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alignbot"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}/cli.db", dir.display()))
        .env("RUST_LOG", "warn");
    cmd
}

#[test]
fn serve_without_a_signing_secret_refuses_with_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = alignbot(dir.path()).arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("SLACK_SIGNING_SECRET is not set"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Signing Secret"),
        "says where to find it: {stderr}"
    );
}

#[test]
fn every_invalid_setting_is_reported_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [
        ("ALIGNBOT_LISTEN", "nowhere"),
        ("SLACK_API_URL", "slack.com"),
        ("ALIGNBOT_SCHEDULER", "sometimes"),
        ("SLACK_APP_TOKEN", "xoxb-1-s3cr3t"),
        ("ALIGNBOT_CONFIG", "/nonexistent/alignbot.toml"),
        ("ALIGNBOT_DELIVERY_MAX_IN_FLIGHT", "lots"),
        ("ALIGNBOT_HEADER_READ_TIMEOUT_MS", "0"),
        ("ALIGNBOT_ADMIN_LISTEN", "nowhere"),
        ("SLACK_BOT_TOKEN_FILE", "/nonexistent/bot-token"),
        ("DATABASE_URL", "mysql://me:s3cr3t@db/alignbot"),
    ] {
        let out = alignbot(dir.path())
            .env("SLACK_SIGNING_SECRET", "x")
            .env(name, value)
            .arg("serve")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(!stderr.contains("s3cr3t"), "{stderr}");
    }
}

#[test]
fn the_shipped_config_migrates_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = alignbot(dir.path()).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("cli.db").exists());
    // Migrating again is a no-op.
    assert!(
        alignbot(dir.path())
            .arg("migrate")
            .output()
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn serve_answers_health_checks_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let mut child = alignbot(dir.path())
        .env("SLACK_SIGNING_SECRET", "secret")
        .env("ALIGNBOT_LISTEN", format!("127.0.0.1:{port}"))
        .args(["serve", "--no-scheduler"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    common::wait_until_listening(&mut child, port);
    let healthy = {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response.starts_with("HTTP/1.1 200")
    };
    assert!(healthy);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0, got {status}");
}

#[test]
fn jobs_list_shows_every_job_with_its_schedule_and_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = alignbot(dir.path())
        .args(["jobs", "list"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for job in [
        "priorities-nudge",
        "progress-nudge",
        "moments-nudge",
        "monthly-digest",
    ] {
        assert!(stdout.contains(job), "{job} in {stdout}");
    }
    assert!(stdout.contains("0 0 9 25 * *"), "{stdout}");
    assert!(stdout.contains("never"), "{stdout}");
    // The organization's priorities nudge has no schedule by default: it is
    // listed all the same, saying its schedule is off and how to turn it on.
    let org = stdout
        .lines()
        .find(|l| l.starts_with("org-priorities-nudge "))
        .unwrap_or_else(|| panic!("org-priorities-nudge in {stdout}"));
    assert!(org.contains(" off "), "{org}");
    assert!(org.contains("set [schedule] org_priorities"), "{org}");
}

#[test]
fn jobs_run_claims_the_period_once_and_refuses_unknown_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        alignbot(dir.path())
            .args([
                "jobs",
                "run",
                "moments-nudge",
                "--at",
                "2026-11-15T15:00:00Z",
            ])
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains("moments-nudge 2026-11: invited"),
        "{stdout}"
    );
    assert!(stdout.contains("SLACK_BOT_TOKEN is not set"), "{stdout}");
    let second = run();
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("already ran"),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );

    let unknown = alignbot(dir.path())
        .args(["jobs", "run", "coffee-nudge"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("progress-nudge"));
    let bad_time = alignbot(dir.path())
        .args(["jobs", "run", "monthly-digest", "--at", "tomorrow"])
        .output()
        .unwrap();
    assert_eq!(bad_time.status.code(), Some(2));
}

#[test]
fn export_refuses_a_bad_format_or_year_with_exit_code_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    for args in [
        ["--format", "xml", "--year", "2026"],
        ["--format", "csv", "--year", "last"],
    ] {
        let run = alignbot(dir.path())
            .arg("export")
            .args(args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(!out.exists(), "{args:?}");
    }
}

#[test]
fn import_then_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "title,pillar,target\nGood,patient-care,30min\nBad,nope,\nWorse,patient-care,abc\n",
    )
    .unwrap();
    let run = alignbot(dir.path())
        .args(["import", "goals"])
        .arg(&bad)
        .args(["--as", "U0ADMIN"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("bad.csv: line 3: There is no pillar `nope`"),
        "{stderr}"
    );
    assert!(lines[1].starts_with("bad.csv: line 4: `abc`"), "{stderr}");
    assert!(lines[2].contains("nothing was imported"), "{stderr}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "title,pillar\nOne,patient-care\nTwo,our-people\n").unwrap();
    let run = alignbot(dir.path())
        .args(["import", "goals"])
        .arg(&good)
        .args(["--as", "U0ADMIN"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "created 2 goals (#1–#2)",
        "the bad file wrote nothing: numbering starts at 1"
    );

    let out = dir.path().join("export");
    let run = alignbot(dir.path())
        .args(["export", "--format", "csv", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(stdout.lines().count(), 6, "{stdout}");
    assert!(stdout.contains("2 rows"), "{stdout}");
    let goals = std::fs::read_to_string(out.join("goals.csv")).unwrap();
    assert_eq!(goals.lines().count(), 3, "{goals}");
    // A second export into the same directory refuses to overwrite.
    let again = alignbot(dir.path())
        .args(["export", "--format", "csv", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

/// `serve` on a free port with `env`; returns once it accepts connections.
fn serve(dir: &std::path::Path, env: &[(&str, &str)]) -> (std::process::Child, u16) {
    let port = common::free_port();
    let mut cmd = alignbot(dir);
    cmd.env("ALIGNBOT_LISTEN", format!("127.0.0.1:{port}"));
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut child = cmd
        .args(["serve", "--no-scheduler"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    common::wait_until_listening(&mut child, port);
    (child, port)
}

/// Waits (bounded) for the process to exit after SIGTERM.
fn terminate(mut child: std::process::Child, patience: Duration) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + patience;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running {patience:?} after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_client_holding_a_partial_request_delays_sigterm_only_until_the_deadline() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = serve(
        dir.path(),
        &[
            ("SLACK_SIGNING_SECRET", "secret"),
            // Longer than the test's patience: only the deadline can end it.
            ("ALIGNBOT_HEADER_READ_TIMEOUT_MS", "600000"),
            ("ALIGNBOT_SHUTDOWN_TIMEOUT_MS", "500"),
        ],
    );
    let mut held = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    held.write_all(b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
        .unwrap();
    let status = terminate(child, Duration::from_secs(10));
    assert!(
        status.success(),
        "a stop at the deadline still exits 0: {status}"
    );
}

#[test]
fn secrets_can_be_read_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("signing-secret");
    std::fs::write(&secret, "from-a-file\n").unwrap();
    let (child, _port) = serve(
        dir.path(),
        &[("SLACK_SIGNING_SECRET_FILE", &secret.display().to_string())],
    );
    assert!(terminate(child, Duration::from_secs(10)).success());

    // Unreadable: one line naming the variable and the path, exit code 2.
    let missing = dir.path().join("missing");
    let out = alignbot(dir.path())
        .env("SLACK_SIGNING_SECRET_FILE", &missing)
        .arg("serve")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("SLACK_SIGNING_SECRET_FILE"), "{stderr}");
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");

    // A database URL's password, read from a file, is never printed.
    let url = dir.path().join("database-url");
    std::fs::write(&url, "mysql://alignbot:hunter2@db/alignbot\n").unwrap();
    let out = alignbot(dir.path())
        .env_remove("DATABASE_URL")
        .env("DATABASE_URL_FILE", &url)
        .arg("migrate")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn held_connections_under_a_low_open_file_limit_are_refused_fast_and_probes_answer() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let public = common::free_port();
    let admin = std::iter::repeat_with(common::free_port)
        .find(|&p| p != public)
        .unwrap();
    // The limit of the review that found the problem: 256 descriptors.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 256 && exec \"$0\" serve --no-scheduler")
        .arg(env!("CARGO_BIN_EXE_alignbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/fds.db", dir.path().display()),
        )
        .env("RUST_LOG", "error")
        .env("SLACK_SIGNING_SECRET", "secret")
        .env("ALIGNBOT_LISTEN", format!("127.0.0.1:{public}"))
        .env("ALIGNBOT_ADMIN_LISTEN", format!("127.0.0.1:{admin}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until_listening(&mut child, admin);
    // 300 connections that send nothing, more than the descriptors allow.
    let held: Vec<_> = (0..300)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", public)).unwrap())
        .collect();
    let get = |port: u16| {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    };
    let started = Instant::now();
    let probe = get(admin);
    assert!(probe.starts_with("HTTP/1.1 200"), "admin: {probe:?}");
    let public_answer = get(public);
    assert!(
        public_answer.starts_with("HTTP/1.1 503") || public_answer.starts_with("HTTP/1.1 200"),
        "public: {public_answer:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered, not left waiting"
    );
    drop(held);
    let _ = child.kill();
    let _ = child.wait();
}
