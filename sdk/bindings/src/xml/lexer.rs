//! The XML tokenizer under [`XmlReader`](super::XmlReader).
//!
//! It reads what quick-xml's `Reader` reads, with the configuration the
//! reader used (end names checked, empty elements not expanded, text not
//! trimmed, a lone `&` refused), and hands out the same pieces; the tests
//! below hold it to quick-xml token by token. It exists for speed: quick-xml
//! validates UTF-8 once per event and copies every open element's name into
//! a buffer, which was two thirds of a typed decode (callgrind, decode
//! bench). Here the input is validated once, names of open elements are
//! spans, and every piece is a `&str` cut from the input at an ASCII
//! delimiter, so no piece is checked again.
//!
//! Bytes after the first invalid UTF-8 sequence are never handed out: a
//! token that would reach them is an error at that byte, so a document is
//! refused exactly where it stops being UTF-8, as before.

use quick_xml::events::BytesStart;

/// One piece of the input.
#[derive(Debug)]
pub(crate) enum Token<'a> {
    /// `<name attrs>`: the content between `<` and `>`.
    Start(BytesStart<'a>),
    /// `<name attrs/>`: the content between `<` and `/>`.
    Empty(BytesStart<'a>),
    /// `</name>`, its name checked against the open element's.
    End,
    /// Character data up to the next `<` or `&`, as written (never empty).
    Text(&'a str),
    /// `&name;`: the name between `&` and `;`.
    Ref(&'a str),
    /// `<![CDATA[...]]>`: what is between.
    CData(&'a str),
    Comment,
    /// `<?target ...?>`.
    Pi,
    /// `<?xml ...?>`.
    Decl,
    /// `<!DOCTYPE`: its `<` is at [`Lexer::markup_start`]; not read further.
    DocType,
    /// End of input.
    Eof,
}

/// A syntax error: what was wrong and the index of its first byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub at: usize,
    pub message: String,
}

/// XML white space (production S).
#[inline(always)]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The tokenizer: a position in a document and the names of its open elements.
pub(crate) struct Lexer<'a> {
    /// The longest prefix of the input that is valid UTF-8.
    src: &'a str,
    /// Length of the whole input: more than `src.len()` when the input
    /// holds invalid UTF-8 at `src.len()`.
    len: usize,
    /// Index of the next unread byte.
    pos: usize,
    /// Index of the `<` of the last markup read.
    markup: usize,
    /// `(start, end)` of the name of each open element.
    open: Vec<(usize, usize)>,
    done: bool,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        // SIMD: several times faster than std's check on whole responses,
        // with the same error (where the input stops being valid).
        let src = match simdutf8::compat::from_utf8(input) {
            Ok(s) => s,
            // The prefix is valid by definition, so this cannot fail.
            Err(e) => simdutf8::compat::from_utf8(&input[..e.valid_up_to()]).unwrap_or_default(),
        };
        Lexer {
            src,
            len: input.len(),
            pos: 0,
            markup: 0,
            open: Vec::new(),
            done: false,
        }
    }

    /// Index of the next unread byte.
    #[inline]
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Index of the `<` of the last markup read.
    pub(crate) fn markup_start(&self) -> usize {
        self.markup
    }

    /// The longest prefix of the input that is valid UTF-8 (checked once,
    /// so slices of it need no second check).
    pub(crate) fn valid(&self) -> &'a str {
        self.src
    }

    /// Byte `i` of the valid input, if there.
    #[inline(always)]
    fn byte(&self, i: usize) -> Option<u8> {
        self.src.as_bytes().get(i).copied()
    }

    /// The error for a scan that ran off the end of the valid input
    /// without finding what it looked for: invalid UTF-8 there, or `eof`.
    #[cold]
    fn ran_out(&mut self, at: usize, eof: &str) -> LexError {
        self.done = true;
        if self.src.len() < self.len {
            LexError {
                at: self.src.len(),
                // The error's offset says where (counting a stripped BOM).
                message: "invalid UTF-8".to_owned(),
            }
        } else {
            LexError {
                at,
                message: eof.to_owned(),
            }
        }
    }

    #[cold]
    fn error(&mut self, at: usize, message: String) -> LexError {
        self.done = true;
        LexError { at, message }
    }

    /// The next token.
    #[inline]
    pub(crate) fn next(&mut self) -> Result<Token<'a>, LexError> {
        if self.done {
            return Ok(Token::Eof);
        }
        let b = self.src.as_bytes();
        match b.get(self.pos) {
            Some(b'<') => self.markup(),
            Some(b'&') => self.reference(),
            Some(_) => self.text(),
            None if self.pos < self.len => Err(self.ran_out(self.pos, "")),
            None => {
                self.done = true;
                Ok(Token::Eof)
            }
        }
    }

    /// Character data from `pos` (not at `<` or `&`).
    #[inline]
    fn text(&mut self) -> Result<Token<'a>, LexError> {
        let start = self.pos;
        let rest = &self.src.as_bytes()[start..];
        match memchr::memchr2(b'<', b'&', rest) {
            Some(i) => {
                self.pos = start + i;
                Ok(Token::Text(&self.src[start..start + i]))
            }
            None if self.src.len() < self.len => Err(self.ran_out(start, "")),
            None => {
                self.pos = self.src.len();
                Ok(Token::Text(&self.src[start..]))
            }
        }
    }

    /// `&name;` at `pos`.
    fn reference(&mut self) -> Result<Token<'a>, LexError> {
        let start = self.pos;
        let rest = &self.src.as_bytes()[start + 1..];
        match memchr::memchr3(b';', b'&', b'<', rest) {
            Some(i) if rest[i] == b';' => {
                self.pos = start + 1 + i + 1;
                Ok(Token::Ref(&self.src[start + 1..start + 1 + i]))
            }
            Some(_) => Err(self.error(
                start,
                "unclosed reference: `&` must start `&name;` or `&#number;`".to_owned(),
            )),
            None => Err(self.ran_out(
                start,
                "unclosed reference: `&` must start `&name;` or `&#number;`",
            )),
        }
    }

    /// Index of the `>` that ends the tag whose content starts at `from`:
    /// the first one outside quotes.
    #[inline]
    fn tag_end(&self, from: usize) -> Result<usize, Option<u8>> {
        let b = self.src.as_bytes();
        let mut quote: Option<u8> = None;
        for i in memchr::memchr3_iter(b'>', b'"', b'\'', &b[from..]) {
            let c = b[from + i];
            match quote {
                None if c == b'>' => return Ok(from + i),
                None => quote = Some(c),
                Some(q) if q == c => quote = None,
                Some(_) => {}
            }
        }
        Err(quote)
    }

    fn markup(&mut self) -> Result<Token<'a>, LexError> {
        let lt = self.pos;
        self.markup = lt;
        match self.byte(lt + 1) {
            Some(b'/') => self.end_tag(lt),
            Some(b'!') => self.bang(lt),
            Some(b'?') => self.pi(lt),
            Some(_) => self.start_tag(lt),
            None => Err(self.ran_out(lt, "unclosed tag: `<` at the end of the input")),
        }
    }

    #[inline]
    fn start_tag(&mut self, lt: usize) -> Result<Token<'a>, LexError> {
        // Most tags are a bare name (`<key>`, `<a/>`) or a name and one
        // attribute: the name is read byte by byte, which for a few bytes
        // beats setting up a vector search; attributes are searched for `>`
        // outside quotes.
        let b = self.src.as_bytes();
        let mut i = lt + 1;
        while i < b.len()
            && !matches!(
                b[i],
                b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/' | b'"' | b'\''
            )
        {
            i += 1;
        }
        let (gt, name_end) = match b.get(i) {
            Some(b'>') => (i, i),
            Some(b'/') if b.get(i + 1) == Some(&b'>') => (i + 1, i),
            Some(b' ' | b'\t' | b'\r' | b'\n') => match self.tag_end(i) {
                Ok(gt) => (gt, i),
                Err(quote) => return Err(self.unclosed_tag(lt, quote)),
            },
            _ => match self.tag_end(lt + 1) {
                Ok(gt) => {
                    let content = &b[lt + 1..gt];
                    let n = content
                        .iter()
                        .position(|&c| is_ws(c))
                        .unwrap_or(content.len());
                    (gt, lt + 1 + n)
                }
                Err(quote) => return Err(self.unclosed_tag(lt, quote)),
            },
        };
        self.pos = gt + 1;
        let empty = gt > lt + 1 && b[gt - 1] == b'/';
        let end = if empty { gt - 1 } else { gt };
        // A name that runs into the `/` of `/>` ends there.
        let name_end = name_end.min(end);
        let start = BytesStart::from_content(&self.src[lt + 1..end], name_end - (lt + 1));
        if empty {
            Ok(Token::Empty(start))
        } else {
            self.open.push((lt + 1, name_end));
            Ok(Token::Start(start))
        }
    }

    #[cold]
    fn unclosed_tag(&mut self, lt: usize, quote: Option<u8>) -> LexError {
        let what = match quote {
            None => "unclosed tag: no `>` after this `<`",
            Some(b'"') => "unclosed tag: a `\"` attribute value is not closed",
            Some(_) => "unclosed tag: a `'` attribute value is not closed",
        };
        self.ran_out(lt, what)
    }

    #[inline]
    fn end_tag(&mut self, lt: usize) -> Result<Token<'a>, LexError> {
        // Nearly always `</name>` with the open element's name: compared
        // in place, with no search.
        if let Some(&(s, e)) = self.open.last() {
            let b = self.src.as_bytes();
            let n = e - s;
            if b.get(lt + 2 + n) == Some(&b'>')
                && b[lt + 2..lt + 2 + n]
                    .iter()
                    .zip(&b[s..e])
                    .all(|(x, y)| x == y)
            {
                self.open.pop();
                self.pos = lt + 3 + n;
                return Ok(Token::End);
            }
        }
        self.end_tag_general(lt)
    }

    fn end_tag_general(&mut self, lt: usize) -> Result<Token<'a>, LexError> {
        let gt = match self.tag_end(lt + 2) {
            Ok(gt) => gt,
            Err(quote) => return Err(self.unclosed_tag(lt, quote)),
        };
        let b = self.src.as_bytes();
        let mut name_end = gt;
        while name_end > lt + 2 && is_ws(b[name_end - 1]) {
            name_end -= 1;
        }
        // quick-xml trims nothing from a name that is all whitespace
        // (`</ >`), so it closes no element (`<>` has the empty name).
        if name_end == lt + 2 {
            name_end = gt;
        }
        let name = &b[lt + 2..name_end];
        match self.open.pop() {
            Some((s, e)) if &b[s..e] == name => {
                self.pos = gt + 1;
                Ok(Token::End)
            }
            Some((s, e)) => {
                let message = format!(
                    "expecting </{}> but found </{}>",
                    &self.src[s..e],
                    &self.src[lt + 2..name_end]
                );
                Err(self.error(lt, message))
            }
            None => {
                let message = format!(
                    "close tag </{}> does not match any open tag",
                    &self.src[lt + 2..name_end]
                );
                Err(self.error(lt, message))
            }
        }
    }

    /// `<!`: a comment, CDATA or a DOCTYPE.
    fn bang(&mut self, lt: usize) -> Result<Token<'a>, LexError> {
        let rest = &self.src.as_bytes()[lt..];
        let (close, from, token): (&[u8], usize, fn(&'a str) -> Token<'a>) =
            if rest.starts_with(b"<!--") {
                (b"-->", lt + 4, |_| Token::Comment)
            } else if rest.starts_with(b"<![CDATA[") {
                (b"]]>", lt + 9, Token::CData)
            } else if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
                self.pos = lt + 2;
                return Ok(Token::DocType);
            } else if b"<!--".starts_with(&rest[..rest.len().min(4)])
                || b"<![CDATA[".starts_with(&rest[..rest.len().min(9)])
                || rest.len() < 9 && rest.len() > 2 && rest[2].eq_ignore_ascii_case(&b'd')
            {
                return Err(self.ran_out(lt, "unclosed `<!`: the input ends inside it"));
            } else {
                return Err(self.error(
                    lt,
                    "unknown markup `<!`: only a comment, CDATA or DOCTYPE starts so".to_owned(),
                ));
            };
        match memchr::memmem::find(&self.src.as_bytes()[from..], close) {
            Some(i) => {
                self.pos = from + i + close.len();
                Ok(token(&self.src[from..from + i]))
            }
            None if close == b"-->" => Err(self.ran_out(lt, "unclosed comment: no `-->`")),
            None => Err(self.ran_out(lt, "unclosed CDATA: no `]]>`")),
        }
    }

    /// `<?`: a processing instruction or the XML declaration.
    fn pi(&mut self, lt: usize) -> Result<Token<'a>, LexError> {
        let Some(i) = memchr::memmem::find(&self.src.as_bytes()[lt + 1..], b"?>") else {
            return Err(self.ran_out(lt, "unclosed processing instruction: no `?>`"));
        };
        if i == 0 {
            return Err(self.error(lt, "`<?>` is not a processing instruction".to_owned()));
        }
        let content = &self.src.as_bytes()[lt + 2..lt + 1 + i];
        self.pos = lt + 1 + i + 2;
        if content.starts_with(b"xml") && content.get(3).is_none_or(|&b| is_ws(b)) {
            Ok(Token::Decl)
        } else {
            Ok(Token::Pi)
        }
    }
}

