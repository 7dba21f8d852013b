"""A discovery as a JSON object and as lines of text (C22.6): what `segtui discover`
prints, `--json` the whole structure (the clusters, their profiles, their suggested rules,
the k scores), the text a table a person reads. No numpy: the assignment is not printed.
"""

from __future__ import annotations

from typing import Any

from segtui.core import clock
from segtui.core.analytics import money
from segtui.core.discover.model import DIMENSIONS, ClusterProfile, Discovery, SuggestedRule
from segtui.core.formatting import plural, whole
from segtui.core.text import printable
from segtui.core.validation import DESCRIPTION_MAX


def _rate(value: float | None) -> float | None:
    """A rate 0..1 to four places (a tenth of a percent and one more)."""
    return None if value is None else round(value, 4)


def rule_object(rule: SuggestedRule) -> dict[str, Any]:
    return {"rule": rule.rule, "precision": round(rule.precision, 4),
            "recall": round(rule.recall, 4), "matches": rule.matches,
            "in_cluster": rule.in_cluster}


def cluster_object(number: int, cluster: ClusterProfile) -> dict[str, Any]:
    """One cluster: `number` is its place, largest first (1-based), as the text shows and
    `segtui discover-keep` takes; `index` its label, stable for one seed."""
    return {
        "number": number, "index": cluster.index, "name": cluster.name,
        "size": cluster.size, "share": round(cluster.share, 4),
        "traits": [{"dimension": t.dimension.value, "text": t.text, "weight": t.weight}
                   for t in cluster.traits],
        "engagement_rate": _rate(cluster.engagement_rate),
        "conversion_rate": _rate(cluster.conversion_rate),
        "revenue_per_member_cents": cluster.revenue_per_member_cents,
        "retention_rate": _rate(cluster.retention_rate),
        "suggested_rule": None if cluster.suggested is None else rule_object(cluster.suggested),
    }


def discovery_object(discovery: Discovery, segment: str | None = None) -> dict[str, Any]:
    """The whole discovery; `segment`: the starting segment's name, if any."""
    r = discovery.request
    return {
        "dimensions": [d.value for d in r.dimensions], "segment": segment,
        "seed": r.seed, "window_days": r.window_days,
        "k": discovery.k, "k_chosen": r.k is None,
        "k_scores": [{"k": s.k, "silhouette": s.silhouette} for s in discovery.k_scores],
        "population": discovery.population, "seconds": discovery.seconds,
        "clusters": [cluster_object(n, c) for n, c in enumerate(discovery.clusters, 1)],
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def discovery_lines(discovery: Discovery) -> list[str]:
    """The discovery as text: a line about the run, then each cluster: its name and size,
    its traits, its figures and its suggested rule with precision and recall."""
    if discovery.k_scores:
        scores = ", ".join(f"{s.k}: {s.silhouette:.2f}" for s in discovery.k_scores)
        how = f"k = {discovery.k}, chosen by silhouette ({scores})"
    else:
        how = f"k = {discovery.k}"
    lines = [f"{plural(discovery.population, 'contact')} in "
             f"{plural(len(discovery.clusters), 'cluster')}; {how}; "
             f"{discovery.seconds:.1f} s"]
    for n, c in enumerate(discovery.clusters, 1):
        lines += ["", f"{n}. {c.name}: {plural(c.size, 'contact')} ({_pct(c.share)})"]
        lines += [f"   {t.text}" for t in c.traits]
        lines.append(f"   engagement {_pct(c.engagement_rate)} · conversion "
                     f"{_pct(c.conversion_rate)} · revenue per member "
                     f"{money(c.revenue_per_member_cents)} · retention "
                     f"{_pct(c.retention_rate)}")
        s = c.suggested
        if s is None:
            lines.append("   no rule found")
        else:
            lines.append(f"   rule: {s.rule}")
            lines.append(f"   precision {_pct(s.precision)}, recall {_pct(s.recall)} "
                         f"(matches {whole(s.matches)}, {whole(s.in_cluster)} in the "
                         "cluster)")
    return lines


def kept_description(discovery: Discovery, index: int) -> str:
    """What a segment kept from cluster `index` says of where it came from (C22.3.1): the
    day, the dimensions and the cluster's traits, printable (a trait quotes data) and
    within a description's length. The same from the screen and `segtui discover-keep`."""
    cluster = discovery.cluster(index)
    labels = ", ".join(DIMENSIONS[d].label for d in discovery.request.dimensions)
    text = printable(f"From Discover on {clock.today():%d/%m/%Y}: one of {discovery.k} "
                     f"clusters by {labels}. " + "; ".join(t.text for t in cluster.traits))
    return text if len(text) <= DESCRIPTION_MAX else text[:DESCRIPTION_MAX - 1] + "…"
