"""The C side: the example builds with the system's cc and runs, and the library needs no
Swift toolchain at run time."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


def _toolchain_free_environment(library_folder: Path) -> dict:
    """The loader path holds `library_folder` only: no LD_LIBRARY_PATH entry of the toolchain's,
    and the test fails if the system's loader cache knows a Swift library."""
    cache = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    assert "libswiftCore" not in cache, "the loader cache lists the Swift runtime: this test would prove nothing"
    return {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(library_folder)}


def test_python_loads_and_decides_without_the_toolchain(tmp_path: Path) -> None:
    environment = _toolchain_free_environment(LIBRARY.parent)
    environment["PYTHONPATH"] = str(LIBRARY.parents[1])
    script = (
        "import json, sortie\n"
        f"p = sortie.Policy({str(REPO / 'policies')!r})\n"
        "d = p.decide({'agent': {'id': 'a', 'license': 'premium', 'state': 'available'}, 'channel': 'sms',"
        " 'to': '+33612345678', 'entryPoint': 'support-sms-fr'})\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(json.dumps({'allowed': d['allowed'], 'swift': [l for l in maps.splitlines() if 'libswift' in l or 'libFoundation' in l]}))\n")
    ran = subprocess.run([sys.executable, "-c", script], env=environment, check=True, capture_output=True, text=True)
    result = json.loads(ran.stdout)
    assert result == {"allowed": True, "swift": []}, result


@pytest.fixture(scope="module")
def abi_check(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """tests/c/leak_check.c built with cc, and 300 generated requests for it."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    folder = tmp_path_factory.mktemp("abi-check")
    program = folder / "leak_check"
    subprocess.run(["cc", "-O1", str(Path(__file__).with_name("c") / "leak_check.c"), "-I", str(REPO / "include"),
                    "-L", str(LIBRARY.parent), "-lSortieC", "-o", str(program)], check=True)
    requests = folder / "requests.jsonl"
    generated = subprocess.run([sys.executable, str(REPO / "Benchmarks" / "write-eval-requests.py"), str(requests), "300"],
                               capture_output=True, text=True)
    assert generated.returncode == 0, generated.stderr
    arguments = [str(program), str(REPO / "policies"), str(REPO / "examples" / "broken-policies"), str(requests)]
    return arguments, _toolchain_free_environment(LIBRARY.parent)


def test_every_entry_point_answers_and_refuses_null_arguments(abi_check: tuple) -> None:
    arguments, environment = abi_check
    ran = subprocess.run(arguments + ["1"], env=environment, capture_output=True, text=True)
    assert ran.returncode == 0, f"leak_check.c stopped at its check {ran.returncode}: {ran.stderr}"
    assert int(ran.stdout) >= 300


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="no valgrind")
def test_no_call_of_the_abi_leaks_under_valgrind(abi_check: tuple) -> None:
    arguments, environment = abi_check
    # Definite and indirect losses fail the run; the Swift runtime's metadata caches, kept for
    # the process's life and reachable, are not leaks.
    ran = subprocess.run(["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                          "--show-leak-kinds=definite,indirect", "--error-exitcode=99"] + arguments + ["3"],
                         env=environment, capture_output=True, text=True, timeout=900)
    assert ran.returncode == 0, ran.stderr[-4000:]
    assert int(ran.stdout) >= 900, ran.stdout
    assert "definitely lost: 0 bytes" in ran.stderr or "All heap blocks were freed" in ran.stderr, ran.stderr[-4000:]
