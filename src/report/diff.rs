//! `--diff`: each fixed file as a unified diff that `patch -p1` and `git apply`
//! accept. The lines a diff shows as context are the file's own, so a secret on
//! one cannot be masked without the patch failing to apply; a hunk's context stops
//! short of a line holding a secret instead, and is made as long on the other
//! side: `patch` takes a hunk whose context is shorter on one side for one at an
//! end of the file (beyond its fuzz of two lines). A changed line is printed as
//! it is, secret or not, since the patch must recreate it. Where a secret sits
//! right after a change, the hunk has no trailing context, which `git apply`
//! accepts only with `--unidiff-zero` (`patch` always).

use crate::fix::Change;
use crate::source::Span;
use similar::udiff::UnifiedDiffHunk;
use similar::{DiffOp, TextDiff};

/// Lines of context around a change, as `diff -u` prints.
const CONTEXT: usize = 3;

/// The diff of one change; `secrets` are spans into `change.after` (the fixed
/// text, which every context line is part of).
pub fn render(change: &Change, secrets: &[Span]) -> String {
    let secret_lines = lines_with_secrets(&change.after, secrets);
    if !secret_lines.contains(&true) {
        return crate::fix::unified_diff(change);
    }
    let diff = TextDiff::from_lines(&change.before, &change.after);
    let mut out = String::new();
    for group in diff.grouped_ops(CONTEXT) {
        for ops in narrowed(&group, &secret_lines) {
            if out.is_empty() {
                let name = crate::source::display_path(&change.path);
                let name = name.trim_start_matches('/');
                out.push_str(&format!("--- a/{name}\n+++ b/{name}\n"));
            }
            out.push_str(&UnifiedDiffHunk::new(ops, &diff, true).to_string());
        }
    }
    out
}

/// For each line of `text`, whether a secret overlaps it.
fn lines_with_secrets(text: &str, secrets: &[Span]) -> Vec<bool> {
    let mut at = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let (start, end) = (at, at + line.len());
            at = end;
            secrets.iter().any(|s| s.start < end && start < s.end)
        })
        .collect()
}

/// One hunk's operations split wherever a context line holds a secret (that line
/// left out), each part's context then made as long before as after.
fn narrowed(group: &[DiffOp], secret_lines: &[bool]) -> Vec<Vec<DiffOp>> {
    // Parts, with whether their leading and trailing context stop at a secret.
    let mut parts: Vec<(Vec<DiffOp>, bool, bool)> = vec![(Vec::new(), false, false)];
    for op in group {
        let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        else {
            if let Some(part) = parts.last_mut() {
                part.0.push(*op);
            }
            continue;
        };
        let mut from = 0;
        for i in 0..len {
            if !secret_lines.get(new_index + i).copied().unwrap_or(false) {
                continue;
            }
            if let Some(part) = parts.last_mut() {
                part.0
                    .push(equal(old_index + from, new_index + from, i - from));
                part.2 = true;
            }
            parts.push((Vec::new(), true, false));
            from = i + 1;
        }
        if let Some(part) = parts.last_mut() {
            part.0
                .push(equal(old_index + from, new_index + from, len - from));
        }
    }
    parts
        .into_iter()
        .filter_map(|(mut ops, lead_cut, trail_cut)| {
            ops.retain(|op| op.old_range().len() + op.new_range().len() > 0);
            if !ops.iter().any(|op| !matches!(op, DiffOp::Equal { .. })) {
                return None;
            }
            let lead = leading(&ops);
            let trail = trailing(&ops);
            let keep_lead = if trail_cut { lead.min(trail) } else { lead };
            // `git apply` takes a hunk without trailing context for one at the
            // end of the file, so one line stays where there is one.
            let keep_trail = if lead_cut {
                trail.min(lead.max(1))
            } else {
                trail
            };
            if let Some(DiffOp::Equal {
                old_index,
                new_index,
                len,
            }) = ops.first().copied()
                && keep_lead < lead
            {
                let skip = len - keep_lead;
                ops[0] = equal(old_index + skip, new_index + skip, keep_lead);
            }
            if let Some(DiffOp::Equal {
                old_index,
                new_index,
                ..
            }) = ops.last().copied()
                && keep_trail < trail
            {
                let last = ops.len() - 1;
                ops[last] = equal(old_index, new_index, keep_trail);
            }
            ops.retain(|op| op.old_range().len() + op.new_range().len() > 0);
            Some(ops)
        })
        .collect()
}

fn equal(old_index: usize, new_index: usize, len: usize) -> DiffOp {
    DiffOp::Equal {
        old_index,
        new_index,
        len,
    }
}

fn leading(ops: &[DiffOp]) -> usize {
    match ops.first() {
        Some(DiffOp::Equal { len, .. }) => *len,
        _ => 0,
    }
}

fn trailing(ops: &[DiffOp]) -> usize {
    match ops.last() {
        Some(DiffOp::Equal { len, .. }) if ops.len() > 1 => *len,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(before: &str, after: &str) -> Change {
        Change {
            path: "b.yaml".into(),
            before: before.into(),
            after: after.into(),
            fixes: 1,
        }
    }

    fn span_of(text: &str, needle: &str) -> Span {
        let at = text.find(needle).unwrap();
        Span::new(at, at + needle.len())
    }

    #[test]
    fn without_a_secret_in_context_the_diff_is_the_usual_one() {
        let c = change("a\nb\nc\nd\ne\n", "a\nb\nC\nd\ne\n");
        assert_eq!(render(&c, &[]), crate::fix::unified_diff(&c));
        let secret = span_of(&c.after, "a");
        assert_eq!(
            render(&c, &[secret]),
            crate::fix::unified_diff(&c)
                .replace("@@ -1,5 +1,5 @@\n a\n b\n", "@@ -2,3 +2,3 @@\n b\n",)
                .replace(" d\n e\n", " d\n")
        );
    }

    #[test]
    fn a_secret_between_two_changes_splits_the_hunk() {
        let before = "a\nb\nc\ns: hunter2\nd\ne\nf\n";
        let after = "a\nB\nc\ns: hunter2\nd\nE\nf\n";
        let c = change(before, after);
        let out = render(&c, &[span_of(after, "hunter2")]);
        assert!(!out.contains("hunter2"), "{out}");
        assert_eq!(
            out,
            "--- a/b.yaml\n+++ b/b.yaml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -5,3 +5,3 @@\n d\n-e\n+E\n f\n"
        );
    }
}
