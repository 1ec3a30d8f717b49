//! CRLF line ends as LF, outside quoted cells only.
//!
//! The `csv` crate counts the line of a record's start before it passes over the
//! LF of a CRLF, so every line number in a Windows file would be one short: the
//! readers are given LF line ends instead. A quoted cell's own line breaks are
//! the cell's bytes and are kept as they are (`"a\r\nb"` stays `a\r\nb`), as the
//! `csv` crate keeps them. Telling the two apart takes the quoting rules the
//! `csv` crate follows (RFC 4180): a quote opens a quoted cell only as a cell's
//! first byte; inside one, `""` is a quote and anything else after a quote ends
//! the quoting; a lone `\r` ends a record too. A byte-order mark at the start
//! is passed over, as the `csv` crate drops it (one that `csvio::decoded` skips
//! is gone before).
//!
//! The case extract's own reader (`extract::records`) needs none of this: it
//! reads CRLF line ends as they are, as `csv_core` does.

use memchr::{memchr, memchr2};
use std::io::{self, BufRead, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the bytes read so far leave a CSV text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// The start of the text: this many bytes of a byte-order mark read.
    Start(u8),
    /// A cell's first byte is next.
    CellStart,
    /// In a cell that is not quoted (or whose quoting has ended).
    Cell,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote in a quoted cell: a second quote or its end.
    QuoteInQuoted,
}

/// Turns CRLF line ends outside quoted cells into LF, for a text read in pieces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineEnds {
    delimiter: u8,
    at: At,
}

impl LineEnds {
    /// For a text from its start, whose cells are separated by `delimiter`.
    pub(crate) fn new(delimiter: u8) -> LineEnds {
        LineEnds {
            delimiter,
            at: At::Start(0),
        }
    }

    /// A whole text, whose cells are separated by `delimiter`, with its CRLF
    /// line ends outside quoted cells as LF.
    pub(crate) fn whole(delimiter: u8, mut text: Vec<u8>) -> Vec<u8> {
        let kept = LineEnds::new(delimiter).strip(&mut text);
        text.truncate(kept);
        text
    }

    /// Drops, in place, each `\r` of `bytes` that ends a line outside a quoted
    /// cell (one followed by `\n`) and returns the new length. A final `\r` is
    /// kept and left unread, since whether a `\n` follows it is not yet known:
    /// the next piece must begin with it again (at the end of the text, it stays).
    pub(crate) fn strip(&mut self, bytes: &mut [u8]) -> usize {
        let n = bytes.len();
        let end = if bytes.last() == Some(&b'\r') { n - 1 } else { n };
        // Bytes before `read` are read; those from `kept` on are yet to be moved
        // to `write` (only a dropped `\r` makes them move).
        let (mut read, mut kept, mut write) = (0, 0, 0);
        while read < end {
            let b = bytes[read];
            match self.at {
                At::Start(seen) if seen < 3 && b == BOM[usize::from(seen)] => {
                    self.at = At::Start(seen + 1);
                    read += 1;
                }
                // Not (or no more of) a mark: a byte of the first cell, read again
                // as such, unless it follows part of a mark.
                At::Start(seen) => self.at = if seen % 3 == 0 { At::CellStart } else { At::Cell },
                At::Quoted => match memchr(b'"', &bytes[read..end]) {
                    Some(k) => {
                        self.at = At::QuoteInQuoted;
                        read += k + 1;
                    }
                    None => read = end,
                },
                At::QuoteInQuoted if b == b'"' => {
                    self.at = At::Quoted;
                    read += 1;
                }
                At::QuoteInQuoted if b == self.delimiter => {
                    self.at = At::CellStart;
                    read += 1;
                }
                // The quoting has ended: the byte is read again as in an unquoted cell.
                At::QuoteInQuoted => self.at = At::Cell,
                At::CellStart if b == b'"' => {
                    self.at = At::Quoted;
                    read += 1;
                }
                At::CellStart | At::Cell => {
                    // Outside quotes up to the next quote or `\r`.
                    let Some(k) = memchr2(b'"', b'\r', &bytes[read..end]) else {
                        self.at = self.after(bytes[end - 1]);
                        read = end;
                        continue;
                    };
                    let at = read + k;
                    if k > 0 {
                        self.at = self.after(bytes[at - 1]);
                    }
                    if bytes[at] == b'"' {
                        self.at = if self.at == At::CellStart {
                            At::Quoted
                        } else {
                            At::Cell
                        };
                    } else {
                        if bytes.get(at + 1) == Some(&b'\n') {
                            bytes.copy_within(kept..at, write);
                            write += at - kept;
                            kept = at + 1;
                        }
                        self.at = At::CellStart;
                    }
                    read = at + 1;
                }
            }
        }
        bytes.copy_within(kept..n, write);
        write + n - kept
    }

    /// Where a byte outside quotes leaves the text: a delimiter or line end
    /// starts a cell.
    fn after(&self, b: u8) -> At {
        if b == self.delimiter || b == b'\n' || b == b'\r' {
            At::CellStart
        } else {
            At::Cell
        }
    }
}

/// A reader of CSV text with CRLF line ends outside quoted cells as LF ([`LineEnds`]).
pub(crate) struct CrlfToLf<R: BufRead> {
    inner: R,
    line_ends: LineEnds,
    /// Bytes done, and how many of them have been read out.
    done: Vec<u8>,
    given: usize,
    /// A `\r` that ended the last piece, waiting to see what follows it.
    held_cr: bool,
}