/// One token as [`compare_with_quick_xml`] lists it: kind, text, end offset.
pub type TokenSeen = (String, String, usize);

/// The tokens of `input` as quick-xml reads them with the reader's old
/// configuration, and as this lexer does, in one comparable form each:
/// `(kind, content, offset after it)`, the stream ending at the first
/// error or DOCTYPE as `("refused", "", 0)`: the lexer refuses a DOCTYPE at
/// its `<!DOCTYPE`, where quick-xml reads on to its end (and fails when it
/// has none), and the two word their errors differently. Used by the tests below and by the
/// fuzz target `xml_lexer`, which holds the two to each other.
#[doc(hidden)]
pub fn compare_with_quick_xml(input: &[u8]) -> (Vec<TokenSeen>, Vec<TokenSeen>) {
    use quick_xml::events::Event;
    let stripped = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut theirs = Vec::new();
    let mut r = quick_xml::Reader::from_reader(stripped);
    let c = r.config_mut();
    c.expand_empty_elements = false;
    c.check_end_names = true;
    c.trim_text(false);
    loop {
        let ev = r.read_event();
        let at = r.buffer_position() as usize;
        let (kind, text) = match ev {
            Ok(Event::Start(s)) => ("start", s.as_ref().to_owned()),
            Ok(Event::Empty(s)) => ("empty", s.as_ref().to_owned()),
            Ok(Event::End(_)) => ("end", String::new()),
            Ok(Event::Text(t)) => ("text", t.as_ref().to_owned()),
            Ok(Event::GeneralRef(t)) => ("ref", t.as_ref().to_owned()),
            Ok(Event::CData(t)) => ("cdata", t.as_ref().to_owned()),
            Ok(Event::Comment(_)) => ("comment", String::new()),
            Ok(Event::PI(_)) => ("pi", String::new()),
            Ok(Event::Decl(_)) => ("decl", String::new()),
            Ok(Event::DocType(_)) => {
                theirs.push(("refused".into(), String::new(), 0));
                break;
            }
            Ok(Event::Eof) => {
                theirs.push(("eof".into(), String::new(), at));
                break;
            }
            Err(_) => {
                theirs.push(("refused".into(), String::new(), 0));
                break;
            }
        };
        theirs.push((kind.into(), text, at));
    }
    let mut ours = Vec::new();
    let mut l = Lexer::new(stripped);
    loop {
        let tok = l.next();
        let at = l.position();
        let (kind, text) = match tok {
            Ok(Token::Start(s)) => ("start", (*s).to_owned()),
            Ok(Token::Empty(s)) => ("empty", (*s).to_owned()),
            Ok(Token::End) => ("end", String::new()),
            Ok(Token::Text(t)) => ("text", t.to_owned()),
            Ok(Token::Ref(t)) => ("ref", t.to_owned()),
            Ok(Token::CData(t)) => ("cdata", t.to_owned()),
            Ok(Token::Comment) => ("comment", String::new()),
            Ok(Token::Pi) => ("pi", String::new()),
            Ok(Token::Decl) => ("decl", String::new()),
            Ok(Token::DocType) => {
                ours.push(("refused".into(), String::new(), 0));
                break;
            }
            Ok(Token::Eof) => {
                ours.push(("eof".into(), String::new(), at));
                break;
            }
            Err(_) => {
                ours.push(("refused".into(), String::new(), 0));
                break;
            }
        };
        ours.push((kind.into(), text, at));
    }
    (theirs, ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(doc: &[u8]) {
        let (theirs, ours) = compare_with_quick_xml(doc);
        assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(doc));
    }

    #[test]
    fn reads_what_quick_xml_reads() {
        let docs: &[&[u8]] = &[
            b"",
            b"   ",
            b"<a/>",
            b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x='1' y=\"a>b\"><b>t&amp;u&#65;</b><c/></a>",
            b"<a><!-- c -- x --><?pi data?><![CDATA[<x>&]]></a>",
            b"<a>1<b >2</b >3</a >",
            b"<a><b>x</c></a>",
            b"</a>",
            b"<a>x",
            b"<a",
            b"<a b='x",
            b"<a b=\"x",
            b"<",
            b"<a>&amp</a>",
            b"<a>& b</a>",
            b"<a>&</a>",
            b"<a>&a&b;</a>",
            b"<!DOCTYPE a><a/>",
            b"<!doctype a><a/>",
            b"text<!DOCTYPE never closed",
            b"<!-",
            b"<!--",
            b"<!-- x",
            b"<![CDA",
            b"<![CDATA[ x",
            b"<!x>",
            b"<?xml?><a/>",
            b"<?xml-stylesheet x?><a/>",
            b"<??><a/>",
            b"<?",
            b"<?x",
            b"<a>ok\xFFno</a>",
            b"<a\xFF/>",
            b"<a>\xE2\x82</a>",
            b"<a>\xE2\x82\xAC</a>",
            b"<\xE2\x82\xAC x='\xC3\xA9'>\xC3\xA9</\xE2\x82\xAC>",
            b"<a/><b/>",
            b"text<a/>",
            b"<a/>tail",
            b"<a>\r\n</a>",
            b"<a></a/>",
            b"<a></>",
            b"<></>",
            b"<></ >",
            b"<a></ >",
            b"<\r\r></\r\r\r>",
            b"<a>< b></a>",
            b"<a\tb='1'\n/>",
        ];
        for d in docs {
            same(d);
        }
    }

    #[test]
    fn reads_the_fuzz_corpus_as_quick_xml_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus");
        let mut n = 0;
        for target in [
            "xml_response",
            "soap_envelope",
            "service_versions",
            "esxcli",
        ] {
            let Ok(files) = std::fs::read_dir(format!("{dir}/{target}")) else {
                continue;
            };
            for f in files {
                let bytes = std::fs::read(f.unwrap().path()).unwrap();
                same(&bytes);
                // Every prefix cut at a markup boundary too: truncated input.
                for cut in memchr::memchr_iter(b'<', &bytes).step_by(7) {
                    same(&bytes[..cut + 1]);
                }
                n += 1;
            }
        }
        assert!(n > 50, "the fuzz corpus is there ({n} files)");
    }
}
