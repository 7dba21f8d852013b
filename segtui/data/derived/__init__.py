"""Per-contact values the database keeps by triggers: rollups of the events, the completeness
of the Quality Score, the narrow copy of contact figures.
"""
