"""Checks that a Linux wheel of bplint runs where its tag says: the binary inside
asks for no glibc symbol version (read with `objdump -T`, from binutils) newer
than the oldest glibc its manylinux tag names, and, when MAX is given, that tag
is MAX or older (manylinux_2_17 for 2.17).

Usage: python3 scripts/wheel-glibc.py WHEEL [MAX]

The release workflow (.forgejo/workflows/release.yml) runs it on the wheel it
uploads, with MAX 2.17; tests/integration/pre-commit.sh on the wheel it builds.
"""

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def version(text):
    return tuple(int(part) for part in text.split("."))


def main():
    wheel = Path(sys.argv[1])
    tags = re.findall(r"manylinux_(\d+)_(\d+)_", wheel.name)
    if not tags:
        sys.exit(f"{wheel.name}: no manylinux_X_Y platform tag")
    claimed = max((int(major), int(minor)) for major, minor in tags)
    # A wheel may carry several tags (manylinux_2_17 and its alias
    # manylinux2014); pip picks it by the oldest.
    oldest = min((int(major), int(minor)) for major, minor in tags)
    limit = version(sys.argv[2]) if len(sys.argv) > 2 else oldest
    if oldest > limit:
        sys.exit(f"{wheel.name}: tagged for glibc {oldest[0]}.{oldest[1]}, above {sys.argv[2]}")
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(wheel) as archive:
        binaries = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.data/scripts/bplint", n)]
        if len(binaries) != 1:
            sys.exit(f"{wheel.name}: expected one bplint binary under *.data/scripts/, found {binaries}")
        binary = archive.extract(binaries[0], folder)
        symbols = subprocess.run(
            ["objdump", "-T", binary], check=True, stdout=subprocess.PIPE, text=True
        ).stdout
    needed = sorted({version(v) for v in re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)\b", symbols)})
    if not needed:
        sys.exit(f"{wheel.name}: the binary names no GLIBC_ symbol version (is it linked against glibc?)")
    newest = needed[-1]
    shown = ".".join(map(str, newest))
    print(
        f"{wheel.name}: tagged for glibc {claimed[0]}.{claimed[1]} (oldest tag "
        f"{oldest[0]}.{oldest[1]}); the binary needs GLIBC_{shown} at most"
    )
    if newest > limit or newest > oldest:
        sys.exit(f"{wheel.name}: the binary needs GLIBC_{shown}, above its tag or the limit given")


main()
