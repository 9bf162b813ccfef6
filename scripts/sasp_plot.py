#!/usr/bin/python3
"""Plots of a sasp sweep directory (DIR/points.csv, DIR/summary.json), written into DIR as
PNG and PDF:

  speedup_vs_rate   system-wide speed-up vs the pruning rate achieved, one line per array
                    size (and strategy, when the sweep has axes)
  energy_vs_rate    energy per inference vs the pruning rate achieved
  energy_breakdown  energy per inference split into array (MACs, registers, clock), buffers,
                    DRAM, leakage and host, per array at each rate; a second row without the
                    host, to show what the accelerator itself saves
  wer_vs_rate       word error rate (with 95 % CI) vs the pruning rate achieved
  pareto            speed-up vs WER; per array size the Pareto front over every strategy of
                    the sweep, each front point marked with the strategy that made it;
                    dominated points faded
  mask_<POINT>      with --mask POINT: each layer's tile mask (which tiles are pruned)

Usage: sasp_plot.py DIR [--mask POINT] [--wer-clip PCT | --wer-log] [--data FILE] [--no-draw]

  --mask POINT    also draw the mask of POINT (a point id of summary.json, e.g. 8x8-rate0.3,
                  or a path to a .mask file)
  --wer-clip PCT  clip the WER axis at PCT % (0: never clip). Default: clip at
                  max(25, 5 x the best WER) when some point lies above; clipped points are
                  drawn as triangles on the edge with their value, and the axis says so
  --wer-log       logarithmic WER axis instead of clipping
  --data FILE     write the data each plot draws (points, fronts, labels, bars, masks) as
                  JSON: what tests compare with points.csv
  --no-draw       compute the data only (no matplotlib needed; with --data)
  --quiet         do not list the files written

Exit status: 0 done, 1 bad input (one line on stderr), 2 bad usage, 3 matplotlib missing.
Plots whose columns are empty in points.csv (e.g. no WER for synthetic weights) are not
drawn; the reason from summary.json is printed instead. Columns named axis.KEY are the
sweep's axes (sweep.axes): a strategy is one combination of their values.

One file on purpose (about 780 lines, over the ~700 of the style guide): `meson install` ships it
as a single script beside the binary and `sasp plot` runs it by path, and the plots share the
data-building helpers that --data exposes to the tests."""
import csv
import json
import math
import os
import struct
import sys
import zlib

ENERGY_GROUPS = [
    ("array (MACs, registers, clock)", ["energy_mac_pj", "energy_reg_pj", "energy_clock_pj"]),
    ("buffers", ["energy_wbuf_pj", "energy_abuf_pj", "energy_obuf_pj"]),
    ("DRAM", ["energy_dram_pj"]),
    ("leakage", ["energy_leak_pj"]),
    ("host CPU", ["energy_host_pj"]),
]
HOST_GROUP = "host CPU"
OTHER_GROUP = "other"


def die(msg, code=1):
    print(f"sasp plot: {msg}", file=sys.stderr)
    sys.exit(code)


def usage():
    die("usage: sasp_plot.py DIR [--mask POINT] [--wer-clip PCT | --wer-log] [--data FILE] "
        "[--no-draw]", 2)


