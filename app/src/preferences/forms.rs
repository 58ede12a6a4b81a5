//! Form fields to changes: the names the pages give their check boxes, and their parsing. The
//! pages and the server functions both use these, so a name is written once.

use super::{Activity, Communication};
use crate::utility::Channel;
#[cfg(any(feature = "ssr", test))]
pub use parse::{alerts_change, notifications_change, opt_out_change};

/// The hidden field naming the recipient a form changes.
pub const RECIPIENT_FIELD: &str = "recipient";

/// The names of the account-wide stops' buttons, all in one form: the pressed one is sent as
/// `stop=<scope>` or `resume=<scope>` (`set_opt_out`'s parameters of those names).
pub const STOP_FIELD: &str = "stop";
pub const RESUME_FIELD: &str = "resume";

/// `channels[email]`: a peak pricing alert channel check box.
pub fn channel_field(channel: Channel) -> String {
    format!("channels[{}]", channel.as_str())
}

/// `communications[peak_day_alert]`: a communication check box.
pub fn communication_field(communication: Communication) -> String {
    format!("communications[{}]", communication.as_str())
}

/// `cells[statements.email]`: a notification matrix check box.
pub fn cell_field(activity: Activity, channel: Channel) -> String {
    format!("cells[{}]", cell_key(activity, channel))
}

fn cell_key(activity: Activity, channel: Channel) -> String {
    format!("{}.{}", activity.as_str(), channel.as_str())
}

/// The server's half: posted boxes to a change. Not in the browser bundle.
#[cfg(any(feature = "ssr", test))]
mod parse {
    use super::cell_key;
    use crate::error::{AppError, FieldErrors};
    use crate::preferences::{
        Activity, Communication, Communications, NotificationMatrix, OptOutScope, PeakChannels,
        PreferenceChange,
    };
    use crate::recipients::RecipientId;
    use crate::utility::Channel;
    use std::collections::BTreeMap;

    fn unknown_box() -> AppError {
        AppError::Invalid(
            "The form sent a choice this page does not have. Reload the page and try again."
                .to_owned(),
        )
    }

    /// The alerts form as a change. Unknown box names are refused, not ignored.
    pub fn alerts_change(
        recipient: i64,
        channels: Option<BTreeMap<String, String>>,
        communications: Option<BTreeMap<String, String>>,
    ) -> Result<PreferenceChange, AppError> {
        let mut chosen = PeakChannels::default();
        for name in channels.unwrap_or_default().keys() {
            let channel = Channel::parse(name).filter(|c| PeakChannels::CHANNELS.contains(c));
            chosen.set(channel.ok_or_else(unknown_box)?, true);
        }
        let communications = communications
            .unwrap_or_default()
            .keys()
            .map(|name| Communication::parse(name).ok_or_else(unknown_box))
            .collect::<Result<Communications, _>>()?;
        Ok(PreferenceChange::SetAlerts {
            recipient: RecipientId(recipient),
            channels: chosen,
            communications,
        })
    }

    /// The notification matrix form as a change.
    pub fn notifications_change(
        recipient: i64,
        cells: Option<BTreeMap<String, String>>,
        high_usage_kwh: &str,
    ) -> Result<PreferenceChange, AppError> {
        let mut matrix = NotificationMatrix::default();
        for name in cells.unwrap_or_default().keys() {
            let cell = Activity::ALL
                .into_iter()
                .flat_map(|a| NotificationMatrix::CHANNELS.into_iter().map(move |c| (a, c)))
                .find(|(activity, channel)| cell_key(*activity, *channel) == *name)
                .ok_or_else(unknown_box)?;
            matrix.cells.insert(cell);
        }
        matrix.high_usage_kwh =
            NotificationMatrix::parse_threshold(high_usage_kwh).map_err(|message| {
                let mut errors = FieldErrors::default();
                errors.add("high_usage_kwh", message);
                AppError::InvalidFields(errors)
            })?;
        Ok(PreferenceChange::SetNotifications { recipient: RecipientId(recipient), matrix })
    }

