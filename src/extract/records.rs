//! Fast CSV record reading for case extracts, the one input that reaches a million
//! rows. It gives exactly what the `csv` crate gives with caseaudit's settings
//! (RFC 4180 quotes, `\n`, `\r` or `\r\n` ends, a quoted field's own line breaks
//! kept as they are, blank lines skipped, a byte-order mark dropped, the same line
//! numbers), but a line with no quote and no other carriage return than the one
//! of a CRLF line end, which is nearly every line of an extract, is split from a bit index of
//! the buffer (one bit a byte for each kind of byte that matters, made with 16-byte
//! SIMD compares from the `wide` crate) instead of a byte-at-a-time state machine;
//! other lines go to `csv_core` itself.

use memchr::{memchr_iter, memchr3};
use std::io::{self, Read};

/// The reader's buffer: large enough that a million-row file takes ~100 reads.
const BUFFER: usize = 1 << 20;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One record: its bytes and where each field lies in them.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRecord {
    pub(crate) bytes: Vec<u8>,
    /// Each field as `start..end` in `bytes`.
    pub(crate) fields: Vec<(u32, u32)>,
    /// The line the `csv` crate reports for the record (1 = the first line).
    pub(crate) line: u64,
    /// Whether every byte is ASCII (so valid UTF-8, with no NBSP to clean).
    pub(crate) ascii: bool,
    /// Whether any byte is NUL (a binary or UTF-16 file).
    pub(crate) nul: bool,
    /// Whether a field may begin or end with a byte no greater than a space (white
    /// space to trim); `false` only when none does.
    pub(crate) edgy: bool,
}

impl RawRecord {
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    pub(crate) fn field(&self, i: usize) -> Option<&[u8]> {
        self.fields
            .get(i)
            .map(|&(a, b)| &self.bytes[a as usize..b as usize])
    }
}

/// Records of an input. (Parsing on a second thread while this one checks the
/// rows was tried: handing a million records across cores cost more than it saved.)
pub(crate) struct Records<R: Read> {
    parser: Box<Parser<R>>,
    /// The line the header is on (title rows above it are skipped).
    header_line: u64,
}

impl<R: Read> Records<R> {
    /// `raw`: the input is a file's own bytes, whose byte-order mark
    /// `csvio::open_input` would skip (UTF-8 input), not text it has decoded.
    pub(crate) fn new(inner: R, delimiter: u8, raw: bool) -> Records<R> {
        Records {
            parser: Box::new(Parser::new(inner, delimiter, raw)),
            header_line: 1,
        }
    }

    /// The records of a table whose header is on `line` (1 = the first).
    pub(crate) fn with_header_at(mut self, line: u64) -> Records<R> {
        self.header_line = line;
        self
    }

    /// The line the header is on.
    pub(crate) fn header_line(&self) -> u64 {
        self.header_line
    }

    /// Reads the next record into `rec`; `false` at the end of the input.
    pub(crate) fn read(&mut self, rec: &mut RawRecord) -> io::Result<bool> {
        self.parser.read(rec)
    }
}

impl Records<io::Empty> {
    /// Records of bytes already in memory: a block of a file that `scan` cut at a
    /// record's end, with no byte-order mark.
    /// Lines count from 1 at the block's first byte.
    pub(crate) fn from_bytes(bytes: Vec<u8>, delimiter: u8) -> Records<io::Empty> {
        let mut parser = Parser::new(io::empty(), delimiter, false);
        parser.eof = true;
        parser.first = false;
        let mut records = Records {
            parser: Box::new(parser),
            header_line: 1,
        };
        records.refill(bytes);
        records
    }

    /// Starts again on another block, keeping the parser (building its CSV state
    /// machine costs more than reading a thousand rows); returns the old block.
    pub(crate) fn refill(&mut self, bytes: Vec<u8>) -> Vec<u8> {
        let p = &mut *self.parser;
        p.valid = bytes.len();
        p.pos = 0;
        p.line = 1;
        p.ran_to_the_end = false;
        let old = std::mem::replace(&mut p.buf, bytes);
        p.index.build(&p.buf[..p.valid], p.delimiter);
        old
    }

    /// How many line ends have been read.
    pub(crate) fn lines(&self) -> u64 {
        self.parser.line - 1
    }

    /// The bytes not yet read, and how many line ends have been read.
    pub(crate) fn into_rest(self) -> (Vec<u8>, u64) {
        let Parser {
            mut buf, pos, line, ..
        } = *self.parser;
        buf.drain(..pos);
        (buf, line - 1)
    }

