//! Workbooks that once could not be read within bounds: a value in the sheet's
//! last cell (a dense grid of every cell up to it: an abort), a stray value far
//! below the table (duplicate "" headings, hundreds of MB), a sheet whose XML
//! unpacks to 1 GiB of whitespace (1 GB of memory). Each now gives the two real
//! rows or one message. The zips the writer cannot make are built here by hand.

use crate::common::Workdir;
use rust_xlsxwriter::Workbook;

/// A workbook of two cases (`case_id`, `team`) with one more value at `(row, col)`.
fn two_cases_and(path: &std::path::Path, row: u32, col: u16, value: &str) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in [["case_id", "team"], ["C1", "Duty"], ["C2", "Duty"]]
        .iter()
        .enumerate()
    {
        for (c, text) in cells.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    sheet.write_string(row, col, value).unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_value_in_the_last_cell_of_the_sheet_is_ignored_not_allocated() {
    let w = Workdir::new();
    two_cases_and(&w.path("bomb.xlsx"), 1_048_575, 16_383, "x");
    w.run(&["cases", "bomb.xlsx", "--count"])
        .ok()
        .stdout_has("2")
        .stderr_has("bomb.xlsx[Sheet1]: cell XFD1048576 holds \"x\" far from the table; ignored");
}

#[test]
fn a_stray_value_far_below_leaves_the_headings_alone() {
    let w = Workdir::new();
    two_cases_and(&w.path("stray.xlsx"), 999_999, 9, "x");
    let run = w
        .run(&["cases", "stray.xlsx", "--count"])
        .ok()
        .stderr_has("stray.xlsx[Sheet1]: cell J1000000 holds \"x\" far from the table; ignored");
    assert_eq!(run.stdout.lines().last(), Some("2"), "{}", run.stdout);
    assert!(!run.stderr.contains("appears twice"), "{}", run.stderr);
}

#[test]
fn notes_beside_the_table_and_empty_columns_are_left_out_with_a_note() {
    let w = Workdir::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // Headings in A and D (B and C empty), notes in F and G beside the rows.
    for (r, (id, team)) in [("case_id", "team"), ("C1", "Duty"), ("C2", "Duty")]
        .iter()
        .enumerate()
    {
        sheet.write_string(r as u32, 0, *id).unwrap();
        sheet.write_string(r as u32, 3, *team).unwrap();
    }
    sheet.write_string(1, 5, "checked").unwrap();
    sheet.write_string(2, 6, "ask JB").unwrap();
    book.save(w.path("notes.xlsx")).unwrap();
    let run = w
        .run(&["cases", "notes.xlsx", "--columns", "case_id,team"])
        .ok()
        .stderr_has(
            "notes.xlsx[Sheet1]: cell F2 holds \"checked\" beside the table, under no heading; ignored (as is 1 more cell there)",
        )
        .stderr_has("notes.xlsx[Sheet1]: 2 empty columns inside the table (no heading, no values) left out");
    assert_eq!(run.stdout, "case_id,team\nC1,Duty\nC2,Duty\n");
}

// --- Workbooks written by hand: a zip of the parts an .xlsx needs. ---

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One zip entry: its name, method (0 stored, 8 deflated), packed bytes, CRC-32
/// and unpacked size.
struct Entry {
    name: String,
    method: u16,
    packed: Vec<u8>,
    crc: u32,
    size: u32,
}

fn stored(name: &str, text: &str) -> Entry {
    Entry {
        name: name.to_string(),
        method: 0,
        crc: crc32(text.as_bytes()),
        size: text.len() as u32,
        packed: text.as_bytes().to_vec(),
    }
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let fields = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            for v in [20u16, 0, e.method, 0, 0x21] {
                h.extend(v.to_le_bytes());
            }
            for v in [e.crc, e.packed.len() as u32, e.size] {
                h.extend(v.to_le_bytes());
            }
            h.extend((e.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                // Comment length, disk, internal and external attributes.
                h.extend([0u8; 10]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(e.name.as_bytes());
            h
        };
        out.extend(fields(0x0403_4b50, false));
        out.extend(&e.packed);
        central.extend(fields(0x0201_4b50, true));
    }
    let at = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The parts of a workbook around its sheets, named `names`, each at
/// `xl/worksheets/sheetN.xml`.
fn skeleton(names: &[String]) -> Vec<Entry> {
    let ns = "http://schemas.openxmlformats.org";
    let sheets: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "<sheet name=\"{n}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                i + 1,
                i + 1
            )
        })
        .collect();
    let rels: String = (1..=names.len())
        .map(|i| {
            format!(
                "<Relationship Id=\"rId{i}\" Type=\"{ns}/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"
            )
        })
        .collect();
    vec![
        stored(
            "[Content_Types].xml",
            &format!(
                "<Types xmlns=\"{ns}/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
            ),
        ),
        stored(
            "_rels/.rels",
            &format!(
                "<Relationships xmlns=\"{ns}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        stored(
            "xl/workbook.xml",
            &format!(
                "<workbook xmlns=\"{ns}/spreadsheetml/2006/main\" xmlns:r=\"{ns}/officeDocument/2006/relationships\"><sheets>{sheets}</sheets></workbook>"
            ),
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            &format!("<Relationships xmlns=\"{ns}/package/2006/relationships\">{rels}</Relationships>"),
        ),
    ]
}

fn cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// The sheet XML of two cases, split where the whitespace goes (after row 2).
fn two_cases_xml() -> (String, String) {
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">{}{}</row><row r=\"2\">{}{}</row>",
        cell("A1", "case_id"),
        cell("B1", "team"),
        cell("A2", "C1"),
        cell("B2", "Duty")
    );
    let tail = format!(
        "<row r=\"3\">{}{}</row></sheetData></worksheet>",
        cell("A3", "C2"),
        cell("B3", "Duty")
    );
    (head, tail)
}

