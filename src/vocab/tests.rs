use super::*;

#[test]
fn strips_lettered_prefixes() {
    assert_eq!(strip_label_prefix("a) Neglect"), "Neglect");
    assert_eq!(strip_label_prefix("p1) 5D: LA services"), "5D: LA services");
    assert_eq!(strip_label_prefix("b) Female"), "Female");
    assert_eq!(strip_label_prefix("b)Female"), "Female");
    assert_eq!(strip_label_prefix("Female"), "Female");
    assert_eq!(strip_label_prefix("abcd) Female"), "abcd) Female");
    assert_eq!(strip_label_prefix("b)"), "b)");
    assert_eq!(strip_label_prefix("(a) Neglect"), "(a) Neglect");
    assert_eq!(strip_label_prefix(""), "");
    assert_eq!(strip_label_prefix("é) x"), "é) x");
}

#[test]
fn themes_by_word_label_and_spacing() {
    assert_eq!(risk_theme("neglect").map(|t| t.word), Some("neglect"));
    assert_eq!(
        risk_theme("Domestic abuse").map(|t| t.word),
        Some("domestic_abuse")
    );
    assert_eq!(
        risk_theme("DOMESTIC_ABUSE").map(|t| t.word),
        Some("domestic_abuse")
    );
    assert_eq!(
        risk_theme("domestic violence").map(|t| t.word),
        Some("domestic_abuse")
    );
    assert_eq!(risk_theme("self-harm").map(|t| t.word), Some("self_harm"));
    assert!(risk_theme("housing").is_none());
    assert!(risk_theme("16A").is_none());
    assert!(risk_theme("  ").is_none());
    for t in THEMES {
        assert_eq!(risk_theme(t.word).map(|x| x.word), Some(t.word));
    }
}

#[test]
fn neglect_items() {
    let t = risk_theme("neglect").unwrap();
    for item in [
        "16A",
        "NEG",
        "Neglect",
        "a) Neglect",
        "16A: Neglect",
        "16A - Neglect",
        "neglect",
        " 16a ",
    ] {
        assert!(item_matches_theme(item, t), "{item}");
    }
    for item in [
        "N1 - Abuse or neglect",
        "N1 Abuse or neglect",
        "17A",
        "PHY",
        "",
        "Neglectful",
        "16AB",
    ] {
        assert!(!item_matches_theme(item, t), "{item}");
    }
}

#[test]
fn other_themes() {
    let da = risk_theme("domestic_abuse").unwrap();
    for item in [
        "3A",
        "3B",
        "3c",
        "DV",
        "Domestic violence",
        "3B: Domestic abuse (parent)",
    ] {
        assert!(item_matches_theme(item, da), "{item}");
    }
    assert!(!item_matches_theme("4A", da));
    let pa = risk_theme("physical_abuse").unwrap();
    assert!(item_matches_theme("18A", pa));
    assert!(item_matches_theme("b) Physical abuse", pa));
    let m = risk_theme("multiple").unwrap();
    assert!(item_matches_theme("e) Multiple/not recommended", m));
    assert!(item_matches_theme("MUL", m));
}

#[test]
fn step_up_referrals() {
    for s in [
        "5D",
        "5d",
        "p1) 5D: LA services",
        "5D - LA services – early help",
        "Early help",
        "LA services – early help",
    ] {
        assert!(referral_is_step_up(s), "{s}");
    }
    for s in [
        "5A",
        "5DD",
        "p1) 5C: LA services",
        "Police",
        "6",
        "10",
        "",
        "Early",
        "help early",
    ] {
        assert!(!referral_is_step_up(s), "{s}");
    }
}

#[test]
fn codes_split_from_labels() {
    assert_eq!(split_code("16A: Neglect"), Some(("16A", "Neglect")));
    assert_eq!(split_code("16A - Neglect"), Some(("16A", "Neglect")));
    assert_eq!(split_code("NEG"), Some(("NEG", "")));
    assert_eq!(split_code("Neglect"), None);
    assert_eq!(split_code("16A/x"), None);
    assert_eq!(split_code("12345"), None);
    assert!(words_eq("Self-harm", " self_HARM. ") && words_eq("Pâté, x", "PÂTÉ x") && words_eq("", "--"));
    assert!(words_eq("\u{1}Neglect", "neglect") && words_eq("é", "É") && !words_eq("é", "e"));
    assert!(!words_eq("Self harm", "Selfharm") && !words_eq("ab", "a b") && !words_eq("a", ""));
}

mod shortcuts {
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        /// The shortcut of `referral_is_step_up` changes no answer.
        #[test]
        fn step_up_shortcut_agrees(s in "[ 5dD6a-c1)]{0,5}") {
            prop_assert_eq!(referral_is_step_up(&s), referral_is_step_up_in_general(&s));
        }

        /// The shortcut of `strip_label_prefix` changes no answer.
        #[test]
        fn label_prefix_shortcut_agrees(s in "[ a-c1)\u{a0}:é]{0,7}") {
            prop_assert_eq!(strip_label_prefix(&s), strip_any_label_prefix(&s));
        }

        /// The shortcut for short items answers as the general match does.
        #[test]
        fn short_items_match_as_any_item_does(
            literal in proptest::sample::select(LITERALS),
            item in "[0-9A-Za-z]{1,4}",
        ) {
            let p = ItemPattern::new(literal);
            prop_assert_eq!(p.matches_short(item.as_bytes()), p.matches_long(&item), "{} in {}", literal, item);
            prop_assert_eq!(p.matches(&item), p.matches_long(&item), "{} in {}", literal, item);
        }

        /// The packed lookup of short items answers as the general match does, for
        /// every short word a pattern could be looking for, in any case.
        #[test]
        fn short_items_are_looked_up_as_they_would_match(
            literal in proptest::sample::select(LITERALS),
            item in proptest::sample::select(short_words()),
            case in proptest::num::u8::ANY,
        ) {
            let item: String = item
                .chars()
                .enumerate()
                .map(|(i, c)| if case >> (i % 8) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            let p = ItemPattern::new(literal);
            prop_assert_eq!(p.matches(&item), p.matches_long(&item), "{} in {}", literal, item);
        }

        #[test]
        fn theme_codes_and_words_match_as_any_item_does(
            literal in proptest::sample::select(LITERALS),
            item in proptest::sample::select(&["16A", "16a", "NEG", "Neg", "2B", "3A", "PHY", "emo", "CSE", "cse", "21", "7", "SA", "DA"][..]),
        ) {
            let p = ItemPattern::new(literal);
            prop_assert_eq!(p.matches_short(item.as_bytes()), p.matches_long(item), "{} in {}", literal, item);
        }
    }

    /// Every code, theme word and label of the vocabulary, the letter codes and the
    /// literals, that are short codes: what the packed lookup holds.
    fn short_words() -> Vec<String> {
        let themes = THEMES
            .iter()
            .flat_map(|t| t.codes.iter().chain([&t.word]).chain(t.labels));
        themes
            .chain(LETTER_CODES)
            .chain(LITERALS)
            .filter(|w| is_short_code(w.as_bytes()))
            .map(|w| w.to_string())
            .collect()
    }

    const LITERALS: &[&str] = &[
        "neglect",
        "Neglect",
        "16A",
        "16a",
        "NEG",
        "neg",
        "domestic abuse",
        "Domestic violence",
        "a) Neglect",
        "4B",
        "7",
        "CSE",
        "21",
        "abc",
        "Sexual abuse",
        "SAB",
        "mul",
        "x",
        "1",
        "b)",
        "-",
        "\u{212A}",
    ];
}
