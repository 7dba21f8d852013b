"""Mappings for other CRMs' contact exports (I16.13): `--preset hubspot`, `mautic`,
`salesforce`, or a mapping file of your own (`--preset my-crm.toml`).

A mapping names, for one kind of export, which of its columns fill which segtui field (or
are left out), which of its values become which of segtui's (lifecycle stages, lead
statuses, company sizes, sources), and how it writes numeric dates. Its entries apply to
the columns a file has; a file need not have them all. `--map` and `--values` given with
it win over its entries. The built-in mappings are written as a mapping file would be and
go through the same checks (tests/test_import_files.py checks each one resolves).

A mapping file is TOML:

    name = "My CRM"            # optional
    dates = "day-first"        # optional: iso (default), month-first, day-first

    [columns]
    "Lead Status" = "Status"
    "Status" = ""              # leave the column out
    "title" = "Salutation"     # a form of address: recognised, not kept

    [values.Status]            # a field, by name or alias
    "Marketing Qualified Lead" = "Qualified"
    "Other" = ""               # an empty cell

Docs: docs/import-export.md, "Other CRMs' exports".
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

from segtui.core.formats.column_plan import Skip, header_key
from segtui.core.formats.contact_cells import DateOrder
from segtui.core.formats.contact_columns import ImportError_, field_names, map_target
from segtui.core.formats.contact_fields import Field
from segtui.core.formats.contact_value_map import ValueMap, add_value, field_named


@dataclass(frozen=True)
class Preset:
    """A mapping as written: header -> field name ("" leaves it out, "Salutation"), field
    name -> file value -> segtui value."""

    name: str
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    dates: str = DateOrder.ISO.value


@dataclass(frozen=True)
class ResolvedPreset:
    """A mapping checked and ready: header_key -> target (in the preset's order, which
    settles two of its columns filling one field), field -> value map, date order."""

    name: str
    columns: dict[str, Field | Skip]
    values: ValueMap
    dates: DateOrder


def resolve(preset: Preset) -> ResolvedPreset:
    """Check every entry (ImportError_ naming the mapping and the entry)."""
    where = f"the {preset.name} mapping"
    columns: dict[str, Field | Skip] = {}
    for header, target in preset.columns.items():
        found = map_target(target, Field, salutation=True)
        if found is None:
            raise ImportError_(f"{where}: [columns] {header!r} = {target!r}: {target!r} is "
                               f"not a field; fields are {field_names(Field, True)}")
        columns[header_key(header)] = found
    values: ValueMap = {}
    for name, table in preset.values.items():
        target_field = field_named(name)
        if target_field is None:
            raise ImportError_(f"{where}: [values.{name}]: {name!r} is not a field")
        for source, value in table.items():
            add_value(values, target_field, source, value,
                      f"{where}: [values.{name}] {source!r}")
    try:
        dates = DateOrder(preset.dates)
    except ValueError:
        raise ImportError_(f"{where}: dates = {preset.dates!r}; write "
                           + ", ".join(repr(d.value) for d in DateOrder)) from None
    return ResolvedPreset(preset.name, columns, values, dates)


def parse_preset(text: str, name: str) -> Preset:
    """A mapping file's TOML (ImportError_ for a file that isn't one)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ImportError_(f"{name}: not a mapping file ({exc})") from None
    unknown = set(data) - {"name", "dates", "columns", "values"}
    if unknown:
        raise ImportError_(f"{name}: unknown settings {', '.join(sorted(unknown))}; a "
                           "mapping file has name, dates, [columns] and [values.FIELD]")
    columns, values = data.get("columns", {}), data.get("values", {})
    if not isinstance(columns, dict) or not all(
            isinstance(v, str) for v in columns.values()):
        raise ImportError_(f"{name}: [columns] maps headers to field names (text)")
    if not isinstance(values, dict) or not all(
            isinstance(t, dict) and all(isinstance(v, str) for v in t.values())
            for t in values.values()):
        raise ImportError_(f"{name}: [values.FIELD] maps the file's values to segtui's "
                           "(text)")
    return Preset(str(data.get("name", name)), columns, values,
                  str(data.get("dates", DateOrder.ISO.value)))


# -- the built-in mappings -------------------------------------------------------------------
# Sizes: SMB under 100 employees, Mid-Market 100-999, Enterprise 1,000 and more.
# Values segtui has no word for ("Other", "Paid Search") become empty cells, not rejects.

