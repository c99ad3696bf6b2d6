#!/usr/bin/python3
"""Writes the initial stock of scenarios/quickstart.yaml (six municipalities).

Per municipality, the ISA end-2021 counts of technical interns, SSW1, permanent residents,
engineers and students (shared/data/raw/derived_csv/municipality_master.csv, columns
*_isa_2021-12) are used as given; the rest of the foreign residents is split over the other
statuses with the national shares of ISA 2021-12 (special permanent 26.4 %, spouse or long-term
34.4 %, dependent 17.1 %, highly skilled 1.4 %, other 20.6 %). Fields and origins within a status
are assumptions stated in SPLITS below (quickstart only; the Japan scenarios use the data).

usage: make_quickstart.py > stock.yaml   (the rows are pasted under initial_stock:)
"""

MUNICIPALITIES = {  # code: (total, tech_intern, ssw1, permanent, engineer, student)
    10205: (11830, 1367, 168, 4182, 874, 64),      # Ota, Gunma
    13104: (34768, 87, 80, 8276, 5778, 7349),      # Shinjuku, Tokyo
    14130: (45013, 1645, 415, 15054, 7568, 2894),  # Kawasaki, Kanagawa
    22130: (25712, 1830, 207, 12442, 1114, 584),   # Hamamatsu, Shizuoka
    23100: (80555, 4066, 815, 26415, 6474, 7274),  # Nagoya, Aichi
    23211: (17941, 1748, 236, 6808, 1251, 41),     # Toyota, Aichi
}
REST_SHARES = {"SPECIAL_PERMANENT": 0.264, "SPOUSE_OR_LONG_TERM": 0.344, "DEPENDENT": 0.171,
               "HIGHLY_SKILLED": 0.014, "OTHER": 0.207}
SPLITS = {  # status: ({field: share}, {origin: share})
    "TITP": ({"industrial_products_manufacturing": 0.4, "construction": 0.3, "food_beverage_manufacturing": 0.3},
             {"vietnam": 0.55, "china": 0.2, "indonesia": 0.15, "philippines": 0.1}),
    "SSW1": ({"industrial_products_manufacturing": 0.4, "food_beverage_manufacturing": 0.4, "construction": 0.2},
             {"vietnam": 0.65, "indonesia": 0.15, "philippines": 0.1, "china": 0.1}),
    "PERMANENT": ({"industrial_products_manufacturing": 0.3, "other_services": 0.3, "none": 0.4},
                  {"china": 0.35, "brazil": 0.2, "philippines": 0.2, "korea": 0.1, "other": 0.15}),
    "ENGINEER": ({"it_professional": 0.6, "other_services": 0.4}, {"china": 0.4, "vietnam": 0.3, "nepal": 0.1, "other": 0.2}),
    "STUDENT": ({"food_service": 0.6, "none": 0.4}, {"china": 0.45, "vietnam": 0.25, "nepal": 0.2, "other": 0.1}),
    "SPECIAL_PERMANENT": ({"other_services": 0.4, "none": 0.6}, {"korea": 0.98, "china": 0.02}),
    "SPOUSE_OR_LONG_TERM": ({"industrial_products_manufacturing": 0.4, "other_services": 0.2, "none": 0.4},
                            {"brazil": 0.35, "philippines": 0.3, "china": 0.2, "other": 0.15}),
    "DEPENDENT": ({"none": 1.0}, {"china": 0.35, "vietnam": 0.2, "nepal": 0.25, "other": 0.2}),
    "HIGHLY_SKILLED": ({"it_professional": 1.0}, {"china": 0.6, "other": 0.4}),
    "OTHER": ({"other_services": 0.5, "none": 0.5}, {"vietnam": 0.3, "china": 0.3, "other": 0.4}),
}

for code, (total, titp, ssw1, permanent, engineer, student) in MUNICIPALITIES.items():
    by_status = {"TITP": titp, "SSW1": ssw1, "PERMANENT": permanent, "ENGINEER": engineer, "STUDENT": student}
    rest = total - sum(by_status.values())
    for status, share in REST_SHARES.items():
        by_status[status] = round(rest * share)
    for status, persons in by_status.items():
        fields, origins = SPLITS[status]
        for field, field_share in fields.items():
            for origin, origin_share in origins.items():
                n = round(persons * field_share * origin_share)
                if n:
                    print(f"  - {{municipality: {code}, status: {status}, field: {field}, origin: {origin}, persons: {n}}}")
