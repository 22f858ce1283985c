//! `bplint init`: a commented starter `bplint.toml` in the current folder, so a new
//! user starts from the keys that exist, set to the release the repository pins,
//! instead of retyping the README.

use crate::config::{Config, FILE_NAME};
use crate::detect;
use crate::knowledge::{Knowledge, all_versions};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    let release = detected_release(&dir);
    if let Err(e) = file.write_all(template(release.as_ref()).as_bytes()) {
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
    match &release {
        Some(release) => println!(
            "Wrote {FILE_NAME} for Authentik {}, the release {} pins.",
            release.version, release.pinned_at
        ),
        None => println!(
            "Wrote {FILE_NAME}. No release pin found in this repository, so `authentik_version` \
             is left commented out: bplint judges by the newest release it knows ({}) until \
             you set it or a pin appears.",
            Knowledge::newest().version
        ),
    }
    crate::EXIT_OK
}

/// A release the repository pins, for `authentik_version`.
struct Detected {
    /// As bplint.toml takes it: the pin's release, `v` and build suffix dropped.
    version: String,
    /// `deploy/helmrelease.yaml:12`, relative to the folder bplint.toml goes in.
    pinned_at: String,
    /// Another pin naming another release, shown the same way, with its release.
    disagreeing: Option<(String, String)>,
}

/// What release detection finds for a run from `dir`, when bplint accepts it
/// as a release (a pin it would ignore is not written either).
fn detected_release(dir: &Path) -> Option<Detected> {
    let found = detect::detect(&[PathBuf::from(".")], dir)?;
    Knowledge::for_version(&found.chosen.version).ok()?;
    let at = |pin: &detect::Pin| {
        let path = pin.path.strip_prefix(dir).unwrap_or(&pin.path);
        format!("{}:{}", crate::source::display_path(path), pin.line)
    };
    Some(Detected {
        version: found.chosen.version.clone(),
        pinned_at: at(&found.chosen),
        disagreeing: found
            .disagreeing
            .as_ref()
            .map(|other| (other.version.clone(), at(other))),
    })
}

/// The starter file: every key of `bplint.toml`, the optional ones as examples.
/// Examples are commented with a bare `#` so removing it is all it takes to use one.
/// `authentik_version` is set to the release the repository pins, saying where
/// from; without a pin it is an example too, so detection and the default apply.
fn template(release: Option<&Detected>) -> String {
    let newest = Knowledge::newest().def.name;
    let releases: Vec<&str> = all_versions().iter().map(|v| v.name).collect();
    let comment = |text: &str| {
        textwrap::fill(
            text,
            textwrap::Options::new(80)
                .initial_indent("# ")
                .subsequent_indent("# ")
                // A path is never cut in two.
                .break_words(false)
                .word_splitter(textwrap::WordSplitter::NoHyphenation),
        )
    };
    let version_help = comment(&format!(
        "The Authentik release your blueprints are applied to, one of {} (a bare \
         minor means its newest patch). `--authentik-version` on the command line wins.",
        releases.join(", ")
    ));
    let version = match release {
        Some(release) => {
            let mut why = format!(
                "Detected from {}, the pin a `bplint check` run here judges by. While this \
                 key is set, bplint judges by it and no longer reads the pin: delete the \
                 line to follow the pin when it is bumped.",
                release.pinned_at
            );
            if let Some((other, at)) = &release.disagreeing {
                why.push_str(&format!(" The repository also pins {other} ({at})."));
            }
            format!(
                "{}\nauthentik_version = \"{}\"",
                comment(&why),
                release.version
            )
        }
        None => format!(
            "{}\n#authentik_version = \"{newest}\"",
            comment(
                "No release pin was found when this file was written, so the key is left \
                 out: bplint takes the release from a pin (Helm chart, image tag, `.env`) \
                 when one appears, else judges by the newest release it knows."
            )
        ),
    };
    format!(
        r#"# bplint configuration. bplint reads the nearest bplint.toml from the current
# folder upwards (or the file given with --config). Every key is optional and an
# unknown key is an error. Lines starting with a bare `#` are examples: remove the
# `#` to use one. README.md's Configuration section documents the same keys.

{version_help}
{version}

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

# OIDC clients that use your providers, for BP102 (offline-access-unmapped) and
# BP122 (client-scope-unmapped): `provider` is the provider's `name` attribute or
# its entry `id`; `scopes` a list or a space-separated string. One [[clients]]
# block per client.
#[[clients]]
#name = "nextcloud-desktop"
#provider = "nextcloud"
#scopes = "openid profile offline_access"

# Objects that exist only in the database, so a `!Find` of them is not BP205:
# `model` plus the fields the `!Find` looks them up by.
#[[assume_exists]]
#model = "authentik_flows.flow"
#slug = "legacy-login"

# Authentik instances the repository's files do not show (Flux Kustomizations,
# Argo CD Applications and compose volumes onto /blueprints are found by
# themselves): the blueprint files and folders each applies, relative to this
# file's folder, and optionally its release. Each instance is checked as a
# blueprint set of its own; `bplint instances` lists what was found.
#[[instances]]
#name = "lab"
#paths = ["lab/blueprints"]
#authentik_version = "2025.10"

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
