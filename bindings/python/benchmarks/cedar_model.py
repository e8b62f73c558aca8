"""The peer workload's rules in Cedar, for cedarpy: policies, entities and request mapping.

Cedar answers one permit or deny per request, with no reasons, messages or options list, so
it does less than Sortie here. Its entities carry what Sortie resolves per request: each
agent's profile and limits are looked up through the principal's `profile` attribute; the
destination is checked with `like` patterns only.
"""
from __future__ import annotations

from typing import List

import peer_workload as workload

POLICIES = """
permit(principal is Agent, action == Action::"start", resource is EntryPoint)
when {
  context.license == "premium" &&
  (context.state == "available" || context.state == "rona") &&
  resource.channel == context.channel &&
  !context.destinationActive &&
  (if context.channel == "sms"
   then context.to like "+* * * * * *" && context.active < principal.profile.smsLimit
   else context.to like "*@*.*" && context.active < principal.profile.emailLimit && context.subject != "")
};

permit(principal is Agent, action == Action::"options", resource)
when {
  context.license == "premium" &&
  (context.state == "available" || context.state == "rona") &&
  (context.activeSms < principal.profile.smsLimit || context.activeEmail < principal.profile.emailLimit)
};

permit(principal is Agent, action == Action::"operation", resource)
when {
  context.operation == "workflow" &&
  !(["task-created", "task-routed", "task-completed"].contains(context.trigger))
};

permit(principal is Agent, action == Action::"close", resource)
when { ["resolu", "a-rappeler"].contains(context.wrapUpReason) };
"""


def entities() -> List[dict]:
    """Agents (with their profile), profiles (with their limits) and entry points."""
    out: List[dict] = []
    for i in range(workload.PROFILES):
        out.append({"uid": {"type": "Profile", "id": f"profile-{i}"}, "parents": [],
                    "attrs": {"smsLimit": workload.sms_limit(i), "emailLimit": workload.email_limit(i)}})
    for m in range(workload.MEMBERS):
        profile = f"profile-{m}" if m < workload.PROFILES else "profile-0"
        out.append({"uid": {"type": "Agent", "id": f"member-{m}"}, "parents": [],
                    "attrs": {"profile": {"__entity": {"type": "Profile", "id": profile}}}})
    for i in range(workload.ENTRY_POINTS):
        out.append({"uid": {"type": "EntryPoint", "id": f"ep-{i}"}, "parents": [],
                    "attrs": {"channel": workload.entry_point_channel(i)}})
    return out


def request(r: dict) -> dict:
    """A Sortie request as the Cedar request that asks the same question."""
    action = r.get("action", "start")
    agent = r.get("agent") or {}
    principal = f'Agent::"{agent.get("id", "")}"'
    active = r.get("activeOutbound") or {}
    if action == "start":
        return {"principal": principal, "action": 'Action::"start"', "resource": f'EntryPoint::"{r.get("entryPoint", "")}"',
                "context": {"license": agent.get("license", ""), "state": agent.get("state", ""),
                            "channel": r.get("channel", ""), "to": r.get("to", ""),
                            "active": active.get(r.get("channel", ""), 0),
                            "destinationActive": bool(r.get("destinationActive")),
                            "subject": (r.get("subject") or "").strip()}}
    if action == "options":
        return {"principal": principal, "action": 'Action::"options"', "resource": 'Tenant::"acme-fr"',
                "context": {"license": agent.get("license", ""), "state": agent.get("state", ""),
                            "activeSms": active.get("sms", 0), "activeEmail": active.get("email", 0)}}
    if action == "operation":
        return {"principal": principal, "action": 'Action::"operation"', "resource": 'Tenant::"acme-fr"',
                "context": {"operation": r.get("operation", ""), "trigger": r.get("trigger", "")}}
    return {"principal": principal, "action": 'Action::"close"', "resource": 'Tenant::"acme-fr"',
            "context": {"wrapUpReason": r.get("wrapUpReason") or ""}}
