#!/usr/bin/env python3
"""Turns the raw results of bench/run into bench/reports/latest.{md,json}: figures side by side and
each target marked met or missed, by how much."""
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

results, reports, machine, command, quick = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] == "1"


def load(name):
    path = results / f"{name}.json"
    try:
        text = path.read_text().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def sat(name):
    r = load(f"sat-{name}")
    return r["rps"] if r else None


def cpu(name):
    """Cores each process used during a run: CPU seconds over the run's wall time."""
    c = load(f"{name}.cpu")
    if not c or not c.get("wall_s"):
        return None
    return {k: round(v / c["wall_s"], 2) for k, v in c.items() if k != "wall_s"}


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


INTERVAL_US = 20_000  # each h2load connection sends every 20 ms (--rps 50)
# bench/run sends for one second more than it counts (RAMP): the requests sent in each run's first
# second, while its connections open and the gateway's upstream pool grows, are left out.
RAMP_US = 1_000_000


def open_loop(name):
    """An h2load run: its latencies as sent, and corrected for coordinated omission. A request that
    took longer than its connection's interval held back the ones due behind it; the samples those
    would have shown (the latency less one interval, less two, ...) are added, as HdrHistogram's
    recordValueWithExpectedInterval does."""
    try:
        lines = (results / f"{name}.h2log").read_text().split("\n")
        out = (results / f"{name}.h2out").read_text()
    except OSError:
        return None
    raw, statuses = [], Counter()
    samples = [parts for parts in (line.split("\t") for line in lines) if len(parts) >= 3]
    start = min((int(parts[0]) for parts in samples), default=0)
    ramp = 0
    for parts in samples:
        statuses[parts[1]] += 1
        if int(parts[0]) - start < RAMP_US:
            ramp += 1
        else:
            raw.append(int(parts[2]))
    if not raw:
        return None
    corrected = list(raw)
    slipped = 0
    for v in raw:
        if v > INTERVAL_US:
            slipped += 1
            missed = v - INTERVAL_US
            while missed > 0:
                corrected.append(missed)
                missed -= INTERVAL_US
    raw.sort()
    corrected.sort()
    m = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", out)
    errors = sum(n for status, n in statuses.items() if not status.startswith("2"))
    m2 = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out)
    if m2:
        errors = max(errors, int(m2.group(5)) + int(m2.group(6)) + int(m2.group(7)))
    pick = lambda xs: {p: percentile(xs, q) for p, q in (("p50", .5), ("p90", .9), ("p99", .99), ("p999", .999))} | {"max": xs[-1]}
    return {"requests": len(raw), "ramp_requests": ramp, "rps": float(m.group(2)) if m else None, "errors": errors, "slipped": slipped,
            "latency": pick(raw), "corrected": pick(corrected), "cpu": cpu(name)}


def bottleneck(c):
    """Which process was busiest during a run, and whether the two cores were full."""
    if not c:
        return "n/a"
    procs = {k: v for k, v in c.items() if k != "machine"}
    busiest = max(procs, key=procs.get)
    # Cores busy machine-wide: more than these processes add up to means something else ran too.
    return f"{busiest} ({procs[busiest]:.2f} of {c.get('machine', sum(procs.values())):.2f} cores busy)"


def ratio(a, b):
    return a / b if a and b else None


