//! The SQLite and PostgreSQL migrations make the same schema: the same tables, the same columns
//! with the same nullability and kind of type, the same indexes over the same columns. The
//! migrations are written twice (one file per database), so only this keeps them together.

mod common;

use common::TestDb;
use sqlx::Row;
use std::collections::BTreeMap;

/// A column: its kind of type (integer, text) and whether it may be NULL.
type Columns = BTreeMap<String, (String, bool)>;

/// What a schema holds, in terms both databases share.
#[derive(Debug, PartialEq, Eq)]
struct Schema {
    tables: BTreeMap<String, Columns>,
    /// Index name -> (table, columns, unique), for indexes made by `CREATE INDEX`.
    indexes: BTreeMap<String, (String, Vec<String>, bool)>,
}

fn kind(declared: &str) -> String {
    let declared = declared.to_lowercase();
    if declared.contains("int") {
        "integer".to_owned()
    } else if declared.contains("char") || declared.contains("text") {
        "text".to_owned()
    } else {
        declared
    }
}

async fn sqlite_schema(db: &TestDb) -> Schema {
    let mut conn = db.store.read().await.unwrap();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut tables = BTreeMap::new();
    for table in names {
        let rows = sqlx::query(&format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
        ))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let columns = rows
            .iter()
            .map(|row| {
                let name: String = row.get("name");
                let declared: String = row.get("type");
                // SQLite lets a primary key column hold NULL unless it says NOT NULL.
                let nullable = row.get::<i64, _>("notnull") == 0 && row.get::<i64, _>("pk") == 0;
                (name, (kind(&declared), nullable))
            })
            .collect();
        tables.insert(table, columns);
    }
    let rows = sqlx::query(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut indexes = BTreeMap::new();
    for row in rows {
        let (name, table): (String, String) = (row.get("name"), row.get("tbl_name"));
        let unique: i64 = sqlx::query_scalar(&format!(
            "SELECT \"unique\" FROM pragma_index_list('{table}') WHERE name = '{name}'"
        ))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let columns: Vec<Option<String>> = sqlx::query_scalar(&format!(
            "SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"
        ))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        // An expression (lower(make)) has no column name: named as PostgreSQL names it.
        let columns = columns.into_iter().map(|c| c.unwrap_or_else(|| "expr".to_owned())).collect();
        indexes.insert(name, (table, columns, unique == 1));
    }
    Schema { tables, indexes }
}

async fn postgres_schema(db: &TestDb) -> Schema {
    let mut conn = db.store.read().await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         data_type::text AS data_type, is_nullable::text AS is_nullable \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name NOT LIKE '\\_sqlx\\_%' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut tables: BTreeMap<String, Columns> = BTreeMap::new();
    for row in rows {
        let table: String = row.get("table_name");
        let column: String = row.get("column_name");
        let declared: String = row.get("data_type");
        let nullable = row.get::<String, _>("is_nullable") == "YES";
        tables.entry(table).or_default().insert(column, (kind(&declared), nullable));
    }
    // Indexes made by CREATE INDEX: not those behind a primary key or UNIQUE constraint, which
    // SQLite keeps as automatic indexes of its own.
    let rows = sqlx::query(
        "SELECT i.relname::text AS name, t.relname::text AS table_name, ix.indisunique AS is_unique, \
         array_to_string(array(SELECT CASE WHEN k = 0 THEN 'expr' ELSE a.attname::text END \
           FROM unnest(ix.indkey) WITH ORDINALITY AS u(k, n) \
           LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = u.k ORDER BY u.n), ',') AS columns \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace s ON s.oid = t.relnamespace \
         WHERE s.nspname = 'public' AND t.relname NOT LIKE '\\_sqlx\\_%' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let indexes = rows
        .into_iter()
        .map(|row| {
            let columns: String = row.get("columns");
            let unique: bool = row.get("is_unique");
            (
                row.get::<String, _>("name"),
                (
                    row.get::<String, _>("table_name"),
                    columns.split(',').map(str::to_owned).collect(),
                    unique,
                ),
            )
        })
        .collect();
    Schema { tables, indexes }
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_tables_columns_and_indexes() {
    let sqlite = sqlite_schema(&TestDb::sqlite().await).await;
    let postgres = postgres_schema(&TestDb::postgres().await).await;
    assert_eq!(
        sqlite.tables.keys().collect::<Vec<_>>(),
        postgres.tables.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (table, columns) in &sqlite.tables {
        assert_eq!(columns, &postgres.tables[table], "columns of {table}");
    }
    assert_eq!(sqlite.indexes, postgres.indexes, "indexes");
    assert!(sqlite.tables.len() >= 20, "the schema was read: {:?}", sqlite.tables.keys());
    assert!(sqlite.indexes.len() >= 15, "the indexes were read: {:?}", sqlite.indexes);
}
