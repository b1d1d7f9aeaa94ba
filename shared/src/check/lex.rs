//! A JavaScript / TypeScript tokenizer just deep enough for the scanners:
//! it knows comments, string and template literals (with their `${…}`
//! substitutions), regular expression literals and identifiers, so an
//! `import` inside a comment or a string is not taken for one, and a quote
//! inside a regex does not swallow the code after it. It does not parse: the
//! scanners read patterns off the token stream. JSX text is lexed as code; a
//! stray apostrophe there opens a string that ends at the line's end, which
//! keeps the damage to that line. Also the HTML tags the scanners read
//! (`<script>`, `<link>`), for `index.html` and single-file components.
//!
//! Written by hand rather than with a regex crate: the shared crate compiles
//! into the Workers, and this is a few hundred lines with no dependency.

use std::borrow::Cow;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An identifier or keyword (also `#private` names).
    Ident,
    /// A '…' or "…" string literal; the text is its value.
    Str,
    /// A template literal; the text is its value with `${}` for each substitution.
    Template,
    /// One punctuation character.
    Punct,
    /// A numeric literal.
    Number,
    /// A regular expression literal.
    Regex,
}

/// One token and the line (1-based) it starts on.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Kind,
    pub(crate) text: Cow<'a, str>,
    pub(crate) line: u32,
}

impl Token<'_> {
    /// Whether this is the identifier `name`.
    pub(crate) fn is_ident(&self, name: &str) -> bool {
        self.kind == Kind::Ident && self.text == name
    }

    /// Whether this is the punctuation character `c`.
    pub(crate) fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.len() == 1 && self.text.starts_with(c)
    }

    /// The value of a string literal, or of a template literal without substitutions.
    pub(crate) fn literal(&self) -> Option<&str> {
        match self.kind {
            Kind::Str => Some(&self.text),
            Kind::Template if !self.text.contains("${}") => Some(&self.text),
            _ => None,
        }
    }
}

/// The tokens of `src`, whose first line is line `first_line`.
pub(crate) fn tokens(src: &str, first_line: u32) -> Vec<Token<'_>> {
    let mut lexer = Lexer { src, b: src.as_bytes(), pos: 0, line: first_line, regex_ok: true };
    let mut out = Vec::new();
    while let Some(t) = lexer.next() {
        out.push(t);
    }
    out
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    line: u32,
    /// Whether a `/` here starts a regex (after an operator or keyword) rather than divides.
    regex_ok: bool,
}