HUBSPOT = Preset(
    "HubSpot",
    columns={
        # HubSpot's own names for segtui's fields.
        "Phone Number": "Phone", "State/Region": "State", "Country/Region": "Country",
        "Lifecycle Stage": "Lifecycle Stage", "Lead Status": "Status",
        "Number of Employees": "Company Size", "Company size": "Company Size",
        "Original Source": "Source", "Create Date": "Created",
        "Last Contacted": "Last Contacted",
        # Left out: "Status" (not the lead status), ids, owners, activity HubSpot counts.
        "Status": "", "Record ID": "", "Contact owner": "", "Last Activity Date": "",
        "Marketing contact status": "", "Associated Company": "", "Mobile Phone Number": "",
        "Email Domain": "", "Time Zone": "", "Persona": "", "HubSpot Score": "",
        "Annual Revenue": "", "Website URL": "", "Street Address": "", "Postal Code": "",
        "Last Modified Date": "", "Became a Customer Date": "", "Associated Deal": "",
    },
    values={
        "Lifecycle Stage": {
            "Subscriber": "New", "Lead": "New", "Marketing Qualified Lead": "Engaged",
            "Sales Qualified Lead": "Engaged", "Opportunity": "Engaged",
            "Customer": "Customer", "Evangelist": "Advocate", "Other": "",
        },
        "Status": {
            "New": "New", "Open": "New", "In Progress": "Nurturing",
            "Attempted to Contact": "Nurturing", "Connected": "Qualified",
            "Open Deal": "Hot Lead", "Unqualified": "Cold", "Bad Timing": "Cold",
        },
        "Company Size": {
            "1-5": "SMB", "5-25": "SMB", "25-50": "SMB", "50-100": "SMB",
            "100-500": "Mid-Market", "500-1000": "Mid-Market", "1000+": "Enterprise",
            "1,000+": "Enterprise",
        },
        "Source": {
            "Direct Traffic": "direct", "Offline Sources": "direct", "Referrals": "referral",
            "Email Marketing": "subscription", "Organic Search": "", "Paid Search": "",
            "Social Media": "", "Organic Social": "", "Paid Social": "",
            "Other Campaigns": "", "AI Referrals": "referral",
        },
    },
)

MAUTIC = Preset(
    "Mautic",
    columns={
        # Mautic's field aliases; its `title` is the salutation, `position` the job.
        "title": "Salutation", "position": "Title", "firstname": "First Name",
        "lastname": "Last Name", "company": "Company", "email": "Email",
        "phone": "Phone", "mobile": "Phone",  # the phone when both: listed first
        "city": "City", "state": "State", "country": "Country", "stage": "Lifecycle Stage",
        "tags": "Tags", "date_added": "Created",
        # Left out: points are not a 0-100 score; addresses, social profiles, ids.
        "id": "", "points": "", "fax": "", "address1": "", "address2": "", "zipcode": "",
        "preferred_locale": "", "timezone": "", "last_active": "", "attribution": "",
        "attribution_date": "", "website": "", "facebook": "", "foursquare": "",
        "instagram": "", "linkedin": "", "skype": "", "twitter": "", "owner": "",
        "date_modified": "", "date_identified": "", "companywebsite": "",
    },
    values={
        # Mautic's stages are each account's own; these are the common ones.
        "Lifecycle Stage": {
            "Lead": "New", "Prospect": "New", "MQL": "Engaged",
            "Marketing Qualified Lead": "Engaged", "SQL": "Engaged",
            "Sales Qualified Lead": "Engaged", "Opportunity": "Engaged",
            "Customer": "Customer", "Evangelist": "Advocate", "Lost": "Inactive",
        },
    },
)

SALESFORCE = Preset(
    "Salesforce",
    columns={
        # Report exports (Contacts & Accounts, Leads): labels, not API names.
        "Salutation": "Salutation", "Account Name": "Company", "Company / Account": "Company",
        "Phone": "Phone", "Mobile": "Phone", "Mobile Phone": "Phone",  # the first wins
        "Mailing City": "City", "Mailing State/Province": "State",
        "Mailing Country": "Country", "State/Province": "State",
        "Lead Source": "Source", "Lead Status": "Status", "Created Date": "Created",
        "Last Activity": "",  # segtui computes its own from events
        "Contact ID": "", "Lead ID": "", "Account ID": "", "Contact Owner": "",
        "Lead Owner": "", "Account Owner": "", "Rating": "", "No. of Employees": "",
        "Employees": "", "Annual Revenue": "", "Email Opt Out": "", "Description": "",
        "Last Modified Date": "", "Mailing Street": "", "Mailing Zip/Postal Code": "",
        "Street": "", "Zip/Postal Code": "", "Fax": "", "Website": "",
    },
    values={
        "Status": {
            "Open - Not Contacted": "New", "Working - Contacted": "Nurturing",
            "Closed - Converted": "Customer", "Closed - Not Converted": "Cold",
        },
        "Source": {
            "Web": "direct", "Phone Inquiry": "direct", "Partner Referral": "referral",
            "Employee Referral": "referral", "External Referral": "referral",
            "Word of mouth": "referral", "Purchased List": "", "Other": "",
            "Advertisement": "", "Trade Show": "", "Public Relations": "",
            "Seminar - Internal": "", "Seminar - Partner": "",
        },
    },
    dates=DateOrder.MONTH_FIRST.value,  # a US-locale report: 1/5/2024 9:30 AM
)

PRESETS: dict[str, Preset] = {"hubspot": HUBSPOT, "mautic": MAUTIC,
                              "salesforce": SALESFORCE}


def preset_named(name: str) -> Preset | None:
    return PRESETS.get(header_key(name))
