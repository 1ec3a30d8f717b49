//! Returned audit forms read from their workbooks: the files a folder stands
//! for, each form read and checked, a form returned twice read once, and the
//! audits as rows of the standard layout. Shared by `collect`, and by the
//! commands that take a folder of returned forms as their audits.

use crate::config::Settings;
use crate::dates::Month;
use crate::forms::{self, Collected, Returned};
use crate::grades::Scale;
use crate::problem::Problem;
use crate::values::element_key;
use crate::workbook::PlacedCell;
use anyhow::{Context as _, Result, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the forms of some workbooks hold.
pub(crate) struct FormsRead {
    /// The audits returned, each once, in audit id order.
    pub(crate) audits: Vec<Returned>,
    /// Forms without an overall grade.
    pub(crate) outstanding: usize,
    pub(crate) problems: Vec<Problem>,
    pub(crate) warnings: Vec<Problem>,
}

/// The workbooks to read forms from, and a warning for each spreadsheet in
/// the folders given that is not read (a form saved as .ods or .xls).
pub(crate) struct Workbooks {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) passed_over: Vec<Problem>,
}

/// Reads the audit forms of `books`.
pub(crate) fn read_forms(books: &Workbooks, scale: &Scale, settings: &Settings) -> Result<FormsRead> {
    let mut started = Vec::new();
    let mut read = read_each(
        &books.files,
        "audit form (no sheet written by `caseaudit forms`)",
        |file, sheet, cells| {
            forms::read_sheet(file, sheet, cells, scale, settings).map(|r| {
                r.map(|c| match c {
                    Collected::Audit(a) => Some(*a),
                    Collected::Outstanding { started: s, .. } => {
                        started.extend(s);
                        None
                    }
                })
            })
        },
    )?;
    let mut warnings = books.passed_over.clone();
    warnings.append(&mut started);
    let mut audits = once_each(read.forms, "audit", &mut read.problems, &mut warnings);
    one_audit_id_per_case(&audits, &mut read.problems);
    // In audit id order, whatever the files are called: a month's in allocation order.
    audits.sort_by(|a, b| a.audit_id.cmp(&b.audit_id));
    Ok(FormsRead {
        audits,
        outstanding: read.outstanding,
        problems: read.problems,
        warnings,
    })
}

/// The forms of some workbooks, of one kind, as each was read.
pub(crate) struct EachForm<T> {
    /// The forms filled in.
    pub(crate) forms: Vec<T>,
    /// The forms not filled in yet.
    pub(crate) outstanding: usize,
    pub(crate) problems: Vec<Problem>,
}

/// Reads every sheet of every workbook of `files` with `read`, which gives
/// `None` for a sheet that is not a form of its kind (a list, a note the user
/// added), and `Ok(None)` for a form not filled in yet. A workbook holding no
/// such form, or that cannot be read at all, is an error: it "holds no `what`".
pub(crate) fn read_each<T>(
    files: &[PathBuf],
    what: &str,
    mut read: impl FnMut(&str, &str, &[PlacedCell]) -> Option<Result<Option<T>, Vec<Problem>>>,
) -> Result<EachForm<T>> {
    let mut each = EachForm {
        forms: Vec::new(),
        outstanding: 0,
        problems: Vec::new(),
    };
    for path in files {
        let file = path.display().to_string();
        if let Some(problem) = unreadable(path) {
            each.problems.push(problem);
            continue;
        }
        let mut forms_in_file = 0;
        for (sheet, cells) in crate::workbook::read_cells(path)? {
            match read(&file, &sheet, &cells) {
                None => continue,
                Some(Err(found)) => each.problems.extend(found),
                Some(Ok(None)) => each.outstanding += 1,
                Some(Ok(Some(form))) => each.forms.push(form),
            }
            forms_in_file += 1;
        }
        if forms_in_file == 0 {
            each.problems
                .push(Problem::error(&file, None, None, format!("holds no {what}")));
        }
    }
    Ok(each)
}

/// Why a returned form cannot be read at all, when its first bytes tell: an
/// empty file (not saved whole, or a cloud placeholder), or a file saved with
/// a password, which Excel and LibreOffice write as an encrypted compound
/// document, not as a zip (as is an old .xls renamed .xlsx).
pub(crate) fn unreadable(path: &Path) -> Option<Problem> {
    use std::io::Read as _;
    let mut start = [0u8; 8];
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(8).read(&mut start))
        .ok()?;
    const COMPOUND: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let why = if read == 0 {
        "the file is empty: it was not saved or copied whole; ask for it again"
    } else if start == COMPOUND {
        "the file is saved with a password (or is an old .xls renamed .xlsx): open it and save it as Excel Workbook (.xlsx) with no password"
    } else {
        return None;
    };
    Some(Problem::error(&path.display().to_string(), None, None, why))
}