/// Keywords after which a `/` starts a regular expression.
const REGEX_AFTER: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl<'a> Lexer<'a> {
    fn peek(&self, at: usize) -> u8 {
        self.b.get(self.pos + at).copied().unwrap_or(0)
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        while self.pos < self.b.len() {
            match (self.peek(0), self.peek(1)) {
                (b'\n', _) => {
                    self.line += 1;
                    self.pos += 1;
                }
                (b' ' | b'\t' | b'\r' | 0x0b | 0x0c, _) => self.pos += 1,
                (b'/', b'/') => {
                    while self.pos < self.b.len() && self.b[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                (b'/', b'*') => {
                    self.pos += 2;
                    while self.pos < self.b.len() && !(self.peek(0) == b'*' && self.peek(1) == b'/') {
                        if self.b[self.pos] == b'\n' {
                            self.line += 1;
                        }
                        self.pos += 1;
                    }
                    self.pos = (self.pos + 2).min(self.b.len());
                }
                _ => return,
            }
        }
    }

    fn next(&mut self) -> Option<Token<'a>> {
        self.skip_trivia();
        if self.pos >= self.b.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let c = self.b[start];
        let kind = match c {
            b'\'' | b'"' => return Some(self.string(c, line)),
            b'`' => return Some(self.template(line)),
            b'#' if ident_byte(self.peek(1)) => {
                self.pos += 1;
                self.ident();
                Kind::Ident
            }
            c if c.is_ascii_digit() || (c == b'.' && self.peek(1).is_ascii_digit()) => {
                while self.pos < self.b.len() && (ident_byte(self.b[self.pos]) || self.b[self.pos] == b'.') {
                    self.pos += 1;
                }
                Kind::Number
            }
            c if ident_byte(c) || c == b'\\' => {
                self.ident();
                Kind::Ident
            }
            b'/' if self.regex_ok && self.regex() => Kind::Regex,
            _ => {
                // One character; a multi-byte one is kept whole.
                self.pos += self.src[start..].chars().next().map_or(1, char::len_utf8);
                Kind::Punct
            }
        };
        let text = &self.src[start..self.pos];
        self.regex_ok = match kind {
            Kind::Punct => !matches!(c, b')' | b']' | b'}'),
            Kind::Ident => REGEX_AFTER.contains(&text),
            _ => false,
        };
        Some(Token { kind, text: Cow::Borrowed(text), line })
    }

    fn ident(&mut self) {
        while self.pos < self.b.len() && (ident_byte(self.b[self.pos]) || self.b[self.pos] == b'\\') {
            self.pos += 1;
        }
    }

    /// Consumes a regex literal after its opening `/`; false (and nothing
    /// consumed) when none closes on this line, so the `/` was a division.
    fn regex(&mut self) -> bool {
        let mut i = self.pos + 1;
        let mut class = false;
        while i < self.b.len() {
            match self.b[i] {
                b'\\' => i += 1,
                b'\n' => return false,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => {
                    i += 1;
                    while i < self.b.len() && self.b[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    self.pos = i;
                    return true;
                }
                _ => {}
            }
            i += 1;
        }
        false
    }

    /// A '…' or "…" literal; an unterminated one ends at the line's end.
    fn string(&mut self, quote: u8, line: u32) -> Token<'a> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        while self.pos < self.b.len() {
            match self.b[self.pos] {
                b'\\' => {
                    escaped = true;
                    if self.peek(1) == b'\n' {
                        self.line += 1;
                    }
                    self.pos += 2;
                    continue;
                }
                b'\n' => break,
                c if c == quote => break,
                _ => {}
            }
            self.pos += 1;
        }
        let end = self.pos.min(self.b.len());
        let raw = &self.src[start..end];
        if self.peek(0) == quote {
            self.pos += 1;
        }
        self.regex_ok = false;
        let text = if escaped { Cow::Owned(unescape(raw)) } else { Cow::Borrowed(raw) };
        Token { kind: Kind::Str, text, line }
    }

    /// A template literal; the substitutions are lexed (so their strings and
    /// braces are skipped correctly) and their tokens dropped.
    fn template(&mut self, line: u32) -> Token<'a> {
        self.pos += 1;
        let mut text = String::new();
        let mut chunk = self.pos;
        while self.pos < self.b.len() {
            match self.b[self.pos] {
                b'\\' => {
                    text.push_str(&self.src[chunk..self.pos]);
                    let escaped = &self.src[self.pos..(self.pos + 2).min(self.b.len())];
                    text.push_str(&unescape(escaped));
                    if self.peek(1) == b'\n' {
                        self.line += 1;
                    }
                    self.pos = (self.pos + 2).min(self.b.len());
                    chunk = self.pos;
                }
                b'`' => break,
                b'$' if self.peek(1) == b'{' => {
                    text.push_str(&self.src[chunk..self.pos]);
                    text.push_str("${}");
                    self.pos += 2;
                    self.regex_ok = true;
                    let mut depth = 0usize;
                    while let Some(t) = self.next() {
                        if t.is_punct('{') {
                            depth += 1;
                        } else if t.is_punct('}') {
                            if depth == 0 {
                                break;
                            }
                            depth -= 1;
                        }
                    }
                    chunk = self.pos;
                }
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        let end = self.pos.min(self.b.len());
        text.push_str(&self.src[chunk..end]);
        self.pos = (end + 1).min(self.b.len());
        self.regex_ok = false;
        Token { kind: Kind::Template, text: Cow::Owned(text), line }
    }
}

/// The value of a literal's escapes, as far as a path or a method name needs.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\n') | None => {}
            Some(other) => out.push(other),
        }
    }
    out
}

/// An HTML start tag the scanners read, with its attributes (names in
/// lower case) and, for `<script>`, its text and the line that text starts on.
#[derive(Debug)]
pub(crate) struct Tag<'a> {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) line: u32,
    pub(crate) body: Option<(&'a str, u32)>,
}

impl Tag<'_> {
    /// The value of attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The `<script>` and `<link>` tags of an HTML document (comments skipped).
pub(crate) fn html_tags(html: &str) -> Vec<Tag<'_>> {
    let b = html.as_bytes();
    let line_at = |pos: usize| 1 + html.as_bytes()[..pos].iter().filter(|&&c| c == b'\n').count() as u32;
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let at = pos + off;
        if html[at..].starts_with("<!--") {
            pos = html[at..].find("-->").map_or(html.len(), |e| at + e + 3);
            continue;
        }
        let name_end =
            html[at + 1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).map_or(html.len(), |e| at + 1 + e);
        let name = html[at + 1..name_end].to_ascii_lowercase();
        if name != "script" && name != "link" {
            pos = name_end.max(at + 1);
            continue;
        }
        let (attrs, tag_end) = attributes(html, name_end);
        let mut tag = Tag { name, attrs, line: line_at(at), body: None };
        pos = tag_end;
        if tag.name == "script" {
            let close = find_ci(&html[tag_end..], "</script").map_or(html.len(), |e| tag_end + e);
            tag.body = Some((&html[tag_end..close], line_at(tag_end)));
            pos = close;
        }
        out.push(tag);
        if pos >= b.len() {
            break;
        }
    }
    out
}

