"""Sortie's policy evaluator, in process: load a policy, decide requests.

A thin ctypes layer over libSortieC (include/sortie.h); decisions are byte-identical to
`sortie eval`'s. A Policy may be used from several threads at once.
"""
from __future__ import annotations

import ctypes
import json
import os
import threading
from pathlib import Path
from typing import Any, List, Optional

__all__ = ["Policy", "PolicyError", "abi_version"]

_ABI_VERSION = 1
_OK, _INVALID_ARGUMENT, _POLICY_ERROR, _BUFFER_TOO_SMALL, _OUT_OF_MEMORY = range(5)


def _load_library() -> ctypes.CDLL:
    path = os.environ.get("SORTIE_LIBRARY") or str(Path(__file__).with_name("libSortieC.so"))
    lib = ctypes.CDLL(path)
    lib.sortie_abi_version.restype = ctypes.c_uint32
    lib.sortie_policy_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
    lib.sortie_policy_load.restype = ctypes.c_int32
    lib.sortie_policy_free.argtypes = [ctypes.c_void_p]
    lib.sortie_policy_free.restype = None
    lib.sortie_policy_revision.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.sortie_policy_revision.restype = ctypes.c_int32
    for name in ("sortie_decide", "sortie_decide_lines", "sortie_explain"):
        function = getattr(lib, name)
        function.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p),
                             ctypes.POINTER(ctypes.c_size_t)]
        function.restype = ctypes.c_int32
    lib.sortie_decide_into.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                                       ctypes.POINTER(ctypes.c_size_t)]
    lib.sortie_decide_into.restype = ctypes.c_int32
    lib.sortie_free.argtypes = [ctypes.c_void_p]
    lib.sortie_free.restype = None
    version = lib.sortie_abi_version()
    if version != _ABI_VERSION:
        raise ImportError(f"{path}: ABI version {version}, this package needs {_ABI_VERSION}")
    return lib


_lib = _load_library()
# Built once: json.dumps with options builds an encoder on every call.
_encode_request = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


def abi_version() -> int:
    """The loaded library's ABI version."""
    return int(_lib.sortie_abi_version())


class PolicyError(Exception):
    """A policy that cannot be loaded: `diagnostics` holds the lint diagnostics (dicts with
    file, line, column, rule, severity, message) when the set does not compile."""

    def __init__(self, message: str, diagnostics: Optional[List[dict]] = None) -> None:
        super().__init__(message)
        self.diagnostics: List[dict] = diagnostics or []


class _Scratch(threading.local):
    """Each thread's buffer for single decisions: written by sortie_decide_into, so that a call
    allocates nothing in the library and needs no second call to free."""

    def __init__(self) -> None:
        self.resize(64 * 1024)
        self.written = ctypes.c_size_t()
        self.written_ref = ctypes.byref(self.written)

    def resize(self, size: int) -> None:
        self.size = size
        self.buffer = ctypes.create_string_buffer(size)
        self.view = memoryview(self.buffer)


_scratch = _Scratch()


def _take(pointer: ctypes.c_void_p, length: int) -> bytes:
    try:
        return ctypes.string_at(pointer.value, length) if length else b""
    finally:
        _lib.sortie_free(pointer)


class Policy:
    """A compiled policy: a directory of YAML files, one file, or a `sortie compile` bundle."""

    def __init__(self, path: "str | os.PathLike[str]") -> None:
        handle = ctypes.c_void_p()
        message = ctypes.c_void_p()
        status = _lib.sortie_policy_load(os.fsencode(os.fspath(path)), ctypes.byref(handle), ctypes.byref(message))
        if status != _OK:
            text = ctypes.string_at(message.value).decode("utf-8") if message.value else "{}"
            _lib.sortie_free(message)
            detail = json.loads(text)
            raise PolicyError(detail.get("error", f"status {status}"), detail.get("diagnostics"))
        self._handle = handle

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            _lib.sortie_policy_free(handle)
            self._handle = None

    @property
    def revision(self) -> str:
        """The policy's revision, `sha256:…`."""
        out = ctypes.c_void_p()
        if _lib.sortie_policy_revision(self._handle, ctypes.byref(out)) != _OK:
            raise MemoryError("sortie_policy_revision failed")
        try:
            return ctypes.string_at(out.value).decode("utf-8")
        finally:
            _lib.sortie_free(out)

    def _call(self, function: Any, data: bytes) -> bytes:
        out = ctypes.c_void_p()
        length = ctypes.c_size_t()
        status = function(self._handle, data, len(data), ctypes.byref(out), ctypes.byref(length))
        if status != _OK:
            raise MemoryError(f"{function.__name__} failed with status {status}")
        return _take(out, length.value)

    def decide_json(self, request: bytes) -> bytes:
        """One request's JSON bytes to its decision's JSON bytes (no line break)."""
        data = bytes(request)
        scratch = _scratch
        while True:
            status = _lib.sortie_decide_into(self._handle, data, len(data), scratch.buffer, scratch.size, scratch.written_ref)
            if status == _OK:
                return scratch.view[:scratch.written.value].tobytes()
            if status != _BUFFER_TOO_SMALL:
                raise MemoryError(f"sortie_decide_into failed with status {status}")
            scratch.resize(max(scratch.written.value, 2 * scratch.size))

    def decide(self, request: dict) -> dict:
        """One request as a dict to its decision as a dict."""
        return json.loads(self.decide_json(_encode_request(request).encode("utf-8")))

    def decide_lines(self, lines: bytes) -> bytes:
        """A JSON Lines batch to its decisions, one line each, as `sortie eval` prints them."""
        return self._call(_lib.sortie_decide_lines, bytes(lines))

    def explain(self, request: dict) -> dict:
        """The decision with the evaluation's steps, as `sortie eval --explain` gives it."""
        return json.loads(self._call(_lib.sortie_explain, _encode_request(request).encode("utf-8")))
