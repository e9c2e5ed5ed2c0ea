"""The 500 kV and UHV backbone, plants, interties and load levels: public facts with their sources
and the estimates that fill the gaps (chongqing-facts.md, 500 kV backbone and Plants)."""

from __future__ import annotations

from .facts_districts import SRC_PEAK

# --------------------------------------------------------------------------------------------
# 500 kV stations, converter and UHV; externals (outside Chongqing) carry district "".
# --------------------------------------------------------------------------------------------
S_NAMED = "station named in public sources (chongqing-facts.md, 500 kV backbone)"
S_WEAK = "station named in weak public sources (chongqing-facts.md); location estimated from its name"
S_EST = "estimate: station added to connect a district/plant; location at the district's grid centre"
S_MOVED = "; moved ≥ 2 km inside its district's outline (district_outlines.geojson)"
STATIONS = [
    # name, kind, district, lat, lon, source
    ("陈家桥", "ac500", "沙坪坝区", 29.625, 106.310, S_WEAK),
    ("石坪", "ac500", "北碚区", 29.790, 106.450, S_WEAK),
    ("金山", "ac500", "渝北区", 29.700, 106.630, S_NAMED + "; serves 渝北/两江"),
    ("玉屏", "ac500", "南岸区", 29.550, 106.720, S_WEAK),
    ("巴南", "ac500", "巴南区", 29.380, 106.650, S_WEAK),
    ("如意", "ac500", "九龙坡区", 29.360, 106.300, S_WEAK + S_MOVED),
    ("隆盛", "ac500", "綦江区", 28.950, 106.680, S_WEAK),
    ("五马", "ac500", "南川区", 29.250, 107.050, S_NAMED + "; location estimated"),
    ("长寿", "ac500", "长寿区", 29.920, 107.050, S_NAMED),
    ("明月山", "ac500", "长寿区", 30.080, 107.200, S_NAMED + "; placed so 明月山-金山 is 86 km"),
    ("涪陵", "ac500", "涪陵区", 29.700, 107.350, S_EST),
    ("板桥", "ac500", "永川区", 29.380, 105.930, S_NAMED + "; Sichuan tie 洪沟-板桥"),
    ("圣泉", "ac500", "永川区", 29.300, 105.800, S_NAMED),
    ("海棠", "ac500", "永川区", 29.500, 106.020, S_NAMED + "; 永川 临江镇, 2x1000 MVA (2023)"),
    ("思源", "ac500", "大足区", 29.720, 105.680, S_NAMED + "; 资阳-思源 Sichuan channel; location estimated"),
    ("铜梁", "ac500", "铜梁区", 29.930, 106.020, "500 kV side of the 铜梁 1000 kV station (铜梁 少云镇)"),
    ("合川", "ac500", "合川区", 30.150, 106.450, S_EST + " (双槐 plant)"),
    ("珞璜", "ac500", "江津区", 29.320, 106.400, S_EST + " (华能珞璜 plant)"),
    ("万县", "ac500", "万州区", 30.780, 108.350, S_NAMED + "; Sichuan tie 黄岩-万县"),
    ("九盘", "ac500", "奉节县", 30.920, 109.180,
     S_NAMED + "; 九盘-宜昌龙泉 channel; location estimated" + S_MOVED),
    ("张家坝", "ac500", "石柱县", 30.050, 108.100, S_NAMED + "; 张长 line, 张家坝-恩施 channel; location estimated"),
    ("开州", "ac500", "开州区", 31.200, 108.400, S_EST + " (白鹤 plant, north-east radial)"),
    ("彭水", "ac500", "彭水县", 29.300, 108.170, "彭水 hydro 5x350 MW at 500 kV (industcards)"),
    ("黔江", "ac500", "黔江区", 29.500, 108.770, S_EST + " (south-east radial)"),
    ("渝北换流站", "dc_converter", "渝北区", 29.980, 106.800,
     "哈密-重庆 ±800 kV DC receiving converter, 渝北区 大湾镇, energised 2025-06-10"),
    ("铜梁特高压", "ac1000", "铜梁区", 29.930, 106.025,
     "铜梁 1000 kV AC substation (Sichuan-Chongqing UHV AC, in service 2024-12-27)"),
    # Far ends of the interties (outside Chongqing): equivalents carrying the scheduled transfer.
    ("天府南", "ext1000", "", 30.350, 104.050, "天府南 1000 kV (Sichuan), Sichuan-Chongqing UHV AC project"),
    ("洪沟", "ext500", "", 29.350, 104.780, "Sichuan end of the 洪沟-板桥 double circuit"),
    ("黄岩", "ext500", "", 31.200, 107.500, "Sichuan end of the 黄岩-万县 double circuit"),
    ("资阳", "ext500", "", 30.120, 104.630, "Sichuan end of the 资阳-思源 channel"),
    ("恩施换流站", "ext500", "", 30.270, 109.480, "渝鄂 back-to-back VSC, 恩施 converter (Hubei)"),
    ("龙泉换流站", "ext500", "", 30.700, 111.300, "渝鄂 back-to-back VSC, 宜昌龙泉 converter (Hubei)"),
]

