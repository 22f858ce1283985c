//! Which OAuth source types give a new user a username, per release line:
//! recorded from each type's `get_base_user_properties` at the line's newest
//! release tag by scripts/extract-source-types.py into knowledge/source_types.tsv
//! (each row names the file it was read from). A line newer than the newest
//! recorded one borrows it, as the expression facts do.

use std::sync::LazyLock;

const TABLE: &str = include_str!("../../knowledge/source_types.tsv");

/// `[line, tag, provider type, yes/no/unknown]`, in the table's order (oldest
/// line first).
static ROWS: LazyLock<Vec<[&'static str; 4]>> = LazyLock::new(|| {
    TABLE
        .lines()
        .filter(|r| !r.starts_with('#'))
        .filter_map(|r| {
            let mut cols = r.split('\t');
            Some([cols.next()?, cols.next()?, cols.next()?, cols.next()?])
        })
        .collect()
});

/// Whether source type `provider_type` gives new users a username at release
/// line `line`, and the line whose code says so: `None` when it was not
/// recorded or the code does not say (the type passes on the provider's answer).
pub fn gives_username(line: &str, provider_type: &str) -> Option<(bool, &'static str)> {
    let rows = &*ROWS;
    let read = match rows.iter().find(|r| r[0] == line) {
        Some(row) => row[0],
        None => {
            // Newer than every recorded line: the newest stands in.
            let newest = rows.last()?[0];
            let newer = crate::knowledge::Knowledge::for_version(line)
                .ok()
                .zip(crate::knowledge::Knowledge::for_version(newest).ok())
                .is_some_and(|(judged, recorded)| judged.version > recorded.version);
            if !newer {
                return None;
            }
            newest
        }
    };
    let row = rows
        .iter()
        .find(|r| r[0] == read && r[2] == provider_type)?;
    match row[3] {
        "yes" => Some((true, read)),
        "no" => Some((false, read)),
        _ => None,
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_gives_no_username_and_github_does() {
        assert_eq!(
            gives_username("2025.10", "google"),
            Some((false, "2025.10"))
        );
        assert_eq!(gives_username("2025.10", "github"), Some((true, "2025.10")));
        assert_eq!(gives_username("2025.10", "no-such-type"), None);
    }

    #[test]
    fn a_newer_line_borrows_the_newest_recorded_and_an_unread_older_one_says_nothing() {
        assert_eq!(gives_username("2026.8", "google"), Some((false, "2026.2")));
        // Before 2024.8 the code named the method differently: not recorded as known.
        assert_eq!(gives_username("2024.2", "google"), None);
    }
}
