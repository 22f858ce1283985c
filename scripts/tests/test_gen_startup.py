"""Tests of scripts/gen-startup.py on small made-up Authentik trees.

Run: python3 -m unittest discover -s scripts/tests (tests/serializers.rs does).
"""

import importlib.util
import unittest
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "gen_startup", Path(__file__).resolve().parent.parent / "gen-startup.py"
)
gen = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen)

CORE_APPS = '''
from authentik.blueprints.apps import ManagedAppConfig

class CoreConfig(ManagedAppConfig):
    label = "authentik_core"

    @ManagedAppConfig.reconcile_tenant
    def source_inbuilt(self):
        from authentik.core.models import Source
        Source.objects.update_or_create(
            defaults={"name": "Built-in", "slug": "built-in", "key": generate()},
            managed=Source.MANAGED_INBUILT,
        )

    def not_a_reconciler(self):
        from authentik.core.models import Source
        Source.objects.create(name="never at startup")
'''

CORE_MODELS = '''
class Source(Model):
    MANAGED_INBUILT = "goauthentik.io/sources/inbuilt"
'''

OLD_CRYPTO_APPS = '''
from authentik.blueprints.apps import ManagedAppConfig
MANAGED_KEY = "goauthentik.io/crypto/jwt-managed"

class CryptoConfig(ManagedAppConfig):
    label = "authentik_crypto"

    def _create(self):
        from authentik.crypto.models import CertificateKeyPair
        common_name = "JWT"
        CertificateKeyPair.objects.update_or_create(managed=MANAGED_KEY, defaults={"name": common_name})

    def reconcile_tenant_jwt(self):
        if not CONFIG.get_bool("keep"):
            self._create()
'''

OUTPOST_TASKS = '''
def outpost_connection_discovery():
    from authentik.outposts.models import DockerServiceConnection
    if socket.exists():
        DockerServiceConnection.objects.create(name="Local Docker connection", local=True)
'''

OUTPOST_APPS = 'class OutpostConfig(ManagedAppConfig):\n    label = "authentik_outposts"\n'


def tree(**extra):
    files = {
        "authentik/core/apps.py": CORE_APPS,
        "authentik/core/models.py": CORE_MODELS,
        "authentik/crypto/apps.py": OLD_CRYPTO_APPS,
        "authentik/outposts/apps.py": OUTPOST_APPS,
        "authentik/outposts/tasks.py": OUTPOST_TASKS,
    }
    files.update(extra)
    return gen.DictTree(files)


class StartupObjects(unittest.TestCase):
    def objects(self, t=None):
        objs, problems = gen.startup_objects(t or tree())
        return {o["model"]: o for o in objs}, problems

    def test_decorated_reconciler_with_class_constant(self):
        objs, problems = self.objects()
        self.assertEqual(problems, [])
        source = objs["authentik_core.source"]
        # lookup keyword first, then the literal defaults; the computed key is left out
        self.assertEqual(
            source["fields"],
            [["managed", "goauthentik.io/sources/inbuilt"], ["name", "Built-in"], ["slug", "built-in"]],
        )
        self.assertEqual(source["path"], "authentik/core/apps.py")
        self.assertEqual(source["function"], "source_inbuilt")
        self.assertEqual(source["runs"], "reconcile (tenant)")

    def test_methods_that_are_not_reconcilers_are_ignored(self):
        objs, _ = self.objects()
        self.assertNotIn(["name", "never at startup"], objs["authentik_core.source"]["fields"])
        self.assertEqual(len([o for o in objs if o == "authentik_core.source"]), 1)

    def test_prefixed_reconciler_reaches_its_helper(self):
        objs, _ = self.objects()
        cert = objs["authentik_crypto.certificatekeypair"]
        self.assertEqual(cert["fields"], [["managed", "goauthentik.io/crypto/jwt-managed"], ["name", "JWT"]])
        self.assertEqual(cert["function"], "reconcile_tenant_jwt -> _create")
        self.assertEqual(cert["line"], 11)

    def test_startup_task_and_its_environment_condition(self):
        objs, _ = self.objects()
        docker = objs["authentik_outposts.dockerserviceconnection"]
        self.assertEqual(docker["fields"], [["name", "Local Docker connection"], ["local", "True"]])
        self.assertEqual(docker["conditions"], ["socket.exists()"])

    def test_a_missing_startup_task_is_a_problem(self):
        t = tree()
        del t.files["authentik/outposts/tasks.py"]
        _, problems = gen.startup_objects(gen.DictTree(t.files))
        self.assertEqual(len(problems), 1)
        self.assertIn("outpost_connection_discovery", problems[0])

    def test_an_unparsable_apps_file_is_a_problem(self):
        _, problems = gen.startup_objects(tree(**{"authentik/broken/apps.py": "def (:\n"}))
        self.assertEqual(problems, ["version/2099.1.0: authentik/broken/apps.py does not parse; "
                                    "its reconcilers are unread"])

    def test_class_constant_from_a_file_newer_python_syntax_only(self):
        models = CORE_MODELS + "\n    def generic[T: Model](self) -> T: ...\n"
        objs, _ = self.objects(tree(**{"authentik/core/models.py": models}))
        self.assertEqual(objs["authentik_core.source"]["fields"][0], ["managed", "goauthentik.io/sources/inbuilt"])


class Releases(unittest.TestCase):
    TAGS = ["version/2024.8.3", "version/2024.8.6", "version/2026.2.2", "version/2026.2.3-rc1"]

    def test_newest_known_patch_when_tagged(self):
        self.assertEqual(gen.pick_tag("2024.8", "2024.8.6", self.TAGS), ("version/2024.8.6", False))

    def test_newest_final_tag_of_the_line(self):
        self.assertEqual(gen.pick_tag("2026.2", "2026.2.9", self.TAGS), ("version/2026.2.2", False))

    def test_a_line_without_tags_borrows_the_newest_older(self):
        self.assertEqual(gen.pick_tag("2026.8", "2026.8.3", self.TAGS), ("version/2026.2.2", True))

    def test_embedded_lines_from_the_knowledge_table(self):
        text = 'VersionDef { name: "2024.8", release: "2024.6.4-1", latest: "2024.8.6", source: "x" }'
        self.assertEqual(gen.embedded_lines(text), [("2024.8", "2024.8.6")])


class Output(unittest.TestCase):
    def test_merge_and_render(self):
        t = tree()
        objs, _ = gen.startup_objects(t)
        rec = gen.merge({"2099.1": {"tag": t.tag, "borrowed": False},
                         "2099.4": {"tag": "version/2099.4.0", "borrowed": True}},
                        {t.tag: objs, "version/2099.4.0": [o for o in objs if o["model"] != "authentik_core.source"]})
        source = next(o for o in rec["objects"] if o["model"] == "authentik_core.source")
        self.assertEqual([o["line"] for o in source["origins"]], ["2099.1"])
        text = gen.render(rec)
        self.assertIn('versions: &["2099.1"], source: "startup" }, code: "authentik/core/apps.py"', text)
        self.assertIn("//   2099.4: version/2099.4.0 (no tag of its own: borrowed)", text)
        # every release has the certificate: an empty list means every release
        self.assertIn('("name", "JWT")], versions: &[], source: "startup"', text)
        self.assertEqual(text, gen.render(rec))


if __name__ == "__main__":
    unittest.main()