def parse_args(argv):
    opts = {"dir": None, "mask": None, "clip": None, "log": False, "data": None, "draw": True,
            "quiet": False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--mask", "--wer-clip", "--data"):
            if i + 1 >= len(argv):
                die(f"{a} needs a value", 2)
            v = argv[i + 1]
            i += 1
            if a == "--mask":
                opts["mask"] = v
            elif a == "--data":
                opts["data"] = v
            else:
                try:
                    opts["clip"] = float(v)
                except ValueError:
                    die(f"--wer-clip '{v}': expected a percentage (0: never clip)", 2)
                if not math.isfinite(opts["clip"]) or opts["clip"] < 0:
                    die(f"--wer-clip '{v}': expected a percentage >= 0", 2)
        elif a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        elif a == "--wer-log":
            opts["log"] = True
        elif a == "--no-draw":
            opts["draw"] = False
        elif a == "--quiet":
            opts["quiet"] = True
        elif a.startswith("-") and a != "-":
            die(f"unknown option '{a}'", 2)
        elif opts["dir"] is None:
            opts["dir"] = a
        else:
            usage()
        i += 1
    if opts["dir"] is None:
        usage()
    if opts["log"] and opts["clip"] is not None:
        die("--wer-log and --wer-clip exclude each other", 2)
    if not opts["draw"] and not opts["data"]:
        die("--no-draw needs --data FILE", 2)
    return opts


def load(d):
    if os.path.exists(os.path.join(d, "INCOMPLETE")):
        die(f"{d}: the sweep in this directory is incomplete (see {d}/INCOMPLETE); finish it "
            "with 'sasp sweep CONFIG -o DIR --resume'")
    path = os.path.join(d, "points.csv")
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = reader.fieldnames or []
    except OSError as e:
        die(f"{path}: {e.strerror}")
    need = ["rows", "cols", "rate", "rate_achieved", "speedup_dense", "speedup_host",
            "energy_pj", "energy_ratio", "wer", "wer_lo", "wer_hi"]
    missing = [c for c in need if c not in header]
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
    axes = [c for c in header if c.startswith("axis.")]
    return rows, header, axes, summ


def num(v):
    return float(v) if v not in ("", None) else None


def describe(rows, axes, summ):
    """Model name, scope and one line saying what was swept, for titles."""
    cfg = summ.get("config", {})
    wl = cfg.get("workload", {}).get("manifest", "")
    model = os.path.basename(os.path.dirname(wl)) if wl else "model"
    r = rows[0]
    scope = {"ff": "feed-forward", "attn": "attention", "all": "all"}.get(r.get("scope"), "")
    fixed = []
    if "axis.prune.criterion" not in axes:
        fixed.append(f"tiles scored by {r.get('criterion', '')}")
    if "axis.integration" not in axes:
        fixed.append(f"{r.get('integration', '')} integration")
    if "axis.tech" not in axes:
        fixed.append(r.get("tech", ""))
    if axes:
        fixed.append("strategies: " + " x ".join(a[len("axis."):] for a in axes))
    return model, scope, f"{model} model, {scope} tiles, " + ", ".join(fixed)


def point_id(r, axes):
    """The point's id as the sweep names it (summary.json "id", points/ and masks/ files) is
    looked up by the row's grid coordinates; this key identifies a row within points.csv."""
    return (r["rows"], r["cols"], r["rate"]) + tuple(r[a] for a in axes)


def strategy(r, axes):
    return tuple(r[a] for a in axes)


def strategy_label(s, axes):
    return ", ".join(f"{a[len('axis.'):]}={v}" for a, v in zip(axes, s)) if axes else ""


def array_name(key):
    return f"{key[0]}x{key[1]}"


def groups(rows, axes):
    """{(rows, cols): {strategy: [row, ...] sorted by rate}} in numeric array order and the
    strategies' order of first appearance (points.csv lists axis values in config order)."""
    out = {}
    for r in rows:
        key = (int(r["rows"]), int(r["cols"]))
        out.setdefault(key, {}).setdefault(strategy(r, axes), []).append(r)
    for key in out:
        for s in out[key]:
            out[key][s].sort(key=lambda r: float(r["rate"]))
    return dict(sorted(out.items()))


def strategies(rows, axes):
    seen = []
    for r in rows:
        s = strategy(r, axes)
        if s not in seen:
            seen.append(s)
    return seen


def have(rows, col):
    return all(r.get(col, "") != "" for r in rows)


def unavailable(summ, stage):
    u = summ.get("unavailable", {}).get(stage)
    return "; ".join(u.get("why", [])) if u else "column empty"


def ids_of(summ, axes):
    """{row key: point id} from summary.json (empty when it is missing)."""
    out = {}
    for p in summ.get("points", []):
        try:
            key = (str(p["rows"]), str(p["cols"]), None) + tuple(str(p.get(a, "")) for a in axes)
        except KeyError:
            continue
        out[(key, float(p["rate"]))] = p.get("id")
    return out


def find_id(ids, r, axes):
    key = (r["rows"], r["cols"], None) + tuple(r[a] for a in axes)
    return ids.get((key, float(r["rate"])))


def pareto_flags(pts):
    """For points [(wer, speedup), ...]: True where no other point has lower-or-equal WER and
    higher-or-equal speed-up with one of them strict."""
    flags = []
    for i, (w, s) in enumerate(pts):
        dominated = any((w2 <= w and s2 >= s and (w2 < w or s2 > s))
                        for j, (w2, s2) in enumerate(pts) if j != i)
        flags.append(not dominated)
    return flags


def wer_clip(rows, opts):
    """The WER axis' upper limit (None: not clipped) and whether it is logarithmic."""
    if opts["log"]:
        return None, True
    wers = [float(r["wer"]) for r in rows if r.get("wer", "") != ""]
    if not wers:
        return None, False
    if opts["clip"] is not None:
        c = opts["clip"]
        return (c if c > 0 and max(wers) > c else None), False
    c = max(25.0, 5 * min(wers))
    return (c if max(wers) > c else None), False


# ------------------------------------------------------------------------------------------
# Data of each plot (what the figures draw, and what --data writes).

def data_rate_plots(arr, axes, ids, ycols):
    """Series of the *_vs_rate plots: per (array, strategy), x = rate achieved, y = the
    columns ycols."""
    out = []
    for key, by_s in arr.items():
        for s, rs in by_s.items():
            out.append({"array": array_name(key), "strategy": dict(zip(axes, s)),
                        "points": [{"id": find_id(ids, r, axes), "rate": float(r["rate"]),
                                    "x": float(r["rate_achieved"]),
                                    "y": {c: float(r[c]) for c in ycols}} for r in rs]})
    return out


def data_energy_breakdown(rows, header, arr, axes, ids):
    known = {c for _, cs in ENERGY_GROUPS for c in cs}
    other = [c for c in header if c.startswith("energy_") and c.endswith("_pj")
             and c != "energy_pj" and c not in known]
    grp = [(g, [c for c in cs if c in header]) for g, cs in ENERGY_GROUPS]
    if other:
        grp.append((OTHER_GROUP, other))
    bars = []
    for key, by_s in arr.items():
        for s, rs in by_s.items():
            for r in rs:
                parts = {g: sum(float(r[c]) for c in cs) for g, cs in grp}
                bars.append({"id": find_id(ids, r, axes), "array": array_name(key),
                             "strategy": dict(zip(axes, s)), "rate": float(r["rate"]),
                             "rate_achieved": float(r["rate_achieved"]),
                             "energy_pj": float(r["energy_pj"]), "parts_pj": parts})
    return {"groups": {g: cs for g, cs in grp}, "bars": bars}


def data_pareto(arr, axes, ids, clip):
    out = []
    for key, by_s in arr.items():
        rs = [r for s in by_s for r in by_s[s]]
        pts = [(float(r["wer"]), float(r["speedup_host"])) for r in rs]
        flags = pareto_flags(pts)
        ps = []
        for r, (w, sp), f in zip(rs, pts, flags):
            ps.append({"id": find_id(ids, r, axes), "rate": float(r["rate"]),
                       "rate_achieved": float(r["rate_achieved"]),
                       "strategy": dict(zip(axes, strategy(r, axes))), "x": w, "y": sp,
                       "front": f, "clipped": clip is not None and w > clip})
        front = sorted((p for p in ps if p["front"]), key=lambda p: (p["x"], -p["y"]))
        out.append({"array": array_name(key), "points": ps,
                    "front": [p["id"] for p in front]})
    return out


def read_mask(path):
    """Layers of a mask file (docs/formats.md): [(name, K, N, R, C, kept[kt][nt])]."""
    try:
        with open(path, "rb") as f:
            b = f.read()
    except OSError as e:
        die(f"{path}: {e.strerror}")
    if len(b) < 36 or b[:8] != b"SASPMASK":
        die(f"{path}: not a sasp mask file")
    if zlib.crc32(b[:-4]) != struct.unpack_from("<I", b, len(b) - 4)[0]:
        die(f"{path}: checksum mismatch (corrupt or truncated)")
    ver, nl, tr, tc = struct.unpack_from("<IIQQ", b, 8)
    if ver != 1:
        die(f"{path}: mask version {ver}, this script reads version 1")
    off, layers = 32, []
    try:
        for _ in range(nl):
            (ln,) = struct.unpack_from("<H", b, off)
            name = b[off + 2:off + 2 + ln].decode()
            off += 2 + ln
            k, n = struct.unpack_from("<QQ", b, off)
            off += 16
            kt, nt = -(-k // tr), -(-n // tc)
            nbytes = (kt * nt + 7) // 8
            bits = b[off:off + nbytes]
            if len(bits) != nbytes:
                raise struct.error("short")
            off += nbytes
            kept = [[(bits[(i * nt + j) // 8] >> ((i * nt + j) % 8)) & 1 for j in range(nt)]
                    for i in range(kt)]
            layers.append((name, k, n, tr, tc, kept))
    except (struct.error, UnicodeDecodeError):
        die(f"{path}: malformed layer record")
    return layers


def data_mask(d, want, summ, axes):
    pts = summ.get("points", [])
    hit = next((p for p in pts if p.get("id") == want), None)
    if hit is not None:
        if not hit.get("mask"):
            die(f"point {want}: no mask (its pruning stage did not run)")
        path = os.path.join(d, hit["mask"])
    elif want.endswith(".mask") and os.path.exists(want):
        path = want
    else:
        names = ", ".join(p.get("id", "?") for p in pts[:6])
        die(f"--mask '{want}': no such point in {d}/summary.json (points: {names}"
            f"{', ...' if len(pts) > 6 else ''})")
    layers = read_mask(path)
    out = []
    for name, k, n, tr, tc, kept in layers:
        tiles = len(kept) * (len(kept[0]) if kept else 0)
        pruned = sum(row.count(0) for row in kept)
        out.append({"layer": name, "K": k, "N": n, "tile": [tr, tc], "tiles": tiles,
                    "pruned": pruned, "kept": kept})
    res = {"point": hit.get("id") if hit else None, "file": path, "layers": out}
    if hit:
        res.update({"array": f"{hit['rows']}x{hit['cols']}", "rate": float(hit["rate"]),
                    "strategy": {a: str(hit.get(a, "")) for a in axes}})
    return res


# ------------------------------------------------------------------------------------------
# Drawing.

def place_labels(fig, ax, items, obstacles=(), marker_pts=3.5):
    """Puts each label (x, y, text, color) beside its point where it overlaps neither another
    label nor a point and stays inside the axes; tries eight positions, then leaves the label
    out. Returns [{text, x, y, dx, dy, box (points, figure coordinates) or None}]."""
    fig.canvas.draw()  # fixes the axis limits
    to_pt = 72.0 / fig.dpi
    inv = ax.transData
    ab = ax.get_window_extent()
    frame = (ab.x0 * to_pt, ab.y0 * to_pt, ab.x1 * to_pt, ab.y1 * to_pt)
    taken = []
    for x, y in [(it[0], it[1]) for it in items] + list(obstacles):
        px, py = inv.transform((x, y)) * to_pt
        taken.append((px - marker_pts, py - marker_pts, px + marker_pts, py + marker_pts))

    def free(b):
        if b[0] < frame[0] or b[1] < frame[1] or b[2] > frame[2] or b[3] > frame[3]:
            return False
        return all(b[2] <= t[0] or b[0] >= t[2] or b[3] <= t[1] or b[1] >= t[3] for t in taken)

    placed = []
    for x, y, text, color in items:
        px, py = inv.transform((x, y)) * to_pt
        w, h = 0.6 * 7 * len(text) + 2, 9.0
        spots = [(4, 2), (4, -h - 2), (-4 - w, 2), (-4 - w, -h - 2), (-w / 2, 5),
                 (-w / 2, -h - 5), (8, 8), (8, -h - 8), (-8 - w, 8), (-8 - w, -h - 8)]
        spots += [(sx, -h - 2 - 10 * k) for k in range(1, 6) for sx in (4, -4 - w)]
        where = None
        for dx, dy in spots:
            b = (px + dx, py + dy, px + dx + w, py + dy + h)
            if free(b):
                where = (dx, dy, b)
                break
        if where is None:
            placed.append({"text": text, "x": x, "y": y, "box": None})
            continue
        dx, dy, b = where
        taken.append(b)
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), fontsize=7,
                    color=color, ha="left", va="bottom")
        placed.append({"text": text, "x": x, "y": y, "dx": dx, "dy": dy, "box": list(b)})
    return placed


def main():
    opts = parse_args(sys.argv[1:])
    d = opts["dir"]
    rows, header, axes, summ = load(d)
    ids = ids_of(summ, axes)
    model, scope, what = describe(rows, axes, summ)
    arr = groups(rows, axes)
    strats = strategies(rows, axes)
    clip, logy = wer_clip(rows, opts)
    data = {"dir": d, "axes": axes, "plots": {}}
    if have(rows, "speedup_dense"):
        data["plots"]["speedup_vs_rate"] = {"x": "rate_achieved",
                                            "y": ["speedup_dense", "speedup_host"],
                                            "series": data_rate_plots(
                                                arr, axes, ids, ["speedup_dense", "speedup_host"])}
    else:
        print(f"sasp plot: no speed-up plot: {unavailable(summ, 'cycle')}", file=sys.stderr)
    if have(rows, "energy_pj"):
        data["plots"]["energy_vs_rate"] = {"x": "rate_achieved",
                                           "y": ["energy_pj", "energy_ratio"],
                                           "series": data_rate_plots(
                                               arr, axes, ids, ["energy_pj", "energy_ratio"])}
        data["plots"]["energy_breakdown"] = data_energy_breakdown(rows, header, arr, axes, ids)
    else:
        print(f"sasp plot: no energy plots: {unavailable(summ, 'cycle')}", file=sys.stderr)
    if have(rows, "wer"):
        data["plots"]["wer_vs_rate"] = {"x": "rate_achieved", "y": ["wer", "wer_lo", "wer_hi"],
                                        "clip": clip, "log": logy,
                                        "series": data_rate_plots(
                                            arr, axes, ids, ["wer", "wer_lo", "wer_hi"]),
                                        "utterances": rows[0].get("wer_utts", "")}
        if have(rows, "speedup_host"):
            data["plots"]["pareto"] = {"x": "wer", "y": "speedup_host", "clip": clip,
                                       "log": logy, "arrays": data_pareto(arr, axes, ids, clip)}
    else:
        print(f"sasp plot: no WER and Pareto plots: {unavailable(summ, 'wer')}", file=sys.stderr)
    if opts["mask"]:
        data["plots"]["mask"] = data_mask(d, opts["mask"], summ, axes)

    written = []
    if opts["draw"]:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt  # noqa: F401
        except ImportError:
            if opts["data"]:
                write_data(opts["data"], data)
            die("python3-matplotlib is not installed", 3)
        draw_all(d, data, arr, axes, strats, model, scope, what, written)
    if opts["data"]:
        write_data(opts["data"], data)
    if not opts["quiet"]:
        for p in written:
            print(p)
    return 0


def write_data(path, data):
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as e:
        die(f"{path}: {e.strerror}")


def save(fig, d, name, written):
    for ext in ("png", "pdf"):
        path = os.path.join(d, f"{name}.{ext}")
        meta = {"Software": None} if ext == "png" else {"CreationDate": None, "Creator": None,
                                                        "Producer": None}
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=meta)
        written.append(path)


MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "*", "h", "p"]
STYLES = ["-", "--", ":", "-."]


def draw_all(d, data, arr, axes, strats, model, scope, what, written):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import ScalarFormatter
    plt.rcParams.update({"font.size": 10, "axes.grid": True, "grid.alpha": 0.3})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    col = {array_name(k): colors[i % len(colors)] for i, k in enumerate(arr)}
    mk = {s: MARKERS[i % len(MARKERS)] for i, s in enumerate(strats)}
    ls = {s: STYLES[i % len(STYLES)] for i, s in enumerate(strats)}
    skey = lambda ser: tuple(ser["strategy"][a] for a in axes)  # noqa: E731
    xlabel = f"pruning rate achieved (fraction of {scope or 'selected'} tiles pruned)"

    def series_label(ser):
        s = strategy_label(skey(ser), axes)
        return f"{ser['array']} array" + (f", {s}" if s else "")

    def legend(ax, **kw):
        """In the axes for a few lines; below the figure when there are many (axes sweeps),
        so that the legend never hides data."""
        n = len(ax.get_legend_handles_labels()[0])
        if n <= 6:
            ax.legend(**kw)
            return
        kw.pop("loc", None)
        kw.pop("bbox_to_anchor", None)
        ax.figure.legend(*ax.get_legend_handles_labels(), loc="upper center",
                         bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=7, **kw)

    p = data["plots"].get("speedup_vs_rate")
    if p:
        fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
        fig.subplots_adjust(wspace=0.28)
        for ser in p["series"]:
            x = [q["x"] for q in ser["points"]]
            for ax, c in zip(axs, p["y"]):
                ax.plot(x, [q["y"][c] for q in ser["points"]], marker=mk[skey(ser)],
                        linestyle=ls[skey(ser)], color=col[ser["array"]],
                        label=series_label(ser))
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
        legend(axs[0], title="same colours in both panels", title_fontsize=8)
        fig.suptitle(f"End-to-end inference speed-up from tile pruning\n({what})", y=1.04)
        save(fig, d, "speedup_vs_rate", written)
        plt.close(fig)

    p = data["plots"].get("energy_vs_rate")
    if p:
        fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
        fig.subplots_adjust(wspace=0.28)
        top = max(q["y"]["energy_pj"] for ser in p["series"] for q in ser["points"])
        unit, scale = energy_unit(top)
        for ser in p["series"]:
            x = [q["x"] for q in ser["points"]]
            kw = dict(marker=mk[skey(ser)], linestyle=ls[skey(ser)], color=col[ser["array"]],
                      label=series_label(ser))
            axs[0].plot(x, [q["y"]["energy_pj"] / scale for q in ser["points"]], **kw)
            axs[1].plot(x, [q["y"]["energy_ratio"] for q in ser["points"]], **kw)
        axs[0].set_ylabel(f"energy per inference ({unit})")
        axs[0].set_title("total energy: array, buffers, DRAM and host\n"
                         "(split by component: energy_breakdown)")
        axs[1].set_ylabel("energy / dense energy on the same array")
        axs[1].set_title("relative to the unpruned model")
        for ax in axs:
            ax.set_xlabel(xlabel)
        legend(axs[0], title="same colours in both panels", title_fontsize=8)
        fig.suptitle(f"Energy per inference vs pruning rate\n({what})", y=1.04)
        save(fig, d, "energy_vs_rate", written)
        plt.close(fig)

    p = data["plots"].get("energy_breakdown")
    if p:
        draw_energy_breakdown(plt, d, p, arr, axes, strats, what, written)

    p = data["plots"].get("wer_vs_rate")
    if p:
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        clip = p["clip"]
        n = len(p["series"])
        items, obstacles = [], []
        for i, ser in enumerate(p["series"]):
            dx = (i - (n - 1) / 2) * 0.003  # small offsets so error bars do not overlap
            x = [q["x"] + dx for q in ser["points"]]
            y = [q["y"]["wer"] for q in ser["points"]]
            lo = [q["y"]["wer_lo"] for q in ser["points"]]
            hi = [q["y"]["wer_hi"] for q in ser["points"]]
            c = col[ser["array"]]
            if clip is None:
                ax.errorbar(x, y, yerr=[[a - b for a, b in zip(y, lo)],
                                        [b - a for a, b in zip(y, hi)]],
                            marker=mk[skey(ser)], linestyle=ls[skey(ser)], capsize=3, color=c,
                            label=series_label(ser))
                continue
            yc = [min(v, clip) for v in y]
            obstacles += [(a, b) for a, b in zip(x, yc) if b < clip]
            inside = [j for j, v in enumerate(y) if v <= clip]
            ax.plot(x, yc, linestyle=ls[skey(ser)], color=c, label=series_label(ser),
                    marker=None)
            ax.errorbar([x[j] for j in inside], [y[j] for j in inside],
                        yerr=[[y[j] - lo[j] for j in inside],
                              [min(hi[j], clip) - y[j] for j in inside]],
                        fmt=mk[skey(ser)], capsize=3, color=c)
            out = [j for j, v in enumerate(y) if v > clip]
            if out:
                ax.plot([x[j] for j in out], [clip] * len(out), "^", color=c, markersize=8,
                        clip_on=False)
                items += [(x[j], clip, f"{y[j]:.0f}", c) for j in out]
        utts = p["utterances"]
        ax.set_xlabel(xlabel)
        if p["log"]:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.set_ylabel("word error rate (%), log scale")
        elif clip is not None:
            ax.set_ylim(0, clip)
            ax.set_ylabel(f"word error rate (%)\naxis clipped at {clip:g} %: ▲ = above (value beside)")
        else:
            ax.set_ylabel("word error rate (%)")
        if items:
            p["labels"] = place_labels(fig, ax, items, obstacles)
        ax.set_title(f"Accuracy of the pruned int8 model ({model}, {utts} test utterances;\n"
                     "bars: bootstrap 95 % confidence interval)")
        legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        save(fig, d, "wer_vs_rate", written)
        plt.close(fig)

    p = data["plots"].get("pareto")
    if p:
        fig, ax = plt.subplots(figsize=(8, 5))
        clip = p["clip"]
        items, n_dom = [], 0
        for a in p["arrays"]:
            c = col[a["array"]]
            for q in a["points"]:
                s = tuple(q["strategy"][k] for k in axes)
                x = min(q["x"], clip) if clip is not None else q["x"]
                if q["clipped"]:
                    ax.plot([x], [q["y"]], ">", color=c, alpha=1.0 if q["front"] else 0.25,
                            markersize=8, clip_on=False)
                else:
                    ax.plot([x], [q["y"]], mk[s], color=c, alpha=1.0 if q["front"] else 0.2,
                            markersize=6 if q["front"] else 5)
                n_dom += not q["front"]
            front = sorted((q for q in a["points"] if q["front"]),
                           key=lambda q: (q["x"], -q["y"]))
            fx = [min(q["x"], clip) if clip is not None else q["x"] for q in front]
            ax.plot(fx, [q["y"] for q in front], "-", color=c, linewidth=1.5)
            seen = set()  # strategies that coincide share one label
            for q, x in zip(front, fx):
                wer = f" (WER {q['x']:.0f} %)" if q["clipped"] else ""
                text = f"{q['rate_achieved']:.2f}{wer}"
                if (x, q["y"], text) not in seen:
                    seen.add((x, q["y"], text))
                    items.append((x, q["y"], text, c))
        if p["log"]:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.set_xlabel("word error rate (%), log scale — lower is better")
        elif clip is not None:
            ax.set_xlim(left=0, right=clip)
            ax.set_xlabel(f"word error rate (%) — lower is better; axis clipped at {clip:g} %: "
                          "▶ = above")
        else:
            ax.set_xlabel("word error rate (%)  — lower is better")
        ax.set_ylabel("system-wide speed-up vs host CPU alone (x)")
        p["labels"] = place_labels(fig, ax, items)
        dropped = sum(1 for lb in p["labels"] if lb["box"] is None)
        handles = [Line2D([], [], color=col[a["array"]], marker="o", linestyle="-",
                          label=f"{a['array']} array (front)") for a in p["arrays"]]
        if axes:
            handles += [Line2D([], [], color="0.3", marker=mk[s], linestyle="none",
                               label=strategy_label(s, axes)) for s in strats]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=8, title="marker = strategy" if axes else None, title_fontsize=8)
        faded = (f"faded: {n_dom} point(s) dominated within their array" if n_dom
                 else "no point is dominated within its array")
        over = " over all strategies" if axes else ""
        note = f"; {dropped} label(s) left out for lack of room" if dropped else ""
        ax.set_title(f"Speed-up / accuracy trade-off ({model}): Pareto front per array size"
                     f"{over}\n(labels: pruning rate achieved; {faded}{note})", fontsize=9)
        save(fig, d, "pareto", written)
        plt.close(fig)

    p = data["plots"].get("mask")
    if p:
        draw_mask(plt, d, p, written)


