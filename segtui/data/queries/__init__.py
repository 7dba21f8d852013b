"""Reads, one module per thing the app or the command line shows. Each function runs inside
the caller's read transaction (Store.reading()).
"""
