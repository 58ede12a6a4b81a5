//! The terms an account is found by, and how a search box's text becomes the terms to look up.
//!
//! A term is `kind:value` with the value folded (lower case, accents taken off), so one ordered
//! index answers every kind of search with a range scan on both databases:
//! `n:` account number, `w:` a word of a name or the service address, `e:` an email address,
//! `p:` a phone number's E.164 digits. The browser never needs this: the search page renders on
//! the server.

use crate::contact::PhoneNumber;
use std::collections::BTreeSet;

/// What an account is found by: its own fields and its recipients' names and contacts.
#[derive(Debug, Clone, Default)]
pub struct SearchDocument {
    pub account_number: String,
    pub customer_name: String,
    pub service_address: String,
    /// Recipients' names (the primary's is usually the customer's own).
    pub names: Vec<String>,
    pub emails: Vec<String>,
    /// Phone numbers in E.164 (`+15185550142`).
    pub phones: Vec<String>,
}

impl SearchDocument {
    /// Every term of the account, each once.
    pub fn terms(&self) -> BTreeSet<String> {
        let mut terms = BTreeSet::new();
        terms.insert(format!("{NUMBER}{}", self.account_number));
        let texts = [&self.customer_name, &self.service_address].into_iter().chain(&self.names);
        for word in texts.flat_map(|text| words(text)) {
            terms.insert(format!("{WORD}{word}"));
        }
        for email in &self.emails {
            terms.insert(format!("{EMAIL}{}", email.trim().to_lowercase()));
        }
        for phone in &self.phones {
            terms.insert(format!("{PHONE}{}", phone.trim_start_matches('+')));
        }
        terms
    }

    /// The terms as stored beside the account: space-separated with a space at each end, so a
    /// term's presence is a substring test for ` term ` (or ` prefix` for a prefix).
    pub fn term_list(&self) -> String {
        join_terms(&self.terms())
    }
}

/// Terms as stored beside the account (see [`SearchDocument::term_list`]).
pub fn join_terms(terms: &BTreeSet<String>) -> String {
    let mut list = String::from(" ");
    for term in terms {
        list.push_str(term);
        list.push(' ');
    }
    list
}

/// The terms in a stored list.
pub fn split_terms(list: &str) -> BTreeSet<String> {
    list.split(' ').filter(|term| !term.is_empty()).map(str::to_owned).collect()
}

const NUMBER: &str = "n:";
const WORD: &str = "w:";
const EMAIL: &str = "e:";
const PHONE: &str = "p:";

/// Why a search was not run, in words for the search box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error(
        "Type an account number, a name, an email address, a phone number or a service address."
    )]
    Empty,
    #[error("That would match too many accounts: type at least 2 letters or 3 digits.")]
    TooBroad,
}

/// Terms that match one piece of the query: an exact term or every term starting with a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermMatch {
    Exact(String),
    Prefix(String),
}

impl TermMatch {
    /// The first term this matches, and the first past every match, for an index range scan.
    pub fn range(&self) -> (String, String) {
        match self {
            // No term holds a control character, so nothing sorts between `term` and this.
            // (Not NUL: PostgreSQL text cannot hold it.)
            TermMatch::Exact(term) => (term.clone(), format!("{term}\u{1}")),
            // U+10FFFF sorts after every other character in UTF-8 byte order, which both
            // databases use for the terms (SQLite's BINARY, PostgreSQL's COLLATE "C").
            TermMatch::Prefix(prefix) => (prefix.clone(), format!("{prefix}\u{10FFFF}")),
        }
    }

    /// The text whose presence in a stored term list (see [`SearchDocument::term_list`]) means
    /// the account has a matching term.
    pub fn needle(&self) -> String {
        match self {
            TermMatch::Exact(term) => format!(" {term} "),
            TermMatch::Prefix(prefix) => format!(" {prefix}"),
        }
    }

    fn len(&self) -> usize {
        match self {
            TermMatch::Exact(term) | TermMatch::Prefix(term) => term.len(),
        }
    }
}

