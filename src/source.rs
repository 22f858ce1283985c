//! Source text and positions.
//!
//! Every span in bplint is a byte range into the text of the file as read from disk
//! (for a blueprint embedded in a ConfigMap too), so a diagnostic always points into
//! the file the user opens. Lines and columns are computed only when rendering.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` in a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A 1-based line and column; columns count Unicode scalar values (a tab and a
/// multi-byte character are one column each), as ruff and rustc do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts, for offset -> line/column conversion in O(log n).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// `(byte offset, characters before it)` about every `CHECKPOINT` bytes of a
    /// text that is not ASCII, so a column on a very long line (a minified
    /// blueprint is one line) costs at most `CHECKPOINT` bytes of counting.
    checkpoints: Vec<(usize, usize)>,
    /// Bytes and characters coincide.
    ascii: bool,
}

const CHECKPOINT: usize = 1024;

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        let mut checkpoints = Vec::new();
        let ascii = text.is_ascii();
        if !ascii {
            let mut next = CHECKPOINT;
            for (chars, (at, _)) in text.char_indices().enumerate() {
                if at >= next {
                    checkpoints.push((at, chars));
                    next = at + CHECKPOINT;
                }
            }
        }
        LineIndex {
            starts,
            checkpoints,
            ascii,
        }
    }

    /// Characters before a byte offset on a character boundary.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let (at, chars) = match self.checkpoints.partition_point(|&(at, _)| at <= offset) {
            0 => (0, 0),
            n => self.checkpoints[n - 1],
        };
        chars + text[at..offset].chars().count()
    }

    /// Line and column of a byte offset (clamped to the text, snapped back to a
    /// character boundary).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let line_start = self.starts[line];
        let mut column = self.chars_before(text, offset) - self.chars_before(text, line_start) + 1;
        // A `\r` before `\n` belongs to the line ending, not to a column users see.
        if text[line_start..offset].ends_with('\r') && text[offset..].starts_with('\n') {
            column -= 1;
        }
        // Editors hide a byte-order mark, so it is not a column either.
        if line == 0 && offset > 0 && text.starts_with('\u{feff}') {
            column -= 1;
        }
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Where lines start after a break: `\n`, `\r\n`, or a lone `\r`, which YAML and
/// editors take for a line break too.
fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map(|(i, _)| i + 1)
}

/// A file's path as the user gave or the walker found it, and its text exactly as
/// read: fixes edit it and `--diff` compares against it, so it is never altered.
/// What a renderer prints comes from [`SourceFile::shown`], where secrets are masked.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Spans holding a secret (BP301's findings, or for a file that does not parse
    /// a scan of its lines), masked wherever the text is shown.
    secrets: Vec<Span>,
    /// Built when a position is first asked for: most files checked have no
    /// finding, so nothing to place.
    lines: OnceLock<LineIndex>,
    /// The masked text, built the first time a renderer asks for it.
    shown: OnceLock<Arc<str>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            secrets: Vec::new(),
            lines: OnceLock::new(),
            shown: OnceLock::new(),
        }
    }

    /// The same file, with these spans recorded as secrets.
    pub fn with_secrets(mut self, mut secrets: Vec<Span>) -> Self {
        secrets.sort_unstable();
        secrets.dedup();
        self.secrets = secrets;
        self.shown = OnceLock::new();
        self
    }

    /// Spans holding a secret, sorted.
    pub fn secrets(&self) -> &[Span] {
        &self.secrets
    }

    /// Whether a secret overlaps the bytes `start..end` (a line, for `--diff`).
    pub fn has_secret_in(&self, start: usize, end: usize) -> bool {
        self.secrets.iter().any(|s| s.start < end && start < s.end)
    }

    /// The text as renderers print it: every secret masked (see [`mask_spans`]), so
    /// spans, lines and columns into [`SourceFile::text`] hold in it too.
    pub fn shown(&self) -> &str {
        if self.secrets.is_empty() {
            return &self.text;
        }
        self.shown
            .get_or_init(|| mask_spans(&self.text, &self.secrets).into())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines().line_col(&self.text, offset)
    }

    /// The line index, built on first use (most files never need one).
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Path as shown to users: forward slashes, no leading `./`.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// `text` with every character inside `spans` (sorted) replaced by a mask of the same
/// UTF-8 length; spaces and line breaks stay, so every byte offset, line and column
/// of the original holds in the result.
pub fn mask_spans(text: &str, spans: &[Span]) -> String {
    let mut spans = spans.iter().peekable();
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        while spans.next_if(|s| s.end <= at).is_some() {}
        let secret = spans.peek().is_some_and(|s| s.start <= at);
        out.push(match c {
            '\n' | '\r' | ' ' | '\t' => c,
            _ if !secret => c,
            _ => match c.len_utf8() {
                1 => '*',
                2 => '·',
                3 => '•',
                _ => '🔒',
            },
        });
    }
    out
}

/// A hash of a file's text, to tell whether a file read again is the one checked.
pub fn text_hash(text: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Why a file's bytes were not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Over the `--max-file-size` limit; `size` when the file system said it.
    TooLarge { size: Option<u64> },
    /// The file could not be opened or read: why, in words.
    Io(String),
}

