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

/// Splits a trailing `org:<n>` off a team's priority item: the item serves
/// the organization's priority number `n` of the month (the cascade from the
/// organization's priorities to the team's). Anything else stays text.
pub fn split_org_link(item: &str) -> (String, Option<i64>) {
    let item = item.trim();
    if let Some((text, last)) = item.rsplit_once(char::is_whitespace)
        && let Some(n) = last
            .strip_prefix("org:")
            .or_else(|| last.strip_prefix("ORG:"))
            .and_then(|n| n.parse::<i64>().ok())
        && (1..=PriorityList::MAX_ITEMS as i64).contains(&n)
        && !text.trim().is_empty()
    {
        return (text.trim().to_owned(), Some(n));
    }
    (item.to_owned(), None)
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

    #[test]
    fn a_trailing_org_number_links_an_item_to_the_organizations() {
        assert_eq!(
            split_org_link("Hire 2 nurses org:2"),
            ("Hire 2 nurses".to_owned(), Some(2))
        );
        assert_eq!(
            split_org_link("Flu clinic"),
            ("Flu clinic".to_owned(), None)
        );
        assert_eq!(split_org_link("org:2"), ("org:2".to_owned(), None));
        assert_eq!(
            split_org_link("Ask org:9"),
            ("Ask org:9".to_owned(), None),
            "beyond the seven items it is text"
        );
        assert_eq!(
            split_org_link("See org:two"),
            ("See org:two".to_owned(), None)
        );
    }
}
