"""Dynamic segments in SQL: a rule compiled to one condition (compiler), the refresh engine
(refresh, whole_refresh, incremental) and what a change owes the segments (pending).
"""
