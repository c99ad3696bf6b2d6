#!/usr/bin/python3
"""Builds the input tables of the Japan scenarios (all 1,741 municipalities) from the shared raw data.

usage: /usr/bin/python3 scenarios/tools/make_japan.py [--raw DIR] [--observed DIR] [--out DIR]

  --raw       the raw data folder (default <repo>/../shared/data/raw)
  --observed  the observed-statistics folder (default: the folder `observed` next to --raw)
  --out       where the tables are written (default <repo>/scenarios/data/japan)

Needs Debian's python3-pandas and python3-numpy. Everything is deterministic (no random numbers):
running it twice writes byte-identical files. Integers are written as integers, rows are sorted.
FACTS below means shared/data/FACTS.md; "raw/" and "observed/" are the two data folders. Only
observed figures dated up to 2022-12 are used (later ones are not in those folders).

Categories (the labels the model uses)
--------------------------------------
statuses (12): TITP TES SSW1 SSW2 ENGINEER HIGHLY_SKILLED STUDENT PERMANENT SPOUSE_OR_LONG_TERM
  SPECIAL_PERMANENT DEPENDENT OTHER. The 36 ISA statuses of residence (labels and Japanese column
  names as in observed/README.md, "Status mapping") map to them: tech_intern_* -> TITP; ssw1 ->
  SSW1; ssw2 -> SSW2; engineer_humanities -> ENGINEER; highly_skilled_professional_* ->
  HIGHLY_SKILLED; student -> STUDENT; permanent -> PERMANENT; spouse_of_japanese,
  spouse_of_permanent, long_term_resident -> SPOUSE_OR_LONG_TERM; special_permanent ->
  SPECIAL_PERMANENT; dependent -> DEPENDENT; every other status -> OTHER. TES (育成就労) starts
  2027-04 (FACTS §E) and has no stock.
fields (20): the 16 SSW fields of 2024 (FACTS §D) plus it_professional, wholesale_retail,
  other_services and none (not working).
origins (14): the nationality columns of the ISA 2022-06 municipality table
  (raw/derived_csv/isa_2022-06_muni_by_nationality.csv): china (excludes Taiwan), vietnam, korea
  (ISA 韓国; 朝鮮 is in `other`), philippines, brazil, nepal, indonesia, usa, thailand, taiwan, other; and
  three the statistics name elsewhere, split out of that table's その他 (step 4b below): myanmar (SSW1 by
  nationality, FACTS §D; missing interns, §F), peru (MHLW workers by nationality, §C) and cambodia
  (missing interns, §F).

Tables written (see docs/japan_data.md for a description of each column)
-----------------------------------------------------------------------
isa_status_map.csv   the 36 ISA statuses, their Japanese column names and model statuses (above).
prefectures.csv      47 prefectures: JIS code, English name (raw/derived_csv/municipality_master.csv
                     pref_en), FY2024 minimum wage (raw/kai-denrei_japan-demography/minimum_wage_2024.csv,
                     FACTS §G).
municipalities.csv   the 1,741 municipalities of FACTS §A: rows of municipality_master.csv with level
                     municipality, tokyo_special_ward or designated_city (designated cities as whole
                     cities, their wards left out), minus the six Northern-Territory villages 01695-01700.
                     code = 5-digit JIS code as an integer; name = name_en; prefecture = pref_code;
                     population = pop_census2020; location = lat_townhall, lng_townhall (4 decimals).
                     ASSUMPTION: Futaba (07546) has no 2020 Census population (evacuated since 2011,
                     census cell "-"); its 2025 preliminary census population (pop_census2025_prelim, 211)
                     is used instead, so that its foreign share is not taken over a population of 0.
                     Policies: see "Municipal policies" below.
stock_2022-12.csv    initial foreign-resident stock at the end of 2022, municipality x status x field x
stock_2019-12.csv    origin (persons > 0 only); see "Initial stock" below.
establishments.csv   establishments employing foreigners, Oct 2022, by municipality x field.
origins.csv          one row per origin: applicants per year, language proximity, network elasticity,
                     capital location, channel weights.
rules.yaml           SSW1 and TES caps by field and period, TES employer-change periods, the TITP stages
                     and dated TITP -> SSW1 pass rates, the 2027-04 TITP -> TES events (FACTS §D, §E).
initial_months_2022-12.csv, initial_months_2019-12.csv
                     months already spent in their status by the initial residents of SSW1, TITP and
                     (2022-12) STUDENT, as bands with shares; see "Months in status" below.

Suppressed municipalities in the ISA municipal tables
-----------------------------------------------------
raw/derived_csv/isa_2021-12_muni_by_status.csv leaves out municipalities with 10 or fewer foreign
residents (pooled in 「その他の合計」, 583 persons). Rows used: the 1,741 municipalities above (ordinary
municipalities, designated cities as whole cities, Tokyo's 23 special wards); designated-city ward rows,
the 特別区 aggregate (13100), the 47 prefecture rows (xx000) and the national rows are not municipalities.
For each prefecture the residual (prefecture row minus the sum of its published municipality rows, per
column; never negative) is spread over that prefecture's unpublished municipalities in proportion to their
foreign residents in the Basic Resident Register on 1 Jan 2022 (raw/derived_csv/
jumin_foreign_residents_muni_2019-2023.csv, as_of_jan1 2022-01-01, pop_total; equal weights if all are
0), by largest remainders so that the integers add up to the residual. The same treatment is applied to
isa_2022-06_muni_by_nationality.csv (whose residuals are all 0; three municipalities have no row there
and get 0 by nationality). The national rows 未定・不詳 (residence not fixed) are not municipal.

Initial stock 2022-12
---------------------
1. Municipality x model status: the ISA 2021-12 municipal table (36 columns summed per model status),
   suppressed rows filled as above (2,758,841 persons = 2,760,635 minus 1,794 未定・不詳).
2. National targets by status for 2022-12: the ISA total 3,075,213 (observed/isa_residents.csv, date
   2022-12, series total) and the SSW stock 130,923 (observed/ssw.csv, 2022-12 total; FACTS §D), split
   into SSW1 and SSW2 with the ssw2 row of ssw.csv where present (there is none for 2022-12, so SSW2 = 0).
   The 2022-12 breakdown of the other statuses is not in the data (targets_2022): PERMANENT,
   SPOUSE_OR_LONG_TERM and SPECIAL_PERMANENT (fed from inside Japan) carry their mean yearly change of
   2019-12 to 2021-12 one more year; TITP, STUDENT, ENGINEER, HIGHLY_SKILLED, DEPENDENT, OTHER (fed from
   abroad) fill the rest as 2021-12 stock - known 2022 outflow (TITP: the 2019 intake reaching 36 months,
   less the 3-go share; students: 1 - STUDENT_RETAINED_2022 of the 2021-12 students) + 2022 entrants split
   by entries per year (reopening_weights; ASSUMPTION DEPENDENT_MEAN_STAY_YEARS). Integer targets by
   largest remainders. Each municipality's count of a status is scaled by the status's national factor
   (so 2022-12 SSW are where 2021-12 SSW1 were).
3. Municipality x origin: the ISA 2022-06 municipal nationality table (suppressed rows as above), used as
   shares: each municipality's origin margin is scaled to its status total from step 2. Where a
   municipality has no one in that table (three villages), its prefecture's nationality shares are used.
4. Status x origin within each municipality by iterative proportional fitting (IPF) of the national seed
   matrix SEED_ORIGIN_SHARES (share of each origin within a status; sources and assumptions are written
   next to each row) to the municipality's status margin (1) and origin margin (3). Every seed share
   gets a floor of 0.1 % of the origin's national share (2022-06), so that IPF can fill any combination a
   municipality's margins demand. The IPF runs on the eleven columns of the table (the three split origins'
   seed shares counted in `other`).
4b. Myanmar, Peru and Cambodia out of `other` (split_other): each takes its seed share of every status's
   national target out of that status's `other`. Their seed shares: SSW1 from FACTS §D (Myanmar 5,956 of
   130,923; Cambodia an ASSUMED 30 % of the 9,409 not named); TITP as for every origin, the mean of the
   missing-intern shares (§F: Cambodia 462, Myanmar 347 of 8,796) and the SSW1 shares; Peru in every status
   Brazil's share x Peru's MHLW workers per Brazilian one (peru_per_brazil: 29,054 / 131,112 in 2020;
   ASSUMPTION: both nikkei, same residents per worker and status mix); Myanmar's and Cambodia's other
   statuses are ASSUMPTIONS in SEED_ORIGIN_SHARES. Where they live (ASSUMPTION): Peruvians where Brazilians
   of their status do (LIVES_LIKE, at most a municipality's `other`), Myanmar and Cambodian nationals where
   the table's その他 of their status do. The stock at 2022-12: Myanmar about 46,000, Peru 46,500, Cambodia
   22,000.
5. Fields within a status: FIELD_MIX gives per status the share in work and the national split over
   fields (sources and assumptions next to each entry). SSW1 uses the 2022-12 field figures of FACTS §D
   (observed/ssw.csv series field: food and beverage 42,505; industrial products manufacturing 27,725;
   agriculture 16,459; nursing care 16,081; construction 12,768) and spreads the remaining
   130,923 - 115,538 = 15,385 over the other SSW fields of the time (building cleaning, shipbuilding,
   automobile repair, aviation, accommodation, fisheries, food service) in proportion to their 2019 caps
   (FACTS §D). SSW2 (none in 2022-12) would be in construction and shipbuilding, the only SSW2 fields
   before 2023-08 (FACTS §E), in the ratio of their SSW1 figures.
   Variation by municipality (ASSUMPTION, keeps the national splits): municipalities are put in three
   size classes by 2020 population (small < 30,000; large >= 300,000; else middle) and SIZE_CLASS_WEIGHTS
   raises agriculture, fisheries, forestry and the wood industry in small ones, manufacturing in middle
   ones and urban services (food service, retail, IT, other services, cleaning) in large ones; aviation
   and railways get weight 0 in small ones (no airports or railway operators taken to be there). For each
   status, the municipality x field matrix is fitted by IPF to the municipality totals (rows) and the
   national field split (columns), with national share x size-class weight as seed.
5b. Work shares by origin (origin_work_factors): the share in work of the statuses whose holders work by choice
   (CHOICE_WORK_STATUSES) is multiplied per origin by a factor (shares clipped to [0, 1]) that makes the
   origin's notified workers (all statuses but SPECIAL_PERMANENT, which MHLW does not count) equal MHLW's
   workers by nationality (observed/mhlw_workers.csv series nationality) of the latest year not after the
   stock's and at most MHLW_FIGURE_MAX_AGE_YEARS older, carried to the stock's year at the nationality's
   growth since its figure before (ASSUMPTION). Origins without a figure, or whose figure no factor reaches
   (too old for a nationality that grew), keep factor 1; Peru without a figure (2019-12) takes Brazil's.
6. Integers: per status, the real cells municipality x origin x field (4 x 5) are rounded by systematic
   (cumulative) rounding in table order (municipality code, then origin and field in category order): a
   cell gets round(C_i) - round(C_i-1) of the running sum C. The stock then adds up exactly to the
   national target of every status, each municipality's count of a status is within 1 of its real value,
   and, unlike largest remainders within each municipality, small fields and origins are not rounded away
   in small municipalities (the SSW1 field totals land within a few dozen of FACTS §D).

Initial stock 2019-12
---------------------
Prefecture x status from raw/derived_csv/isa_2019-12_pref_by_status.csv (the 36 columns mapped to model
statuses; prefecture names without 都/府/県 matched through municipality_master.csv pref_ja). Within a
prefecture each status is spread over municipalities by their 2021-12 counts of the same status from
step 1 above (ASSUMPTION: the municipal pattern of 2021-12 holds for 2019-12; where the prefecture had no
one of that status in 2021-12, by the municipalities' shares of all foreign residents). The 未定・不詳 row
(3,368) is spread over all municipalities in proportion to their stock of each status. Origins by IPF as
in step 4, with the 2022-06 municipal nationality shares as origin margin (ASSUMPTION: the nationality
mix of each municipality in 2022-06 stands for 2019-12). Fields as in step 5 (same splits and size-class
weights), except that SSW1 has the FACTS §D 2019-12 field figure food and beverage 557 of 1,621, the rest
spread like the 2022-12 split of the other fields. National totals by status equal the 2019-12 総数 row.

Workers (fields other than none) are checked against MHLW October 2022, 1,822,725 (FACTS §C) and printed.
MHLW does not count special permanent residents (they need no notification), so the figure without
SPECIAL_PERMANENT is printed too.

Establishments (establishments.csv)
-----------------------------------
raw/mhlw_koyou_2023/byCompany.csv: establishments employing foreign workers by JSIC major industry,
Oct 2022 (sum 298,790 = FACTS §C). The English labels are the repository author's; "Unclassified
Industry" is JSIC R サービス業（他に分類されないもの）(services n.e.c.: worker dispatch, building
maintenance, automobile maintenance), "Miscellaneous Services" is JSIC Q 複合サービス事業, "Industry Not
Otherwise Classified" is JSIC T 分類不能の産業. Mapping to model fields (ESTABLISHMENT_FIELDS): an
industry with several fields is split over them in proportion to the 2022-12 stock's workers in those
fields (largest remainders). Each field's establishments are then spread over municipalities in
proportion to the field's workers there, with at least one establishment wherever the field has a
worker (one each first, the rest by largest remainders). Where a field has fewer establishments than
municipalities with workers, it is raised to that number and the excess is taken off the other fields in
proportion to their establishments above their own minimum, so that the total stays 298,790.

Origins (origins.csv)
---------------------
applicants_per_year: the Basic Resident Register arrivals from abroad in 2019, 515,160 (FACTS §F; read
from jumin_foreign_residents_muni_2019-2023.csv, national row, flows_year 2019, in_from_abroad), split by
origin in proportion to the origin's applicants per year over its channels (below, TES left out). Through
the channels that do not need a vacancy (STUDENT, SPOUSE_OR_LONG_TERM, OTHER) every applicant enters: their
applicants are their entries per year. The channels' entries add up to less than the 2019 arrivals (which
also count family members joining and returning residents); the channels that need a vacancy are scaled up
to the arrivals (x 1.2684) and times 1.2 (ASSUMPTION: about one applicant in six is not placed), as before.
A first estimate, to be calibrated.
channels: entries from abroad per year by status and origin (channel_flows). TITP: the interns in their
first year (1-go) at 2019-12, 169,383 (ISA stage mix), by the origins of the 2019-12 TITP stock; SSW1: holders
admitted from abroad per year between 2021-06 and 2022-12, (24,403 - 5,227) / 1.5 = 12,784 (observed/ssw.csv
series route; FACTS §D), by the origins of the 2022-12 SSW1 stock; ENGINEER, HIGHLY_SKILLED, STUDENT,
SPOUSE_OR_LONG_TERM, OTHER: the 2019-12 stock divided by an ASSUMED mean stay (CHANNEL_MEAN_STAY_YEARS:
2.5, 10, 3, 25 and 5 years); TES gets the TITP weight (it replaces TITP from 2027-04, FACTS §E). A channel
that is closed in a month takes no share of the origin's applicants. The weights are applicants per year,
as applicants_per_year (entries x 1.2684 x 1.2 through a vacancy, x 1 directly).
language_proximity, network_elasticity: ASSUMPTIONS in ORIGIN_ASSUMPTIONS (kanji and Korean grammar
bring Chinese, Taiwanese and Korean speakers close; Nepali shares the verb-final order).
location: the capital (Beijing, Hanoi, Seoul, Manila, Brasilia, Kathmandu, Jakarta, Washington, Bangkok,
Taipei); `other` has none.

Municipal policies (municipalities.csv policy.*)
------------------------------------------------
ASSUMPTION standing in for missing data: raw/ has no source on municipal integration policies, so the
initial portfolio is derived from the foreign residents at the end of 2021 (step 1, F) and their share of
the 2020 population (F / population) by these conservative rules (POLICY_RULES):
  language_classes   F >= 3,000 or (F >= 200 and share >= 3 %)
  consultation       F >= 5,000
  hires_ajts, ajts   F >= 2,000 and share >= 4 %; ajts = round(F / 1,500) (at least 1)
  residents_assembly Kawasaki (14130) only, which has had a foreign residents' assembly since 1996
  council_member     the 13 member cities of the Council of Municipalities with Large Migrant
                     Populations (外国人集住都市会議) in 2022-03, FACTS §H: Ota, Oizumi, Ueda, Iida,
                     Hamamatsu, Toyohashi, Toyota, Komaki, Tsu, Yokkaichi, Suzuka, Kameyama, Soja
Everything else is false / 0.

Rules (rules.yaml)
------------------
caps: SSW1 stock caps by field at full national scale (FACTS §D): the 2018-12 decision from 2019-04 to
2022-08 (the three manufacturing fields summed into industrial_products_manufacturing), the 2022-08-30
interim caps 2022-09 to 2024-03, the 2024-03-29 caps 2024-04 to 2027-03 (four values unconfirmed, marked),
and 2027-04 to 2029-03 the SSW1 values of the 2026-01-23 revision where given per field, else the 2024
value; TES caps 2027-04 to 2029-03 where the ESD value is given. No caps after 2029-03.
statuses.TES.employer_change_after_months: the ESD transfer-restriction periods of FACTS §D (2 yr -> 24
months, 1 yr -> 12); building cleaning 12 (JITCO Dec-2025, an Oct-2025 page says 2 yr); shipbuilding and
automobile repair 24 (kitacarat); default 12.
statuses.TITP: first_term_months 36 and renewal_share = the 3-go over the 2-go stock, mean of 2019-12 to
2021-12 (titp_renewal_share); the TITP -> SSW1 pass rate by year 2019-2022 (titp_to_ssw1_pass_rates): status
changes into SSW1 inside Japan in the year (observed/ssw.csv route and SSW1 stock) over half the 2-go + 3-go
stock at the end of the year before. ASSUMPTION: every such change comes from TITP. The 2022 rate holds after.
events: SSW2 opens to eleven fields in 2023-09; TITP closes to new entries and TES opens on 2027-04 (FACTS §E).

Months in status (initial_months_*.csv)
---------------------------------------
SSW1: its stock path 2019-12 .. 2022-12 (observed/ssw.csv): each period's net growth entered in that period,
from 2019-04 (nobody past 44 months at 2022-12). TITP: the ISA stage mix (1-go 0-11 months, 2-go 12-35, 3-go
36-59); at 2022-12, for want of a stage mix, 2-go = the 1-go of 2021-12 (12-23) and of 2020-12 (24-35), 3-go
= its 2021-12 count, 1-go (0-9 months, after the 2022-03 reopening) the rest. STUDENT at 2022-12: ASSUMPTION
STUDENT_RETAINED_2022 = half the 2021-12 students still students (33-47 months), the rest arrived after the
reopening (0-9 months). Every other status keeps the engine's default (uniform over its stay, at most 120).
"""

