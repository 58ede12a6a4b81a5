//! `peakday add-customer`: gives a customer an account and a sign-in from the command line, for
//! a pilot's first customers before a billing import exists (and for the browser tests, which
//! give each journey an account of its own).

use crate::accounts;
use crate::accounts::{NewAccount, NewServicePoint};
use crate::auth;
use crate::auth::hash_password_off_thread;
use crate::auth::NewUser;
use crate::store::{Store, StoreError};
use peakday_app::accounts::{AccountId, AccountNumber, BillCycleDay, Fuel};
use peakday_app::auth::{Credentials, Identity, NewPasswordForm, PasswordOwner};
use peakday_app::recipients::ContactForm;

/// A customer to create: the account holder is the primary recipient, reached at the sign-in
/// email (and a mobile number, if given), with one smart-metered electric service point.
pub struct NewCustomer {
    pub account_number: String,
    pub name: String,
    pub service_address: String,
    pub email: String,
    pub password: String,
    pub rate_class: String,
    /// The holder's mobile number for texts, if given (any layout; stored E.164).
    pub mobile: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates the account, its service point, its primary recipient and the sign-in, together.
pub async fn add_customer(
    store: &Store,
    customer: &NewCustomer,
) -> Result<AccountId, OnboardingError> {
    let invalid = |message: String| OnboardingError::Invalid(message);
    let number =
        AccountNumber::parse(&customer.account_number).map_err(|e| invalid(e.to_string()))?;
    let credentials = Credentials::parse(&customer.email, &customer.password)
        .ok_or_else(|| invalid("Give a valid email address and a password.".to_owned()))?;
    // The same rules as any new password: long enough, and not one guessed early.
    let form =
        NewPasswordForm { password: customer.password.clone(), confirm: customer.password.clone() };
    let personal = [customer.email.as_str(), customer.name.as_str()];
    form.check_on_server(PasswordOwner::Customer, &personal).map_err(|errors| {
        invalid(format!("The password: {}", errors.messages().collect::<Vec<_>>().join(" ")))
    })?;
    let primary = ContactForm {
        name: customer.name.clone(),
        email: customer.email.clone(),
        sms: customer.mobile.clone().unwrap_or_default(),
        ..Default::default()
    }
    .parse()
    .map_err(|errors| invalid(errors.messages().collect::<Vec<_>>().join(" ")))?;
    if accounts::store::account_id_by_number(&mut *store.read().await?, &number).await?.is_some() {
        return Err(invalid(format!("Account {number} already exists.")));
    }
    let account = NewAccount {
        service_points: vec![NewServicePoint {
            number: format!("SP-{number}"),
            fuel: Fuel::Electric,
            rate_class: customer.rate_class.clone(),
            ami: true,
            bill_cycle_day: BillCycleDay::new(1).expect("1 is a bill cycle day"),
        }],
        account_number: number,
        customer_name: customer.name.clone(),
        service_address: customer.service_address.clone(),
        primary,
    };
    // Hashed before the write lock is taken.
    let password_hash = hash_password_off_thread(credentials.password.clone()).await;
    let mut tx = store.begin_write().await?;
    let id = accounts::store::insert_accounts(&mut tx, std::slice::from_ref(&account)).await?[0];
    let user = NewUser {
        email: credentials.email,
        display_name: customer.name.clone(),
        password_hash,
        identity: Identity::Customer { account_id: id },
        must_change_password: false,
    };
    auth::store::insert_user(&mut tx, &user).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}
