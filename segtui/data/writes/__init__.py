"""Writes a user asks for: segments, members, the activity timeline, users, merging
contacts. Each function runs inside the caller's write transaction (Store.writing()).
"""