    /// Whether a record was ended by the end of the bytes rather than a line end:
    /// in a block that is not the file's last, the cut fell inside a quoted field.
    pub(crate) fn ran_to_the_end(&self) -> bool {
        self.parser.ran_to_the_end
    }
}

/// Splits a byte stream into records.
pub(crate) struct Parser<R: Read> {
    inner: R,
    buf: Vec<u8>,
    /// Next byte to parse.
    pos: usize,
    /// End of the bytes read.
    valid: usize,
    eof: bool,
    /// The input is a file's own bytes: two byte-order marks may be dropped.
    raw: bool,
    /// Whether a byte-order mark may still be dropped (before the first record).
    first: bool,
    delimiter: u8,
    /// The line of the byte at `pos`, counting `\n`s as `csv_core` does.
    line: u64,
    core: csv_core::Reader,
    /// A record was ended by the end of the input, not by a line end.
    ran_to_the_end: bool,
    /// The bit index of `buf[..valid]`, rebuilt whenever the buffer changes.
    index: Index,
}

/// One bit a byte for `buf[..len]`: word `w`, bit `i` is byte `64 * w + i`, for
/// each kind of byte looked for.
#[derive(Default)]
struct Index {
    words: Vec<[u64; KINDS]>,
}

const KINDS: usize = 5;
/// The delimiter.
const DELIMITER: usize = 0;
/// `\n`.
const NEWLINE: usize = 1;
/// `"` or a `\r` not followed by `\n`, which need `csv_core`, or NUL: a record
/// with one is read the slow way.
const SPECIAL: usize = 2;
/// A byte that is not ASCII.
const HIGH: usize = 3;
/// A byte no greater than a space: white space and control characters, but for
/// the `\r` of a CRLF line end.
const LOW: usize = 4;

impl Index {
    fn build(&mut self, bytes: &[u8], delimiter: u8) {
        self.words.clear();
        self.words.reserve(bytes.len().div_ceil(64));
        let mut chunks = bytes.chunks_exact(64);
        for chunk in &mut chunks {
            self.words
                .push(masks(chunk.try_into().expect("64 bytes"), delimiter));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut last = [0u8; 64];
            last[..tail.len()].copy_from_slice(tail);
            // Zeros past the end are none of the bytes looked for, unless the delimiter is 0.
            let keep = !0u64 >> (64 - tail.len());
            self.words.push(masks(&last, delimiter).map(|m| m & keep));
        }
        // A `\r` followed by `\n` ends a line with it: not special, and not white
        // space. (Looked for only before the line ends of words with something
        // special: few, in a file with LF line ends.)
        for w in 0..self.words.len() {
            if self.words[w][SPECIAL] == 0 {
                continue;
            }
            // What follows the last byte read is not known yet: a `\r` there stays special.
            let next = self.words.get(w + 1).map_or(0, |x| x[NEWLINE] & 1);
            let mut before_newline = self.words[w][NEWLINE] >> 1 | next << 63;
            let mut crlf = 0u64;
            while before_newline != 0 {
                let bit = before_newline & before_newline.wrapping_neg();
                if bytes[64 * w + bit.trailing_zeros() as usize] == b'\r' {
                    crlf |= bit;
                }
                before_newline &= before_newline - 1;
            }
            let word = &mut self.words[w];
            word[SPECIAL] &= !crlf;
            word[LOW] &= !crlf;
        }
    }
}

/// The masks of a 64-byte chunk, 16 bytes at a time with SIMD compares.
#[inline]
fn masks(chunk: &[u8; 64], delimiter: u8) -> [u64; KINDS] {
    use wide::u8x16;
    let (delimiter, newline) = (u8x16::splat(delimiter), u8x16::splat(b'\n'));
    let (quote, cr, nul) = (u8x16::splat(b'"'), u8x16::splat(b'\r'), u8x16::splat(0));
    let space = u8x16::splat(b' ');
    let mut m = [0u64; KINDS];
    for (i, lane) in chunk.chunks_exact(16).enumerate() {
        let v = u8x16::new(lane.try_into().expect("16 bytes"));
        let shift = 16 * i;
        m[DELIMITER] |= u64::from(v.simd_eq(delimiter).to_bitmask()) << shift;
        m[NEWLINE] |= u64::from(v.simd_eq(newline).to_bitmask()) << shift;
        m[SPECIAL] |= u64::from((v.simd_eq(quote) | v.simd_eq(cr) | v.simd_eq(nul)).to_bitmask()) << shift;
        // The top bit of each byte: set for every byte that is not ASCII.
        m[HIGH] |= u64::from(v.to_bitmask()) << shift;
        m[LOW] |= u64::from(v.min(space).simd_eq(v).to_bitmask()) << shift;
    }
    m
}

