"""The peer workload's rules as a plain Python function: what a team would write by hand.

It makes the checks Sortie makes on `peer_workload`'s policy (license, state, profile and
its per-channel limit, destination, entry point and its channel, one conversation per
destination, subject, operation triggers, wrap-up reasons) and answers the reason codes,
without messages, locales, revisions or details. Kept beside the benchmark so that the
benchmark can check that it agrees with Sortie on every request.
"""
from __future__ import annotations

import json
import re
from typing import Dict, List, Optional

import peer_workload as workload

_SMS = re.compile(r"^\+[1-9][0-9]{7,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SEPARATORS = str.maketrans("", "", " .-()")


class PlainChecks:
    """The workload's policy as Python dictionaries, built once."""

    def __init__(self) -> None:
        self.profiles: Dict[str, tuple] = {}
        for i in range(workload.PROFILES):
            self.profiles[f"member-{i}"] = (f"profile-{i}", workload.sms_limit(i), workload.email_limit(i))
        self.default = ("profile-0", workload.sms_limit(0), workload.email_limit(0))
        self.entry_points = {f"ep-{i}": workload.entry_point_channel(i) for i in range(workload.ENTRY_POINTS)}
        self.by_channel = {channel: sorted(name for name, c in self.entry_points.items() if c == channel)
                           for channel in ("sms", "email")}

    def profile(self, agent: dict) -> tuple:
        for key in ("id", "team", "site"):
            found = self.profiles.get(agent.get(key) or "")
            if found:
                return found
        return self.default

    def _agent_reasons(self, agent: dict) -> List[str]:
        reasons = []
        if agent.get("license") != "premium":
            reasons.append("LICENSE_NOT_ELIGIBLE")
        if agent.get("state") not in workload.ALLOWED_STATES:
            reasons.append("AGENT_STATE_NOT_ALLOWED")
        return reasons

    def decide(self, request: dict) -> dict:
        """One request dict to `{"id", "allowed", "reasons": [codes]}` (plus `channels` for options)."""
        action = request.get("action", "start")
        agent = request.get("agent") or {}
        reasons: List[str] = []
        if action == "start":
            reasons = self._agent_reasons(agent)
            channel = request.get("channel")
            _, sms_limit, email_limit = self.profile(agent)
            active = (request.get("activeOutbound") or {}).get(channel, 0)
            if active >= (sms_limit if channel == "sms" else email_limit):
                reasons.append("OUTBOUND_LIMIT_REACHED")
            to = request.get("to") or ""
            valid = _SMS.match(to.translate(_SEPARATORS)) if channel == "sms" else _EMAIL.match(to.strip().lower())
            if not valid:
                reasons.append("INVALID_DESTINATION")
            entry_point = self.entry_points.get(request.get("entryPoint") or "")
            if entry_point is None:
                reasons.append("ENTRY_POINT_NOT_FOUND")
            elif entry_point != channel:
                reasons.append("ENTRY_POINT_CHANNEL_MISMATCH")
            if request.get("destinationActive"):
                reasons.append("CONVERSATION_ALREADY_ACTIVE")
            if channel == "email" and not (request.get("subject") or "").strip():
                reasons.append("EMAIL_SUBJECT_REQUIRED")
        elif action == "options":
            agent_reasons = self._agent_reasons(agent)
            _, sms_limit, email_limit = self.profile(agent)
            active = request.get("activeOutbound") or {}
            channels = []
            for channel, limit in (("sms", sms_limit), ("email", email_limit)):
                channel_reasons = ["OUTBOUND_LIMIT_REACHED"] if active.get(channel, 0) >= limit else []
                channels.append({"channel": channel, "allowed": not agent_reasons and not channel_reasons, "limit": limit,
                                 "entryPoints": self.by_channel[channel], "reasons": channel_reasons})
            return {"id": request.get("id"), "allowed": any(c["allowed"] for c in channels), "channels": channels,
                    "reasons": agent_reasons}
        elif action == "operation":
            operation = request.get("operation")
            if operation in ("conference", "transfer"):
                reasons.append(operation.upper() + "_NOT_ALLOWED")
            elif operation == "workflow" and request.get("trigger") in workload.DISALLOWED_TRIGGERS:
                reasons.append("WORKFLOW_TRIGGER_NOT_ALLOWED")
        elif action == "close":
            reason: Optional[str] = request.get("wrapUpReason")
            if not reason:
                reasons.append("WRAP_UP_REASON_REQUIRED")
            elif reason not in workload.WRAP_UP_REASONS:
                reasons.append("WRAP_UP_REASON_UNKNOWN")
        return {"id": request.get("id"), "allowed": not reasons, "reasons": reasons}

    def decide_lines(self, lines: bytes) -> bytes:
        """A JSON Lines batch to one decision line each, as the batch call does."""
        out = []
        for line in lines.splitlines():
            if line.strip():
                out.append(json.dumps(self.decide(json.loads(line)), separators=(",", ":")))
        return ("\n".join(out) + "\n").encode("utf-8") if out else b""