# 500 kV and 1000 kV corridors: a, b, circuits, conductor, route factor, source.
L_NAMED = "line named in public sources (chongqing-facts.md)"
L_RING = "estimate: corridor of the 500 kV double ring (日/目-shaped, 双环两射 layout)"
L_RADIAL = "estimate: radial branch of the 500 kV grid"
CORRIDORS = [
    # inner (metro) ring
    ("陈家桥", "石坪", 2, "500_4xLGJ630", 1.25, L_RING),
    ("石坪", "金山", 2, "500_4xLGJ630", 1.25, L_RING),
    ("金山", "玉屏", 2, "500_4xLGJ630", 1.25, L_RING),
    ("玉屏", "巴南", 2, "500_4xLGJ630", 1.25, L_RING),
    ("巴南", "如意", 2, "500_4xLGJ630", 1.25, L_RING),
    ("如意", "陈家桥", 2, "500_4xLGJ630", 1.25, L_RING),
    # outer ring
    ("铜梁", "合川", 2, "500_4xLGJ400", 1.25, L_RING),
    ("合川", "明月山", 2, "500_4xLGJ400", 1.25, L_RING),
    ("明月山", "长寿", 2, "500_4xLGJ400", 1.25, L_RING),
    ("长寿", "涪陵", 2, "500_4xLGJ400", 1.25, L_RING),
    ("涪陵", "五马", 2, "500_4xLGJ400", 1.25, L_RING),
    ("五马", "隆盛", 2, "500_4xLGJ400", 1.25, L_RING),
    ("隆盛", "珞璜", 2, "500_4xLGJ400", 1.25, L_RING),
    ("珞璜", "圣泉", 2, "500_4xLGJ400", 1.25, L_RING),
    ("圣泉", "板桥", 2, "500_4xLGJ400", 1.25, L_RING),
    ("板桥", "铜梁", 2, "500_4xLGJ630", 1.25, L_NAMED + " (铜板线)"),
    ("铜梁", "圣泉", 2, "500_4xLGJ630", 1.25, L_NAMED + " (铜圣线)"),
    ("板桥", "海棠", 2, "500_4xLGJ400", 1.25, L_RING),
    ("思源", "板桥", 2, "500_4xLGJ400", 1.25, L_RING),
    ("思源", "铜梁", 2, "500_4xLGJ400", 1.25, L_RING),
    # ties between the rings
    ("海棠", "陈家桥", 2, "500_4xLGJ400", 1.25, L_RING),
    ("铜梁", "陈家桥", 2, "500_4xLGJ630", 1.25, L_RING),
    ("石坪", "合川", 2, "500_4xLGJ400", 1.25, L_RING),
    ("金山", "明月山", 2, "500_4xLGJ630", 1.25, L_NAMED + " (明月山-金山 86.2 km)"),
    ("金山", "长寿", 2, "500_4xLGJ400", 1.25, L_RING),
    ("巴南", "五马", 2, "500_4xLGJ400", 1.25, L_RING),
    ("如意", "珞璜", 2, "500_4xLGJ400", 1.25, L_RING),
    ("渝北换流站", "金山", 2, "500_4xLGJ630", 1.2, "estimate: DC converter outlet lines"),
    ("渝北换流站", "明月山", 2, "500_4xLGJ630", 1.2, "estimate: DC converter outlet lines"),
    # east radial (to 万州 and Hubei) and north-east
    ("明月山", "万县", 2, "500_4xLGJ400", 1.3, L_RADIAL),
    ("长寿", "张家坝", 2, "500_4xLGJ400", 1.3, L_NAMED + " (张长线, ice-damaged 2008)"),
    ("张家坝", "万县", 1, "500_4xLGJ400", 1.3, L_RADIAL),
    ("万县", "九盘", 2, "500_4xLGJ400", 1.3, L_RADIAL),
    ("万县", "开州", 2, "500_4xLGJ400", 1.3, L_RADIAL),
    # south-east radial
    ("涪陵", "彭水", 2, "500_4xLGJ400", 1.3, L_RADIAL),
    ("彭水", "黔江", 2, "500_4xLGJ400", 1.3, L_RADIAL),
    # UHV and the interties
    ("铜梁特高压", "天府南", 2, "1000_8xLGJ630", 1.15,
     "Sichuan-Chongqing UHV AC (铜梁-天府南), chongqing-facts.md"),
    ("板桥", "洪沟", 2, "500_4xLGJ400", 1.2, "Sichuan tie 洪沟-板桥 double circuit, chongqing-facts.md"),
    ("万县", "黄岩", 2, "500_4xLGJ400", 1.2, "Sichuan tie 黄岩-万县 double circuit, chongqing-facts.md"),
    ("思源", "资阳", 2, "500_4xLGJ400", 1.2, "资阳-思源 Sichuan channel, chongqing-facts.md"),
    ("张家坝", "恩施换流站", 2, "500_4xLGJ400", 1.2, "张家坝-恩施 Chongqing-Hubei channel, chongqing-facts.md"),
    ("九盘", "龙泉换流站", 2, "500_4xLGJ400", 1.2, "九盘-宜昌龙泉 channel, chongqing-facts.md"),
]

