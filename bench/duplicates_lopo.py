"""Leave-one-part-out for the duplicate scorer: does a combination fitted on the other
parts of the evaluation set (tests/data/) do better on the part left out than the
scorer as it is?

For every labelled pair the intake's prefilter would compare (evaluation.prefiltered),
the scorer's own signals: place p, time t (both as duplicates.score computes them),
text s, the kinds' relation. Then, for each of the parts in turn, left out:
- the scorer as it is (no weight is fitted here, so every part is a left-out part;
  its weights were set by hand on earlier parts, see bench/RESULTS.md);
- its hand weights refitted: the threshold, the text weight and the kind weights
  chosen on the other parts (best F1 over a small grid);
- a logistic model on (p, t, p x t, s, the kind relation), fitted on the other parts,
  its threshold the best F1 there.
A pair the prefilter drops is a miss for all three. Pure Python, no database.

Run: .venv/bin/python bench/duplicates_lopo.py
"""

import itertools
import math

from common import setup_django

setup_django(sqlite_name="bench-understanding")

from incidents import duplicates, evaluation  # noqa: E402

RELATIONS = ("same", "same_guess", "related", "unknown", "different", "different_guess")


def relation(new, old, related):
    a, b = duplicates.kind_of(new), duplicates.kind_of(old)
    if not a or not b:
        return "unknown"
    sure = bool(new.subtype and old.subtype)
    if a == b:
        return "same" if sure else "same_guess"
    if frozenset((a, b)) in related:
        return "related"
    return "different" if sure else "different_guess"


def signals(new, old, gazetteer, kinds):
    event = duplicates.event_kinds(new.subtype, duplicates.kind_of(new), old.subtype, duplicates.kind_of(old))
    t = duplicates.time_score(new.at, old.at, event, kinds, district="district" in (new.area, old.area))
    p, _where = duplicates.place_score(new, old, gazetteer)
    both = {duplicates.kind_of(new), duplicates.kind_of(old)}
    if len(both) == 1 and both <= kinds.wide_area:
        p = max(p, duplicates.WIDE_AREA_PLACE)
    s = max(duplicates.jaccard(new.grams, old.grams), duplicates.jaccard(new.words, old.words))
    as_is, _reasons = duplicates.score(new, old, gazetteer=gazetteer, kinds=kinds)
    return {"p": p, "t": t, "s": s, "k": relation(new, old, kinds.related), "phone": old.same_phone, "as_is": as_is}


def labelled():
    """[(part, same event, signals or None when the prefilter drops the pair)]."""
    items, pairs = evaluation.load(), evaluation.read_pairs()
    gazetteer, reader, kinds = evaluation.tools()
    label = {(a, b): same for _part, a, b, same, _what in pairs}
    out = []
    for part in evaluation.SPLITS:
        these = [i for i in items if i.split == part]
        seen = evaluation.sightings(these, gazetteer, reader)
        for n, item in enumerate(these):
            new = seen[item.id]
            for earlier in these[:n]:
                if (earlier.id, item.id) not in label:
                    continue
                old = seen[earlier.id]
                old.same_phone = duplicates.same_caller(item.phone, earlier.phone)
                near = evaluation.prefiltered(new, old, 2.5, kinds, gazetteer)
                out.append((part, label[(earlier.id, item.id)], signals(new, old, gazetteer, kinds) if near else None))
    return out


def figures(rows, flag):
    tp = sum(1 for _p, same, x in rows if same and x and flag(x))
    fp = sum(1 for _p, same, x in rows if not same and x and flag(x))
    fn = sum(1 for _p, same, _x in rows if same) - tp
    return tp, fp, fn


def f1(tp, fp, fn):
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# --- the hand weights, refitted ------------------------------------------------------------

KINDS = {"same": 1.0, "same_guess": 0.9, "different": 0.25}
GRID = [
    (th, w, {**KINDS, "related": r, "different_guess": g, "unknown": u})
    for th, w, r, g, u in itertools.product(
        (0.40, 0.425, 0.45, 0.475, 0.5), (0.25, 0.35, 0.45), (0.65, 0.75, 0.85), (0.4, 0.5, 0.6), (0.7, 0.8, 0.9)
    )
]


