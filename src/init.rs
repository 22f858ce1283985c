//! `bplint init`: a commented starter `bplint.toml` in the current folder, so a new
//! user starts from the keys that exist, pinned to a release, instead of retyping
//! the README.

use crate::config::{Config, FILE_NAME};
use crate::knowledge::{Knowledge, all_versions};
use std::io::Write;

/// Writes the starter file; never replaces one, since it may hold the user's clients
/// and rule levels (delete it first to start over).
pub fn run() -> u8 {
    let dir = match std::env::current_dir() {
        Ok(dir) => dir,
        Err(e) => return crate::fail(&format!("cannot read the current folder: {e}")),
    };
    let path = dir.join(FILE_NAME);
    let opened = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return crate::fail(&format!(
                "{} already exists; bplint init does not replace it (delete it to start over)",
                path.display()
            ));
        }
        Err(e) => return crate::fail(&format!("cannot write {}: {e}", path.display())),
    };
    if let Err(e) = file.write_all(template().as_bytes()) {
        drop(file);
        // Half a file would make the next `bplint init` refuse.
        let _ = std::fs::remove_file(&path);
        return crate::fail(&format!("cannot write {}: {e}", path.display()));
    }
    // A file further up applied here until now; say that this one replaces it.
    if let Some(shadowed) = dir.parent().and_then(Config::discover) {
        eprintln!(
            "bplint: note: runs from this folder now read {FILE_NAME} here instead of {}",
            shadowed.display()
        );
    }
    println!(
        "Wrote {FILE_NAME} for Authentik {}: set `authentik_version` to the release you run.",
        Knowledge::newest().def.name
    );
    crate::EXIT_OK
}

/// The starter file: every key of `bplint.toml`, the optional ones as examples.
/// Examples are commented with a bare `#` so removing it is all it takes to use one.
fn template() -> String {
    let newest = Knowledge::newest().def.name;
    let releases: Vec<&str> = all_versions().iter().map(|v| v.name).collect();
    let version_help = textwrap::fill(
        &format!(
            "The Authentik release your blueprints are applied to, one of {}. \
             `--authentik-version` on the command line wins.",
            releases.join(", ")
        ),
        textwrap::Options::new(80)
            .initial_indent("# ")
            .subsequent_indent("# "),
    );
    format!(
        r#"# bplint configuration. bplint reads the nearest bplint.toml from the current
# folder upwards (or the file given with --config). Every key is optional and an
# unknown key is an error. Lines starting with a bare `#` are examples: remove the
# `#` to use one. README.md's Configuration section documents the same keys.

{version_help}
authentik_version = "{newest}"

# Findings recorded with `bplint check --write-baseline FILE`: only findings not
# in it are reported (`--baseline` on the command line wins). Relative to this
# file's folder.
#baseline = "bplint-baseline.json"

# Which rules run: codes (BP101), prefixes (BP1 = every BP1xx rule), names, ALL.
# The command line's --select, --extend-select and --ignore apply after these.
# BP001 (the file does not parse) is reported whatever they say.
#select = ["ALL"]
#extend-select = []
#ignore = ["BP008"]

# Paths the folder walk skips, as globs relative to this file's folder (files
# named on the command line are still checked).
#exclude = ["vendor/**"]

# Per-rule level: "error", "warning" or "off"; rule codes or names.
# `bplint rules` lists every rule with its default level.
#[rules]
#BP103 = "error"
#undiscoverable-file = "off"

# Rules switched off for some files (globs relative to this file's folder).
#[per-file-ignores]
#"legacy/**" = ["unknown-field", "BP103"]

# OIDC clients that use your providers, for BP102 (offline-access-unmapped):
# `provider` is the provider's `name` attribute or its entry `id`; `scopes` a
# list or a space-separated string. One [[clients]] block per client.
#[[clients]]
#name = "nextcloud-desktop"
#provider = "nextcloud"
#scopes = "openid profile offline_access"

# Objects that exist only in the database, so a `!Find` of them is not BP205:
# `model` plus the fields the `!Find` looks them up by.
#[[assume_exists]]
#model = "authentik_flows.flow"
#slug = "legacy-login"

# What bplint reads besides the checked blueprints. `clients`: OIDC client
# configuration next to them (oauth2-proxy, Grafana, ...). `context`: when some
# files of a repository are checked, the repository's other blueprints, so
# `!Find` and the cross-file rules judge them as a run over the whole repository
# would (the repository is this file's folder, else the git work tree); false is
# what `--isolated` does.
#[discovery]
#clients = true
#context = true

# Without `authentik_version`, bplint takes the release from the pins in the
# repository (Helm chart versions, image tags, `.env`); false judges by the
# newest release bplint knows instead.
#[detect]
#version = true
"#
    )
}