import argparse
import csv
import pathlib
import sys

import numpy as np
import pandas as pd

REPO = pathlib.Path(__file__).resolve().parents[2]

STATUSES = ["TITP", "TES", "SSW1", "SSW2", "ENGINEER", "HIGHLY_SKILLED", "STUDENT", "PERMANENT",
            "SPOUSE_OR_LONG_TERM", "SPECIAL_PERMANENT", "DEPENDENT", "OTHER"]
FIELDS = ["nursing_care", "building_cleaning", "industrial_products_manufacturing", "construction", "shipbuilding",
          "automobile_repair", "aviation", "accommodation", "agriculture", "fisheries", "food_beverage_manufacturing",
          "food_service", "automobile_transport", "railways", "forestry", "wood_industry", "it_professional",
          "wholesale_retail", "other_services", "none"]
ORIGINS = ["china", "vietnam", "korea", "philippines", "brazil", "nepal", "indonesia", "usa", "thailand", "taiwan",
           "myanmar", "peru", "cambodia", "other"]
# Origins the statistics name outside the ISA 2022-06 municipal table: they are in its その他 column.
SPLIT_FROM_OTHER = ["myanmar", "peru", "cambodia"]
# The ISA 2022-06 nationality table's columns as origins, and their Japanese names in the same order.
ISA_ORIGINS = [o for o in ORIGINS if o not in SPLIT_FROM_OTHER]
ORIGIN_COLUMNS_JA = ["中国", "ベトナム", "韓国", "フィリピン", "ブラジル", "ネパール", "インドネシア", "米国", "タイ", "台湾",
                     "その他"]
# ASSUMPTION: Peruvians, nikkei like the Brazilians, live where Brazilians of their status live.
LIVES_LIKE = {"peru": "brazil"}

# The 36 ISA statuses of residence in table order: (label of observed/README.md, ISA column, model status).
ISA_STATUSES = [
    ("professor", "教授", "OTHER"), ("artist", "芸術", "OTHER"), ("religious_activities", "宗教", "OTHER"),
    ("journalist", "報道", "OTHER"),
    ("highly_skilled_professional_1a", "高度専門職１号イ", "HIGHLY_SKILLED"),
    ("highly_skilled_professional_1b", "高度専門職１号ロ", "HIGHLY_SKILLED"),
    ("highly_skilled_professional_1c", "高度専門職１号ハ", "HIGHLY_SKILLED"),
    ("highly_skilled_professional_2", "高度専門職２号", "HIGHLY_SKILLED"),
    ("business_manager", "経営・管理", "OTHER"), ("legal_accounting_services", "法律・会計業務", "OTHER"),
    ("medical_services", "医療", "OTHER"), ("researcher", "研究", "OTHER"), ("instructor", "教育", "OTHER"),
    ("engineer_humanities", "技術・人文知識・国際業務", "ENGINEER"), ("intra_company_transferee", "企業内転勤", "OTHER"),
    ("nursing_care", "介護", "OTHER"), ("entertainer", "興行", "OTHER"), ("skilled_labor", "技能", "OTHER"),
    ("ssw1", "特定技能１号", "SSW1"), ("ssw2", "特定技能２号", "SSW2"),
    ("tech_intern_1a", "技能実習１号イ", "TITP"), ("tech_intern_1b", "技能実習１号ロ", "TITP"),
    ("tech_intern_2a", "技能実習２号イ", "TITP"), ("tech_intern_2b", "技能実習２号ロ", "TITP"),
    ("tech_intern_3a", "技能実習３号イ", "TITP"), ("tech_intern_3b", "技能実習３号ロ", "TITP"),
    ("cultural_activities", "文化活動", "OTHER"), ("student", "留学", "STUDENT"), ("trainee", "研修", "OTHER"),
    ("dependent", "家族滞在", "DEPENDENT"), ("designated_activities", "特定活動", "OTHER"),
    ("permanent", "永住者", "PERMANENT"), ("spouse_of_japanese", "日本人の配偶者等", "SPOUSE_OR_LONG_TERM"),
    ("spouse_of_permanent", "永住者の配偶者等", "SPOUSE_OR_LONG_TERM"), ("long_term_resident", "定住者", "SPOUSE_OR_LONG_TERM"),
    ("special_permanent", "特別永住者", "SPECIAL_PERMANENT"),
]

NORTHERN_TERRITORIES = ("01695", "01700")  # codes of the six villages with no data (FACTS §A)
FUTABA_CODE = "07546"                       # no 2020 Census population (see the docstring)

# National seed of the origin mix within each status (origins in ORIGINS order; rows are normalised).
# Rows built from FACTS figures are computed in seed_origin_shares(); the others are ASSUMPTIONS from
# general knowledge of the ISA status x nationality tables of 2021-2022 (rounded), stated per row.
SEED_ORIGIN_SHARES = {
    # Peru's column is 0 here: seed_origin_shares() sets it to Brazil's share x peru_per_brazil(), taken from `other`.
    #                     china vietnam korea  phil  brazil nepal  indon  usa   thai  taiwan myanm peru cambo other
    # 技人国: China and Vietnam about 60 %, then Korea, Nepal; Sri Lanka, Myanmar, India in other.
    "ENGINEER":          [0.33, 0.26, 0.08, 0.03, 0.005, 0.07, 0.025, 0.035, 0.015, 0.035, 0.016, 0, 0.002, 0.097],
    # 高度専門職: about two thirds Chinese; India (other), USA, Korea, Taiwan follow.
    "HIGHLY_SKILLED":    [0.65, 0.02, 0.05, 0.005, 0.002, 0.005, 0.005, 0.05, 0.005, 0.04, 0.002, 0, 0.0, 0.161],
    # 留学: China about half, Vietnam a fifth, Nepal about a tenth; Myanmar about 2 %.
    "STUDENT":           [0.48, 0.19, 0.06, 0.01, 0.002, 0.09, 0.025, 0.01, 0.015, 0.025, 0.02, 0, 0.002, 0.071],
    # 永住者: China a third, Philippines, Brazil (Brazilians and Peruvians are mostly permanent or
    # long-term), Korea.
    "PERMANENT":         [0.34, 0.03, 0.09, 0.16, 0.135, 0.008, 0.008, 0.02, 0.025, 0.03, 0.003, 0, 0.002, 0.139],
    # spouses and long-term residents (定住者): Brazil (nikkei), Philippines, China.
    "SPOUSE_OR_LONG_TERM": [0.20, 0.06, 0.05, 0.22, 0.23, 0.01, 0.015, 0.025, 0.02, 0.012, 0.005, 0, 0.003, 0.15],
    # 特別永住者: almost all Korean; the Chōsen-seki (朝鮮) residents are in the ISA `other` column.
    "SPECIAL_PERMANENT": [0.003, 0.0, 0.91, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.002, 0.0, 0, 0.0, 0.085],
    # 家族滞在: China, Nepal (Nepalese are mostly students, dependents and cooks under 技能), Vietnam.
    "DEPENDENT":         [0.36, 0.15, 0.05, 0.03, 0.005, 0.23, 0.02, 0.02, 0.01, 0.015, 0.007, 0, 0.001, 0.102],
    # designated activities (Vietnamese waiting between TITP/SSW; Myanmar nationals under the emergency
    # measures after the 2021 coup), business managers (China), skilled labour = cooks (China, Nepal,
    # India), EPA nurses (Philippines, Indonesia).
    "OTHER":             [0.20, 0.25, 0.05, 0.06, 0.01, 0.09, 0.05, 0.04, 0.02, 0.02, 0.035, 0, 0.008, 0.167],
}
SEED_FLOOR = 0.001  # floor of every seed share, as a fraction of the origin's national share
# FACTS §D 2022-12, SSW1 by nationality (the five it names).
SSW1_NATIONALITY_2022 = {"vietnam": 77135, "indonesia": 16327, "philippines": 13214, "china": 8882, "myanmar": 5956}
# ASSUMPTION: the SSW1 holders not in the five nationalities named (130,923 - 121,514 = 9,409) are Cambodians
# 30 % (Cambodia sends more interns than Myanmar: 462 missing against 347 in 2019, FACTS §F), Mongolians,
# Sri Lankans etc. (other) 40 %, Thai 20 %, Nepalese 10 %.
SSW1_REST_SPLIT = {"cambodia": 0.3, "other": 0.4, "thailand": 0.2, "nepal": 0.1}
# FACTS §F 2019, technical interns reported missing by nationality; 8,796 in all, the 245 not itemised are
# put in `other`.
MISSING_INTERNS_2019 = {"vietnam": 6105, "china": 1330, "cambodia": 462, "myanmar": 347, "indonesia": 307,
                        "other": 245}

