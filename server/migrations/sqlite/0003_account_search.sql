-- Customer service's account search (issue 4): an ordered index of folded terms, `kind:value`
-- (app::search), so every kind of search is a range scan that stops at one page of results.
-- The same design on both databases; terms compare bytewise (SQLite's BINARY collation).

CREATE TABLE account_search_terms (
    term       TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (term, account_id)
) WITHOUT ROWID;

-- Each account's terms as one space-separated list: checks the other words of a query against
-- a candidate, and says which index entries to delete when the account changes.
CREATE TABLE account_search (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    terms      TEXT    NOT NULL
);
