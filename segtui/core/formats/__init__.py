"""Files in and out, pure: contact and event CSV reading (contacts_csv
and the contact_* and cell_text modules it uses, events_csv), member and segment exports,
CSV safety, opening a CSV file (csv_source), column plans and presets.
docs/import-export.md.
"""
