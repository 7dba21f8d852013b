"""Demo data: the specification's section 8 sample, computed from generated facts."""
