"""Checks bplint's CI integrations without their CI (tests/integration/ci-files.sh
sets up the virtualenv this runs in):

- action.yml's steps run the way a runner runs a composite action: each `run:` as
  `bash --noprofile --norc -eo pipefail`, in the workspace, with its `env:` and the
  inputs put in;
- .woodpecker/'s commands run the way Woodpecker's shell runs them (`set -e`);
- every CI file, and every CI snippet in README.md, is validated against its CI's
  JSON schema (the copies check-jsonschema ships);
- .forgejo/workflows/release.yml, which can only run on a tag in Forgejo, is
  checked for what the release relies on: the tag trigger, a binary and a wheel
  per target, the wheel's install test and the upload of dist/.

Usage: python ci-files.py ROOT WORKDIR
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(sys.argv[1]).resolve()
WORK = Path(sys.argv[2]).resolve()
INPUT = re.compile(r"^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$")


def step(text):
    print(f"\n== {text}", flush=True)


def fail(text):
    sys.exit(f"CI files integration test: FAILED: {text}")


def environment():
    """The environment steps run in: `cargo install` puts bplint into a throwaway
    root on PATH (a run by hand leaves ~/.cargo/bin alone) and builds in the
    project's target folder (or $CARGO_TARGET_DIR), reusing the release build."""
    env = dict(os.environ)
    install_root = WORK / "cargo-root"
    env["CARGO_INSTALL_ROOT"] = str(install_root)
    env["PATH"] = f"{install_root / 'bin'}{os.pathsep}{env['PATH']}"
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / "target"))
    return env


def run_action(inputs):
    """Runs action.yml's steps with `inputs`; returns (exit status, standard output
    of the last step run)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    if unknown:
        fail(f"action.yml has no input {sorted(unknown)}")
    values = {name: inputs.get(name, spec.get("default", "")) for name, spec in declared.items()}
    if action["runs"]["using"] != "composite":
        fail("action.yml is not a composite action")
    base = environment()
    base.update(GITHUB_ACTION_PATH=str(ROOT), GITHUB_WORKSPACE=str(ROOT))
    output = ""
    for number, spec in enumerate(action["runs"]["steps"]):
        if spec.get("shell") != "bash" or "${{" in spec["run"]:
            fail(f"action.yml step {number}: expected `shell: bash` and no expression in `run`")
        env = dict(base)
        for name, value in spec.get("env", {}).items():
            match = INPUT.match(str(value))
            if not match or match.group(1) not in values:
                fail(f"action.yml step {number}: env {name} is not one declared `${{{{ inputs.NAME }}}}`")
            env[name] = values[match.group(1)]
        script = WORK / f"step-{number}.sh"
        script.write_text(spec["run"])
        print(f"-- {spec.get('name', number)}", flush=True)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        output = done.stdout
        if done.returncode != 0:
            return done.returncode, output
    return 0, output


def check_action():
    step("action.yml on fixtures/clean, JSON output: must pass")
    status, output = run_action({"paths": "fixtures/clean", "format": "json"})
    report = json.loads(output)
    if status != 0 or report["files_checked"] != 3 or report["summary"]["errors"] != 0:
        fail(f"expected exit 0 and 3 clean files, got exit {status}:\n{output}")

    # At 2024.8 BP101 does not apply (invalidation flows came in 2024.10), so only
    # BP103's warnings remain, and they fail the run only with --deny-warnings.
    step("action.yml with two paths and args `--deny-warnings --authentik-version 2024.8`: must fail")
    status, output = run_action(
        {
            "paths": "fixtures/BP101/bad.yaml fixtures/BP103/bad.yaml",
            "format": "json",
            "args": "--deny-warnings --authentik-version 2024.8",
        }
    )
    report = json.loads(output)
    codes = {d["code"] for d in report["diagnostics"]}
    if status != 1 or report["files_checked"] != 2 or codes != {"BP103"}:
        fail(f"expected exit 1 with BP103 alone in 2 files, got exit {status}:\n{output}")


def check_woodpecker():
    for path in sorted((ROOT / ".woodpecker").glob("*.yaml")):
        for spec in yaml.safe_load(path.read_text())["steps"]:
            step(f"{path.relative_to(ROOT)} step {spec['name']}: its commands must pass")
            script = "set -e\n" + "\n".join(spec["commands"]) + "\n"
            done = subprocess.run(["sh", "-c", script], cwd=ROOT, env=environment())
            if done.returncode != 0:
                fail(f"{path.name} step {spec['name']} exited {done.returncode}")


def readme_snippets(heading):
    """The ```yaml blocks of README.md's section `### heading`."""
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^##)", text, re.S | re.M)
    if not match:
        fail(f"README.md has no section `### {heading}`")
    snippets = re.findall(r"```yaml\n(.*?)```", match.group(1), re.S)
    if not snippets:
        fail(f"README.md's section `### {heading}` has no yaml snippet")
    return snippets


