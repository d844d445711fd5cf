#!/usr/bin/env python3
"""Where Junction's CPU goes per proxied request, from async-profiler's collapsed stacks taken during
a saturated run of bench/run --profile, next to nginx's for the same request. Writes
bench/reports/profile.md.

Each sample is put in one bucket by its thread and, on the event loops, by its innermost frame: kernel
(system calls and the TCP stack under them), Netty/Vert.x (HTTP codec, client, event loop), or the
innermost Junction step on the stack. A bucket's share of samples times Junction's measured CPU per
request gives its microseconds."""
import json
import sys
from collections import Counter
from pathlib import Path

results, reports, chunks = Path(sys.argv[1]), Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]

KERNEL_LEAVES = {"writev", "recv", "read", "write", "epoll_pwait2", "epoll_wait", "[vdso]"}
STEPS = [  # innermost Junction frame -> bucket
    ("dev/junction/observe", "metrics"), ("io/micrometer", "metrics"),
    ("RequestInspector", "request inspection (JSON scan of the body)"), ("api/Json", "request inspection (JSON scan of the body)"),
    ("BodyRewriter", "body rewrite (provider's model spliced in)"),
    ("ResponseReader", "usage read from the answer"),
    ("dev/junction/routing", "routing and live statistics"), ("dev/junction/catalog", "routing and live statistics"),
    ("dev/junction/ledger", "ledger record queued"),
    ("dev/junction/account", "admission (key, limits)"), ("dev/junction/limits", "admission (key, limits)"),
    ("Admission", "admission (key, limits)"),
]


def bucket(frames):
    thread = frames[0]
    if "ledger" in thread:
        return "ledger writer thread (SQLite insert and commit)"
    if "Compiler" in thread:
        return "JIT compilers"
    if "GC" in thread or "G1" in thread or "VM Thread" in thread:
        return "garbage collector and VM threads"
    if "eventloop" not in thread:
        return "other threads"
    leaf = frames[-1]
    if leaf.endswith("_[k]") or leaf in KERNEL_LEAVES:
        return "kernel: socket reads and writes, epoll (event loops)"
    if any("setTimer" in f or "cancelTimer" in f or "scheduleTimeout" in f for f in frames):
        return "timers (one per attempt)"
    ours = [f for f in frames if f.startswith("dev/junction")]
    if not ours:
        return "Netty/Vert.x: HTTP codec, client, event loop"
    for key, name in STEPS:
        if key in ours[-1]:
            return name
    return "Junction request path, other (pipeline, attempt, headers)" if leaf.startswith("dev/junction") \
        else "Netty/Vert.x: HTTP codec, client, event loop"


samples = Counter()
for chunk in chunks:
    for line in chunk.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack:
            samples[bucket(stack.split(";"))] += int(n)
total = sum(samples.values())


def per_request(name, process):
    run, cpu = json.loads((results / f"sat-{name}.json").read_text()), json.loads((results / f"sat-{name}.cpu.json").read_text())
    requests = run["requests"]
    return cpu[process] / requests * 1e6 if requests else None, run["rps"]


junction_us, junction_rps = per_request("profile-junction", "junction")
direct_us, direct_rps = per_request("profile-direct", "nginx")
hop_total_us, hop_rps = per_request("profile-hop", "nginx")
lines = ["# Where the CPU goes per proxied request", "",
         "From `bench/run --profile`: async-profiler (CPU samples every 0.5 ms, all threads) on Junction during a "
         "saturated run (wrk, one thread, 32 connections, non-streaming chat against nginx serving a recorded answer); "
         "CPU per request from `/proc` over the same run.", "",
         f"- Junction: {junction_rps:,.0f} req/s, **{junction_us:.1f} µs of CPU per request** ({total:,} samples)",
         f"- nginx serving the recorded answer (direct): {direct_rps:,.0f} req/s, {direct_us:.1f} µs per request",
         f"- nginx reverse-proxy hop in front of it: {hop_rps:,.0f} req/s, {hop_total_us:.1f} µs per request for both "
         f"nginx servers, so **{hop_total_us - direct_us:.1f} µs** for the hop itself", "",
         "| where | share of Junction's samples | µs per request |", "|---|---|---|"]
for name, n in samples.most_common():
    lines.append(f"| {name} | {n / total * 100:.1f}% | {n / total * junction_us:.1f} |")
reports.mkdir(parents=True, exist_ok=True)
(reports / "profile.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
