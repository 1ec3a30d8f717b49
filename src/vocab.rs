//! Risk-factor vocabulary (DfE CIN census factor codes and CP categories), Annex A
//! lettered-label stripping, and step-up referral detection.
//!
//! Matching here runs once per list item per row, so nothing allocates: text is compared
//! word by word (runs of letters and digits), case-insensitively, which also makes
//! "Self-harm", "self harm" and "self_harm" the same.

/// A CIN assessment factor theme (or CP category) and every way an extract may write it.
#[derive(Debug)]
pub(crate) struct RiskTheme {
    pub(crate) word: &'static str,
    pub(crate) codes: &'static [&'static str],
    pub(crate) labels: &'static [&'static str],
}

const fn theme(
    word: &'static str,
    codes: &'static [&'static str],
    labels: &'static [&'static str],
) -> RiskTheme {
    RiskTheme { word, codes, labels }
}

/// docs/vocabulary.md#risk-factors. The CP category codes sit beside the census codes of the same abuse, so
/// `neglect` finds a child on a neglect plan as well as one with factor 16A.
static THEMES: &[RiskTheme] = &[
    theme("alcohol", &["1A", "1B", "1C"], &["Alcohol", "Alcohol misuse"]),
    theme("drugs", &["2A", "2B", "2C"], &["Drugs", "Drug misuse"]),
    theme(
        "domestic_abuse",
        &["3A", "3B", "3C"],
        &[
            "Domestic abuse",
            "Domestic violence",
            "Domestic violence and abuse",
            "Domestic abuse and violence",
            "DA",
            "DV",
            "DVA",
        ],
    ),
    theme(
        "mental_health",
        &["4A", "4B", "4C"],
        &["Mental health", "Mental ill health"],
    ),
    theme(
        "learning_disability",
        &["5A", "5B", "5C"],
        &["Learning disability", "Learning disabilities"],
    ),
    theme(
        "physical_disability",
        &["6A", "6B", "6C"],
        &[
            "Physical disability",
            "Physical disabilities",
            "Physical disability or illness",
        ],
    ),
    theme("young_carer", &["7A"], &["Young carer", "Young carers"]),
    theme(
        "private_fostering",
        &["8B", "8C", "8D", "8E", "8F"],
        &["Private fostering", "Privately fostered"],
    ),
    theme(
        "uasc",
        &["9A"],
        &[
            "UASC",
            "Unaccompanied asylum seeking child",
            "Unaccompanied asylum seeking children",
        ],
    ),
    theme(
        "missing",
        &["10A"],
        &[
            "Missing",
            "Going missing",
            "Going/being missing",
            "Missing from home",
            "Missing from care",
        ],
    ),
    theme(
        "cse",
        &["11A"],
        &["CSE", "Child sexual exploitation", "Sexual exploitation"],
    ),
    theme("trafficking", &["12A"], &["Trafficking", "Child trafficking"]),
    theme("gangs", &["13A"], &["Gangs", "Gang involvement"]),
    theme(
        "behaviour",
        &["14A"],
        &["Behaviour", "Socially unacceptable behaviour"],
    ),
    theme("self_harm", &["15A"], &["Self harm"]),
    theme(
        "neglect",
        &["16A", "NEG"],
        &["Neglect", "Abuse or neglect - neglect"],
    ),
    theme(
        "emotional_abuse",
        &["17A", "EMO"],
        &["Emotional abuse", "Abuse or neglect - emotional abuse"],
    ),
    theme(
        "physical_abuse",
        &["18B", "18C", "18A", "PHY"],
        &["Physical abuse", "Abuse or neglect - physical abuse"],
    ),
    theme(
        "sexual_abuse",
        &["19B", "19C", "19A", "SAB"],
        &["Sexual abuse", "Abuse or neglect - sexual abuse"],
    ),
    theme("other", &["20"], &["Other"]),
    theme("none", &["21"], &["None", "No factors identified"]),
    theme("fgm", &["22A"], &["FGM", "Female genital mutilation"]),
    theme(
        "faith_abuse",
        &["23A"],
        &[
            "Abuse linked to faith or belief",
            "Faith based abuse",
            "Faith or belief",
        ],
    ),
    theme(
        "cce",
        &["24A"],
        &["CCE", "Child criminal exploitation", "Criminal exploitation"],
    ),
    theme("multiple", &["MUL"], &["Multiple", "Multiple/not recommended"]),
];

