//! What each export file holds: one struct per file, one field per column.
//!
//! The field order is the column order, and both are part of the operator
//! contract documented in docs/operations.md ("Export and import"): add columns at
//! the end, never rename or reorder them. `COLUMNS` repeats the names so a
//! CSV file gets its header even when it has no rows; a unit test checks
//! that it matches the fields.
//!
//! Times are RFC 3339 in UTC with milliseconds; numbers are plain (`45`,
//! `45.5`, never `4.5e1`); absent values are empty cells in CSV and `null`
//! in JSON.

use super::formula::guard_in_place;
use serde::{Serialize, Serializer};

/// A row of one export file.
pub trait ExportRow: Serialize {
    /// The file's name without extension.
    const FILE: &'static str;
    /// The column names, in order.
    const COLUMNS: &'static [&'static str];
    /// Marks the free-text fields that a spreadsheet would run as formulas
    /// (CSV only; see [`super::formula`]).
    fn guard_formulas(&mut self);
}

/// Whole numbers without a decimal point (`45`, not `45.0`), so that values
/// read back the way people typed them.
fn number<S: Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() < EXACT {
        s.serialize_i64(*value as i64)
    } else {
        s.serialize_f64(*value)
    }
}

fn maybe_number<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => number(v, s),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PillarRow {
    pub key: String,
    pub name: String,
    pub description: String,
    pub emoji: String,
    /// 1-based order in which pillars are shown.
    pub position: i64,
    pub archived_at: Option<String>,
}

