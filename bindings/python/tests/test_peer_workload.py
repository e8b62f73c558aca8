"""The benchmark's workload and its two peers stay honest: the plain Python function and the
Cedar model decide every generated request as Sortie does (scripts/install-deps installs
cedarpy)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import sortie

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import peer_workload  # noqa: E402
from peers import agreement  # noqa: E402
from plain_checks import PlainChecks  # noqa: E402


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    folder = tmp_path_factory.mktemp("peer-workload")
    policies = peer_workload.write(folder, 4_000)
    batch = (folder / "requests.jsonl").read_bytes()
    policy = sortie.Policy(policies)
    decisions = [json.loads(line) for line in policy.decide_lines(batch).splitlines()]
    return [json.loads(line) for line in batch.splitlines()], decisions


def test_the_workload_is_seeded() -> None:
    assert peer_workload.json_lines(peer_workload.requests(500)) == peer_workload.json_lines(peer_workload.requests(500))


def test_the_workload_refuses_for_many_reasons(workload: tuple) -> None:
    _, decisions = workload
    codes = {r["code"] for d in decisions for r in d["reasons"]}
    assert {"AGENT_STATE_NOT_ALLOWED", "LICENSE_NOT_ELIGIBLE", "OUTBOUND_LIMIT_REACHED", "INVALID_DESTINATION",
            "ENTRY_POINT_CHANNEL_MISMATCH", "CONVERSATION_ALREADY_ACTIVE", "WORKFLOW_TRIGGER_NOT_ALLOWED",
            "WRAP_UP_REASON_UNKNOWN"} <= codes, codes
    assert 0.4 < sum(d["allowed"] for d in decisions) / len(decisions) < 0.9


def test_the_plain_function_and_the_cedar_model_agree_with_sortie(workload: tuple) -> None:
    requests, decisions = workload
    cedarpy = pytest.importorskip("cedarpy")
    import cedar_model

    plain = [PlainChecks().decide(r) for r in requests]
    cedar = [r.allowed for r in cedarpy.is_authorized_batch(
        [cedar_model.request(r) for r in requests], cedarpy.PolicySet.from_str(cedar_model.POLICIES),
        cedarpy.Entities.from_json_str(json.dumps(cedar_model.entities())))]
    assert agreement(decisions, plain, cedar) == []


def test_the_agreement_check_sees_a_disagreement(workload: tuple) -> None:
    requests, decisions = workload
    plain = [PlainChecks().decide(r) for r in requests]
    plain[0] = {**plain[0], "allowed": not plain[0]["allowed"]}
    assert len(agreement(decisions, plain, [d["allowed"] for d in decisions])) == 1