/// One piece of the query: an account matches it when it has a term matching any alternative
/// (a run of digits may be an account number or a house number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryPart(pub Vec<TermMatch>);

/// A parsed search: an account matches when it matches every part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    parts: Vec<QueryPart>,
}

impl SearchQuery {
    /// Reads the search box: a whole phone number in any layout, an email address, or words
    /// (names, address words, account number digits), each matched as a prefix.
    pub fn parse(input: &str) -> Result<Self, SearchError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(SearchError::Empty);
        }
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 10 {
            if let Ok(phone) = PhoneNumber::parse(text) {
                let mut alternatives =
                    vec![TermMatch::Exact(format!("{PHONE}{}", &phone.as_e164()[1..]))];
                if digits.len() == text.len() {
                    alternatives.push(TermMatch::Prefix(format!("{NUMBER}{digits}")));
                }
                return Ok(Self { parts: vec![QueryPart(alternatives)] });
            }
        }
        // Account numbers are typed with spaces or dashes, like everywhere else.
        if digits.len() >= 6 && text.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
            let prefix = TermMatch::Prefix(format!("{NUMBER}{digits}"));
            return Ok(Self { parts: vec![QueryPart(vec![prefix])] });
        }
        if text.contains('@') {
            let email = text.to_lowercase();
            return Ok(Self {
                parts: vec![QueryPart(vec![TermMatch::Prefix(format!("{EMAIL}{email}"))])],
            });
        }
        let parts: Vec<QueryPart> = words(text)
            .into_iter()
            .map(|word| {
                let mut alternatives = vec![TermMatch::Prefix(format!("{WORD}{word}"))];
                if word.len() >= 3 && word.bytes().all(|b| b.is_ascii_digit()) {
                    alternatives.insert(0, TermMatch::Prefix(format!("{NUMBER}{word}")));
                }
                QueryPart(alternatives)
            })
            .collect();
        let longest = parts.iter().map(|part| part.0[0].len() - WORD.len()).max().unwrap_or(0);
        if parts.is_empty() || longest < 2 {
            return Err(SearchError::TooBroad);
        }
        Ok(Self { parts })
    }

    /// The parts of the query; an account must match each.
    pub fn parts(&self) -> &[QueryPart] {
        &self.parts
    }

    /// The part at `index`, to scan the index for, and the others, to check against each
    /// candidate's stored terms.
    pub fn split(&self, index: usize) -> (&QueryPart, Vec<&QueryPart>) {
        let others = self.parts.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, p)| p);
        (&self.parts[index], others.collect())
    }

    /// Whether an account with this stored term list matches (the same test the store makes).
    pub fn matches(&self, term_list: &str) -> bool {
        self.parts
            .iter()
            .all(|part| part.0.iter().any(|alternative| term_list.contains(&alternative.needle())))
    }
}