LINE_TYPES = [
    # name, vn_kv, r_ohm_per_km, x_ohm_per_km, c_nf_per_km, max_i_ka, conductor, source
    ("1000_8xLGJ630", 1000, 0.0059, 0.257, 14.1, 6.0, "8×JL/G1A-630/45",
     "estimate: standard per-km values for an 8-bundle 630 mm² UHV line; rating limited by 6.3 kA terminal equipment"),
    ("500_4xLGJ630", 500, 0.0118, 0.267, 13.6, 4.0, "4×JL/G1A-630/45",
     "estimate: standard per-km values (电力工程电气设计手册) for a 4-bundle 630 mm² line; 4×1,000 A at 70 °C"),
    ("500_4xLGJ400", 500, 0.0197, 0.280, 12.9, 3.0, "4×LGJ-400/35",
     "estimate: standard per-km values (电力工程电气设计手册) for a 4-bundle 400 mm² line; 4×750 A at 70 °C"),
    ("220_2xLGJ400", 220, 0.0394, 0.300, 12.0, 1.5, "2×LGJ-400/35",
     "estimate: standard per-km values (电力工程电气设计手册) for a twin-bundle 400 mm² line; 2×750 A at 70 °C"),
]

# --------------------------------------------------------------------------------------------
# Plants as units. Coal, gas and large hydro are units (a unit trip is a fault); small hydro,
# wind and solar are aggregated static generators per county.
# --------------------------------------------------------------------------------------------
P_EST = "estimate: remaining coal capacity of the PyPSA-China-PIK total (15,450 MW) placed at an industrial hub"
PLANTS = [
    # plant, district, station, kV, type, [unit MW], black_start, pmin share, source
    ("华能珞璜", "江津区", "珞璜", 220, "coal", [360, 360, 360, 360], False, 0.45, "sourcewatch (4×360 + 2×600)"),
    ("华能珞璜", "江津区", "珞璜", 500, "coal", [600, 600], False, 0.40, "sourcewatch (4×360 + 2×600)"),
    ("合川双槐", "合川区", "合川", 220, "coal", [300, 300], False, 0.45, "gem.wiki (2×300 + 2×660)"),
    ("合川双槐", "合川区", "合川", 500, "coal", [660, 660], False, 0.40, "gem.wiki (2×300 + 2×660)"),
    ("安稳", "綦江区", "隆盛", 500, "coal", [660, 660], False, 0.40, "gem.wiki (松藻 安稳 2×660)"),
    ("神华万盛", "綦江区", "隆盛", 500, "coal", [660, 660], False, 0.40, "gem.wiki (2×660; status after 2020 unclear)"),
    ("白鹤", "开州区", "开州", 220, "coal", [300, 300], False, 0.45, "gem.wiki (600 MW; split into 2×300 as an estimate)"),
    ("大唐石柱", "石柱县", "张家坝", 220, "coal", [350, 350], False, 0.45, "industrialinfo (2×350, two 220 kV circuits)"),
    ("水江", "南川区", "五马", 220, "coal", [350], False, 0.50, "gem.wiki (coal CHP 350 MW)"),
    ("神华万州", "万州区", "万县", 500, "coal", [1050, 1050], False, 0.40,
     "estimate: plant named in chongqing-facts.md without figures; 2×1050 MW assumed"),
    ("恒泰", "綦江区", "隆盛", 220, "coal", [300, 300], False, 0.45,
     "estimate: plant named in chongqing-facts.md without figures; 2×300 MW assumed"),
    ("涪陵煤电(合计)", "涪陵区", "涪陵", 500, "coal", [660, 660], False, 0.40, P_EST),
    ("长寿煤电(合计)", "长寿区", "长寿", 220, "coal", [300, 300, 300], False, 0.45, P_EST),
    ("永川煤电(合计)", "永川区", "圣泉", 500, "coal", [660, 660], False, 0.40, P_EST),
    ("两江燃机(合计)", "渝北区", "金山", 220, "gas", [470, 470], False, 0.30,
     "estimate: PyPSA-China-PIK gas total 940 MW as two units at 两江"),
    ("彭水", "彭水县", "彭水", 500, "hydro", [350] * 5, True, 0.10, "industcards (5×350 MW, 500 kV)"),
    ("江口", "武隆区", "@武隆区", 220, "hydro", [100] * 3, True, 0.10, "industcards (3×100 MW)"),
    ("酉水", "酉阳县", "@酉阳县", 220, "hydro", [60, 60], True, 0.10, "industcards (2×60 MW)"),
    ("银盘", "武隆区", "@武隆区", 220, "hydro", [150] * 4, True, 0.10,
     "estimate: plant named in chongqing-facts.md without figures; 4×150 MW assumed"),
    ("草街", "合川区", "合川", 220, "hydro", [125] * 4, True, 0.10,
     "estimate: plant named in chongqing-facts.md without figures; 4×125 MW assumed"),
]
HYDRO_TOTAL_MW, WIND_TOTAL_MW, SOLAR_TOTAL_MW = 7_790.0, 970.0, 670.0
SRC_TOTALS = "PyPSA-China-PIK existing_infrastructure totals ≈2020 (hydro 7,790; wind 970; solar 670 MW)"
SMALL_HYDRO_COUNTIES = ["城口县", "巫溪县", "巫山县", "奉节县", "云阳县", "开州区", "石柱县", "酉阳县",
                        "秀山县", "黔江区", "彭水县", "武隆区", "南川区", "綦江区", "江津区", "万州区"]
