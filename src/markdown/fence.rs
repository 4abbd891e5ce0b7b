//! A fence's info string: the language, then the options writers bring from other docs
//! tools. A title (`title="main.tf"`), marked lines (`{1,4-6}` as in Docusaurus and
//! Starlight, `mark={1,4-6}`, `hl_lines="1 4-6"` as in MkDocs Material, `hl_lines=1 4-6` as in
//! Zola) and line numbers (`showLineNumbers`, `showLineNumbers=10`, `linenums="10"`,
//! `linenos`, `linenostart=10`). GitHub shows none of them; an option docsite does not
//! know is reported, so a writer learns it does nothing rather than wondering.

use pulldown_cmark::CodeBlockKind;

use crate::diag::count_byte;
use crate::highlight::{Frame, LineNumbers};

/// An option docsite could not use: where it starts in the info string, and why.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub at: usize,
    pub message: String,
}

/// A parsed info string.
#[derive(Debug)]
pub struct Fence<'a> {
    /// The whole info string.
    pub info: &'a str,
    pub lang: &'a str,
    pub frame: Frame,
    /// Each marked range, with where its option starts (to point at it when it runs past
    /// the block's end); `frame.marked` is made from it.
    marks: Vec<(u32, u32, usize)>,
    pub problems: Vec<Problem>,
}

/// What the help line of an option problem says.
pub const OPTIONS_HELP: &str =
    "code blocks take `title=\"…\"`, marked lines as `{1,4-6}` or `hl_lines=\"1 4-6\"`, and `showLineNumbers`";

