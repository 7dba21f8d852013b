"""The segment detail screen (R7.5-R7.10): header, metric cards and six tabs, one module
each; a tab's content mounts the first time it is shown."""
