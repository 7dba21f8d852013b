"""The database itself: engine and connections, the Core tables and the ORM models, Alembic
migrations and the schema's revision, SQL helpers, keyset pages, running statements, bulk
loading.
"""