def energy_unit(top):
    return next((u, s) for u, s in (("J", 1e12), ("mJ", 1e9), ("µJ", 1e6), ("nJ", 1e3),
                                     ("pJ", 1.0)) if top >= s or s == 1.0)


def draw_energy_breakdown(plt, d, p, arr, axes, strats, what, written):
    names = list(p["groups"])
    acc = [g for g in names if g != HOST_GROUP]
    keys = [array_name(k) for k in arr]
    n = len(keys)
    fig, axs = plt.subplots(2, n, figsize=(max(4.2 * n, 9), 8), squeeze=False)
    fig.subplots_adjust(wspace=0.3, hspace=0.35)
    cmap = plt.get_cmap("tab10")
    gcol = {g: cmap(i) for i, g in enumerate(names)}
    hatches = ["", "//", "..", "xx", "\\\\", "++"]
    ns = len(strats)
    for j, a in enumerate(keys):
        bars = [b for b in p["bars"] if b["array"] == a]
        rates = sorted({b["rate"] for b in bars})
        top = max(b["energy_pj"] for b in bars)
        unit, scale = energy_unit(top)
        top_acc = max(sum(b["parts_pj"][g] for g in acc) for b in bars)
        unit2, scale2 = energy_unit(top_acc)
        width = 0.8 / ns
        for row, (groups_, sc, un) in enumerate(((names, scale, unit), (acc, scale2, unit2))):
            ax = axs[row][j]
            for b in bars:
                si = strats.index(tuple(b["strategy"][k] for k in axes))
                x = rates.index(b["rate"]) + (si - (ns - 1) / 2) * width
                base = 0.0
                for g in groups_:
                    v = b["parts_pj"][g] / sc
                    ax.bar(x, v, width * 0.92, bottom=base, color=gcol[g],
                           hatch=hatches[si % len(hatches)], edgecolor="white", linewidth=0.3)
                    base += v
            ax.set_xticks(range(len(rates)))
            ax.set_xticklabels([f"{r:g}" for r in rates], fontsize=8)
            ax.set_xlabel("pruning rate requested")
            ax.set_ylabel(f"energy per inference ({un})")
            ax.set_title(f"{a} array: " + ("whole system" if row == 0 else
                                           "accelerator only (host left out)"), fontsize=9)
    from matplotlib.patches import Patch
    handles = [Patch(color=gcol[g], label=g) for g in names]
    if axes and ns > 1:
        handles += [Patch(facecolor="0.85", hatch=hatches[i % len(hatches)],
                          label=strategy_label(s, axes)) for i, s in enumerate(strats)]
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 3 if ns > 1 else 5),
               fontsize=8, bbox_to_anchor=(0.5, 0.02))
    fig.suptitle(f"Where the energy of one inference goes, per array and pruning rate\n({what})",
                 y=0.99)
    save(fig, d, "energy_breakdown", written)
    plt.close(fig)


