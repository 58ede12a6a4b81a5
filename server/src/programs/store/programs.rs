use crate::store::{now, Backend, StoreError};
use peakday_app::programs::{CalendarDate, Program, ProgramDefinition, ProgramId};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// Every program, oldest first.
pub async fn programs(conn: &mut AnyConnection) -> Result<Vec<Program>, StoreError> {
    let rows =
        sqlx::query("SELECT id, definition FROM programs ORDER BY id").fetch_all(conn).await?;
    rows.iter().map(program_of_row).collect()
}

pub async fn program(
    conn: &mut AnyConnection,
    id: ProgramId,
) -> Result<Option<Program>, StoreError> {
    let row = sqlx::query("SELECT id, definition FROM programs WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(program_of_row).transpose()
}

/// The program to change in `tx`, locked there on PostgreSQL, so two managers' saves of one
/// program run one after the other and each records what it replaced.
pub async fn program_for_change(
    conn: &mut AnyConnection,
    id: ProgramId,
) -> Result<Option<Program>, StoreError> {
    let lock = if Backend::of(conn) == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row = sqlx::query(&format!("SELECT id, definition FROM programs WHERE id = $1{lock}"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(program_of_row).transpose()
}

/// The days of program `id`'s events not cancelled and not over by `at`, earliest first: a
/// definition saved for the program must keep them (in its season, and the program active).
pub async fn days_of_events_to_come(
    conn: &mut AnyConnection,
    id: ProgramId,
    at: i64,
) -> Result<Vec<CalendarDate>, StoreError> {
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT day FROM events WHERE program_id = $1 AND cancelled_at IS NULL \
         AND ends_at > $2 ORDER BY day",
    )
    .bind(id.0)
    .bind(at)
    .fetch_all(conn)
    .await?;
    days.into_iter().map(|day| CalendarDate::try_from(day).map_err(StoreError::Corrupt)).collect()
}

/// Whether another program than `except` has this name.
pub async fn program_name_taken(
    conn: &mut AnyConnection,
    name: &str,
    except: Option<ProgramId>,
) -> Result<bool, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM programs WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id.is_some_and(|id| Some(ProgramId(id)) != except))
}

pub async fn insert_program(
    conn: &mut AnyConnection,
    definition: &ProgramDefinition,
) -> Result<ProgramId, StoreError> {
    let at = now();
    Ok(sqlx::query_scalar(
        "INSERT INTO programs (name, status, definition, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&definition.name)
    .bind(definition.status.as_str())
    .bind(definition_json(definition))
    .bind(at)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map(ProgramId)?)
}

pub async fn update_program(
    conn: &mut AnyConnection,
    id: ProgramId,
    definition: &ProgramDefinition,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE programs SET name = $1, status = $2, definition = $3, updated_at = $4 WHERE id = $5")
        .bind(&definition.name)
        .bind(definition.status.as_str())
        .bind(definition_json(definition))
        .bind(now())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many pending or enrolled enrollments each program has.
pub async fn live_enrollment_counts(
    conn: &mut AnyConnection,
) -> Result<BTreeMap<ProgramId, u32>, StoreError> {
    let rows = sqlx::query(
        "SELECT program_id, COUNT(*) AS live FROM enrollments \
         WHERE status <> 'unenrolled' GROUP BY program_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((ProgramId(row.try_get("program_id")?), row.try_get::<i64, _>("live")? as u32))
        })
        .collect()
}

fn definition_json(definition: &ProgramDefinition) -> String {
    serde_json::to_string(definition).expect("a program definition serializes")
}

fn program_of_row(row: &sqlx::any::AnyRow) -> Result<Program, StoreError> {
    let id: i64 = row.try_get("id")?;
    let json: String = row.try_get("definition")?;
    let definition = serde_json::from_str(&json)
        .map_err(|error| StoreError::Corrupt(format!("program {id}: {error}")))?;
    Ok(Program { id: ProgramId(id), definition })
}
