//! Operating the binary: `backup` under write load, and `forget-user`.

mod common;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{ConnectOptions, Row, SqlitePool};
use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn alignbot(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alignbot"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("RUST_LOG", "warn");
    cmd
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn open(db: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .unwrap()
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap()
}

/// Every row of every table, as text, in a stable order.
async fn dump(pool: &SqlitePool) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut rows = Vec::new();
    for table in tables {
        let sql = format!("SELECT * FROM {table} ORDER BY 1");
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let cells: Vec<String> = (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                        .or_else(|_| row.try_get::<Option<f64>, _>(i).map(|v| format!("{v:?}")))
                        .or_else(|_| {
                            row.try_get::<Option<Vec<u8>>, _>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .unwrap()
                })
                .collect();
            rows.push(format!("{table}: {}", cells.join(", ")));
        }
    }
    rows
}

/// One "share": a moment and its outbox row in one transaction, as the
/// app writes them. A consistent copy has as many of one as of the other.
async fn share(pool: &SqlitePool, n: i64) {
    let mut tx = pool.begin().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO moments (author, story, audience, status, created_at, updated_at) \
         VALUES ('U0NURSE1', ?, 'channel', 'shared', ?, ?) RETURNING id",
    )
    .bind(format!("story number {n}"))
    .bind(n)
    .bind(n)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox (lane, payload, status, next_attempt_at, created_at) VALUES ('C0MOMENTS', ?, 'pending', ?, ?)",
    )
    .bind(format!("{{\"PostMoment\":{{\"moment\":{id}}}}}"))
    .bind(n)
    .bind(n)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_is_consistent_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    ok(alignbot(&db).arg("migrate").output().unwrap());
    let pool = open(&db).await;
    for n in 0..2_000 {
        share(&pool, n).await;
    }
    // Keep writing while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (pool, stop) = (pool.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 2_000;
            while !stop.load(Ordering::Relaxed) {
                share(&pool, n).await;
                n += 1;
            }
            n
        })
    };
    let backup = dir.path().join("backup.db");
    let target = backup.clone();
    let dbc = db.clone();
    let out = tokio::task::spawn_blocking(move || {
        alignbot(&dbc).arg("backup").arg(&target).output().unwrap()
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.unwrap();
    let stdout = ok(out);
    assert!(stdout.contains("integrity ok"), "{stdout}");
    assert!(written > 2_000, "the writer kept writing during the backup");

    let copy = open(&backup).await;
    let moments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM moments")
        .fetch_one(&copy)
        .await
        .unwrap();
    let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(
        moments, outbox,
        "a share is in the copy whole or not at all"
    );
    assert!(
        (2_000..=written).contains(&moments),
        "{moments} of {written}"
    );
    // The copy is exactly the live rows up to that point.
    let live_prefix: Vec<String> =
        sqlx::query_scalar("SELECT story FROM moments WHERE id <= ? ORDER BY id")
            .bind(moments)
            .fetch_all(&pool)
            .await
            .unwrap();
    let copied: Vec<String> = sqlx::query_scalar("SELECT story FROM moments ORDER BY id")
        .fetch_all(&copy)
        .await
        .unwrap();
    assert_eq!(copied, live_prefix);
    copy.close().await;

    // Restore: the copy, put in place of a database, is used as is.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored = restored_dir.path().join("alignbot.db");
    std::fs::copy(&backup, &restored).unwrap();
    ok(alignbot(&restored).arg("migrate").output().unwrap());
    let listed = ok(alignbot(&restored).args(["jobs", "list"]).output().unwrap());
    assert!(listed.contains("moments-nudge"), "{listed}");

    // Never overwrites.
    let again = alignbot(&db).arg("backup").arg(&backup).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_quiet_database_matches_it_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("quiet.db");
    ok(alignbot(&db).arg("migrate").output().unwrap());
    let pool = open(&db).await;
    for n in 0..50 {
        share(&pool, n).await;
    }
    let backup = dir.path().join("copy.db");
    let (dbc, target) = (db.clone(), backup.clone());
    ok(tokio::task::spawn_blocking(move || {
        alignbot(&dbc).arg("backup").arg(&target).output().unwrap()
    })
    .await
    .unwrap());
    let copy = SqlitePool::connect_with(
        SqliteConnectOptions::new()
            .filename(&backup)
            .read_only(true)
            .disable_statement_logging(),
    )
    .await
    .unwrap();
    assert_eq!(dump(&copy).await, dump(&pool).await);

    let missing = alignbot(&dir.path().join("nope.db"))
        .arg("backup")
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_user_erases_their_text_and_refuses_what_is_not_a_user_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("forget.db");
    ok(alignbot(&db).arg("migrate").output().unwrap());
    let pool = open(&db).await;
    share(&pool, 1).await;
    sqlx::query("UPDATE moments SET channel = 'C0MOMENTS', ts = '1.000001'")
        .execute(&pool)
        .await
        .unwrap();
    let out = ok(alignbot(&db)
        .args(["forget-user", "U0NURSE1"])
        .output()
        .unwrap());
    assert!(out.contains("forgot U0NURSE1: now UFORGOTTEN1"), "{out}");
    assert!(
        out.contains("1 moment(s) erased (1 to delete from Slack)"),
        "{out}"
    );
    assert!(out.contains("SLACK_BOT_TOKEN is not set"), "{out}");
    let rows = dump(&pool).await.join("\n");
    assert!(!rows.contains("story number 1"), "{rows}");
    assert!(!rows.contains("U0NURSE1"), "{rows}");

    let bad = alignbot(&db)
        .args(["forget-user", "nurse@example.org"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Copy member ID"));
}

#[test]
fn json_logs_are_one_object_per_line_and_never_show_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let secret = "json-log-signing-secret-7c1d";
    let token = "xoxb-json-log-token-5e2a";
    let mut child = alignbot(&dir.path().join("logs.db"))
        .env("SLACK_SIGNING_SECRET", secret)
        .env("SLACK_BOT_TOKEN", token)
        .env("SLACK_API_URL", "http://127.0.0.1:9/api/")
        .env("ALIGNBOT_LISTEN", format!("127.0.0.1:{port}"))
        .env("ALIGNBOT_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .args(["serve", "--no-scheduler"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    common::wait_until_listening(&mut child, port);
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "alignbot is listening"
                || l["message"] == "alignbot is listening"),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string())
    );
    assert!(
        !stderr.contains(secret) && !stderr.contains(token),
        "{stderr}"
    );
}

