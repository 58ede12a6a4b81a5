//! Setting up a real utility from the command line: its settings (`peakday init-utility`) and
//! its first administrator (`peakday add-staff`), and keeping the demo's published sign-ins out
//! of real databases (`peakday disable-demo-sign-ins`, and `serve` refusing to run them over
//! https).

use crate::auth::second_factor::code_at;
use crate::auth::NewUser;
use crate::auth::{hash_password_off_thread, session_audit};
use crate::demo::DEMO_SIGN_INS;
use crate::store::audit_entry;
use crate::store::Store;
use anyhow::{bail, Context};
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::change::AuditRecord;

/// Changes made from the command line: by the operator, not a signed-in person.
const SYSTEM: Actor = Actor { user_id: None, source: ChangeSource::System };
use crate::auth;
use crate::staff;
use crate::store::audit;
use crate::store::utility;
use peakday_app::auth::{Identity, Role, StaffRole};
use peakday_app::contact::EmailAddress;
use peakday_app::utility::{Channel, EligibilityRules, Product, UtilitySettings};
use rand::Rng;

/// `peakday init-utility`.
#[derive(Debug, Clone, clap::Args)]
pub struct UtilityArgs {
    /// The utility's name, as customers know it.
    #[arg(long)]
    pub name: String,
    /// Its IANA time zone, such as America/New_York: delivery windows and times shown use it.
    #[arg(long)]
    pub time_zone: String,
    /// The peak-day product it offers: PTR (Peak Time Rebates) or BDR (Behavioral Demand
    /// Response), never both.
    #[arg(long)]
    pub product: String,
    /// The channels it can reach customers on, comma-separated: email,sms,voice,print.
    #[arg(long, default_value = "email,sms,voice,print")]
    pub channels: String,
    /// Rate classes whose customers may get peak-day messages, comma-separated; none: all.
    #[arg(long, default_value = "")]
    pub peak_day_rate_classes: String,
}

/// `peakday add-staff`.
#[derive(Debug, Clone, clap::Args)]
pub struct StaffArgs {
    /// agent, program_manager or admin.
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub email: String,
    /// Their name, as the portal shows it.
    #[arg(long)]
    pub name: String,
}

