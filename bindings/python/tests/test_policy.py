"""The Python package over libSortieC: loading, every action, malformed input, the batch call
against `sortie eval`, and concurrent use."""
from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

import sortie

REPO = Path(__file__).resolve().parents[3]
POLICIES = REPO / "policies"
SORTIE = os.environ.get("SORTIE_BIN", str(REPO / ".build" / "debug" / "sortie"))
AGENT = {"id": "agent-1", "license": "premium", "state": "available"}


@pytest.fixture(scope="module")
def policy() -> sortie.Policy:
    return sortie.Policy(POLICIES)


def test_the_abi_version_is_the_packages() -> None:
    assert sortie.abi_version() == 1


def test_a_directory_loads_with_its_revision(policy: sortie.Policy) -> None:
    assert policy.revision.startswith("sha256:")
    decision = policy.decide({"agent": AGENT, "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms-fr"})
    assert decision["allowed"] is True
    assert decision["revision"] == policy.revision


def test_a_bundle_loads_and_decides_the_same(policy: sortie.Policy, tmp_path: Path) -> None:
    bundle = tmp_path / "policy.bundle"
    subprocess.run([SORTIE, "compile", "--policies", str(POLICIES), "--output", str(bundle)], check=True)
    loaded = sortie.Policy(bundle)
    assert loaded.revision == policy.revision
    request = b'{"agent":{"id":"a","license":"premium","state":"available"},"channel":"email","to":"x@example.com"}'
    assert loaded.decide_json(request) == policy.decide_json(request)


def test_a_broken_set_raises_with_its_diagnostics() -> None:
    with pytest.raises(sortie.PolicyError) as raised:
        sortie.Policy(REPO / "examples" / "broken-policies")
    rules = {d["rule"] for d in raised.value.diagnostics}
    assert {"unknown-field", "wrong-type", "duplicate-key"} <= rules
    assert all(d["file"].startswith(str(Path("examples") / "broken-policies")) or "broken-policies" in d["file"]
               for d in raised.value.diagnostics)


def test_a_missing_path_raises_without_diagnostics(tmp_path: Path) -> None:
    with pytest.raises(sortie.PolicyError) as raised:
        sortie.Policy(tmp_path / "nothing-here")
    assert raised.value.diagnostics == []


@pytest.mark.parametrize("request_, code", [
    ({"agent": {**AGENT, "state": "idle"}, "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms-fr"},
     "AGENT_STATE_NOT_ALLOWED"),
    ({"agent": AGENT, "action": "operation", "operation": "conference"}, "CONFERENCE_NOT_ALLOWED"),
    ({"agent": AGENT, "action": "close"}, "WRAP_UP_REASON_REQUIRED"),
    ({"agent": AGENT, "action": "message", "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms-fr",
      "optedOut": True}, "RECIPIENT_OPTED_OUT"),
    ({"agent": AGENT, "channel": "sms", "to": "+33612345678", "unknown": 1}, "INVALID_REQUEST"),
])
def test_every_action_is_decided(policy: sortie.Policy, request_: dict, code: str) -> None:
    decision = policy.decide(request_)
    assert decision["allowed"] is False
    assert decision["reasons"][0]["code"] == code


def test_options_lists_channels(policy: sortie.Policy) -> None:
    assert "channels" in policy.decide({"agent": AGENT, "action": "options"})


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1,2]", b'{"agent":', "{\"agent\":\"\u00e9\"}".encode()])
def test_malformed_bytes_are_invalid_request(policy: sortie.Policy, raw: bytes) -> None:
    decision = json.loads(policy.decide_json(raw))
    assert decision["reasons"][0]["code"] == "INVALID_REQUEST"


def test_explain_gives_the_steps(policy: sortie.Policy) -> None:
    explained = policy.explain({"agent": AGENT, "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms-fr"})
    assert explained["allowed"] is True
    assert explained["explain"]


def test_decide_lines_is_byte_identical_to_sortie_eval(policy: sortie.Policy, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    subprocess.run(["python3", str(REPO / "Benchmarks" / "write-eval-requests.py"), str(requests), "20000"], check=True,
                   stdout=subprocess.DEVNULL)
    expected = subprocess.run([SORTIE, "eval", "--policies", str(POLICIES), str(requests)], check=True,
                              capture_output=True).stdout
    assert policy.decide_lines(requests.read_bytes()) == expected
    # One line at a time gives the same decisions.
    lines = [line for line in requests.read_bytes().split(b"\n") if line.strip()]
    assert b"".join(policy.decide_json(line) + b"\n" for line in lines[:2000]) == b"".join(expected.splitlines(True)[:2000])


def test_eight_threads_share_one_policy(policy: sortie.Policy) -> None:
    requests = [json.dumps({"id": f"r-{n}", "agent": {**AGENT, "id": f"agent-{n % 7}"}, "channel": "sms",
                            "to": f"+336123456{n % 100:02d}", "entryPoint": "support-sms-fr"}).encode() for n in range(400)]
    expected = [policy.decide_json(r) for r in requests]
    failures: list[str] = []

    def work() -> None:
        for _ in range(25):
            for request, want in zip(requests, expected):
                if policy.decide_json(request) != want:
                    failures.append(request.decode())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