/// `serve --no-scheduler` on a free port, with `env` added; returns once it
/// accepts connections.
fn serve(db: &Path, env: &[(&str, &str)]) -> (std::process::Child, u16) {
    let port = common::free_port();
    let mut cmd = alignbot(db);
    cmd.env("SLACK_SIGNING_SECRET", "log-test-secret")
        .env("ALIGNBOT_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info");
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut child = cmd
        .args(["serve", "--no-scheduler"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    common::wait_until_listening(&mut child, port);
    (child, port)
}

/// One request over a fresh connection; the whole answer.
fn request(port: u16, text: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(text.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// SIGTERM, then everything the process logged.
fn stop(child: std::process::Child) -> String {
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn text_logs_into_a_pipe_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = serve(&dir.path().join("colour.db"), &[]);
    let answer = request(
        port,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let stderr = stop(child);
    assert!(stderr.contains("alignbot is listening"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "escape sequences in {stderr:?}");
}

#[test]
fn every_log_line_of_a_request_carries_its_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = serve(
        &dir.path().join("ids.db"),
        &[("ALIGNBOT_LOG_FORMAT", "json")],
    );
    let answer = request(
        port,
        "POST /slack/commands HTTP/1.1\r\nHost: x\r\nX-Request-Id: proxy-id-42\r\nContent-Length: 17\r\nConnection: close\r\n\r\ncommand=%2Fmoment",
    );
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-request-id: proxy-id-42"),
        "{answer}"
    );
    let stderr = stop(child);
    let rejected: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| {
            l.to_string()
                .contains("rejected an unsigned or badly signed request")
        })
        .collect();
    assert_eq!(rejected.len(), 1, "{stderr}");
    assert_eq!(rejected[0]["span"]["request_id"], "proxy-id-42", "{stderr}");
}
