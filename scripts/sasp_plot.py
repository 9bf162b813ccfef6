#!/usr/bin/python3
"""Plots of a sasp sweep directory (DIR/points.csv, DIR/summary.json), written into DIR as
PNG and PDF:

  speedup_vs_rate  system-wide speed-up vs pruning rate, one line per array size
  energy_vs_rate   energy per inference vs pruning rate
  wer_vs_rate      word error rate (with 95 % CI) vs pruning rate
  pareto           speed-up vs WER, with each array size's Pareto front

Usage: sasp_plot.py DIR. Exit status: 0 plots written, 1 bad input, 3 matplotlib missing.
Plots whose columns are empty in points.csv (e.g. no WER for synthetic weights) are not
drawn; the reason from summary.json is printed instead."""
import csv
import json
import os
import sys


def die(msg, code=1):
    print(f"sasp_plot: {msg}", file=sys.stderr)
    sys.exit(code)


def num(v):
    return float(v) if v not in ("", None) else None


def load(d):
    path = os.path.join(d, "points.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        die(f"{path}: {e.strerror}")
    need = ["rows", "cols", "rate", "speedup_dense", "speedup_host", "energy_pj",
            "energy_ratio", "wer", "wer_lo", "wer_hi"]
    if rows:
        missing = [c for c in need if c not in rows[0]]
        if missing:
            die(f"{path}: not a sweep result (columns missing: {', '.join(missing)})")
    if not rows:
        die(f"{path}: no points")
    summ = {}
    try:
        with open(os.path.join(d, "summary.json")) as f:
            summ = json.load(f)
    except (OSError, ValueError):
        pass
    return rows, summ


def describe(rows, summ):
    """One line saying what was swept, for titles."""
    cfg = summ.get("config", {})
    wl = cfg.get("workload", {}).get("manifest", "")
    model = os.path.basename(os.path.dirname(wl)) if wl else "model"
    r = rows[0]
    tech = r.get("tech", "")
    integ = r.get("integration", "")
    scope = {"ff": "feed-forward", "attn": "attention", "all": "all"}.get(r.get("scope"), "")
    return model, scope, (f"{model} model, {scope} tiles scored by {r.get('criterion', '')}, "
                          f"{integ} integration, {tech}")


def by_array(rows):
    arrays = {}
    for r in rows:
        key = (int(r["rows"]), int(r["cols"]))
        arrays.setdefault(key, []).append(r)
    for k in arrays:
        arrays[k].sort(key=lambda r: float(r["rate"]))
    return dict(sorted(arrays.items()))


def label(key):
    return f"{key[0]}x{key[1]} array"


def unavailable(summ, stage):
    u = summ.get("unavailable", {}).get(stage)
    return "; ".join(u.get("why", [])) if u else "column empty"


def save(fig, d, name, written):
    for ext in ("png", "pdf"):
        path = os.path.join(d, f"{name}.{ext}")
        meta = {"Software": None} if ext == "png" else {"CreationDate": None, "Creator": None,
                                                        "Producer": None}
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=meta)
        written.append(path)


def have(rows, col):
    return all(r.get(col, "") != "" for r in rows)


def pareto(points):
    """Points (wer, speedup) not dominated by another (lower-or-equal WER and higher-or-equal
    speed-up, one strictly), sorted by WER."""
    front = []
    for p in sorted(points, key=lambda p: (p[0], -p[1])):
        if not front or p[1] > front[-1][1]:
            front.append(p)
    return front


