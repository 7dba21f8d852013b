"""Bulk import and export: contacts and events written in batches inside one transaction,
matching rows with contacts, the streamed member export.
"""
