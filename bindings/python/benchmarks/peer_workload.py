"""The peer workload: 200 profiles, 1,000 entry points and 100,000 mixed requests, seeded.

The same shape as the Swift evaluate benchmark's fixture (Benchmarks/Benchmarks/
EvaluateBenchmark/EvaluateFixture.swift): profiles assigned at every level (agents, teams,
sites) to `member-<i>`, half SMS and half email entry points, and a stream of 80 % start
(some refused for state, limit, destination or entry point), 10 % options, 5 % operation and
5 % close. `write(folder)` writes the policy set as YAML and the requests as JSON Lines.

    python3 bindings/python/benchmarks/peer_workload.py /tmp/peer-workload
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Dict, List

PROFILES = 200
ENTRY_POINTS = 1000
MEMBERS = 220  # member-200 … member-219 have no profile of their own: the default applies
ALLOWED_STATES = ("available", "rona")
WRAP_UP_REASONS = ("resolu", "a-rappeler")
DISALLOWED_TRIGGERS = ("task-created", "task-routed", "task-completed")  # SPEC §1's default


def sms_limit(profile: int) -> int:
    return 1 + profile % 5


def email_limit(profile: int) -> int:
    return 1 + profile % 3


def entry_point_channel(index: int) -> str:
    return "sms" if index % 2 == 0 else "email"


def policy_files() -> Dict[str, str]:
    """The policy set, file name to YAML text."""
    files = {
        "tenant.yaml": """apiVersion: sortie/v1
kind: Tenant
metadata: { name: acme-fr }
spec:
  digitalChannels: true
  licenses: { premium: { outbound: true }, standard: { outbound: false } }
  agentStates: [available, idle, rona, engaged]
  locales: [fr, en]
  defaultProfile: profile-0
---
apiVersion: sortie/v1
kind: OutboundPolicy
metadata: { name: outbound }
spec:
  allowedAgentStates: [available, rona]
  wrapUpReasons: [resolu, a-rappeler]
  emailSubjectReuse: warn
""",
    }
    profiles = []
    for i in range(PROFILES):
        level = ("agents", "teams", "sites")[i % 3]
        profiles.append(
            f"apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: {{ name: profile-{i} }}\n"
            f"spec: {{ channels: {{ sms: {{ maxOutboundTasks: {sms_limit(i)} }}, email: {{ maxOutboundTasks: {email_limit(i)} }} }}, "
            f"assignedTo: {{ {level}: [member-{i}] }} }}\n")
    files["profiles.yaml"] = "---\n".join(profiles)
    entry_points = []
    for i in range(ENTRY_POINTS):
        channel = entry_point_channel(i)
        address = f'"+3318695{str(1000 + i)[-4:]}"' if channel == "sms" else f"ep-{i}@acme.fr"
        entry_points.append(f"apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: {{ name: ep-{i} }}\n"
                            f"spec: {{ channel: {channel}, address: {address} }}\n")
    files["entry-points.yaml"] = "---\n".join(entry_points)
    return files


def requests(count: int = 100_000, seed: int = 42) -> List[dict]:
    """The request stream, as dicts in the order `sortie eval` would read them."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        roll = rng.randrange(100)
        member = f"member-{rng.randrange(MEMBERS)}"
        agent = {"id": member, "license": "standard" if rng.random() < 0.02 else "premium",
                 "state": "idle" if rng.random() < 0.1 else "available", "team": member, "site": member}
        if roll < 80:
            sms = rng.random() < 0.5
            ep = rng.randrange(500) * 2 + (0 if sms else 1)
            if rng.random() < 0.03:
                ep = ep + 1  # the other channel's entry point
            if sms:
                to = (f"+33 6 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
                      if rng.random() < 0.97 else rng.choice(["06 12 34 56 78", "+33 6"]))
            else:
                to = f"client{i}@exemple.fr" if rng.random() < 0.97 else "client@"
            request = {"id": f"r-{i}", "agent": agent,
                       "activeOutbound": {"sms": rng.randrange(3), "email": rng.randrange(2)},
                       "channel": "sms" if sms else "email", "to": to, "entryPoint": f"ep-{ep % ENTRY_POINTS}"}
            if not sms:
                request["subject"] = f"Dossier {i}"
            if rng.random() < 0.03:
                request["destinationActive"] = True
        elif roll < 90:
            request = {"id": f"o-{i}", "action": "options", "agent": agent,
                       "activeOutbound": {"sms": rng.randrange(3), "email": rng.randrange(2)}}
        elif roll < 95:
            request = {"id": f"p-{i}", "action": "operation", "agent": {"id": member}, "operation": "workflow",
                       "trigger": rng.choice(["task-created", "manual"])}
        else:
            request = {"id": f"c-{i}", "action": "close", "agent": {"id": member},
                       "wrapUpReason": rng.choice(WRAP_UP_REASONS + ("autre",))}
        out.append(request)
    return out


def json_lines(items: List[dict]) -> bytes:
    return b"".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for item in items)


def write(folder: "str | Path", count: int = 100_000) -> Path:
    """Writes `policies/` and `requests.jsonl` under `folder`; returns the policy folder."""
    folder = Path(folder)
    policies = folder / "policies"
    policies.mkdir(parents=True, exist_ok=True)
    for name, text in policy_files().items():
        (policies / name).write_text(text, encoding="utf-8")
    (folder / "requests.jsonl").write_bytes(json_lines(requests(count)))
    return policies


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: peer_workload.py FOLDER [COUNT]")
    print(write(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 100_000))
