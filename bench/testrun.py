"""Figures of one run of the test command, from its log with every line
prefixed by the epoch second it was printed (as a CI wrapper or
`while read l; do printf '%s %s\n' "$(date +%s)" "$l"; done` writes it):
each setup step's seconds as setup.sh reported them, when the toolchain was
ready, and the whole run. Prints one JSON object.
    python3 bench/testrun.py RUN.LOG [COMMIT] [MACHINE]"""
import json, re, sys

lines = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1]) if " " in l]
stamps = [(int(t), text) for t, text in lines if t.isdigit()]
steps = {}
for _, text in stamps:
    m = re.search(r"✔ \[(\d)/5\] (.+?) done in (\d+)m(\d+)s", text)
    if m:
        steps[f"{m.group(1)} {m.group(2)}"] = int(m.group(3)) * 60 + int(m.group(4))
ready = next((int(m.group(1)) * 60 + int(m.group(2)) for _, t in stamps
              if (m := re.search(r"toolchain ready in (\d+)m(\d+)s", t))), None)
passed = any("all tests passed" in t for _, t in stamps)
print(json.dumps({
    "commit": sys.argv[2] if len(sys.argv) > 2 else None,
    "machine": sys.argv[3] if len(sys.argv) > 3 else None,
    "setupSteps": steps, "setupSeconds": ready,
    "totalSeconds": stamps[-1][0] - stamps[0][0] if stamps else None, "passed": passed,
}))
