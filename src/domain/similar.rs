//! Which known word a typo was meant to be: "did you mean `/goal add`?"
//! instead of a wall of help, and the closest pillar or team key when a key
//! is unknown. Plain string work, so the command grammar (in the app) and
//! key resolution (here in the domain) share one rule.

/// The optimal-string-alignment distance between `a` and `b`, by characters
/// and ignoring case: insertions, deletions, substitutions and swaps of two
/// neighbours ("statsu" → "status") each cost one.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    // Three rows: two back (for swaps), one back, and the one being filled.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

/// The known word `typed` most likely meant, if one is close enough: one
/// edit away (two for words of five letters or more), or the only word it
/// begins (`pil` → `pillars`). Ties go to the earlier word in `known`.
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.trim();
    let length = typed.chars().count();
    if length == 0 {
        return None;
    }
    let allowed = if length >= 5 { 2 } else { 1 };
    let known: Vec<&str> = known.into_iter().collect();
    let near = known
        .iter()
        .map(|k| (edit_distance(typed, k), *k))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    near.or_else(|| {
        let lower = typed.to_lowercase();
        let mut starts = known.iter().filter(|k| k.starts_with(&lower));
        match (length >= 2, starts.next(), starts.next()) {
            (true, Some(only), None) => Some(*only),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(edit_distance("add", "add"), 0);
        assert_eq!(edit_distance("ad", "add"), 1);
        assert_eq!(edit_distance("statsu", "status"), 1);
        assert_eq!(edit_distance("STATUS", "status"), 0);
        assert_eq!(edit_distance("", "list"), 4);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ça", "ca"), 1);
    }

    #[test]
    fn the_closest_known_word_is_suggested_only_when_close() {
        let goal = [
            "help", "add", "propose", "update", "list", "show", "edit", "close",
        ];
        assert_eq!(closest("ad", goal), Some("add"));
        assert_eq!(closest("lsit", goal), Some("list"));
        assert_eq!(closest("updaet", goal), Some("update"));
        assert_eq!(closest("prop", goal), Some("propose"));
        assert_eq!(closest("banana", goal), None);
        assert_eq!(closest("x", goal), None);
        assert_eq!(closest("", goal), None);
        let align = ["status", "pillars", "teams", "pillar", "team"];
        assert_eq!(closest("statsu", align), Some("status"));
        assert_eq!(closest("pilars", align), Some("pillars"));
        let pillars = ["patient-care", "people", "finance"];
        assert_eq!(closest("patient-cars", pillars), Some("patient-care"));
        assert_eq!(closest("pat", pillars), Some("patient-care"));
        assert_eq!(closest("growth", pillars), None);
    }
}