def hand(x, w_text, kind):
    t = x["t"]
    return (
        kind[x["k"]] * (x["p"] * t + w_text * x["s"] * max(t, duplicates.TEXT_TIME_FLOOR))
        + t * duplicates.W_PHONE * x["phone"]
    )


def fit_hand(rows):
    def quality(g):
        return f1(*figures(rows, lambda x: hand(x, g[1], g[2]) >= g[0]))

    th, w_text, kind = max(GRID, key=quality)
    return lambda x: hand(x, w_text, kind) >= th


# --- a logistic model ------------------------------------------------------------------------


def features(x):
    p, t = x["p"], x["t"]
    return [1.0, p, t, p * t, x["s"]] + [float(x["k"] == k) for k in RELATIONS[1:]]


def fit_logistic(rows, l2=1.0, rounds=30):
    """Newton steps on the L2-penalised log-likelihood (the intercept not penalised)."""
    data = [(features(x), 1.0 if same else 0.0) for _p, same, x in rows if x]
    d = len(data[0][0])
    w = [0.0] * d
    for _round in range(rounds):
        grad = [l2 * w[i] * (i > 0) for i in range(d)]
        hess = [[l2 * (i == j and i > 0) for j in range(d)] for i in range(d)]
        for f, y in data:
            q = 1 / (1 + math.exp(-max(-30.0, min(30.0, sum(a * b for a, b in zip(w, f, strict=True))))))
            for i in range(d):
                grad[i] += (q - y) * f[i]
                for j in range(d):
                    hess[i][j] += q * (1 - q) * f[i] * f[j]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(v) for v in step) < 1e-7:
            break

    def z(x):
        return sum(a * b for a, b in zip(w, features(x), strict=True))

    cuts = sorted({z(x) for _p, _same, x in rows if x})
    cut = max(cuts, key=lambda c: f1(*figures(rows, lambda x: z(x) >= c)))
    return (lambda x: z(x) >= cut), w


def _solve(a, b):
    """a x = b by Gauss-Jordan elimination (a small symmetric positive definite matrix)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for i in range(n):
        pivot = max(range(i, n), key=lambda r: abs(m[r][i]))
        m[i], m[pivot] = m[pivot], m[i]
        for r in range(n):
            if r != i and m[i][i]:
                f = m[r][i] / m[i][i]
                m[r] = [u - f * v for u, v in zip(m[r], m[i], strict=True)]
    return [m[i][n] / m[i][i] if m[i][i] else 0.0 for i in range(n)]


def main():
    rows = labelled()
    methods = {
        "as is": lambda _train: lambda x: x["as_is"] >= duplicates.THRESHOLD,
        "hand weights refitted": fit_hand,
        "logistic": lambda train: fit_logistic(train)[0],
    }
    print(f"{len(rows)} labelled pairs, {sum(1 for r in rows if r[2] is None and r[1])} of one event never compared")
    for name, fit in methods.items():
        pooled = [0, 0, 0]
        cells = []
        for part in evaluation.SPLITS:
            flag = fit([r for r in rows if r[0] != part])
            tp, fp, fn = figures([r for r in rows if r[0] == part], flag)
            pooled = [pooled[0] + tp, pooled[1] + fp, pooled[2] + fn]
            cells.append(f"{part} {tp / (tp + fp):.3f}/{tp / (tp + fn):.3f}")
        tp, fp, fn = pooled
        print(f"{name}: " + ", ".join(cells) + f"; pooled {tp / (tp + fp):.3f}/{tp / (tp + fn):.3f}")
    _flag, w = fit_logistic(rows)
    names = ["intercept", "p", "t", "p*t", "s", *RELATIONS[1:]]
    print("logistic on every part: " + ", ".join(f"{n} {v:+.2f}" for n, v in zip(names, w, strict=True)))


if __name__ == "__main__":
    main()
