#!/usr/bin/env python3
"""Record and embed a catalog of OIDC client applications from Authentik's guides.

Authentik's integration guides (website/integrations/<category>/<app>/index.md[x] in
its repository) show, for each application, the settings that hold the client id
and the scopes it requests: environment variables, config file keys, Helm values.
bplint's client discovery (src/clients.rs) uses this catalog to recognise those
settings, to say which application a client is, and to know the scopes an
application requests when its configuration names none.

    # read the guides at a release tag and write knowledge/clients.json
    python3 scripts/gen-clients.py --record --authentik-repo /path/to/authentik.git
    # write src/knowledge/clients_generated.rs from knowledge/clients.json
    python3 scripts/gen-clients.py
    # exit 1 if the Rust table is stale (with --authentik-repo: the record too)
    python3 scripts/gen-clients.py --check [--authentik-repo ...]

Each entry records the guide it came from. Only settings written in the guides'
code blocks count (`KEY=value`, `key: value`, `key = value`, `"key": value`,
`'key' => value`); settings the guides only describe in prose or as fields of the
application's web interface cannot be found in files and are left out. The output
is deterministic.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "knowledge" / "clients.json"
OUTPUT = ROOT / "src" / "knowledge" / "clients_generated.rs"
GUIDES = "website/integrations"
TAG = "version/2026.2.2"

# Scope names an OIDC client may ask Authentik for: the standard ones and
# Authentik's own (`goauthentik.io/api`, `ak_proxy`), plus the words apps use for
# groups and roles. A value of other words is not a scope list.
SCOPE_WORD = re.compile(r"^(openid|email|profile|offline_access|groups|group|roles|address|phone|"
                        r"entitlements|ak_proxy|goauthentik\.io/api|minio|vault|[a-z_]+:[a-z_.:]+)$")

LINE = re.compile(
    r"""^\s*(?:export\s+|-\s+)?(?P<q>["']?)(?P<key>[A-Za-z_][A-Za-z0-9_.\-\[\]]*)(?P=q)\s*"""
    r"""(?P<sep>=>|=|:)\s*(?P<value>.*?)\s*,?\s*\\?$""")
PHP_ARRAY = re.compile(r"""^(\s*)\$\w+\[(['"])(\w+)\2\]\s*=\s*(.*)$""")
CLIENT_ID_PLACEHOLDER = re.compile(r"client[\s_-]*id", re.I)
GENERIC_KEYS = {"key", "id", "name", "value"}


def normalize(key: str) -> str:
    """As src/clients.rs compares keys: lower case, letters and digits only."""
    return "".join(c.lower() for c in key if c.isalnum())


def front_matter(text: str) -> dict[str, str]:
    out = {}
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if m:
        for line in m.group(1).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip()] = v.strip().strip("\"'")
    return out


def app_name(text: str, slug: str) -> str:
    fm = front_matter(text)
    if fm.get("sidebar_label"):
        return fm["sidebar_label"]
    title = fm.get("title", "")
    return re.sub(r"^Integrate with\s+", "", title) or slug


