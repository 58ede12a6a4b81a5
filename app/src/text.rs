//! Free text people type (names, makes, models): one rule for which characters it may hold.
//!
//! Control characters break storage (PostgreSQL refuses a NUL) and layout; bidirectional
//! overrides and isolates make text read differently from what it holds ("Trojan Source"), so a
//! name could pass for another on an agent's screen. Neither belongs in anything a person types.

/// Whether `text` holds a control character or a bidirectional formatting character.
pub fn has_forbidden_characters(text: &str) -> bool {
    text.chars().any(is_forbidden)
}

/// The same for text of several lines (a description): line breaks are allowed there.
pub fn has_forbidden_characters_in_lines(text: &str) -> bool {
    text.chars().any(|c| c != '\n' && c != '\r' && is_forbidden(c))
}

/// A control character or a bidirectional formatting character.
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The bidirectional formatting characters: marks, embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_accents_and_punctuation_are_allowed() {
        assert!(!has_forbidden_characters("Zoë Núñez-O'Brien, Jr."));
        assert!(!has_forbidden_characters("محمد"));
        assert!(!has_forbidden_characters("Powerwall 3 (13.5 kWh)"));
    }

    #[test]
    fn control_and_bidirectional_override_characters_are_refused() {
        for text in
            ["nul\0", "tab\there", "line\nbreak", "\u{202E}gnp.exe", "a\u{2066}b", "\u{200F}x"]
        {
            assert!(has_forbidden_characters(text), "{text:?}");
        }
        assert!(!has_forbidden_characters_in_lines("two\r\nlines"));
        assert!(has_forbidden_characters_in_lines("two\nlines\u{202E}"));
    }
}
