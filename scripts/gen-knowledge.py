#!/usr/bin/env python3
"""Generate bplint's embedded knowledge base: src/knowledge/generated.rs.

Reads, per Authentik minor release line (`2026.2`, ...):
  * the OpenAPI spec published in the npm package @goauthentik/api (`package/schema.yml`),
    fetched with `npm pack` into a cache directory (default: .cache/openapi, git-ignored);
  * the blueprint JSON schemas kept in the shared reference folder
    (`<shared>/authentik/**/schema*.json`, title "authentik X.Y.Z Blueprint schema");
  * `<shared>/authentik/catalog.json` for the built-in objects.
See docs/knowledge.md for the approximations made and how to refresh the data.

Usage:
  python3 scripts/gen-knowledge.py --shared ../shared --cache .cache/openapi
  python3 scripts/gen-knowledge.py --offline      # use cached specs only, no npm calls
Needs Python 3.11+ and PyYAML (the C loader is used when available).
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NPM_PACKAGE = "@goauthentik/api"
# Oldest release line worth embedding (older Authentik releases are out of support).
MIN_MINOR = (2024, 8)

PBM = "authentik_policies.policybindingmodel"
PROVIDER = "authentik_core.provider"
SOURCE = "authentik_core.source"
STAGE = "authentik_flows.stage"
POLICY = "authentik_policies.policy"
PROPERTY_MAPPING = "authentik_core.propertymapping"
SERVICE_CONNECTION = "authentik_outposts.outpostserviceconnection"

# Models whose request schema is not `<model name>Request` (case-insensitive). Models
# not listed here and without a request schema fall back to their response schema
# (read-only properties dropped, `required` unknown).
REQUEST_SCHEMA_ALIASES = {
    # AgentDeviceUserBinding(DeviceUserBinding) has no API of its own; the binding
    # serializer is the endpoints one.
    "authentik_endpoints_connectors_agent.agentdeviceuserbinding": "DeviceUserBindingRequest",
}

# Django multi-table parents that name patterns cannot derive (nearest first).
# Checked against Authentik's models.py files.
EXPLICIT_PARENTS = {
    # ProxyProvider(OutpostModel, OAuth2Provider): a `!Find` on oauth2provider matches it
    "authentik_providers_proxy.proxyprovider": ["authentik_providers_oauth2.oauth2provider", PROVIDER],
    # WSFederationProvider(SAMLProvider)
    "authentik_providers_ws_federation.wsfederationprovider": [
        "authentik_providers_saml.samlprovider", PROVIDER],
    "authentik_endpoints.deviceuserbinding": ["authentik_policies.policybinding"],
    "authentik_endpoints_connectors_agent.agentdeviceuserbinding": [
        "authentik_endpoints.deviceuserbinding", "authentik_policies.policybinding"],
    "authentik_outposts.dockerserviceconnection": [SERVICE_CONNECTION],
    "authentik_outposts.kubernetesserviceconnection": [SERVICE_CONNECTION],
    # PolicyBindingModel subclasses: policies can be bound to these.
    "authentik_flows.flow": [PBM],
    "authentik_flows.flowstagebinding": [PBM],
    "authentik_core.application": [PBM],
    "authentik_core.applicationentitlement": [PBM],
    "authentik_providers_rac.endpoint": [PBM],
    "authentik_events.notificationrule": [PBM],
    "authentik_requests.requestrule": [PBM],
    "authentik_requests.requestrulebinding": [PBM],
}

# Fields the importer accepts although the REST API does not list them
# (website/developer-docs/blueprints/v1/models.md). Added wherever the model exists
# and the field is missing; marked blueprint_only wherever they are not in the
# release's OpenAPI request schema.
# field -> (type, nullable, first minor or None for every release with the model)
STR = ("str", "Plain")
BLUEPRINT_ONLY = {
    "authentik_core.token": {"key": (STR, False, None)},
    "authentik_core.user": {"password": (STR, True, None), "permissions": (("array", STR), False, None)},
    "authentik_rbac.role": {"permissions": (("array", STR), False, None)},
    "authentik_core.application": {"icon": (STR, False, None)},
    "authentik_sources_oauth.oauthsource": {"icon": (STR, False, None)},
    "authentik_sources_saml.samlsource": {"icon": (STR, False, None)},
    "authentik_sources_plex.plexsource": {"icon": (STR, False, None)},
    "authentik_flows.flow": {"background": (STR, False, None)},
    # in the 2026.2.2 blueprint schema, in no OpenAPI spec (2025.8 .. 2026.8); not in the
    # 2025.2.4 blueprint schema, so assumed from 2026.2 on
    "authentik_stages_invitation.invitation": {"created_by": (("int",), False, (2026, 2))},
    "authentik_endpoints_connectors_agent.enrollmenttoken": {"key": (STR, False, (2026, 2))},
}

FREE_OBJECT = ("object", ())
# Meta models (authentik/blueprints/v1/meta/): not in ModelEnum, always accepted.
# "since": None = every release; "after-catalog" = only releases newer than the newest
# tagged release the catalog covers (the model is used only by newest/ blueprints).
META_MODELS = {
    "authentik_blueprints.metaapplyblueprint": {
        "since": None,
        # ApplyBlueprintMetaSerializer: identifiers = JSON dict, required = Bool(default=True)
        "fields": [("identifiers", FREE_OBJECT, True, False), ("required", ("bool",), False, False)],
    },
    "authentik_blueprints.metausersetpassword": {
        "since": "after-catalog",
        # UserSetPasswordMetaSerializer: user_identifiers = JSON dict, raw_password = Char,
        # set_unusable = Bool(default=False)
        "fields": [("raw_password", STR, True, False), ("set_unusable", ("bool",), False, False),
                   ("user_identifiers", FREE_OBJECT, True, False)],
    },
}

DURATION_MARK = "(Format: hours="
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"


def log(*a):
    print(*a, file=sys.stderr)


def minor_of(version: str) -> tuple[int, int] | None:
    m = re.match(r"^(\d+)\.(\d+)\.", version)
    return (int(m.group(1)), int(m.group(2))) if m else None


def minor_key(minor: tuple[int, int]) -> str:
    return f"{minor[0]}.{minor[1]}"


def version_sort_key(v: str):
    return tuple(int(x) for x in re.findall(r"\d+", v))


# --------------------------------------------------------------------------------------
# Fetching OpenAPI specs

class SpecCache:
    """`schema-<version>.yml` files in the cache dir; `<version>.noschema` marks
    packages that were checked and hold no schema.yml."""

    def __init__(self, cache: str, shared: str, offline: bool):
        self.cache = cache
        self.shared = shared
        self.offline = offline
        os.makedirs(cache, exist_ok=True)

    def path(self, version):
        return os.path.join(self.cache, f"schema-{version}.yml")

    def npm_versions(self) -> list[str] | None:
        if self.offline or not shutil.which("npm"):
            return None
        try:
            out = subprocess.run(["npm", "view", NPM_PACKAGE, "versions", "--json"],
                                 capture_output=True, text=True, timeout=120, check=True).stdout
            return json.loads(out)
        except (subprocess.SubprocessError, json.JSONDecodeError, OSError) as exc:
            log(f"warning: npm view failed ({exc}); using cached specs only")
            return None

    def get(self, version: str) -> str | None:
        """Path of the spec of `version`, fetching it if needed; None if the package
        has no schema.yml or it cannot be fetched."""
        p = self.path(version)
        if os.path.exists(p):
            return p
        shared_copy = os.path.join(self.shared, "authentik", "openapi", f"schema-{version}.yml")
        if os.path.exists(shared_copy):
            return shared_copy
        marker = os.path.join(self.cache, f"{version}.noschema")
        if os.path.exists(marker):
            return None
        tgz = os.path.join(self.cache, f"goauthentik-api-{version}.tgz")
        if not os.path.exists(tgz):
            if self.offline or not shutil.which("npm"):
                return None
            log(f"npm pack {NPM_PACKAGE}@{version}")
            try:
                subprocess.run(["npm", "pack", "--silent", f"{NPM_PACKAGE}@{version}"], cwd=self.cache,
                               capture_output=True, text=True, timeout=300, check=True)
            except (subprocess.SubprocessError, OSError) as exc:
                log(f"warning: npm pack {version} failed: {exc}")
                return None
            if not os.path.exists(tgz):
                return None
        with tarfile.open(tgz) as tar:
            try:
                member = tar.getmember("package/schema.yml")
            except KeyError:
                member = None
            if member is None:
                open(marker, "w").close()
                os.remove(tgz)
                return None
            with tar.extractfile(member) as src, open(p, "wb") as dst:
                shutil.copyfileobj(src, dst)
        os.remove(tgz)
        return p

    def cached_versions(self) -> list[str]:
        found = set()
        for d in (self.cache, os.path.join(self.shared, "authentik", "openapi")):
            for f in glob.glob(os.path.join(d, "schema-*.yml")):
                found.add(os.path.basename(f)[len("schema-"):-len(".yml")])
        return sorted(found, key=version_sort_key)


def pick_openapi_releases(cache: SpecCache) -> dict[tuple[int, int], tuple[str, str]]:
    """minor -> (release, spec path): the newest final patch of each minor release line
    (or, for minors without a final npm release, the newest timestamped build that ships
    schema.yml)."""
    versions = cache.npm_versions()
    chosen = {}
    if versions is None:
        for v in cache.cached_versions():
            mi = minor_of(v)
            if mi and mi >= MIN_MINOR and re.match(r"^\d+\.\d+\.\d+$", v):
                chosen[mi] = (v, cache.get(v))
        return chosen
    finals, builds = {}, {}
    for v in versions:
        mi = minor_of(v)
        if not mi or mi < MIN_MINOR:
            continue
        if re.match(r"^\d+\.\d+\.\d+$", v):
            finals.setdefault(mi, []).append(v)
        elif re.match(r"^\d+\.\d+\.\d+-\d{9,}$", v):  # timestamped build, not an rc
            builds.setdefault(mi, []).append(v)
    for mi in sorted(set(finals) | set(builds)):
        for v in sorted(finals.get(mi, []), key=version_sort_key, reverse=True)[:1] + \
                sorted(builds.get(mi, []), key=version_sort_key, reverse=True):
            p = cache.get(v)
            if p:
                release = v.split("-")[0]
                chosen[mi] = (release, p)
                break
    return chosen


# --------------------------------------------------------------------------------------
# Releases before 2025.8: TypeScript models of timestamped npm builds
#
# npm has no final @goauthentik/api package before 2025.8.0, only builds of the main
# branch named `<last release>-<unix time>`, and they ship no schema.yml. A build shows
# main on its date, which is usually the *next* release line. The build per line is the
# last one before the line's .0 release (dates from the release tags), except where a
# blueprint JSON schema of the line measured a better one; `measure` logs the distance
# to every blueprint schema so a refresh shows whether a pick still holds.

TS_BUILDS = {
    # minor: (build, why). Each pick is the build whose models equal the blueprint schema
    # of the line's release tags (fields and models; `--authentik-repo` logs the check).
    # That is the last build before the .0 release for 2024.2, 2024.8, 2024.10, 2024.12,
    # 2025.2, 2025.4 and 2025.6, and the first build after it for 2024.4 and 2024.6.
    (2024, 2): ("2023.10.7-1707933453", "last build before 2024.2.0 (2024-02-21)"),
    (2024, 4): ("2024.4.2-1715100363", "first build after 2024.4.0 (2024-04-24); the one "
                "before, 2024.2.2-1713180481, lacks a model"),
    (2024, 6): ("2024.6.0-1720200294", "first build after 2024.6.0 (2024-06-26); the one "
                "before, 2024.4.2-1715100363, lacks 4 models"),
    (2024, 8): ("2024.6.4-1724423607", "last build before 2024.8.0 (2024-09-02)"),
    (2024, 10): ("2024.10.2-1732206118", "equals 2024.10.5, the newest patch (the last build "
                 "before 2024.10.0, 2024.8.3-1729836831, equals 2024.10.0 and lacks 2 fields of 2024.10.5)"),
    (2024, 12): ("2024.10.5-1734528783", "last build before 2024.12.0 (2024-12-19)"),
    (2025, 2): ("2024.12.3-1739965710", "last build before 2025.2.0 (2025-02-24)"),
    (2025, 4): ("2025.2.4-1745325566", "last build before 2025.4.0 (2025-04-29)"),
    (2025, 6): ("2025.4.1-1748622869", "last build before 2025.6.0 (2025-06-03)"),
}

# Newest patch release of each line that has no final npm package (the release tags);
# a bare `--authentik-version 2024.8` means this one.
NEWEST_PATCH = {
    (2024, 2): "2024.2.4", (2024, 4): "2024.4.4", (2024, 6): "2024.6.5", (2024, 8): "2024.8.6",
    (2024, 10): "2024.10.5", (2024, 12): "2024.12.5", (2025, 2): "2025.2.4", (2025, 4): "2025.4.4",
    (2025, 6): "2025.6.4",
    # The npm package of this line stops at 2026.2.0, but release 2026.2.2 exists
    # (its blueprints are the shared reference snapshot).
    (2026, 2): "2026.2.2",
}

TS_FIELD = re.compile(r"^    (readonly )?(\w+)(\??): (.+);$")
TS_WIRE = re.compile(r"^\s+'([^']+)': .*?\bvalue(?:\.(\w+)|\['(\w+)'\])")
TS_INTERFACE = re.compile(r"^export interface (\w+)\s*\{\s*$")
TS_ENUM = re.compile(r"^export const (\w+) = \{(.*?)^\} as const;", re.S | re.M)
TS_ENUM_VALUE = re.compile(r"^\s+\w+: ('(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?),?\s*$", re.M)
TS_SENTINEL = "11184809"  # the generator's UnknownDefaultOpenApi member
TS_MAP = re.compile(r"^\{ \[key: string\]: .*; \}$")


def ts_literal(text: str):
    if text.startswith("'"):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return float(text) if "." in text else int(text)


def ts_type(t: str, known: set) -> dict:
    """An OpenAPI property for a TypeScript field type."""
    t = t.strip()
    nullable = False
    if t.endswith(" | null"):
        t, nullable = t[: -len(" | null")].strip(), True
    out: dict
    if t == "string":
        out = {"type": "string"}
    elif t == "Date":
        out = {"type": "string", "format": "date-time"}
    elif t == "number":
        out = {"type": "number"}
    elif t == "boolean":
        out = {"type": "boolean"}
    elif t.startswith("Array<") and t.endswith(">"):
        out = {"type": "array", "items": ts_type(t[6:-1], known)}
    elif TS_MAP.match(t):
        out = {"type": "object", "additionalProperties": {}}
    elif re.fullmatch(r"\w+", t) and t in known:
        out = {"$ref": f"#/components/schemas/{t}"}
    else:  # any, unions, inline objects
        out = {}
    if nullable:
        out = {"allOf": [out], "nullable": True} if "$ref" in out else dict(out, nullable=True)
    return out


def ts_file_schemas(text: str, known: set) -> dict:
    """The interfaces and enums one `src/models/*.ts` file declares, as OpenAPI schemas."""
    out = {}
    for m in TS_ENUM.finditer(text):
        values = [ts_literal(v) for v in TS_ENUM_VALUE.findall(m.group(2))]
        out[m.group(1)] = {"enum": [v for v in values if v != TS_SENTINEL]}
    wire = {}
    for line in text.splitlines():
        w = TS_WIRE.match(line)
        if w:
            wire[w.group(2) or w.group(3)] = w.group(1)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = TS_INTERFACE.match(lines[i])
        i += 1
        if not m:
            continue
        props, required, doc = {}, [], []
        while i < len(lines) and lines[i] != "}":
            line = lines[i]
            i += 1
            stripped = line.strip()
            if stripped == "/**":
                doc = []
                continue
            if stripped.startswith("* ") and not stripped.startswith("* @"):
                doc.append(stripped[2:])
                continue
            f = TS_FIELD.match(line)
            if not f:
                continue
            readonly, camel, optional, ty = f.groups()
            name = wire.get(camel) or re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
            prop = ts_type(ty, known)
            if doc:
                prop["description"] = " ".join(doc)
            if readonly:
                prop["readOnly"] = True
            elif not optional:
                required.append(name)
            props[name] = prop
            doc = []
        out[m.group(1)] = {"type": "object", "properties": props, "required": required}
    return out


def ts_spec(files: dict, label: str) -> dict:
    """An OpenAPI-shaped spec (`components.schemas`) from a build's model files
    (file stem -> text), so the OpenAPI reader handles both sources alike."""
    known = set(files)
    schemas = {}
    for stem in sorted(files):
        schemas.update(ts_file_schemas(files[stem], known))
    return {"info": {"version": label}, "components": {"schemas": schemas}}


class TsCache:
    """`ts-<build>.json` in the cache dir: the OpenAPI-shaped spec read from the build's
    TypeScript models (the tarball is deleted once read)."""

    def __init__(self, cache: str, offline: bool):
        self.cache = cache
        self.offline = offline

    def get(self, build: str) -> dict | None:
        p = os.path.join(self.cache, f"ts-{build}.json")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                return json.load(f)
        tgz = os.path.join(self.cache, f"goauthentik-api-{build}.tgz")
        if not os.path.exists(tgz):
            if self.offline or not shutil.which("npm"):
                return None
            log(f"npm pack {NPM_PACKAGE}@{build}")
            try:
                subprocess.run(["npm", "pack", "--silent", f"{NPM_PACKAGE}@{build}"], cwd=self.cache,
                               capture_output=True, text=True, timeout=300, check=True)
            except (subprocess.SubprocessError, OSError) as exc:
                log(f"warning: npm pack {build} failed: {exc}")
                return None
        files = {}
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                m = re.fullmatch(r"package/src/models/(\w+)\.ts", member.name)
                if m and member.isfile():
                    with tar.extractfile(member) as src:
                        files[m.group(1)] = src.read().decode("utf-8")
        os.remove(tgz)
        if "ModelEnum" not in files:
            log(f"warning: {build} has no src/models/ModelEnum.ts")
            return None
        spec = ts_spec(files, build)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(spec, f, sort_keys=True)
        return spec


def refine(ts: tuple, oa: tuple | None) -> tuple:
    """A TypeScript-read type sharpened by the same field's OpenAPI type: TypeScript
    has one `number` for integers and floats and drops string formats; an enum the
    OpenAPI gives as a `oneOf` (blank or null allowed) stays as lenient as there."""
    if oa is None:
        return ts
    if ts == ("num",) and oa == ("int",):
        return oa
    if ts == ("str", "Plain") and oa[0] == "str":
        return oa
    if ts[0] == "enum" and oa == ("any",):
        return oa
    if ts[0] == "array" and oa[0] == "array":
        return ("array", refine(ts[1], oa[1]))
    if ts[0] == "object" and oa[0] == "object" and ts[1] and oa[1]:
        by_name = {f[0]: f for f in oa[1]}
        return ("object", tuple((f[0], refine(f[1], by_name[f[0]][1] if f[0] in by_name else None))
                                + f[2:] for f in ts[1]))
    return ts


def field_distance(a: dict, b: dict) -> tuple[int, int]:
    """(fields, models) that differ between two model tables (names only)."""
    models = set(a) ^ set(b)
    fields = sum(len({f[0] for f in a[m][0]} ^ {f[0] for f in b[m][0]}) for m in set(a) & set(b))
    return fields, len(models)


# --------------------------------------------------------------------------------------
# Type model (hashable tuples):
#   ("any",) ("bool",) ("int",) ("num",) ("str", fmt) ("enum", (values...))
#   ("array", ty) ("object", (field...))
# field = (name, ty, required, nullable, blueprint_only)

def str_format(schema: dict, desc: str) -> str:
    if DURATION_MARK in (desc or ""):
        return "Duration"
    fmt = schema.get("format")
    if fmt == "uuid":
        return "Uuid"
    if fmt == "uri":
        return "Uri"
    if schema.get("pattern") == SLUG_PATTERN:
        return "Slug"
    return "Plain"


def enum_ty(values) -> tuple[tuple, bool]:
    nullable = any(v is None for v in values)
    vals = [v for v in values if v is not None]
    if not all(isinstance(v, str) for v in vals):
        return ("any",), nullable
    # keep "" (blank allowed) when the schema lists it; order is the schema's
    out = []
    for v in vals:
        if v not in out:
            out.append(v)
    return ("enum", tuple(out)), nullable


class OpenAPI:
    def __init__(self, path: str | None = None, spec: dict | None = None):
        if spec is None:
            with open(path, encoding="utf-8") as f:
                spec = yaml.load(f, Loader=LOADER)
        self.spec = spec
        self.schemas = self.spec["components"]["schemas"]
        self.lower = {k.lower(): k for k in self.schemas}
        self.release = str(self.spec.get("info", {}).get("version", ""))

    def deref(self, ref: str) -> dict:
        return self.schemas[ref.rsplit("/", 1)[-1]]

    def ty(self, p: dict, response: bool = False) -> tuple[tuple, bool]:
        nullable = bool(p.get("nullable"))
        desc = p.get("description", "") or ""
        target = p
        if "$ref" in p:
            target = self.deref(p["$ref"])
        elif "allOf" in p:
            refs = p["allOf"]
            if len(refs) == 1 and "$ref" in refs[0]:
                target = self.deref(refs[0]["$ref"])
            else:
                return ("any",), nullable
        elif "oneOf" in p or "anyOf" in p:
            return ("any",), nullable
        if target is not p:
            nullable = nullable or bool(target.get("nullable"))
            desc = desc or target.get("description", "") or ""
        if "enum" in target:
            t, n = enum_ty(target["enum"])
            return t, nullable or n
        t = target.get("type")
        if t == "string":
            return ("str", str_format(target, desc)), nullable
        if t == "integer":
            return ("int",), nullable
        if t == "number":
            return ("num",), nullable
        if t == "boolean":
            return ("bool",), nullable
        if t == "array":
            item, _ = self.ty(target.get("items") or {}, response)
            return ("array", item), nullable
        if t == "object" or "properties" in target:
            if response and target is not p:
                return ("any",), nullable  # a nested response object; input is a pk
            props = target.get("properties")
            if not props:
                return FREE_OBJECT, nullable
            return ("object", self.fields(target, response)), nullable
        return ("any",), nullable

    def fields(self, schema: dict, response: bool = False) -> tuple:
        required = set(schema.get("required") or []) if not response else set()
        out = []
        for name, p in (schema.get("properties") or {}).items():
            if p.get("readOnly"):
                continue
            ty, nullable = self.ty(p, response)
            out.append((name, ty, name in required, nullable, False))
        return tuple(sorted(out))

    def models(self) -> dict[str, tuple[tuple, bool]]:
        """model name -> (fields, required_known)."""
        out = {}
        for model in self.schemas["ModelEnum"]["enum"]:
            short = model.split(".", 1)[1]
            name = REQUEST_SCHEMA_ALIASES.get(model) or self.lower.get(short + "request")
            if name:
                out[model] = (self.fields(self.schemas[name]), True)
            elif short in self.lower:
                log(f"  {self.release}: {model}: no request schema, using response schema "
                    f"{self.lower[short]} (required unknown)")
                out[model] = (self.fields(self.schemas[self.lower[short]], response=True), False)
            else:
                log(f"  {self.release}: {model}: no schema at all, no fields known")
                out[model] = ((), False)
        return out


class BlueprintSchema:
    def __init__(self, path: str | None = None, doc: dict | None = None):
        if doc is None:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        self.doc = doc
        m = re.search(r"authentik (\S+) Blueprint schema", self.doc.get("title", ""))
        self.release = m.group(1) if m else None
        self.defs = self.doc.get("$defs", {})

    @classmethod
    def from_text(cls, text: str) -> "BlueprintSchema":
        return cls(doc=json.loads(text))

    def entry_templates(self) -> list[dict]:
        if "blueprint_entry" in self.defs:
            return self.defs["blueprint_entry"]["oneOf"]
        return self.doc["properties"]["entries"]["items"]["oneOf"]

    def ty(self, p: dict) -> tuple[tuple, bool]:
        if "$ref" in p:
            p = self.defs[p["$ref"].rsplit("/", 1)[-1]]
        t = p.get("type")
        nullable = False
        if isinstance(t, list):
            nullable = "null" in t
            rest = [x for x in t if x != "null"]
            t = rest[0] if len(rest) == 1 else None
        if "enum" in p:
            ty, n = enum_ty(p["enum"])
            return ty, nullable or n
        desc = p.get("description", "") or ""
        if t == "string":
            return ("str", str_format(p, desc)), nullable
        if t == "integer":
            return ("int",), nullable
        if t == "number":
            return ("num",), nullable
        if t == "boolean":
            return ("bool",), nullable
        if t == "array":
            item, _ = self.ty(p.get("items") or {})
            return ("array", item), nullable
        if t == "object":
            if not p.get("properties"):
                return FREE_OBJECT, nullable
            return ("object", self.fields(p, nested=True)), nullable
        return ("any",), nullable

    def fields(self, schema: dict, nested: bool = False) -> tuple:
        # top-level `required` is emptied by Authentik's schema generator; nested
        # serializers (redirect_uris items) keep theirs
        required = set(schema.get("required") or []) if nested else set()
        out = []
        for name, p in (schema.get("properties") or {}).items():
            if p.get("readOnly"):
                continue
            ty, nullable = self.ty(p)
            out.append((name, ty, name in required, nullable, False))
        return tuple(sorted(out))

    def models(self) -> dict[str, tuple]:
        out = {}
        for e in self.entry_templates():
            props = e.get("properties", {})
            model = props.get("model", {}).get("const")
            ref = (props.get("attrs") or {}).get("$ref")
            if not model:
                continue
            schema = self.defs[ref.rsplit("/", 1)[-1]] if ref else {}
            out[model] = self.fields(schema)
        return out


def find_blueprint_schemas(shared: str) -> dict[tuple[int, int], BlueprintSchema]:
    found = {}
    paths = glob.glob(os.path.join(shared, "authentik", "**", "schema*.json"), recursive=True)
    for p in sorted(paths):
        try:
            bs = BlueprintSchema(p)
        except (OSError, json.JSONDecodeError, KeyError):
            continue
        if not bs.release:
            continue
        mi = minor_of(bs.release)
        if mi is None or mi < MIN_MINOR:
            continue
        if mi not in found or version_sort_key(bs.release) > version_sort_key(found[mi].release):
            found[mi] = bs
    return found


# --------------------------------------------------------------------------------------
# Parents

def parents_of(model: str) -> tuple[str, ...]:
    if model in EXPLICIT_PARENTS:
        return tuple(EXPLICIT_PARENTS[model])
    app, short = model.split(".", 1)
    if short.endswith("mapping"):  # scope/SAML/SCIM/*source*/*provider* property mappings,
        return (PROPERTY_MAPPING,)  # notification webhook mappings
    if short.endswith("sourceconnection"):
        if short.startswith("user"):
            return ("authentik_core.usersourceconnection",)
        if short.startswith("group"):
            return ("authentik_core.groupsourceconnection",)
    if short.endswith("source") and app.startswith("authentik_sources_"):
        return (SOURCE, PBM)
    if short.endswith("provider") and app.startswith("authentik_providers_"):
        return (PROVIDER,)
    if short.endswith("stage"):
        return (STAGE,)
    if short.endswith("policy") and app.startswith("authentik_policies_"):
        return (POLICY,)
    if short.endswith("connector") and app.startswith("authentik_endpoints_connectors_"):
        return ("authentik_endpoints.connector",)
    return ()


# --------------------------------------------------------------------------------------
# Assembling the versions

@dataclass
class Version:
    minor: tuple[int, int]
    release: str
    source: str
    models: dict = field(default_factory=dict)  # name -> (fields tuple, required_known)
    notes: list = field(default_factory=list)
    latest: str = ""  # newest patch of the line: what a bare minor means

    @property
    def name(self):
        return minor_key(self.minor)


# Fields every blueprint schema lists and no API does (BLUEPRINT_ONLY, `icon` on sources):
# left out when comparing a TypeScript line with its release's blueprint schema.
MEASURE_SKIP = {"icon", "key", "password", "permissions", "background"}


def measure(v: Version, repo: str) -> None:
    """Log the field distance between a TypeScript line and the blueprint schema of its
    .0 and newest patch release tag (`git show version/X:blueprints/schema.json`)."""
    for tag in (f"{v.name}.0", v.latest):
        try:
            text = subprocess.run(["git", "-C", repo, "show", f"version/{tag}:blueprints/schema.json"],
                                  capture_output=True, text=True, timeout=60, check=True).stdout
        except (subprocess.SubprocessError, OSError):
            log(f"  {v.name}: no blueprint schema at tag version/{tag}")
            continue
        bs = BlueprintSchema.from_text(text)
        bm = {m: (tuple(f for f in fs if f[0] not in MEASURE_SKIP), False) for m, fs in bs.models().items()
              if m not in META_MODELS}
        ours = {m: (tuple(f for f in fs if f[0] not in MEASURE_SKIP), k) for m, (fs, k) in v.models.items()
                if m not in META_MODELS}
        fields, models = field_distance(ours, bm)
        log(f"  {v.name}: {v.release} vs blueprint schema of {tag}: {fields} fields, {models} models differ")


def with_field(fields: tuple, new: tuple) -> tuple:
    return tuple(sorted([f for f in fields if f[0] != new[0]] + [new]))


def build_versions(openapi: dict, bpschemas: dict, after_catalog: set, ts: dict | None = None) -> list[Version]:
    """`openapi`: minor -> (release, spec path); `bpschemas`: minor -> BlueprintSchema;
    `ts`: minor -> (build, OpenAPI-shaped spec read from its TypeScript models). A line
    read from TypeScript ignores blueprint schemas of its own (they are only checked
    against, see `measure`)."""
    ts = ts or {}
    versions = []
    for mi in sorted(set(openapi) | set(bpschemas) | set(ts)):
        if mi in ts and mi not in openapi:
            build, spec = ts[mi]
            log(f"{minor_key(mi)}: TypeScript models of npm build {build}")
            v = Version(mi, build, "typescript", OpenAPI(spec=spec).models())
            v.notes.append(f"TypeScript models of npm build {build} ({NPM_PACKAGE})")
        elif mi in openapi:
            release, path = openapi[mi]
            log(f"{minor_key(mi)}: OpenAPI {release} ({path})")
            oa = OpenAPI(path)
            v = Version(mi, release, "openapi", oa.models())
            v.notes.append(f"OpenAPI spec of {release} (npm {NPM_PACKAGE})")
            if mi in bpschemas:
                bs = bpschemas[mi]
                log(f"{minor_key(mi)}: + blueprint schema {bs.release}")
                v.notes.append(f"+ fields only in the blueprint schema of {bs.release}")
                for model, bfields in bs.models().items():
                    if model in META_MODELS:
                        continue
                    if model not in v.models:
                        v.models[model] = (tuple((f[0], f[1], False, f[3], True) for f in bfields), False)
                        continue
                    fields, known = v.models[model]
                    names = {f[0] for f in fields}
                    for bf in bfields:
                        if bf[0] not in names:
                            fields = with_field(fields, (bf[0], bf[1], False, bf[3], True))
                    v.models[model] = (fields, known)
        else:
            bs = bpschemas[mi]
            log(f"{minor_key(mi)}: blueprint schema {bs.release}")
            v = Version(mi, bs.release, "blueprint-schema",
                        {m: (f, False) for m, f in bs.models().items()})
            v.notes.append(f"blueprint JSON schema of {bs.release}")
        versions.append(v)

    oa_versions = [v for v in versions if v.source == "openapi"]
    # types of TypeScript releases: sharpen `number` to `int` and plain strings to their
    # format from the oldest OpenAPI release that has the same field
    for v in versions:
        if v.source != "typescript":
            continue
        for model, (fields, known) in list(v.models.items()):
            out = []
            for f in fields:
                oa_ty = None
                for ov in oa_versions:
                    of = dict((x[0], x) for x in ov.models.get(model, ((), True))[0])
                    if f[0] in of:
                        oa_ty = of[f[0]][1]
                        break
                out.append((f[0], refine(f[1], oa_ty)) + f[2:])
            v.models[model] = (tuple(out), known)

    # nullability for blueprint-schema releases: the JSON schema marks only some nullable
    # fields; borrow the flag from the oldest OpenAPI release that has the same field, and
    # stay lenient (nullable) for fields no OpenAPI release knows.
    for v in versions:
        if v.source != "blueprint-schema":
            continue
        for model, (fields, known) in list(v.models.items()):
            out = []
            for f in fields:
                borrowed = None
                for ov in oa_versions:
                    of = dict((x[0], x) for x in ov.models.get(model, ((), True))[0])
                    if f[0] in of:
                        borrowed = of[f[0]][3]
                        break
                nullable = f[3] or (True if borrowed is None else borrowed)
                out.append((f[0], f[1], f[2], nullable, f[4]))
            v.models[model] = (tuple(out), known)

    for v in versions:
        # blueprint-only fields
        for model, extra in BLUEPRINT_ONLY.items():
            if model not in v.models:
                continue
            fields, known = v.models[model]
            present = {f[0]: f for f in fields}
            for fname, (ty, nullable, since) in extra.items():
                if since is not None and v.minor < since:
                    continue
                f = present.get(fname)
                if f is not None and v.source != "blueprint-schema" and not f[4]:
                    continue  # the API lists it in this release
                fields = with_field(fields, (fname, ty, False, nullable, True))
            v.models[model] = (fields, known)
        if v.source == "typescript":
            # The release tags' blueprint schemas list `icon` on every source and source
            # connection model up to 2025.6 (the API does not); see `measure`.
            for model, (fields, known) in list(v.models.items()):
                if model.startswith("authentik_sources_") and "icon" not in {f[0] for f in fields}:
                    v.models[model] = (with_field(fields, ("icon", STR, False, False, True)), known)
        # meta models
        for model, meta in META_MODELS.items():
            if meta["since"] == "after-catalog" and v.name not in after_catalog:
                v.models.pop(model, None)
                continue
            v.models[model] = (tuple(sorted((n, t, r, nl, False) for n, t, r, nl in meta["fields"])), True)
    return versions


# --------------------------------------------------------------------------------------
# Built-in objects

def load_unverified(shared: str) -> set:
    """UNVERIFIED in make_catalog.py: newest/ files the catalog skipped."""
    try:
        with open(os.path.join(shared, "authentik", "make_catalog.py"), encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError):
        return set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "UNVERIFIED" for t in node.targets):
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:
                return set()
    return set()


class LookupFields:
    """Every literal field the shipped blueprint gives a catalog object, beyond the few
    the catalog records: a blueprint may look a built-in up, or identify it, by any of
    them (a prompt by `field_key`, the bootstrap admin by `username`). Values are what
    the importer writes: attrs with the identifiers merged over them, `!Context` read
    from the file's `context:` or the tag's default (common.py `Context.resolve`).
    Strings (one line, at most 200 characters), booleans and integers are kept, as the
    strings Django compares them as; anything else a blueprint would not look up."""

    def __init__(self, shared: str):
        self.root = os.path.join(shared, "authentik")
        self.files: dict[str, tuple] = {}
        sys.path.insert(0, self.root)
        try:
            import make_catalog  # the catalog's own loader: tags as {"!Tag": value}
            self.catalog = make_catalog
        except ImportError:
            self.catalog = None
        finally:
            sys.path.pop(0)

    def _file(self, source_file: str) -> tuple:
        if source_file not in self.files:
            doc = None
            if self.catalog is not None:
                try:
                    with open(os.path.join(self.root, source_file), encoding="utf-8") as f:
                        doc = yaml.load(f, Loader=self.catalog.Loader)
                except (OSError, yaml.YAMLError):
                    doc = None
            context = (doc or {}).get("context") if isinstance(doc, dict) else None
            entries = self.catalog.entries(doc) if doc is not None else []
            ids = {e["id"]: {"model": e["model"], "identifiers": e.get("identifiers") or {}}
                   for e in entries if e.get("id")}
            self.files[source_file] = (context if isinstance(context, dict) else {}, entries, ids)
        return self.files[source_file]

    @staticmethod
    def _resolve(value, context: dict):
        if isinstance(value, dict) and set(value) == {"!Context"}:
            arg = value["!Context"]
            key, default = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, None)
            value = context.get(key, default) if isinstance(key, str) else None
        if isinstance(value, bool):
            return "True" if value else "False"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str) and "\n" not in value and len(value) <= 200:
            return value
        return None

    def identifiers(self, e: dict) -> list[tuple]:
        """The catalog object's identifiers whose `!Context` resolves statically."""
        context, _, _ = self._file(e.get("source_file") or "")
        out = []
        for k, v in (e.get("identifiers") or {}).items():
            if isinstance(v, dict) and set(v) == {"!Context"}:
                val = self._resolve(v, context)
                if val is not None:
                    out.append((k, val))
        return out

    def extra(self, e: dict) -> list[tuple]:
        """(field, value) of the object's entry in its file, sorted by field."""
        context, entries, ids = self._file(e.get("source_file") or "")
        for entry in entries:
            if entry.get("model") != e["model"]:
                continue
            if e.get("id") is not None and entry.get("id") != e.get("id"):
                continue
            if self.catalog.with_refs(entry.get("identifiers") or {}, ids) != e.get("identifiers"):
                continue
            data = dict(entry.get("attrs") or {}) if isinstance(entry.get("attrs"), dict) else {}
            data.update(entry.get("identifiers") or {})
            out = []
            for k in sorted(data, key=str):
                val = self._resolve(data[k], context) if isinstance(k, str) else None
                if val is not None:
                    out.append((k, val))
            return out
        return []


