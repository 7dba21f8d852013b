"""The API's resources, one module each (C21.1.2)."""