# Per status: (share in work, {field: relative weight among the workers}). The weights are normalised.
FIELD_MIX = {
    # ASSUMPTION from the TITP job-type structure (general knowledge of OTIT/ISA 2021-2022: construction
    # about a fifth, food manufacturing a fifth, machinery/metal plus textiles and other manufacturing a
    # third, agriculture a tenth, nursing care about 6 %); FACTS §F: 52 % of the interns missing in 2022 came
    # from construction, 10.5 % agriculture, 7.7 % food manufacturing (a flow biased by absconding rates).
    "TITP": (1.0, {"industrial_products_manufacturing": 0.34, "construction": 0.22, "food_beverage_manufacturing": 0.20,
                   "agriculture": 0.10, "nursing_care": 0.06, "shipbuilding": 0.02, "fisheries": 0.02,
                   "building_cleaning": 0.02, "automobile_repair": 0.01, "wood_industry": 0.005,
                   "accommodation": 0.005}),
    "TES": (1.0, {}),  # no stock; the TITP split is used
    "SSW1": (1.0, {}),  # from FACTS §D, see ssw_field_split()
    "SSW2": (1.0, {}),
    # ASSUMPTION: 技人国 holders need a job; IT, trade, interpreting/office/other services, some industry.
    "ENGINEER": (1.0, {"it_professional": 0.30, "other_services": 0.33, "wholesale_retail": 0.20,
                       "industrial_products_manufacturing": 0.10, "accommodation": 0.03, "food_service": 0.02,
                       "automobile_transport": 0.01, "construction": 0.01}),
    "HIGHLY_SKILLED": (1.0, {"it_professional": 0.45, "other_services": 0.30, "industrial_products_manufacturing": 0.15,
                             "wholesale_retail": 0.10}),
    # About 3/4 work part-time: MHLW 2017 outside-status workers 297,012 (FACTS §C) against about 310,000
    # students, less an ASSUMED ~60,000 dependents and others among them; mostly food service and retail.
    "STUDENT": (0.75, {"food_service": 0.45, "wholesale_retail": 0.25, "food_beverage_manufacturing": 0.10,
                       "other_services": 0.10, "accommodation": 0.05, "building_cleaning": 0.05}),
    # About half work: MHLW 2021 status-based workers 580,328 (FACTS §C) over the ISA 2021-12 stock of
    # permanent residents, spouses and long-term residents 1,216,689 = 0.477; fields an ASSUMPTION
    # (STATUS_BASED_FIELDS, shared by both statuses).
    "PERMANENT": (0.477, "status_based"),
    "SPOUSE_OR_LONG_TERM": (0.477, "status_based"),
    # ASSUMPTION: a minority of special permanent residents (an older population; not in the MHLW counts) work.
    "SPECIAL_PERMANENT": (0.25, {"other_services": 0.6, "wholesale_retail": 0.4}),
    # ASSUMPTION: dependants may work part-time with permission (資格外活動, MHLW's outside-status group): the
    # ~60,000 dependants among MHLW's 2017 outside-status workers (see STUDENT), about 30 % of the ~200,000
    # dependants of 2019; part-time jobs like the students'. Family members who join later start without one.
    "DEPENDENT": (0.30, {"food_service": 0.35, "wholesale_retail": 0.25, "food_beverage_manufacturing": 0.15,
                         "other_services": 0.15, "accommodation": 0.05, "building_cleaning": 0.05}),
    # ASSUMPTION: designated activities, business managers, cooks (技能), 介護, professors etc.: about 70 % work.
    "OTHER": (0.70, {"other_services": 0.31, "food_service": 0.17, "wholesale_retail": 0.12,
                     "industrial_products_manufacturing": 0.11, "nursing_care": 0.06, "construction": 0.06,
                     "food_beverage_manufacturing": 0.04, "it_professional": 0.04, "agriculture": 0.03,
                     "accommodation": 0.03, "building_cleaning": 0.02, "automobile_transport": 0.01}),
}
# ASSUMPTION: fields of the working permanent residents, spouses and long-term residents: factory work
# (often through dispatch agencies, in other_services), trade, food processing, construction, care. The small
# weights of forestry, railways, aviation, shipbuilding, fisheries and automobile repair give every field
# some workers, hence employers, at the start (the model creates employers only where the stock has workers).
STATUS_BASED_FIELDS = {"industrial_products_manufacturing": 0.30, "other_services": 0.18, "wholesale_retail": 0.14,
                       "food_beverage_manufacturing": 0.12, "construction": 0.06, "food_service": 0.06,
                       "nursing_care": 0.05, "automobile_transport": 0.03, "building_cleaning": 0.02,
                       "it_professional": 0.02, "agriculture": 0.01, "accommodation": 0.01, "shipbuilding": 0.005,
                       "automobile_repair": 0.005, "fisheries": 0.003, "forestry": 0.002, "railways": 0.002,
                       "aviation": 0.002}
# FACTS §D: the 2019 SSW caps of the fields other than the five largest, used to spread the rest of SSW1.
SSW_CAPS_2019_OTHER = {"building_cleaning": 37000, "shipbuilding": 13000, "automobile_repair": 7000, "aviation": 2200,
                       "accommodation": 22000, "fisheries": 9000, "food_service": 53000}
SSW1_FOOD_BEVERAGE_2019 = 557  # FACTS §D 2019-12 (of 1,621)

# ASSUMPTION: size classes by 2020 population and the weights they give to fields (1 where not listed).
# Airports and railway operators are taken to be absent from municipalities under 30,000 (weight 0).
SIZE_CLASS_LIMITS = (30000, 300000)  # small below the first, large from the second
SIZE_CLASS_WEIGHTS = {
    "small": {"agriculture": 3.0, "fisheries": 3.0, "forestry": 4.0, "wood_industry": 2.0, "accommodation": 1.5,
              "food_beverage_manufacturing": 1.2, "industrial_products_manufacturing": 0.8, "aviation": 0.0,
              "railways": 0.0},
    "middle": {"industrial_products_manufacturing": 1.3},
    "large": {"agriculture": 0.3, "fisheries": 0.3, "forestry": 0.2, "wood_industry": 0.5,
              "industrial_products_manufacturing": 0.8, "food_service": 1.5, "wholesale_retail": 1.3,
              "it_professional": 1.5, "other_services": 1.3, "building_cleaning": 1.3},
}

# JSIC major industry (label of byCompany.csv) -> model fields it is split over.
ESTABLISHMENT_FIELDS = {
    "Agriculture, Forestry": ["agriculture", "forestry"],
    "Fishing": ["fisheries"],
    "Mining, Quarrying, and Gravel Extraction": ["other_services"],
    "Construction": ["construction"],
    "Manufacturing": ["industrial_products_manufacturing", "food_beverage_manufacturing", "shipbuilding",
                      "wood_industry"],
    "Electricity, Gas, Heat Supply, and Water Supply": ["other_services"],
    "Information and Communications": ["it_professional"],
    "Transportation and Postal Services": ["automobile_transport", "railways", "aviation"],
    "Wholesale and Retail Trade": ["wholesale_retail"],
    "Finance and Insurance": ["other_services"],
    "Real Estate and Rental and Leasing": ["other_services"],
    "Scientific Research, Professional and Technical Services": ["it_professional"],
    "Accommodation and Food Services": ["accommodation", "food_service"],
    "Personal and Amusement Services": ["other_services"],
    "Education and Learning Support Services": ["other_services"],
    "Healthcare and Welfare": ["nursing_care"],
    "Miscellaneous Services": ["other_services"],  # JSIC Q compound services
    "Unclassified Industry": ["other_services", "building_cleaning", "automobile_repair"],  # JSIC R services n.e.c.
    "Public Administration (excluding those classified elsewhere)": ["other_services"],
    "Industry Not Otherwise Classified": ["other_services"],  # JSIC T
}

APPLICANTS_PER_PLACED = 1.2
CHANNEL_STATUSES = ["TITP", "TES", "SSW1", "ENGINEER", "HIGHLY_SKILLED", "STUDENT", "SPOUSE_OR_LONG_TERM", "OTHER"]
# Channels whose entrants need no vacancy (students admitted by their school, spouses, OTHER): every
# applicant enters, so they count one applicant per entrant, not APPLICANTS_PER_PLACED.
DIRECT_CHANNELS = ["STUDENT", "SPOUSE_OR_LONG_TERM", "OTHER"]
# ASSUMPTIONS: mean years in the status of an entrant from abroad, for the channels whose entries the data
# do not give (channel weight = 2019-12 stock / mean stay, entries per year in a steady state). Students:
# language schools (up to 2 years) and degrees (4); highly skilled professionals move on to permanent
# residence after 1-3 years; engineers stay long and are also fed by students; spouses and long-term
# residents stay longest (their stock was flat in 2019-2021 while some became permanent residents);
# OTHER mixes short designated activities with long skilled-labour and business-manager stays.
CHANNEL_MEAN_STAY_YEARS = {"STUDENT": 2.5, "ENGINEER": 10, "HIGHLY_SKILLED": 3, "SPOUSE_OR_LONG_TERM": 25, "OTHER": 5}
# ASSUMPTIONS: (language_proximity 0-1, network_elasticity 1-3, capital [lat, lng] or None).
ORIGIN_ASSUMPTIONS = {
    "china": (0.8, 2.0, (39.9042, 116.4074)),        # Beijing
    "vietnam": (0.35, 2.5, (21.0285, 105.8542)),     # Hanoi
    "korea": (0.9, 1.5, (37.5665, 126.978)),         # Seoul
    "philippines": (0.3, 2.0, (14.5995, 120.9842)),  # Manila
    "brazil": (0.3, 3.0, (-15.7939, -47.8828)),      # Brasilia
    "nepal": (0.4, 2.5, (27.7172, 85.324)),          # Kathmandu
    "indonesia": (0.3, 2.0, (-6.2088, 106.8456)),    # Jakarta
    "usa": (0.3, 1.0, (38.9072, -77.0369)),          # Washington, D.C.
    "thailand": (0.35, 1.5, (13.7563, 100.5018)),    # Bangkok
    "taiwan": (0.8, 1.0, (25.033, 121.5654)),        # Taipei
    "myanmar": (0.4, 2.5, (19.7633, 96.0785)),       # Naypyidaw; Burmese is verb-final like Japanese
    "peru": (0.3, 3.0, (-12.0464, -77.0428)),        # Lima; nikkei networks as Brazil's
    "cambodia": (0.3, 2.0, (11.5564, 104.9282)),     # Phnom Penh
    "other": (0.3, 1.5, None),
}

POLICY_RULES = {
    "language_classes": {"foreign_at_least": 3000, "or_share_at_least": 0.03, "with_foreign_at_least": 200},
    "consultation": {"foreign_at_least": 5000},
    "ajts": {"foreign_at_least": 2000, "share_at_least": 0.04, "foreign_per_ajt": 1500},
    # 外国人集住都市会議, 2022-03 (FACTS §H): Ota, Oizumi, Ueda, Iida, Hamamatsu, Toyohashi, Toyota, Komaki,
    # Tsu, Yokkaichi, Suzuka, Kameyama, Soja.
    "council_member": [10205, 10524, 20203, 20205, 22130, 23201, 23211, 23219, 24201, 24202, 24207, 24210, 33208],
    "residents_assembly": [14130],  # Kawasaki, since 1996
}

MHLW_WORKERS_2022 = 1822725  # FACTS §C, October 2022


# ----------------------------------------------------------------------------------------------------------
# Small numerical helpers