def fmt(value, unit="", digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


targets = []


def target(name, value, limit, unit, higher_is_better=False, digits=2):
    if value is None:
        targets.append({"target": name, "value": None, "limit": limit, "unit": unit, "met": None, "by": None,
                        "higher": higher_is_better})
        return
    met = value >= limit if higher_is_better else value <= limit
    by = value - limit if higher_is_better else limit - value
    targets.append({"target": name, "value": round(value, 4), "limit": limit, "unit": unit, "met": met,
                    "by": round(by, 4), "digits": digits, "higher": higher_is_better})


report = {"machine": machine, "command": command, "quick": quick}

# The alternating pairs bench/run made (COST_RUNS): as many as there are results for.
PAIRS = 0
while sat(f"cost-junction-{PAIRS + 1}"):
    PAIRS += 1

# ---- saturated throughput
saturated = {k: sat(k) for k in ["direct", "hop", "junction", "bare", "sim-direct", "sim-junction",
                                 "embed-direct", "embed-hop", "embed-junction"]}
# Junction's JIT settles over its first saturated run, most visibly in a quick run's short warm-up: its
# figure is the median of that run and the alternating ones below.
for via in ("junction", "bare"):
    runs = sorted(r for r in [saturated[via]] + [sat(f"cost-{via}-{i}") for i in range(1, PAIRS + 1)] if r)
    if runs:
        saturated[via] = (runs[(len(runs) - 1) // 2] + runs[len(runs) // 2]) / 2
report["saturated_rps"] = saturated
report["saturated_cpu"] = {k: cpu(f"sat-{k}") for k in ["direct", "hop", "junction", "bare", "sim-direct", "sim-junction",
                                                         "embed-direct", "embed-hop", "embed-junction"]}
hop_ratio = ratio(saturated["junction"], saturated["hop"])
target("saturated throughput vs nginx hop", hop_ratio * 100 if hop_ratio else None, 50, "%", True, 1)

# ---- fixed rates, open loop (h2load): added latency = through Junction minus direct, at the same
# percentile, corrected for coordinated omission
PCTS = ("p50", "p90", "p99", "p999")
fixed = {}
for rate in (1000, 5000, 10000):
    row = {via: open_loop(f"open{rate}-{via}") for via in ("direct", "hop", "junction")}
    for via in ("hop", "junction"):
        if row["direct"] and row[via]:
            d, v = row["direct"]["corrected"], row[via]["corrected"]
            row[f"{via}_added_us"] = {p: v[p] - d[p] for p in PCTS}
    fixed[rate] = row
report["open_loop"] = fixed
# The JVM generator's view of the same rates, from each request's send
jvm = {}
for rate in (1000, 5000):
    row = {via: load(f"rate{rate}-{via}") for via in ("direct", "hop", "junction")}
    for via in row:
        if row[via]:
            row[via]["cpu"] = cpu(f"rate{rate}-{via}")
    if row["direct"] and row["junction"]:
        d, j = row["direct"]["latency"], row["junction"]["latency"]
        row["added_us"] = {p: j[p] - d[p] for p in PCTS}
    jvm[rate] = row
report["jvm_fixed_rate"] = jvm
added1000 = fixed[1000].get("junction_added_us")
redis1000 = open_loop("open1000-redis")
report["open_loop_redis_1000"] = redis1000
added_redis = None
if fixed[1000].get("direct") and redis1000:
    added_redis = {p: redis1000["corrected"][p] - fixed[1000]["direct"]["corrected"][p] for p in PCTS}
dashboard1000 = open_loop("open1000-dashboard")
report["open_loop_dashboard_1000"] = dashboard1000
added_dashboard = None
if fixed[1000].get("direct") and dashboard1000:
    added_dashboard = {p: dashboard1000["corrected"][p] - fixed[1000]["direct"]["corrected"][p] for p in PCTS}
refreshes = []
if (results / "dashboard-refreshes.txt").exists():
    refreshes = [line.split() for line in (results / "dashboard-refreshes.txt").read_text().splitlines() if line.strip()]
report["dashboard_refreshes"] = {"calls": len(refreshes), "ok": sum(1 for r in refreshes if r[0] == "200"),
                                 "max_s": max((float(r[1]) for r in refreshes), default=None)}
added5000 = fixed[5000].get("junction_added_us")
target("added latency p50 at 1000 req/s", added1000["p50"] / 1000 if added1000 else None, 0.2, " ms")
target("added latency p99 at 1000 req/s", added1000["p99"] / 1000 if added1000 else None, 1.0, " ms")
target("added latency p99 at 5000 req/s", added5000["p99"] / 1000 if added5000 else None, 2.0, " ms")
target("added latency p99 at 1000 req/s with the dashboard open and refreshing",
       added_dashboard["p99"] / 1000 if added_dashboard else None, 1.0, " ms")
target("added latency p99 at 1000 req/s, a virtual key limited through Redis", added_redis["p99"] / 1000 if added_redis else None, 1.0, " ms")

# ---- embeddings
embed = {via: open_loop(f"embed1000-{via}") for via in ("direct", "junction")}
report["embeddings_1000"] = embed

# ---- streams
stream = {via: load(f"stream-{via}") for via in ("direct", "hop", "junction", "translated")}
for via in stream:
    if stream[via]:
        stream[via]["cpu"] = cpu(f"stream-{via}")
report["stream"] = stream
streams_whole = {via: open_loop(f"streams-{via}") for via in ("direct", "hop", "junction")}
report["streams_open_loop"] = streams_whole
added_ttft = added_chunk = None
if stream["direct"] and stream["junction"] and stream["junction"].get("ttft"):
    added_ttft = {p: stream["junction"]["ttft"][p] - stream["direct"]["ttft"][p] for p in ("p50", "p99", "p999")}
    added_chunk = stream["junction"]["eventMicros"] - stream["direct"]["eventMicros"]
report["stream_added"] = {"ttft_us": added_ttft, "per_chunk_us": added_chunk}
target("streaming added TTFT p99", added_ttft["p99"] / 1000 if added_ttft else None, 1.0, " ms")
target("streaming added time per chunk", added_chunk, 20, " µs", digits=2)
# An Anthropic client of the same OpenAI stream: each chunk decoded and written as Anthropic's events.
added_translated = None
if stream["direct"] and stream.get("translated") and stream["translated"].get("eventMicros"):
    added_translated = stream["translated"]["eventMicros"] - stream["direct"]["eventMicros"]
report["stream_added"]["translated_per_event_us"] = added_translated
target("translated streaming added time per event", added_translated, 20, " µs", digits=2)

# ---- open streams
open_streams = load("open-streams") or {}
open_streams_h2 = load("open-streams-h2") or {}
report["open_streams"] = open_streams
report["open_streams_http2"] = open_streams_h2
rss = open_streams.get("peakRssBytes")
rss_h2 = open_streams_h2.get("peakRssBytes")
for label, held, peak in (("HTTP/1.1", open_streams, rss), ("HTTP/2", open_streams_h2, rss_h2)):
    target(f"{held.get('wanted', 0):,} open streams, {label} clients: all open at once",
           held.get("peakOpen"), held.get("wanted", 0), " streams", True, 0)
    target(f"gateway RSS with those {label} streams open", peak / 2**20 if peak and peak > 0 else None, 1024,
           " MiB", digits=0)

# ---- ledger + metrics
cost = None
cost_runs = {via: sorted(r for r in (sat(f"cost-{via}-{i}") for i in range(1, PAIRS + 1)) if r)
             for via in ("junction", "bare")}
report["ledger_metrics_runs_rps"] = cost_runs
cost_rps = {via: runs[len(runs) // 2] if runs else None for via, runs in cost_runs.items()}
if cost_rps["junction"] and cost_rps["bare"]:
    cost = (cost_rps["bare"] - cost_rps["junction"]) / cost_rps["bare"] * 100
report["ledger_metrics_cost_pct"] = cost
target("throughput lost to ledger + metrics", cost, 10, "%", digits=1)
limits_runs = {via: sorted(r for r in (sat(f"{via}-{i}") for i in range(1, PAIRS + 1)) if r)
               for via in ("limits-key", "limits-master", "redis-key", "redis-master")}
limits_rps = {via: runs[len(runs) // 2] if runs else None for via, runs in limits_runs.items()}
limits_share = {}
for where in ("limits", "redis"):
    key, master = limits_rps[f"{where}-key"], limits_rps[f"{where}-master"]
    limits_share[where] = key / master * 100 if key and master else None
report["limits_runs_rps"] = limits_runs
report["limits_share_pct"] = limits_share
target("throughput with a virtual key's limits and budget, in memory, vs the master key", limits_share["limits"], 85, "%", True, 1)
target("the same with the limits in Redis", limits_share["redis"], 85, "%", True, 1)


# ---- start-up
starts = load("startup-ms") or []
report["startup_ms"] = starts
median_start = sorted(starts)[len(starts) // 2] if starts else None
target("start-up to first served request (median)", median_start / 1000 if median_start else None, 1.5, " s")

# ---- GC pauses (from -Xlog:gc)
pauses = []
try:
    for line in (results / "gc.log").read_text().splitlines():
        m = re.search(r"Pause.* (\d+\.\d+)ms$", line)
        if m:
            pauses.append(float(m.group(1)))
except OSError:
    pass
report["gc"] = {"pauses": len(pauses), "total_ms": round(sum(pauses), 2),
                "max_ms": max(pauses) if pauses else 0}
try:
    report["rss_after_load_mib"] = int((results / "rss-after-load.txt").read_text().strip()) / 2**20
except (OSError, ValueError):
    report["rss_after_load_mib"] = None

# ---- Junction's own overhead metric, from /metrics
overhead = {}
try:
    text = (results / "metrics.txt").read_text()
    series = {}
    for line in text.splitlines():
        m = re.match(r'junction_overhead_seconds_(sum|count|bucket)\{(.*)\} (\S+)$', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        key = f'{labels["endpoint"]} via {labels["provider"]}'
        s = series.setdefault(key, {"buckets": []})
        if m.group(1) == "bucket":
            le = labels["le"]
            s["buckets"].append((math.inf if le == "+Inf" else float(le), float(m.group(3))))
        else:
            s[m.group(1)] = float(m.group(3))
    for key, s in series.items():
        if not s.get("count"):
            continue
        count, buckets = s["count"], sorted(s["buckets"])

        def quantile(q):
            for le, c in buckets:
                if c >= q * count:
                    return le * 1e6
            return None
        overhead[key] = {"requests": int(count), "mean_us": round(s["sum"] / count * 1e6, 1),
                         "p50_us_at_most": quantile(0.5), "p99_us_at_most": quantile(0.99)}
except OSError:
    pass
report["overhead_metric"] = overhead

report["targets"] = targets

# ---- write
reports.mkdir(parents=True, exist_ok=True)
(reports / "latest.json").write_text(json.dumps(report, indent=2) + "\n")

md = []
w = md.append
w("# Junction benchmark report\n")
w(f"- command: `{command}`" + (" (quick mode: shorter runs, fewer open streams)" if quick else ""))
w(f"- machine: {machine}; load generators, nginx, the simulator and Junction all share it")
w("- direct = the upstream itself; hop = nginx reverse proxy in front of it; Junction = auth (master key), "
  "routing, metrics and the SQLite ledger all on, and ten self-hosted engines (a simulated vLLM) polled every "
  "250 ms for their load and models throughout\n")
w("## Targets\n")
w("| target | measured | limit | result |")
w("|---|---|---|---|")
for t in targets:
    d = t.get("digits", 2)
    value = "n/a" if t["value"] is None else f'{t["value"]:,.{d}f}{t["unit"]}'
    result = "not measured" if t["met"] is None else (
        f'met, by {abs(t["by"]):,.{d}f}{t["unit"]}' if t["met"] else f'**missed**, by {abs(t["by"]):,.{d}f}{t["unit"]}')
    limit = f'{"≥" if t["higher"] else "≤"} {t["limit"]:,}{t["unit"]}'
    w(f'| {t["target"]} | {value} | {limit} | {result} |')
w("\n## Saturated throughput (wrk, 1 thread, 32 connections; Junction chat: the median of all its runs)\n")
w("| upstream | direct | nginx hop | Junction | Junction / direct | Junction / hop |")
w("|---|---|---|---|---|---|")
for label, d, h, j in [("chat (recorded, nginx)", "direct", "hop", "junction"),
                       ("embeddings (recorded, nginx)", "embed-direct", "embed-hop", "embed-junction"),
                       ("chat (simulator)", "sim-direct", None, "sim-junction")]:
    dv, hv, jv = saturated[d], saturated.get(h) if h else None, saturated[j]
    w(f"| {label} | {fmt(dv, ' req/s', 0)} | {fmt(hv, ' req/s', 0)} | {fmt(jv, ' req/s', 0)} | "
      f"{fmt(ratio(jv, dv) * 100 if ratio(jv, dv) else None, '%')} | {fmt(ratio(jv, hv) * 100 if ratio(jv, hv) else None, '%')} |")
w("\nCores each process used during those runs (2 here; wrk is the generator):\n")
w("| run | wrk | nginx | simulator | Junction | whole machine |")
w("|---|---|---|---|---|---|")
for k, c in report["saturated_cpu"].items():
    if c:
        gw = c["bare"] if k == "bare" else c["junction"]
        w(f"| {k} | {c['generator']:.2f} | {c['nginx']:.2f} | {c['simulator']:.2f} | {gw:.2f} | {c.get('machine', 0):.2f} |")
for where, label in (("limits", "counted in memory"), ("redis", "counted in Redis")):
    w(f"\nA virtual key with limits and a budget, {label}, against the master key on the same gateway, alternating, "
      "which went first swapping each round "
      f"(key: {', '.join(fmt(r, '', 0) for r in limits_runs[where + '-key'])} req/s; master: "
      f"{', '.join(fmt(r, '', 0) for r in limits_runs[where + '-master'])} req/s): {fmt(limits_share[where], '%')} of the master key's.")
w(f"\nLedger and metrics: {len(cost_runs['junction'])} saturated runs of 6 s each, alternating (which went first swapping each round), "
  f"of Junction without them "
  f"({', '.join(fmt(r, '', 0) for r in cost_runs['bare'])} req/s; median {fmt(cost_rps['bare'], ' req/s', 0)}) "
  f"and with them ({', '.join(fmt(r, '', 0) for r in cost_runs['junction'])} req/s; median "
  f"{fmt(cost_rps['junction'], ' req/s', 0)}): {fmt(cost, '%')} less with them.\n")
w("## Non-streaming chat at fixed rates, open loop (h2load; µs from each request's due time)\n")
w("Each connection sends every 20 ms whether or not the answers keep up; a request its connection held "
  "back counts from when it was due (samples a stall hid are added back). *slipped*: requests slower than "
  "20 ms. *busiest*: the process that used the most CPU during the run. Each run's first second (its "
  "connections opening) is sent but not counted.\n")
w("| rate | path | achieved | counted | left out (first second) | p50 | p90 | p99 | p99.9 | max | errors | slipped | added p50 | added p99 | added p99.9 | busiest |")
w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for rate, row in fixed.items():
    for via in ("direct", "hop", "junction"):
        r = row.get(via)
        if not r:
            continue
        l = r["corrected"]
        a = row.get(f"{via}_added_us") or {}
        w(f"| {rate:,}/s | {via} | {fmt(r['rps'], '/s', 0)} | {r['requests']:,} | {r['ramp_requests']:,} | {l['p50']:,} | {l['p90']:,} | {l['p99']:,} | {l['p999']:,} | "
          f"{l['max']:,} | {r['errors']} | {r['slipped']} | {fmt(a.get('p50'))} | {fmt(a.get('p99'))} | {fmt(a.get('p999'))} | "
          f"{bottleneck(r['cpu'])} |")
if redis1000:
    l = redis1000["corrected"]
    w(f"\nA virtual key limited through Redis at 1,000/s: p50 {l['p50']:,} µs, p99 {l['p99']:,} µs, p99.9 {l['p999']:,} µs"
      + (f" (added p50 {added_redis['p50']:,} µs, p99 {added_redis['p99']:,} µs)" if added_redis else "") + ".")
if dashboard1000:
    l = dashboard1000["corrected"]
    d = report["dashboard_refreshes"]
    w(f"\nThe same 1,000/s with the dashboard open, its data read every second ({d['ok']:,} of {d['calls']:,} reads answered 200"
      + (f", the slowest in {d['max_s'] * 1000:,.0f} ms" if d["max_s"] is not None else "") + f"): p50 {l['p50']:,} µs, p99 {l['p99']:,} µs, "
      f"p99.9 {l['p999']:,} µs" + (f" (added p50 {added_dashboard['p50']:,} µs, p99 {added_dashboard['p99']:,} µs)" if added_dashboard else "") + ".")
w("\n### Second opinion: Junction's JVM generator (µs from each request's send)\n")
w("| rate | path | p50 | p99 | p99.9 | errors | added p50 | added p99 | generator cores | Junction cores | busiest |")
w("|---|---|---|---|---|---|---|---|---|---|---|")
for rate, row in jvm.items():
    for via in ("direct", "hop", "junction"):
        r = row.get(via)
        if not r:
            continue
        l, c = r["latency"], r.get("cpu") or {}
        a = row.get("added_us") if via == "junction" else None
        w(f"| {rate:,}/s | {via} | {l['p50']:,} | {l['p99']:,} | {l['p999']:,} | {r['errors']} | "
          f"{fmt((a or {}).get('p50'))} | {fmt((a or {}).get('p99'))} | {fmt(c.get('generator'), '', 2)} | "
          f"{fmt(c.get('junction'), '', 2)} | {bottleneck(c)} |")
for rate in (1000, 5000):
    h, j = fixed.get(rate, {}).get("junction_added_us"), jvm.get(rate, {}).get("added_us")
    if h and j:
        gap = abs(h["p99"] - j["p99"])
        verdict = "agree" if gap <= max(200, 0.5 * max(abs(h["p99"]), abs(j["p99"]))) else "disagree"
        gen_h = (fixed[rate]["junction"].get("cpu") or {}).get("generator")
        gen_j = (jvm[rate]["junction"].get("cpu") or {}).get("generator")
        w(f"\nAt {rate:,}/s the two generators {verdict} on Junction's added p99 (h2load {h['p99']:,} µs, JVM {j['p99']:,} µs); "
          f"h2load used {fmt(gen_h, '', 2)} cores, the JVM generator {fmt(gen_j, '', 2)}"
          + (f": the run with the busier generator is the less trustworthy one." if verdict == "disagree" else "."))
w("\n## Embeddings at 1000/s, open loop (µs)\n")
w("| path | p50 | p99 | p99.9 |")
w("|---|---|---|---|")
for via, r in embed.items():
    if r:
        w(f"| {via} | {r['corrected']['p50']:,} | {r['corrected']['p99']:,} | {r['corrected']['p999']:,} |")
w("\n## Streaming chat, 50 chunks, 1,000 streams/s\n")
w("Whole streams, open loop (h2load; µs to the last byte):\n")
w("| path | streams | p50 | p99 | p99.9 | errors | busiest |")
w("|---|---|---|---|---|---|---|")
for via, r in streams_whole.items():
    if r:
        l = r["corrected"]
        w(f"| {via} | {r['requests']:,} | {l['p50']:,} | {l['p99']:,} | {l['p999']:,} | {r['errors']} | {bottleneck(r['cpu'])} |")
w("\nEvent by event (JVM generator; µs):\n")
w("| path | streams | TTFT p50 | TTFT p99 | TTFT p99.9 | events/stream | time per event | busiest |")
w("|---|---|---|---|---|---|---|---|")
for via, r in stream.items():
    if r and r.get("ttft"):
        t = r["ttft"]
        w(f"| {via} | {r['ok']} | {t['p50']:,} | {t['p99']:,} | {t['p999']:,} | {r['eventsPerStream']:.0f} | "
          f"{r['eventMicros']:.2f} | {bottleneck(r.get('cpu'))} |")
if added_ttft:
    w(f"\nAdded by Junction: TTFT p50 {added_ttft['p50']:,} µs, p99 {added_ttft['p99']:,} µs; "
      f"{added_chunk:.2f} µs per chunk.")
w("\n## Open streams, memory, GC\n")
for label, held, peak in (("one HTTP/1.1 connection each", open_streams, rss),
                          ("clients on HTTP/2, 100 streams a connection", open_streams_h2, rss_h2)):
    w(f"- open streams, {label}: {held.get('peakOpen', 'n/a')} of {held.get('wanted', 'n/a')} open at once; "
      f"{held.get('completed', 'n/a')} completed, {held.get('failed', 'n/a')} failed; "
      f"opened over {held.get('openingMs', 'n/a')} ms, waits for response headers p99 "
      f"{held.get('headersP99Ms', 'n/a')} ms, longest {held.get('headersMaxMs', 'n/a')} ms; "
      f"peak gateway RSS {fmt(peak / 2**20 if peak and peak > 0 else None, ' MiB', 0)}")
w(f"- gateway RSS after the load runs: {fmt(report['rss_after_load_mib'], ' MiB', 0)}")
w(f"- GC pauses over the whole run: {report['gc']['pauses']}, {report['gc']['total_ms']} ms in total, "
  f"longest {report['gc']['max_ms']} ms")
w(f"- start-up to first served request: {', '.join(f'{s} ms' for s in starts) or 'n/a'}")
w("\n## Junction's own overhead metric (`junction_overhead_seconds` at /metrics)\n")
w("Total time minus time waiting on the upstream, per request; quantiles are histogram bucket bounds.\n")
w("| series | requests | mean | p50 ≤ | p99 ≤ |")
w("|---|---|---|---|---|")
for key, o in sorted(overhead.items()):
    w(f"| {key} | {o['requests']:,} | {o['mean_us']} µs | {fmt(o['p50_us_at_most'])} µs | {fmt(o['p99_us_at_most'])} µs |")
(reports / "latest.md").write_text("\n".join(md) + "\n")
print("\n".join(md))
print(f"\nWritten: {reports / 'latest.md'} and {reports / 'latest.json'}", file=sys.stderr)
