"""The C side: the example builds with the system's cc and runs, and the library needs no
Swift toolchain at run time."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LIBRARY = Path(__file__).resolve().parents[1] / "sortie" / "libSortieC.so"


def test_the_library_names_no_swift_library() -> None:
    needed = subprocess.run(["readelf", "-d", str(LIBRARY)], check=True, capture_output=True, text=True).stdout
    libraries = [line.split("[", 1)[1].rstrip("]") for line in needed.splitlines() if "(NEEDED)" in line]
    assert libraries, needed
    assert not [name for name in libraries if "swift" in name.lower() or "Foundation" in name or "dispatch" in name], libraries


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_the_c_example_builds_and_runs_without_the_toolchain(tmp_path: Path) -> None:
    library_folder = tmp_path / "lib"
    library_folder.mkdir()
    shutil.copy(LIBRARY, library_folder / "libSortieC.so")
    program = tmp_path / "decide"
    subprocess.run(["cc", str(REPO / "examples" / "c" / "decide.c"), "-I", str(REPO / "include"), "-L", str(library_folder),
                    "-lSortieC", "-o", str(program)], check=True)
    # A bare environment: the loader path holds the library's folder only, never the toolchain's.
    environment = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(library_folder)}
    loaded = subprocess.run(["ldd", str(program)], env=environment, check=True, capture_output=True, text=True).stdout
    assert "swift" not in loaded.lower(), loaded
    ran = subprocess.run([str(program), str(REPO / "policies")], env=environment, check=True, capture_output=True, text=True)
    decision = json.loads(ran.stdout)
    assert decision["allowed"] is True
    broken = subprocess.run([str(program), str(REPO / "examples" / "broken-policies")], env=environment, capture_output=True, text=True)
    assert broken.returncode == 1
    assert json.loads(broken.stderr)["diagnostics"]