def code_blocks(text: str):
    """(language, first line number, lines) of every fenced code block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^\s*(```+|~~~+)\s*([A-Za-z0-9_+-]*)", lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].strip().startswith(fence[:3]):
            j += 1
        yield lang, start + 1, lines[start:j]
        i = j + 1


def line_format(lang: str, sep: str, quoted: bool, line: str) -> str:
    """The file format a setting line belongs to."""
    if sep == "=>":
        return "php"
    if lang in ("json", "jsonc", "json5") or (quoted and sep == ":"):
        return "json"
    if lang in ("toml",):
        return "toml"
    if lang in ("ini", "cfg", "conf", "properties"):
        return "ini"
    if lang in ("python", "py"):
        return "python"
    if sep == "=":
        key_part = line.split("=", 1)[0]
        if lang in ("env", "dotenv", "shell", "sh", "bash", "text", "") and not key_part.endswith(" "):
            return "env"
        return "ini" if lang not in ("yaml", "yml") else "env"
    return "yaml"


def scope_list(value: str) -> list[str]:
    words = [w.strip("\"'[]") for w in re.split(r"[\s,+]+", value)]
    words = [w for w in words if w]
    if words and all(SCOPE_WORD.match(w) for w in words):
        return words
    return []


def settings_of(text: str) -> tuple[list[dict], list[dict], list[str]]:
    """Client id settings, scope settings and the scopes of one guide."""
    ids, scopes, words = [], [], []
    for lang, first, lines in code_blocks(text):
        stack: list[tuple[int, str]] = []  # (indent, key) of YAML parents
        for offset, line in enumerate(lines):
            # PHP arrays: `$config['oauth_client_id'] = '...';`
            php = PHP_ARRAY.match(line)
            if php:
                line = f"{php.group(1)}{php.group(3)} => {php.group(4).rstrip(';')}"
            m = LINE.match(line)
            if not m:
                continue
            key, sep, value = m.group("key"), m.group("sep"), m.group("value")
            indent = len(line) - len(line.lstrip())
            while stack and stack[-1][0] >= indent:
                stack.pop()
            fmt = line_format(lang, sep, bool(m.group("q")), line)
            path = [k for _, k in stack] if fmt == "yaml" else []
            if sep == ":" and value in ("", "|", "|-", ">"):
                stack.append((indent, key))
                continue
            value = value.strip().strip(",").strip("\"'`")
            norm = normalize(key)
            setting = {"key": key, "path": path, "format": fmt, "line": first + offset}
            if "secret" in norm or "url" in norm or "audience" in norm:
                continue
            if norm.endswith("clientid") or (norm not in GENERIC_KEYS and len(norm) > 3
                                             and CLIENT_ID_PLACEHOLDER.search(value)
                                             and not CLIENT_ID_PLACEHOLDER.search(key.replace("_", " "))
                                             and re.search(r"(id|key|identifier)$", norm)):
                ids.append(setting)
            elif "scope" in norm:
                found = scope_list(value)
                if found:
                    scopes.append(setting)
                    words += [w for w in found if w not in words]
    return ids, scopes, words


def unique(settings: list[dict]) -> list[dict]:
    out, seen = [], set()
    for s in settings:
        k = (s["key"], tuple(s["path"]), s["format"])
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out


def entry_of(path: str, text: str) -> dict | None:
    slug = path.split("/")[-2]
    ids, scopes, words = settings_of(text)
    if not ids:
        return None
    return {
        "app": app_name(text, slug),
        "slug": slug,
        "guide": path,
        "client_id": unique(ids),
        "scope": unique(scopes),
        "formats": sorted({s["format"] for s in ids + scopes}),
        "scopes": words,
    }


def record(git_dir: str, tag: str = TAG) -> dict:
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", tag, "--", GUIDES],
                             check=True, capture_output=True, text=True).stdout.split()
    guides = sorted(p for p in listing if re.search(r"/index\.mdx?$", p))
    entries = []
    for path in guides:
        text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{tag}:{path}"],
                              check=True, capture_output=True).stdout.decode("utf-8", "replace")
        entry = entry_of(path, text)
        if entry:
            entries.append(entry)
    return {
        "about": "OIDC client settings from Authentik's integration guides, read by scripts/gen-clients.py.",
        "tag": tag,
        "guides": len(guides),
        "entries": entries,
    }


def rust_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def rust_list(items) -> str:
    return "&[" + ", ".join(rust_str(i) for i in items) + "]"


def setting_key(s: dict) -> str:
    return ".".join(s["path"] + [s["key"]])


def render(rec: dict) -> str:
    out = ["// @generated by scripts/gen-clients.py from knowledge/clients.json — do not edit",
           "use super::clients::AppDef;", "",
           f"// Authentik's integration guides at {rec['tag']}: {rec['guides']} guides, "
           f"{len(rec['entries'])} with a client id setting in a code block.",
           f"pub const TAG: &str = {rust_str(rec['tag'])};", "",
           "pub static APPS: &[AppDef] = &["]
    for e in rec["entries"]:
        out.append(
            f"    AppDef {{ name: {rust_str(e['app'])}, slug: {rust_str(e['slug'])}, guide: {rust_str(e['guide'])}, "
            f"client_id_keys: {rust_list(dict.fromkeys(setting_key(s) for s in e['client_id']))}, "
            f"scope_keys: {rust_list(dict.fromkeys(setting_key(s) for s in e['scope']))}, "
            f"formats: {rust_list(e['formats'])}, scopes: {rust_list(e['scopes'])} }},")
    out += ["];", ""]
    return "\n".join(out)


def dump(rec: dict) -> str:
    return json.dumps(rec, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authentik-repo", metavar="GIT_DIR", help="Authentik's git repository with its release tags")
    ap.add_argument("--tag", default=TAG, help=f"release tag whose guides are read (default {TAG})")
    ap.add_argument("--record", action="store_true", help="read the guides and rewrite knowledge/clients.json")
    ap.add_argument("--check", action="store_true", help="exit 1 if an output is not up to date")
    args = ap.parse_args()
    if args.record or (args.check and args.authentik_repo):
        if not args.authentik_repo:
            ap.error("--record needs --authentik-repo")
        rec = record(args.authentik_repo, args.tag)
        if args.check:
            if RECORD.read_text(encoding="utf-8") != dump(rec):
                print(f"{RECORD} differs from the guides; run with --record", file=sys.stderr)
                return 1
        else:
            RECORD.write_text(dump(rec), encoding="utf-8")
    rec = json.loads(RECORD.read_text(encoding="utf-8"))
    text = render(rec)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale; run python3 scripts/gen-clients.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{len(rec['entries'])} applications from {rec['guides']} guides -> {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