/// CP category codes have no digit, so they are listed to be recognised as codes.
const LETTER_CODES: &[&str] = &["NEG", "PHY", "SAB", "EMO", "MUL"];

/// "a) Neglect" → "Neglect", "p1) 5D: LA services" → "5D: LA services", "b) Female" → "Female";
/// otherwise unchanged. A prefix is 1–3 ASCII alphanumerics followed by ")" and optional
/// spaces, at the start. A bare "b)" is left alone: stripping it would leave nothing.
#[inline]
pub(crate) fn strip_label_prefix(s: &str) -> &str {
    // The common case, settled without trimming: text that starts with a letter or
    // digit has a prefix only if a ')' is among its first four bytes.
    let b = s.as_bytes();
    let paren = |i: usize| b.get(i) == Some(&b')');
    if b.first().is_some_and(u8::is_ascii_alphanumeric) && !(paren(1) || paren(2) || paren(3)) {
        return s;
    }
    strip_any_label_prefix(s)
}

/// [`strip_label_prefix`] without its shortcut.
#[inline(never)]
fn strip_any_label_prefix(s: &str) -> &str {
    let t = s.trim_start();
    let n = t.bytes().take(4).take_while(u8::is_ascii_alphanumeric).count();
    if (1..=3).contains(&n) && t.as_bytes().get(n) == Some(&b')') {
        let rest = t[n + 1..].trim_start();
        if !rest.is_empty() {
            return rest;
        }
    }
    s
}

/// The theme named by a vocabulary word (`neglect`, `domestic_abuse`, …), case-insensitive,
/// with spaces, hyphens and underscores alike. One of the theme's labels names it too, so
/// `"Domestic violence"` means the domestic abuse theme.
/// Every vocabulary word (`neglect`, `domestic_abuse`, …), for "did you mean".
pub(crate) fn theme_words() -> impl Iterator<Item = &'static str> {
    THEMES.iter().map(|t| t.word)
}

pub(crate) fn risk_theme(word: &str) -> Option<&'static RiskTheme> {
    let word = word.trim();
    if word.is_empty() {
        return None;
    }
    THEMES
        .iter()
        .find(|t| words_eq(word, t.word))
        .or_else(|| THEMES.iter().find(|t| t.labels.iter().any(|l| words_eq(word, l))))
}

/// Whether one list item (raw, may carry a lettered prefix or "16A: Neglect"/"16A - Neglect"
/// style code+label) belongs to the theme. When the item starts with a code, the code alone
/// decides: "N1 - Abuse or neglect" is primary need N1, not neglect.
pub(crate) fn item_matches_theme(item: &str, theme: &RiskTheme) -> bool {
    let item = strip_label_prefix(item.trim());
    if item.is_empty() {
        return false;
    }
    if let Some((code, _)) = split_code(item) {
        return theme.codes.iter().any(|c| c.eq_ignore_ascii_case(code));
    }
    words_eq(item, theme.word) || theme.labels.iter().any(|l| words_eq(item, l))
}

/// Whether a referral source (code or label, maybe lettered: "5D", "p1) 5D: LA services",
/// "5D - LA services – early help", "Early help") is a step-up from early help.
#[inline]
pub(crate) fn referral_is_step_up(source: &str) -> bool {
    // A bare code ("6", "5D"), as most cells hold: no trimming, prefix or words.
    if is_short_code(source.as_bytes()) {
        return source.eq_ignore_ascii_case("5D");
    }
    referral_is_step_up_in_general(source)
}

/// 1–4 ASCII letters and digits: an item with no label prefix, no label, no spaces.
fn is_short_code(b: &[u8]) -> bool {
    (1..=4).contains(&b.len()) && b.iter().all(u8::is_ascii_alphanumeric)
}