/// Bits for a deflate stream: values least significant bit first, Huffman codes
/// most significant bit first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn value(&mut self, v: u32, n: u32) {
        self.acc |= v << self.n;
        self.n += n;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, c: u32, n: u32) {
        for i in (0..n).rev() {
            self.value((c >> i) & 1, 1);
        }
    }

    /// A byte in the fixed literal codes.
    fn literal(&mut self, b: u8) {
        if b <= 143 {
            self.code(0x30 + u32::from(b), 8);
        } else {
            self.code(0x190 + u32::from(b) - 144, 9);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A deflate stream (one block of fixed codes) of `head`, then `1 + 258 * runs`
/// spaces (a space, then copies of 258 bytes at distance 1), then `tail`.
fn deflate_spaces(head: &[u8], runs: u32, tail: &[u8]) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.value(1, 1); // the final block
    bits.value(1, 2); // of fixed codes
    head.iter().for_each(|&b| bits.literal(b));
    bits.literal(b' ');
    for _ in 0..runs {
        bits.code(0xC5, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
    }
    tail.iter().for_each(|&b| bits.literal(b));
    bits.code(0, 7); // end of block
    bits.finish()
}

fn whitespace_workbook(runs: u32, crc: u32) -> Vec<u8> {
    let (head, tail) = two_cases_xml();
    let mut entries = skeleton(&["Sheet1".to_string()]);
    entries.push(Entry {
        name: "xl/worksheets/sheet1.xml".to_string(),
        method: 8,
        packed: deflate_spaces(head.as_bytes(), runs, tail.as_bytes()),
        crc,
        size: (head.len() + tail.len()) as u32 + 1 + 258 * runs,
    });
    zip(&entries)
}

#[test]
fn whitespace_between_rows_is_passed_over() {
    // 774 KB of spaces: under the 1 MiB the parser may hold at once.
    let w = Workdir::new();
    let runs = 3_000;
    let (head, tail) = two_cases_xml();
    let text = format!("{head}{}{tail}", " ".repeat(1 + 258 * runs as usize));
    w.write("spaces.xlsx", whitespace_workbook(runs, crc32(text.as_bytes())));
    let run = w.run(&["cases", "spaces.xlsx", "--count"]).ok();
    assert_eq!(run.stdout.lines().last(), Some("2"), "{}", run.stdout);
}

#[test]
fn a_sheet_unpacking_to_1_gib_of_whitespace_is_refused() {
    // 1 + 258 * 4,161,790 spaces: the sheet unpacks to 1,073,742,327 bytes, whose
    // CRC-32 was worked out once (it takes too long in a debug build).
    let w = Workdir::new();
    w.write("spaces.xlsx", whitespace_workbook(4_161_790, 0xd488_f31a));
    let run = w
        .run(&["cases", "spaces.xlsx", "--count"])
        .fails(1)
        .stderr_has(
            "spaces.xlsx: part xl/worksheets/sheet1.xml unpacks to 1024 MiB, over 100 times its packed size, which no real workbook does; it is not read",
        );
    let lines = run.stderr.lines().filter(|l| !l.starts_with("settings:"));
    assert_eq!(lines.count(), 1, "{}", run.stderr);
}

#[test]
fn a_cell_longer_than_a_spreadsheet_allows_is_refused() {
    let w = Workdir::new();
    let (head, _) = two_cases_xml();
    let sheet = format!(
        "{head}<row r=\"3\">{}{}</row></sheetData></worksheet>",
        cell("A3", "C2"),
        cell("B3", &"x".repeat(40_000))
    );
    let mut entries = skeleton(&["Sheet1".to_string()]);
    entries.push(stored("xl/worksheets/sheet1.xml", &sheet));
    w.write("long.xlsx", zip(&entries));
    w.run(&["cases", "long.xlsx", "--count"]).fails(1).stderr_has(
        "long.xlsx[Sheet1]: cell B3 holds more than 32767 characters, more than a spreadsheet cell can; the workbook is not read",
    );
}

#[test]
fn more_than_a_thousand_sheets_are_refused() {
    let w = Workdir::new();
    let names: Vec<String> = (1..=1_001).map(|i| format!("S{i}")).collect();
    w.write("many.xlsx", zip(&skeleton(&names)));
    w.run(&["cases", "many.xlsx", "--count"])
        .fails(1)
        .stderr_has("many.xlsx has more than 1000 sheets");
}

#[test]
fn damaged_sheet_xml_is_one_message() {
    let w = Workdir::new();
    let mut entries = skeleton(&["Sheet1".to_string()]);
    entries.push(stored(
        "xl/worksheets/sheet1.xml",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>case_id</t></is></c></row><row r=\"x\"></sheetData>",
    ));
    w.write("bad.xlsx", zip(&entries));
    let run = w
        .run(&["cases", "bad.xlsx", "--count"])
        .fails(1)
        .stderr_has("bad.xlsx[Sheet1]: row number \"x\" is not a row of a sheet");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
