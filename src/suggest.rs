//! "Did you mean" suggestions.

/// The lowest Jaro-Winkler similarity a suggestion may have.
const THRESHOLD: f64 = 0.8;

/// The candidate nearest to `word`, if it is close enough to be a plausible typo
/// (Jaro-Winkler similarity of at least 0.8, or a differing plural `s`).
///
/// Set rules ask this with every value of a model in the set as candidates, so a
/// candidate that cannot reach the threshold, or beat the best so far, is skipped
/// on its length alone (see [`upper_bound`]); that never changes the answer.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let word_len = lower.chars().count();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let floor = best.map_or(THRESHOLD, |(s, _)| s.max(THRESHOLD));
        if upper_bound(word_len, candidate.chars().count()) < floor {
            continue;
        }
        let score = if candidate.bytes().any(|b| b.is_ascii_uppercase()) {
            jaro_winkler(&lower, &candidate.to_ascii_lowercase())
        } else {
            jaro_winkler(&lower, candidate)
        };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= THRESHOLD)
        .map(|(_, c)| c)
}

/// The highest Jaro-Winkler similarity two strings of these lengths (in
/// characters) can have: every character of the shorter one matching, no
/// transposition, and the full four-character prefix bonus. A hair of slack
/// covers rounding.
fn upper_bound(a: usize, b: usize) -> f64 {
    if a == 0 || b == 0 {
        return 1.0;
    }
    let m = a.min(b) as f64;
    let jaro = (m / a as f64 + m / b as f64 + 1.0) / 3.0;
    jaro + 0.4 * (1.0 - jaro) + 1e-9
}

/// strsim's Jaro-Winkler, with the same arithmetic (so the same scores, bit for
/// bit) but on bytes for ASCII text: strsim compares every pair of characters
/// while Jaro only needs those within its match window.
fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags = vec![false; a.len()];
    let mut b_flags = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = b.len().min(i + range + 1);
        for j in lo..hi {
            if x == b[j] && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut matched_b = b.iter().zip(&b_flags).filter(|(_, f)| **f).map(|(c, _)| c);
    for (x, _) in a.iter().zip(&a_flags).filter(|(_, f)| **f) {
        if matched_b.next().is_some_and(|y| y != x) {
            transpositions += 1;
        }
    }
    transpositions /= 2;
    let m = matches as f64;
    let sim =
        (m / a.len() as f64 + m / b.len() as f64 + (matches - transpositions) as f64 / m) / 3.0;
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_plural_typo() {
        let models = [
            "authentik_providers_oauth2.oauth2provider",
            "authentik_providers_proxy.proxyprovider",
        ];
        assert_eq!(
            closest("authentik_providers_oauth2.oauth2providers", models),
            Some("authentik_providers_oauth2.oauth2provider")
        );
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(closest("zzz", ["authentik_flows.flow"]), None);
    }

    #[test]
    fn keeps_the_first_of_equally_close_candidates() {
        assert_eq!(closest("flwo", ["flow", "flow", "flows"]), Some("flow"));
        assert_eq!(closest("slgu", ["slug", "slog"]), Some("slug"));
    }

    #[test]
    fn skips_the_word_itself_and_compares_case_insensitively() {
        assert_eq!(closest("Flow", ["Flow", "FLOWS"]), Some("FLOWS"));
    }

    /// The byte version must give strsim's scores exactly, or suggestions change.
    #[test]
    fn scores_match_strsim_bit_for_bit() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "flow",
            "flows",
            "wolf",
            "slug",
            "name",
            "authentik_flows.flow",
            "authentik_flows.flowstagebinding",
            "authentik_providers_oauth2.oauth2provider",
            "authentik_providers_oauth2.scopemapping",
            "authentik_core.provider",
            "default-authentication-flow",
            "default-authentication-flow-c3g17",
            "default-invalidation-flow",
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "jellyfish",
            "smellyfish",
            "aaaaaaaaaaaaaaaaaaaab",
            "baaaaaaaaaaaaaaaaaaaa",
            "ünïcode",
            "unicode",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    jaro_winkler(a, b).to_bits(),
                    strsim::jaro_winkler(a, b).to_bits(),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn the_length_bound_is_never_below_a_real_score() {
        let words = [
            "a",
            "ab",
            "flow",
            "flows",
            "slug",
            "authentik_flows.flow",
            "authentik_core.provider",
            "default-authentication-flow",
            "default-authentication-flow-c3g17",
        ];
        for a in words {
            for b in words {
                assert!(upper_bound(a.len(), b.len()) >= strsim::jaro_winkler(a, b));
            }
        }
    }
}