/// The attributes of a tag whose name ends at `pos`, and where the tag ends.
fn attributes(html: &str, mut pos: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while pos < b.len() && (b[pos].is_ascii_whitespace() || b[pos] == b'/') {
            pos += 1;
        }
        if pos >= b.len() {
            return (attrs, pos);
        }
        if b[pos] == b'>' {
            return (attrs, pos + 1);
        }
        let start = pos;
        while pos < b.len() && !(b[pos].is_ascii_whitespace() || matches!(b[pos], b'=' | b'>' | b'/')) {
            pos += 1;
        }
        let name = html[start..pos].to_ascii_lowercase();
        let mut value = String::new();
        if pos < b.len() && b[pos] == b'=' {
            pos += 1;
            if pos < b.len() && (b[pos] == b'"' || b[pos] == b'\'') {
                let q = b[pos];
                let end = html[pos + 1..].find(q as char).map_or(html.len(), |e| pos + 1 + e);
                value = html[pos + 1..end].to_string();
                pos = (end + 1).min(b.len());
            } else {
                let end =
                    html[pos..].find(|c: char| c.is_ascii_whitespace() || c == '>').map_or(html.len(), |e| pos + e);
                value = html[pos..end].to_string();
                pos = end;
            }
        }
        if name.is_empty() {
            pos += 1;
        } else {
            attrs.push((name, value));
        }
    }
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        tokens(src, 1).into_iter().map(|t| (t.kind, t.text.into_owned())).collect()
    }

    #[test]
    fn comments_strings_templates_and_regexes_are_single_tokens() {
        let src = "// import a from 'x'\n/* import('y') */ const s = 'it\\'s'; const r = /['\"`]/g;\nconst t = `a${ f(\"}\") + `${x}` }b`; x = a / b / c;";
        let toks = tokens(src, 1);
        let text: Vec<(Kind, &str, u32)> = toks.iter().map(|t| (t.kind, t.text.as_ref(), t.line)).collect();
        assert_eq!(
            text,
            vec![
                (Kind::Ident, "const", 2),
                (Kind::Ident, "s", 2),
                (Kind::Punct, "=", 2),
                (Kind::Str, "it's", 2),
                (Kind::Punct, ";", 2),
                (Kind::Ident, "const", 2),
                (Kind::Ident, "r", 2),
                (Kind::Punct, "=", 2),
                (Kind::Regex, "/['\"`]/g", 2),
                (Kind::Punct, ";", 2),
                (Kind::Ident, "const", 3),
                (Kind::Ident, "t", 3),
                (Kind::Punct, "=", 3),
                (Kind::Template, "a${}b", 3),
                (Kind::Punct, ";", 3),
                (Kind::Ident, "x", 3),
                (Kind::Punct, "=", 3),
                (Kind::Ident, "a", 3),
                (Kind::Punct, "/", 3),
                (Kind::Ident, "b", 3),
                (Kind::Punct, "/", 3),
                (Kind::Ident, "c", 3),
                (Kind::Punct, ";", 3),
            ]
        );
    }

    #[test]
    fn an_unterminated_string_ends_at_the_line() {
        // JSX text with an apostrophe: the next line is code again.
        let k = kinds("<p>Don't panic</p>\nimport x from './x'");
        assert!(k.contains(&(Kind::Str, "t panic</p>".into())), "{k:?}");
        assert!(k.contains(&(Kind::Ident, "import".into())) && k.contains(&(Kind::Str, "./x".into())), "{k:?}");
        // A multi-line template counts its lines.
        let t = tokens("`a\nb\n${c}`\nd", 1);
        assert_eq!((t[0].kind, t[1].line), (Kind::Template, 4));
    }

    #[test]
    fn html_tags_are_read_with_their_attributes() {
        let html = "<!doctype html>\n<!-- <script src=\"/old.ts\"></script> -->\n<link rel=stylesheet href='/src/a.css'>\n<SCRIPT type=\"module\" src=\"/src/main.ts\"></SCRIPT>\n<script type=\"module\">\nimport './b.ts'\n</script>";
        let tags = html_tags(html);
        assert_eq!(tags.len(), 3, "{tags:?}");
        assert_eq!((tags[0].name.as_str(), tags[0].attr("href"), tags[0].line), ("link", Some("/src/a.css"), 3));
        assert_eq!((tags[1].attr("src"), tags[1].line), (Some("/src/main.ts"), 4));
        let (body, line) = tags[2].body.unwrap();
        assert_eq!(line, 5);
        assert!(body.contains("import './b.ts'"));
    }
}
