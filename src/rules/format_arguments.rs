//! BP210: a `!Format` whose `%` placeholders and arguments do not match.

use super::{BlueprintCx, Rule};
use crate::diagnostic::Diagnostic;
use crate::model::{TagCall, TagParse};

rule! {
    pub struct FormatArguments {
        code: "BP210",
        name: "format-arguments",
        severity: Error,
        fix: None,
        summary: "`!Format` placeholders and arguments differ in number",
    }
}

/// Conversions Python's `%` operator knows.
const CONVERSIONS: &str = "diouxXeEfFgGcrsa";

/// How many arguments a `%` format string consumes; `Err` for what Python rejects.
/// `None` when it uses `%(name)s` mapping keys, which need a mapping argument
/// (and so always fail under `!Format`, whose arguments are a tuple).
pub fn placeholders(format: &str) -> Result<Option<usize>, String> {
    let mut count = 0;
    let mut named = false;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            continue;
        }
        if chars.peek() == Some(&'(') {
            named = true;
            for c in chars.by_ref() {
                if c == ')' {
                    break;
                }
            }
        }
        while let Some(&c) = chars.peek() {
            if "#0- +".contains(c) {
                chars.next();
            } else {
                break;
            }
        }
        let mut star = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            if chars.peek() == Some(&'*') {
                chars.next();
                count += 1;
            } else {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
        };
        star(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            star(&mut chars);
        }
        while chars.peek().is_some_and(|c| "hlL".contains(*c)) {
            chars.next();
        }
        match chars.next() {
            Some(conv) if CONVERSIONS.contains(conv) => count += 1,
            Some(conv) => return Err(format!("unsupported format character `{conv}`")),
            None => return Err("incomplete format (a `%` at the end)".into()),
        }
    }
    Ok((!named).then_some(count))
}

impl Rule for FormatArguments {
    fn check_blueprint(&self, cx: &BlueprintCx<'_>, out: &mut Vec<Diagnostic>) {
        for site in &cx.bp.tags {
            let TagParse::Call(TagCall::Format { format, args }) = site.parsed else {
                continue;
            };
            // The format string itself is never resolved: a tag (or any non-string)
            // meets `%` as an object, and Python raises a TypeError.
            let Some(text) = format.as_str() else {
                let what = match format.local_tag() {
                    Some(tag) => format!("a `!{tag}` tag"),
                    None => format!("`{}`", cx.file.slice(format.value_span())),
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.file_id,
                        format.span,
                        format!("`!Format` string must be a plain string, not {what}"),
                    )
                    .label("never resolved")
                    .related(cx.file_id, site.node.span, "in this `!Format`")
                    .help(
                        "`!Format` resolves its arguments but not its format string, so the entry \
                         fails when applied; write the format string out and pass the dynamic \
                         part as an argument: `!Format [\"%s\", !Context key]`",
                    ),
                );
                continue;
            };
            let (message, help) = match placeholders(text) {
                Ok(Some(wanted)) if wanted == args.len() => continue,
                Ok(None) => (
                    "`!Format` string uses `%(name)s` placeholders, which need a mapping".into(),
                    "`!Format` passes its arguments to `%` as a tuple, so Python raises \"format \
                     requires a mapping\" when the entry is applied; use positional `%s` \
                     placeholders",
                ),
                Ok(Some(wanted)) => (
                    format!(
                        "`!Format` string has {wanted} placeholder{} but {} argument{}",
                        if wanted == 1 { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "" } else { "s" },
                    ),
                    if wanted > args.len() {
                        "Python raises \"not enough arguments for format string\" when the entry \
                         is applied; add the missing arguments"
                    } else {
                        "Python raises \"not all arguments converted during string formatting\" \
                         when the entry is applied; remove the extra arguments or add `%s`"
                    },
                ),
                Err(why) => (
                    format!("`!Format` string is invalid: {why}"),
                    "write a literal `%` as `%%`",
                ),
            };
            out.push(
                Diagnostic::new(&META, cx.file_id, format.value_span(), message)
                    .label("the format string")
                    .related(cx.file_id, site.node.span, "in this `!Format`")
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn counts_like_python() {
        assert_eq!(placeholders("https://%s/%s"), Ok(Some(2)));
        assert_eq!(placeholders("100%% of %d"), Ok(Some(1)));
        assert_eq!(placeholders("%-*.*f"), Ok(Some(3)));
        assert_eq!(placeholders("%(name)s"), Ok(None));
        // `% o` is a conversion with the space flag: it wants an argument.
        assert_eq!(placeholders("50% off"), Ok(Some(1)));
        assert!(placeholders("100%").is_err());
        assert!(placeholders("%y").is_err());
    }
}
