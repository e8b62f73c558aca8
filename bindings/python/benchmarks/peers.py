"""Sortie from Python beside cedarpy and a plain Python function, on the peer workload.

    scripts/build-c-library && pip install ./bindings/python   # or PYTHONPATH=bindings/python
    python3 -m pip install cedarpy
    python3 bindings/python/benchmarks/peers.py [--count 100000] [--rounds 5]

Writes the seeded workload (peer_workload.py) to a temporary folder, checks that the three
agree on every request (Sortie's reason codes against the plain function's, Sortie's
`allowed` against Cedar's), then times, in alternated rounds, each per-request call over the
whole stream and each batch call on the whole batch. It prints ns per decision (the median of
the rounds, with the range) and Sortie's ratio to cedarpy, as a Markdown table.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cedar_model  # noqa: E402
import peer_workload  # noqa: E402
from plain_checks import PlainChecks  # noqa: E402

import sortie  # noqa: E402


def agreement(decisions: List[dict], plain: List[dict], cedar: List[bool]) -> List[str]:
    """Where the three disagree: a line per request, empty when they agree on all."""
    problems = []
    for d, p, c in zip(decisions, plain, cedar):
        codes = sorted(r["code"] for r in d["reasons"])
        if "channels" in d:
            codes = sorted(codes + [r["code"] for ch in d["channels"] for r in ch["reasons"]])
            expected = sorted(p["reasons"] + [r for ch in p["channels"] for r in ch["reasons"]])
        else:
            expected = sorted(p["reasons"])
        if d["allowed"] != p["allowed"] or codes != expected:
            problems.append(f"{d['id']}: sortie {d['allowed']} {codes}, plain {p['allowed']} {expected}")
        if d["allowed"] != c:
            problems.append(f"{d['id']}: sortie {d['allowed']}, cedar {c}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--without-options", action="store_true",
                        help="leave out the options requests, whose answers list every entry point (12 KB each here)")
    arguments = parser.parse_args()
    import cedarpy

    folder = Path(tempfile.mkdtemp(prefix="sortie-peers-"))
    policies = peer_workload.write(folder, arguments.count)
    batch = (folder / "requests.jsonl").read_bytes()
    lines = batch.splitlines()
    if arguments.without_options:
        lines = [line for line in lines if not line.startswith(b'{"id":"o-')]
        batch = b"\n".join(lines) + b"\n"
    requests = [json.loads(line) for line in lines]

    policy = sortie.Policy(policies)
    plain = PlainChecks()
    cedar_policies = cedarpy.PolicySet.from_str(cedar_model.POLICIES)
    cedar_entities = cedarpy.Entities.from_json_str(json.dumps(cedar_model.entities()))
    cedar_requests = [cedar_model.request(r) for r in requests]

    decisions = [json.loads(line) for line in policy.decide_lines(batch).splitlines()]
    cedar_answers = [r.allowed for r in cedarpy.is_authorized_batch(cedar_requests, cedar_policies, cedar_entities)]
    problems = agreement(decisions, [plain.decide(r) for r in requests], cedar_answers)
    if problems:
        print(f"{len(problems)} disagreements, first ones:\n" + "\n".join(problems[:10]), file=sys.stderr)
        return 1
    allowed = sum(d["allowed"] for d in decisions)
    print(f"{len(requests)} requests, {allowed} allowed: Sortie, cedarpy and the plain function agree on every one\n")

    def per_request(call: Callable, items: list) -> Callable[[], None]:
        return lambda: [call(item) for item in items] and None

    runs: Dict[str, Callable[[], None]] = {
        "sortie `decide(dict)`, per request": per_request(policy.decide, requests),
        "sortie `decide_json(bytes)`, per request": per_request(policy.decide_json, lines),
        "cedarpy `is_authorized`, per request": per_request(
            lambda r: cedarpy.is_authorized(r, cedar_policies, cedar_entities), cedar_requests),
        "plain Python `decide(dict)`, per request": per_request(plain.decide, requests),
        "sortie `decide_lines`, the batch": lambda: policy.decide_lines(batch) and None,
        "cedarpy `is_authorized_batch`, the batch": lambda: cedarpy.is_authorized_batch(
            cedar_requests, cedar_policies, cedar_entities) and None,
        "plain Python, JSON Lines in and out, the batch": lambda: plain.decide_lines(batch) and None,
    }
    times: Dict[str, List[float]] = {name: [] for name in runs}
    for _ in range(arguments.rounds):
        for name, run in runs.items():
            # As timeit does: the cycle collector off while the clock runs, so that a pass
            # started by one call's garbage is not charged to another.
            gc.collect()
            gc.disable()
            start = time.perf_counter_ns()
            run()
            times[name].append((time.perf_counter_ns() - start) / len(requests))
            gc.enable()

    median = {name: statistics.median(t) for name, t in times.items()}
    cedar_single = median["cedarpy `is_authorized`, per request"]
    cedar_batch = median["cedarpy `is_authorized_batch`, the batch"]
    plain_batch = median["plain Python, JSON Lines in and out, the batch"]
    print(f"{len(requests)} requests, {arguments.rounds} alternated rounds, the cycle collector off while timing\n")
    print(f"| call | ns/decision (median of {arguments.rounds}) | range | × cedarpy's rate |")
    print("|---|---|---|---|")
    for name, t in times.items():
        base = cedar_batch if "batch" in name else cedar_single
        print(f"| {name} | {median[name]:,.0f} | {min(t):,.0f}–{max(t):,.0f} | {base / median[name]:.1f}× |")
    lines_median = median["sortie `decide_lines`, the batch"]
    print(f"\nsortie `decide_lines` against the plain Python batch: {plain_batch / lines_median:.1f}× its rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
