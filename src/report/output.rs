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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".bplint-report-");
    // A report is an ordinary file: readable as the umask allows, not the
    // owner-only mode temporary files get by default.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
