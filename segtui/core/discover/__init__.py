"""Discover (C22): contacts grouped by the dimensions a marketer picks, each group described
in words and kept as a segment. docs/discover.md.

The records are in `model` (no numpy: the screen imports them). numpy and scikit-learn are
imported only by the modules that cluster (`encoding`, `clustering`, `describe`,
`rule_fit`), which only a discovery loads: a scripted read or the app's start never pays
for them (tests/test_cli_start.py).
"""