/// The audits of `read` as the text of an audits file, for the readers of audits.
pub(crate) fn as_csv(settings: &Settings, audits: &[Returned]) -> Result<Vec<u8>> {
    let columns = columns(settings, audits, false);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns)?;
    for a in audits {
        w.write_record(row(a, &columns))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
}

/// Where a row of the audits read from forms came from: its form and the cell
/// of each answer.
pub(crate) struct Located {
    at: String,
    cells: std::collections::BTreeMap<String, String>,
}

impl Located {
    pub(crate) fn of(audit: &Returned) -> Located {
        Located {
            at: audit.at.clone(),
            cells: audit.cells.clone(),
        }
    }
}

/// Problems the audits reader found in the rows read from a folder of forms
/// (`name`), which name a line of that table (the header, then a row a form, in
/// `located`'s order), renamed by the form and the answer's cell.
pub(crate) fn locate(problems: &mut [Problem], name: &str, located: &[Located]) {
    for p in problems.iter_mut().filter(|p| p.file == name) {
        let Some(form) = p
            .line
            .and_then(|l| l.checked_sub(2))
            .and_then(|i| located.get(i as usize))
        else {
            continue;
        };
        let cell = p
            .column
            .as_ref()
            .and_then(|c| form.cells.get(c).map(|cell| (cell, c)));
        p.file = match cell {
            Some((cell, column)) => format!("{}, cell {cell} ({column})", form.at),
            None => form.at.clone(),
        };
        if cell.is_some() {
            p.column = None;
        }
        p.line = None;
    }
}

/// The workbooks given, a folder standing for the `.xlsx` files in it (by
/// name; Excel's `~$` lock files left out). A form saved in another
/// spreadsheet format in such a folder is not read, and said so: it would
/// otherwise only be missed as outstanding.
pub(crate) fn workbooks(inputs: &[PathBuf]) -> Result<Workbooks> {
    let mut files = Vec::new();
    let mut passed_over = Vec::new();
    for input in inputs {
        if input.is_dir() {
            passed_over.extend(other_spreadsheets(input));
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("cannot read the folder {}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    let xlsx = Path::new(name)
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
                    xlsx && !name.starts_with("~$") && !name.starts_with('.') && p.is_file()
                })
                .collect();
            if found.is_empty() {
                bail!("{}", no_workbook(input));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(Workbooks { files, passed_over })
}

/// Spreadsheets in another format than .xlsx: saved by LibreOffice in its own
/// format (.ods), or as an older Excel file.
const OTHER_FORMATS: [&str; 4] = ["ods", "xls", "xlsb", "numbers"];

fn other_spreadsheets(folder: &Path) -> Vec<Problem> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    found.sort();
    found
        .iter()
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| OTHER_FORMATS.iter().any(|o| e.eq_ignore_ascii_case(o)))
        })
        .map(|p| {
            Problem::warning(
                &p.display().to_string(),
                None,
                None,
                "not read: forms are read from .xlsx; open it and save it as Excel Workbook (.xlsx)",
            )
        })
        .collect()
}

/// Why a folder gives no forms, naming what it holds instead: a form saved
/// in LibreOffice's own format (.ods) or as an older Excel file is to be
/// saved again as .xlsx.
fn no_workbook(folder: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let start = format!("{} holds no .xlsx workbook", folder.display());
    if names.is_empty() {
        return format!("{start}: the folder is empty (give the folder the returned forms were saved in)");
    }
    let resave = names.iter().any(|n| {
        Path::new(n)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| OTHER_FORMATS.iter().any(|o| e.eq_ignore_ascii_case(o)))
    });
    let shown = if names.len() > 3 {
        format!("{}, … ({} files)", names[..3].join(", "), names.len())
    } else {
        names.join(", ")
    };
    format!(
        "{start} (it holds {shown}){}",
        if resave {
            "; open each form and save it as Excel Workbook (.xlsx): forms are read from .xlsx only"
        } else {
            "; give the folder the returned forms were saved in"
        }
    )
}

/// A form read back, as copies of it returned twice are told apart.
pub(crate) trait Form {
    fn audit_id(&self) -> &str;
    /// `file: sheet "NAME"`.
    fn at(&self) -> &str;
    /// The cell of the audit id.
    fn id_cell(&self) -> &str;
    /// The answers in which `other`, another copy, differs from this one, each
    /// as its label and its cell here (`Plans (C16)`): none when they agree,
    /// wherever either copy's rows were moved to.
    fn differences(&self, other: &Self) -> Vec<String>;
}

impl Form for Returned {
    fn audit_id(&self) -> &str {
        &self.audit_id
    }

    fn at(&self) -> &str {
        &self.at
    }