def build_builtins(shared: str, embedded: list[str], after_catalog: list[str]) -> list[tuple]:
    with open(os.path.join(shared, "authentik", "catalog.json"), encoding="utf-8") as f:
        catalog = json.load(f)
    unverified = load_unverified(shared)
    newest_dir = os.path.join(shared, "authentik", "newest")
    tags = sorted({t for e in catalog for t in e.get("present_in") or []}, key=version_sort_key)
    newest_tag = tags[-1] if tags else None
    oldest_tag = tags[0] if tags else None
    # lines older than the oldest tag the catalog read take that tag's objects (an
    # approximation: the shipped default blueprints changed little before 2024.8)
    before_catalog = {k for k in embedded if oldest_tag and version_sort_key(k) < version_sort_key(oldest_tag)[:2]}
    merged: dict[tuple, dict] = {}
    lookups = LookupFields(shared)
    for e in catalog:
        model = e["model"]
        if e.get("state") == "absent" or model.startswith("authentik_blueprints.meta"):
            continue
        if "startup" in (e.get("sources") or []):
            # Objects the start-up code creates are read from Authentik's code, per
            # release, by scripts/gen-startup.py (src/knowledge/startup_generated.rs).
            continue
        fields = []
        for k, val in (e.get("identifiers") or {}).items():
            if isinstance(val, str):
                fields.append((k, val))
        fields += lookups.identifiers(e)
        for k in ("name", "slug", "managed", "scope_name", "designation", "path"):
            val = e.get(k)
            if isinstance(val, str) and k not in dict(fields):
                fields.append((k, val))
        if not fields:
            continue
        sources = e.get("sources") or []
        src_file = e.get("source_file")
        source = src_file.split("/", 1)[1] if src_file and "/" in src_file else (src_file or "")
        keys = {minor_key(minor_of(t)) for t in e.get("present_in") or []}
        newer = "newest" in sources
        if not newer and newest_tag in (e.get("present_in") or []):
            # in the newest tagged release; still there later unless the newest/ copy of
            # its file (one the catalog read) dropped it
            in_newest_layer = source.split("/")[0] in ("default", "system") and \
                source not in unverified and os.path.exists(os.path.join(newest_dir, source))
            newer = not in_newest_layer
        if newer:
            keys |= set(after_catalog)
        if oldest_tag in (e.get("present_in") or []):
            keys |= before_catalog
        versions = [k for k in embedded if k in keys]
        if not versions:
            continue
        key = (model, tuple(fields))
        extra = lookups.extra(e)
        if key in merged:
            prev = merged[key]
            prev["extra"] += [(k, v) for k, v in extra if k not in dict(prev["extra"])]
            if prev["versions"] and versions:
                prev["versions"] = [k for k in embedded if k in set(prev["versions"]) | set(versions)]
            elif not versions:
                prev["versions"] = []
        else:
            merged[key] = {"model": model, "fields": tuple(fields), "versions": versions, "source": source,
                           "extra": extra}
    # The lookup fields follow the catalog's own, so those stay first (messages name a
    # built-in by them, and the first pair is what table lookups key on).
    return sorted(((b["model"], b["fields"] + tuple((k, v) for k, v in sorted(b["extra"])
                                                      if k not in dict(b["fields"])),
                    tuple(b["versions"]), b["source"]) for b in merged.values()),
                  key=lambda b: (b[0], b[1]))


