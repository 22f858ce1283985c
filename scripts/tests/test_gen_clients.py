"""Tests of scripts/gen-clients.py on small made-up guides.

Run: python3 -m unittest discover -s scripts/tests (tests/serializers.rs does).
"""

import importlib.util
import unittest
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "gen_clients", Path(__file__).resolve().parent.parent / "gen-clients.py"
)
gen = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(gen)

FENCE = "```"

GUIDE = f"""---
title: Integrate with Example Notes
sidebar_label: Example Notes
---

## Example Notes configuration

Set these variables:

{FENCE}sh
NOTES_OIDC_CLIENT_ID=<Client ID from authentik>
NOTES_OIDC_CLIENT_SECRET=<Client Secret from authentik>
NOTES_OIDC_SCOPES="openid email profile offline_access"
NOTES_OIDC_SCOPE_CLAIM=preferred_username
{FENCE}

Or in Helm values:

{FENCE}yaml
notes:
  oidc:
    clientId: <Client ID>
    scopes: openid email
{FENCE}

{FENCE}php
$config['oauth_client_id'] = '<client ID>';
{FENCE}
"""


class Guide(unittest.TestCase):
    def test_settings_and_formats(self):
        entry = gen.entry_of("website/integrations/notes/example-notes/index.md", GUIDE)
        self.assertEqual(entry["app"], "Example Notes")
        self.assertEqual(entry["slug"], "example-notes")
        ids = [(gen.setting_key(s), s["format"]) for s in entry["client_id"]]
        self.assertEqual(ids, [("NOTES_OIDC_CLIENT_ID", "env"), ("notes.oidc.clientId", "yaml"),
                               ("oauth_client_id", "php")])
        scopes = [gen.setting_key(s) for s in entry["scope"]]
        # a scope-named setting whose value is no scope list is not one
        self.assertEqual(scopes, ["NOTES_OIDC_SCOPES", "notes.oidc.scopes"])
        self.assertEqual(entry["scopes"], ["openid", "email", "profile", "offline_access"])
        self.assertEqual(entry["formats"], ["env", "php", "yaml"])
        self.assertEqual(entry["client_id"][0]["line"], 11)

    def test_secrets_are_not_client_ids(self):
        entry = gen.entry_of("x/app/index.md", GUIDE)
        self.assertFalse(any("SECRET" in s["key"] for s in entry["client_id"]))

    def test_a_guide_without_client_id_settings_has_no_entry(self):
        self.assertIsNone(gen.entry_of("x/saml-app/index.md", "---\ntitle: Integrate with X\n---\nNo code.\n"))

    def test_a_placeholder_names_a_client_id_under_another_key(self):
        text = f"{FENCE}\nSOCIAL_AUTH_OIDC_KEY='<Client ID>'\nname: <Client ID>\n{FENCE}\n"
        ids, _, _ = gen.settings_of(text)
        self.assertEqual([s["key"] for s in ids], ["SOCIAL_AUTH_OIDC_KEY"])

    def test_render_is_deterministic_and_names_the_guide(self):
        entry = gen.entry_of("website/integrations/notes/example-notes/index.md", GUIDE)
        rec = {"tag": "version/2099.1.0", "guides": 1, "entries": [entry]}
        text = gen.render(rec)
        self.assertIn('guide: "website/integrations/notes/example-notes/index.md"', text)
        self.assertIn('client_id_keys: &["NOTES_OIDC_CLIENT_ID", "notes.oidc.clientId", "oauth_client_id"]', text)
        self.assertEqual(text, gen.render(rec))


if __name__ == "__main__":
    unittest.main()
