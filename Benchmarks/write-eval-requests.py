#!/usr/bin/env python3
"""Writes a JSON Lines file of mixed requests for `sortie eval` on the shipped policies/.

The mix follows the Evaluate benchmark's (docs/benchmarks.md): 80 % start (some refused for
state, license, limit, destination, entry point, subject), 10 % options, 5 % operation,
5 % close, plus 0.5 % malformed lines (bad JSON, unknown field, wrong type) so the
INVALID_REQUEST path is timed too. Seeded, so every run writes the same bytes.

    python3 Benchmarks/write-eval-requests.py /tmp/requests.jsonl 1000000

With --recipient-facts, every start also carries the fields SPEC §7's rules read: `at` (inside
the contact hours of docs/benchmarks.md's policy on three lines in four), `optedOut` (true on
one in ten) and, on email, `recipientTimeZone`. The other bytes are the same as without it.
"""
import json
import random
import sys

AGENTS = ["agent-007", "agent-042"] + [f"agent-{n:03d}" for n in range(100, 160)]
TEAMS = ["recouvrement-fr", "relances-impayes", "support-fr", None]
SITES = ["lyon", "paris", "lille", None]
SMS_EPS = ["support-sms-fr", "relances-sms"]
EMAIL_EPS = ["service-client", "sinistres"]


def agent(rng, full=True):
    a = {"id": rng.choice(AGENTS)}
    if full:
        a["license"] = "standard" if rng.random() < 0.03 else "premium"
        a["state"] = "idle" if rng.random() < 0.1 else rng.choice(["available", "available", "rona"])
        team, site = rng.choice(TEAMS), rng.choice(SITES)
        if team is not None:
            a["team"] = team
        if site is not None:
            a["site"] = site
    return a


def start(rng, i):
    sms = rng.random() < 0.5
    r = {"id": f"r-{i}", "agent": agent(rng),
         "activeOutbound": {"sms": rng.randrange(3), "email": rng.randrange(2)},
         "channel": "sms" if sms else "email"}
    if rng.random() < 0.3:
        r["locale"] = rng.choice(["fr", "en", "de"])
    if sms:
        r["to"] = rng.choice([
            f"+33 6 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            f"+33 (0)6 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            f"+336{rng.randrange(10000000, 99999999)}",
        ]) if rng.random() < 0.95 else rng.choice(["06 12 34 56 78", "+999123456789", "+33 6"])
        r["entryPoint"] = rng.choice(SMS_EPS) if rng.random() < 0.95 else rng.choice(["service-client", "nope", None])
    else:
        r["to"] = f"client{i}@exemple.fr" if rng.random() < 0.95 else rng.choice(["bad@", "Client@Exemple.FR "])
        r["entryPoint"] = rng.choice(EMAIL_EPS) if rng.random() < 0.95 else rng.choice(["support-sms-fr", "nope"])
        r["subject"] = f"Dossier {i}" if rng.random() < 0.95 else rng.choice(["  ", None])
        r["subjectUsed"] = rng.random() < 0.2
    if rng.random() < 0.05:
        r["destinationActive"] = True
    return r


def line(rng, i):
    roll = rng.random()
    if roll < 0.005:
        return rng.choice([
            "not json",
            json.dumps({"id": f"m-{i}", "agent": agent(rng), "channel": "sms", "to": "+33612345678", "destinationActiv": True}, separators=(",", ":")),
            json.dumps({"id": f"m-{i}", "agent": agent(rng), "activeOutbound": {"sms": -1}, "channel": "sms", "to": "+33612345678"}, separators=(",", ":")),
            json.dumps({"id": f"m-{i}", "action": "stop", "agent": agent(rng)}, separators=(",", ":")),
        ])
    if roll < 0.805:
        r = start(rng, i)
    elif roll < 0.905:
        r = {"id": f"o-{i}", "action": "options", "agent": agent(rng), "activeOutbound": {"sms": rng.randrange(3)}}
    elif roll < 0.955:
        op = rng.choice(["workflow", "workflow", "conference", "transfer"])
        r = {"id": f"p-{i}", "action": "operation", "agent": agent(rng, full=False), "operation": op}
        if op == "workflow":
            r["trigger"] = rng.choice(["task-created", "manual"])
    else:
        r = {"id": f"c-{i}", "action": "close", "agent": agent(rng, full=False),
             "wrapUpReason": rng.choice(["resolu", "a-rappeler", "autre", " ", None])}
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))


def with_recipient_facts(text, rng):
    """The line with `at`, `optedOut` and (email) `recipientTimeZone` when it is a start."""
    try:
        r = json.loads(text)
    except ValueError:
        return text
    if not isinstance(r, dict) or r.get("action", "start") != "start" or "channel" not in r:
        return text
    r["at"] = "2026-12-02T22:30:00Z" if rng.random() < 0.25 else "2026-12-02T10:15:00Z"
    r["optedOut"] = rng.random() < 0.1
    if r["channel"] == "email":
        r["recipientTimeZone"] = "Europe/Paris"
    return json.dumps(r, ensure_ascii=False, separators=(",", ":"))


def main():
    args = [a for a in sys.argv[1:] if a != "--recipient-facts"]
    facts = "--recipient-facts" in sys.argv[1:]
    path = args[0]
    count = int(args[1]) if len(args) > 1 else 1_000_000
    rng = random.Random(42)
    facts_rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(count):
            text = line(rng, i)
            f.write((with_recipient_facts(text, facts_rng) if facts else text) + "\n")


if __name__ == "__main__":
    main()
