//! Temporary files that a write fills and then renames over its target, so a
//! reader sees the old file or the whole new one, never half of it.
//!
//! A run stopped by Ctrl-C or a kill would leave such a file behind in the
//! user's folder (where `git add -A` picks it up), so every one is tracked from
//! the moment it exists until it is renamed or deleted. [`remove_all`] deletes
//! the tracked ones and lets no new one be created; the command layer calls it
//! from its signal handler just before exiting. The library installs no handler
//! of its own: whether a signal ends the process is the command's decision.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The temporary files on disk now. Creating one and recording it happen under
/// this lock, so [`remove_all`] never misses one that exists.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set by [`remove_all`]: the process is about to exit, so no new temporary
/// file may appear after the live ones are removed.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while holding the lock leaves the list as valid as
    // before: it is only pushed to and filtered.
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary file, deleted when dropped unless [`Temporary::persist`] renamed
/// it over its target.
pub struct Temporary {
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Temporary {
    /// A new, empty temporary file in `dir`, named `prefix` and random
    /// characters. `mode` (on Unix) sets its permissions at creation; without
    /// it the file is readable by its owner alone, as temporary files are.
    pub fn new_in(dir: &Path, prefix: &str, mode: Option<u32>) -> io::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut live = live();
        if STOPPING.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "bplint is stopping",
            ));
        }
        let file = builder.tempfile_in(dir)?;
        let path = file.path().to_path_buf();
        live.push(path.clone());
        Ok(Temporary {
            file: Some(file),
            path,
        })
    }

    pub fn file(&self) -> Option<&File> {
        self.file.as_ref().map(tempfile::NamedTempFile::as_file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rename the file over `target`, replacing it in one step.
    pub fn persist(mut self, target: &Path) -> io::Result<()> {
        match self.file.take() {
            Some(file) => file.persist(target).map(drop).map_err(|e| e.error),
            None => Err(io::Error::other("the temporary file is gone")),
        }
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // Deletes the file unless it was persisted; only then is it forgotten,
        // so it is never on disk untracked.
        drop(self.file.take());
        live().retain(|p| *p != self.path);
    }
}

/// Delete every temporary file on disk and refuse new ones from now on. The
/// returned guard holds the list locked: keep it until the process exits, so no
/// other thread gets between the cleanup and the exit.
pub fn remove_all() -> MutexGuard<'static, Vec<PathBuf>> {
    STOPPING.store(true, Ordering::SeqCst);
    let mut live = live();
    for path in live.drain(..) {
        // Gone already when its rename won the race: nothing left to remove.
        let _ = std::fs::remove_file(&path);
    }
    live
}