WIND_COUNTIES = ["武隆区", "石柱县", "丰都县", "巫溪县", "奉节县", "南川区", "涪陵区", "黔江区"]
SOLAR_COUNTIES = ["梁平区", "垫江县", "荣昌区", "潼南区", "大足区", "合川区", "忠县", "丰都县"]

# Interties: the scheduled import at each load level (MW into Chongqing); estimates that add up to
# about one third of the summer peak, as on record (≈10 GW of 30.28 GW).
SRC_IMPORT = "estimate: share of the ≈10 GW recorded import at the 2025 peak (in-en.com; chinatpg.com 162583)"
INTERTIES = [
    # name, kind, bus station, capacity MW, summer, winter, valley, source
    ("哈密-重庆 ±800kV DC", "dc_infeed", "渝北换流站", 8000, 5000, 4000, 4000,
     "哈密-重庆 ±800 kV DC, 8 GW, energised 2025-06-10; schedule " + SRC_IMPORT),
    ("川渝特高压 天府南-铜梁", "ac_uhv", "天府南", 8000, 2600, 2000, 2200,
     "Sichuan-Chongqing UHV AC (+8 GW Sichuan→Chongqing); schedule " + SRC_IMPORT),
    ("川渝 洪沟-板桥", "ac_tie", "洪沟", 2500, 700, 500, 600, "Sichuan AC tie; schedule " + SRC_IMPORT),
    ("川渝 黄岩-万县", "ac_tie", "黄岩", 2500, 500, 400, 500, "Sichuan AC tie; schedule " + SRC_IMPORT),
    ("川渝 资阳-思源", "ac_tie", "资阳", 2000, 400, 300, 400, "Sichuan AC tie; schedule " + SRC_IMPORT),
    ("渝鄂背靠背 恩施", "vsc_b2b", "恩施换流站", 2500, 400, 300, 0,
     "渝鄂 back-to-back VSC (±420 kV, 5 GW; 恩施 half); schedule " + SRC_IMPORT),
    ("渝鄂背靠背 龙泉", "vsc_b2b", "龙泉换流站", 2500, 400, 300, 0,
     "渝鄂 back-to-back VSC (±420 kV, 5 GW; 龙泉 half); schedule " + SRC_IMPORT),
]

