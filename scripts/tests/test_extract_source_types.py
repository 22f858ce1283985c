"""Tests of scripts/extract-source-types.py on made-up type classes.

Run: python3 -m unittest discover -s scripts/tests (tests/serializers.rs does).
"""

import importlib.util
import unittest
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "extract_source_types", Path(__file__).resolve().parent.parent / "extract-source-types.py"
)
ext = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ext)

REGISTRY = '''
class SourceType:
    name = "default"
    def get_base_user_properties(self, source, info, **kwargs):
        return info
'''
TYPES = '''
class GitType(SourceType):
    name = "git"
    def get_base_user_properties(self, info, **kwargs):
        return {"username": info.get("login"), "email": info.get("email")}

class MailType(SourceType):
    name = "mail"
    def get_base_user_properties(self, info, **kwargs):
        if info.get("x"):
            return {"email": info.get("email")}
        return {"name": info.get("name")}

class ChildType(GitType):
    name = "child"

class RawType(SourceType):
    name = "raw"

class Helper:
    pass
'''


class SourceTypes(unittest.TestCase):
    def test_each_type_gets_its_verdict_and_file(self):
        found = ext.types_in({"types/registry.py": REGISTRY, "types/t.py": TYPES})
        self.assertEqual(found["git"], ("yes", "types/t.py"))
        self.assertEqual(found["mail"], ("no", "types/t.py"))
        # Inherited from a class of the same files.
        self.assertEqual(found["child"], ("yes", "types/t.py"))
        # The base type returns the provider's raw answer: not known.
        self.assertEqual(found["raw"][0], "unknown")
        self.assertNotIn("default", found)
        self.assertEqual(len(found), 4)


if __name__ == "__main__":
    unittest.main()
