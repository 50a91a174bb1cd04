//! A batch of shared moments on SQLite in one hand-off to the connection's
//! thread.
//!
//! Every statement sqlx runs on SQLite is a hand-off to the connection's
//! own thread and back: two context switches, which on a busy machine were
//! the larger part of a lone `/moment`'s time (see BENCHMARKS.md, issue 14).
//! So a batch of shares alone is sent as one multi-statement query:
//! `BEGIN IMMEDIATE`, then for each share its replay entry, its moment (only
//! if that entry was new and the author is under the limit), the moment's
//! outbox row and the thank-you to the author's nudge, then `COMMIT`, with
//! every value bound. The rows that carry the moment's or the nudge's id
//! (their payloads, a dedupe key) are built for a sentinel id and cut around
//! it, and SQL puts the real id in between.
//!
//! It decides exactly as the statement-by-statement path in `writer`, which
//! PostgreSQL (one statement per prepared query) and batches mixed with
//! other writes take.

use super::moments::millis;
use super::outbox::NewOutgoing;
use super::writer::{NewShare, Shared};
use super::{Conn, StoreError, moments};
use crate::domain::{MomentId, PillarKey};
use sqlx::{Column, Row};
use std::sync::LazyLock;

/// Stands for an id that SQL fills in; no real id comes near it.
const SENTINEL: i64 = 7_340_032_981_276_543_219;

/// Shares per query. SQLite keeps every statement of a prepared query
/// compiled, and one query is kept per batch size (with and without
/// BEGIN/COMMIT): at 32 shares a query, the 2,000 statements of sizes 1 to
/// 32 took about 20 MB; at 8, about 300 take a few. A larger batch is
/// several queries between its own BEGIN and COMMIT.
const CHUNK: usize = 8;

/// Values bound per share (see [`share_sql`]).
const PARAMS: usize = 20;

/// `text` cut around the sentinel: what comes before and after the id.
fn cut(text: &str) -> Option<(String, String)> {
    let mark = SENTINEL.to_string();
    let mut parts = text.split(mark.as_str());
    let (before, after) = (parts.next()?, parts.next()?);
    parts
        .next()
        .is_none()
        .then(|| (before.to_owned(), after.to_owned()))
}

/// A row whose id SQL fills in.
struct Template {
    lane: Option<String>,
    dedupe: Option<(String, String)>,
    payload: (String, String),
    expires_at: Option<i64>,
}

impl Template {
    fn of(row: NewOutgoing) -> Option<Self> {
        let dedupe = match &row.dedupe_key {
            Some(key) => Some(cut(key)?),
            None => None,
        };
        Some(Self {
            payload: cut(&row.payload)?,
            lane: row.lane,
            dedupe,
            expires_at: row.expires_at.map(millis),
        })
    }
}

/// A share ready to bind: its moment's row and its thank-you's, as templates.
pub(super) struct Ready {
    post: Template,
    thank: Option<(&'static str, String, Template)>,
}

/// The templates of a share's rows; `None` when a row does not show the
/// id exactly once (that batch takes the statement-by-statement path).
pub(super) fn ready(share: &NewShare) -> Option<Ready> {
    let post = Template::of((share.outgoing)(MomentId(SENTINEL)))?;
    let thank = match &share.thank {
        Some(thank) => Some((
            thank.job,
            thank.period.clone(),
            Template::of((thank.outgoing)(SENTINEL))?,
        )),
        None => None,
    };
    Some(Ready { post, thank })
}

/// The statements of share `i` of a query, its values numbered from
/// `$base + 1`.
fn share_sql(i: usize, base: usize) -> String {
    let p = |n: usize| format!("${}", base + n);
    let (hash, until, author, story, pillar, audience, now, since, limit) =
        (p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8), p(9));
    let (lane, before, after, expires) = (p(10), p(11), p(12), p(13));
    let (t_lane, t_key_before, t_key_after, t_before, t_after, job, period) =
        (p(14), p(15), p(16), p(17), p(18), p(19), p(20));
    format!(
        "INSERT INTO request_replays (signature_hash, expires_at) SELECT {hash}, {until} \
         WHERE {hash} IS NOT NULL ON CONFLICT DO NOTHING RETURNING {i} AS fresh;\n\
         INSERT INTO moments (author, story, pillar_key, audience, status, created_at, updated_at) \
         SELECT {author}, {story}, {pillar}, {audience}, 'shared', {now}, {now} \
         WHERE ({hash} IS NULL OR changes() = 1) \
         AND ({limit} IS NULL OR (SELECT COUNT(*) FROM moments WHERE author = {author} \
         AND created_at >= {since} AND status <> 'draft') < {limit}) \
         RETURNING id AS moment, {i} AS share;\n\
         INSERT INTO outbox (lane, payload, status, attempts, next_attempt_at, expires_at, created_at) \
         SELECT {lane}, {before} || last_insert_rowid() || {after}, 'pending', 0, {now}, {expires}, {now} \
         WHERE changes() = 1;\n\
         INSERT INTO outbox (lane, dedupe_key, payload, status, attempts, next_attempt_at, expires_at, created_at) \
         SELECT {t_lane}, {t_key_before} || n.id || {t_key_after}, {t_before} || n.id || {t_after}, \
         'pending', 0, {now}, NULL, {now} FROM nudges n \
         WHERE changes() = 1 AND n.job = {job} AND n.period = {period} AND n.person_id = {author} \
         AND n.channel IS NOT NULL \
         ON CONFLICT (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL \
         DO UPDATE SET again = CASE WHEN outbox.lease_until IS NOT NULL THEN 1 ELSE outbox.again END;\n"
    )
}

