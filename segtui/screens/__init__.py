"""One module per screen. Screens own their widgets' handlers and their workers."""