impl<R: BufRead> CrlfToLf<R> {
    pub(crate) fn new(inner: R, delimiter: u8) -> Self {
        CrlfToLf {
            inner,
            line_ends: LineEnds::new(delimiter),
            done: Vec::new(),
            given: 0,
            held_cr: false,
        }
    }
}

impl<R: BufRead> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.given == self.done.len() {
            self.done.clear();
            self.given = 0;
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                // The end: a held `\r` is the text's last byte.
                if std::mem::take(&mut self.held_cr) {
                    self.done.push(b'\r');
                    break;
                }
                return Ok(0);
            }
            if std::mem::take(&mut self.held_cr) {
                self.done.push(b'\r');
            }
            self.done.extend_from_slice(avail);
            let n = avail.len();
            self.inner.consume(n);
            let kept = self.line_ends.strip(&mut self.done);
            self.done.truncate(kept);
            if self.done.last() == Some(&b'\r') {
                self.done.pop();
                self.held_cr = true;
            }
        }
        let n = out.len().min(self.done.len() - self.given);
        out[..n].copy_from_slice(&self.done[self.given..self.given + n]);
        self.given += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text read through [`CrlfToLf`] from a reader that gives `cap` bytes at a time.
    fn through(src: &[u8], cap: usize, delimiter: u8) -> Vec<u8> {
        let mut out = Vec::new();
        CrlfToLf::new(io::BufReader::with_capacity(cap, src), delimiter)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn crlf_becomes_lf_outside_quotes_only() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"a,b\r\nc,\"x\ry\"\r\n\r", b"a,b\nc,\"x\ry\"\n\r"),
            (b"a,\"b\r\nc\"\r\nd\r\n", b"a,\"b\r\nc\"\nd\n"),
            // `""` inside quotes is a quote; a quote mid-cell opens nothing.
            (
                b"\"x\"\"\r\n\"\r\n1,ab\"c\r\n2,\r\n",
                b"\"x\"\"\r\n\"\n1,ab\"c\n2,\n",
            ),
            // After the quoting ends, a later quote in the cell is a plain byte.
            (b"\"x\"y\"\r\nz\r\n", b"\"x\"y\"\nz\n"),
            // A lone `\r` ends a record: a quote after it opens a cell.
            (b"a\r\"b\r\nc\"\r\n", b"a\r\"b\r\nc\"\n"),
            // Byte-order marks before a quoted first cell.
            (b"\xEF\xBB\xBF\"a\r\nb\"\r\n", b"\xEF\xBB\xBF\"a\r\nb\"\n"),
            // A second mark is a byte of the cell: its quote opens nothing.
            (
                b"\xEF\xBB\xBF\xEF\xBB\xBF\"a\r\nb\"\r\n",
                b"\xEF\xBB\xBF\xEF\xBB\xBF\"a\nb\"\n",
            ),
            (b"\xEF\xBB\"a\r\nb\"\r\n", b"\xEF\xBB\"a\nb\"\n"),
        ];
        for (src, want) in cases {
            for cap in [1, 2, 3, 5, 64] {
                assert_eq!(
                    String::from_utf8_lossy(&through(src, cap, b',')),
                    String::from_utf8_lossy(want),
                    "{:?} read {cap} at a time",
                    String::from_utf8_lossy(src)
                );
            }
        }
    }

    #[test]
    fn the_delimiter_decides_where_a_cell_starts() {
        let src = b"a;\"b\r\nc\"\r\n";
        assert_eq!(through(src, 64, b';'), b"a;\"b\r\nc\"\n");
        // With commas, `;"` is within a cell: its quote is a plain byte.
        assert_eq!(through(src, 64, b','), b"a;\"b\nc\"\n");
    }

    /// The same rules a byte at a time, written plainly: the reference.
    fn one_by_one(src: &[u8], delimiter: u8) -> Vec<u8> {
        #[derive(PartialEq)]
        enum S {
            CellStart,
            Cell,
            Quoted,
            QuoteInQuoted,
        }
        let body = src.strip_prefix(BOM).unwrap_or(src);
        let mut out = src[..src.len() - body.len()].to_vec();
        let mut s = S::CellStart;
        for (i, &b) in body.iter().enumerate() {
            s = match s {
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => S::Quoted,
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                S::CellStart if b == b'"' => S::Quoted,
                // Outside quotes.
                _ if b == b'\r' && body.get(i + 1) == Some(&b'\n') => continue,
                _ if b == delimiter || b == b'\n' || b == b'\r' => S::CellStart,
                _ => S::Cell,
            };
            out.push(b);
        }
        out
    }

    proptest::proptest! {
        /// The text is what the rules read a byte at a time give; read in pieces
        /// of any size, it is what it is read whole; and the `csv` crate reads the
        /// same cells from it as from the original.
        #[test]
        fn pieces_and_cells_agree(
            src in proptest::collection::vec(proptest::sample::select(b"a,\"\n\r \xEF\xBB\xBF".to_vec()), 0..200),
            cap in 1usize..12,
        ) {
            let whole = LineEnds::whole(b',', src.clone());
            proptest::prop_assert_eq!(&whole, &one_by_one(&src, b','));
            proptest::prop_assert_eq!(&through(&src, cap, b','), &whole);
            let cells = |text: &[u8]| -> Vec<Vec<Vec<u8>>> {
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text)
                    .byte_records()
                    .map_while(Result::ok)
                    .map(|r| r.iter().map(<[u8]>::to_vec).collect())
                    .collect()
            };
            proptest::prop_assert_eq!(cells(&whole), cells(&src));
        }
    }
}
