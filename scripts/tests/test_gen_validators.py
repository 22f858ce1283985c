"""Tests of scripts/gen-validators.py on small made-up introspection records.

Run: python3 -m unittest discover -s scripts/tests (tests/serializers.rs does).
"""

import importlib.util
import unittest
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "gen_validators", Path(__file__).resolve().parent.parent / "gen-validators.py"
)
gen = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen)

URL = {
    "kind": "url",
    "class": "authentik.lib.models.DomainlessURLValidator",
    "domainless": True,
    "schemes": ["blank", "http", "https"],
    "pattern": "^(?:[a-z]+)://\\S+\\Z",
    "flags": "i",
    "max_length": 2048,
}


def record(fields, validate=None):
    return {
        "authentik": "2099.1.0",
        "tool": "test",
        "models": {
            "app.thing": {
                "source": "app/models.py:10",
                "serializer": {"class": "app.api.ThingSerializer", "source": "app/api.py:5"},
                "validate": validate,
                "fields": fields,
            },
            "app.broken": {"error": "TypeError: no serializer"},
        },
    }


class Generate(unittest.TestCase):
    def test_output_is_deterministic_and_sorted(self):
        fields = {
            "zeta": {"class": "CharField", "text": True, "max_length": 5, "validators": []},
            "alpha": {"class": "IntegerField", "min_value": 0, "max_value": 10, "validators": []},
        }
        one = gen.generate({"2099.1.0": record(fields)})
        two = gen.generate({"2099.1.0": record(dict(reversed(list(fields.items()))))})
        self.assertEqual(one, two)
        self.assertLess(one.index('name: "alpha"'), one.index('name: "zeta"'))
        # A model whose serializer could not be built is left out.
        self.assertNotIn("app.broken", one)

    def test_sources_are_recorded(self):
        out = gen.generate({"2099.1.0": record({}, {"class": "x", "source": "app/api.py:42"})})
        self.assertIn('source: "app/models.py:10"', out)
        self.assertIn('validate: Some("app/api.py:42")', out)
        self.assertIn("2099.1.0 (test on Authentik 2099.1.0)", out)
        self.assertIn('line: "2099.1"', out)

    def test_a_lost_pk_is_recorded_and_an_unrecorded_one_kept(self):
        data = record({})
        self.assertIn("pk_kept: true", gen.generate({"2099.1.0": data}))
        data["models"]["app.thing"]["pk_kept"] = False
        self.assertIn("pk_kept: false", gen.generate({"2099.1.0": data}))

    def test_bounds_take_the_tightest_of_field_and_validators(self):
        field = {
            "class": "CharField",
            "text": True,
            "max_length": 100,
            "validators": [{"kind": "max-length", "limit": 64}, {"kind": "min-value", "limit": -3}],
        }
        out = gen.generate({"2099.1.0": record({"name": field})})
        self.assertIn("max_length: Some(64)", out)
        self.assertIn("min_value: Some(-3)", out)

    def test_validators_become_rust_and_patterns_are_shared(self):
        fields = {
            "a": {"class": "CharField", "text": True, "validators": [URL]},
            "b": {"class": "CharField", "text": True, "validators": [URL]},
            "c": {"class": "CharField", "text": True, "validators": [
                {"kind": "other", "class": "authentik.providers.oauth2.api.scopes.no_space"},
                {"kind": "other", "class": "some.unknown.validator"},
            ]},
        }
        out = gen.generate({"2099.1.0": record(fields)})
        self.assertEqual(out.count("^(?:[a-z]+)://"), 1, "one constant for a repeated pattern")
        self.assertIn("domainless: true", out)
        self.assertIn("Validator::NoSpace", out)
        self.assertNotIn("some.unknown.validator", out)

    def test_uniqueness_names_the_declaring_model(self):
        field = {"class": "CharField", "text": True, "validators": [],
                 "model": {"unique": True, "declared_on": "app.base"}}
        out = gen.generate({"2099.1.0": record({"name": field})})
        self.assertIn('unique: Some("app.base")', out)

    def test_list_item_choices_are_kept_and_sorted(self):
        field = {"class": "ListField", "validators": [],
                 "child": {"class": "ChoiceField", "choices": ["b.y", "a.x"], "validators": []}}
        out = gen.generate({"2099.1.0": record({"permissions": field})})
        self.assertIn('&["a.x", "b.y"]', out)

    def test_rust_strings_escape_what_rust_needs(self):
        self.assertEqual(gen.rust_str('a"b\\c'), '"a\\"b\\\\c"')
        self.assertEqual(gen.rust_str("\u00a1"), '"\\u{a1}"')
        self.assertEqual(gen.rust_str("\n"), '"\\n"')

    def test_out_of_range_bounds_are_dropped(self):
        self.assertEqual(gen.opt_int(2**70), "None")
        self.assertEqual(gen.opt_int(True), "None")
        self.assertEqual(gen.opt_int(-(2**31)), "Some(-2147483648)")
        self.assertEqual(gen.opt_int(-1, 32), "None")


if __name__ == "__main__":
    unittest.main()
