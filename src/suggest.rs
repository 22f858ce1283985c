//! "Did you mean" suggestions.

/// The candidate nearest to `word`, if it is close enough to be a plausible typo
/// (Jaro-Winkler similarity of at least 0.8, or a differing plural `s`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let score = strsim::jaro_winkler(&lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
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
}