def draw_mask(plt, d, p, written):
    layers = p["layers"]
    n = len(layers)
    ncols = min(6, n)
    nrows = -(-n // ncols)
    fig, axs = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.4 * nrows + 0.6),
                            squeeze=False)
    from matplotlib.colors import ListedColormap
    cm = ListedColormap(["#c0392b", "#eaeaea"])  # 0 = pruned (red), 1 = kept (grey)
    for i, L in enumerate(layers):
        ax = axs[i // ncols][i % ncols]
        ax.imshow(L["kept"], cmap=cm, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        ax.set_title(f"{L['layer']}\n{L['pruned']}/{L['tiles']} tiles pruned "
                     f"({L['K']}x{L['N']})", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_xlabel(f"N / {L['tile'][1]}", fontsize=6)
        ax.set_ylabel(f"K / {L['tile'][0]}", fontsize=6)
    for i in range(n, nrows * ncols):
        axs[i // ncols][i % ncols].axis("off")
    tot = sum(L["tiles"] for L in layers)
    pr = sum(L["pruned"] for L in layers)
    name = p["point"] or os.path.basename(p["file"])[:-len(".mask")]
    fig.suptitle(f"Tile mask of {name}: {pr} of {tot} tiles pruned (red); rows = K tiles, "
                 "columns = N tiles", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    safe = "".join(ch if ch.isalnum() or ch in "._-=+" else "_" for ch in name)
    save(fig, d, f"mask_{safe}", written)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
