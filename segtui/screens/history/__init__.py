"""The membership history screen (C20.2.2, C20.3.1)."""
