//! Cell values as the case management systems write them: trimming, non-breaking
//! spaces, the markers that mean "missing", yes/no, lists, header names, and the
//! case-insensitive comparisons of text that filters and vocabulary share.

use std::borrow::Cow;

/// Texts that mean "no value" (compared case-insensitively after trimming).
const MISSING_MARKERS: [&str; 3] = ["null", "n/a", "#n/a"];

/// Trims a cell and turns non-breaking spaces into plain spaces, so that a team
/// written with a NBSP is the same team; a cell caseaudit guarded against being
/// taken for a formula when it wrote it (`'+East`, see [`neutralise`]) is read
/// as it was (`+East`). Borrowed unless a NBSP is present.
pub(crate) fn clean(raw: &str) -> Cow<'_, str> {
    // A NBSP is C2 A0 in UTF-8: a byte search for C2 (memchr) rules most cells out
    // far faster than a search for the character, and this runs for every cell.
    let cleaned = if raw.as_bytes().contains(&0xC2) && raw.contains('\u{a0}') {
        Cow::Owned(raw.replace('\u{a0}', " ").trim().to_string())
    } else {
        Cow::Borrowed(raw.trim())
    };
    match cleaned.strip_prefix('\'') {
        Some(guarded) if looks_like_formula(guarded) => Cow::Owned(guarded.trim().to_string()),
        _ => cleaned,
    }
}

/// Whether a (cleaned) cell means "no value": empty, `NULL`, `N/A`, `#N/A`.
#[inline]
pub(crate) fn is_missing(cell: &str) -> bool {
    // Every marker starts with 'n' or '#': most short cells are settled by their first byte.
    let first = cell.as_bytes().first().map(u8::to_ascii_lowercase);
    first.is_none()
        || (cell.len() <= 4
            && matches!(first, Some(b'n' | b'#'))
            && MISSING_MARKERS.iter().any(|m| cell.eq_ignore_ascii_case(m)))
}

/// Reads yes/no in the forms people type: yes/no, y/n, true/false, 1/0.
pub(crate) fn parse_yes_no(cell: &str) -> Option<bool> {
    const YES: [&str; 4] = ["yes", "y", "true", "1"];
    const NO: [&str; 4] = ["no", "n", "false", "0"];
    let t = trim(cell);
    if YES.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(true)
    } else if NO.iter().any(|w| t.eq_ignore_ascii_case(w)) {
        Some(false)
    } else {
        None
    }
}

