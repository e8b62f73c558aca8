#!/usr/bin/env python3
"""Writes the lint benchmark's set to a directory (the same documents as
Benchmarks/LintBenchmark/SyntheticPolicySet.swift), for timing the `sortie lint` command:
    python3 Benchmarks/write-lint-set.py /tmp/lint-set && .build/release/sortie lint --timings /tmp/lint-set
"""
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lint-set"
os.makedirs(out, exist_ok=True)
docs = ["""apiVersion: sortie/v1
kind: Tenant
metadata: { name: acme-fr, description: "Synthetic tenant for the lint benchmark" }
spec:
  digitalChannels: true
  licenses:
    premium: { outbound: true }
    standard: { outbound: false }
  agentStates: [available, idle, rona, engaged, wrap-up]
  locales: [fr, en]
  defaultProfile: profile-0""", """apiVersion: sortie/v1
kind: OutboundPolicy
metadata: { name: outbound }
spec:
  allowedAgentStates: [available, rona]
  wrapUpReasons: [resolved, follow-up, no-response]"""]
for i in range(10000):
    level = ["agents", "teams", "sites"][i % 3]
    docs.append(f"""apiVersion: sortie/v1
kind: MultimediaProfile
metadata:
  name: profile-{i}
  description: Profile number {i}
spec:
  channels:
    sms: {{ maxOutboundTasks: {1 + i % 9} }}
    email:
      maxOutboundTasks: {1 + i % 5}
  assignedTo:
    {level}: [member-{i}]""")
for i in range(50000):
    if i % 2 == 0:
        docs.append(f"""apiVersion: sortie/v1
kind: EntryPoint
metadata: {{ name: entry-{i} }}
spec: {{ channel: sms, address: "+33 1 {str(10000000 + i)[1:]}" }}""")
    else:
        docs.append(f"""apiVersion: sortie/v1
kind: EntryPoint
metadata: {{ name: entry-{i} }}
spec:
  channel: email
  address: "contact-{i}@acme-assurances.fr\"""")
files = [[] for _ in range(100)]
for i, doc in enumerate(docs):
    files[i % 100].append(doc)
for i, f in enumerate(files):
    with open(os.path.join(out, f"file-{i}.yaml"), "w") as fh:
        fh.write("\n---\n".join(f) + "\n")
print(f"wrote {len(docs)} documents in 100 files to {out}")
