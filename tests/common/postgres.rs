//! A throwaway PostgreSQL server for the tests that run against PostgreSQL.
//!
//! Those tests are `#[ignore]`d (they need the server binaries), and CI runs
//! them with `--include-ignored` after installing Debian's `postgresql`.
//! With `ALIGNBOT_TEST_POSTGRES_URL` set (a superuser URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) they use that server;
//! otherwise the first test of a binary starts a cluster of its own:
//! `initdb` + `pg_ctl` from `/usr/lib/postgresql/<newest>/bin` (or `PATH`),
//! in a temporary directory, on a free port, with trust authentication on
//! loopback only. Every test gets a fresh database of its own.
//!
//! `initdb` refuses to run as root. As root (CI containers), the cluster is
//! run as the `postgres` user that Debian's package creates, through
//! `runuser`; as anyone else, as that user.
//!
//! The cluster is stopped when the test binary exits, whatever way it
//! exits: a small shell keeps the server and waits on a pipe from this
//! process; the kernel closes the pipe at exit, and the shell then stops
//! the server and deletes its directory.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The superuser URL of the server the tests use.
fn server() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        std::env::var("ALIGNBOT_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(start_cluster)
    })
}

/// A fresh, empty database on the test server; returns its URL.
pub async fn fresh_database() -> String {
    use sqlx::{Connection, Executor};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin = server();
    let name = format!(
        "alignbot_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("CREATE DATABASE");
    conn.close().await.ok();
    with_database(admin, &name)
}

/// Drops the database of `url` on the test server, ending its sessions
/// first: the app's next query finds no database.
pub async fn drop_database(url: &str) {
    use sqlx::{Connection, Executor};
    let name = url::Url::parse(url)
        .expect("a database URL")
        .path()
        .trim_start_matches('/')
        .to_owned();
    let mut conn = sqlx::PgConnection::connect(server())
        .await
        .expect("the test server answers");
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE \"{name}\" WITH (FORCE)"
    )))
    .await
    .expect("DROP DATABASE");
    conn.close().await.ok();
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("ALIGNBOT_TEST_POSTGRES_URL is a URL");
    parsed.set_path(&format!("/{name}"));
    parsed.to_string()
}

/// Where the server binaries are: Debian's newest version, else `PATH`.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Starts a cluster that lives as long as this process; returns its URL.
fn start_cluster() -> String {
    let bin = bin_dir();
    let tool = |name: &str| match &bin {
        Some(dir) => dir.join(name).display().to_string(),
        None => name.to_owned(),
    };
    let as_root = running_as_root();
    let dir = std::env::temp_dir().join(format!("alignbot-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory for PostgreSQL");
    if as_root {
        let status = Command::new("chown")
            .args(["postgres:postgres", &dir.display().to_string()])
            .status()
            .expect("chown runs");
        assert!(
            status.success(),
            "cannot hand {} to the postgres user (is Debian's postgresql installed?)",
            dir.display()
        );
    }
    let data = dir.join("data");
    let port = free_port();
    // Everything runs in one shell as the cluster's user: initdb, start,
    // then wait for this process to go away, stop and clean up.
    let script = format!(
        r#"set -e
{initdb} -D {data} -U postgres --auth=trust --no-sync -E UTF8 --locale=C >{dir}/initdb.log 2>&1
{pg_ctl} -D {data} -l {dir}/server.log -w -o "-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null
echo started
cat >/dev/null || true
{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1 || true
rm -rf {dir}
"#,
        initdb = tool("initdb"),
        pg_ctl = tool("pg_ctl"),
        data = quote(&data),
        dir = quote(&dir),
    );
    let mut command = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", &script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        c
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("a shell to start PostgreSQL");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the PostgreSQL starter's output");
    if line.trim() != "started" {
        let log = std::fs::read_to_string(dir.join("initdb.log")).unwrap_or_default()
            + &std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        panic!(
            "cannot start a throwaway PostgreSQL (install Debian's postgresql, or set ALIGNBOT_TEST_POSTGRES_URL): {log}"
        );
    }
    // The pipe stays open until this process exits: then the shell stops
    // the server. The handle is leaked on purpose.
    std::mem::forget(child);
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