impl ExportRow for PillarRow {
    const FILE: &'static str = "pillars";
    const COLUMNS: &'static [&'static str] = &[
        "key",
        "name",
        "description",
        "emoji",
        "position",
        "archived_at",
    ];
    fn guard_formulas(&mut self) {
        guard_in_place(&mut self.name);
        guard_in_place(&mut self.description);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamRow {
    pub key: String,
    pub name: String,
    pub channel: String,
    /// Person ids separated by spaces.
    pub leaders: String,
    pub members: String,
    /// Local dates `YYYY-MM-DD` separated by spaces.
    pub holidays: String,
}

impl ExportRow for TeamRow {
    const FILE: &'static str = "teams";
    const COLUMNS: &'static [&'static str] =
        &["key", "name", "channel", "leaders", "members", "holidays"];
    fn guard_formulas(&mut self) {
        guard_in_place(&mut self.name);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalRow {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub pillar: String,
    pub team: Option<String>,
    pub owner: String,
    /// `numeric`, `percent` or `milestone`.
    pub kind: &'static str,
    #[serde(serialize_with = "maybe_number")]
    pub start: Option<f64>,
    #[serde(serialize_with = "maybe_number")]
    pub target: Option<f64>,
    /// `%`, a currency symbol, a word (`min`), or empty.
    pub unit: Option<String>,
    #[serde(serialize_with = "maybe_number")]
    pub current: Option<f64>,
    /// 0–100, one decimal.
    #[serde(serialize_with = "number")]
    pub progress_percent: f64,
    /// `on-track`, `at-risk`, `off-track`, or empty before the first check-in.
    pub confidence: Option<String>,
    /// `active`, `achieved` or `dropped`.
    pub status: String,
    pub due: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub closed_note: Option<String>,
}

impl ExportRow for GoalRow {
    const FILE: &'static str = "goals";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "year",
        "title",
        "pillar",
        "team",
        "owner",
        "kind",
        "start",
        "target",
        "unit",
        "current",
        "progress_percent",
        "confidence",
        "status",
        "due",
        "created_by",
        "created_at",
        "closed_at",
        "closed_note",
    ];
    fn guard_formulas(&mut self) {
        guard_in_place(&mut self.title);
        if let Some(note) = &mut self.closed_note {
            guard_in_place(note);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckInRow {
    pub id: i64,
    pub goal_id: i64,
    pub at: String,
    #[serde(serialize_with = "number")]
    pub value: f64,
    pub confidence: String,
    pub note: Option<String>,
    pub author: String,
}

impl ExportRow for CheckInRow {
    const FILE: &'static str = "check_ins";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "goal_id",
        "at",
        "value",
        "confidence",
        "note",
        "author",
    ];
    fn guard_formulas(&mut self) {
        if let Some(note) = &mut self.note {
            guard_in_place(note);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityRow {
    pub team: String,
    /// `YYYY-MM`, in the organization's time zone.
    pub month: String,
    /// 1-based.
    pub position: i64,
    pub text: String,
    pub goal_id: Option<i64>,
    /// How the item ended, from the next month's review: `done`,
    /// `carried-over`, `dropped`, or empty when not reviewed (yet).
    pub review: Option<String>,
    pub author: String,
    pub published_at: String,
}

impl ExportRow for PriorityRow {
    const FILE: &'static str = "priorities";
    const COLUMNS: &'static [&'static str] = &[
        "team",
        "month",
        "position",
        "text",
        "goal_id",
        "review",
        "author",
        "published_at",
    ];
    fn guard_formulas(&mut self) {
        guard_in_place(&mut self.text);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MomentRow {
    pub id: i64,
    pub posted_at: String,
    pub author: String,
    pub pillar: Option<String>,
    pub story: String,
    /// `channel` (the moments channel) or `leaders` (leadership only).
    pub visibility: String,
    pub channel: Option<String>,
    pub ts: Option<String>,
    pub reaction_count: i64,
    /// Person ids separated by spaces.
    pub recognized: String,
}

impl ExportRow for MomentRow {
    const FILE: &'static str = "moments";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "posted_at",
        "author",
        "pillar",
        "story",
        "visibility",
        "channel",
        "ts",
        "reaction_count",
        "recognized",
    ];
    fn guard_formulas(&mut self) {
        guard_in_place(&mut self.story);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header serde writes from the fields must be the documented one.
    fn header_of<R: ExportRow>(row: R) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header = text.lines().next().unwrap();
        assert_eq!(header, R::COLUMNS.join(","), "{}", R::FILE);
    }

    #[test]
    fn columns_match_the_fields_of_every_row() {
        header_of(PillarRow {
            key: "k".into(),
            name: "n".into(),
            description: String::new(),
            emoji: String::new(),
            position: 1,
            archived_at: None,
        });
        header_of(TeamRow {
            key: "k".into(),
            name: "n".into(),
            channel: "C1".into(),
            leaders: String::new(),
            members: String::new(),
            holidays: String::new(),
        });
        header_of(goal());
        header_of(CheckInRow {
            id: 1,
            goal_id: 1,
            at: "t".into(),
            value: 1.0,
            confidence: "on-track".into(),
            note: None,
            author: "U1X".into(),
        });
        header_of(PriorityRow {
            team: "t".into(),
            month: "2026-01".into(),
            position: 1,
            text: "x".into(),
            goal_id: None,
            review: None,
            author: "U1X".into(),
            published_at: "t".into(),
        });
        header_of(MomentRow {
            id: 1,
            posted_at: "t".into(),
            author: "U1X".into(),
            pillar: None,
            story: "s".into(),
            visibility: "channel".into(),
            channel: None,
            ts: None,
            reaction_count: 0,
            recognized: String::new(),
        });
    }

    fn goal() -> GoalRow {
        GoalRow {
            id: 1,
            year: 2027,
            title: "t".into(),
            pillar: "p".into(),
            team: None,
            owner: "U1X".into(),
            kind: "numeric",
            start: Some(45.0),
            target: Some(-1.25),
            unit: Some("min".into()),
            current: None,
            progress_percent: 33.3,
            confidence: None,
            status: "active".into(),
            due: None,
            created_by: "U1X".into(),
            created_at: "t".into(),
            closed_at: None,
            closed_note: None,
        }
    }

    #[test]
    fn whole_numbers_have_no_decimal_point_and_fractions_keep_theirs() {
        let json = serde_json::to_value(goal()).unwrap();
        assert_eq!(json["start"].to_string(), "45");
        assert_eq!(json["target"].to_string(), "-1.25");
        assert_eq!(json["progress_percent"].to_string(), "33.3");
        assert!(json["current"].is_null());
    }
}
