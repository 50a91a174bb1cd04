//! Words and sentences of a story, for the detectors that reason about
//! neighbours (a name next to a cue, a condition in the same sentence as an
//! identifier) rather than about one pattern.
//!
//! The `regex` crate has no look-around, and name detection needs to look
//! up words in hash sets anyway, so the story is cut once into words with
//! their byte offsets and every detector walks that list.

/// One word: letters with inner apostrophes or hyphens ("O'Neil",
/// "Sun-hee"), with its byte span in the story.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

impl Word<'_> {
    /// Starts with a capital and is not all capitals: "Maria", not "ICU".
    pub fn is_capitalized(&self) -> bool {
        let mut chars = self.text.chars();
        chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
    }

    /// The word without a possessive ending: "Sato's" → "Sato".
    pub fn stem(&self) -> &str {
        strip_possessive(self.text)
    }

    pub fn is_possessive(&self) -> bool {
        self.stem().len() != self.text.len()
    }
}

fn strip_possessive(word: &str) -> &str {
    for suffix in ["'s", "’s", "'", "’"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem;
        }
    }
    word
}

/// Every word of `text`, in order.
pub(super) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let joiner = matches!(c, '\'' | '’' | '-');
        if c.is_alphabetic() {
            start.get_or_insert(i);
        } else if joiner
            && start.is_some()
            && chars.peek().is_some_and(|&(_, next)| next.is_alphabetic())
        {
            // inside a word: "O'Neil", "Sun-hee"
        } else if joiner && start.is_some() && matches!(c, '\'' | '’') {
            // a trailing possessive apostrophe ("James'") stays with the word
            let s = start.take().unwrap_or(i);
            let end = i + c.len_utf8();
            out.push(Word {
                text: &text[s..end],
                start: s,
                end,
            });
        } else if let Some(s) = start.take() {
            out.push(Word {
                text: &text[s..i],
                start: s,
                end: i,
            });
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    out
}

/// Lower-cased, without apostrophes, for looking a word up in a lexicon:
/// "O'Connor" → "oconnor", as the Census spells it.
pub(super) fn fold(word: &str) -> String {
    strip_possessive(word)
        .chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Byte ranges of the story's sentences. A sentence ends at `.`, `!`, `?`
/// or a line break followed by white space; "Mr." and "Dr." do not end one,
/// so "Mr. Okonkwo had a stroke" stays whole.
pub(super) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let ends = match b {
            b'\n' => true,
            b'.' | b'!' | b'?' => {
                bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace) && !after_title(&text[..i])
            }
            _ => false,
        };
        if ends {
            if !text[start..i].trim().is_empty() {
                out.push((start, i + 1));
            }
            start = i + 1;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((start, text.len()));
    }
    out
}

fn after_title(before: &str) -> bool {
    let last = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    matches!(last, "Mr" | "Mrs" | "Ms" | "Dr" | "Mx" | "St" | "Prof")
}

/// The sentence that holds byte `at`.
pub(super) fn sentence_of(sentences: &[(usize, usize)], at: usize) -> usize {
    sentences.partition_point(|&(_, end)| end <= at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes_and_hyphens_and_their_offsets() {
        let text = "Yuki Sato's family met Sun-hee and O'Neil — “James'” too.";
        let got: Vec<&str> = words(text).iter().map(|w| w.text).collect();
        assert_eq!(
            got,
            [
                "Yuki", "Sato's", "family", "met", "Sun-hee", "and", "O'Neil", "James'", "too"
            ]
        );
        for w in words(text) {
            assert_eq!(&text[w.start..w.end], w.text);
        }
    }

    #[test]
    fn a_title_does_not_end_a_sentence() {
        let text = "Mr. Okonkwo had a stroke. Then he smiled!\nYes";
        let s = sentences(text);
        assert_eq!(s.len(), 3);
        assert_eq!(&text[s[0].0..s[0].1], "Mr. Okonkwo had a stroke.");
        assert_eq!(sentence_of(&s, text.find("Then").unwrap()), 1);
    }

    #[test]
    fn folding_matches_the_census_spelling() {
        assert_eq!(fold("O'Connor's"), "oconnor");
        assert_eq!(fold("Émile"), "émile");
    }
}
