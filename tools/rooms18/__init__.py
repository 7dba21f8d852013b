"""The parts of tools/restructure_18.py (issue 18, "rooms"): what moves where (plan), moving
modules and top-level definitions (moves), splitting the Store into facets (store_split),
rewriting imports, names and call sites (rewrite, calls), and the files copied in (assets/).
"""
