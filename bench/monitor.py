#!/usr/bin/env python3
"""Samples the simulator's /stats and the CPU/RSS of processes (from /proc) while a
benchmark runs; prints one JSON line. Stdlib only.

  monitor.py window --stats URL --warmup S --window S [--pid NAME=PID ...]
      waits for the first API request (the group has joined), waits --warmup more,
      resets /stats (t0), sleeps --window, reads /stats (t1): calls/s over [t0, t1],
      peak concurrency and peak rps inside the window, CPU of each process in it.

  monitor.py until --stats URL --target N --launched EPOCH [--pid NAME=PID ...]
      resets nothing; polls every 20 ms until the simulator has served N requests:
      wall time from launch (EPOCH, `date +%s.%N` when the member was started) to N,
      the steady rate between 10 % and 90 % of N, and each process's CPU over the run
      and over that steady window; VmHWM of every process.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

TCK = os.sysconf("SC_CLK_TCK")


NGINX_BASE = {}


def stats(url):
    """{"requests": N}: the simulator's /stats, or nginx's stub_status (the stand-in),
    counted from the first read and without monitor.py's own status requests."""
    with urllib.request.urlopen(url, timeout=5) as r:
        body = r.read()
    if not url.endswith("/nginx_status"):
        return json.loads(body)
    total = int(body.decode().splitlines()[2].split()[2])
    base = NGINX_BASE.setdefault(url, {"start": total, "polls": 0})
    base["polls"] += 1
    return {"requests": total - base["start"] - base["polls"] + 1}


def reset(url):
    if url.endswith("/nginx_status"):
        NGINX_BASE.pop(url, None)
        return
    req = urllib.request.Request(url + "/reset", data=b"", method="POST")
    urllib.request.urlopen(req, timeout=5).read()


def cpu(pid):
    """utime+stime of pid in seconds, or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TCK


def status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # kB
    except OSError:
        return None
    return None


def alive(pid):
    return cpu(pid) is not None


def parse_pids(items):
    out = {}
    for it in items or []:
        name, pid = it.split("=", 1)
        out[name] = int(pid)
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def window(a):
    pids = parse_pids(a.pid)
    member = pids.get("member")
    deadline = time.monotonic() + a.join_timeout
    while True:
        s = stats(a.stats)
        if s["requests"] > 0:
            break
        if time.monotonic() > deadline or (member and not alive(member)):
            print(json.dumps({"error": "no API request before the join time-out"}))
            return 1
        time.sleep(0.05)
    time.sleep(a.warmup)
    before = stats(a.stats)
    c0 = {k: cpu(p) for k, p in pids.items()}
    reset(a.stats)
    t0 = time.monotonic()
    l0 = loadavg()
    time.sleep(a.window)
    after = stats(a.stats)
    t1 = time.monotonic()
    c1 = {k: cpu(p) for k, p in pids.items()}
    dt = t1 - t0
    out = {
        "window_s": round(dt, 3),
        "calls": after["requests"],
        "calls_per_s": round(after["requests"] / dt, 2),
        "by_status": after["by_status"],
        "peak_concurrency": after["peak_concurrency"],
        "peak_rps": after["peak_rps"],
        "warmup_peak_concurrency": before["peak_concurrency"],
        "warmup_peak_rps": before["peak_rps"],
        "calls_before_t0": before["requests"],
        "calls_total": before["requests"] + after["requests"],
        "cpu_s": {k: (round(c1[k] - c0[k], 2) if c1[k] is not None and c0[k] is not None else None) for k in pids},
        "loadavg_start": l0,
        "loadavg_end": loadavg(),
    }
    if member:
        out["member_vmhwm_kb"] = status(member, "VmHWM")
    print(json.dumps(out))
    return 0


def until(a):
    pids = parse_pids(a.pid)
    member = pids.get("member")
    samples = []  # (t, requests, {name: cpu})
    hwm = {}
    l0 = loadavg()
    deadline = time.monotonic() + a.timeout
    wall0 = time.time()
    mono_launch = time.monotonic() - (wall0 - a.launched)
    first = None
    while True:
        t = time.monotonic()
        s = stats(a.stats)
        c = {k: cpu(p) for k, p in pids.items()}
        for k, p in pids.items():
            h = status(p, "VmHWM")
            if h is not None:
                hwm[k] = max(hwm.get(k, 0), h)
        samples.append((t, s["requests"], c))
        if first is None and s["requests"] > 0:
            first = t
        if s["requests"] >= a.target:
            break
        if t > deadline or (member and not alive(member)):
            break
        time.sleep(0.02)
    done_t, done_n, _ = samples[-1]

    def at_frac(f):
        for smp in samples:
            if smp[1] >= f * a.target:
                return smp
        return samples[-1]

    sa, sb = at_frac(0.1), at_frac(0.9)
    steady_dt = sb[0] - sa[0]
    steady_n = sb[1] - sa[1]
    c_first, c_last = samples[0][2], samples[-1][2]

    def cpu_delta(x, y):
        return {k: (round(y[k] - x[k], 3) if x.get(k) is not None and y.get(k) is not None else None) for k in pids}

    run_cpu = cpu_delta(c_first, c_last)
    steady_cpu = cpu_delta(sa[2], sb[2])
    out = {
        "target": a.target,
        "served": done_n,
        "complete": done_n >= a.target,
        "launch_to_first_call_s": round(first - mono_launch, 3) if first else None,
        "launch_to_done_s": round(done_t - mono_launch, 3),
        "records_per_s_from_launch": round(done_n / (done_t - mono_launch), 1),
        "first_call_to_done_s": round(done_t - first, 3) if first else None,
        "records_per_s_from_first_call": round(done_n / (done_t - first), 1) if first and done_t > first else None,
        "steady_records_per_s": round(steady_n / steady_dt, 1) if steady_dt > 0 else None,
        "cpu_s_run": run_cpu,
        "cpu_s_steady": steady_cpu,
        "cpu_us_per_record_run": {k: (round(v * 1e6 / done_n, 1) if v is not None and done_n else None) for k, v in run_cpu.items()},
        "cpu_us_per_record_steady": {k: (round(v * 1e6 / steady_n, 1) if v is not None and steady_n else None) for k, v in steady_cpu.items()},
        "vmhwm_kb": hwm,
        "loadavg_start": l0,
        "loadavg_end": loadavg(),
    }
    print(json.dumps(out))
    return 0 if out["complete"] else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("window")
    w.add_argument("--stats", required=True)
    w.add_argument("--warmup", type=float, default=5)
    w.add_argument("--window", type=float, default=60)
    w.add_argument("--join-timeout", type=float, default=60)
    w.add_argument("--pid", action="append")
    u = sub.add_parser("until")
    u.add_argument("--stats", required=True)
    u.add_argument("--target", type=int, required=True)
    u.add_argument("--launched", type=float, required=True)
    u.add_argument("--timeout", type=float, default=600)
    u.add_argument("--pid", action="append")
    a = p.parse_args()
    sys.exit(window(a) if a.cmd == "window" else until(a))


if __name__ == "__main__":
    main()
