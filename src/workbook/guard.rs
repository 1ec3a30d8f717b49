//! A reader over one unpacked part of a workbook that keeps the XML parser's memory
//! bounded: it refuses a part that unpacks to more than its allowance, and any one
//! tag, text (whitespace too), comment or CDATA section longer than [`MAX_EVENT`]
//! bytes, as the parser holds a whole one in memory.

use std::fmt;
use std::io::{self, Read};

/// The longest tag or text kept: a cell's 32,767 characters written as numeric
/// character references (up to 10 bytes each) fit in it three times over.
pub(super) const MAX_EVENT: u64 = 1 << 20;

/// Why a part was refused: the whole message, naming the file and the part.
#[derive(Debug)]
pub(super) struct Refused(pub(super) String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Where the lexer is: enough of XML to know where each parser event ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Between tags.
    Text,
    /// Just after `<`.
    Open,
    /// Inside a tag, and inside a quoted attribute value if `quote` is set.
    Tag {
        quote: Option<u8>,
    },
    /// After `<!`: how many bytes of `--` or `[CDATA[` matched so far.
    Bang {
        matched: u8,
    },
    /// Inside `<!-- … -->` or `<![CDATA[ … ]]>`: how many of the closing bytes
    /// (`--` or `]]`) were just seen.
    Comment {
        closing: u8,
    },
    CData {
        closing: u8,
    },
    /// Inside `<? … ?>`; `question` after a `?`.
    Pi {
        question: bool,
    },
}

/// The bounded reader. `name` starts every refusal (`book.xlsx: part
/// xl/worksheets/sheet1.xml`).
pub(super) struct Guard<R> {
    inner: R,
    name: String,
    allowance: u64,
    read: u64,
    lex: Lex,
    /// Bytes of the current event so far.
    run: u64,
}

impl<R: Read> Guard<R> {
    pub(super) fn new(inner: R, name: String, allowance: u64) -> Self {
        Guard {
            inner,
            name,
            allowance,
            read: 0,
            lex: Lex::Text,
            run: 0,
        }
    }

    /// What the refusals start with (`book.xlsx: part xl/worksheets/sheet1.xml`).
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    fn refuse(&self, why: String) -> io::Error {
        io::Error::other(Refused(format!("{} {why}; it is not read", self.name)))
    }

    fn step(&mut self, b: u8) -> Option<String> {
        const COMMENT: &[u8] = b"--";
        const CDATA: &[u8] = b"[CDATA[";
        self.lex = match self.lex {
            Lex::Text => {
                if b == b'<' {
                    self.run = 0;
                    Lex::Open
                } else {
                    Lex::Text
                }
            }
            Lex::Open => match b {
                b'!' => Lex::Bang { matched: 0 },
                b'?' => Lex::Pi { question: false },
                b'>' => self.close(),
                b'"' | b'\'' => Lex::Tag { quote: Some(b) },
                _ => Lex::Tag { quote: None },
            },
            Lex::Tag { quote: Some(q) } => Lex::Tag {
                quote: (b != q).then_some(q),
            },
            Lex::Tag { quote: None } => match b {
                b'>' => self.close(),
                b'"' | b'\'' => Lex::Tag { quote: Some(b) },
                _ => Lex::Tag { quote: None },
            },
            Lex::Bang { matched } => {
                let m = matched as usize;
                if COMMENT.get(m) == Some(&b) && m + 1 == COMMENT.len() {
                    Lex::Comment { closing: 0 }
                } else if CDATA.get(m) == Some(&b) && m + 1 == CDATA.len() {
                    Lex::CData { closing: 0 }
                } else if COMMENT.get(m) == Some(&b) || CDATA.get(m) == Some(&b) {
                    Lex::Bang { matched: matched + 1 }
                } else {
                    return Some("holds a DOCTYPE or other declaration, which no workbook has".to_string());
                }
            }
            Lex::Comment { closing } => match (b, closing) {
                (b'>', 2) => self.close(),
                (b'-', n) => Lex::Comment {
                    closing: (n + 1).min(2),
                },
                _ => Lex::Comment { closing: 0 },
            },
            Lex::CData { closing } => match (b, closing) {
                (b'>', 2) => self.close(),
                (b']', n) => Lex::CData {
                    closing: (n + 1).min(2),
                },
                _ => Lex::CData { closing: 0 },
            },
            Lex::Pi { question } => match b {
                b'>' if question => self.close(),
                _ => Lex::Pi { question: b == b'?' },
            },
        };
        self.run += 1;
        (self.run > MAX_EVENT).then(|| self.too_long())
    }

