"""What every benchmark returns: one dict per figure, with its baseline from the same run, and
the machine it ran on. Each benchmark module has a ``run(...)`` function returning a list of
these, and its own command line that prints them."""
from __future__ import annotations

import os
import platform
import statistics
import time


def figure(bench: str, what: str, value: float, unit: str, command: str, *, baseline: float | None = None,
           baseline_what: str = "", target: str = "", met: bool | None = None, size: int | None = None,
           note: str = "") -> dict:
    """One figure. ``ratio`` is figure / baseline; ``met`` is None where there is no target."""
    ratio = value / baseline if baseline else None
    return {"bench": bench, "what": what, "value": value, "unit": unit, "baseline": baseline,
            "baseline_what": baseline_what, "ratio": ratio, "target": target, "met": met,
            "size": size, "command": command, "note": note}


def median(values) -> float:
    return statistics.median(list(values))


def percentile(samples: list[float], q: int) -> float:
    """The q-th percentile (1..99) of the samples, interpolated."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def rss_kib(pid: int | str, field: str) -> int:
    """A memory figure of a process from /proc (VmRSS, or VmHWM: its peak since exec)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def machine() -> dict:
    """Cores, memory, CPU model, Python version, date and load where the figures were taken."""
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    return {"cores": os.cpu_count(), "ram_gb": round(ram_gb, 1), "cpu": model,
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load": round(os.getloadavg()[0], 1)}


def short_machine(m: dict) -> str:
    return f"{m['cores']} cores {m['cpu']}, {m['ram_gb']:.0f} GB, Python {m['python']}, {m['date']}, load {m['load']}"


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}" if value else "0"
    return f"{text} {unit}".strip()


def ratio_text(ratio: float | None) -> str:
    if ratio is None:
        return ""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def verdict(row: dict) -> str:
    return {True: "met", False: "MISSED", None: ""}[row["met"]]


def print_rows(rows: list[dict]) -> None:
    """The figures as a plain-text table on stdout."""
    header = ("what", "size", "figure", "baseline", "ratio", "target", "")
    lines = [header] + [(r["what"], f"{r['size']:,}" if r["size"] else "", fmt(r["value"], r["unit"]),
                         f"{fmt(r['baseline'], r['unit'])} {r['baseline_what']}".strip() if r["baseline"] is not None
                         else "", ratio_text(r["ratio"]), r["target"], verdict(r))
                        for r in rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip(), flush=True)