/// The query for `n` shares (1 to [`CHUNK`]), between its own `BEGIN
/// IMMEDIATE` and `COMMIT` when `alone`: built once per size, not per batch.
fn chunk_sql(n: usize, alone: bool) -> &'static str {
    static SQL: LazyLock<Vec<[String; 2]>> = LazyLock::new(|| {
        (1..=CHUNK)
            .map(|n| {
                let body: String = (0..n).map(|i| share_sql(i, i * PARAMS)).collect();
                [body.clone(), format!("BEGIN IMMEDIATE;\n{body}COMMIT;")]
            })
            .collect()
    });
    &SQL[n - 1][usize::from(alone)]
}

/// Writes `shares` (with their [`ready`] templates) in one transaction and
/// says what became of each, in order.
pub(super) async fn write(
    conn: &mut Conn,
    shares: &[(NewShare, Ready)],
) -> Result<Vec<Shared>, StoreError> {
    let outcome = run(conn, shares).await;
    if outcome.is_err() {
        // The transaction may be open: nothing of it remains.
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
    let (fresh, posted) = outcome?;
    let mut result = Vec::with_capacity(shares.len());
    for (i, (share, _)) in shares.iter().enumerate() {
        result.push(match posted[i] {
            Some(id) => Shared::Posted(MomentId(id)),
            None if share.replay.is_some() && !fresh[i] => Shared::Replay,
            None => {
                // Under the limit's count only: the rare refusal reads the
                // times it names after the commit.
                let (max, since) = share.limit.ok_or_else(|| {
                    StoreError::Corrupt("a share without a limit was not stored".into())
                })?;
                let author = share.draft.author.as_str();
                let mut recent = moments::shared_since_by(conn, &[author], since).await?;
                let times = recent.remove(author).unwrap_or_default();
                if times.len() < max as usize {
                    return Err(StoreError::Corrupt(
                        "a share under the limit was not stored".into(),
                    ));
                }
                Shared::OverLimit(times)
            }
        });
    }
    Ok(result)
}

type Decided = (Vec<bool>, Vec<Option<i64>>);

/// Share `i` of the chunk that starts at `offset`.
fn at<T>(all: &mut [T], offset: usize, i: i64) -> Option<&mut T> {
    all.get_mut(offset + usize::try_from(i).ok()?)
}

async fn run(conn: &mut Conn, shares: &[(NewShare, Ready)]) -> Result<Decided, StoreError> {
    let mut fresh = vec![false; shares.len()];
    let mut posted = vec![None; shares.len()];
    let alone = shares.len() <= CHUNK;
    if !alone {
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    }
    for (c, chunk) in shares.chunks(CHUNK).enumerate() {
        let sql = chunk_sql(chunk.len(), alone);
        // Audited: only numbered placeholders and indexes are formatted in.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (share, ready) in chunk {
            let replay = share.replay.as_ref();
            // No limit: NULL, and the author's moments are not counted (with
            // the limit off, `since` would reach back to their first).
            let (limit, since) = share.limit.map_or((None, 0), |(max, since)| {
                (Some(i64::from(max)), millis(since))
            });
            let thank = ready.thank.as_ref();
            let dedupe = thank.and_then(|(_, _, t)| t.dedupe.as_ref());
            query = query
                .bind(replay.map(|r| r.hash.as_str()))
                .bind(replay.map(|r| millis(r.until)))
                .bind(share.draft.author.as_str())
                .bind(share.draft.story.as_str())
                .bind(share.draft.pillar.as_ref().map(PillarKey::as_str))
                .bind(share.draft.audience.as_str())
                .bind(millis(share.now))
                .bind(since)
                .bind(limit)
                .bind(ready.post.lane.as_deref())
                .bind(ready.post.payload.0.as_str())
                .bind(ready.post.payload.1.as_str())
                .bind(ready.post.expires_at)
                .bind(thank.and_then(|(_, _, t)| t.lane.as_deref()))
                .bind(dedupe.map(|d| d.0.as_str()))
                .bind(dedupe.map(|d| d.1.as_str()))
                .bind(thank.map(|(_, _, t)| t.payload.0.as_str()))
                .bind(thank.map(|(_, _, t)| t.payload.1.as_str()))
                .bind(thank.map(|(job, _, _)| *job))
                .bind(thank.map(|(_, period, _)| period.as_str()));
        }
        let offset = c * CHUNK;
        for row in query.fetch_all(&mut *conn).await? {
            let first = row.columns().first().map(|c| c.name().to_owned());
            match first.as_deref() {
                Some("fresh") => {
                    let i: i64 = row.try_get(0)?;
                    if let Some(slot) = at(&mut fresh, offset, i) {
                        *slot = true;
                    }
                }
                Some("moment") => {
                    let (id, i): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
                    if let Some(slot) = at(&mut posted, offset, i) {
                        *slot = Some(id);
                    }
                }
                _ => {}
            }
        }
    }
    if !alone {
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
    }
    Ok((fresh, posted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_cut_around_the_one_sentinel_only() {
        let json = format!(r#"{{"kind":"post_moment","moment":{SENTINEL},"channel":"C1"}}"#);
        assert_eq!(
            cut(&json),
            Some((
                r#"{"kind":"post_moment","moment":"#.to_owned(),
                r#","channel":"C1"}"#.to_owned()
            ))
        );
        assert_eq!(cut("no id here"), None);
        assert_eq!(cut(&format!("{SENTINEL} and {SENTINEL}")), None);
    }
}