def main():
    if len(sys.argv) != 2:
        die("usage: sasp_plot.py DIR")
    d = sys.argv[1]
    rows, summ = load(d)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        die("python3-matplotlib is not installed", 3)
    plt.rcParams.update({"font.size": 10, "axes.grid": True, "grid.alpha": 0.3})
    model, scope, what = describe(rows, summ)
    arrays = by_array(rows)
    written = []
    xlabel = f"pruning rate (fraction of {scope or 'selected'} tiles pruned)"
    from matplotlib.ticker import ScalarFormatter

    if have(rows, "speedup_dense"):
        fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
        fig.subplots_adjust(wspace=0.28)
        for key, rs in arrays.items():
            x = [float(r["rate"]) for r in rs]
            axs[0].plot(x, [float(r["speedup_dense"]) for r in rs], "o-", label=label(key))
            axs[1].plot(x, [float(r["speedup_host"]) for r in rs], "o-", label=label(key))
        axs[0].set_title("vs the same array running the dense model")
        axs[0].set_ylabel("system-wide speed-up (x)")
        axs[1].set_title("vs the host CPU alone (no accelerator)")
        axs[1].set_ylabel("system-wide speed-up (x)")
        axs[1].set_yscale("log")
        axs[1].yaxis.set_major_formatter(ScalarFormatter())
        axs[1].yaxis.set_minor_formatter(ScalarFormatter())
        axs[1].tick_params(axis="y", which="minor", labelsize=7)
        for ax in axs:
            ax.set_xlabel(xlabel)
        axs[0].legend(title="same colours in both panels", title_fontsize=8)
        fig.suptitle(f"End-to-end inference speed-up from tile pruning\n({what})", y=1.04)
        save(fig, d, "speedup_vs_rate", written)
        plt.close(fig)
    else:
        print(f"sasp_plot: no speed-up plot: {unavailable(summ, 'cycle')}", file=sys.stderr)

    if have(rows, "energy_pj"):
        fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
        fig.subplots_adjust(wspace=0.28)
        top = max(float(r["energy_pj"]) for r in rows)
        unit, scale = next((u, s) for u, s in (("J", 1e12), ("mJ", 1e9), ("µJ", 1e6),
                                                ("nJ", 1e3), ("pJ", 1.0)) if top >= s or s == 1.0)
        for key, rs in arrays.items():
            x = [float(r["rate"]) for r in rs]
            axs[0].plot(x, [float(r["energy_pj"]) / scale for r in rs], "o-", label=label(key))
            axs[1].plot(x, [float(r["energy_ratio"]) for r in rs], "o-", label=label(key))
        axs[0].set_ylabel(f"energy per inference ({unit})")
        axs[0].set_title("total energy: array, buffers, DRAM and host")
        axs[1].set_ylabel("energy / dense energy on the same array")
        axs[1].set_title("relative to the unpruned model")
        for ax in axs:
            ax.set_xlabel(xlabel)
        axs[0].legend(title="same colours in both panels", title_fontsize=8)
        fig.suptitle(f"Energy per inference vs pruning rate\n({what})", y=1.04)
        save(fig, d, "energy_vs_rate", written)
        plt.close(fig)
    else:
        print(f"sasp_plot: no energy plot: {unavailable(summ, 'cycle')}", file=sys.stderr)

    if have(rows, "wer"):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        n = len(arrays)
        for i, (key, rs) in enumerate(arrays.items()):
            dx = (i - (n - 1) / 2) * 0.004  # small offsets so error bars do not overlap
            x = [float(r["rate"]) + dx for r in rs]
            y = [float(r["wer"]) for r in rs]
            lo = [y[j] - float(rs[j]["wer_lo"]) for j in range(len(rs))]
            hi = [float(rs[j]["wer_hi"]) - y[j] for j in range(len(rs))]
            ax.errorbar(x, y, yerr=[lo, hi], fmt="o-", capsize=3, label=label(key))
        utts = rows[0].get("wer_utts", "")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("word error rate (%)")
        ax.set_title(f"Accuracy of the pruned int8 model ({model}, {utts} test utterances;\n"
                     "bars: bootstrap 95 % confidence interval)")
        ax.legend()
        save(fig, d, "wer_vs_rate", written)
        plt.close(fig)
    else:
        print(f"sasp_plot: no WER plot: {unavailable(summ, 'wer')}", file=sys.stderr)

    if have(rows, "wer") and have(rows, "speedup_host"):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for key, rs in arrays.items():
            pts = [(float(r["wer"]), float(r["speedup_host"]), float(r["rate"])) for r in rs]
            line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", alpha=0.35)
            front = pareto(pts)
            ax.plot([p[0] for p in front], [p[1] for p in front], "o-", color=line.get_color(),
                    label=f"{label(key)} (front)")
            for p in front:
                ax.annotate(f"{p[2]:g}", (p[0], p[1]), textcoords="offset points",
                            xytext=(4, 3), fontsize=7, color=line.get_color())
        ax.set_xlabel("word error rate (%)  — lower is better")
        ax.set_ylabel("system-wide speed-up vs host CPU alone (x)")
        ax.set_title(f"Speed-up / accuracy trade-off ({model}): Pareto front per array size\n"
                     "(labels: pruning rate; faded: dominated points)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        save(fig, d, "pareto", written)
        plt.close(fig)

    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
