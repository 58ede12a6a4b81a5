use crate::accounts::{AccountNumber, ServicePoint};
use serde::{Deserialize, Serialize};

/// Results shown on one page of a search.
pub const RESULTS_PER_PAGE: usize = 20;

/// One account found, as the results list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMatch {
    pub account_number: AccountNumber,
    pub customer_name: String,
    pub service_address: String,
    pub service_points: Vec<ServicePoint>,
}

/// Where the next page of results starts: after this index entry (term, account id). It rides
/// in the page's URL as `term|id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchCursor {
    pub term: String,
    pub account_id: i64,
}

impl SearchCursor {
    pub fn encode(&self) -> String {
        format!("{}|{}", self.term, self.account_id)
    }

    /// `None` for anything that is not a cursor this page made: the search starts over.
    pub fn decode(text: &str) -> Option<Self> {
        let (term, id) = text.rsplit_once('|')?;
        Some(Self { term: term.to_owned(), account_id: id.parse().ok()? })
    }
}

/// One page of results, and where the next one starts if there are more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub matches: Vec<AccountMatch>,
    pub next: Option<SearchCursor>,
}

#[cfg(test)]
mod tests {
    use super::SearchCursor;

    #[test]
    fn cursors_round_trip_and_nonsense_starts_over() {
        let cursor = SearchCursor { term: "w:o|neil".into(), account_id: 42 };
        assert_eq!(SearchCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(SearchCursor::decode("w:smith"), None);
        assert_eq!(SearchCursor::decode("w:smith|x"), None);
    }
}
