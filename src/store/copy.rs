//! `alignbot copy-db`: every row of one database into another, e.g. from
//! the SQLite file a deployment started with into the PostgreSQL database
//! its replicas will share.
//!
//! Both databases are migrated by this build first, so they have the same
//! tables and columns. The tables are read from the source's own schema
//! (not a list kept here), so a table added by a later migration is copied
//! too. The target must be empty; everything is written in one transaction
//! on the target, and each table's row count is compared with the source's
//! before that transaction commits: a copy is whole or absent.

use super::{Backend, Conn, StoreError, backend_of, values_placeholders};
use sqlx::{Acquire, AnyPool, Row};
use std::collections::BTreeMap;

/// Rows per INSERT: well under both databases' limits on bound values.
const BATCH_VALUES: usize = 20_000;

/// What could stop a copy.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the target database is not empty ({table} has {rows} rows); copy into a new, empty database"
    )]
    TargetNotEmpty { table: String, rows: i64 },
    #[error("{table}: {copied} rows copied but the source has {source_rows}; nothing was written")]
    CountMismatch {
        table: String,
        copied: i64,
        source_rows: i64,
    },
    #[error("the target has no table {0}: migrate both databases with this version first")]
    MissingTable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for CopyError {
    fn from(e: sqlx::Error) -> Self {
        CopyError::Store(e.into())
    }
}

/// How a column's values travel between the two databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
}

impl Kind {
    fn of_declared(declared: &str) -> Self {
        let t = declared.to_ascii_lowercase();
        if t.contains("int") {
            Kind::Integer
        } else if t.contains("real") || t.contains("double") || t.contains("float") {
            Kind::Real
        } else {
            Kind::Text
        }
    }
}

/// One value read from the source.
#[derive(Debug, Clone)]
enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

/// Copies every table of `source` into the empty `target` (both migrated);
/// returns each table's row count, in the order they were copied.
pub async fn copy(source: &AnyPool, target: &AnyPool) -> Result<Vec<(String, i64)>, CopyError> {
    let mut from = source.acquire().await?;
    let mut from_tx = from.begin().await?;
    if backend_of(&from_tx) == Backend::Postgres {
        // One snapshot for every table read.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *from_tx)
            .await?;
    }
    let tables = tables_in_order(&mut from_tx).await?;

    let mut to = target.acquire().await?;
    let mut to_tx = to.begin().await?;
    let target_tables = tables_in_order(&mut to_tx).await?;
    for table in &tables {
        if !target_tables.contains(table) {
            return Err(CopyError::MissingTable(table.clone()));
        }
    }
    for table in &target_tables {
        let rows = count(&mut to_tx, table).await?;
        if rows > 0 {
            return Err(CopyError::TargetNotEmpty {
                table: table.clone(),
                rows,
            });
        }
    }

    let mut copied = Vec::with_capacity(tables.len());
    for table in &tables {
        let source_columns = columns(&mut from_tx, table).await?;
        let target_columns = columns(&mut to_tx, table).await?;
        // The columns both have, typed as the target declares them (the
        // PostgreSQL twins' `rowid` columns fill themselves, in the order
        // the rows arrive).
        let shared: Vec<(String, Kind)> = target_columns
            .into_iter()
            .filter(|(name, _)| source_columns.iter().any(|(n, _)| n == name))
            .collect();
        let rows = copy_table(&mut from_tx, &mut to_tx, table, &shared).await?;
        let source_rows = count(&mut from_tx, table).await?;
        let target_rows = count(&mut to_tx, table).await?;
        if target_rows != source_rows || rows != source_rows {
            return Err(CopyError::CountMismatch {
                table: table.clone(),
                copied: target_rows,
                source_rows,
            });
        }
        copied.push((table.clone(), target_rows));
    }
    if backend_of(&to_tx) == Backend::Postgres {
        restart_identities(&mut to_tx).await?;
    }
    to_tx.commit().await?;
    from_tx.rollback().await?;
    Ok(copied)
}

/// Quotes a name from the schema as an identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn count(conn: &mut Conn, table: &str) -> Result<i64, CopyError> {
    // Audited: the table name comes from the schema, quoted.
    let sql = format!("SELECT COUNT(*) FROM {}", ident(table));
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(conn)
        .await?)
}

