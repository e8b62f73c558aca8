"""No leak across the boundary: a million decisions leave the resident set where it was."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import sortie

REPO = Path(__file__).resolve().parents[3]


def resident_kb() -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_million_decisions_keep_the_resident_set_flat() -> None:
    policy = sortie.Policy(REPO / "policies")
    request = (b'{"agent":{"id":"agent-1","license":"premium","state":"available"},"channel":"sms",'
               b'"to":"+33612345678","entryPoint":"support-sms-fr"}')
    batch = b"\n".join([request] * 10_000) + b"\n"
    for _ in range(10):  # warm up: allocator pools, caches
        policy.decide_lines(batch)
    before = resident_kb()
    for _ in range(100):  # 1,000,000 decisions through the batch call
        policy.decide_lines(batch)
    for _ in range(20_000):  # and some through the single call and its free
        policy.decide_json(request)
    grown = resident_kb() - before
    assert grown < 20_000, f"the resident set grew by {grown} KB"
