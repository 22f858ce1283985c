//! `--output FILE`: the report goes to a file, written atomically.
//!
//! CI jobs upload the file as an artifact even when the check fails, and editors
//! or dashboards may read it while bplint runs; a temporary file in the same
//! folder renamed over the target means readers see the old report or the whole
//! new one, never half of it.

use std::io::Write;
use std::path::Path;

pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // A report is an ordinary file: readable as the umask allows, not the
    // owner-only mode temporary files get by default.
    let temp = crate::temporary::Temporary::new_in(dir, ".bplint-report-", Some(0o666))?;
    let mut file = temp
        .file()
        .ok_or_else(|| std::io::Error::other("the temporary file is gone"))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    temp.persist(path)
}
