//! Customer service's account search over the term index of migration 0003: one ordered table
//! of `(term, account)` (see `peakday_app::search`), scanned from the query's first term for one
//! page of results, and each account's term list for the query's other words.

use super::store::service_point;
use crate::store::{placeholders, Backend, Store, StoreError, ROWS_PER_STATEMENT};
use peakday_app::accounts::{AccountId, AccountNumber, ServicePoint};
use peakday_app::search::{
    split_terms, AccountMatch, QueryPart, SearchCursor, SearchDocument, SearchQuery, SearchResults,
    RESULTS_PER_PAGE,
};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashSet};

/// Index rows read for one page. An account found by two of its terms ("jo" finds Jo and
/// Jones) shows once, so such a page has fewer accounts; reading more rows to fill it would
/// triple the work of every query with more than one word (measured at 1,000,000 accounts).
const ROWS_PER_PAGE: usize = RESULTS_PER_PAGE;

/// Index entries counted per part when choosing the rarest; past it, a part is merely common.
const RAREST_COUNT_CAP: i64 = 2_000;

/// Accounts indexed per transaction when indexing accounts made before the search existed.
const BACKFILL_BATCH: i64 = 5_000;

/// One page of the accounts matching `query`, in term order, after `after`.
pub async fn search_accounts(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    after: Option<&SearchCursor>,
) -> Result<SearchResults, StoreError> {
    let (driver, others) = query.split(rarest_part(conn, query).await?);
    let contains = match Backend::of(conn) {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    let mut rows: Vec<(String, i64)> = Vec::new();
    let mut alternatives: Vec<(String, String)> =
        driver.0.iter().map(|alternative| alternative.range()).collect();
    alternatives.sort();
    for (low, high) in alternatives {
        let remaining = ROWS_PER_PAGE + 1 - rows.len();
        if remaining == 0 {
            break;
        }
        let cursor = after.filter(|cursor| cursor.term >= low);
        if cursor.is_some_and(|cursor| cursor.term >= high) {
            continue;
        }
        // The other parts are checked against the account's term list; a one-part query
        // needs the index alone.
        let join = if others.is_empty() {
            ""
        } else {
            "JOIN account_search s ON s.account_id = t.account_id"
        };
        let mut sql = format!(
            "SELECT t.term, t.account_id FROM account_search_terms t {join} \
             WHERE t.term >= $1 AND t.term < $2"
        );
        let mut binds: Vec<String> = vec![cursor.map_or(low, |c| c.term.clone()), high];
        if let Some(cursor) = cursor {
            binds.push(cursor.term.clone());
            sql.push_str(&format!(
                " AND (t.term > ${} OR t.account_id > {})",
                binds.len(),
                cursor.account_id
            ));
        }
        for part in &others {
            sql.push_str(&filter(part, contains, &mut binds));
        }
        sql.push_str(&format!(" ORDER BY t.term, t.account_id LIMIT {remaining}"));
        let mut statement = sqlx::query(&sql);
        for bind in &binds {
            statement = statement.bind(bind.as_str());
        }
        for row in statement.fetch_all(&mut *conn).await? {
            rows.push((row.try_get("term")?, row.try_get("account_id")?));
        }
    }
    // One page: up to RESULTS_PER_PAGE accounts from at most ROWS_PER_PAGE index rows;
    // the extra row read says whether there is a next page.
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    let mut last = None;
    let mut rows = rows.into_iter().peekable();
    let mut consumed = 0;
    while ids.len() < RESULTS_PER_PAGE && consumed < ROWS_PER_PAGE {
        let Some((term, id)) = rows.next() else { break };
        consumed += 1;
        if seen.insert(id) {
            ids.push(id);
        }
        last = Some(SearchCursor { term, account_id: id });
    }
    let next = rows.peek().and(last);
    let matches = account_matches(conn, &ids).await?;
    Ok(SearchResults { matches, next })
}

/// The part of `query` with the fewest index entries, counted up to [`RAREST_COUNT_CAP`]
/// each: the index is scanned for it and the others are checked per candidate. A common word
/// ("street") would otherwise mean checking thousands of candidates for a page.
async fn rarest_part(conn: &mut AnyConnection, query: &SearchQuery) -> Result<usize, StoreError> {
    if query.parts().len() < 2 {
        return Ok(0);
    }
    let mut counts = Vec::with_capacity(query.parts().len());
    for part in query.parts() {
        let mut count = 0;
        for alternative in &part.0 {
            let (low, high) = alternative.range();
            let found: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM account_search_terms \
                 WHERE term >= $1 AND term < $2 LIMIT {RAREST_COUNT_CAP}) AS capped"
            ))
            .bind(low)
            .bind(high)
            .fetch_one(&mut *conn)
            .await?;
            count += found;
        }
        counts.push(count);
    }
    Ok(counts.iter().enumerate().min_by_key(|(_, count)| **count).map_or(0, |(i, _)| i))
}