# How each kind of intertie answers a loss of supply in Chongqing (the engine reads ``control``):
# ``synchronous`` AC ties carry the synchronous area's frequency response at once and, minutes
# later, emergency support (事故支援) up to their rating; ``emergency_support`` converters raise
# their transfer within about a second (VSC power modulation, 紧急功率支援) up to their rating;
# ``fixed`` infeeds hold their schedule and can only run back.
TIE_CONTROL = {
    "ac_uhv": ("synchronous", "Chongqing and Sichuan are one synchronous AC system (the Southwest "
               "grid, asynchronous to Central China since the 渝鄂 back-to-back link of 2019): the "
               "tie carries the area's frequency response and emergency support up to its rating"),
    "ac_tie": ("synchronous", "one synchronous system with Sichuan (see the UHV tie): frequency "
               "response and emergency support up to the tie's rating"),
    "vsc_b2b": ("emergency_support", "estimate: VSC power modulation (直流紧急功率支援) raises the "
                "transfer from Central China within about a second, up to the converter rating"),
    "dc_infeed": ("fixed", "estimate: the LCC infeed holds its schedule and runs back only on "
                  "command; no raise assumed (its sending end, 哈密, is in the asynchronous "
                  "Northwest grid and a raise needs inter-regional dispatch)"),
}

# Load levels: demand factor by zone and availability by generation type (share of capacity).
LEVELS = [
    # level, 中文, factors by zone (core, new_urban, regional, rural, mountain), hydro, wind, solar, source
    ("summer_peak", "夏季高峰", (1.00, 1.00, 1.00, 1.00, 1.00), 0.75, 0.15, 0.30,
     "2025-08-05 record 30.28 GW dispatched (" + SRC_PEAK + "); wet-season hydro"),
    ("winter_peak", "冬季高峰", (0.80, 0.86, 0.84, 0.86, 0.88), 0.35, 0.25, 0.0,
     "estimate: evening winter peak ≈ 0.8–0.88 of summer by zone (less air conditioning, electric heating in the mountains); dry-season hydro, no sun"),
    ("valley", "夜间低谷", (0.52, 0.66, 0.55, 0.50, 0.50), 0.50, 0.20, 0.0,
     "estimate: summer night valley ≈ 0.5–0.66 of peak by zone (industry runs through the night)"),
]
# Dispatch target: generation = load × (1 + LOSS_FACTOR), the model's own 1000/500/220 kV losses at
# peak (≈0.7% in its AC power flow); the AGC units take up the difference.
LOSS_FACTOR = 0.008
# Voltage set point of the 500 kV units by level (220 kV units and interties 0.01 pu lower):
# 逆调压, the pilot-bus voltage held higher at the peak and lower in the valley, when the long
# 220 kV lines of the mountain counties are lightly loaded and their charging lifts the voltage.
UNIT_VM_PU = {"summer_peak": 1.03, "winter_peak": 1.03, "valley": 1.02}
VM_RULE = ("; unit voltage set point: estimate, 逆调压 (higher at the peak, lower in the valley; "
           "Chinese dispatch practice for pilot-bus voltages)")
