"""Record how Authentik's blueprint importer judges each field, by asking its own code.

Runs inside an Authentik source tree with its Django settings (the oracle's venv:
`scripts/introspect-serializers.sh` sets that up). For every model a blueprint may
use it writes the serializer the importer builds (`model().serializer`), and for each
writable field what DRF and Django will check: class, required, null/blank, length
and value bounds, choices, the validators with the facts a checker needs (URL schemes
and whether the host may lack a domain, regex patterns), the related model of a
relation, the model field's own flags, and the `validate_<field>()` / `validate()`
methods with their file and line, so each can be read and given a verdict
(docs/serializers.md).

Output: JSON on stdout, keys sorted, so the same release gives the same bytes. It is
data: scripts/gen-validators.py turns it into src/knowledge/validators.rs.
"""

import inspect
import json
import os
import re
import sys

OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr
sys.path.insert(0, os.getcwd())

from authentik.root.setup import setup  # noqa: E402

setup()
import django  # noqa: E402

django.setup()
from django.apps import apps  # noqa: E402
from django.core import validators as dj  # noqa: E402
from rest_framework import fields as f  # noqa: E402
from rest_framework import relations as r  # noqa: E402
from rest_framework import validators as drf_validators  # noqa: E402

from authentik.blueprints.v1.importer import (  # noqa: E402
    SERIALIZER_CONTEXT_BLUEPRINT,
    is_model_allowed,
)
from authentik.blueprints.v1.meta.registry import BaseMetaModel  # noqa: E402

ROOT = os.getcwd()


def where(obj):
    """`path/to/file.py:line` of a class or function, relative to the source tree."""
    try:
        obj = inspect.unwrap(obj)
        path = inspect.getsourcefile(obj) or ""
        line = inspect.getsourcelines(obj)[1]
    except (TypeError, OSError):
        return None
    if path.startswith(ROOT + "/"):
        path = path[len(ROOT) + 1 :]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    return f"{path}:{line}"


def qualname(obj):
    klass = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
    return f"{klass.__module__}.{klass.__qualname__}"


def flags(compiled):
    """The flags a pattern was compiled with that change matching: `i`, `m`, `s`, `x`."""
    names = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}
    return "".join(n for flag, n in names.items() if compiled.flags & flag)


def validator(v):
    """One validator as facts: what it checks, and where its code is."""
    name = qualname(v)
    out = {"class": name}
    if isinstance(v, dj.URLValidator):
        out["kind"] = "url"
        out["schemes"] = sorted(set(v.schemes))
        out["domainless"] = any("Domainless" in k.__name__ for k in type(v).__mro__)
        out["formatted"] = any("Formatted" in k.__name__ for k in type(v).__mro__)
        out["max_length"] = getattr(v, "max_length", None)
        out["pattern"] = v.regex.pattern
        out["flags"] = flags(v.regex)
        out["source"] = where(type(v))
    elif isinstance(v, dj.EmailValidator):
        out["kind"] = "email"
        out["allowlist"] = sorted(v.domain_allowlist)
        out["user_pattern"] = v.user_regex.pattern
        out["domain_pattern"] = v.domain_regex.pattern
        out["literal_pattern"] = v.literal_regex.pattern
        out["flags"] = flags(v.user_regex)
    elif isinstance(v, dj.RegexValidator):
        out["kind"] = "regex"
        out["pattern"] = v.regex.pattern
        out["flags"] = flags(v.regex)
        out["inverse_match"] = bool(v.inverse_match)
        out["code"] = v.code
    elif isinstance(v, dj.ProhibitNullCharactersValidator):
        out["kind"] = "no-null-characters"
    elif isinstance(v, (dj.MaxLengthValidator, dj.MinLengthValidator)):
        out["kind"] = "max-length" if isinstance(v, dj.MaxLengthValidator) else "min-length"
        out["limit"] = v.limit_value
    elif isinstance(v, (dj.MaxValueValidator, dj.MinValueValidator)):
        out["kind"] = "max-value" if isinstance(v, dj.MaxValueValidator) else "min-value"
        out["limit"] = v.limit_value
    elif isinstance(v, drf_validators.UniqueValidator):
        out["kind"] = "unique"
    elif inspect.isfunction(v) and v is dj.validate_ipv46_address:
        out["kind"] = "ip"
    else:
        out["kind"] = "other"
        out["source"] = where(v if inspect.isfunction(v) else type(v))
    return out


def plain(value):
    """A model default as JSON when it is a plain value; callables by name."""
    if callable(value):
        return {"callable": qualname(value)}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(x, (str, int, bool)) for x in value):
        return list(value)
    if isinstance(value, dict):
        return {"repr": repr(value)[:200]}
    return {"repr": repr(value)[:200]}


def model_field(model, name):
    try:
        mf = model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return None
    out = {"class": type(mf).__name__}
    for attr in ("null", "blank", "unique", "max_length"):
        value = getattr(mf, attr, None)
        if value is not None:
            out[attr] = value
    if getattr(mf, "has_default", None) and mf.has_default():
        out["default"] = plain(mf.default)
    # The model whose table holds the column: uniqueness spans all its children.
    out["declared_on"] = mf.model._meta.label_lower
    if getattr(mf, "related_model", None) is not None and not isinstance(mf.related_model, str):
        out["related"] = mf.related_model._meta.label_lower
    if getattr(mf, "choices", None):
        out["choices"] = [str(k) for k, _ in mf.flatchoices]
    return out