    /// The stops form as a change, from its pressed button (`stop` or `resume`, naming the
    /// scope), and the part of the page the press was based on (see `Basis`): a stop is pressed
    /// where the page showed the scope running (0), a resume where it showed it stopped (1).
    pub fn opt_out_change(
        stop: Option<&str>,
        resume: Option<&str>,
    ) -> Result<(PreferenceChange, u64), AppError> {
        let (name, stopped) = match (stop, resume) {
            (Some(name), None) => (name, true),
            (None, Some(name)) => (name, false),
            _ => return Err(AppError::Invalid("Choose one thing to stop or resume.".to_owned())),
        };
        let scope = OptOutScope::parse(name).ok_or_else(unknown_box)?;
        Ok((PreferenceChange::SetOptOut { scope, stopped }, u64::from(!stopped)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preferences::{Communications, PeakChannels, PreferenceChange};
    use crate::recipients::RecipientId;
    use std::collections::BTreeMap;

    fn boxes(names: &[&str]) -> Option<BTreeMap<String, String>> {
        Some(names.iter().map(|n| (n.to_string(), "on".to_string())).collect())
    }

    #[test]
    fn checked_boxes_become_channels_and_communications() {
        let change =
            alerts_change(7, boxes(&["email", "sms"]), boxes(&["high_bill_alert"])).unwrap();
        assert_eq!(
            change,
            PreferenceChange::SetAlerts {
                recipient: RecipientId(7),
                channels: PeakChannels { email: true, sms: true, voice: false },
                communications: [Communication::HighBillAlert].into(),
            }
        );
    }

    #[test]
    fn nothing_checked_turns_everything_off() {
        let change = alerts_change(7, None, None).unwrap();
        assert_eq!(
            change,
            PreferenceChange::SetAlerts {
                recipient: RecipientId(7),
                channels: PeakChannels::default(),
                communications: Communications::new(),
            }
        );
    }

    #[test]
    fn print_and_unknown_names_are_refused() {
        assert!(alerts_change(7, boxes(&["print"]), None).is_err());
        assert!(alerts_change(7, None, boxes(&["lottery_results"])).is_err());
        assert!(notifications_change(7, boxes(&["statements.fax"]), "").is_err());
    }

    #[test]
    fn matrix_cells_and_threshold_parse() {
        let change =
            notifications_change(3, boxes(&["statements.email", "high_usage.sms"]), "1,200")
                .unwrap();
        let PreferenceChange::SetNotifications { matrix, .. } = change else { panic!() };
        assert!(matrix.get(Activity::Statements, Channel::Email));
        assert!(matrix.get(Activity::HighUsage, Channel::Sms));
        assert_eq!(matrix.high_usage_kwh, Some(1200));
        assert!(notifications_change(3, None, "lots").is_err());
    }

    #[test]
    fn the_pressed_stop_button_is_the_change_and_its_part() {
        use crate::preferences::OptOutScope;
        let stop = opt_out_change(Some("sms"), None).unwrap();
        let sms = OptOutScope::Channel(Channel::Sms);
        assert_eq!(stop, (PreferenceChange::SetOptOut { scope: sms, stopped: true }, 0));
        let resume = opt_out_change(None, Some("everything")).unwrap();
        let everything = OptOutScope::Everything;
        assert_eq!(resume, (PreferenceChange::SetOptOut { scope: everything, stopped: false }, 1));
        // No button, both at once (a crafted post), or a scope the page does not have.
        assert!(opt_out_change(None, None).is_err());
        assert!(opt_out_change(Some("email"), Some("email")).is_err());
        assert!(opt_out_change(Some("print"), None).is_err());
        assert!(opt_out_change(Some("fax"), None).is_err());
    }

    #[test]
    fn field_names_are_what_the_parser_reads() {
        assert_eq!(channel_field(Channel::Sms), "channels[sms]");
        assert_eq!(
            communication_field(Communication::PeakDayAlert),
            "communications[peak_day_alert]"
        );
        assert_eq!(cell_field(Activity::AutoPay, Channel::Print), "cells[autopay.print]");
    }
}