/// The accounts with these ids as the results list shows them, in the order given.
async fn account_matches(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<AccountMatch>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let mut points: BTreeMap<i64, Vec<ServicePoint>> = BTreeMap::new();
    let rows = sqlx::query(&format!(
        "SELECT account_id, service_point_number, fuel, rate_class, ami, bill_cycle_day \
         FROM service_points WHERE account_id IN ({list}) ORDER BY service_point_number"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        points.entry(row.try_get("account_id")?).or_default().push(service_point(row)?);
    }
    let rows = sqlx::query(&format!(
        "SELECT id, account_number, customer_name, service_address FROM accounts \
         WHERE id IN ({list})"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut found = BTreeMap::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let number: String = row.try_get("account_number")?;
        let account_number = AccountNumber::parse(&number)
            .map_err(|e| StoreError::Corrupt(format!("account number {number:?}: {e}")))?;
        found.insert(
            id,
            AccountMatch {
                account_number,
                customer_name: row.try_get("customer_name")?,
                service_address: row.try_get("service_address")?,
                service_points: points.remove(&id).unwrap_or_default(),
            },
        );
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// Indexes newly created accounts, set-based, in their creating transaction.
pub(crate) async fn index_new_accounts(
    conn: &mut AnyConnection,
    documents: &[(i64, SearchDocument)],
) -> Result<(), StoreError> {
    let lists: Vec<(i64, String)> =
        documents.iter().map(|(id, document)| (*id, document.term_list())).collect();
    for chunk in lists.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO account_search (account_id, terms) VALUES {}",
            placeholders(chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (id, terms) in chunk {
            query = query.bind(*id).bind(terms.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    let terms: Vec<(String, i64)> = documents
        .iter()
        .flat_map(|(id, document)| document.terms().into_iter().map(move |term| (term, *id)))
        .collect();
    insert_terms(conn, &terms).await
}

/// Brings one account's index up to date with its stored details and recipients, inside the
/// transaction that changed them.
pub async fn reindex_account(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<(), StoreError> {
    let Some((_, document)) = search_documents(conn, &[account.0]).await?.into_iter().next() else {
        return Ok(());
    };
    let stored: Option<String> =
        sqlx::query_scalar("SELECT terms FROM account_search WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&mut *conn)
            .await?;
    let old = stored.as_deref().map(split_terms).unwrap_or_default();
    let new = document.terms();
    for gone in old.difference(&new) {
        sqlx::query("DELETE FROM account_search_terms WHERE term = $1 AND account_id = $2")
            .bind(gone.as_str())
            .bind(account.0)
            .execute(&mut *conn)
            .await?;
    }
    let added: Vec<(String, i64)> =
        new.difference(&old).map(|term| (term.clone(), account.0)).collect();
    insert_terms(conn, &added).await?;
    let list = document.term_list();
    let sql = if stored.is_some() {
        "UPDATE account_search SET terms = $1 WHERE account_id = $2"
    } else {
        "INSERT INTO account_search (terms, account_id) VALUES ($1, $2)"
    };
    sqlx::query(sql).bind(list.as_str()).bind(account.0).execute(&mut *conn).await?;
    Ok(())
}

/// Indexes accounts that have no index entry: those made before migration 0003. Runs after
/// the migrations; once they are all indexed it is one query that finds nothing. It takes the
/// store rather than a connection because it commits a batch at a time.
pub(crate) async fn index_unindexed_accounts(store: &Store) -> Result<u64, StoreError> {
    let mut indexed = 0;
    loop {
        let mut tx = store.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT a.id FROM accounts a \
             WHERE NOT EXISTS (SELECT 1 FROM account_search s WHERE s.account_id = a.id) \
             ORDER BY a.id LIMIT $1",
        )
        .bind(BACKFILL_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if ids.is_empty() {
            return Ok(indexed);
        }
        let documents = search_documents(&mut tx, &ids).await?;
        index_new_accounts(&mut tx, &documents).await?;
        tx.commit().await?;
        indexed += ids.len() as u64;
    }
}

/// What each account is found by, from its stored details and recipients.
async fn search_documents(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(i64, SearchDocument)>, StoreError> {
    let list = id_list(ids);
    let mut documents: BTreeMap<i64, SearchDocument> = BTreeMap::new();
    let accounts = sqlx::query(&format!(
        "SELECT id, account_number, customer_name, service_address FROM accounts \
         WHERE id IN ({list})"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in accounts {
        documents.insert(
            row.try_get("id")?,
            SearchDocument {
                account_number: row.try_get("account_number")?,
                customer_name: row.try_get("customer_name")?,
                service_address: row.try_get("service_address")?,
                ..SearchDocument::default()
            },
        );
    }
    let recipients = sqlx::query(&format!(
        "SELECT account_id, name, email, sms_phone, voice_phone FROM recipients \
         WHERE account_id IN ({list})"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in recipients {
        let Some(document) = documents.get_mut(&row.try_get::<i64, _>("account_id")?) else {
            continue;
        };
        document.names.push(row.try_get("name")?);
        document.emails.extend(row.try_get::<Option<String>, _>("email")?);
        document.phones.extend(row.try_get::<Option<String>, _>("sms_phone")?);
        document.phones.extend(row.try_get::<Option<String>, _>("voice_phone")?);
    }
    Ok(documents.into_iter().collect())
}

async fn insert_terms(conn: &mut AnyConnection, terms: &[(String, i64)]) -> Result<(), StoreError> {
    // Two values a row: twice the rows of the wider inserts fit under the parameter limits.
    for chunk in terms.chunks(ROWS_PER_STATEMENT * 2) {
        let sql = format!(
            "INSERT INTO account_search_terms (term, account_id) VALUES {}",
            placeholders(chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (term, id) in chunk {
            query = query.bind(term.as_str()).bind(*id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// ` AND (contains(s.terms, $n) > 0 OR ...)`: the account has a term matching the part.
fn filter(part: &QueryPart, contains: &str, binds: &mut Vec<String>) -> String {
    let tests: Vec<String> = part
        .0
        .iter()
        .map(|alternative| {
            binds.push(alternative.needle());
            format!("{contains}(s.terms, ${}) > 0", binds.len())
        })
        .collect();
    format!(" AND ({})", tests.join(" OR "))
}

/// Ids for an `IN (...)` list. They are integers from the database, never user text.
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}
