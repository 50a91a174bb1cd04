//! The shipped lexicon of given names and surnames, and the capitalized
//! words that are not names.
//!
//! A capitalized pair of words is only a suspected name when one of them is
//! a known given name or surname; without that, every "Cedar Ward" and
//! "Burns Night" would stop a story. The lists are public-domain (their
//! sources are cited in the files' headers): the U.S. Census Bureau's 1990
//! given names and 2010 surnames, and Tzioumis's CC0 list of 4,250 first
//! names across racial and Hispanic-origin groups. They lean American;
//! names from elsewhere are still caught by shape (a particle such as
//! "de" or "van", a cue such as "patient", a title, an age next to them).

use std::collections::HashSet;
use std::sync::LazyLock;

static GIVEN: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| entries(include_str!("given_names.txt")));
static SURNAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| entries(include_str!("surnames.txt")));

fn entries(file: &'static str) -> HashSet<&'static str> {
    file.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// `folded` is a word as [`super::text::fold`] gives it.
pub(super) fn is_given_name(folded: &str) -> bool {
    GIVEN.contains(folded)
}

pub(super) fn is_surname(folded: &str) -> bool {
    SURNAMES.contains(folded)
}

/// Capitalized words that are not names even when a name list has them
/// ("Ward", "Hope", "Day"): the function words that start a sentence, the
/// calendar, and the places, teams, events and titles that staff stories are
/// full of. Folded (lower-case).
pub(super) fn is_common_word(folded: &str) -> bool {
    COMMON.contains(folded)
}

/// Words that make a capitalized run the name of a place, team, event or
/// thing rather than of a person: "the Mary Seacole Unit", "Florence Ward",
/// "Martin Luther King Day". Folded.
pub(super) fn is_institution_word(folded: &str) -> bool {
    INSTITUTION.contains(folded)
}

#[rustfmt::skip]
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    [
        // function words and sentence openers
        "a", "an", "the", "and", "or", "but", "so", "if", "when", "while", "after",
        "before", "since", "until", "as", "at", "by", "for", "from", "in", "into", "of",
        "on", "to", "with", "without", "over", "under", "about", "across", "our", "my",
        "his", "her", "their", "your", "its", "we", "i", "he", "she", "they", "you", "it",
        "this", "that", "these", "those", "every", "each", "all", "both", "some", "one",
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "no", "not",
        "yes", "thanks", "thank", "today", "yesterday", "tonight", "tomorrow", "last",
        "next", "then", "now", "here", "there", "what", "who", "why", "how", "where",
        "which", "also", "even", "still", "just", "only", "once", "again", "always",
        "never", "finally", "because", "although", "though", "first", "new", "old", "big",
        "little", "great", "good", "best", "happy", "dear", "hi", "hello", "well", "shout",
        "huge", "special", "big", "kudos", "congratulations", "congrats", "welcome",
        "please", "look", "meet", "say", "said",
        // calendar
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "christmas", "easter", "eid",
        "diwali", "hanukkah", "ramadan", "thanksgiving", "halloween", "boxing", "eve",
        "spring", "summer", "autumn", "fall", "winter",
        // titles and roles
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord",
        "lady", "st", "saint", "nurse", "sister", "matron", "doctor", "consultant",
        "registrar", "teacher", "head", "headteacher", "principal", "chief", "executive",
        "director", "manager", "officer", "lead", "leader", "president", "captain", "coach",
        "reverend", "father", "mother", "auntie", "uncle", "grandma", "grandad", "nan",
        "nana", "granny",
        // cues (handled by the cue rule, never the name itself)
        "patient", "patients", "resident", "residents", "student", "students", "pupil",
        "pupils", "client", "clients", "son", "daughter", "husband", "wife", "boy", "girl",
        "baby", "child", "mum", "dad", "mom",
        // common nouns and adjectives seen capitalized in stories
        "advice", "care", "services", "service", "safety", "support", "council", "forum",
        "panel", "records", "record", "liaison", "voice", "group", "association", "union",
        "red", "blue", "green", "white", "black", "gold", "silver", "team", "teams",
        "staff", "health", "medical", "clinical", "mental", "social", "public", "national",
        "royal", "general", "central", "north", "south", "east", "west", "northern",
        "southern", "eastern", "western", "upper", "lower", "great", "grand", "little",
        "young", "old", "new", "junior", "senior", "british", "english", "american",
        "irish", "scottish", "welsh", "african", "asian", "european", "international",
        "sign", "language", "microsoft", "google", "apple", "zoom", "slack", "excel",
        "xero", "word", "key", "stage", "level", "year", "years", "award", "awards",
        "prize", "certificate", "happy", "birthday", "merry", "kindness", "dignity",
        "freedom", "love", "peace", "charity", "pride", "sunflower", "rainbow", "dragon",
        "bag", "bags", "chair", "star", "sky", "river", "lake", "forest", "meadow", "field",
        "glen", "dale", "vale", "haven", "harbour", "harbor", "bridge", "castle", "abbey",
        "church", "chapel", "temple", "mosque", "synagogue", "cathedral",
    ]
    .into_iter()
    .collect()
});

#[rustfmt::skip]
static INSTITUTION: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    [
        "ward", "wards", "unit", "units", "wing", "house", "lodge", "court", "hall",
        "hospital", "clinic", "centre", "center", "hospice", "home", "homes", "school",
        "academy", "college", "university", "primary", "nursery", "library", "church",
        "chapel", "cathedral", "trust", "foundation", "council", "service", "services",
        "team", "teams", "group", "day", "days", "night", "nights", "week", "weeks",
        "fortnight", "month", "year", "fair", "fete", "festival", "round", "rounds",
        "award", "awards", "prize", "scheme", "project", "programme", "program", "forum",
        "panel", "board", "committee", "network", "society", "club", "room", "lounge",
        "suite", "theatre", "theater", "garden", "gardens", "park", "road", "street",
        "lane", "avenue", "drive", "close", "row", "mews", "terrace", "way", "crescent",
        "grove", "square", "walk", "place", "station", "airport", "bridge", "building",
        "block", "site", "office", "department", "directorate", "division", "limited",
        "ltd", "plc", "inc", "llc", "llp", "partners", "associates", "bank", "company",
        "guide", "handbook", "manual", "policy", "pathway", "plan", "report", "review",
        "survey", "bulletin", "newsletter", "times", "gazette", "news", "radio", "tv",
        "cup", "league", "championship", "games", "marathon", "run", "walk", "appeal",
        "campaign", "week", "awareness", "month", "lecture", "conference", "summit", "show",
        "dinner", "breakfast", "lunch", "party", "ball", "gala", "service", "memorial",
        "remembrance", "cafe", "café", "kitchen", "shop", "market", "store", "hotel", "inn",
        "arms", "pub", "restaurant", "cinema", "museum", "gallery", "stadium", "arena",
        "county", "city", "town", "village", "borough", "district", "region", "state",
        "province", "island", "islands", "valley", "hills", "heights", "fields", "green",
        "common", "heath", "estate", "quarter", "cross", "gate", "end", "point", "view",
        "rise", "hill", "parade", "boulevard",
    ]
    .into_iter()
    .collect()
});