# --------------------------------------------------------------------------------------
# Rust output

def rs(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\r", "\\r").replace("\t", "\\t") + '"'


SIMPLE_TY = {
    ("any",): ("ANY", "Ty::Any"),
    ("bool",): ("BOOL", "Ty::Bool"),
    ("int",): ("INT", "Ty::Int"),
    ("num",): ("NUM", "Ty::Number"),
    ("str", "Plain"): ("STR", "Ty::Str(StrFormat::Plain)"),
    ("str", "Uuid"): ("UUID", "Ty::Str(StrFormat::Uuid)"),
    ("str", "Uri"): ("URI", "Ty::Str(StrFormat::Uri)"),
    ("str", "Duration"): ("DURATION", "Ty::Str(StrFormat::Duration)"),
    ("str", "Slug"): ("SLUG", "Ty::Str(StrFormat::Slug)"),
    FREE_OBJECT: ("FREE_OBJECT", "Ty::Object(&[])"),
}


class Emitter:
    def __init__(self):
        self.enums: dict[tuple, str] = {}
        self.objects: dict[tuple, str] = {}
        self.parents: dict[tuple, str] = {}
        self.vlists: dict[tuple, str] = {}
        self.models: dict[tuple, str] = {}
        self.used_simple: set = set()
        self.decls: list[str] = []  # enum/object/parent/version-list consts, in order
        self.model_decls: list[str] = []

    def enum(self, values: tuple) -> str:
        if values not in self.enums:
            name = f"E{len(self.enums)}"
            self.enums[values] = name
            self.decls.append(f"const {name}: &[&str] = &[{', '.join(rs(v) for v in values)}];")
        return self.enums[values]

    def ty(self, t: tuple) -> str:
        if t in SIMPLE_TY:
            self.used_simple.add(t)
            return SIMPLE_TY[t][0]
        kind = t[0]
        if kind == "enum":
            return f"Ty::Enum({self.enum(t[1])})"
        if kind == "array":
            inner = self.ty(t[1])
            return f"Ty::Array(&{inner})"
        if kind == "object":
            return f"Ty::Object({self.object(t[1])})"
        raise ValueError(t)

    def fields(self, fields: tuple) -> str:
        return ", ".join(self.field(f) for f in fields)

    def field(self, f: tuple) -> str:
        name, ty, required, nullable, bp_only = f
        flags = [n for n, on in (("R", required), ("N", nullable), ("B", bp_only)) if on]
        return f"f({rs(name)}, {self.ty(ty)}, {' | '.join(flags) or '0'})"

    def object(self, fields: tuple) -> str:
        if fields not in self.objects:
            body = self.fields(fields)  # may declare enums first
            name = f"O{len(self.objects)}"
            self.objects[fields] = name
            self.decls.append(f"const {name}: &[FieldDef] = &[{body}];")
        return self.objects[fields]

    def parent_list(self, parents: tuple) -> str:
        if not parents:
            return "&[]"
        if parents not in self.parents:
            name = f"P{len(self.parents)}"
            self.parents[parents] = name
            self.decls.append(f"const {name}: &[&str] = &[{', '.join(rs(p) for p in parents)}];")
        return self.parents[parents]

    def version_list(self, vs: tuple) -> str:
        if not vs:
            return "&[]"
        if vs not in self.vlists:
            name = f"VS{len(self.vlists)}"
            self.vlists[vs] = name
            self.decls.append(f"const {name}: &[&str] = &[{', '.join(rs(v) for v in vs)}];")
        return self.vlists[vs]

    def model(self, name: str, parents: tuple, fields: tuple, known: bool) -> str:
        key = (name, parents, fields, known)
        if key not in self.models:
            plist = self.parent_list(parents)
            body = self.fields(fields)
            ident = f"M{len(self.models)}"
            self.models[key] = ident
            self.model_decls.append(
                f"static {ident}: ModelDef = ModelDef {{ name: {rs(name)}, parents: {plist}, "
                f"required_known: {'true' if known else 'false'}, fields: &[{body}] }};")
        return self.models[key]


def render(versions: list[Version], builtins: list[tuple], provenance: list[str]) -> str:
    em = Emitter()
    version_lines = []
    for v in versions:
        refs = []
        for name in sorted(v.models):
            fields, known = v.models[name]
            refs.append("&" + em.model(name, parents_of(name), fields, known))
        version_lines.append(
            f"    VersionDef {{ name: {rs(v.name)}, release: {rs(v.release)}, latest: {rs(v.latest or v.release)}, "
            f"source: {rs(v.source)}, "
            f"models: &[{', '.join(refs)}] }},")
    builtin_lines = []
    for model, fields, vs, source in builtins:
        pairs = ", ".join(f"({rs(k)}, {rs(val)})" for k, val in fields)
        builtin_lines.append(
            f"    BuiltinDef {{ model: {rs(model)}, fields: &[{pairs}], versions: {em.version_list(vs)}, "
            f"source: {rs(source)} }},")
    out = ["// @generated by scripts/gen-knowledge.py — do not edit",
           "use super::types::*;", "",
           "// Regenerate: python3 scripts/gen-knowledge.py (see docs/knowledge.md).",
           "// Sources:"]
    out += [f"//   {line}" for line in provenance]
    out += ["",
            "const R: u8 = 1;", "const N: u8 = 2;", "const B: u8 = 4;", "",
            "/// A field: `R` = required, `N` = nullable, `B` = blueprint-only.",
            "const fn f(name: &'static str, ty: Ty, flags: u8) -> FieldDef {",
            "    FieldDef { name, ty, required: flags & R != 0, nullable: flags & N != 0, "
            "blueprint_only: flags & B != 0 }",
            "}", ""]
    for t in sorted(em.used_simple, key=lambda t: SIMPLE_TY[t][0]):
        ident, expr = SIMPLE_TY[t]
        out.append(f"const {ident}: Ty = {expr};")
    out.append("")
    out += em.decls
    out.append("")
    out += em.model_decls
    out += ["", "pub static VERSIONS: &[VersionDef] = &["] + version_lines + ["];", ""]
    out += ["pub static BUILTINS: &[BuiltinDef] = &["] + builtin_lines + ["];", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"),
                    help="shared reference folder holding authentik/ (default: ../shared)")
    ap.add_argument("--cache", default=os.path.join(ROOT, ".cache", "openapi"),
                    help="where npm packages / extracted specs are cached (default: .cache/openapi)")
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "knowledge", "generated.rs"))
    ap.add_argument("--offline", action="store_true", help="no npm calls; use cached specs only")
    ap.add_argument("--authentik-repo", metavar="GIT_DIR",
                    help="a clone of Authentik with its release tags: log how far each TypeScript "
                         "line is from the blueprint schema its release tags ship")
    args = ap.parse_args()

    cache = SpecCache(os.path.abspath(args.cache), os.path.abspath(args.shared), args.offline)
    openapi = pick_openapi_releases(cache)
    openapi = {mi: rp for mi, rp in openapi.items() if rp[1]}
    tscache = TsCache(os.path.abspath(args.cache), args.offline)
    ts = {}
    for mi, (build, why) in sorted(TS_BUILDS.items()):
        if mi in openapi:
            continue
        spec = tscache.get(build)
        if spec is None:
            sys.exit(f"no data for {minor_key(mi)}: npm build {build} is neither cached nor fetchable")
        ts[mi] = (build, spec)
    bpschemas = find_blueprint_schemas(args.shared)
    if not openapi and not bpschemas:
        sys.exit("no data: neither OpenAPI specs nor blueprint schemas found")

    # releases newer than the newest tag the catalog covers (objects/meta models only
    # seen in newest/ blueprints)
    with open(os.path.join(args.shared, "authentik", "catalog.json"), encoding="utf-8") as f:
        catalog = json.load(f)
    tags = [t for e in catalog for t in e.get("present_in") or []]
    newest_tag_minor = max((minor_of(t) for t in tags), default=(0, 0))
    all_minors = sorted(set(openapi) | set(bpschemas) | set(ts))
    after_catalog = [minor_key(mi) for mi in all_minors if mi > newest_tag_minor]

    versions = build_versions(openapi, bpschemas, set(after_catalog), ts)
    for v in versions:
        v.latest = NEWEST_PATCH.get(v.minor) or v.release.split("-")[0]
    if args.authentik_repo:
        for v in versions:
            if v.source == "typescript":
                measure(v, args.authentik_repo)
    embedded = [v.name for v in versions]
    builtins = build_builtins(args.shared, embedded, after_catalog)

    provenance = []
    for v in versions:
        provenance.append(f"{v.name}: {'; '.join(v.notes)}")
    provenance.append("built-ins: authentik/catalog.json of the shared reference data")
    text = render(versions, builtins, provenance)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    distinct = len({(n, parents_of(n)) + v.models[n] for v in versions for n in v.models})
    for v in versions:
        log(f"  {v.name:8} {v.release:10} {v.source:17} {len(v.models)} models")
    log(f"{distinct} distinct model definitions, {len(builtins)} built-ins, "
        f"{len(text.encode())} bytes -> {args.out}")


if __name__ == "__main__":
    main()
