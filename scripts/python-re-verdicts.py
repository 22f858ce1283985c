#!/usr/bin/env python3
"""Record Python's own verdicts on regular expressions for tests/data/python_re.tsv.

The rows hold the patterns src/resolve/pyre_syntax.rs is tested against: patterns
redirect URIs use, each structural mistake it knows, and near misses. For each,
Python's `re.compile` decides: `ok`, `error` (a refusal of a kind the scanner
models) or `other` (refused for another reason). Run it with the Python Authentik
runs on (3.13 for 2025.12):

    python3.13 scripts/python-re-verdicts.py > tests/data/python_re.tsv
"""

import itertools
import re
import sys

KINDS = (
    "nothing to repeat",
    "multiple repeat",
    "missing ), unterminated subpattern",
    "unbalanced parenthesis",
    "unterminated character set",
    "bad escape",
    "bad character range",
    "min repeat greater than max repeat",
)

BASE = [
    r"https://wiki\.example\.com/.*",
    r"https://.*\.example\.com/callback",
    r"^https://(grafana|wiki)\.example\.com/login/generic_oauth$",
    r"https://[a-z0-9-]+\.example\.com/oauth2/callback",
    r"http://localhost:\d+/.*",
    r"https://app\.example\.com/(?:en|de)/auth",
    r"https://(?P<tenant>[^.]+)\.example\.com/cb",
    r"https://example\.com/cb\?state=\w{8,}",
    r"https://example\.com/{id}/cb",
    r"https://example\.com/a{,3}",
    r"https://example\.com/a{2}b{1,}",
    r"[]a]",
    r"[^]a]",
    r"[a\]]",
    r"[\w.-]+",
    r"[a-]",
    r"[-a]",
    r"\$\{HOST\}",
    r"(?i)HTTPS://EXAMPLE\.COM",
    r"a*?b+?c??",
    r"a*+b++",
    r"(?>abc)",
    r"(?=a)b",
    r"(?<!x)y",
    r"(a)(?P=x)?",
    r"\d\D\w\W\s\S\b\B\A\Z",
    r"\x41\u0041\N{LATIN SMALL LETTER A}",
    r"\1(a)",
    "\t",
    # mistakes
    r"*.example.com",
    r"https://*.example.com",
    r"https://(*.)example\.com",
    r"https://example\.com/|*",
    r"a**",
    r"a+*",
    r"a{2}*",
    r"a*{2}",
    r"^*",
    r"\b+",
    r"(abc",
    r"abc)",
    r"https://(a|b\.example\.com",
    r"[abc",
    r"https://example\.com/[a-z",
    r"\q",
    r"\e",
    r"[\q]",
    r"[z-a]",
    r"a{3,1}",
    "abc\\",
    r"(?P<1>a)",
    r"(?<=a+)b",
    r"a{1,2}{3}",
    r"(?:",
    r"((a)",
    r"[[:alpha:]]",
    r"x{1000000000}",
]


def verdict(pattern):
    try:
        re.compile(pattern)
    except re.error as exc:
        return "error" if any(exc.msg.startswith(k) for k in KINDS) else "other"
    except (OverflowError, RecursionError):
        return "other"
    return "ok"


def mutations():
    """Small patterns over an alphabet of the tokens that matter, all of length 3."""
    tokens = ["a", "*", "+", "?", "(", ")", "[", "]", "|", "{2}", "\\d", "\\q", "^", "-"]
    for combo in itertools.product(tokens, repeat=3):
        yield "".join(combo)


def main():
    seen = set()
    print(f"# Python {sys.version.split()[0]}'s re.compile verdicts (scripts/python-re-verdicts.py).")
    print("# verdict\tpattern (a tab written \\t)")
    for pattern in itertools.chain(BASE, mutations()):
        if pattern in seen:
            continue
        seen.add(pattern)
        print(f"{verdict(pattern)}\t{pattern.replace(chr(9), '\\t')}")


main()