/// A file's bytes, or why they were not read. The file is opened once and read
/// through a `take`, so a file that grows (or never ends) stays bounded too.
pub fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        ReadError::Io(format!("cannot read: {}", crate::discover::describe_io(&e)))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut size = 0;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
    {
        if meta.len() > limit {
            return Err(ReadError::TooLarge {
                size: Some(meta.len()),
            });
        }
        size = meta.len();
    }
    // Room for the whole file and the read that finds its end: one read call
    // instead of one per doubling of the buffer.
    let mut bytes = Vec::with_capacity(usize::try_from(size).map_or(0, |s| s.saturating_add(1)));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: None });
    }
    Ok(bytes)
}

/// How much of a file too large to read is looked at to tell whether it is a
/// blueprint (as release detection looks at the head of YAML files).
pub const HEAD: usize = 1024;

/// The first [`HEAD`] bytes of a file (fewer for a shorter or unreadable one).
pub fn head(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD);
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(HEAD as u64).read_to_end(&mut head);
    }
    head
}

pub fn too_large(size: Option<u64>, limit: u64) -> String {
    let size = size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
    format!(
        "file too large{size}: over the {} limit, so not checked; raise it with --max-file-size",
        format_size(limit)
    )
}

/// The note for a file over the limit whose head shows no blueprint: skipped.
pub fn too_large_skipped(size: Option<u64>, limit: u64) -> String {
    let size = size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
    format!(
        "over the {} limit{size} and its first kilobyte shows no blueprint; skipped \
         (raise --max-file-size to check it anyway)",
        format_size(limit)
    )
}

/// `20 MiB`, `512 KiB`, `1000 bytes`: the way `--max-file-size` takes sizes.
fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// Why a file's bytes are not text a YAML parser reads.
#[derive(Debug)]
pub struct DecodeError {
    pub span: Span,
    pub message: String,
}

/// Bytes -> text. Invalid UTF-8 and binary content are an error at the first
/// offending byte (PyYAML refuses both; BP001 reports it); the text is then the
/// bytes with invalid sequences replaced, so the snippet still shows.
pub fn decode(path: PathBuf, bytes: Vec<u8>) -> (SourceFile, Option<DecodeError>) {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let error = text.find('\0').map(|at| DecodeError {
                span: Span::new(at, at + 1),
                message: "the file contains a NUL byte; it looks binary, not YAML".into(),
            });
            (SourceFile::new(path, text), error)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            let error = DecodeError {
                span: Span::new(at, at + len),
                message: format!(
                    "the file is not valid UTF-8 (byte 0x{byte:02X}); Authentik reads blueprints as UTF-8"
                ),
            };
            (SourceFile::new(path, text), Some(error))
        }
    }
}

/// How bplint prints a path: as given, with a leading `./` dropped.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_lengths_and_line_breaks() {
        let text = "a: 1\npassword: \"pä✓🔑x\"\nb: |\n  k1\r\n  k2\n";
        let secret = text.find('"').unwrap();
        let block = text.find("k1").unwrap();
        let file = SourceFile::new("x.yaml", text).with_secrets(vec![
            Span::new(block, text.len() - 1),
            Span::new(secret, secret + 13),
        ]);
        assert_eq!(
            file.shown(),
            "a: 1\npassword: **·•🔒**\nb: |\n  **\r\n  **\n"
        );
        assert_eq!(&*file.text, text, "the text as read is kept");
        assert_eq!(file.shown().len(), text.len());
        assert_eq!(LineIndex::new(file.shown()).line_count(), 6);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "name: \"Ünï\"\nx: ✓y\n";
        let idx = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(idx.line_col(text, y), LineCol { line: 2, column: 5 });
    }

    #[test]
    fn crlf_line_endings_keep_columns() {
        let text = "a: 1\r\nbb: 2\r\n";
        let idx = LineIndex::new(text);
        let two = text.find('2').unwrap();
        assert_eq!(idx.line_col(text, two), LineCol { line: 2, column: 5 });
        assert_eq!(idx.line_col(text, 4), LineCol { line: 1, column: 5 });
    }

    #[test]
    fn a_lone_carriage_return_breaks_the_line() {
        let text = "a: 1\rbb: 2\r";
        let idx = LineIndex::new(text);
        let two = text.find('2').unwrap();
        assert_eq!(idx.line_col(text, two), LineCol { line: 2, column: 5 });
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{feff}version: 2\nx: 1\n";
        let idx = LineIndex::new(text);
        let two = text.find('2').unwrap();
        assert_eq!(
            idx.line_col(text, two),
            LineCol {
                line: 1,
                column: 10
            }
        );
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn columns_on_a_long_multi_byte_line_count_characters() {
        let text = format!("{}x{}y\n", "ü✓".repeat(3000), "é".repeat(5000));
        let idx = LineIndex::new(&text);
        let x = text.find('x').unwrap();
        let y = text.find('y').unwrap();
        assert_eq!(
            idx.line_col(&text, x),
            LineCol {
                line: 1,
                column: 6001
            }
        );
        assert_eq!(
            idx.line_col(&text, y),
            LineCol {
                line: 1,
                column: 11002
            }
        );
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let text = "ab";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 99), LineCol { line: 1, column: 3 });
    }
}