/// The settings `args` describe, or what is wrong with them.
pub fn utility_settings(args: &UtilityArgs) -> anyhow::Result<UtilitySettings> {
    let name = args.name.trim();
    if name.is_empty() || peakday_app::text::has_forbidden_characters(name) {
        bail!("give the utility's name");
    }
    jiff::tz::TimeZone::get(args.time_zone.trim()).with_context(|| {
        format!("{:?} is not a time zone name such as America/New_York", args.time_zone)
    })?;
    let Some(product) = Product::parse(&args.product.trim().to_uppercase()) else {
        bail!("the product is PTR or BDR, not {:?}", args.product);
    };
    let channels = args
        .channels
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| Channel::parse(name).with_context(|| format!("unknown channel {name:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if channels.is_empty() {
        bail!("give at least one channel");
    }
    let classes = args
        .peak_day_rate_classes
        .split(',')
        .map(str::trim)
        .filter(|class| !class.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(UtilitySettings {
        name: name.to_owned(),
        time_zone: args.time_zone.trim().to_owned(),
        product,
        channels,
        eligibility: EligibilityRules { peak_day_rate_classes: classes },
    })
}

pub async fn init_utility(store: &Store, args: &UtilityArgs) -> anyhow::Result<String> {
    let settings = utility_settings(args)?;
    let mut tx = store.begin_write().await?;
    utility::save_utility_settings(&mut tx, &settings).await?;
    let channels: Vec<&str> = settings.channels.iter().map(|channel| channel.label()).collect();
    let channels = channels.join(", ");
    let record = AuditRecord::new(
        "utility.configured",
        format!("Set the utility's settings: {}", settings.name),
    )
    .after(&[
        ("Name", &settings.name),
        ("Time zone", &settings.time_zone),
        ("Product", settings.product.label()),
        ("Channels", &channels),
    ]);
    audit::append_audit(&mut tx, &audit_entry(SYSTEM, None, &record)).await?;
    tx.commit().await?;
    Ok(format!(
        "{} is set up: {}, in {}. Next: peakday add-staff --role admin --email ... --name ...",
        settings.name,
        settings.product.label(),
        settings.time_zone
    ))
}

/// A one-time password: 20 characters from an alphabet without look-alikes.
fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> =
        (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    chars.chunks(5).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

pub async fn add_staff(store: &Store, args: &StaffArgs) -> anyhow::Result<String> {
    let Some(role) = StaffRole::parse(args.role.trim()) else {
        bail!("the role is agent, program_manager or admin, not {:?}", args.role);
    };
    let email = EmailAddress::parse(&args.email).map_err(|error| anyhow::anyhow!("{error}"))?;
    let name = args.name.trim();
    if name.is_empty() || peakday_app::text::has_forbidden_characters(name) {
        bail!("give the staff member's name");
    }
    let password = one_time_password();
    let hash = hash_password_off_thread(password.clone()).await;
    let mut tx = store.begin_write().await?;
    if staff::store::email_taken(&mut tx, email.as_str()).await? {
        bail!("someone already signs in as {email}");
    }
    let user = NewUser {
        email: email.clone(),
        display_name: name.to_owned(),
        password_hash: hash,
        identity: Identity::Staff { role },
        must_change_password: true,
    };
    auth::store::insert_user(&mut tx, &user).await?;
    let record = AuditRecord::new(
        "staff.created",
        format!("Added {name} as {} from the command line", Role::from(role).label()),
    )
    .after(&[("Name", name), ("Email", email.as_str()), ("Role", Role::from(role).label())]);
    audit::append_audit(&mut tx, &audit_entry(SYSTEM, None, &record)).await?;
    tx.commit().await?;
    Ok(format!(
        "Added {name} <{email}> as {}.\nOne-time password: {password}\nAt their first sign-in they choose their own password, then set up two-step verification.",
        Role::from(role).label().to_lowercase()
    ))
}

/// The demo's sign-ins still enabled in this database.
pub async fn enabled_demo_sign_ins(store: &Store) -> anyhow::Result<Vec<String>> {
    let mut enabled = Vec::new();
    for sign_in in DEMO_SIGN_INS {
        let email = EmailAddress::parse(sign_in.email).expect("demo emails are valid");
        if auth::store::user_by_email(&mut *store.read().await?, &email)
            .await?
            .is_some_and(|user| !user.disabled)
        {
            enabled.push(sign_in.email.to_owned());
        }
    }
    Ok(enabled)
}

/// Disables the demo's sign-ins, ending their sessions; returns how many.
pub async fn disable_demo_sign_ins(store: &Store) -> anyhow::Result<usize> {
    let mut disabled = 0;
    for sign_in in DEMO_SIGN_INS {
        let email = EmailAddress::parse(sign_in.email).expect("demo emails are valid");
        let Some(user) = auth::store::user_by_email(&mut *store.read().await?, &email)
            .await?
            .filter(|user| !user.disabled)
        else {
            continue;
        };
        let mut tx = store.begin_write().await?;
        staff::store::set_user_disabled(&mut tx, user.id, true).await?;
        staff::store::delete_sessions_of(&mut tx, user.id).await?;
        let mut entry =
            session_audit(&user.viewer(), "sign_in.disabled", "Disabled a demo sign-in");
        entry.source = ChangeSource::System;
        entry.actor_user_id = None;
        audit::append_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        disabled += 1;
    }
    Ok(disabled)
}

/// The current two-step code of a demo staff sign-in. Only the demo's, whose secret is public
/// anyway: this is no way into anyone else's.
pub async fn demo_code(store: &Store, email: &str) -> anyhow::Result<String> {
    let email = EmailAddress::parse(email).map_err(|error| anyhow::anyhow!("{error}"))?;
    let demo = DEMO_SIGN_INS.iter().any(|sign_in| sign_in.email == email.as_str());
    let user = auth::store::user_by_email(&mut *store.read().await?, &email).await?;
    match user.and_then(|user| user.totp_secret) {
        Some(secret) if demo && secret == crate::demo::DEMO_TOTP_SECRET => {
            code_at(&secret, crate::store::now()).context("the demo secret is valid")
        }
        _ => bail!("{email} is not a demo staff sign-in with the demo's two-step key"),
    }
}

/// Whether the utility's settings exist.
pub async fn has_utility(store: &Store) -> anyhow::Result<bool> {
    Ok(store.utility_settings(&mut *store.read().await?).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> UtilityArgs {
        UtilityArgs {
            name: "Riverton Electric Co-op".into(),
            time_zone: "America/Chicago".into(),
            product: "bdr".into(),
            channels: "email, sms".into(),
            peak_day_rate_classes: "R-1, R-TOU".into(),
        }
    }

    #[test]
    fn utility_arguments_become_settings() {
        let settings = utility_settings(&args()).unwrap();
        assert_eq!(settings.product, Product::BehavioralDemandResponse);
        assert_eq!(settings.channels, [Channel::Email, Channel::Sms]);
        assert_eq!(settings.eligibility.peak_day_rate_classes, ["R-1", "R-TOU"]);
    }

    #[test]
    fn a_bad_zone_product_or_channel_is_refused() {
        assert!(
            utility_settings(&UtilityArgs { time_zone: "Mars/Olympus".into(), ..args() }).is_err()
        );
        assert!(utility_settings(&UtilityArgs { product: "both".into(), ..args() }).is_err());
        assert!(utility_settings(&UtilityArgs { channels: "fax".into(), ..args() }).is_err());
    }

    #[test]
    fn one_time_passwords_are_long_and_different() {
        let (a, b) = (one_time_password(), one_time_password());
        assert_eq!(a.len(), 23);
        assert_ne!(a, b);
    }
}
