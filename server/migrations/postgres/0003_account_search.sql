-- Customer service's account search (issue 4): an ordered index of folded terms, `kind:value`
-- (app::search), so every kind of search is a range scan that stops at one page of results.
-- The same design on both databases; COLLATE "C" makes terms compare bytewise, as in SQLite.

CREATE TABLE account_search_terms (
    term       TEXT COLLATE "C" NOT NULL,
    account_id BIGINT           NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (term, account_id)
);

-- Each account's terms as one space-separated list: checks the other words of a query against
-- a candidate, and says which index entries to delete when the account changes.
CREATE TABLE account_search (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    terms      TEXT   NOT NULL
);
