//! Applying fixes: edits on exact spans, never overlapping, repeated until the
//! blueprints are stable (a fix can make another one possible), then written back
//! atomically. Files with syntax errors, files changed on disk since bplint read
//! them, and files whose mode, owner or links a write would overrule are never
//! touched; see [`write`].

use crate::diagnostic::{Applicability, Edit};
use crate::pipeline::{Outcome, Request, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Passes before giving up on fixes that keep producing new fixes.
const MAX_PASSES: usize = 10;

/// A file's text before and after fixing.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// Fixes applied to it, over all passes: what the run reports for the
    /// file once it is written, and only then.
    pub fixes: usize,
}

pub struct FixRun {
    /// The check of the fixed texts.
    pub outcome: Outcome,
    pub changes: Vec<Change>,
    /// Fixes applied, over all passes.
    pub applied: usize,
    /// What each pass did to each file, in order: the evidence that a fix stays
    /// within its edits (tests/fix_safety.rs checks it against PyYAML).
    pub steps: Vec<Step>,
}

/// One pass over one file: its text before, the edits applied, the text after.
#[derive(Debug, Clone)]
pub struct Step {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// The applied edits, sorted, on `before`'s byte offsets.
    pub edits: Vec<Edit>,
}

/// Apply every allowed fix in memory (through the request's overlay) and re-check
/// until nothing is left to fix.
pub fn fix(request: &mut Request, unsafe_fixes: bool) -> FixRun {
    // Each changed file's text as read, and the fixes applied to it.
    let mut originals: BTreeMap<PathBuf, (String, usize)> = BTreeMap::new();
    let mut applied = 0;
    let mut steps = Vec::new();
    let mut outcome = run(request);
    for _ in 0..MAX_PASSES {
        let mut fixes: BTreeMap<usize, Vec<Vec<Edit>>> = BTreeMap::new();
        let broken: Vec<usize> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.code == crate::rules::yaml_syntax::META.code)
            .map(|d| d.file)
            .collect();
        for d in &outcome.diagnostics {
            let Some(fix) = &d.fix else { continue };
            if broken.contains(&d.file)
                || (fix.applicability == Applicability::Unsafe && !unsafe_fixes)
            {
                continue;
            }
            fixes.entry(d.file).or_default().push(fix.edits.clone());
        }
        let mut progressed = false;
        for (file, file_fixes) in fixes {
            let Some(source) = outcome.source(file) else {
                continue;
            };
            let path = outcome.files[file].path.clone();
            let done = apply(&source.text, file_fixes);
            if done.fixes == 0 || done.text == *source.text {
                continue;
            }
            originals
                .entry(path.clone())
                .or_insert_with(|| (source.text.to_string(), 0))
                .1 += done.fixes;
            steps.push(Step {
                path: path.clone(),
                before: source.text.to_string(),
                after: done.text.clone(),
                edits: done.edits,
            });
            request.overlay.insert(path, done.text);
            applied += done.fixes;
            progressed = true;
        }
        if !progressed {
            break;
        }
        outcome = run(request);
    }
    let changes = originals
        .into_iter()
        .filter_map(|(path, (before, fixes))| {
            let after = request.overlay.get(&path)?.clone();
            (after != before).then_some(Change {
                path,
                before,
                after,
                fixes,
            })
        })
        .collect();
    FixRun {
        outcome,
        changes,
        applied,
        steps,
    }
}

/// The result of applying one pass of fixes to a text.
pub struct Applied {
    pub text: String,
    /// The edits applied, sorted by position.
    pub edits: Vec<Edit>,
    /// How many fixes applied.
    pub fixes: usize,
}