def check_schemas():
    groups = {
        "vendor.github-actions": [ROOT / "action.yml"],
        "vendor.github-workflows": sorted((ROOT / ".forgejo" / "workflows").glob("*.yml")),
        "vendor.woodpecker-ci": sorted((ROOT / ".woodpecker").glob("*.yaml")),
    }
    for schema, heading in [
        ("vendor.github-workflows", "Forgejo Actions"),
        ("vendor.woodpecker-ci", "Woodpecker CI"),
        ("vendor.github-workflows", "Checking an upgrade on Forgejo Actions"),
        ("vendor.woodpecker-ci", "Checking an upgrade on Woodpecker CI"),
    ]:
        for number, snippet in enumerate(readme_snippets(heading)):
            path = WORK / f"readme-{schema}-{number}.yaml"
            path.write_text(snippet)
            groups[schema].append(path)
    for schema, paths in groups.items():
        step(f"{schema} schema: {', '.join(p.name for p in paths)}")
        if not paths:
            fail(f"no file to check against {schema}")
        for path in paths:
            yaml.safe_load(path.read_text())
        checker = Path(sys.executable).parent / "check-jsonschema"
        done = subprocess.run([str(checker), "--builtin-schema", schema, *map(str, paths)])
        if done.returncode != 0:
            fail(f"{schema}: schema validation failed")


def check_release():
    step(".forgejo/workflows/release.yml: a tag builds binaries and wheels and uploads them")
    workflow = yaml.safe_load((ROOT / ".forgejo" / "workflows" / "release.yml").read_text())
    # PyYAML reads the key `on` as the boolean true (YAML 1.1).
    trigger = workflow.get("on", workflow.get(True))
    if trigger != {"push": {"tags": ["v*"]}}:
        fail(f"release.yml must run on v* tags alone, not {trigger!r}")
    job = workflow["jobs"]["release"]
    targets = job["env"]["TARGETS"].split()
    if "x86_64-unknown-linux-musl" not in targets:
        fail("release.yml: no static (musl) Linux binary")
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    for needle in [
        "cargo build --release --locked --target",
        "maturin build --release --locked --target",
        "pip install --quiet --no-index --find-links dist bplint",
        "sha256sum",
        "rustup target add x86_64-unknown-linux-musl",
    ]:
        if needle not in runs:
            fail(f"release.yml: no step runs `{needle}`")
    upload = [s for s in job["steps"] if "forgejo-release" in s.get("uses", "")]
    if len(upload) != 1 or upload[0]["with"].get("release-dir") != "dist":
        fail("release.yml: the last step must upload dist/ with forgejo-release")
    # The maturin pin must agree with pyproject.toml's build requirement.
    pyproject = (ROOT / "pyproject.toml").read_text()
    pin = re.search(r'requires = \["(maturin[^"]*)"\]', pyproject).group(1)
    if f'"{pin}"' not in runs:
        fail(f"release.yml installs another maturin than pyproject.toml's {pin}")


check_schemas()
check_release()
check_action()
check_woodpecker()
print("\nCI files integration test: passed")
