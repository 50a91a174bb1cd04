//! A team's priorities for a month: a short ordered list, shown as written.

use super::DomainError;

/// The items of a team's monthly priorities: 1 to 7, each 1 to 200
/// characters. Why 7: more than that and nothing is a priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityList(Vec<String>);

impl PriorityList {
    pub const MAX_ITEMS: usize = 7;
    pub const MAX_CHARS: usize = 200;

    /// Items as typed: empty ones are dropped, the rest trimmed.
    pub fn new(items: impl IntoIterator<Item = String>) -> Result<Self, DomainError> {
        let items: Vec<String> = items
            .into_iter()
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .collect();
        if items.is_empty() {
            return Err(DomainError::Invalid {
                what: "priorities",
                value: String::new(),
                rule: "give at least one item: /priorities publish <item>; <item>; …",
            });
        }
        if items.len() > Self::MAX_ITEMS {
            return Err(DomainError::Rule(format!(
                "You listed {} items; priorities are at most {}. Keep what matters most this month.",
                items.len(),
                Self::MAX_ITEMS
            )));
        }
        if let Some((n, long)) = items
            .iter()
            .enumerate()
            .find(|(_, i)| i.chars().count() > Self::MAX_CHARS)
        {
            return Err(DomainError::Rule(format!(
                "Item {} (“{}”) is {} characters long; each item is at most {}. Shorten it.",
                n + 1,
                quote_start(long, 40),
                long.chars().count(),
                Self::MAX_CHARS
            )));
        }
        if items.iter().any(|i| i.chars().any(|c| c.is_control())) {
            return Err(DomainError::UnreadableText);
        }
        Ok(Self(items))
    }

    /// `a; b; c` as typed after `/priorities publish`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        Self::new(text.split(';').map(str::to_owned))
    }

    pub fn items(&self) -> &[String] {
        &self.0
    }
}

/// The start of `text` for quoting: at most `max` characters, cut at a
/// word (never mid-word) and marked with "…".
pub fn quote_start(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let next_is_space = text.chars().nth(max).is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        cut.trim_end().to_owned()
    } else {
        match cut.rfind(char::is_whitespace) {
            Some(i) if i > 0 => cut[..i].trim_end().to_owned(),
            _ => cut,
        }
    };
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_too_long_or_an_item_too_long_is_explained_in_plain_words() {
        let many = PriorityList::parse("a;b;c;d;e;f;g;h;i")
            .unwrap_err()
            .to_string();
        assert_eq!(
            many,
            "You listed 9 items; priorities are at most 7. Keep what matters most this month."
        );
        let long = format!(
            "Reduce the number of unplanned readmissions {}",
            "x".repeat(200)
        );
        let said = PriorityList::parse(&format!("ok; {long}"))
            .unwrap_err()
            .to_string();
        assert!(
            said.starts_with("Item 2 (“Reduce the number of unplanned…”) is 244 characters"),
            "{said}"
        );
    }

    #[test]
    fn a_quote_is_cut_at_a_word() {
        assert_eq!(quote_start("short", 40), "short");
        assert_eq!(quote_start("alpha beta gamma", 12), "alpha beta…");
        assert_eq!(quote_start("alpha beta gamma", 10), "alpha beta…");
        assert_eq!(quote_start("abcdefghij", 4), "abcd…");
    }

    #[test]
    fn items_are_split_on_semicolons_trimmed_and_kept_as_written() {
        let list = PriorityList::parse(" Hire 2 nurses ;  *Flu* clinic <!here>;; ").unwrap();
        assert_eq!(list.items(), ["Hire 2 nurses", "*Flu* clinic <!here>"]);
    }

    #[test]
    fn empty_too_many_or_too_long_lists_are_refused() {
        assert!(PriorityList::parse(" ; ").is_err());
        assert!(PriorityList::parse("a;b;c;d;e;f;g;h").is_err());
        assert!(PriorityList::parse(&"x".repeat(201)).is_err());
        assert!(PriorityList::parse(&"é".repeat(200)).is_ok());
    }
}