impl<'a> Fence<'a> {
    /// The fence of a code block; an indented block has none (no language, no options).
    pub fn of(kind: &'a CodeBlockKind) -> Fence<'a> {
        match kind {
            CodeBlockKind::Fenced(info) => Fence::parse(info),
            CodeBlockKind::Indented => Fence::parse(""),
        }
    }

    pub fn parse(info: &'a str) -> Fence<'a> {
        let mut fence = Fence {
            info,
            lang: "",
            frame: Frame::default(),
            marks: Vec::new(),
            problems: Vec::new(),
        };
        // Pandoc's attribute form, `{.python .numberLines}`: its first class is the language;
        // the rest are Pandoc's own and left alone.
        if let Some(attrs) = info.strip_prefix('{') {
            let first = attrs.split([' ', '\t', '}']).find(|w| !w.is_empty()).unwrap_or("");
            fence.lang = first.trim_start_matches('.');
            return fence;
        }
        let end = info.find([' ', ',', '\t', '{']).unwrap_or(info.len());
        fence.lang = info[..end].trim_start_matches('.');
        fence.options(info, end);
        let mut marked: Vec<(u32, u32)> = fence.marks.iter().map(|&(first, last, _)| (first, last)).collect();
        marked.sort_unstable();
        fence.frame.marked = marked.into_iter().map(|(first, last)| first..=last).collect();
        fence
    }

    /// Reads the options after the language, from byte `i` of `info` on.
    fn options(&mut self, info: &str, mut i: usize) {
        let bytes = info.as_bytes();
        let is_gap = |b: u8| matches!(b, b' ' | b'\t' | b',');
        loop {
            while i < bytes.len() && is_gap(bytes[i]) {
                i += 1;
            }
            if i >= bytes.len() {
                return;
            }
            let start = i;
            if bytes[i] == b'{' {
                let Some(close) = info[i..].find('}') else {
                    return self.problem(start, "`{` of marked lines is not closed".into());
                };
                self.mark(&info[i + 1..i + close], start);
                i += close + 1;
                continue;
            }
            while i < bytes.len() && !is_gap(bytes[i]) && bytes[i] != b'=' {
                i += 1;
            }
            let key = &info[start..i];
            let value = if bytes.get(i) == Some(&b'=') {
                let (value, next) = option_value(info, i + 1, key == "hl_lines");
                i = next;
                match value {
                    Some(v) => Some(v),
                    None => return self.problem(start, format!("the value of `{key}` is not closed")),
                }
            } else {
                None
            };
            match (key, value) {
                ("title", Some(v)) if !v.trim().is_empty() => self.frame.title = Some(v.trim().to_string()),
                ("title", _) => self.problem(start, "`title` wants a text, as in `title=\"main.tf\"`".into()),
                ("hl_lines" | "mark", Some(v)) => self.mark(v, start),
                ("hl_lines" | "mark", None) => {
                    self.problem(start, format!("`{key}` wants lines, as in `{key}=\"1 4-6\"`"))
                }
                ("showLineNumbers" | "linenos", None) => {
                    if self.frame.numbers == LineNumbers::Hidden {
                        self.frame.numbers = LineNumbers::From(1);
                    }
                }
                ("showLineNumbers" | "linenums" | "linenostart", Some(v)) => match v.trim().parse::<u32>() {
                    Ok(n) => self.frame.numbers = LineNumbers::From(n),
                    Err(_) => self.problem(start, format!("`{key}` wants a line number, not `{v}`")),
                },
                _ => self.problem(start, format!("unknown code block option `{}`", &info[start..i])),
            }
        }
    }

    /// Adds the marked lines of a list such as `1,4-6` or `1 4-6`.
    fn mark(&mut self, list: &str, at: usize) {
        for item in list.split([',', ' ', '\t']).filter(|s| !s.is_empty()) {
            let (first, last) = item.split_once('-').unwrap_or((item, item));
            match (first.trim().parse::<u32>(), last.trim().parse::<u32>()) {
                (Ok(first), Ok(last)) if first >= 1 && first <= last => self.marks.push((first, last, at)),
                _ => self.problem(
                    at,
                    format!("`{item}` is not a line or a range of lines (lines count from 1, as in `2` or `4-6`)"),
                ),
            }
        }
    }

    fn problem(&mut self, at: usize, message: String) {
        self.problems.push(Problem { at, message });
    }

    pub fn has_marks(&self) -> bool {
        !self.marks.is_empty()
    }

    /// The problem of marks past the last of a block's `lines` lines (they mark nothing:
    /// the block changed since they were written), if any.
    pub fn marks_past_end(&self, lines: usize) -> Option<Problem> {
        let &(first, last, at) = self.marks.iter().find(|m| m.1 as usize > lines)?;
        let what = if first == last {
            format!("line {first}")
        } else {
            format!("lines {first}-{last}")
        };
        let plural = if lines == 1 { "" } else { "s" };
        // Numbered from elsewhere, the writer may have counted as the numbers do.
        let counting = match self.frame.numbers {
            LineNumbers::From(n) if n != 1 => " (marks count from the block's first line, not from its line numbers)",
            _ => "",
        };
        Some(Problem {
            at,
            message: format!("marked {what}, but the block has {lines} line{plural}{counting}"),
        })
    }
}

/// The number of lines of a code block's text, given in pieces.
pub fn count_lines<'t>(pieces: impl IntoIterator<Item = &'t str>) -> usize {
    let (mut newlines, mut open_end) = (0, false);
    for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
        newlines += count_byte(piece.as_bytes(), b'\n');
        open_end = !piece.ends_with('\n');
    }
    newlines + usize::from(open_end)
}