    fn too_long(&self) -> String {
        format!(
            "has a tag or text (or run of spaces) over {} MiB long (near byte {}), which no real workbook has",
            MAX_EVENT >> 20,
            self.read
        )
    }

    fn close(&mut self) -> Lex {
        self.run = 0;
        Lex::Text
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut i = 0;
        while i < n {
            // Text and tags are most of a part: pass over their ordinary bytes at
            // once, then step through the byte that may change the state.
            let plain = match self.lex {
                Lex::Text => memchr::memchr(b'<', &buf[i..n]),
                Lex::Tag { quote: None } => memchr::memchr3(b'>', b'"', b'\'', &buf[i..n]),
                Lex::Tag { quote: Some(q) } => memchr::memchr(q, &buf[i..n]),
                _ => Some(0),
            }
            .unwrap_or(n - i);
            self.read += plain as u64;
            self.run += plain as u64;
            i += plain;
            if self.run > MAX_EVENT {
                return Err(self.refuse(self.too_long()));
            }
            if i < n {
                self.read += 1;
                if let Some(why) = self.step(buf[i]) {
                    return Err(self.refuse(why));
                }
                i += 1;
            }
        }
        if self.read > self.allowance {
            return Err(self.refuse(format!(
                "unpacks to more than {} MiB, over 100 times its packed size, which no real workbook does",
                self.allowance >> 20
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(xml: &[u8], allowance: u64) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        Guard::new(xml, "book.xlsx: part p.xml".to_string(), allowance)
            .read_to_end(&mut out)
            .map(|_| out)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn long_text_and_whitespace_are_refused_short_runs_pass() {
        for text in [" ".repeat(2 << 20), format!("x{}", " ".repeat(2 << 20))] {
            let err = read_all(format!("<a>{text}</a>").as_bytes(), u64::MAX).unwrap_err();
            assert!(err.contains("book.xlsx: part p.xml has a tag or text"), "{err}");
        }
        let runs = format!("<a>{}</a>", format!("{}<b>x</b>", " ".repeat(1 << 19)).repeat(8));
        assert!(read_all(runs.as_bytes(), u64::MAX).is_ok());
    }

    #[test]
    fn long_tags_comments_and_cdata_count_past_angle_brackets() {
        let body = "a>".repeat(1 << 20);
        for xml in [
            format!("<c r=\"{body}\"/>"),
            format!("<!--{body}-->"),
            format!("<![CDATA[{body}]]>"),
            format!("<?pi {body}?>"),
        ] {
            assert!(read_all(xml.as_bytes(), u64::MAX).is_err(), "{}", &xml[..12]);
        }
        assert!(
            read_all(
                b"<!-- a > b --><![CDATA[x]]]>]]><?xml v?><c r=\"A>1\">1</c>",
                u64::MAX
            )
            .is_ok()
        );
    }

    #[test]
    fn doctype_and_overlong_parts_are_refused() {
        let err = read_all(b"<!DOCTYPE x><a/>", u64::MAX).unwrap_err();
        assert!(err.contains("DOCTYPE"), "{err}");
        let err = read_all(&[b' '; 5000], 1000).unwrap_err();
        assert!(err.contains("unpacks to more than"), "{err}");
    }
}
