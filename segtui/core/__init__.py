"""The domain: records, rules, formulas and formats. Pure Python, no Textual, no Rich.

Screens and widgets talk to the Store API in `segtui.data`, which returns the frozen
dataclasses defined here.
"""