/// A [short code](is_short_code) in lower case, a byte of a number for each of its
/// bytes and a space for each it is short of four (no letter or digit is a space,
/// so different codes pack differently); `None` for any other item. Setting bit 5
/// of every byte lowercases the letters and leaves the digits as they are.
#[inline]
fn pack_short(b: &[u8]) -> Option<u32> {
    if !is_short_code(b) {
        return None;
    }
    // Shifted in one by one: copying the bytes into an array and reading it back
    // as a number stalls the processor (a load wider than the stores before it).
    let word = b
        .iter()
        .rev()
        .fold(0u32, |word, &byte| word << 8 | u32::from(byte));
    Some(word | 0x2020_2020)
}

/// [`referral_is_step_up`] without its shortcut.
#[inline(never)]
fn referral_is_step_up_in_general(source: &str) -> bool {
    let s = strip_label_prefix(source.trim());
    match split_code(s) {
        Some((code, _)) => code.eq_ignore_ascii_case("5D"),
        None => has_words_early_help(s),
    }
}

/// Splits a leading census-style code from the rest: "16A: Neglect" → ("16A", "Neglect"),
/// "5D" → ("5D", ""). A code is 1–4 ASCII letters and digits with at least one digit, or a
/// CP category code, ending the text or followed by a space, ':', '-', '–', '—' or '.'.
fn split_code(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take(5).take_while(u8::is_ascii_alphanumeric).count();
    if n == 0 || n > 4 {
        return None;
    }
    let (code, rest) = s.split_at(n);
    if !is_code_shaped(code.as_bytes()) {
        return None;
    }
    match rest.chars().next() {
        None => Some((code, "")),
        Some(' ' | ':' | '-' | '–' | '—' | '.') => {
            let label = rest.trim_start_matches([' ', ':', '-', '–', '—', '.']);
            Some((code, label))
        }
        Some(_) => None,
    }
}

/// Whether 1–4 letters and digits read as a code: with a digit, or a CP category code.
fn is_code_shaped(code: &[u8]) -> bool {
    code.iter().any(u8::is_ascii_digit)
        || LETTER_CODES
            .iter()
            .any(|c| c.as_bytes().eq_ignore_ascii_case(code))
}

/// What `contains` and `in (…)` look for among the items of a list cell: an item equal to
/// the literal (word by word, any case), an item of the theme the literal names, or an item
/// carrying the literal as its code ("16A" in "16A: Neglect") or as its label.
#[derive(Debug, Clone)]
pub(crate) struct ItemPattern {
    text: String,
    has_words: bool,
    theme: Option<&'static RiskTheme>,
    is_code: bool,
    /// `text`, and the theme's word and labels, as `words_eq` compares them
    /// (see [`ItemPattern::matches_short`]).
    text_folded: String,
    theme_folded: Vec<String>,
    /// Every item of 1–4 ASCII letters and digits that matches, lowercased and
    /// packed by [`pack_short`]: see [`ItemPattern::matches`].
    short: Vec<u32>,
}

impl ItemPattern {
    pub(crate) fn new(literal: &str) -> Self {
        let cleaned = literal.replace('\u{a0}', " ");
        let text = strip_label_prefix(cleaned.trim()).to_string();
        let has_words = text.chars().any(char::is_alphanumeric);
        let theme = risk_theme(&text);
        let is_code = split_code(&text).is_some_and(|(_, rest)| rest.is_empty());
        let text_folded = folded(&text).collect();
        let theme_folded = theme
            .map(|t| std::iter::once(t.word).chain(t.labels.iter().copied()))
            .into_iter()
            .flatten()
            .map(|w| folded(w).collect())
            .collect();
        let mut pattern = ItemPattern {
            text,
            has_words,
            theme,
            is_code,
            text_folded,
            theme_folded,
            short: Vec::new(),
        };
        pattern.short = pattern.short_matches();
        pattern
    }

