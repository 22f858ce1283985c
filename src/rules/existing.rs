//! Whether the object an entry names exists before the entry runs, for the rules
//! about `state: created` and `must_created` (BP221, BP222).

use super::SetCx;
use crate::diagnostic::FileId;
use crate::model::State;
use crate::resolve::{EntryFacts, ObjId};

/// Every unconditional entry with `state` whose object exists before it runs,
/// with its file and a description of that object (see [`existing_object`]).
pub fn entries_on_existing<'c>(
    cx: &'c SetCx<'_>,
    state: State,
) -> impl Iterator<Item = (FileId, &'c EntryFacts, String)> + 'c {
    let judged = cx
        .blueprints
        .iter()
        .enumerate()
        .filter(|(b, _)| cx.judges(*b));
    judged.flat_map(move |(b, bp)| {
        bp.entries
            .iter()
            .filter(move |e| e.state == state && !e.conditional)
            .filter_map(move |e| Some((bp.file, e, existing_object(cx, b, e)?)))
    })
}

/// A description of the object that exists when the entry runs: a built-in of
/// the release, or one an earlier entry of the same blueprint defines. Entries of
/// other blueprints do not count: the worker applies blueprints in no set order.
fn existing_object(cx: &SetCx<'_>, b: usize, entry: &EntryFacts) -> Option<String> {
    match cx.index.object_of_entry(b, entry)? {
        // The shipped blueprint that makes the built-in is in the set (Authentik's
        // own tree, checked as shipped): it is one more blueprint without an
        // order, not an object that exists first.
        ObjId::Builtin(builtin)
            if cx
                .blueprints
                .iter()
                .any(|bp| bp.path.ends_with(builtin.source)) =>
        {
            None
        }
        ObjId::Builtin(builtin) => Some(format!(
            "the built-in {} ({})",
            builtin.describe(),
            builtin.source
        )),
        ObjId::Entry { bp, entry: e } if bp == b && e < entry.index => Some(format!(
            "the object entry {} of this blueprint defines",
            e + 1
        )),
        _ => None,
    }
}