def largest_remainder(weights, totals):
    """Splits each integer total over its row of weights so that the integers add up (largest remainders).

    weights: (..., K) non-negative; totals: (...) integers. Ties go to the earlier cell. Quotas are rounded
    to 9 decimals first so that float noise cannot decide the order.
    """
    w = np.asarray(weights, dtype=float)
    t = np.asarray(totals, dtype=np.int64)
    s = w.sum(axis=-1)
    if np.any((s <= 0) & (t > 0)):
        raise ValueError("largest_remainder: a positive total has no weight to go to")
    quota = np.round(np.divide(w * t[..., None], s[..., None], out=np.zeros_like(w), where=s[..., None] > 0), 9)
    base = np.floor(quota)
    missing = t - base.sum(axis=-1).astype(np.int64)
    if np.any(missing < 0) or np.any(missing > w.shape[-1]):
        raise ValueError("largest_remainder: rounding went wrong")
    order = np.argsort(-(quota - base), axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(w.shape[-1]), order.shape), axis=-1)
    return (base + (rank < missing[..., None])).astype(np.int64)


def cumulative_round(values, total):
    """Rounds an array of non-negative reals to integers adding up to `total` by systematic rounding: cell i
    gets round(C_i) - round(C_(i-1)), C being the running sum in C order. Each cell is rounded down or up,
    every partial sum (e.g. a municipality's, in municipality-major order) is within 1 of its real value,
    and unlike largest remainders it does not favour large cells, so small fields and origins keep their
    national totals. Running sums are rounded to 6 decimals so that float noise cannot change the result."""
    v = np.asarray(values, dtype=float)
    if total == 0:
        return np.zeros(v.shape, dtype=np.int64)
    running = np.cumsum(v.reshape(-1))
    if running[-1] <= 0:
        raise ValueError("cumulative_round: a positive total has no weight to go to")
    running = np.round(running * (total / running[-1]), 6)
    running[-1] = total
    edges = np.floor(running + 0.5).astype(np.int64)
    return np.diff(edges, prepend=0).reshape(v.shape)


def ipf(seed, row_totals, col_totals, iterations=1000, tolerance=1e-7):
    """Iterative proportional fitting of a batch of matrices seed (B, R, C) to row (B, R) and column (B, C)
    totals (the row and column totals of a matrix must add up to the same sum). Returns the fitted array and
    the largest absolute error left in the rows or columns."""
    x = np.array(seed, dtype=float)
    rows = np.asarray(row_totals, dtype=float)
    cols = np.asarray(col_totals, dtype=float)
    error = np.inf
    for _ in range(iterations):
        s = x.sum(axis=2)
        x *= np.divide(rows, s, out=np.zeros_like(rows), where=s > 0)[:, :, None]
        s = x.sum(axis=1)
        x *= np.divide(cols, s, out=np.zeros_like(cols), where=s > 0)[:, None, :]
        error = np.abs(x.sum(axis=2) - rows).max(initial=0.0)
        if error < tolerance:
            break
    return x, max(error, np.abs(x.sum(axis=1) - cols).max(initial=0.0))


def to_int(text):
    """A count from a CSV cell: thousands separators and spaces (also no-break spaces) removed."""
    return int("".join(ch for ch in str(text) if ch.isdigit() or ch == "-"))


# ----------------------------------------------------------------------------------------------------------
# Reading the raw data

def read_municipalities(raw):
    """The 1,741 municipalities of FACTS §A, sorted by code, with their 2020 population and town-hall place."""
    master = pd.read_csv(raw / "derived_csv/municipality_master.csv", dtype=str, keep_default_na=False)
    keep = master["level"].isin(["municipality", "tokyo_special_ward", "designated_city"])
    keep &= ~master["code5"].between(*NORTHERN_TERRITORIES)
    m = master[keep].sort_values("code5").reset_index(drop=True)
    population = m["pop_census2020"].where(m["code5"] != FUTABA_CODE, m["pop_census2025_prelim"])
    if (~population.str.isdigit()).any() or (m["lat_townhall"] == "").any() or (m["name_en"] == "").any():
        raise SystemExit("municipality_master.csv: a municipality lacks its population, location or name")
    return pd.DataFrame({
        "code5": m["code5"], "lg_code6": m["lg_code6"], "code": m["code5"].astype(int),
        "name": m["name_en"], "prefecture": m["pref_code"].astype(int), "pref_ja": m["pref_ja"],
        "pref_en": m["pref_en"], "population": population.astype(int),
        "lat": m["lat_townhall"].astype(float), "lng": m["lng_townhall"].astype(float),
    })


def read_jumin(raw, as_of, munis):
    """Basic Resident Register (住基) foreign residents on 1 January `as_of`, per municipality (munis order)."""
    j = pd.read_csv(raw / "derived_csv/jumin_foreign_residents_muni_2019-2023.csv", dtype=str, keep_default_na=False)
    j = j[j["as_of_jan1"] == as_of].drop_duplicates("lg_code6").set_index("lg_code6")
    return munis["lg_code6"].map(j["pop_total"]).astype(int).to_numpy()


def read_isa_municipal(path, columns, munis, register):
    """A municipal ISA table as an integer array (municipalities x columns), suppressed municipalities filled.

    Each prefecture's residual (prefecture row minus its published municipality rows) goes to its
    unpublished municipalities in proportion to `register` (their foreign residents in the resident
    register), by largest remainders; see the module docstring.
    """
    t = pd.read_csv(path, dtype={"code": str}, keep_default_na=False)
    t = t[t["code"] != ""].set_index("code")
    published = munis["code5"].isin(t.index).to_numpy()
    values = np.zeros((len(munis), len(columns)), dtype=np.int64)
    values[published] = t.loc[munis["code5"][published], columns].to_numpy(dtype=np.int64)
    for pref in sorted(munis["prefecture"].unique()):
        in_pref = (munis["prefecture"] == pref).to_numpy()
        residual = t.loc[f"{pref:02d}000", columns].to_numpy(dtype=np.int64) - values[in_pref].sum(axis=0)
        if (residual < 0).any():
            raise SystemExit(f"{path.name}: prefecture {pref} has fewer persons than its municipalities")
        hidden = np.flatnonzero(in_pref & ~published)
        if residual.sum() == 0:
            continue
        if len(hidden) == 0:
            raise SystemExit(f"{path.name}: prefecture {pref} has a residual but no unpublished municipality")
        weights = register[hidden].astype(float)
        if weights.sum() == 0:
            weights = np.ones(len(hidden))
        values[hidden] += largest_remainder(np.broadcast_to(weights, (len(columns), len(hidden))), residual).T
    return values


def to_model_statuses(isa_values):
    """Sums the 36 ISA status columns (ISA_STATUSES order) into the 12 model statuses (last axis)."""
    out = np.zeros(isa_values.shape[:-1] + (len(STATUSES),), dtype=isa_values.dtype)
    for k, (_, _, status) in enumerate(ISA_STATUSES):
        out[..., STATUSES.index(status)] += isa_values[..., k]
    return out


def read_isa_2019_prefectures(raw, munis):
    """ISA 2019-12 prefecture x model status: (47 x 12 array in prefecture-code order, unknown row, national row)."""
    t = pd.read_csv(raw / "derived_csv/isa_2019-12_pref_by_status.csv", dtype={"prefecture": str})
    t = t.set_index("prefecture")
    columns = [ja for _, ja, _ in ISA_STATUSES]
    names = munis.drop_duplicates("prefecture").set_index("prefecture")["pref_ja"]
    # The 2019 file writes prefectures without 都/府/県 (北海道 keeps its name).
    short = {code: (ja[:-1] if ja[-1] in "都府県" else ja) for code, ja in names.items()}
    by_pref = to_model_statuses(t.loc[[short[c] for c in sorted(short)], columns].to_numpy(dtype=np.int64))
    unknown = to_model_statuses(t.loc["未定・不詳", columns].to_numpy(dtype=np.int64))
    national = to_model_statuses(t.loc["総数", columns].to_numpy(dtype=np.int64))
    if not (by_pref.sum(axis=0) + unknown == national).all() or national.sum() != t.loc["総数", "総数"]:
        raise SystemExit("isa_2019-12_pref_by_status.csv: prefectures do not add up to 総数")
    return by_pref, unknown, national


def read_observed(observed):
    """The 2022-12 figures used from observed/: ISA total, SSW total, SSW2, SSW fields, SSW routes."""
    isa = pd.read_csv(observed / "isa_residents.csv", dtype=str)
    total = isa[(isa["date"] == "2022-12") & (isa["series"] == "total")]["persons"]
    ssw = pd.read_csv(observed / "ssw.csv", dtype=str)
    ssw = ssw[ssw["date"] == "2022-12"]

    def pick(series):
        return {row.category: int(row.persons) for row in ssw[ssw["series"] == series].itertuples()}
    if len(total) != 1 or "all" not in pick("total"):
        raise SystemExit("observed/: the 2022-12 ISA total or SSW total is missing")
    return {"total": int(total.iloc[0]), "ssw": pick("total")["all"], "ssw2": pick("ssw2").get("all", 0),
            "ssw_fields": pick("field"), "ssw_routes": pick("route")}


def read_arrivals_2019(raw):
    """Resident-register arrivals from abroad during 2019 (national row), FACTS §F."""
    j = pd.read_csv(raw / "derived_csv/jumin_foreign_residents_muni_2019-2023.csv", dtype=str, keep_default_na=False)
    row = j[(j["lg_code6"] == "000000") & (j["flows_year"] == "2019")]
    return int(row["in_from_abroad"].iloc[0])


