"""The segment detail screen (spec 7.5-7.10): header, metric cards and six tabs, one module
each; a tab's content mounts the first time it is shown."""