/// The application's tables (not sqlx's or the database's own), parents
/// before the tables whose foreign keys point at them.
async fn tables_in_order(conn: &mut Conn) -> Result<Vec<String>, CopyError> {
    let (tables, edges): (Vec<String>, Vec<(String, String)>) = match backend_of(conn) {
        Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx\\_%' ESCAPE '\\' \
                 ORDER BY name",
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut edges = Vec::new();
            for table in &tables {
                let parents: Vec<String> =
                    sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list($1)")
                        .bind(table)
                        .fetch_all(&mut *conn)
                        .await?;
                edges.extend(parents.into_iter().map(|p| (table.clone(), p)));
            }
            (tables, edges)
        }
        Backend::Postgres => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                 AND tablename NOT LIKE '\\_sqlx\\_%' ORDER BY tablename",
            )
            .fetch_all(&mut *conn)
            .await?;
            let edges: Vec<(String, String)> = sqlx::query_as(
                "SELECT c.relname::text, p.relname::text FROM pg_constraint k \
                 JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE k.contype = 'f' AND n.nspname = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await?;
            (tables, edges)
        }
    };
    // Parents first; a table referring to itself does not wait for itself.
    let mut ordered: Vec<String> = Vec::with_capacity(tables.len());
    let mut left = tables;
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                edges
                    .iter()
                    .filter(|(child, parent)| child == *t && parent != *t)
                    .all(|(_, parent)| ordered.contains(parent) || !left.contains(parent))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            // A cycle (none in this schema): keep the rest in name order.
            ordered.append(&mut left);
            break;
        }
        left.retain(|t| !ready.contains(t));
        ordered.extend(ready);
    }
    Ok(ordered)
}

/// A table's columns in order, with how their values travel.
async fn columns(conn: &mut Conn, table: &str) -> Result<Vec<(String, Kind)>, CopyError> {
    let rows: Vec<(String, String)> = match backend_of(conn) {
        Backend::Sqlite => {
            sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(name, declared)| {
            let kind = Kind::of_declared(&declared);
            (name, kind)
        })
        .collect())
}

/// Reads one value of `kind` from the source row, converting what SQLite's
/// loose typing may have stored (an integer in a REAL column, say).
fn read(row: &sqlx::any::AnyRow, i: usize, kind: Kind) -> Result<Value, CopyError> {
    Ok(match kind {
        Kind::Integer => Value::Integer(row.try_get::<Option<i64>, _>(i)?),
        Kind::Real => match row.try_get::<Option<f64>, _>(i) {
            Ok(v) => Value::Real(v),
            Err(_) => Value::Real(row.try_get::<Option<i64>, _>(i)?.map(|v| v as f64)),
        },
        Kind::Text => match row.try_get::<Option<String>, _>(i) {
            Ok(v) => Value::Text(v),
            Err(_) => Value::Text(row.try_get::<Option<i64>, _>(i)?.map(|v| v.to_string())),
        },
    })
}

/// Copies one table in batches of multi-row INSERTs; returns the rows read.
async fn copy_table(
    from: &mut Conn,
    to: &mut Conn,
    table: &str,
    columns: &[(String, Kind)],
) -> Result<i64, CopyError> {
    if columns.is_empty() {
        return Ok(0);
    }
    let names: Vec<String> = columns.iter().map(|(n, _)| ident(n)).collect();
    let order = match backend_of(from) {
        Backend::Sqlite => sqlite_order(from, table).await?,
        Backend::Postgres => "1".to_owned(),
    };
    // Audited: names come from the schema, quoted.
    let select = format!(
        "SELECT {} FROM {} ORDER BY {order}",
        names.join(", "),
        ident(table)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(select))
        .fetch_all(&mut *from)
        .await?;
    let per_batch = (BATCH_VALUES / columns.len()).max(1);
    let mut read_rows = 0_i64;
    for chunk in rows.chunks(per_batch) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * columns.len());
        for row in chunk {
            for (i, (_, kind)) in columns.iter().enumerate() {
                values.push(read(row, i, *kind)?);
            }
        }
        let insert = format!(
            "INSERT INTO {} ({}) VALUES {}",
            ident(table),
            names.join(", "),
            values_placeholders(chunk.len(), columns.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert));
        for value in values {
            query = match value {
                Value::Integer(v) => query.bind(v),
                Value::Real(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
            };
        }
        query.execute(&mut *to).await?;
        read_rows += chunk.len() as i64;
    }
    Ok(read_rows)
}

/// How to read a SQLite table in a stable order: by `rowid`, insertion
/// order, which the target's ids and `rowid`s then keep; a `WITHOUT ROWID`
/// table (the replay memory) has none and is read in its key's order.
async fn sqlite_order(conn: &mut Conn, table: &str) -> Result<String, CopyError> {
    let without_rowid: Option<i64> =
        sqlx::query_scalar("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = $1")
            .bind(table)
            .fetch_optional(&mut *conn)
            .await?;
    if without_rowid != Some(1) {
        return Ok("rowid".to_owned());
    }
    let key: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
            .bind(table)
            .fetch_all(&mut *conn)
            .await?;
    Ok(key
        .iter()
        .map(|name| ident(name))
        .collect::<Vec<_>>()
        .join(", "))
}

/// After explicit ids were copied, PostgreSQL's identity columns must
/// continue after the largest (SQLite's AUTOINCREMENT does so by itself).
async fn restart_identities(conn: &mut Conn) -> Result<(), CopyError> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in identities {
        by_table.entry(table).or_default().push(column);
    }
    for (table, columns) in by_table {
        for column in columns {
            // Audited: names come from the schema, quoted (and passed to
            // pg_get_serial_sequence as literals through binds).
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({col}), 0) + 1, false) FROM {tab}",
                col = ident(&column),
                tab = ident(&table),
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(ident(&table))
                .bind(&column)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
