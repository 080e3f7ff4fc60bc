"""wrk as the load generator (keep-alive connections), with a paced mode for latency at a
fixed request rate. Figures are medians of several runs."""
from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile

PACED_SCRIPT = """
local per_connection_ms = {delay}
function delay() return per_connection_ms end
"""


def wrk(url: str, connections: int = 32, seconds: int = 8, rate: float | None = None) -> dict:
    """One run: requests/s and latency percentiles in milliseconds."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make bench installs it)")
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if rate:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(PACED_SCRIPT.format(delay=int(1000 * connections / rate)))
        args[1:1] = ["-s", script.name]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}
