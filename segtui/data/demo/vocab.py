"""Word lists for generated contacts and companies. Fictional; phone numbers use 555-01xx."""

from __future__ import annotations

from segtui.core.enums import CompanySize

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Daniel", "Linda", "William",
    "Elizabeth", "Joseph", "Barbara", "Thomas", "Susan", "Charles", "Jessica", "Chris", "Karen",
    "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Betty", "Steven", "Sandra", "Paul",
    "Ashley", "Andrew", "Kimberly", "Joshua", "Donna", "Kenneth", "Michelle", "Kevin", "Carol",
    "Brian", "Amanda", "George", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie",
    "Jason", "Rebecca", "Ryan", "Laura", "Jacob", "Sharon", "Gary", "Cynthia", "Nicholas",
    "Kathleen", "Eric", "Amy", "Jonathan", "Angela", "Aisha", "Hiroshi", "Priya", "Lukas",
    "Sofia", "Mateo", "Chloe", "Noah", "Olivia", "Liam", "Yuki", "Ananya", "Omar", "Fatima",
    "Ingrid", "Pierre", "Giulia", "Ravi", "Mei", "Jonas", "Elena", "Diego",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Perez", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
    "Mitchell", "Carter", "Roberts", "Patel", "Kim", "Tanaka", "Schmidt", "Rossi", "Dubois",
    "Novak", "Silva", "Kowalski", "Larsen", "Okafor", "Singh", "Wang", "Murphy", "Fischer",
)

COMPANY_WORDS = (
    "Apex", "Blue", "Bright", "Cedar", "Clear", "Core", "Crest", "Delta", "Echo", "Ever",
    "First", "Granite", "Harbor", "Iron", "Keystone", "Lumen", "Maple", "Meridian", "Nimbus",
    "North", "Nova", "Oak", "Orbit", "Peak", "Pine", "Pioneer", "Prime", "Quantum", "River",
    "Sable", "Silver", "Summit", "Terra", "True", "Vertex", "Vista", "West", "Zenith",
)

COMPANY_KINDS = (
    ("Analytics", "Software"), ("Systems", "Software"), ("Labs", "Biotech"),
    ("Logistics", "Transportation"), ("Health", "Healthcare"), ("Capital", "Financial Services"),
    ("Retail", "Retail"), ("Media", "Media"), ("Energy", "Energy"), ("Robotics", "Manufacturing"),
    ("Cloud", "Software"), ("Foods", "Consumer Goods"), ("Consulting", "Professional Services"),
    ("Networks", "Telecommunications"), ("Security", "Software"), ("Motors", "Automotive"),
)

COMPANY_SUFFIXES = {
    CompanySize.ENTERPRISE: ("Corporation", "Group", "Holdings", "Inc."),
    CompanySize.MID_MARKET: ("Inc.", "Co.", "Partners", "LLC"),
    CompanySize.SMB: ("LLC", "Studio", "Co.", ""),
}

# (city, state/province, country, region)
PLACES = (
    ("Boston", "MA", "United States", "North America"),
    ("New York", "NY", "United States", "North America"),
    ("San Francisco", "CA", "United States", "North America"),
    ("Los Angeles", "CA", "United States", "North America"),
    ("San Diego", "CA", "United States", "North America"),
    ("Seattle", "WA", "United States", "North America"),
    ("Austin", "TX", "United States", "North America"),
    ("Dallas", "TX", "United States", "North America"),
    ("Chicago", "IL", "United States", "North America"),
    ("Denver", "CO", "United States", "North America"),
    ("Atlanta", "GA", "United States", "North America"),
    ("Miami", "FL", "United States", "North America"),
    ("Orlando", "FL", "United States", "North America"),
    ("Phoenix", "AZ", "United States", "North America"),
    ("Portland", "OR", "United States", "North America"),
    ("Minneapolis", "MN", "United States", "North America"),
    ("Raleigh", "NC", "United States", "North America"),
    ("Nashville", "TN", "United States", "North America"),
    ("Toronto", "ON", "Canada", "North America"),
    ("Vancouver", "BC", "Canada", "North America"),
    ("London", "England", "United Kingdom", "Europe"),
    ("Manchester", "England", "United Kingdom", "Europe"),
    ("Dublin", "Leinster", "Ireland", "Europe"),
    ("Berlin", "Berlin", "Germany", "Europe"),
    ("Munich", "Bavaria", "Germany", "Europe"),
    ("Paris", "Île-de-France", "France", "Europe"),
    ("Amsterdam", "North Holland", "Netherlands", "Europe"),
    ("Madrid", "Madrid", "Spain", "Europe"),
    ("Stockholm", "Stockholm", "Sweden", "Europe"),
    ("Sydney", "NSW", "Australia", "Asia Pacific"),
    ("Melbourne", "VIC", "Australia", "Asia Pacific"),
    ("Singapore", "Singapore", "Singapore", "Asia Pacific"),
    ("Tokyo", "Tokyo", "Japan", "Asia Pacific"),
    ("Bengaluru", "Karnataka", "India", "Asia Pacific"),
    ("Auckland", "Auckland", "New Zealand", "Asia Pacific"),
)

TITLES = {
    CompanySize.ENTERPRISE: (
        "VP of Sales", "Director of IT", "Chief Marketing Officer", "Head of Procurement",
        "VP of Engineering", "IT Manager", "Director of Operations", "CFO",
    ),
    CompanySize.MID_MARKET: (
        "Marketing Manager", "Operations Manager", "Head of Growth", "Sales Director",
        "Product Manager", "CTO", "Customer Success Lead",
    ),
    CompanySize.SMB: (
        "Founder", "Owner", "Marketing Coordinator", "Office Manager", "Growth Lead",
        "General Manager", "Co-founder",
    ),
}

CONTACT_TAGS = (
    "Decision Maker", "Champion", "Influencer", "Newsletter", "Webinar", "Trial",
    "Partner", "VIP", "Event Lead", "Referral",
)
