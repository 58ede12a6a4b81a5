use super::{now, Store, StoreError};
use peakday_app::utility::{Channel, EligibilityRules, Product, UtilitySettings};
use sqlx::{AnyConnection, Row};

/// How long the utility's settings are kept in memory: almost every page and change reads
/// them, and they change only by `peakday init-utility`, which running instances then see
/// within this long.
const SETTINGS_KEPT: std::time::Duration = std::time::Duration::from_secs(5);

/// The utility's settings as last read, and when.
#[derive(Default)]
pub(super) struct KeptSettings(std::sync::RwLock<Option<(std::time::Instant, UtilitySettings)>>);

impl KeptSettings {
    fn fresh(&self) -> Option<UtilitySettings> {
        let kept = self.0.read().unwrap_or_else(|e| e.into_inner());
        kept.as_ref().filter(|(at, _)| at.elapsed() < SETTINGS_KEPT).map(|(_, s)| s.clone())
    }

    fn keep(&self, settings: &UtilitySettings) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), settings.clone()));
    }
}

impl Store {
    /// The utility's configuration, `None` before the first start has written it: from memory
    /// when kept, else read on `conn`, a connection the caller holds (inside a transaction, say;
    /// taking a second connection from the pool while holding one can starve the pool under
    /// load).
    pub async fn utility_settings(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<Option<UtilitySettings>, StoreError> {
        if let Some(settings) = self.kept_settings.fresh() {
            return Ok(Some(settings));
        }
        let settings = read_utility_settings(conn).await?;
        if let Some(settings) = &settings {
            self.kept_settings.keep(settings);
        }
        Ok(settings)
    }

    /// The utility's time zone, the same way.
    pub async fn utility_zone(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<jiff::tz::TimeZone, StoreError> {
        let settings = self.utility_settings(conn).await?.ok_or_else(|| {
            StoreError::Corrupt("utility settings missing: the database was not seeded".to_owned())
        })?;
        Ok(zone_of(&settings))
    }
}

async fn read_utility_settings(
    conn: &mut AnyConnection,
) -> Result<Option<UtilitySettings>, StoreError> {
    let row = sqlx::query(
        "SELECT name, time_zone, product, channels, eligibility_rules \
         FROM utility_settings WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let product: String = row.try_get("product")?;
    let channels: String = row.try_get("channels")?;
    let rules: String = row.try_get("eligibility_rules")?;
    Ok(Some(UtilitySettings {
        name: row.try_get("name")?,
        time_zone: row.try_get("time_zone")?,
        product: Product::parse(&product)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown product {product:?}")))?,
        channels: channels
            .split(',')
            .filter(|name| !name.is_empty())
            .map(|name| {
                Channel::parse(name)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown channel {name:?}")))
            })
            .collect::<Result<_, _>>()?,
        eligibility: serde_json::from_str::<EligibilityRules>(&rules)
            .map_err(|e| StoreError::Corrupt(format!("eligibility rules: {e}")))?,
    }))
}

/// Writes the utility's configuration unless one exists. Returns whether it wrote: the first
/// start of several instances seeds once.
pub async fn insert_utility_settings_once(
    conn: &mut AnyConnection,
    settings: &UtilitySettings,
) -> Result<bool, StoreError> {
    write_utility_settings(conn, settings, "DO NOTHING").await
}

/// Writes the utility's configuration, replacing what was there (`peakday init-utility`).
pub async fn save_utility_settings(
    conn: &mut AnyConnection,
    settings: &UtilitySettings,
) -> Result<(), StoreError> {
    let replace = "DO UPDATE SET name = $1, time_zone = $2, product = $3, channels = $4, \
                   eligibility_rules = $5, updated_at = $6";
    write_utility_settings(conn, settings, replace).await.map(|_| ())
}

/// The one row of settings, inserted, or on an existing row `on_conflict`.
async fn write_utility_settings(
    conn: &mut AnyConnection,
    settings: &UtilitySettings,
    on_conflict: &str,
) -> Result<bool, StoreError> {
    let channels =
        settings.channels.iter().map(|channel| channel.as_str()).collect::<Vec<_>>().join(",");
    let rules = serde_json::to_string(&settings.eligibility)
        .map_err(|e| StoreError::Corrupt(format!("eligibility rules: {e}")))?;
    let result = sqlx::query(&format!(
        "INSERT INTO utility_settings \
         (id, name, time_zone, product, channels, eligibility_rules, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) {on_conflict}"
    ))
    .bind(&settings.name)
    .bind(&settings.time_zone)
    .bind(settings.product.as_str())
    .bind(channels)
    .bind(rules)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The settings' time zone. An unknown zone name (a hand edit) falls back to UTC with a warning
/// rather than failing every page.
fn zone_of(settings: &UtilitySettings) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&settings.time_zone).unwrap_or_else(|error| {
        tracing::warn!(%error, zone = settings.time_zone, "unknown utility time zone; using UTC");
        jiff::tz::TimeZone::UTC
    })
}

/// A stored time (unix seconds) as people read it in the utility's zone: "Jun 3, 2026, 2:05 PM EDT".
pub fn local_time(zone: &jiff::tz::TimeZone, at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .strftime("%b %-d, %Y, %-I:%M %p %Z")
        .to_string()
}