impl<R: Read> Parser<R> {
    /// `raw`: as for [`Records::new`].
    pub(crate) fn new(inner: R, delimiter: u8, raw: bool) -> Parser<R> {
        Parser {
            inner,
            buf: vec![0; BUFFER],
            pos: 0,
            valid: 0,
            eof: false,
            raw,
            first: true,
            delimiter,
            line: 1,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            ran_to_the_end: false,
            index: Index::default(),
        }
    }

    /// Reads the next record into `rec`; `false` at the end of the input.
    pub(crate) fn read(&mut self, rec: &mut RawRecord) -> io::Result<bool> {
        rec.bytes.clear();
        rec.fields.clear();
        if self.first {
            self.first = false;
            self.drop_boms()?;
        }
        // Blank lines (and stray line ends) between records are skipped.
        loop {
            while self.pos == self.valid {
                if !self.fill()? {
                    return Ok(false);
                }
            }
            match self.buf[self.pos] {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
        // The line the record starts on, after any blank lines before it (the
        // `csv` crate would give the line after the last record instead).
        rec.line = self.line;
        if self.read_indexed(rec) {
            return Ok(true);
        }
        loop {
            let rest = &self.buf[self.pos..self.valid];
            // One pass finds the line's end, or a quote or CR that needs csv_core.
            let end = match memchr3(b'\n', b'"', b'\r', rest) {
                Some(n) if rest[n] == b'\n' => n,
                Some(_) => return self.read_quoted(rec),
                None if self.eof => {
                    self.ran_to_the_end = true;
                    rest.len()
                }
                None => {
                    self.fill()?;
                    continue;
                }
            };
            let line = &rest[..end];
            rec.ascii = line.is_ascii();
            rec.nul = line.contains(&0);
            rec.edgy = true;
            rec.bytes.extend_from_slice(line);
            let mut start = 0u32;
            for d in memchr_iter(self.delimiter, line) {
                rec.fields.push((start, d as u32));
                start = d as u32 + 1;
            }
            rec.fields.push((start, line.len() as u32));
            let newline = end < rest.len();
            self.pos += end + usize::from(newline);
            self.line += u64::from(newline);
            return Ok(true);
        }
    }

    /// Reads a record at `pos` from the index when its line end is in the buffer and
    /// it has no quote, `\r` or NUL; `false` (having done nothing) otherwise. One
    /// pass over the record's index words finds its end, its fields and its flags.
    fn read_indexed(&mut self, rec: &mut RawRecord) -> bool {
        let start = self.pos;
        let words = &self.index.words;
        let mut w = start / 64;
        // The bits of word `w` that belong to the record so far.
        let mut mine = !0u64 << (start % 64);
        let (mut special, mut high, mut edges_low) = (0u64, 0u64, 0u64);
        let mut from = start;
        let end = loop {
            let Some(word) = words.get(w) else {
                rec.fields.clear();
                return false;
            };
            let newline = word[NEWLINE] & mine;
            if newline != 0 {
                mine &= (newline & newline.wrapping_neg()) - 1; // up to the line end
            }
            special |= word[SPECIAL] & mine;
            high |= word[HIGH] & mine;
            let d = word[DELIMITER];
            let before = if w > 0 { words[w - 1][DELIMITER] >> 63 } else { 0 };
            let after = words.get(w + 1).map_or(0, |x| x[DELIMITER] << 63);
            edges_low |= (d << 1 | before | d >> 1 | after) & word[LOW] & mine;
            let mut bits = d & mine;
            while bits != 0 {
                let at = w * 64 + bits.trailing_zeros() as usize;
                rec.fields.push(((from - start) as u32, (at - start) as u32));
                from = at + 1;
                bits &= bits - 1;
            }
            if newline != 0 {
                break w * 64 + newline.trailing_zeros() as usize;
            }
            w += 1;
            mine = !0;
        };
        if special != 0 || end >= self.valid {
            rec.fields.clear();
            return false;
        }
        // The record ends before the `\r` of a CRLF (its first byte is no `\r`).
        let stop = if self.buf[end - 1] == b'\r' { end - 1 } else { end };
        rec.fields.push(((from - start) as u32, (stop - start) as u32));
        rec.ascii = high == 0;
        rec.nul = false;
        let low = |i: usize| self.buf[i] <= b' ';
        rec.edgy = edges_low != 0 || low(start) || low(stop - 1);
        rec.bytes.extend_from_slice(&self.buf[start..stop]);
        self.pos = end + 1;
        self.line += 1;
        true
    }

    /// A record with quotes or a lone `\r`: parsed by `csv_core`, as the `csv` crate
    /// would (a CRLF ends a record there too, but for one inside quotes).
    fn read_quoted(&mut self, rec: &mut RawRecord) -> io::Result<bool> {
        use csv_core::ReadRecordResult::{End, InputEmpty, OutputEndsFull, OutputFull, Record};
        self.core.reset();
        // After a reset `csv_core` drops a byte-order mark that begins its input,
        // as at the start of a file; the `csv` crate never resets it, so a record
        // further on keeps one. A blank line read first (passed over, as between
        // records) tells it the input has begun.
        let _ = self.core.read_record(b"\n", &mut [], &mut []);
        let mut out = std::mem::take(&mut rec.bytes);
        out.resize(out.capacity().max(256), 0);
        let mut ends = vec![0usize; 32];
        let (mut nout, mut nend) = (0, 0);
        let result = loop {
            // Empty input tells csv_core the data has ended: only give it that at the end.
            while self.pos == self.valid && !self.eof {
                self.fill()?;
            }
            let input = &self.buf[self.pos..self.valid];
            self.ran_to_the_end |= input.is_empty();
            let (res, nin, o, e) = self.core.read_record(input, &mut out[nout..], &mut ends[nend..]);
            self.line += memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.pos += nin;
            nout += o;
            nend += e;
            match res {
                InputEmpty => {}
                OutputFull => out.resize(out.len() * 2, 0),
                OutputEndsFull => ends.resize(ends.len() * 2, 0),
                Record => break true,
                End => break false,
            }
        };
        out.truncate(nout);
        rec.ascii = out.is_ascii();
        rec.nul = out.contains(&0);
        rec.edgy = true;
        rec.bytes = out;
        let mut start = 0;
        for &end in &ends[..nend] {
            rec.fields.push((start as u32, end as u32));
            start = end;
        }
        Ok(result)
    }

    /// Drops a byte-order mark that `csvio::open_input` would skip, and then one
    /// more that `csv_core` would skip in the first record.
    fn drop_boms(&mut self) -> io::Result<()> {
        for _ in 0..if self.raw { 2 } else { 1 } {
            while self.valid - self.pos < BOM.len() && !self.eof {
                self.fill()?;
            }
            if self.buf[self.pos..self.valid].starts_with(BOM) {
                self.pos += BOM.len();
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Reads more input after the unparsed bytes. `false` when there is nothing
    /// left to parse at all.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(self.pos < self.valid);
        }
        // Keep the unparsed tail at the front.
        self.buf.copy_within(self.pos..self.valid, 0);
        self.valid -= self.pos;
        self.pos = 0;
        if self.valid == self.buf.len() {
            // A record longer than the buffer.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.valid..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            // The bytes moved to the front: the index follows them.
            self.index.build(&self.buf[..self.valid], self.delimiter);
            return Ok(self.pos < self.valid);
        }
        self.valid += n;
        self.index.build(&self.buf[..self.valid], self.delimiter);
        Ok(true)
    }
}

/// The fast reader against the `csv` crate: what each reads from the same bytes
/// (each record's line and fields), for the tests and the fuzzers.
pub(crate) mod crosscheck {
    use super::{BOM, Parser, RawRecord};
    use std::io::{self, Read};

    /// What the `csv` crate reads, as the tool's other readers set it up.
    pub(crate) fn with_csv(input: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        // A byte-order mark skipped as `csvio::decoded` skips it, then line ends.
        let input = input.strip_prefix(BOM).unwrap_or(input);
        let mut bytes = Vec::new();
        crate::csvio::CrlfToLf::new(io::BufReader::new(input), b',')
            .read_to_end(&mut bytes)
            .unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[..]);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            // The line of the record's first byte, after any blank lines the
            // `csv` crate passed over (it counts from before them).
            let at = rec.position().unwrap().byte() as usize;
            let start = bytes[at..]
                .iter()
                .position(|&b| b != b'\n' && b != b'\r')
                .map_or(bytes.len(), |n| at + n);
            let line = 1 + bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// What [`Parser`] reads from `input` handed to it `chunk` bytes at a time (to
    /// cross its buffer's edges), its flags checked against the bytes.
    pub(crate) fn with_records(input: &[u8], chunk: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = Parser::new(Trickle(input, chunk), b',', true);
        let mut rec = RawRecord::default();
        let mut out = Vec::new();
        while r.read(&mut rec).unwrap() {
            assert_eq!(rec.ascii, rec.bytes.is_ascii(), "ascii flag of {:?}", rec.bytes);
            assert_eq!(rec.nul, rec.bytes.contains(&0), "NUL flag of {:?}", rec.bytes);
            let edgy = (0..rec.len()).any(|i| {
                let f = rec.field(i).unwrap();
                f.first().is_some_and(|&b| b <= b' ') || f.last().is_some_and(|&b| b <= b' ')
            });
            assert!(rec.edgy || !edgy, "edge flag of {:?}", rec.bytes);
            out.push((
                rec.line,
                (0..rec.len()).map(|i| rec.field(i).unwrap().to_vec()).collect(),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::crosscheck::{with_csv, with_records};

    /// White space beside a delimiter across a 64-byte word of the index.
    #[test]
    fn field_edges_across_index_words() {
        for (pad, tail) in [(63, &b", y\n"[..]), (62, &b"x ,y\n"[..]), (63, &b"x, \n"[..])] {
            let mut input = vec![b'x'; pad];
            input.extend_from_slice(tail);
            assert_eq!(with_records(&input, 1 << 20), with_csv(&input));
        }
    }

    /// A CRLF cut by a 64-byte word of the index, and a lone `\r` at a word's end.
    #[test]
    fn crlf_across_index_words() {
        for (pad, tail) in [
            (63, &b"\r\nb,c\r\n"[..]),
            (62, &b",\r\nb\r\n"[..]),
            (63, &b"\rb,c\r\n"[..]),
            (64, &b"\r\n\r\nb\r"[..]),
        ] {
            let mut input = vec![b'x'; pad];
            input.extend_from_slice(tail);
            let want = with_csv(&input);
            assert_eq!(with_records(&input, 1 << 20), want, "{pad} {tail:?}");
            assert_eq!(want[0].1[0].len(), pad, "the first record ends before its \\r");
        }
    }

    #[test]
    fn same_records_and_lines_as_the_csv_crate() {
        let cases: &[&[u8]] = &[
            b"a,b\n1,2\n",
            b"a,b\n1,2",
            b"\xEF\xBB\xBFa,b\r\n1,2\r\n\r\n3,4\r\n",
            b"a,b\n\n\n1,\"x\ny\"\n2,\"q\"\"q\"\n",
            b"a,b\n1,ab\"c\n2,\"x\"y\n",
            b"a,b\r1,2\r\n3\r\r\n",
            b"a,b\n   \n,\n\"\"\n",
            b"a,b\n1,\"open\nnever closed",
            b"\n\na\n",
            b"",
            b"x\r",
            // A byte-order mark beginning a record other than the first is kept
            // (the fuzzer's find: the fast reader's csv_core dropped it).
            b"a\r\xEF\xBB\xBF,e,\0\r",
            b"a\n\xEF\xBB\xBF\"x\"\n",
            b"a,\"b\r\nc\",d\n",
            // A quoted cell's CRLF is its own: kept, in a CRLF file or an LF one.
            b"a,\"b\r\nc\",d\r\ne,f\r\n",
            b"\xEF\xBB\xBF\"a\r\n\",\"b\"\"\r\n\"\r\n\"c\r\r\n\"\r\n",
        ];
        for input in cases {
            let want = with_csv(input);
            for chunk in [1, 2, 3, 7, 64, 1 << 20] {
                assert_eq!(
                    with_records(input, chunk),
                    want,
                    "{:?} read {chunk} at a time",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_as_the_csv_crate_reads_them(
            input in proptest::collection::vec(proptest::sample::select(b"a,\"\n\r \xC3\xA9\0\t\xEF\xBB\xBF".to_vec()), 0..300),
            chunk in proptest::prop_oneof![1usize..9, 60usize..140, proptest::strategy::Just(1usize << 20)],
        ) {
            proptest::prop_assert_eq!(with_records(&input, chunk), with_csv(&input));
        }
    }
}