    /// The short items that match, packed. Every branch of
    /// [`ItemPattern::matches_short`] that accepts an item ignores its case and
    /// finds it equal, lowercased, to the folded text, the text, a theme code or a
    /// folded theme word or label; so those, lowercased, are the only candidates,
    /// and an item matches exactly when its lowercase form is a candidate that does.
    fn short_matches(&self) -> Vec<u32> {
        let theme = self.theme.map(|t| t.codes).unwrap_or_default();
        let mut short: Vec<u32> = [&self.text_folded, &self.text]
            .into_iter()
            .map(String::as_str)
            .chain(theme.iter().copied())
            .chain(self.theme_folded.iter().map(String::as_str))
            .map(str::to_ascii_lowercase)
            .filter_map(|c| {
                let packed = pack_short(c.as_bytes())?;
                self.matches_short(c.as_bytes()).then_some(packed)
            })
            .collect();
        short.sort_unstable();
        short.dedup();
        short
    }

    /// Whether one trimmed list item matches. An item of 1–4 ASCII letters and
    /// digits, such as the census codes that fill most list cells ("16A", "4B"),
    /// is looked up among the few that match, by its lowercase bytes packed in a
    /// number; any other is compared word by word.
    pub(crate) fn matches(&self, item: &str) -> bool {
        match pack_short(item.as_bytes()) {
            Some(packed) => self.short.contains(&packed),
            None => self.matches_long(item),
        }
    }

    /// [`ItemPattern::matches_long`] for an item of 1–4 ASCII letters and digits,
    /// worked out from the pattern's folded words: such an item has no label prefix,
    /// is its own code when it has a digit (or is a CP letter code), and folds to
    /// itself in lower case. Used to find the pattern's `short` items.
    fn matches_short(&self, item: &[u8]) -> bool {
        let folds_to =
            |f: &str| f.len() == item.len() && f.bytes().zip(item).all(|(a, b)| a == b.to_ascii_lowercase());
        let same = if self.has_words {
            folds_to(&self.text_folded)
        } else {
            item == self.text.as_bytes()
        };
        if same {
            return true;
        }
        let is_code = is_code_shaped(item);
        let in_theme = self.theme.is_some_and(|t| {
            if is_code {
                t.codes.iter().any(|c| c.as_bytes().eq_ignore_ascii_case(item))
            } else {
                self.theme_folded.iter().any(|f| folds_to(f))
            }
        });
        in_theme || (is_code && self.is_code && item.eq_ignore_ascii_case(self.text.as_bytes()))
    }

    /// Whether one trimmed list item matches, for any item.
    fn matches_long(&self, item: &str) -> bool {
        let item = strip_label_prefix(item);
        let same = if self.has_words {
            words_eq(item, &self.text)
        } else {
            item == self.text
        };
        if same || self.theme.is_some_and(|t| item_matches_theme(item, t)) {
            return true;
        }
        split_code(item).is_some_and(|(code, label)| {
            (self.is_code && code.eq_ignore_ascii_case(&self.text))
                || (self.has_words && !label.is_empty() && words_eq(label, &self.text))
        })
    }
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// Case-insensitive comparison of the words of `a` and `b`, ignoring punctuation and spacing.
fn words_eq(a: &str, b: &str) -> bool {
    // Most comparisons fail on the first letter; settle those before folding.
    let first = |s: &str| s.bytes().find(|b| !b.is_ascii() || b.is_ascii_alphanumeric());
    match (first(a), first(b)) {
        (Some(x), Some(y)) if x.is_ascii() && y.is_ascii() && !x.eq_ignore_ascii_case(&y) => false,
        _ => folded(a).eq(folded(b)),
    }
}

/// The words of `s` lowercased and joined by single spaces. One lazy pass, so a comparison
/// stops at the first difference: this runs per list item per row.
fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut after_word = true;
    let s = s.trim_matches(|c: char| !c.is_alphanumeric());
    let spaced = s.chars().filter_map(move |c| {
        let alnum = c.is_alphanumeric();
        let out = if alnum { Some(c) } else { after_word.then_some(' ') };
        after_word = alnum;
        out
    });
    spaced.flat_map(char::to_lowercase)
}

fn word_eq_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn has_words_early_help(s: &str) -> bool {
    let mut prev_early = false;
    for w in words(s) {
        if prev_early && word_eq_ci(w, "help") {
            return true;
        }
        prev_early = word_eq_ci(w, "early");
    }
    false
}

#[cfg(test)]
mod tests;
