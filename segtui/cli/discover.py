"""`segtui discover` (C22.6): the contacts (or one segment's members) grouped into
clusters, each with what sets it apart, its figures and a suggested rule with its
precision and recall; anyone may run it (it only reads). `segtui discover-keep N` runs
the same discovery (the same options and seed give the same clusters) and keeps cluster N
as a segment: a write, for those who may change segments.

numpy and scikit-learn load inside the commands (store.discover): the other commands
never pay for them (tests/test_cli_start.py).
"""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every
# run (segtui/cli/__init__.py's docstring).

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from segtui.cli.access import reads, writes
from segtui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    acting_user,
    command_store,
    find_segment,
)
from segtui.cli.output import clear_status, dumps, fail, output_mode, say, status

if TYPE_CHECKING:
    from segtui.core.discover.model import DiscoverRequest, Discovery
    from segtui.data.store import Store

DEFAULT_DIMENSIONS = "size,industry,spent,engaged"

DimensionsOption = Annotated[str, typer.Option(
    "--dimensions", "-d", metavar="LIST",
    help="What to group by, comma-separated: status, stage, size, industry, region, "
         "spent, purchases, engaged, tags.")]
KOption = Annotated[str, typer.Option(
    "--k", metavar="auto|N", help="How many clusters: 2 to 20, or auto (the best "
                                  "silhouette of 2 to 8).")]
SegmentOption = Annotated[str | None, typer.Option(
    "--segment", metavar="NAME", help="Cluster this segment's members only (default: "
                                      "every contact).", show_default=False)]
SeedOption = Annotated[int, typer.Option(
    "--seed", help="The same seed gives the same clusters.")]
WindowOption = Annotated[int, typer.Option(
    "--window", metavar="DAYS", help="The engagement window, in days (1 to 365).")]


def _request(ctx: typer.Context, store: "Store", dimensions: str, k: str,
             segment: str | None, seed: int, window: int) -> "DiscoverRequest":
    """The request the options make, or exit 2 (a usage error) naming what is wrong."""
    from segtui.core.discover.model import Dimension, DiscoverRequest

    dims = []
    for word in (w.strip().lower() for w in dimensions.split(",")):
        if not word:
            continue
        try:
            dims.append(Dimension(word))
        except ValueError:
            known = ", ".join(d.value for d in Dimension)
            raise typer.BadParameter(f"{word!r} is not a dimension (use {known})",
                                     ctx=ctx, param_hint="'--dimensions'") from None
    if k.strip().lower() == "auto":
        chosen = None
    elif k.strip().isdigit():
        chosen = int(k)
    else:
        raise typer.BadParameter(f"{k!r} is neither auto nor a number", ctx=ctx,
                                 param_hint="'--k'")
    segment_id = None if segment is None else find_segment(store, segment)
    return DiscoverRequest(tuple(dims), k=chosen, segment_id=segment_id, seed=seed,
                           window_days=window)


def _run(store: "Store", request: "DiscoverRequest") -> "Discovery":
    """The discovery, with a progress line on stderr when it is a terminal, or exit 1
    with the reason (an empty population, fewer contacts than k...)."""
    from segtui.core.discover.model import DiscoverError

    live = sys.stderr.isatty()

    def progress(fraction: float, what: str) -> None:
        if live:
            bar = "█" * int(fraction * 30)
            status(f"{bar:<30} {fraction:4.0%}  {what} ")

    try:
        return store.discover.run(request, progress=progress)
    except DiscoverError as exc:
        fail(str(exc))
    finally:
        if live:
            clear_status()


@reads
def discover(
    ctx: typer.Context,
    dimensions: DimensionsOption = DEFAULT_DIMENSIONS,
    k: KOption = "auto",
    segment: SegmentOption = None,
    seed: SeedOption = 0,
    window: WindowOption = 30,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Group the contacts into clusters (C22): what sets each apart, its engagement,
    conversion, revenue and retention, and a rule that approximates it."""
    from segtui.core.discover.export import discovery_lines, discovery_object

    output = output_mode(ctx, as_json)
    store = command_store(ctx, db)
    try:
        request = _request(ctx, store, dimensions, k, segment, seed, window)
        found = _run(store, request)
    finally:
        store.close()
    if output.value == "json":
        say(dumps(discovery_object(found, segment), indent=2))
        return
    for line in discovery_lines(found):
        say(line)


@writes("change segments")
def discover_keep(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(
        metavar="N", help="The cluster's number, as `segtui discover` lists them with the "
                          "same options.", show_default=False)],
    kind: Annotated[str, typer.Option(
        "--as", metavar="static|dynamic", help="static: its members now; dynamic: kept to "
        "its suggested rule (or --rule).")] = "static",
    name: Annotated[str | None, typer.Option(
        "--name", help="The segment's name (default: the cluster's, letters, digits and "
                       "spaces).", show_default=False)] = None,
    rule: Annotated[str | None, typer.Option(
        "--rule", help="A dynamic segment's rule instead of the suggested one.",
        show_default=False)] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    dimensions: DimensionsOption = DEFAULT_DIMENSIONS,
    k: KOption = "auto",
    segment: SegmentOption = None,
    seed: SeedOption = 0,
    window: WindowOption = 30,
    as_json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Keep a cluster as a segment (C22.3): a static one of its members, or a dynamic one
    kept to its rule."""
    from segtui.core.discover.model import DiscoverError, segment_name
    from segtui.core.formatting import plural
    from segtui.core.segments import SegmentError

    output = output_mode(ctx, as_json)
    if kind not in ("static", "dynamic"):
        raise typer.BadParameter(f"{kind!r} is neither static nor dynamic", ctx=ctx,
                                 param_hint="'--as'")
    if rule is not None and kind == "static":
        raise typer.BadParameter("a rule is for --as dynamic", ctx=ctx,
                                 param_hint="'--rule'")
    store = command_store(ctx, db)
    try:
        acting = acting_user(ctx)
        found = _run(store, _request(ctx, store, dimensions, k, segment, seed, window))
        if not 1 <= number <= len(found.clusters):
            fail(f"there is no cluster {number}: this discovery has "
                 f"{plural(len(found.clusters), 'cluster')}")
        cluster = found.clusters[number - 1]
        chosen = name if name is not None else segment_name(cluster.name)
        if not description:  # where it came from, as the screen's Keep writes it
            from segtui.core.discover.export import kept_description

            description = kept_description(found, cluster.index)
        try:
            if kind == "static":
                segment_id = store.discover.keep_static(found, cluster.index, chosen, acting,
                                                        description)
            else:
                text = rule if rule is not None else (
                    cluster.suggested.rule if cluster.suggested else None)
                if text is None:
                    fail(f"cluster {number} has no suggested rule: give one with --rule")
                segment_id = store.discover.keep_dynamic(found, cluster.index, chosen, text,
                                                         acting, description)
        except (SegmentError, DiscoverError) as exc:
            fail(str(exc))
        from segtui.cli.segments.records import segment_object

        obj = segment_object(store, segment_id)
    finally:
        store.close()
    if output.value == "json":
        say(dumps(obj, indent=2))
        return
    say(f"Kept cluster {number} ({cluster.name}) as the {kind} segment "
        f"{obj.get('name', chosen)!r}: {plural(int(obj.get('members', 0)), 'member')}")