/// Splits a list cell on `;` (also `,` or `|`), trimming items and dropping empty ones.
pub(crate) fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    // Split on the separators' bytes: they are ASCII, so never inside another
    // character, and a byte search is several times cheaper than a char pattern.
    let mut rest = Some(cell);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.bytes().position(|b| matches!(b, b';' | b',' | b'|')) {
            Some(at) => {
                rest = Some(&text[at + 1..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
    .map(trim)
    .filter(|s| !s.is_empty())
}

/// `str::trim`, settled at once when the text starts and ends with a printable
/// ASCII character (no white space can be there), as nearly every cell does.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| (b'!'..=b'~').contains(&b));
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// The form in which headers and names are compared: trimmed, lower case, runs of
/// whitespace (including NBSP) as one space.
pub(crate) fn header_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Whether a header names identifying data about the child (kept out of outputs
/// unless asked for by name).
pub(crate) fn is_identifying(header: &str) -> bool {
    const IDENTIFYING: [&str; 24] = [
        "child name",
        "child_name",
        "name",
        "first name",
        "first_name",
        "forename",
        "forenames",
        "surname",
        "last name",
        "last_name",
        "family name",
        "full name",
        "full_name",
        "dob",
        "date of birth",
        "date_of_birth",
        "birth date",
        "address",
        "postcode",
        "post code",
        "nhs number",
        "nhs_number",
        "upn",
        "email",
    ];
    let key = header_key(header);
    IDENTIFYING.contains(&key.as_str()) || key.starts_with("child name") || key.starts_with("child's name")
}

/// The form in which element keys, titles and headings are compared:
/// case-insensitive, spacing collapsed, `_` the same as a space.
pub(crate) fn element_key(name: &str) -> String {
    header_key(&name.replace('_', " "))
}

/// Lowercases char by char: the same mapping [`cmp_ci`] and [`contains_ci`] apply per row.
pub(crate) fn lowercase(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Orders `a`, lowercased, against an already [`lowercase`]d `lower`, without allocating.
pub(crate) fn cmp_ci(a: &str, lower: &str) -> std::cmp::Ordering {
    if a.is_ascii() {
        // UTF-8 byte order is code point order, so bytes compare as chars do.
        a.bytes().map(|b| b.to_ascii_lowercase()).cmp(lower.bytes())
    } else {
        a.chars().flat_map(char::to_lowercase).cmp(lower.chars())
    }
}

/// Whether `a`, lowercased, is the already [`lowercase`]d `lower`: [`cmp_ci`]
/// giving `Equal`, settled by length and then bytes when `a` is ASCII (which
/// [`cmp_ci`] compares byte by byte, and lowercasing keeps its length).
#[inline]
pub(crate) fn eq_ci(a: &str, lower: &str) -> bool {
    if a.is_ascii() {
        a.len() == lower.len() && a.as_bytes().eq_ignore_ascii_case(lower.as_bytes())
    } else {
        cmp_ci(a, lower).is_eq()
    }
}

/// Whether `hay`, lowercased, contains the already [`lowercase`]d `lower`, without allocating.
pub(crate) fn contains_ci(hay: &str, lower: &str) -> bool {
    if hay.is_ascii() && lower.is_ascii() {
        let n = lower.len().max(1);
        return lower.is_empty()
            || hay
                .as_bytes()
                .windows(n)
                .any(|w| w.eq_ignore_ascii_case(lower.as_bytes()));
    }
    hay.char_indices().any(|(i, _)| {
        let mut rest = hay[i..].chars().flat_map(char::to_lowercase);
        lower.chars().all(|c| rest.next() == Some(c))
    })
}

/// A count with its noun, singular or plural: `1 case`, `3 cases`.
/// Edits from one text to the other, by characters: insertions, deletions,
/// substitutions and swaps of two neighbours (`Nmae` is one edit from `Name`).
/// Used to suggest the name meant (a heading, a field, a team).
pub(crate) fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the table d[i][j] (edits from a[..i] to b[..j]).
    let mut before: Vec<usize> = Vec::new();
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (last[j - 1] + cost).min(last[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            row[j] = best;
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A count and a noun made plural with an `s`: `1 audit`, `3 audits`, `0 audits`.
pub(crate) fn count(n: impl TryInto<u64>, noun: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    counted(n, noun, &format!("{noun}s"))
}

/// The form in which headings are compared here: lower case, letters and digits
/// only, so that `Staff ID`, `staff_id`, `STAFF-ID` and `StaffID` are one heading.
/// Looser than [`header_key`], which keeps `_` and punctuation.
pub(crate) fn heading_key(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a text cell would be taken as a formula by a spreadsheet (README.md#output):
/// it begins with `=`, `+`, `-`, `@`, tab or carriage return and is not a number.
pub(crate) fn looks_like_formula(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => cell.parse::<f64>().is_err(),
        _ => false,
    }
}

/// The cell as it should be written to a spreadsheet-bound file.
pub(crate) fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_cell_guarded_against_formulas_reads_as_it_was() {
        for text in ["+East", "- Unallocated -", "=SUM(A1)", "@home"] {
            assert_eq!(clean(&neutralise(text)), text);
        }
        // An apostrophe before anything else is the cell's own.
        for text in ["'Brien", "'-5", "'", "' "] {
            assert_eq!(clean(text), text.trim());
        }
    }

    #[test]
    fn edits_counts_characters() {
        assert_eq!(edits("auditor", "auditer"), 1);
        assert_eq!(edits("", "abc"), 3);
        assert_eq!(edits("abc", ""), 3);
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("nmae", "name"), 1);
        assert_eq!(edits("ca", "abc"), 3);
        assert_eq!(edits("Zoë", "Zoe"), 1);
    }

    proptest! {
        #[test]
        fn edits_are_a_distance_bounded_by_the_lengths(a in "[a-d]{0,8}", b in "[a-d]{0,8}") {
            let d = edits(&a, &b);
            prop_assert_eq!(d, edits(&b, &a));
            prop_assert_eq!(d == 0, a == b);
            prop_assert!(d <= a.len().max(b.len()));
            prop_assert!(d >= a.len().abs_diff(b.len()));
        }
    }

    #[test]
    fn text_helpers() {
        assert!(contains_ci("Straße Team", "aße t"));
        assert!(contains_ci("abc", ""));
        assert!(!contains_ci("abc", "abcd"));
        assert!(!contains_ci("é", "e"));
        assert_eq!(cmp_ci("ABC", "abd"), std::cmp::Ordering::Less);
        assert_eq!(cmp_ci("PÂTÉ", &lowercase("pâté")), std::cmp::Ordering::Equal);
    }

    proptest! {
        /// `eq_ci` answers as `cmp_ci` does.
        #[test]
        fn eq_ci_is_cmp_ci_equal(a in "[aAbB\u{212A}kKé É]{0,4}", b in "[aAbB\u{212A}kKé É]{0,4}") {
            let lower = lowercase(&b);
            prop_assert_eq!(eq_ci(&a, &lower), cmp_ci(&a, &lower).is_eq());
            prop_assert!(eq_ci(&b, &lower));
        }
    }

    #[test]
    fn cleaning_and_missing() {
        assert_eq!(clean("  Dustin\u{a0}Hazlett "), "Dustin Hazlett");
        assert_eq!(clean(" A "), "A");
        for m in ["", "NULL", "n/a", "#N/A", "N/A"] {
            assert!(is_missing(m), "{m}");
        }
        assert!(!is_missing("Nancy"));
    }

    #[test]
    fn yes_no_and_lists() {
        assert_eq!(parse_yes_no("Yes"), Some(true));
        assert_eq!(parse_yes_no("n"), Some(false));
        assert_eq!(parse_yes_no("maybe"), None);
        assert_eq!(
            list_items("16A; NEG|a) Neglect,, ").collect::<Vec<_>>(),
            ["16A", "NEG", "a) Neglect"]
        );
    }

    #[test]
    fn headers() {
        assert_eq!(header_key("  Allocated\u{a0}Team  "), "allocated team");
        assert!(is_identifying("Date of Birth"));
        assert!(is_identifying("child_name"));
        assert!(!is_identifying("Allocated Worker"));
    }

    proptest::proptest! {
        #[test]
        fn list_items_split_as_a_char_pattern_does(cell in "[a;,| é\u{a0}|]{0,12}") {
            let want: Vec<&str> = cell.split([';', ',', '|']).map(str::trim).filter(|s| !s.is_empty()).collect();
            proptest::prop_assert_eq!(list_items(&cell).collect::<Vec<_>>(), want);
        }

        #[test]
        fn trim_shortcut_agrees(s in "[ a~!\t\u{a0}\u{3000}é\x7f]{0,5}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        /// The first-byte shortcut of `is_missing` changes no answer.
        #[test]
        fn missing_shortcut_agrees(cell in "[nNuUlLaA/#x1 ]{0,5}") {
            let plain = cell.is_empty()
                || (cell.len() <= 4 && MISSING_MARKERS.iter().any(|m| cell.eq_ignore_ascii_case(m)));
            proptest::prop_assert_eq!(is_missing(&cell), plain);
        }
    }
}
