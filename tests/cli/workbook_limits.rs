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
        .stderr_has("bomb.xlsx[Sheet1]: warning: cell XFD1048576 holds \"x\" far from the table; ignored");
}

#[test]
fn a_stray_value_far_below_leaves_the_headings_alone() {
    let w = Workdir::new();
    two_cases_and(&w.path("stray.xlsx"), 999_999, 9, "x");
    let run = w
        .run(&["cases", "stray.xlsx", "--count"])
        .ok()
        .stderr_has("stray.xlsx[Sheet1]: warning: cell J1000000 holds \"x\" far from the table; ignored");
    assert_eq!(run.stdout.lines().last(), Some("2"), "{}", run.stdout);
    assert!(!run.stderr.contains("appears twice"), "{}", run.stderr);
    // A warning, not a note: validate lists it with the file's problems.
    w.run(&["validate", "stray.xlsx"])
        .ok()
        .stdout_has("stray.xlsx[Sheet1]: warning: cell J1000000 holds \"x\" far from the table; ignored");
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
            "notes.xlsx[Sheet1]: warning: cell F2 holds \"checked\" beside the table, under no heading; ignored (as is 1 more cell there)",
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

/// Returned forms come from many hands: `collect` reads them through the same
/// bounds, one message naming the file and part, nothing written.
#[test]
fn collect_refuses_a_returned_form_beyond_the_bounds() {
    let w = Workdir::new();
    w.write("returns/spaces.xlsx", whitespace_workbook(4_161_790, 0xd488_f31a));
    w.run(&["collect", "returns", "-o", "audits.csv"])
        .fails(1)
        .stderr_has(
            "spaces.xlsx: part xl/worksheets/sheet1.xml unpacks to 1024 MiB, over 100 times its packed size",
        );
    assert!(!w.path("audits.csv").exists());
    let names: Vec<String> = (1..=1_001).map(|i| format!("S{i}")).collect();
    w.write("many.xlsx", zip(&skeleton(&names)));
    w.run(&["collect", "many.xlsx", "-o", "audits.csv"])
        .fails(1)
        .stderr_has("many.xlsx has more than 1000 sheets");
    assert!(!w.path("audits.csv").exists());
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

// --- OpenDocument (.ods): content.xml, where a repeat count makes huge sheets tiny. ---

/// An `.ods` whose one sheet holds the two cases, then `more` (rows of content.xml).
fn ods(more: &str) -> Vec<u8> {
    let cell = |text: &str| {
        format!("<table:table-cell office:value-type=\"string\"><text:p>{text}</text:p></table:table-cell>")
    };
    let rows: String = [["case_id", "team"], ["C1", "Duty"], ["C2", "Duty"]]
        .iter()
        .map(|r| format!("<table:table-row>{}{}</table:table-row>", cell(r[0]), cell(r[1])))
        .collect();
    ods_of(&format!("{rows}{more}"))
}

/// An `.ods` whose one sheet, Sheet1, holds `rows` (content.xml).
fn ods_of(rows: &str) -> Vec<u8> {
    let ns = "urn:oasis:names:tc:opendocument:xmlns";
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"{ns}:office:1.0\" xmlns:table=\"{ns}:table:1.0\" xmlns:text=\"{ns}:text:1.0\" office:version=\"1.2\"><office:body><office:spreadsheet><table:table table:name=\"Sheet1\">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    );
    zip(&[
        stored("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        stored(
            "META-INF/manifest.xml",
            &format!(
                "<manifest:manifest xmlns:manifest=\"{ns}:manifest:1.0\"><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>"
            ),
        ),
        stored("content.xml", &content),
    ])
}

/// A run's stderr holds no sign of a crash.
fn no_crash(run: &crate::common::Run) {
    for sign in ["panicked", "internal error", "backtrace", "memory allocation"] {
        assert!(!run.stderr.contains(sign), "{}", run.stderr);
    }
}

#[test]
fn an_ods_value_after_a_million_repeated_rows_is_ignored_not_allocated() {
    // Under 2 KB: 1,048,572 empty rows in one element, then a value in XFD.
    let w = Workdir::new();
    let bomb = ods(
        "<table:table-row table:number-rows-repeated=\"1048572\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"16383\"/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>",
    );
    assert!(bomb.len() < 2000, "{}", bomb.len());
    w.write("bomb.ods", bomb);
    let run = w
        .run(&["cases", "bomb.ods", "--count"])
        .ok()
        .stderr_has("bomb.ods[Sheet1]: warning: cell XFD1048576 holds \"x\" far from the table; ignored");
    assert_eq!(run.stdout.lines().last(), Some("2"), "{}", run.stdout);
}

#[test]
fn an_ods_value_repeated_over_the_whole_sheet_is_refused() {
    let w = Workdir::new();
    w.write(
        "bomb.ods",
        ods(
            "<table:table-row table:number-rows-repeated=\"1048573\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
        ),
    );
    let run = w.run(&["cases", "bomb.ods", "--count"]).fails(1).stderr_has(
        "bomb.ods[Sheet1]: cell A4 repeats \"1\" over 1048573 rows and 16384 columns, which with the workbook's other repeats makes more than 16 MiB; no real workbook repeats so much; it is not read",
    );
    no_crash(&run);
}

#[test]
fn an_ods_reads_its_values_as_before() {
    // Numbers, booleans, dates, text with spaces, a tab and two paragraphs, a note
    // (left out), one value repeated over two columns, an empty column.
    let w = Workdir::new();
    let string = |text: &str| {
        format!("<table:table-cell office:value-type=\"string\" office:string-value=\"{text}\"/>")
    };
    let head: String = ["case_id", "team", "area", "score", "closed", "start_date"]
        .iter()
        .map(|h| string(h))
        .collect();
    let rows = format!(
        "<table:table-row>{head}<table:table-cell/>{}</table:table-row><table:table-row>{}<table:table-cell table:number-columns-repeated=\"2\" office:value-type=\"string\" office:string-value=\"Duty\"/><table:table-cell office:value-type=\"float\" office:value=\"0.25\"/><table:table-cell office:value-type=\"boolean\" office:boolean-value=\"false\"/><table:table-cell office:value-type=\"date\" office:date-value=\"2025-12-09\"/><table:table-cell/><table:table-cell office:value-type=\"string\"><text:p>two<text:s text:c=\"2\"/>spaces &amp; a tab<text:tab/></text:p><text:p>second line</text:p><office:annotation><text:p>a note</text:p></office:annotation></table:table-cell></table:table-row>",
        string("note"),
        string("C1")
    );
    w.write("book.ods", ods_of(&rows));
    let run = w
        .run(&[
            "cases",
            "book.ods",
            "--columns",
            "case_id,team,area,score,closed,start_date,note",
        ])
        .ok()
        .stderr_has("book.ods[Sheet1]: 1 empty column inside the table (no heading, no values) left out");
    assert_eq!(
        run.stdout,
        "case_id,team,area,score,closed,start_date,note\nC1,Duty,Duty,0.25,no,2025-12-09,\"two  spaces & a tab\t\nsecond line\"\n"
    );
}

// --- Excel 97-2003 (.xls): BIFF8 records in a compound file, written by hand. ---

/// One BIFF record.
fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut r = kind.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// A cell record's row, column and format index.
fn at(row: u16, col: u16) -> Vec<u8> {
    [row, col, 0].iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut data = at(row, col);
    data.extend((text.len() as u16).to_le_bytes());
    data.push(0); // one byte a character
    data.extend(text.as_bytes());
    record(0x0204, &data)
}

fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = at(row, col);
    data.extend(value.to_le_bytes());
    record(0x0203, &data)
}

/// The workbook stream of one sheet, "Sheet1", holding `cells` (records) inside
/// the dimensions rows `rows` and columns `cols` (each first, one past last).
fn biff(cells: &[Vec<u8>], rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
    let bof = |kind: u16| {
        let data: Vec<u8> = [0x0600u16, kind, 0, 0, 0, 0, 0, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        record(0x0809, &data)
    };
    let sheet_record = |offset: u32| {
        let mut data = offset.to_le_bytes().to_vec();
        data.extend([0, 0, 6, 0]);
        data.extend(b"Sheet1");
        record(0x0085, &data)
    };
    let globals_len = (bof(5).len() + sheet_record(0).len() + 4) as u32;
    let mut stream = bof(5);
    stream.extend(sheet_record(globals_len));
    stream.extend(record(0x000A, &[]));
    stream.extend(bof(0x10));
    let mut dims = rows.0.to_le_bytes().to_vec();
    dims.extend(rows.1.to_le_bytes());
    for v in [cols.0, cols.1, 0] {
        dims.extend(v.to_le_bytes());
    }
    stream.extend(record(0x0200, &dims));
    cells.iter().for_each(|c| stream.extend(c));
    stream.extend(record(0x000A, &[]));
    stream
}

/// A compound file (version 3, 512-byte sectors) whose one stream, "Workbook",
/// is `stream`: the header, one sector of allocation table, one of directory,
/// then the stream, padded to the 4,096 bytes of a stream outside the mini
/// stream.
fn compound(stream: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    let mut stream = stream.to_vec();
    stream.resize(stream.len().max(4096).div_ceil(512) * 512, 0);
    let sectors = (stream.len() / 512) as u32;
    let mut out = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    out.resize(24, 0);
    // Minor and major version, byte order, sector and mini sector shifts.
    for v in [0x3Eu16, 3, 0xFFFE, 9, 6] {
        out.extend(v.to_le_bytes());
    }
    out.resize(44, 0);
    // Allocation table sectors, first directory sector, transaction, mini stream
    // cutoff, first mini table sector and count, first DIFAT sector and count.
    for v in [1u32, 1, 0, 4096, END, 0, END, 0] {
        out.extend(v.to_le_bytes());
    }
    // The header's list of allocation table sectors: sector 0, then none.
    out.extend(0u32.to_le_bytes());
    out.resize(512, 0xFF);
    // Sector 0 is the table (0xFFFFFFFD), 1 the directory, 2.. the stream.
    let mut fat = vec![0xFFFF_FFFD, END];
    fat.extend(3..sectors + 2);
    fat.push(END);
    fat.resize(128, FREE);
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut e: Vec<u8> = name
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        let len = if name.is_empty() { 0 } else { e.len() as u16 };
        e.resize(64, 0);
        e.extend(len.to_le_bytes());
        e.extend([kind, 1]);
        for v in [FREE, FREE, child] {
            e.extend(v.to_le_bytes());
        }
        e.resize(116, 0);
        e.extend(start.to_le_bytes());
        e.extend(u64::from(size).to_le_bytes());
        e
    };
    out.extend(entry("Root Entry", 5, 1, END, 0));
    out.extend(entry("Workbook", 2, FREE, 2, stream.len() as u32));
    out.extend(entry("", 0, FREE, 0, 0));
    out.extend(entry("", 0, FREE, 0, 0));
    out.extend(stream);
    out
}

fn two_cases_records() -> Vec<Vec<u8>> {
    vec![
        label(0, 0, "case_id"),
        label(0, 1, "team"),
        label(1, 0, "C1"),
        label(1, 1, "Duty"),
        label(2, 0, "C2"),
        label(2, 1, "Duty"),
    ]
}

#[test]
fn an_xls_reads_its_values_as_before() {
    let w = Workdir::new();
    let mut cells = two_cases_records();
    cells.extend([label(0, 2, "score"), number(1, 2, 0.25), number(2, 2, 3.0)]);
    w.write("book.xls", compound(&biff(&cells, (0, 3), (0, 3))));
    let run = w
        .run(&["cases", "book.xls", "--columns", "case_id,team,score"])
        .ok();
    assert_eq!(run.stdout, "case_id,team,score\nC1,Duty,0.25\nC2,Duty,3\n");
}

#[test]
fn an_xls_value_in_the_last_cell_is_refused_not_allocated() {
    // 5.5 KB, most of it padding; calamine's grid for it took 1 GB.
    let w = Workdir::new();
    let mut cells = two_cases_records();
    cells.push(label(65_535, 255, "x"));
    w.write("bomb.xls", compound(&biff(&cells, (0, 65_536), (0, 256))));
    let run = w.run(&["cases", "bomb.xls", "--count"]).fails(1).stderr_has(
        "bomb.xls[Sheet1]: the sheet's cells span A1 to IV65536 (16777216 cells), more than the 4194304 caseaudit reads from an .xls workbook",
    );
    no_crash(&run);
    assert!(
        run.stderr.contains("save the workbook as .xlsx"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_xls_column_past_iv_or_vast_dimensions_are_refused_not_aborted() {
    // Each once aborted: a grid of 2^32 cells, and room reserved for 2^40.
    let w = Workdir::new();
    let mut cells = two_cases_records();
    cells.push(label(65_535, 65_535, "x"));
    w.write("wide.xls", compound(&biff(&cells, (0, 3), (0, 2))));
    let run = w
        .run(&["cases", "wide.xls", "--count"])
        .fails(1)
        .stderr_has("wide.xls[Sheet1]: the sheet's cells span A1 to CRXP65536 (4294967296 cells)");
    no_crash(&run);
    w.write(
        "dims.xls",
        compound(&biff(&two_cases_records(), (0, u32::MAX), (0, 256))),
    );
    let run = w
        .run(&["cases", "dims.xls", "--count"])
        .fails(1)
        .stderr_has("dims.xls[Sheet1]: the sheet says it spans 1099511627520 cells");
    no_crash(&run);
}

#[test]
fn a_damaged_xls_is_one_message() {
    let w = Workdir::new();
    // The allocation table's entry for the first stream sector points at itself.
    let mut book = compound(&biff(&two_cases_records(), (0, 3), (0, 2)));
    book[512 + 8..512 + 12].copy_from_slice(&2u32.to_le_bytes());
    w.write("loop.xls", book);
    let run = w.run(&["cases", "loop.xls", "--count"]).fails(1).stderr_has(
        "loop.xls is damaged (its compound file structure does not hold together); it is not read",
    );
    no_crash(&run);
    // The workbook's first record (its BOF) cut to one byte, which calamine's
    // parser indexes past (a panic): then an unknown record keeps the offsets.
    let mut stream = biff(&two_cases_records(), (0, 3), (0, 2));
    let mut first = record(0x0809, &[0x00]);
    first.extend(record(0x1234, &[0; 11]));
    stream.splice(0..20, first);
    w.write("short.xls", compound(&stream));
    let run = w
        .run(&["cases", "short.xls", "--count"])
        .fails(1)
        .stderr_has("short.xls is damaged: its records are not as an .xls file has them; it is not read");
    no_crash(&run);
}

#[test]
fn an_ods_of_spaces_written_as_counts_is_refused() {
    // Cells of 30,000 spaces, each written `<text:s text:c="30000"/>` (20,000 of
    // them in a 62 KB file took 1.8 GB and 106 s). The 560th passes 16 MiB.
    let w = Workdir::new();
    let cell = "<table:table-cell office:value-type=\"string\"><text:p><text:s text:c=\"30000\"/></text:p></table:table-cell>";
    let rows: String = (3..2_000)
        .map(|i| {
            format!(
                "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>C{i}</text:p></table:table-cell>{cell}</table:table-row>"
            )
        })
        .collect();
    w.write("spaces.ods", ods(&rows));
    let run = w.run(&["cases", "spaces.ods", "--count"]).fails(1).stderr_has(
        "spaces.ods[Sheet1]: cell B563: its spaces (text:s) with the workbook's other repeats make more than 16 MiB; no real workbook repeats so much; it is not read",
    );
    no_crash(&run);
}

/// An `.xls` is read whole, so a file bigger than any real one is refused before
/// it is read (a sparse file: nothing is written to disk).
#[test]
fn an_xls_bigger_than_any_real_one_is_refused_unread() {
    let w = Workdir::new();
    let big = std::fs::File::create(w.path("big.xls")).unwrap();
    big.set_len((256 << 20) + 1).unwrap();
    let run = w.run(&["cases", "big.xls", "--count"]).fails(1).stderr_has(
        "big.xls is larger than the 256 MiB caseaudit reads from an .xls workbook (268435457 bytes; an .xls is read whole); save it as an Excel Workbook (.xlsx) or CSV",
    );
    no_crash(&run);
}
