"""Import and export as a service: the steps the command line and the app's dialogs share
(imports, rejects, exports) and reading a large file in a second process (read_ahead).
Neither domain (it starts processes, writes files) nor SQL (it goes through the Store).
"""
