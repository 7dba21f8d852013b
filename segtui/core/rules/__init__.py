"""Dynamic-segment rules, pure: the tree and its JSON (tree), fields and operators (fields),
checking (check), the query language (language), templates, the refresh records (refresh)
and the order segments are refreshed in (order). docs/rules.md.
"""