    fn id_cell(&self) -> &str {
        &self.id_cell
    }

    fn differences(&self, other: &Self) -> Vec<String> {
        Returned::differences(self, other)
    }
}

/// Each form once, in the order first read: a form returned twice is kept
/// once with a warning when the copies' answers agree (wherever their rows
/// are), and is an error naming the cells that differ when they do not. `what`
/// says what the audit id is of in messages (`audit`, `the moderation of audit`).
pub(crate) fn once_each<T: Form>(
    forms: Vec<T>,
    what: &str,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Vec<T> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut kept: Vec<T> = Vec::new();
    for form in forms {
        let Some(&i) = first.get(form.audit_id()) else {
            first.insert(form.audit_id().to_string(), kept.len());
            kept.push(form);
            continue;
        };
        let earlier = &kept[i];
        let differ = form.differences(earlier);
        let at = format!("{}, cell {} (Audit id)", form.at(), form.id_cell());
        let again = format!(
            "{what} \"{}\" is returned again, {} {}",
            form.audit_id(),
            if differ.is_empty() {
                "the same as in"
            } else {
                "differently from"
            },
            earlier.at()
        );
        if differ.is_empty() {
            warnings.push(Problem::warning(&at, None, None, format!("{again}: read once")));
        } else {
            problems.push(Problem::error(
                &at,
                None,
                None,
                format!(
                    "{again}: here {} differ{}; keep the right copy only",
                    differ.join(", "),
                    if differ.len() == 1 { "s" } else { "" }
                ),
            ));
        }
    }
    kept
}

/// One case and month under two audit ids is an error naming both forms.
fn one_audit_id_per_case(audits: &[Returned], problems: &mut Vec<Problem>) {
    let mut by_case: HashMap<(&str, Month), &Returned> = HashMap::new();
    for a in audits {
        if let Some(earlier) = by_case.insert((a.case_id.as_str(), a.month), a) {
            problems.push(Problem::error(
                &format!("{}, cell {} (Audit id)", a.at, a.id_cell),
                None,
                None,
                format!(
                    "case \"{}\" of {} is returned under two audit ids: \"{}\" here and \"{}\" in {}; an audit id belongs to one case (a form copied to another sheet, or its header changed?): keep the form of the case's own audit id",
                    a.case_id, a.month, a.audit_id, earlier.audit_id, earlier.at
                ),
            ));
        }
    }
}

/// The audits file's columns: the case, the elements (those of the settings'
/// templates in their order, then any other), the findings, and with
/// `evidence` each element's evidence.
pub(crate) fn columns(settings: &Settings, audits: &[Returned], evidence: bool) -> Vec<String> {
    let known: Vec<&str> = settings
        .template
        .elements
        .iter()
        .chain(settings.templates.values().flat_map(|t| &t.elements))
        .map(|e| e.key.as_str())
        .collect();
    let mut elements: Vec<String> = Vec::new();
    for a in audits {
        for (key, ..) in &a.elements {
            if !elements.iter().any(|e| element_key(e) == element_key(key)) {
                elements.push(key.clone());
            }
        }
    }
    let rank = |k: &str| {
        known
            .iter()
            .position(|x| element_key(x) == element_key(k))
            .unwrap_or(usize::MAX)
    };
    elements.sort_by_key(|k| rank(k)); // stable: others keep their order
    let (case, findings) = crate::audits::columns_around_elements();
    let mut columns: Vec<String> = case.iter().map(|c| (*c).to_string()).collect();
    columns.extend(elements.iter().cloned());
    columns.extend(findings.iter().map(|c| (*c).to_string()));
    if evidence {
        columns.extend(elements.iter().map(|e| format!("{e}_evidence")));
    }
    columns
}

/// An audit's cells under `columns`.
pub(crate) fn row(a: &Returned, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            let element = |k: &str| {
                a.elements
                    .iter()
                    .find(|(key, ..)| element_key(key) == element_key(k))
            };
            match c.as_str() {
                "audit_id" => a.audit_id.clone(),
                "case_id" => a.case_id.clone(),
                "month" => a.month.to_string(),
                "auditor_id" => a.auditor_id.clone(),
                "team" => a.team.clone(),
                "service" => a.service.clone(),
                "frame" => a.frame.clone(),
                "completed_on"
                | "overall"
                | "strengths"
                | "learning"
                | "action"
                | "action_owner"
                | "action_due"
                | "action_done"
                | "safeguarding_concern" => a.finding(c).to_string(),
                _ => match c.strip_suffix("_evidence").and_then(element) {
                    Some((_, _, evidence)) if element(c).is_none() => evidence.clone(),
                    _ => element(c).map_or(String::new(), |(_, grade, _)| grade.clone()),
                },
            }
        })
        .collect()
}
