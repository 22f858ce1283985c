"""Tests of scripts/extract-expression-facts.py on small made-up sources.

Run: python3 -m unittest discover -s scripts/tests (tests/serializers.rs does).
"""

import importlib.util
import unittest
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "extract_expression_facts",
    Path(__file__).resolve().parent.parent / "extract-expression-facts.py",
)
ext = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ext)


class ModuleNames(unittest.TestCase):
    def test_paths_become_dotted_modules(self):
        self.assertEqual(ext.module_name("authentik/core/models.py"), "authentik.core.models")
        self.assertEqual(ext.module_name("authentik/core/__init__.py"), "authentik.core")

    def test_tests_migrations_and_other_files_are_left_out(self):
        self.assertIsNone(ext.module_name("authentik/core/tests/test_models.py"))
        self.assertIsNone(ext.module_name("authentik/core/migrations/0001_initial.py"))
        self.assertIsNone(ext.module_name("authentik/core/tests.py"))
        self.assertIsNone(ext.module_name("authentik/core/templates/x.html"))
        self.assertIsNone(ext.module_name("authentik/core/not-a-module.py"))


class TopLevelNames(unittest.TestCase):
    def test_every_kind_of_top_level_binding_is_seen(self):
        names, star = ext.top_level_names(
            "import os.path\n"
            "from x import a, b as c\n"
            "X = Y = 1\n"
            "(p, [q, *r]) = 1, [2, 3]\n"
            "z: int = 1\n"
            "def f(): inner = 1\n"
            "class K: attr = 1\n"
            "if True:\n    in_if = 1\nelse:\n    in_else = 1\n"
            "try:\n    in_try = 1\nexcept E as err:\n    in_except = 1\n"
            "with w() as handle:\n    in_with = 1\n"
        )
        self.assertFalse(star)
        self.assertEqual(
            names,
            {
                "os", "a", "c", "X", "Y", "p", "q", "r", "z", "f", "K", "in_if",
                "in_else", "in_try", "err", "in_except", "handle", "in_with",
            },
        )
        self.assertNotIn("inner", names)
        self.assertNotIn("attr", names)

    def test_a_star_import_opens_the_module(self):
        names, star = ext.top_level_names("from x import *\nA = 1\n")
        self.assertTrue(star)
        self.assertEqual(names, {"A"})

    def test_an_unparsable_module_is_none(self):
        self.assertIsNone(ext.top_level_names("def (:\n"))


class EvaluatorNames(unittest.TestCase):
    SOURCE = (
        "class Other:\n"
        "    def __init__(self):\n"
        "        self._context['not_this'] = 1\n"
        "class Ev(Base):\n"
        "    def __init__(self):\n"
        "        self._globals = {'g1': 1, 'g2': 2}\n"
        "        self._context = {}\n"
        "        self._context['c1'] = 1\n"
        "    def later(self, **kwargs):\n"
        "        self._context.update(c2=1, **kwargs)\n"
        "        self._context.update({'c3': 1})\n"
        "        other._context['not_self'] = 1\n"
    )

    def test_keys_of_the_class_only(self):
        self.assertEqual(ext.evaluator_names(self.SOURCE, "Ev", "_globals"), ["g1", "g2"])
        self.assertEqual(ext.evaluator_names(self.SOURCE, "Ev", "_context"), ["c1", "c2", "c3"])


class PassableNames(unittest.TestCase):
    def test_keywords_and_quoted_identifiers_count_comparisons_do_not(self):
        names = ext.passable_names(
            'mapping.evaluate(user=u, provider=p)\n'
            'info = {"token": t, "not an identifier": 1}\n'
            "context_keys = ['connection']\n"
            "if a == b: pass\n"
        )
        self.assertTrue({"user", "provider", "info", "token", "context_keys", "connection"} <= names)
        self.assertNotIn("a", names)


class Rendering(unittest.TestCase):
    def test_spans_are_short(self):
        self.assertEqual(ext.spans([0, 1, 2, 5, 7, 8]), "0-2,5,7-8")
        self.assertEqual(ext.spans([]), "")

    def test_newest_final_tag_of_a_line(self):
        tags = ["version/2024.8.1", "version/2024.8.10", "version/2024.8.2", "version/2024.8.11-rc1",
                "version/2024.80.1"]
        self.assertEqual(ext.newest_tag(tags, "2024.8"), "version/2024.8.10")
        self.assertIsNone(ext.newest_tag(tags, "2024.10"))

    def test_a_name_missing_from_some_lines_carries_them(self):
        lines = [("2024.8", "version/2024.8.6"), ("2024.10", "version/2024.10.5"), ("2026.8", None)]
        per_line = {
            "2024.8": {"authentik.m": (["A", "Old"], False), "authentik.s": (["B"], True)},
            "2024.10": {"authentik.m": (["A"], False), "authentik.s": None},
        }
        context = {
            "2024.8": {"G": ["g"], "P": ["request"], "M": ["user"]},
            "2024.10": {"G": ["g"], "P": ["request"], "M": ["user"]},
        }
        text = ext.render(lines, per_line, context, {}, {"token", "info"})
        rows = [r for r in text.splitlines() if not r.startswith("#")]
        self.assertIn("L\t2026.8\t-", rows)
        self.assertIn("G\t0-1\tg", rows)
        self.assertIn("m\tauthentik.m\t0-1\t-\tA Old:0", rows)
        self.assertIn("m\tauthentik.s\t0-1\t0-1\t", rows)
        self.assertIn("K\tinfo token", rows)
        self.assertEqual(text, ext.render(lines, per_line, context, {}, {"token", "info"}))


if __name__ == "__main__":
    unittest.main()
