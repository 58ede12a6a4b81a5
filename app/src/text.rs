//! Free text people type (names, makes, models, notes): one rule for which characters it may
//! hold, and one for a note written for the record.
//!
//! Control characters break storage (PostgreSQL refuses a NUL) and layout; bidirectional
//! overrides and isolates make text read differently from what it holds ("Trojan Source"), and
//! invisible characters (a zero-width space) make two names that read alike differ, so a name
//! could pass for another on an agent's screen. None belongs in anything a person types.

/// What the refusals call the characters [`is_forbidden`] refuses.
pub const FORBIDDEN_CHARACTERS: &str = "control, invisible or text-direction characters";

/// Whether `text` holds a control, invisible or bidirectional formatting character.
pub fn has_forbidden_characters(text: &str) -> bool {
    text.chars().any(is_forbidden)
}

/// The same for text of several lines (a description): line breaks are allowed there.
pub fn has_forbidden_characters_in_lines(text: &str) -> bool {
    text.chars().any(|c| c != '\n' && c != '\r' && is_forbidden(c))
}

/// A note written for the record, such as the reason an event is cancelled or why an account's
/// medical flag changed: required (`missing` says what to write), at most `limit` characters,
/// several lines allowed. Others read it later (customers, agents, the audit log), so it may not
/// hold what hides or reorders what it says. The note comes back trimmed.
pub fn record_note<'a>(input: &'a str, limit: usize, missing: &str) -> Result<&'a str, String> {
    let note = input.trim();
    if note.is_empty() {
        Err(missing.to_owned())
    } else if note.chars().count() > limit {
        Err(format!("Keep it to {limit} characters or fewer."))
    } else if has_forbidden_characters_in_lines(note) {
        Err(format!("Remove the {FORBIDDEN_CHARACTERS}: they hide what the text says."))
    } else {
        Ok(note)
    }
}

/// `text` with its first letter capitalized, for a phrase written to sit inside a sentence
/// ("smart thermostat (ecobee ...)") that starts a heading or a line instead.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A control character, an invisible one or a bidirectional formatting character.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// Characters that show nothing and do nothing a name needs: the zero-width space, the word
/// joiner and invisible operators, the byte-order mark, the Mongolian vowel separator. The
/// zero-width joiner and non-joiner are not among them: Persian and Indic names need them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}')
}

/// The bidirectional formatting characters: marks, embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_capitalized_to_start_a_line_keeps_the_rest_as_written() {
        assert_eq!(
            capitalized("smart thermostat (ecobee SmartThermostat)"),
            "Smart thermostat (ecobee SmartThermostat)"
        );
        assert_eq!(capitalized("élan"), "Élan");
        assert_eq!(capitalized("EV charger"), "EV charger");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn letters_accents_and_punctuation_are_allowed() {
        assert!(!has_forbidden_characters("Zoë Núñez-O'Brien, Jr."));
        assert!(!has_forbidden_characters("محمد"));
        assert!(!has_forbidden_characters("Powerwall 3 (13.5 kWh)"));
        // Zero-width non-joiner (Persian) and joiner (Devanagari): part of how these are written.
        assert!(!has_forbidden_characters("\u{645}\u{6CC}\u{200C}\u{62F}\u{627}\u{646}"));
        assert!(!has_forbidden_characters("\u{915}\u{94D}\u{200D}\u{937}"));
    }

    #[test]
    fn control_and_bidirectional_override_characters_are_refused() {
        for text in [
            "nul\0",
            "tab\there",
            "line\nbreak",
            "\u{202E}gnp.exe",
            "a\u{2066}b",
            "\u{200F}x",
            "Zed\u{200B}",
            "\u{FEFF}Ann",
            "Jo\u{2060}e",
        ] {
            assert!(has_forbidden_characters(text), "{text:?}");
        }
        assert!(!has_forbidden_characters_in_lines("two\r\nlines"));
        assert!(has_forbidden_characters_in_lines("two\nlines\u{202E}"));
    }

    #[test]
    fn a_record_note_is_required_bounded_and_says_what_it_holds() {
        let missing = "Say why.";
        assert_eq!(
            record_note("  Customer called.\nSent a letter. ", 40, missing),
            Ok("Customer called.\nSent a letter.")
        );
        assert_eq!(record_note(" \n ", 40, missing), Err(missing.to_owned()));
        assert_eq!(record_note(&"é".repeat(40), 40, missing).map(str::len), Ok(80));
        assert_eq!(
            record_note(&"é".repeat(41), 40, missing),
            Err("Keep it to 40 characters or fewer.".to_owned())
        );
        for hidden in ["a\u{202E}b", "nul\0", "bell\u{7}"] {
            assert!(
                record_note(hidden, 40, missing).unwrap_err().contains("text-direction"),
                "{hidden:?}"
            );
        }
    }
}
