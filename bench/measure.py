"""Runs commands and reports wall time, CPU time and peak memory of each run.

Reads JSON on stdin: {"commands": {"label": {"argv": [...], "env": {...}, "stdin": "..."}},
"runs": N, "interleave": true}. Interleaving runs the labels round-robin, so a slow moment of the
machine touches every row alike. Prints JSON: {"label": [{"wall_ms", "cpu_ms", "max_rss_kb", "code",
"stderr_tail"}, ...]}.
"""
import json
import os
import subprocess
import sys
import time

spec = json.load(sys.stdin)
labels = list(spec["commands"])
results = {label: [] for label in labels}
order = [label for _ in range(spec["runs"]) for label in labels] if spec.get("interleave", True) else [
    label for label in labels for _ in range(spec["runs"])
]
for label in order:
    command = spec["commands"][label]
    start = time.perf_counter()
    child = subprocess.Popen(
        command["argv"],
        env=command["env"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    child.stdin.write(command.get("stdin", "").encode())
    child.stdin.close()
    stderr = child.stderr.read()
    # wait4 gives this child's own CPU time and peak memory.
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    results[label].append(
        {
            "wall_ms": wall,
            "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
            "max_rss_kb": usage.ru_maxrss,
            "code": os.waitstatus_to_exitcode(status),
            "stderr_tail": stderr.decode("utf-8", "replace")[-2000:],
        }
    )
json.dump(results, sys.stdout)