/// Apply whole fixes (each a list of edits) in order of position: a fix applies
/// with all its edits or not at all, so half a fix never reaches the file. A fix
/// with an edit that overlaps one already taken, inserts at the same point as
/// another (whose order would be a guess), or falls outside the text waits for
/// the next pass, which recomputes it. A fix repeating edits already taken (two
/// findings proposing the same change) counts once.
pub fn apply(text: &str, mut fixes: Vec<Vec<Edit>>) -> Applied {
    fixes.sort_by_key(|f| f.iter().map(|e| (e.span.start, e.span.end)).min());
    let mut taken: Vec<Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        if fix.is_empty() || fix.iter().all(|e| taken.contains(e)) {
            continue;
        }
        let fits = fix.iter().enumerate().all(|(i, edit)| {
            let (start, end) = (edit.span.start, edit.span.end);
            end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
                && taken
                    .iter()
                    .chain(&fix[..i])
                    .all(|other| !clash(edit, other))
        });
        if fits {
            taken.extend(fix);
            count += 1;
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in &taken {
        out.push_str(&text[cursor..edit.span.start]);
        out.push_str(&edit.replacement);
        cursor = edit.span.end;
    }
    out.push_str(&text[cursor..]);
    Applied {
        text: out,
        edits: taken,
        fixes: count,
    }
}

/// Whether two edits cannot both apply: their ranges overlap, one inserts
/// strictly inside the other's range, or both insert at one point. An insertion
/// at either end of a replaced range is fine (it goes before or after it).
fn clash(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Why a fixed text was not written to its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotWritten {
    /// The file's text is no longer the one bplint read and fixed: someone
    /// edited it meanwhile, and writing would throw their edit away.
    ChangedOnDisk,
    /// No write permission in the file's mode (for everyone, or for its owner
    /// when bplint runs as the owner). Replacing the file through its writable
    /// folder would work, but it would overrule what the mode says, as editors
    /// refuse to do without being told.
    ReadOnly { mode: Option<u32> },
    /// The file belongs to another user, whom only root can give the new file
    /// back to: replacing it would make it bplint's user's.
    OwnedByAnother { owner: u32 },
    /// The file has other hard links, which a replaced file would leave
    /// holding the old text.
    HardLinked { links: u64 },
    /// Two names of one file (a link and its target, two links) were fixed to
    /// different texts, so neither can be written.
    Clash,
    /// An I/O error: what bplint was doing, and the error.
    Io { doing: &'static str, error: String },
}

/// Files whose fixed text was not written, and why. Two names of one file
/// share one record, as they share one fate.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The names the file was checked under, as given.
    pub paths: Vec<PathBuf>,
    /// The file they lead to, when one of them is a symbolic link: the file
    /// whose mode or owner the message is about.
    pub target: Option<PathBuf>,
    pub why: NotWritten,
}

/// What [`write`] did.
#[derive(Debug, Default)]
pub struct Written {
    /// Fixes written, each file counted once however many names it has.
    pub fixes: usize,
    /// Files written, each once.
    pub files: usize,
    pub skipped: Vec<Skipped>,
}

/// Write fixed files back. A change goes to the file its path resolves to, so
/// a symbolic link is written through and stays a link; two names of one file
/// are written once, and not at all when their fixed texts differ. Each file
/// is read again first and skipped if it changed since bplint read it, and
/// skipped when its mode makes it read-only, it belongs to another user (unless
/// bplint runs as root, which can give it back) or it has other hard links.
/// The write goes to a temporary file in the file's folder, given the file's
/// mode and owner, and renamed over it.
pub fn write(changes: &[Change]) -> Written {
    let mut done = Written::default();
    // (the file a change resolves to, its changes), in the order of the changes,
    // and where each file is in that list.
    let mut targets: Vec<(PathBuf, Vec<&Change>)> = Vec::new();
    let mut index: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    for change in changes {
        match std::fs::canonicalize(&change.path) {
            Ok(target) => match index.get(&target) {
                Some(&at) => targets[at].1.push(change),
                None => {
                    index.insert(target.clone(), targets.len());
                    targets.push((target, vec![change]));
                }
            },
            Err(e) => done.skipped.push(Skipped {
                paths: vec![change.path.clone()],
                target: None,
                why: NotWritten::Io {
                    doing: "find the file",
                    error: crate::discover::describe_io(&e),
                },
            }),
        }
    }
    for (target, names) in targets {
        let Some(&first) = names.first() else {
            continue;
        };
        let agree = names
            .iter()
            .all(|c| c.before == first.before && c.after == first.after);
        let result = if agree {
            write_one(&target, first)
        } else {
            Err(NotWritten::Clash)
        };
        match result {
            Ok(()) => {
                done.fixes += first.fixes;
                done.files += 1;
            }
            Err(why) => {
                let linked = names.iter().any(|c| {
                    std::fs::symlink_metadata(&c.path).is_ok_and(|m| m.file_type().is_symlink())
                });
                done.skipped.push(Skipped {
                    paths: names.iter().map(|c| c.path.clone()).collect(),
                    target: linked.then_some(target),
                    why,
                });
            }
        }
    }
    done
}

/// Write one change to `target` (its path resolved), or say why not.
fn write_one(target: &Path, change: &Change) -> Result<(), NotWritten> {
    use std::io::Write;
    let io = |doing| {
        move |e: std::io::Error| NotWritten::Io {
            doing,
            error: crate::discover::describe_io(&e),
        }
    };
    let now = std::fs::read(target).map_err(io("read it again"))?;
    if now != change.before.as_bytes() {
        return Err(NotWritten::ChangedOnDisk);
    }
    let meta = std::fs::metadata(target).map_err(io("read its permissions"))?;
    writable(&meta)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = crate::temporary::Temporary::new_in(dir, ".bplint-fix-", None)
        .map_err(io("create a temporary file beside it"))?;
    let Some(mut file) = temp.file() else {
        return Err(NotWritten::Io {
            doing: "create a temporary file beside it",
            error: "it is gone".into(),
        });
    };
    keep_owner(file, &meta)?;
    file.write_all(change.after.as_bytes())
        .map_err(io("write the fixed text"))?;
    // After the owner: changing the owner clears the set-user-ID and
    // set-group-ID bits, which the mode puts back.
    file.set_permissions(meta.permissions())
        .map_err(io("give the fixed file its mode"))?;
    file.sync_all().map_err(io("write the fixed text"))?;
    temp.persist(target).map_err(io("replace the file"))
}

/// Whether the file's mode and links let bplint replace it.
fn writable(meta: &std::fs::Metadata) -> Result<(), NotWritten> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The bits, not an open() that fails: root's open() ignores them.
        let mode = meta.mode() & 0o7777;
        if mode & 0o222 == 0 {
            return Err(NotWritten::ReadOnly { mode: Some(mode) });
        }
        if meta.nlink() > 1 {
            return Err(NotWritten::HardLinked {
                links: meta.nlink(),
            });
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(NotWritten::ReadOnly { mode: None });
    }
    Ok(())
}

/// Give the temporary file the owner and group of the file it replaces.
/// bplint's user is the temporary file's owner: root can give the file back to
/// anyone; another user keeps only files of their own (and their group, when
/// they belong to it: best effort). The file's write bit for its owner is
/// checked here too, since it applies when bplint runs as the owner.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> Result<(), NotWritten> {
    use std::os::unix::fs::MetadataExt;
    let io = |doing| {
        move |e: std::io::Error| NotWritten::Io {
            doing,
            error: crate::discover::describe_io(&e),
        }
    };
    let mine = file.metadata().map_err(io("read the temporary file"))?;
    let (uid, gid) = (meta.uid(), meta.gid());
    if mine.uid() == 0 {
        if (mine.uid(), mine.gid()) != (uid, gid) {
            std::os::unix::fs::fchown(file, Some(uid), Some(gid))
                .map_err(io("give the fixed file its owner"))?;
        }
        return Ok(());
    }
    if uid != mine.uid() {
        return Err(NotWritten::OwnedByAnother { owner: uid });
    }
    if meta.mode() & 0o200 == 0 {
        return Err(NotWritten::ReadOnly {
            mode: Some(meta.mode() & 0o7777),
        });
    }
    if gid != mine.gid() {
        // Not a group of this user's: the file gets the user's group, as a
        // file saved by an editor would.
        let _ = std::os::unix::fs::fchown(file, None, Some(gid));
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) -> Result<(), NotWritten> {
    Ok(())
}

/// A unified diff of one change, as `--diff` prints it.
pub fn unified_diff(change: &Change) -> String {
    let name = crate::source::display_path(&change.path);
    // `a/` + `/abs/path` would read `a//abs/path`; git's prefixes go before a
    // path without its root, so `patch -p1` applies every diff the same way.
    let name = name.trim_start_matches('/');
    similar::TextDiff::from_lines(&change.before, &change.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            span: Span::new(start, end),
            replacement: text.to_string(),
        }
    }

    fn applied(text: &str, fixes: Vec<Vec<Edit>>) -> (String, usize) {
        let done = apply(text, fixes);
        (done.text, done.fixes)
    }

    #[test]
    fn overlapping_edits_wait_for_the_next_pass() {
        let (out, n) = applied(
            "abcdef",
            vec![
                vec![edit(1, 3, "X")],
                vec![edit(2, 4, "Y")],
                vec![edit(5, 5, "!")],
            ],
        );
        assert_eq!((out.as_str(), n), ("aXde!f", 2));
    }

    #[test]
    fn two_insertions_at_one_point_are_not_both_applied() {
        let (out, n) = applied("ab", vec![vec![edit(1, 1, "X")], vec![edit(1, 1, "Y")]]);
        assert_eq!((out.as_str(), n), ("aXb", 1));
    }

    #[test]
    fn edits_outside_the_text_are_ignored() {
        let (out, n) = applied("ab", vec![vec![edit(1, 9, "X")]]);
        assert_eq!((out.as_str(), n), ("ab", 0));
    }

    #[test]
    fn a_fix_applies_whole_or_not_at_all() {
        // The second fix's last edit overlaps the first fix: none of it applies,
        // not even its edit at the end.
        let (out, n) = applied(
            "abcdef",
            vec![
                vec![edit(1, 3, "X")],
                vec![edit(6, 6, "!"), edit(2, 3, "Y")],
            ],
        );
        assert_eq!((out.as_str(), n), ("aXdef", 1));
    }

    #[test]
    fn an_insertion_inside_a_replaced_range_waits() {
        let (out, n) = applied("abcd", vec![vec![edit(1, 3, "X")], vec![edit(2, 2, "Y")]]);
        assert_eq!((out.as_str(), n), ("aXd", 1));
        let (out, n) = applied("abcd", vec![vec![edit(1, 3, "X")], vec![edit(3, 3, "Y")]]);
        assert_eq!((out.as_str(), n), ("aXYd", 2));
    }

    #[test]
    fn the_same_change_proposed_twice_counts_once() {
        let (out, n) = applied("ab", vec![vec![edit(1, 1, "X")], vec![edit(1, 1, "X")]]);
        assert_eq!((out.as_str(), n), ("aXb", 1));
    }
}