def drf_field(name, fld, model, ser):
    out = {
        "class": type(fld).__name__,
        "required": bool(fld.required),
        "read_only": bool(fld.read_only),
        "allow_null": bool(getattr(fld, "allow_null", False)),
        "text": isinstance(fld, f.CharField),
    }
    if isinstance(fld, f.CharField):
        out["trim_whitespace"] = bool(fld.trim_whitespace)
    for attr in ("allow_blank", "max_length", "min_length", "min_value", "max_value"):
        value = getattr(fld, attr, None)
        if value is not None:
            out[attr] = value
    if isinstance(fld, f.DurationField):
        out["duration"] = True
    out["validators"] = [validator(v) for v in getattr(fld, "validators", [])]
    if isinstance(fld, f.ChoiceField):
        out["choices"] = [str(k) for k in fld.choices]
    if isinstance(fld, f.ListField):
        child = fld.child
        out["child"] = drf_field(name, child, model, ser) if child is not None else None
        if getattr(fld, "allow_empty", True) is False:
            out["allow_empty"] = False
    if isinstance(fld, r.ManyRelatedField):
        out["many"] = True
        out["allow_empty"] = bool(fld.allow_empty)
        qs = getattr(fld.child_relation, "queryset", None)
        if qs is not None:
            out["related"] = qs.model._meta.label_lower
        out["relation"] = type(fld.child_relation).__name__
    elif isinstance(fld, r.RelatedField):
        qs = getattr(fld, "queryset", None)
        if qs is not None:
            out["related"] = qs.model._meta.label_lower
        out["relation"] = type(fld).__name__
    method = getattr(type(ser), f"validate_{name}", None)
    if method is not None:
        out["validate_method"] = where(method)
    source = fld.source if fld.source and fld.source != "*" else name
    mf = model_field(model, source.split(".")[0])
    if mf is not None:
        out["model"] = mf
    return out


def pk_kept(model):
    """Whether a `pk` the importer sets on a new object (an entry identified by a
    literal `pk`) becomes the saved object's primary key. A child of multi-table
    inheritance has its parent's link as primary key; saving it saves the parents
    first, and a parent whose own primary key has a default (a UUID made in
    `__init__`) keeps that default and hands it down, so the given key is lost.
    A parent keyed by an auto-increment column takes the given key instead."""
    root = model
    while root._meta.pk.remote_field is not None and root._meta.pk.remote_field.parent_link:
        root = root._meta.pk.remote_field.model
    return root is model or not root._meta.pk.has_default()


def validate_method(ser_cls):
    for klass in ser_cls.__mro__:
        if "validate" in vars(klass) and klass.__module__.startswith("authentik"):
            return {"class": f"{klass.__module__}.{klass.__qualname__}", "source": where(vars(klass)["validate"])}
    return None


def kind(tp):
    """A dataclass field type as the checker needs it: str, bool, int, dict, list
    or any, with `?` when None is accepted too."""
    import types
    import typing

    optional = False
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        tp = rest[0] if len(rest) == 1 else typing.Any
    origin = typing.get_origin(tp) or tp
    name = {str: "str", bool: "bool", int: "int", dict: "dict", list: "list"}.get(origin, "any")
    return name + ("?" if optional else "")


def outpost_config():
    """The settings an outpost's `config` holds, as the release's dataclass reads them
    with dacite (authentik/outposts/models.py, `OutpostConfig`)."""
    import dataclasses
    import typing

    from authentik.outposts.models import OutpostConfig

    hints = typing.get_type_hints(OutpostConfig)
    return {
        "source": where(OutpostConfig),
        "fields": {f.name: kind(hints[f.name]) for f in dataclasses.fields(OutpostConfig)},
    }


def main():
    import authentik

    models = {}
    for model in apps.get_models():
        if not is_model_allowed(model) or issubclass(model, BaseMetaModel) or model._meta.abstract:
            continue
        label = model._meta.label_lower
        entry = {"source": where(model)}
        try:
            ser_cls = model().serializer
            # The importer's own context: some serializers add blueprint-only
            # fields (a role's `permissions`, a user's `password`) only there.
            ser = ser_cls(context={SERIALIZER_CONTEXT_BLUEPRINT: True})
            fields = ser.fields
        except Exception as exc:  # noqa: BLE001
            entry["error"] = f"{type(exc).__name__}: {exc}"
            models[label] = entry
            continue
        entry["serializer"] = {"class": qualname(ser_cls), "source": where(ser_cls)}
        entry["validate"] = validate_method(ser_cls)
        entry["serializer_validators"] = [validator(v) for v in ser.validators]
        entry["parents"] = [
            p._meta.label_lower for p in model._meta.get_parent_list() if not p._meta.abstract
        ]
        entry["pk"] = model._meta.pk.name
        entry["pk_kept"] = pk_kept(model)
        # The object permissions an entry's `permissions:` may grant on it: the
        # model's own content type's codenames (default actions and custom ones).
        entry["permissions"] = sorted(
            [f"{action}_{model._meta.model_name}" for action in model._meta.default_permissions]
            + [codename for codename, _ in model._meta.permissions]
        )
        entry["unique_together"] = [list(u) for u in model._meta.unique_together]
        entry["constraints"] = [
            {"class": type(c).__name__, "fields": list(getattr(c, "fields", ()))}
            for c in model._meta.constraints
        ]
        entry["fields"] = {}
        for name, fld in fields.items():
            if fld.read_only:
                continue
            try:
                entry["fields"][name] = drf_field(name, fld, model, ser)
            except Exception as exc:  # noqa: BLE001
                entry["fields"][name] = {"error": f"{type(exc).__name__}: {exc}"}
        models[label] = entry

    version = getattr(authentik, "VERSION", None) or getattr(authentik, "__version__", "unknown")
    json.dump(
        {
            "authentik": version,
            "tool": "scripts/introspect-serializers.py",
            "models": models,
            "outpost_config": outpost_config(),
        },
        OUT,
        indent=1,
        sort_keys=True,
        default=str,
    )
    OUT.write("\n")


main()