/// The value of an option whose `=` is just before byte `i`, and the byte after it: quoted
/// (`"…"` or `'…'`), braced (`{…}`), or bare up to the next space or comma. A bare list of
/// lines runs on over spaces (`hl_lines=1 4-6`, Zola's spelling) when `lines` is set.
/// `None`: the quote or brace is not closed.
fn option_value(info: &str, i: usize, lines: bool) -> (Option<&str>, usize) {
    let rest = &info[i..];
    let close = match rest.as_bytes().first() {
        Some(b'"') => Some('"'),
        Some(b'\'') => Some('\''),
        Some(b'{') => Some('}'),
        _ => None,
    };
    if let Some(close) = close {
        return match rest[1..].find(close) {
            Some(end) => (Some(&rest[1..1 + end]), i + end + 2),
            None => (None, info.len()),
        };
    }
    let is_line_list = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b',');
    let mut end = rest.find([' ', '\t', ',']).unwrap_or(rest.len());
    if lines {
        // Take the following words while they are numbers or ranges too.
        loop {
            let after = &rest[end..];
            let word_start = after.len() - after.trim_start_matches([' ', '\t', ',']).len();
            let word = after[word_start..].split([' ', '\t', ',']).next().unwrap_or("");
            if !is_line_list(word) {
                break;
            }
            end += word_start + word.len();
        }
    }
    (Some(&rest[..end]), i + end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(f: &Fence) -> Vec<(u32, u32)> {
        f.frame.marked.iter().map(|r| (*r.start(), *r.end())).collect()
    }

    #[test]
    fn language_alone() {
        for (info, lang) in [
            ("sh", "sh"),
            ("", ""),
            ("{.python}", "python"),
            ("{.py .numberLines}", "py"),
        ] {
            let f = Fence::parse(info);
            assert_eq!(f.lang, lang, "{info}");
            assert_eq!(f.frame, Frame::default());
            assert!(f.problems.is_empty(), "{info}");
        }
    }

    #[test]
    fn every_tool_spelling_of_the_options() {
        let f = Fence::parse("tf title=\"main.tf\" {1,4-6} showLineNumbers");
        assert_eq!((f.lang, f.frame.title.as_deref()), ("tf", Some("main.tf")));
        assert_eq!(marked(&f), [(1, 1), (4, 6)]);
        assert_eq!(f.frame.numbers, LineNumbers::From(1));

        let f = Fence::parse("py title='a b.py' hl_lines=\"2 3-4\" linenums=\"10\"");
        assert_eq!(f.frame.title.as_deref(), Some("a b.py"));
        assert_eq!(marked(&f), [(2, 2), (3, 4)]);
        assert_eq!(f.frame.numbers, LineNumbers::From(10));

        // Zola: options after commas, a bare list of lines running over spaces.
        let f = Fence::parse("rust,linenos,hl_lines=1 3-5 9,linenostart=7");
        assert_eq!(f.lang, "rust");
        assert_eq!(marked(&f), [(1, 1), (3, 5), (9, 9)]);
        assert_eq!(f.frame.numbers, LineNumbers::From(7));
        assert!(f.problems.is_empty(), "{:?}", f.problems);

        let f = Fence::parse("js mark={3} showLineNumbers=5 title=app.js");
        assert_eq!(marked(&f), [(3, 3)]);
        assert_eq!(f.frame.numbers, LineNumbers::From(5));
        assert_eq!(f.frame.title.as_deref(), Some("app.js"));
    }

    #[test]
    fn what_is_not_understood_is_a_problem_at_its_place() {
        let info = "sh ins={2} {0,x} title=\"open";
        let f = Fence::parse(info);
        let got: Vec<(&str, &str)> = f.problems.iter().map(|p| (&info[p.at..], p.message.as_str())).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].0.starts_with("ins={2}") && got[0].1.contains("unknown code block option `ins={2}`"));
        assert!(
            got[1].0.starts_with("{0,x}") && got[1].1.starts_with("`0` is not a line"),
            "{got:?}"
        );
        assert!(
            got[2].0.starts_with("{0,x}") && got[2].1.starts_with("`x` is not a line"),
            "{got:?}"
        );
        assert!(
            got[3].0.starts_with("title=") && got[3].1.contains("not closed"),
            "{got:?}"
        );
        // The valid part of a list still counts.
        assert_eq!(Fence::parse("sh {2,x}").frame.marked, [2..=2]);
        assert!(!Fence::parse("sh showLineNumbers=ten").problems.is_empty());
        assert!(!Fence::parse("sh {3").problems.is_empty());
    }

    #[test]
    fn lines_are_counted_across_pieces() {
        assert_eq!(count_lines(["a\nb", "c\n", "d\n"]), 3);
        assert_eq!(count_lines(["a\nb"]), 2);
        assert_eq!(count_lines(["", "\n"]), 1);
        assert_eq!(count_lines([]), 0);
    }

    #[test]
    fn marks_past_the_end_are_found() {
        let f = Fence::parse("sh {1} hl_lines=\"4-5\"");
        assert_eq!(f.marks_past_end(5), None);
        let p = f.marks_past_end(4).expect("past the end");
        assert_eq!(p.at, 7);
        assert_eq!(p.message, "marked lines 4-5, but the block has 4 lines");
        let numbered = Fence::parse("sh showLineNumbers=10 {11}");
        let p = numbered.marks_past_end(1).expect("past the end");
        assert_eq!(
            p.message,
            "marked line 11, but the block has 1 line (marks count from the block's first line, not from its line numbers)"
        );
    }
}