/// The words of a name or address, folded: lower case, accents off, apostrophes dropped
/// ("O'Brien" is "obrien"), split at anything that is not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c == '\'' || c == '’' {
            continue;
        }
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                push_folded(lower, &mut current);
            }
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Pushes a lower-case letter without its accent: the Latin letters of names in North America
/// and Europe. Other characters stay as they are.
fn push_folded(c: char, out: &mut String) {
    const TABLE: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("çćĉċč", "c"),
        ("ďđð", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõöøōŏő", "o"),
        ("ŕŗř", "r"),
        ("śŝşšș", "s"),
        ("ţťŧț", "t"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
        ("æ", "ae"),
        ("œ", "oe"),
        ("ß", "ss"),
        ("þ", "th"),
    ];
    match TABLE.iter().find(|(accented, _)| !c.is_ascii() && accented.contains(c)) {
        Some((_, base)) => out.push_str(base),
        None => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jose() -> SearchDocument {
        SearchDocument {
            account_number: "3000012345".into(),
            customer_name: "José O'Brien-Núñez".into(),
            service_address: "42 Maple Ave, Albany, NY 12207".into(),
            names: vec!["José O'Brien-Núñez".into(), "Zoë Weiß".into()],
            emails: vec!["Jose@Example.com".into()],
            phones: vec!["+15185550142".into()],
        }
    }

    fn finds(query: &str) -> bool {
        SearchQuery::parse(query).unwrap().matches(&jose().term_list())
    }

    #[test]
    fn names_are_found_by_prefix_whatever_the_case_and_accents() {
        for query in ["jose", "JOSÉ", "Jos", "obrien", "O'Brien", "nunez", "Núñ", "zoe", "weiss"]
        {
            assert!(finds(query), "{query}");
        }
        assert!(!finds("josef"));
    }

    #[test]
    fn every_word_of_the_query_must_match() {
        assert!(finds("jose nunez"));
        assert!(finds("42 maple"));
        assert!(!finds("jose smith"));
    }

    #[test]
    fn a_phone_number_is_found_in_any_layout() {
        for query in
            ["(518) 555-0142", "518.555.0142", "1 518 555 0142", "+1 518-555-0142", "5185550142"]
        {
            assert!(finds(query), "{query}");
        }
        assert!(!finds("(518) 555-0143"));
    }

    #[test]
    fn account_numbers_are_found_exactly_or_by_prefix() {
        assert!(finds("3000012345"));
        assert!(finds("300001"));
        assert!(finds("3000-012345"));
        assert!(!finds("3000012346"));
    }

    #[test]
    fn email_addresses_are_found_whatever_the_case() {
        assert!(finds("jose@example.com"));
        assert!(finds("JOSE@EXAMPLE"));
        assert!(!finds("joseph@example.com"));
    }

    #[test]
    fn service_address_words_are_found() {
        assert!(finds("Albany"));
        assert!(finds("12207"));
        assert!(finds("maple av"));
    }

    #[test]
    fn empty_and_over_broad_queries_are_refused_with_a_reason() {
        assert_eq!(SearchQuery::parse("   "), Err(SearchError::Empty));
        assert_eq!(SearchQuery::parse("a"), Err(SearchError::TooBroad));
        assert_eq!(SearchQuery::parse("a b"), Err(SearchError::TooBroad));
        assert_eq!(SearchQuery::parse("--"), Err(SearchError::TooBroad));
        assert!(SearchQuery::parse("li").is_ok());
    }

    #[test]
    fn a_query_splits_into_the_part_to_scan_and_the_parts_to_check() {
        let query = SearchQuery::parse("jo smithers").unwrap();
        let (scan, others) = query.split(1);
        assert_eq!(scan.0, vec![TermMatch::Prefix("w:smithers".into())]);
        assert_eq!(others, vec![&QueryPart(vec![TermMatch::Prefix("w:jo".into())])]);
    }

    #[test]
    fn digits_may_be_an_account_number_or_a_house_number() {
        let query = SearchQuery::parse("4242").unwrap();
        assert_eq!(
            query.parts()[0].0,
            vec![TermMatch::Prefix("n:4242".into()), TermMatch::Prefix("w:4242".into())]
        );
    }

    #[test]
    fn ranges_cover_exactly_their_terms() {
        let (low, high) = TermMatch::Prefix("w:smi".into()).range();
        for inside in ["w:smi", "w:smith", "w:smizzz", "w:smiñ"] {
            assert!(low.as_str() <= inside && inside < high.as_str(), "{inside}");
        }
        for outside in ["w:smh", "w:smj", "w:sm"] {
            assert!(!(low.as_str() <= outside && outside < high.as_str()), "{outside}");
        }
        let (low, high) = TermMatch::Exact("p:15185550142".into()).range();
        assert!(low.as_str() <= "p:15185550142" && "p:15185550142" < high.as_str());
        assert!("p:151855501420" >= high.as_str());
    }

    #[test]
    fn stored_term_lists_round_trip() {
        let terms = jose().terms();
        assert_eq!(split_terms(&join_terms(&terms)), terms);
        assert!(terms.contains("w:weiss") && terms.contains("p:15185550142"));
    }
}