def read_establishments(raw):
    """MHLW establishments employing foreigners by JSIC major industry (Oct 2022), in file order."""
    with open(raw / "mhlw_koyou_2023/byCompany.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {row["Industry ENG"].strip(): to_int(row["People"]) for row in rows}


# ----------------------------------------------------------------------------------------------------------
# Months in status of the initial residents, and the SSW routes (see the docstring)

SSW_START = (2019, 4)             # SSW1 admits from April 2019 (FACTS §D, the 2018-12 decision's five years)
TITP_REOPENING_MONTHS = 10        # TITP 1-go at 2022-12 entered after the border reopened in 2022-03
STUDENT_REOPENING_MONTHS = 10     # students at 2022-12 who came when the border reopened in 2022-03
STUDENT_RETAINED_2022 = 0.5       # ASSUMPTION: share of the 2021-12 students still students at 2022-12
STUDENT_PRE_CLOSURE_MONTHS = (33, 48)  # months in status at 2022-12 of students who came before 2020-04


def isa_status_series(observed):
    """{date: {isa status label: persons}} of observed/isa_residents.csv, series status."""
    isa = pd.read_csv(observed / "isa_residents.csv", dtype={"persons": np.int64})
    isa = isa[isa["series"] == "status"]
    return {d: dict(zip(g["category"], g["persons"])) for d, g in isa.groupby("date")}


def ssw_series(observed):
    """{(series, category): {date: persons}} of observed/ssw.csv."""
    ssw = pd.read_csv(observed / "ssw.csv", dtype={"persons": np.int64})
    out = {}
    for row in ssw.itertuples():
        out.setdefault((row.series, row.category), {})[row.date] = int(row.persons)
    return out


def months_between(date, year, month):
    """Whole months from (year, month) to the end of `date` ('YYYY-MM')."""
    y, m = (int(x) for x in date.split("-"))
    return (y - year) * 12 + (m - month)


def titp_stages(isa, date):
    """(1-go, 2-go, 3-go) TITP stock at `date` (ISA columns 技能実習１号イ/ロ, ２号, ３号)."""
    return tuple(isa[date][f"tech_intern_{k}a"] + isa[date][f"tech_intern_{k}b"] for k in (1, 2, 3))


def ssw1_bands(path, as_of):
    """SSW1 months in status at `as_of` from its stock path: each period's net growth entered in that period
    (exits of the early cohorts are small and left out). Nobody can have more months than since 2019-04."""
    dates = sorted(d for d in path if d <= as_of)
    bands, before = [], 0
    start_months = months_between(as_of, *SSW_START) + 1
    for k, d in enumerate(dates):
        entered = path[d] - before
        before = path[d]
        oldest = start_months if k == 0 else months_between(as_of, *(int(x) for x in dates[k - 1].split("-")))
        youngest = months_between(as_of, *(int(x) for x in d.split("-")))
        if entered > 0:
            bands.append(("SSW1", youngest, oldest, entered))
    return bands


def initial_months(isa, ssw, targets, as_of):
    """Rows (status, from_months, to_months, persons) of the months in status at `as_of` (2019-12 or 2022-12)
    for the statuses with a history in the data; the others keep the engine's default (uniform)."""
    ssw1_path = {d: n for d, n in ssw[("ssw1", "all")].items()}
    ssw1_path.update({d: n for d, n in ssw[("total", "all")].items() if d not in ssw1_path})
    rows = ssw1_bands(ssw1_path, as_of)
    titp = int(targets[STATUSES.index("TITP")])
    if as_of == "2019-12":
        first, second, third = titp_stages(isa, "2019-12")
        rows += [("TITP", 0, 12, first), ("TITP", 12, 36, second), ("TITP", 36, 60, third)]
    else:
        # 2-go: the 1-go of 2021-12 (entered 2021) and of 2020-12 (entered 2020); 3-go as at 2021-12; 1-go the rest.
        first_2021, _, third_2021 = titp_stages(isa, "2021-12")
        first_2020 = titp_stages(isa, "2020-12")[0]
        rest = titp - first_2021 - first_2020 - third_2021
        rows += [("TITP", 0, TITP_REOPENING_MONTHS, rest), ("TITP", 12, 24, first_2021), ("TITP", 24, 36, first_2020),
                 ("TITP", 36, 60, third_2021)]
        students = int(targets[STATUSES.index("STUDENT")])
        retained = round(isa["2021-12"]["student"] * STUDENT_RETAINED_2022)
        rows += [("STUDENT", 0, STUDENT_REOPENING_MONTHS, students - retained),
                 ("STUDENT", *STUDENT_PRE_CLOSURE_MONTHS, retained)]
    return rows


def initial_months_table(rows):
    """CSV rows (status, from_months, to_months, share) with the shares of each status adding up to 1."""
    totals = {}
    for status, _, _, persons in rows:
        totals[status] = totals.get(status, 0) + persons
    return sorted(((status, lo, hi, f"{persons / totals[status]:.9f}") for status, lo, hi, persons in rows),
                  key=lambda r: (STATUSES.index(r[0]), r[1]))


def titp_to_ssw1_pass_rates(isa, ssw):
    """{year: pass rate} of the TITP -> SSW1 step, 2019-2022: status changes to SSW1 inside Japan in the
    year over the interns who reach 36 months (end of 2-go) or 60 (end of 3-go) in it, taken as half of
    the 2-go and 3-go stock at the end of the year before. SSW1 stock by route: observed/ssw.csv (2021-06,
    2022-12); the share changed in Japan is carried back to 2019-2020 and interpolated for 2021-12.
    ASSUMPTION: every status change into SSW1 comes from TITP (FACTS §F: mostly former interns)."""
    route = {d: ssw[("route", "change_of_status_in_japan")][d] /
             (ssw[("route", "change_of_status_in_japan")][d] + ssw[("route", "admitted_from_abroad")][d])
             for d in ("2021-06", "2022-12")}
    stock = {d: n for d, n in ssw[("ssw1", "all")].items()}
    in_japan = {"2018-12": 0.0,
                "2019-12": stock["2019-12"] * route["2021-06"],
                "2020-12": stock["2020-12"] * route["2021-06"],
                "2021-12": stock["2021-12"] * (route["2021-06"] + route["2022-12"]) / 2,
                "2022-12": float(ssw[("route", "change_of_status_in_japan")]["2022-12"])}
    rates = {}
    for year in (2019, 2020, 2021, 2022):
        base = f"{year - 1}-12" if year > 2019 else "2019-12"
        _, second, third = titp_stages(isa, base)
        attempts = (second + third) / 2
        if year == 2019:
            attempts *= (13 - SSW_START[1]) / 12
        rates[year] = (in_japan[f"{year}-12"] - in_japan[f"{year - 1}-12"]) / attempts
    return rates


def channel_flows(stock_2019, stock_2022, isa, ssw):
    """Channel weights (S x O): entries from abroad per year by status and origin. TITP: the 1-go stock of
    2019-12 (the interns who entered in 2019, ISA stage mix) by the origins of the 2019-12 TITP stock; TES
    the same (it replaces TITP); SSW1: admitted from abroad per year (observed/ssw.csv route) by the origins
    of the 2022-12 SSW1 stock; the others: the 2019-12 stock / CHANNEL_MEAN_STAY_YEARS."""
    by_origin_2019 = stock_2019.sum(axis=(0, 3)).astype(float)                                  # (S, O)
    by_origin_2022 = stock_2022.sum(axis=(0, 3)).astype(float)
    flows = np.zeros(by_origin_2019.shape)

    def mix(table, status):
        row = table[STATUSES.index(status)]
        return row / row.sum()
    flows[STATUSES.index("TITP")] = titp_stages(isa, "2019-12")[0] * mix(by_origin_2019, "TITP")
    flows[STATUSES.index("TES")] = flows[STATUSES.index("TITP")]
    flows[STATUSES.index("SSW1")] = ssw1_from_abroad_per_year(ssw) * mix(by_origin_2022, "SSW1")
    for status, years in CHANNEL_MEAN_STAY_YEARS.items():
        flows[STATUSES.index(status)] = by_origin_2019[STATUSES.index(status)] / years
    return flows


def ssw1_from_abroad_per_year(ssw):
    """SSW1 holders admitted from abroad per year from 2021-06 to 2022-12 (observed/ssw.csv route)."""
    abroad = ssw[("route", "admitted_from_abroad")]
    return (abroad["2022-12"] - abroad["2021-06"]) / 1.5


# ----------------------------------------------------------------------------------------------------------
# The initial stock

def peru_per_brazil(observed):
    """Peruvians per Brazilian in every status: MHLW's notified workers of Peru over Brazil's in the latest year
    that has both (observed/mhlw_workers.csv series nationality; 29,054 / 131,112 in 2020). ASSUMPTION: both are
    mostly nikkei communities with status-based residence, so Peruvians have Brazil's residents per worker
    and Brazil's status mix; no resident table in raw/ names Peru."""
    mhlw = pd.read_csv(observed / "mhlw_workers.csv")
    rows = mhlw[(mhlw["series"] == "nationality") & mhlw["category"].isin(["peru", "brazil"]) & (mhlw["year"] <= 2022)]
    wide = rows.pivot_table(index="year", columns="category", values="persons").dropna()
    return float(wide["peru"].iloc[-1] / wide["brazil"].iloc[-1]), int(wide.index[-1])


def seed_origin_shares(peru_ratio):
    """The national seed matrix status x origin (ORIGINS; rows sum to 1), before the floor."""
    def row(counts):
        v = np.array([counts.get(o, 0.0) for o in ORIGINS], dtype=float)
        return v / v.sum()
    ssw1 = dict(SSW1_NATIONALITY_2022)
    rest = 130923 - sum(SSW1_NATIONALITY_2022.values())  # FACTS §D total 2022-12
    for origin, share in SSW1_REST_SPLIT.items():
        ssw1[origin] = ssw1.get(origin, 0) + rest * share
    # TITP: the mean of two proxies from FACTS: missing interns 2019 by nationality (§F) and SSW1 holders
    # 2022-12 by nationality (§D), 81 % of whom changed status in Japan, mostly from TITP.
    rows = {"SSW1": row(ssw1), "TITP": (row(MISSING_INTERNS_2019) + row(ssw1)) / 2}
    rows["SSW2"], rows["TES"] = rows["SSW1"], rows["TITP"]
    rows.update({s: row(dict(zip(ORIGINS, v))) for s, v in SEED_ORIGIN_SHARES.items()})
    seed = np.array([rows[s] for s in STATUSES])
    brazil, peru, other = (ORIGINS.index(o) for o in ("brazil", "peru", "other"))
    seed[:, peru] = np.minimum(peru_ratio * seed[:, brazil], seed[:, other])
    seed[:, other] -= seed[:, peru]
    return seed


def isa_seed(seed, national_isa_shares):
    """The seed over ISA_ORIGINS (the origins split from `other` put back into it), with the floor of SEED_FLOOR."""
    merged = np.array([seed[:, ORIGINS.index(o)] for o in ISA_ORIGINS]).T
    merged[:, ISA_ORIGINS.index("other")] += sum(seed[:, ORIGINS.index(o)] for o in SPLIT_FROM_OTHER)
    merged = merged + SEED_FLOOR * national_isa_shares[None, :]
    return merged / merged.sum(axis=1, keepdims=True)


def split_other(mix, seed, targets):
    """(M, S, ORIGINS) from the IPF's (M, S, ISA_ORIGINS): each status's `other` cells are split over
    SPLIT_FROM_OTHER and the rest so that, nationally, each split origin gets its seed share of the status's
    target (at most the status's `other`; shared in proportion when they ask for more). Within a status, an
    origin of LIVES_LIKE lives where that origin does (at most the municipality's `other`), the others where
    the ISA table's その他 do, in every municipality in the same proportion (ASSUMPTIONS)."""
    out = np.zeros(mix.shape[:2] + (len(ORIGINS),))
    for k, origin in enumerate(ISA_ORIGINS):
        out[:, :, ORIGINS.index(origin)] = mix[:, :, k]
    other = ORIGINS.index("other")
    pooled = out[:, :, other].sum(axis=0)                                                       # (S,)
    wanted = np.array([seed[:, ORIGINS.index(o)] * targets for o in SPLIT_FROM_OTHER])          # (K, S)
    asked = wanted.sum(axis=0)
    for s in np.flatnonzero(asked > pooled + 1e-9):
        print(f"note: {STATUSES[s]}: {', '.join(SPLIT_FROM_OTHER)} ask for {asked[s]:,.0f} of `other`'s "
              f"{pooled[s]:,.0f}: scaled down in proportion", file=sys.stderr)
    wanted *= np.minimum(1.0, pooled / np.maximum(asked, 1e-12))[None, :]
    shares = np.zeros(len(pooled))
    for k, origin in enumerate(SPLIT_FROM_OTHER):
        if origin not in LIVES_LIKE:
            share = np.divide(wanted[k], pooled, out=np.zeros_like(pooled), where=pooled > 0)
            out[:, :, ORIGINS.index(origin)] = out[:, :, other] * share[None, :]
            shares += share
    room = out[:, :, other] * (1.0 - shares)[None, :]
    for k, origin in enumerate(SPLIT_FROM_OTHER):
        if origin in LIVES_LIKE:
            like = out[:, :, ORIGINS.index(LIVES_LIKE[origin])]
            for s in range(mix.shape[1]):
                out[:, s, ORIGINS.index(origin)] = placed_like(like[:, s], room[:, s], wanted[k, s])
            room -= out[:, :, ORIGINS.index(origin)]
    out[:, :, other] = room
    return out


def placed_like(like, room, wanted):
    """`wanted` persons spread over municipalities in proportion to `like`, at most `room` in each: c x like
    capped at room, with c found by bisection (the spread grows with c). If the municipalities where `like`
    lives have too little room for them all, all are spread in proportion to `room` instead."""
    if wanted <= 0:
        return np.zeros_like(room)
    if room[like > 0].sum() < wanted:
        return room * (wanted / room.sum())
    low, high = 0.0, 1.0
    while np.minimum(room, high * like).sum() < wanted:
        high *= 2
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if np.minimum(room, mid * like).sum() < wanted else (low, mid)
    return np.minimum(room, high * like)


def origin_margins(by_origin, status_totals, munis):
    """Per municipality, the origin counts scaled to its status total; prefecture shares where it has none."""
    shares = by_origin.astype(float)
    pref_of = munis["prefecture"].to_numpy()
    for k in np.flatnonzero(shares.sum(axis=1) == 0):
        shares[k] = by_origin[pref_of == pref_of[k]].sum(axis=0)
    shares /= shares.sum(axis=1, keepdims=True)
    return shares * status_totals.sum(axis=1, keepdims=True)


def size_classes(munis):
    small, large = SIZE_CLASS_LIMITS
    pop = munis["population"].to_numpy()
    return np.where(pop < small, "small", np.where(pop >= large, "large", "middle"))


def ssw_field_split(ssw_fields, ssw_total):
    """SSW1 national field shares 2022-12 (FACTS §D): the five largest fields as given, the rest by 2019 caps."""
    split = {f: float(n) for f, n in ssw_fields.items()}
    rest = ssw_total - sum(ssw_fields.values())
    caps = sum(SSW_CAPS_2019_OTHER.values())
    for field, cap in SSW_CAPS_2019_OTHER.items():
        split[field] = split.get(field, 0.0) + rest * cap / caps
    return split


def national_field_shares(ssw1_split):
    """Status x field national shares (rows sum to 1) from FIELD_MIX and the SSW1 split."""
    shares = np.zeros((len(STATUSES), len(FIELDS)))
    for s, status in enumerate(STATUSES):
        work, mix = FIELD_MIX[status]
        if mix == "status_based":
            mix = STATUS_BASED_FIELDS
        elif status == "TES":
            work, mix = FIELD_MIX["TITP"]
        elif status == "SSW1":
            mix = ssw1_split
        elif status == "SSW2":  # construction and shipbuilding only before 2023-08 (FACTS §E)
            mix = {f: ssw1_split.get(f, 0.0) for f in ("construction", "shipbuilding")}
        weights = np.array([mix.get(f, 0.0) for f in FIELDS])
        if work > 0:
            shares[s] = work * weights / weights.sum()
        shares[s, FIELDS.index("none")] += 1.0 - work
    return shares


def field_shares_by_municipality(status_totals, shares, munis):
    """Per status, the municipality x field split: IPF of (national share x size-class weight) to the
    municipality totals and the national field split. Returns (municipalities, statuses, fields) shares."""
    classes = size_classes(munis)
    weight = np.array([[SIZE_CLASS_WEIGHTS[c].get(f, 1.0) for f in FIELDS] for c in classes])  # (M, F)
    seed = shares[:, None, :] * weight[None, :, :]                                           # (S, M, F)
    rows = status_totals.T.astype(float)                                                     # (S, M)
    cols = shares * rows.sum(axis=1, keepdims=True)                                          # (S, F)
    fitted, error = ipf(seed, rows, cols)
    if error > 1e-3:
        print(f"warning: field IPF left an error of {error:.3g} persons", file=sys.stderr)
    out = np.divide(fitted, rows[:, :, None], out=np.zeros_like(fitted), where=rows[:, :, None] > 0)
    return out.transpose(1, 0, 2)


def build_stock(status_totals, by_origin, targets, seed, field_split, munis, worker_targets):
    """Integer stock (municipality, status, origin, field) from real status totals per municipality (they add
    up to the national targets), the municipal nationality counts (ISA_ORIGINS), the seed (ORIGINS), the
    field split and the MHLW workers by origin that the work shares are fitted to (origin_work_factors).
    Returns (stock, factors)."""
    margins = origin_margins(by_origin, status_totals, munis)
    merged = isa_seed(seed, by_origin.sum(axis=0) / by_origin.sum())
    mix, error = ipf(merged[None, :, :] * np.ones((len(munis), 1, 1)), status_totals, margins)
    if error > 1e-3:
        print(f"warning: origin IPF left an error of {error:.3g} persons", file=sys.stderr)
    mix = split_other(mix, seed, np.asarray(targets, dtype=float))
    factors = origin_work_factors(mix, field_split, worker_targets)
    cells = mix[:, :, :, None] * split_by_origin(field_split, factors)                       # (M, S, O, F)
    stock = np.zeros(cells.shape, dtype=np.int64)
    for s in range(len(STATUSES)):
        stock[:, s] = cumulative_round(cells[:, s], int(targets[s]))
    return stock, factors


# Statuses whose holders work by choice (資格外活動 part-time work, or a status with no work condition): their
# share in work (FIELD_MIX) is scaled per origin. TITP, TES, SSW, ENGINEER and HIGHLY_SKILLED work by
# definition; MHLW does not count SPECIAL_PERMANENT (no notification), so its share is left alone.
CHOICE_WORK_STATUSES = ["STUDENT", "PERMANENT", "SPOUSE_OR_LONG_TERM", "DEPENDENT", "OTHER"]
MHLW_NOT_NOTIFIED = ["SPECIAL_PERMANENT"]
MHLW_FIGURE_MAX_AGE_YEARS = 2  # an older MHLW figure by nationality does not stand for the stock's year


def mhlw_workers_by_origin(observed, stock_year):
    """{origin: (year, persons)}: MHLW notified workers by nationality (observed/mhlw_workers.csv, series
    nationality, end of October) of the latest year not after `stock_year` and at most
    MHLW_FIGURE_MAX_AGE_YEARS before it, for the origins the model has (`other` has no figure of its own).
    A figure older than `stock_year` is carried to it at the nationality's yearly
    growth between that figure and the one before, where that one is at most MHLW_FIGURE_MAX_AGE_YEARS
    older (ASSUMPTION: the growth holds one more year or two); persons are then a real number."""
    mhlw = pd.read_csv(observed / "mhlw_workers.csv", dtype={"persons": np.int64})
    rows = mhlw[(mhlw["series"] == "nationality") & mhlw["category"].isin(ORIGINS) & (mhlw["year"] <= stock_year)]
    out = {}
    for origin, group in rows.sort_values("year").groupby("category"):
        years, persons = group["year"].to_numpy(), group["persons"].to_numpy(dtype=float)
        if years[-1] < stock_year - MHLW_FIGURE_MAX_AGE_YEARS:
            continue
        figure = persons[-1]
        if years[-1] < stock_year and len(years) > 1 and years[-1] - years[-2] <= MHLW_FIGURE_MAX_AGE_YEARS:
            yearly = (persons[-1] / persons[-2]) ** (1.0 / (years[-1] - years[-2]))
            figure *= yearly ** (stock_year - years[-1])
        out[origin] = (int(years[-1]), figure)
    return out


def clipped_work(share, factor):
    return np.minimum(1.0, share * factor)


def origin_work_factors(mix, field_split, worker_targets):
    """Per origin, the factor on the work shares of CHOICE_WORK_STATUSES (shares clipped to [0, 1]) that makes
    the origin's notified workers (every status but MHLW_NOT_NOTIFIED, field not none) in the real cells
    `mix` (M, S, O) x `field_split` (M, S, F) equal its MHLW figure (`worker_targets`: {origin: (year,
    persons)}); 1 for an origin without a figure. Solved by bisection (workers rise with the factor)."""
    none = FIELDS.index("none")
    work = 1.0 - field_split[:, :, none]                                                      # (M, S)
    choice = np.array([s in CHOICE_WORK_STATUSES for s in STATUSES])
    notified = np.array([s not in MHLW_NOT_NOTIFIED for s in STATUSES])
    fixed = mix[:, notified & ~choice, :] * work[:, notified & ~choice, None]                 # (M, S', O)
    factors = np.ones(len(ORIGINS))
    for origin, (_, persons) in sorted(worker_targets.items()):
        o = ORIGINS.index(origin)
        base = fixed[:, :, o].sum()
        held, share = mix[:, choice, o], work[:, choice]

        def workers(factor):
            return base + (held * clipped_work(share, factor)).sum()
        high = 1.0 / share[share > 0].min()
        if persons <= base or persons >= workers(high):
            # A figure no work share can reach is taken to be too old for the stock (a nationality that grew
            # since): not used.
            print(f"note: {origin}: MHLW workers {persons:,} out of reach (workers by definition {base:,.0f}, "
                  f"at most {workers(high):,.0f}): not used, factor 1")
            continue
        low = 0.0
        for _ in range(60):
            mid = (low + high) / 2
            low, high = (mid, high) if workers(mid) < persons else (low, mid)
        factors[o] = (low + high) / 2
    for origin, like in LIVES_LIKE.items():  # ASSUMPTION: without a figure, the work shares of the origin it is like
        if origin not in worker_targets:
            factors[ORIGINS.index(origin)] = factors[ORIGINS.index(like)]
    return factors


def split_by_origin(field_split, factors):
    """(M, S, O, F) field shares: `field_split` (M, S, F) for every origin, the work shares of
    CHOICE_WORK_STATUSES scaled by the origin's factor (clipped to [0, 1]; the fields within work keep their
    split, `none` takes the rest)."""
    none = FIELDS.index("none")
    out = np.repeat(field_split[:, :, None, :], len(ORIGINS), axis=2)
    work = 1.0 - field_split[:, :, none]                                                      # (M, S)
    for s, status in enumerate(STATUSES):
        if status not in CHOICE_WORK_STATUSES:
            continue
        scaled = clipped_work(work[:, s, None], factors[None, :])                              # (M, O)
        ratio = np.divide(scaled, work[:, s, None], out=np.zeros_like(scaled), where=work[:, s, None] > 0)
        out[:, s] *= ratio[:, :, None]
        out[:, s, :, none] = 1.0 - scaled
    return out


# Statuses fed mostly from inside Japan: their 2022-12 stock continues their 2019-2021 trend.
TREND_STATUSES = ["PERMANENT", "SPOUSE_OR_LONG_TERM", "SPECIAL_PERMANENT"]
# Statuses fed from abroad, which the border closure of 2020-2022 emptied and the 2022-03 reopening refilled.
REOPENING_STATUSES = ["TITP", "STUDENT", "ENGINEER", "HIGHLY_SKILLED", "DEPENDENT", "OTHER"]
DEPENDENT_MEAN_STAY_YEARS = 5   # ASSUMPTION: family of students and engineers; their entries = stock / 5


def reopening_weights(national_2019, isa):
    """Entries per year of the REOPENING_STATUSES in a year of open borders: TITP the 1-go of 2019-12, the
    others their 2019-12 stock / mean stay (CHANNEL_MEAN_STAY_YEARS, DEPENDENT_MEAN_STAY_YEARS)."""
    stays = {**CHANNEL_MEAN_STAY_YEARS, "DEPENDENT": DEPENDENT_MEAN_STAY_YEARS}
    weight = {s: national_2019[STATUSES.index(s)] / stays[s] for s in REOPENING_STATUSES if s != "TITP"}
    weight["TITP"] = titp_stages(isa, "2019-12")[0]
    return weight


def targets_2022(national_2019, national_2021, observed, isa):
    """National integer targets by status for 2022-12 (see the docstring, step 2): the ISA total and SSW of
    2022-12; TREND_STATUSES carry their mean yearly change of 2019-12 to 2021-12 one more year; the
    REOPENING_STATUSES share the rest: each keeps its 2021-12 stock less its known 2022 outflow (TITP: the
    interns of the 2019 intake, who reached 36 months in 2022, less the 3-go share; students: the 2021-12
    students no longer students, 1 - STUDENT_RETAINED_2022), plus the 2022 entrants that fill the total,
    split in proportion to reopening_weights. Returns (targets, {status: (2021-12, outflow, entrants)})."""
    targets = np.zeros(len(STATUSES), dtype=np.int64)
    targets[STATUSES.index("SSW1")] = observed["ssw"] - observed["ssw2"]
    targets[STATUSES.index("SSW2")] = observed["ssw2"]
    for status in TREND_STATUSES:
        s = STATUSES.index(status)
        targets[s] = round(national_2021[s] + (national_2021[s] - national_2019[s]) / 2)
    first_2020 = titp_stages(isa, "2020-12")[0]
    second_2021 = titp_stages(isa, "2021-12")[1]
    outflow = {s: 0.0 for s in REOPENING_STATUSES}
    outflow["TITP"] = (second_2021 - first_2020) * (1 - titp_renewal_share(isa))
    outflow["STUDENT"] = isa["2021-12"]["student"] * (1 - STUDENT_RETAINED_2022)
    weight = reopening_weights(national_2019, isa)
    before = {s: float(national_2021[STATUSES.index(s)]) for s in REOPENING_STATUSES}
    entrants = observed["total"] - int(targets.sum()) - sum(before.values()) + sum(outflow.values())
    parts = {s: (before[s], outflow[s], entrants * weight[s] / sum(weight.values())) for s in REOPENING_STATUSES}
    rounded = largest_remainder(np.array([b - o + e for b, o, e in parts.values()]),
                                observed["total"] - int(targets.sum()))
    for k, status in enumerate(REOPENING_STATUSES):
        targets[STATUSES.index(status)] = rounded[k]
    return targets, parts


def spread_2019(by_pref, unknown, status_2021, munis):
    """Real municipality x status counts for 2019-12 (see the docstring)."""
    pref_of = munis["prefecture"].to_numpy()
    out = np.zeros(status_2021.shape)
    all_foreign = status_2021.sum(axis=1).astype(float)
    for p, pref in enumerate(sorted(set(pref_of))):
        in_pref = pref_of == pref
        for s in range(len(STATUSES)):
            w = status_2021[in_pref, s].astype(float)
            if w.sum() == 0:
                w = all_foreign[in_pref]
            out[in_pref, s] = by_pref[p, s] * w / w.sum()
    national = out.sum(axis=0)
    out += np.divide(out * unknown[None, :], national[None, :], out=np.zeros_like(out), where=national > 0)
    return out


# ----------------------------------------------------------------------------------------------------------
# Other tables

def policies(foreign, munis):
    """The initial policy portfolio per municipality from POLICY_RULES (see the docstring)."""
    share = foreign / np.maximum(munis["population"].to_numpy(), 1)
    r = POLICY_RULES
    lang = r["language_classes"]
    language = (foreign >= lang["foreign_at_least"]) | ((share >= lang["or_share_at_least"])
                                                        & (foreign >= lang["with_foreign_at_least"]))
    consultation = foreign >= r["consultation"]["foreign_at_least"]
    hires = (foreign >= r["ajts"]["foreign_at_least"]) & (share >= r["ajts"]["share_at_least"])
    ajts = np.where(hires, np.maximum(1, np.floor(foreign / r["ajts"]["foreign_per_ajt"] + 0.5)), 0).astype(int)
    assembly = munis["code"].isin(r["residents_assembly"]).to_numpy()
    council = munis["code"].isin(r["council_member"]).to_numpy()
    return {"language_classes": language, "consultation": consultation, "residents_assembly": assembly,
            "hires_ajts": hires, "ajts": ajts, "council_member": council}


def establishments_by_field(by_industry, workers_by_field):
    """Establishments per model field: each industry split over its fields in proportion to their workers."""
    out = np.zeros(len(FIELDS), dtype=np.int64)
    for industry, count in by_industry.items():
        fields = ESTABLISHMENT_FIELDS[industry]
        idx = [FIELDS.index(f) for f in fields]
        w = workers_by_field[idx].astype(float)
        if w.sum() == 0:
            w = np.ones(len(idx))
        out[idx] += largest_remainder(w, count)
    return out


def with_one_per_municipality(per_field, workers):
    """Raises each field's establishments to at least its number of municipalities with workers and takes
    the excess off the other fields in proportion to their establishments above that minimum, so that the
    total is unchanged."""
    minimum = (workers > 0).sum(axis=0)
    raised = np.maximum(per_field, minimum)
    excess = int(raised.sum() - per_field.sum())
    slack = (raised - minimum).astype(float)
    if excess > slack.sum():
        raise SystemExit("establishments: fewer establishments than (municipality, field) pairs with workers")
    return raised - (largest_remainder(slack, excess) if excess > 0 else 0)


def establishments_by_municipality(per_field, workers):
    """(municipalities, fields): one per municipality with workers, the rest in proportion to workers."""
    out = np.zeros(workers.shape, dtype=np.int64)
    for f in range(len(FIELDS)):
        has = workers[:, f] > 0
        out[:, f] = has.astype(np.int64)
        if per_field[f] > has.sum():
            out[:, f] += largest_remainder(workers[:, f].astype(float), int(per_field[f] - has.sum()))
    return out


# ----------------------------------------------------------------------------------------------------------
# Writing

# ASSUMPTIONS on the sending side (docs/japan_data.md, Origins): orientation to work abroad (1 = none stated)
# and a dated sending-government push (from, to, applicant multiplier). Korea: seed 000 (Korean IT engineers)
# states a high orientation to work overseas and a strong government push to send young job seekers abroad
# after the 1997 crisis; 1.5, the dates 1998-01 to 2007-12 and the multiplier 1.5 are assumptions.
SENDING_SIDE_COLUMNS = ["orientation_to_work_abroad", "sending_push.from", "sending_push.to",
                        "sending_push.applicant_multiplier"]
SENDING_SIDE_ASSUMPTIONS = {"korea": (1.5, ("1998-01", "2007-12", 1.5))}


def sending_side(origin):
    """The SENDING_SIDE_COLUMNS of an origin's row (an origin not listed: orientation 1, no push)."""
    orientation, push = SENDING_SIDE_ASSUMPTIONS.get(origin, (1.0, None))
    return [orientation] + (list(push) if push else ["", "", ""])


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def boolean(value):
    return "true" if value else "false"


def stock_rows(stock, munis):
    """Rows (municipality, status, field, origin, persons > 0) sorted by code, then the labels alphabetically."""
    m, s, o, f = np.nonzero(stock)
    codes = munis["code"].to_numpy()
    rows = [(int(codes[a]), STATUSES[b], FIELDS[d], ORIGINS[c], int(stock[a, b, c, d]))
            for a, b, c, d in zip(m, s, o, f)]
    return sorted(rows)


def titp_renewal_share(isa):
    """Share of interns at the end of 2-go (36 months) who go on to 3-go: the 3-go stock over the 2-go stock
    (both stages last 24 months), mean of 2019-12, 2020-12 and 2021-12 (ISA stage mix)."""
    ratios = [titp_stages(isa, d)[2] / titp_stages(isa, d)[1] for d in ("2019-12", "2020-12", "2021-12")]
    return sum(ratios) / len(ratios)


def write_rules(path, pass_rates, renewal_share):
    """rules.yaml: caps, TES employer-change periods, the dated TITP -> SSW1 pass rates and the 2027-04 events
    (FACTS §D, §E)."""
    decided_2018 = [("nursing_care", 60000), ("building_cleaning", 37000),
                    ("industrial_products_manufacturing", 21500 + 5250 + 4700, "素形材 21,500 + 産業機械 5,250 + 電気電子 4,700"),
                    ("construction", 40000), ("shipbuilding", 13000), ("automobile_repair", 7000), ("aviation", 2200),
                    ("accommodation", 22000), ("agriculture", 36500), ("fisheries", 9000),
                    ("food_beverage_manufacturing", 34000), ("food_service", 53000)]
    interim_2022 = [("nursing_care", 50900), ("building_cleaning", 20000), ("industrial_products_manufacturing", 49750),
                    ("construction", 34000), ("shipbuilding", 11000), ("automobile_repair", 6500), ("aviation", 1300),
                    ("accommodation", 11200), ("agriculture", 36500), ("fisheries", 6300),
                    ("food_beverage_manufacturing", 87200), ("food_service", 30500)]
    unconfirmed = "unconfirmed (FACTS §D: only the sum of the four unconfirmed values is pinned down)"
    derived = "derived in FACTS §D (stock / share of the cap filled)"
    decided_2024 = [("nursing_care", 135000), ("building_cleaning", 37000),
                    ("industrial_products_manufacturing", 173300, derived), ("construction", 80000, derived),
                    ("shipbuilding", 36000), ("automobile_repair", 10000, unconfirmed),
                    ("aviation", 4400, unconfirmed), ("accommodation", 23000, unconfirmed), ("agriculture", 78000),
                    ("fisheries", 17000), ("food_beverage_manufacturing", 139000, derived),
                    ("food_service", 53000, derived), ("automobile_transport", 24500),
                    ("railways", 3800, unconfirmed), ("forestry", 1000), ("wood_industry", 5000)]
    revised_2026_ssw1 = {"nursing_care": 126900, "building_cleaning": 32200,
                         "industrial_products_manufacturing": 199500, "construction": 76000, "accommodation": 14800,
                         "food_service": 50000, "forestry": 900, "wood_industry": 4500}
    revised_2026_tes = {"nursing_care": 33800, "building_cleaning": 7300, "industrial_products_manufacturing": 119700,
                        "construction": 123500, "accommodation": 5200, "food_service": 5300, "forestry": 500,
                        "wood_industry": 2200}
    not_split = {"food_beverage_manufacturing": "ESD + SSW total 194,900 given, not split",
                 "agriculture": "ESD + SSW total 99,600 given, not split"}

    def cap(field, statuses, start, end, limit, comment=""):
        line = (f"  - {{field: {field}, statuses: [{statuses}], from: {start}, to: {end}, limit_persons: {limit}}}")
        return line + (f"   # {comment}" if comment else "")

    lines = [
        "# Generated by scenarios/tools/make_japan.py; do not edit by hand (edit the script and re-run it).",
        "# Sources: shared/data/FACTS.md §D (SSW caps 受入れ見込数 and ESD transfer-restriction periods) and §E",
        "# (the Employment for Skill Development system 育成就労 = TES replaces TITP from 2027-04-01).",
        "",
        "# SSW1 ceilings taken as stock caps, at full national scale (persons).",
        "# After 2029-03 no cap is set: an absent cap means no cap.",
        "caps:",
        "  # 2018-12 cabinet decision (5 years from 2019-04), until the 2022-08-30 revision",
    ]
    lines += [cap(item[0], "SSW1", "2019-04", "2022-08", item[1], *item[2:]) for item in decided_2018]
    lines.append("  # 2022-08-30 interim revision, to the end of FY2023")
    lines += [cap(f, "SSW1", "2022-09", "2024-03", n) for f, n in interim_2022]
    lines.append("  # 2024-03-29 cabinet decision (FY2024-FY2028), until the ESD start")
    lines += [cap(item[0], "SSW1", "2024-04", "2027-03", item[1], *item[2:]) for item in decided_2024]
    lines.append("  # 2026-01-23 revision to the end of FY2028: SSW1 values where given per field, else the 2024 value")
    for field, limit, *comment in decided_2024:
        if field in revised_2026_ssw1:
            lines.append(cap(field, "SSW1", "2027-04", "2029-03", revised_2026_ssw1[field]))
        else:
            note = "2024 value kept" + (f"; {not_split[field]}" if field in not_split else "; no 2026 value per field")
            if comment and comment[0] == unconfirmed:
                note += "; unconfirmed"
            lines.append(cap(field, "SSW1", "2027-04", "2029-03", limit, note))
    lines.append("  # 2026-01-23 revision: ESD (TES) caps where given per field")
    lines += [cap(f, "TES", "2027-04", "2029-03", n) for f, n in revised_2026_tes.items()]
    lines += [
        "",
        "# ESD transfer restriction: months with the first employer before a change at the worker's request",
        "# (FACTS §D table: 2 yr -> 24, 1 yr -> 12; shipbuilding and automobile repair 2 yr per kitacarat Sep-2025).",
        "statuses:",
        "  TITP:",
        "    # The TITP -> SSW1 step follows the 2019-2022 ramp of status changes into SSW1 inside Japan",
        "    # (observed/ssw.csv route, FACTS §D) over the interns reaching the end of 2-go or 3-go (ISA stage mix);",
        "    # from 2023 the 2022 rate holds. Good completion of TITP (ii) waives the SSW1 tests (FACTS §E).",
        "    # 1-go and 2-go last 36 months; a share goes on to 3-go (to 60 months): the 3-go stock over the 2-go",
        "    # stock, mean of 2019-12 to 2021-12 (ISA stage mix). The others leave unless they move to SSW1.",
        "    first_term_months: 36",
        f"    renewal_share: {renewal_share:.4f}",
        "    transitions:",
        f"      - {{to: SSW1, after_months: 36, pass_rate: {pass_rates[min(pass_rates)]:.4f}, pass_rate_by_year: {{"
        + ", ".join(f"{y}: {r:.4f}" for y, r in sorted(pass_rates.items()) if y != min(pass_rates)) + "}}",
        "  TES:",
        "    employer_change_after_months: {default: 12, nursing_care: 24, building_cleaning: 12, "
        "industrial_products_manufacturing: 24, construction: 24, accommodation: 12, food_service: 24, forestry: 12, "
        "wood_industry: 12, food_beverage_manufacturing: 24, agriculture: 12, shipbuilding: 24, automobile_repair: 24, "
        "railways: 12, fisheries: 12}",
        "    # building_cleaning: 1 yr per JITCO Dec-2025 (an Oct-2025 page lists 2 yr)",
        "",
        "events:",
        "  - {type: status_rule, date: 2023-09, status: SSW1, set: {transitions: [{to: SSW2, after_months: 36, "
        "pass_rate: 0.5, requires_japanese: B1, requires_skill: 150, fields: [building_cleaning, "
        "industrial_products_manufacturing, construction, shipbuilding, automobile_repair, aviation, accommodation, "
        "agriculture, fisheries, food_beverage_manufacturing, food_service]}]}}",
        "    # FACTS §E: from 2023-08-31 SSW2 in every SSW1 field but nursing care (before: construction, shipbuilding)",
        "  - {type: status_rule, date: 2027-04, status: TITP, set: {entries_open: false}}   "
        "# FACTS §E: TITP closes to new entries when ESD starts (transition to 2030-03)",
        "  - {type: status_rule, date: 2027-04, status: TES, set: {entries_open: true}}     "
        "# FACTS §E: ESD (育成就労) starts 2027-04-01",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------------------
# Checks printed at the end

def print_status_check(title, stock, targets, reference):
    print(f"\n{title}")
    print(f"  {'status':<20} {'stock':>10} {'target':>10} {'ISA':>10}")
    by_status = stock.sum(axis=(0, 2, 3))
    for s, status in enumerate(STATUSES):
        ref = "" if reference[s] is None else f"{reference[s]:>10,}"
        print(f"  {status:<20} {by_status[s]:>10,} {targets[s]:>10,} {ref}")
    print(f"  {'total':<20} {by_status.sum():>10,} {targets.sum():>10,}")
    if not (by_status == targets).all():
        raise SystemExit(f"{title}: the stock does not add up to the targets")


def workers_by_field(stock):
    return stock.sum(axis=(0, 1, 2))


def print_workers(stock):
    by_field = workers_by_field(stock)
    none = FIELDS.index("none")
    workers = int(by_field.sum() - by_field[none])
    sp = STATUSES.index("SPECIAL_PERMANENT")
    without_sp = workers - int(stock[:, sp].sum() - stock[:, sp, :, none].sum())
    print(f"\nworkers 2022-12 (fields other than none): {workers:,}; without SPECIAL_PERMANENT {without_sp:,}; "
          f"MHLW Oct 2022 {MHLW_WORKERS_2022:,} ({workers / MHLW_WORKERS_2022 - 1:+.1%})")
    print("  by field: " + ", ".join(f"{FIELDS[f]} {by_field[f]:,}" for f in range(len(FIELDS))))


def print_origin_workers(title, stock, mhlw, factors):
    """Each origin's notified workers (MHLW_NOT_NOTIFIED left out) against its MHLW figure, and the factor."""
    none = FIELDS.index("none")
    notified = [s for s, status in enumerate(STATUSES) if status not in MHLW_NOT_NOTIFIED]
    workers = stock[:, notified].sum(axis=(0, 1, 3)) - stock[:, notified, :, none].sum(axis=(0, 1))
    print(f"\n{title}: origin, notified workers, MHLW (year), work-share factor")
    for o, origin in enumerate(ORIGINS):
        year, persons = mhlw.get(origin, (None, None))
        ref = f"{persons:>10,.0f} ({year})" if persons else f"{'-':>10}       "
        ref += " not used" if persons and factors[o] == 1.0 else ""
        print(f"  {origin:<12} {workers[o]:>10,} {ref} {factors[o]:.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=pathlib.Path, default=REPO.parent / "shared/data/raw")
    parser.add_argument("--observed", type=pathlib.Path, default=None)
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "scenarios/data/japan")
    args = parser.parse_args()
    raw = args.raw.resolve()
    observed = (args.observed or raw.parent / "observed").resolve()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    munis = read_municipalities(raw)
    register_2022 = read_jumin(raw, "2022-01-01", munis)
    isa_columns = [ja for _, ja, _ in ISA_STATUSES]
    isa_2021 = read_isa_municipal(raw / "derived_csv/isa_2021-12_muni_by_status.csv", isa_columns, munis,
                                  register_2022)
    status_2021 = to_model_statuses(isa_2021)
    by_origin = read_isa_municipal(raw / "derived_csv/isa_2022-06_muni_by_nationality.csv", ORIGIN_COLUMNS_JA,
                                   munis, register_2022)
    national_2021 = pd.read_csv(raw / "derived_csv/isa_2021-12_muni_by_status.csv", dtype={"code": str},
                                keep_default_na=False).set_index("name").loc["総数", isa_columns].to_numpy(np.int64)
    national_2021 = to_model_statuses(national_2021)
    obs = read_observed(observed)
    peru_ratio, peru_year = peru_per_brazil(observed)
    seed = seed_origin_shares(peru_ratio)
    print(f"Peruvians per Brazilian: {peru_ratio:.4f} (MHLW workers {peru_year})")
    print(f"municipalities: {len(munis):,}; foreign residents 2021-12 in them: {status_2021.sum():,}")

    # 1. isa_status_map.csv, prefectures.csv
    write_csv(out / "isa_status_map.csv", ["isa_status", "isa_column_ja", "status"], ISA_STATUSES)
    wages = pd.read_csv(raw / "kai-denrei_japan-demography/minimum_wage_2024.csv", dtype={"prefecture_code": str})
    wage = {int(c): int(w) for c, w in zip(wages["prefecture_code"], wages["hourly_min_wage_jpy"])}
    prefs = munis.drop_duplicates("prefecture").sort_values("prefecture")
    write_csv(out / "prefectures.csv", ["code", "name", "minimum_wage_yen_per_hour"],
              [(p, name, wage[p]) for p, name in zip(prefs["prefecture"], prefs["pref_en"])])

    # 2. municipalities.csv with the initial policies
    foreign_2021 = status_2021.sum(axis=1)
    pol = policies(foreign_2021, munis)
    write_csv(out / "municipalities.csv",
              ["code", "name", "prefecture", "population", "location[0]", "location[1]", "policy.language_classes",
               "policy.consultation", "policy.residents_assembly", "policy.hires_ajts", "policy.ajts",
               "policy.council_member"],
              [(r.code, r.name, r.prefecture, r.population, f"{r.lat:.4f}", f"{r.lng:.4f}",
                boolean(pol["language_classes"][k]), boolean(pol["consultation"][k]),
                boolean(pol["residents_assembly"][k]), boolean(pol["hires_ajts"][k]), int(pol["ajts"][k]),
                boolean(pol["council_member"][k])) for k, r in enumerate(munis.itertuples())])

    # 2b. the municipal tables of two policy variants (scenarios/variants/): a Kawasaki/Hamamatsu-style
    # portfolio everywhere, one AJT per POLICY_RULES foreign_per_ajt residents (at least one); and
    # cooperation agreements with Vietnam, Indonesia and the Philippines in every municipality.
    base_columns = ["code", "name", "prefecture", "population", "location[0]", "location[1]"]
    base_rows = [(r.code, r.name, r.prefecture, r.population, f"{r.lat:.4f}", f"{r.lng:.4f}") for r in munis.itertuples()]
    push_ajts = np.maximum(1, np.floor(foreign_2021 / POLICY_RULES["ajts"]["foreign_per_ajt"] + 0.5)).astype(int)
    write_csv(out / "municipalities_integration_push.csv",
              base_columns + ["policy.language_classes", "policy.consultation", "policy.residents_assembly",
                              "policy.hires_ajts", "policy.ajts", "policy.council_member"],
              [row + ("true", "true", boolean(pol["residents_assembly"][k]), "true", int(push_ajts[k]), "true")
               for k, row in enumerate(base_rows)])
    write_csv(out / "municipalities_agreements.csv",
              base_columns + ["policy.language_classes", "policy.consultation", "policy.residents_assembly",
                              "policy.hires_ajts", "policy.ajts", "policy.council_member", "policy.agreements[0]",
                              "policy.agreements[1]", "policy.agreements[2]"],
              [row + (boolean(pol["language_classes"][k]), boolean(pol["consultation"][k]),
                      boolean(pol["residents_assembly"][k]), boolean(pol["hires_ajts"][k]), int(pol["ajts"][k]),
                      boolean(pol["council_member"][k]), "vietnam", "indonesia", "philippines")
               for k, row in enumerate(base_rows)])

    # 3. stock_2022-12.csv
    isa_series = isa_status_series(observed)
    ssw = ssw_series(observed)
    by_pref_2019, unknown_2019, national_2019 = read_isa_2019_prefectures(raw, munis)
    ssw1_split = ssw_field_split(obs["ssw_fields"], obs["ssw"])
    shares_2022 = national_field_shares(ssw1_split)
    targets, reopening = targets_2022(national_2019, national_2021, obs, isa_series)
    scale = np.divide(targets, status_2021.sum(axis=0), out=np.zeros(len(STATUSES)), where=status_2021.sum(axis=0) > 0)
    totals_2022 = status_2021 * scale[None, :]
    mhlw_2022 = mhlw_workers_by_origin(observed, 2022)
    stock_2022, factors_2022 = build_stock(totals_2022, by_origin, targets, seed,
                                           field_shares_by_municipality(totals_2022, shares_2022, munis), munis,
                                           mhlw_2022)
    write_csv(out / "stock_2022-12.csv", ["municipality", "status", "field", "origin", "persons"],
              stock_rows(stock_2022, munis))

    # 4. stock_2019-12.csv
    totals_2019 = spread_2019(by_pref_2019, unknown_2019, status_2021, munis)
    ssw1_split_2019 = {f: n for f, n in ssw1_split.items() if f != "food_beverage_manufacturing"}
    rest_2019 = sum(ssw1_split_2019.values())
    ssw1_split_2019 = {f: n / rest_2019 * (1 - SSW1_FOOD_BEVERAGE_2019 / national_2019[STATUSES.index("SSW1")])
                       for f, n in ssw1_split_2019.items()}
    ssw1_split_2019["food_beverage_manufacturing"] = SSW1_FOOD_BEVERAGE_2019 / national_2019[STATUSES.index("SSW1")]
    mhlw_2019 = mhlw_workers_by_origin(observed, 2019)
    stock_2019, factors_2019 = build_stock(totals_2019, by_origin, national_2019, seed,
                                           field_shares_by_municipality(totals_2019,
                                                                        national_field_shares(ssw1_split_2019), munis),
                                           munis, mhlw_2019)
    write_csv(out / "stock_2019-12.csv", ["municipality", "status", "field", "origin", "persons"],
              stock_rows(stock_2019, munis))

    # 5. establishments.csv
    by_industry = read_establishments(raw)
    workers_2022 = stock_2022.sum(axis=(1, 2))                                                # (M, F)
    workers_2022[:, FIELDS.index("none")] = 0
    per_field = with_one_per_municipality(establishments_by_field(by_industry, workers_2022.sum(axis=0)), workers_2022)
    est = establishments_by_municipality(per_field, workers_2022)
    codes = munis["code"].to_numpy()
    write_csv(out / "establishments.csv", ["municipality", "field", "establishments"],
              sorted((int(codes[m]), FIELDS[f], int(est[m, f])) for m, f in zip(*np.nonzero(est))))

    # 6. origins.csv
    arrivals = read_arrivals_2019(raw)
    flows = channel_flows(stock_2019, stock_2022, isa_series, ssw)                            # (S, O)
    open_2019 = [STATUSES.index(s) for s in CHANNEL_STATUSES if s != "TES"]
    # The channels' entries fall short of the 2019 arrivals (family members joining, returning residents);
    # the channels that need a vacancy are scaled up to the arrivals as before, the direct ones keep
    # their entries: every applicant of theirs enters, so a scale-up would add entrants the data lack.
    arrivals_per_entry = arrivals / flows[open_2019].sum()
    per_entrant = np.array([1.0 if s in DIRECT_CHANNELS else APPLICANTS_PER_PLACED * arrivals_per_entry
                            for s in STATUSES])
    flows = flows * per_entrant[:, None]                  # applicants per year by channel and origin
    flow = flows[open_2019].sum(axis=0)                                                       # by origin
    applicants_per_arrival = flow.sum() / arrivals
    applicants = largest_remainder(flow, round(flow.sum()))
    origin_rows = []
    for o, origin in enumerate(ORIGINS):
        proximity, elasticity, place = ORIGIN_ASSUMPTIONS[origin]
        weights = {s: int(round(flows[STATUSES.index(s), o])) for s in CHANNEL_STATUSES}
        lat, lng = (f"{place[0]:.4f}", f"{place[1]:.4f}") if place else ("", "")
        origin_rows.append([origin, int(applicants[o]), proximity, elasticity, lat, lng]
                           + [weights[s] for s in CHANNEL_STATUSES] + sending_side(origin))
    write_csv(out / "origins.csv", ["name", "applicants_per_year", "language_proximity", "network_elasticity",
                                    "location[0]", "location[1]"] + [f"channels.{s}" for s in CHANNEL_STATUSES]
              + SENDING_SIDE_COLUMNS, origin_rows)

    # 7. rules.yaml
    pass_rates = titp_to_ssw1_pass_rates(isa_series, ssw)
    renewal = titp_renewal_share(isa_series)
    write_rules(out / "rules.yaml", pass_rates, renewal)

    # 8. initial_months_2022-12.csv, initial_months_2019-12.csv
    months_header = ["status", "from_months", "to_months", "share"]
    months_2022 = initial_months(isa_series, ssw, targets, "2022-12")
    months_2019 = initial_months(isa_series, ssw, national_2019, "2019-12")
    write_csv(out / "initial_months_2022-12.csv", months_header, initial_months_table(months_2022))
    write_csv(out / "initial_months_2019-12.csv", months_header, initial_months_table(months_2019))

    # Checks
    isa_2022 = [None] * len(STATUSES)
    isa_2022[STATUSES.index("SSW1")] = obs["ssw"] - obs["ssw2"]
    isa_2022[STATUSES.index("SSW2")] = obs["ssw2"]
    print_status_check(f"stock 2022-12 by status (target: ISA total {obs['total']:,}, SSW {obs['ssw']:,}, "
                       f"{', '.join(TREND_STATUSES)} on their 2019-2021 trend, the others 2021-12 - outflow + "
                       "entrants)", stock_2022, targets, isa_2022)
    print("  2022 of the reopening statuses (2021-12, outflow, entrants): " + "; ".join(
        f"{s} {b:,.0f} - {o:,.0f} + {e:,.0f}" for s, (b, o, e) in reopening.items()))
    print_status_check("stock 2019-12 by status (target = ISA 2019-12 総数 row)", stock_2019, national_2019,
                       list(national_2019))
    print_workers(stock_2022)
    print_origin_workers("workers by origin 2019-12", stock_2019, mhlw_2019, factors_2019)
    print_origin_workers("workers by origin 2022-12", stock_2022, mhlw_2022, factors_2022)
    ssw1 = stock_2022[:, STATUSES.index("SSW1")].sum(axis=(0, 1))
    print("SSW1 2022-12 by field: " + ", ".join(f"{FIELDS[f]} {ssw1[f]:,}" for f in np.flatnonzero(ssw1)))
    by_origin_2022 = stock_2022.sum(axis=(0, 1, 3))
    print("stock 2022-12 by origin: " + ", ".join(f"{o} {n:,}" for o, n in zip(ORIGINS, by_origin_2022)))
    print(f"establishments: {est.sum():,} (MHLW Oct 2022: {sum(by_industry.values()):,}); by field: "
          + ", ".join(f"{FIELDS[f]} {est[:, f].sum():,}" for f in np.flatnonzero(est.sum(axis=0))))
    print("policies: " + ", ".join(f"{k} {int(np.count_nonzero(v))}" for k, v in pol.items() if k != "ajts")
          + f", ajts total {int(pol['ajts'].sum())}")
    print("applicants per year: " + ", ".join(f"{o} {n:,}" for o, n in zip(ORIGINS, applicants))
          + f" (2019 arrivals {arrivals:,} x {applicants_per_arrival:.4f}: {APPLICANTS_PER_PLACED} x {arrivals_per_entry:.4f}"
          f" per entry through a vacancy, 1 through {', '.join(DIRECT_CHANNELS)})")
    print(f"TITP renewal share (2-go -> 3-go): {renewal:.4f}")
    print("TITP -> SSW1 pass rate by year: " + ", ".join(f"{y} {r:.4f}" for y, r in sorted(pass_rates.items()))
          + f"; SSW1 admitted from abroad per year (2021-06 to 2022-12): {ssw1_from_abroad_per_year(ssw):,.0f}")
    for as_of, rows in (("2022-12", months_2022), ("2019-12", months_2019)):
        print(f"initial months in status {as_of}: " + "; ".join(f"{st} [{lo},{hi}) {n:,}" for st, lo, hi, n in rows))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
