"""Write the Chongqing main-grid data files (``outage_sim/data/chongqing/*.csv``).

This is the maintainers' record of how the synthetic-but-recognisable model was derived: the
public figures (with their sources, from the project's fact sheet) and the stated rules that fill
the gaps the public record leaves (impedances, 220 kV substations, customers per district). It is
run once when the model changes; the CSV files it writes are what the package ships and what a
user edits. ``tests/test_grid_data.py`` checks that running it again reproduces the files exactly,
so the rules here and the data never drift apart.

Run: ``python scripts/build_chongqing_data.py [OUT_DIR]`` (default: the package's data folder).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "outage_sim" / "data" / "chongqing"
OUTLINES = "district_outlines.geojson"  # written by scripts/build_district_outlines.py

SRC_POP = "2020 census via citypopulation.de (Chongqing admin pages)"
SRC_POP_B = "2020 census, secondary census mirror"
SRC_CENTROID = "DataV-style administrative centroid"
SRC_PEAK = "in-en.com energy news; chinatpg.com news 162583 (2025-08-05 record 30.28 GW)"
SRC_HH = "tjj.cq.gov.cn census bulletin No. 1 (2.45 persons per household)"

# --------------------------------------------------------------------------------------------
# Districts: name, English, residents, residents source, lat, lon, zone, industry factor.
# Zones drive the per-capita peak factors below; industry factor > 1 marks industrial hubs.
# --------------------------------------------------------------------------------------------
RESIDUAL_COUNTIES = 3_142_227  # five counties without a published figure (city total - 33)
RESIDUAL_WEIGHTS = {"忠县": 0.230, "云阳县": 0.296, "巫溪县": 0.124, "秀山县": 0.159, "酉阳县": 0.191}
RESIDUAL_RULE = (
    "estimate: share of the 3,142,227 residents of the five counties without a figure, split "
    "by weights 忠0.230/云阳0.296/巫溪0.124/秀山0.159/酉阳0.191 (approximate county bulletins)"
)

DISTRICTS = [
    # name, name_en, residents (None = residual share), sourced_b, lat, lon, zone, industry
    ("万州区", "Wanzhou", 1_564_449, True, 30.808, 108.380, "regional", 1.0),
    ("黔江区", "Qianjiang", 487_281, False, 29.436, 108.709, "regional", 1.0),
    ("涪陵区", "Fuling", 1_115_016, False, 29.659, 107.334, "new_urban", 1.6),
    ("渝中区", "Yuzhong", 588_717, True, 29.549, 106.540, "core", 1.0),
    ("大渡口区", "Dadukou", 421_904, False, 29.418, 106.459, "core", 1.0),
    ("江北区", "Jiangbei", 925_800, False, 29.613, 106.707, "core", 1.0),
    ("沙坪坝区", "Shapingba", 1_477_345, True, 29.624, 106.368, "core", 1.0),
    ("九龙坡区", "Jiulongpo", 1_526_821, False, 29.429, 106.364, "core", 1.0),
    ("南岸区", "Nan'an", 1_197_639, False, 29.536, 106.661, "core", 1.0),
    ("北碚区", "Beibei", 834_887, False, 29.861, 106.514, "core", 1.0),
    ("綦江区", "Qijiang (with Wansheng)", 1_011_334, True, 28.879, 106.723, "new_urban", 1.4),
    ("大足区", "Dazu", 834_592, False, 29.650, 105.743, "new_urban", 1.0),
    ("渝北区", "Yubei", 2_191_493, False, 29.810, 106.747, "core", 1.15),
    ("巴南区", "Banan", 1_178_856, False, 29.372, 106.752, "core", 1.0),
    ("长寿区", "Changshou", 692_960, False, 29.955, 107.140, "new_urban", 2.0),
    ("江津区", "Jiangjin", 1_359_611, False, 29.030, 106.263, "new_urban", 1.2),
    ("合川区", "Hechuan", 1_245_294, False, 30.112, 106.312, "new_urban", 1.0),
    ("永川区", "Yongchuan", 1_148_896, True, 29.290, 105.873, "new_urban", 1.0),
    ("南川区", "Nanchuan", 572_362, False, 29.135, 107.171, "new_urban", 1.0),
    ("璧山区", "Bishan", 756_022, False, 29.561, 106.192, "new_urban", 1.1),
    ("铜梁区", "Tongliang", 685_729, True, 29.811, 106.033, "new_urban", 1.0),
    ("潼南区", "Tongnan", 688_115, True, 30.143, 105.815, "new_urban", 1.0),
    ("荣昌区", "Rongchang", 668_977, True, 29.465, 105.507, "new_urban", 1.0),
    ("开州区", "Kaizhou", 1_203_306, False, 31.271, 108.383, "rural", 1.0),
    ("梁平区", "Liangping", 645_315, False, 30.658, 107.719, "rural", 1.0),
    ("武隆区", "Wulong", 356_748, True, 29.373, 107.710, "mountain", 1.0),
    ("城口县", "Chengkou", 197_497, False, 31.882, 108.735, "mountain", 1.0),
    ("丰都县", "Fengdu", 557_374, False, 29.885, 107.831, "rural", 1.0),
    ("垫江县", "Dianjiang", 650_694, False, 30.253, 107.438, "rural", 1.0),
    ("忠县", "Zhong County", None, False, 30.336, 107.915, "rural", 1.0),
    ("云阳县", "Yunyang", None, False, 31.036, 108.857, "rural", 1.0),
    ("奉节县", "Fengjie", 744_836, False, 30.952, 109.350, "mountain", 1.0),
    ("巫山县", "Wushan", 462_462, False, 31.115, 109.901, "mountain", 1.0),
    ("巫溪县", "Wuxi", None, False, 31.503, 109.353, "mountain", 1.0),
    ("石柱县", "Shizhu", 389_001, False, 30.094, 108.298, "mountain", 1.0),
    ("秀山县", "Xiushan", None, False, 28.492, 109.018, "mountain", 1.0),
    ("酉阳县", "Youyang", None, False, 28.900, 108.800, "mountain", 1.0),
    ("彭水县", "Pengshui", 530_599, False, 29.354, 108.266, "mountain", 1.0),
]

# Peak demand per resident by zone (kW), before the industry factor; scaled so that the
# district loads add up to SUMMER_PEAK_LOAD_MW.
ZONE_KW_PER_CAPITA = {"core": 1.25, "new_urban": 0.95, "regional": 0.75, "rural": 0.45,
                      "mountain": 0.30}
# Supply accounts per household by zone: households plus business and public accounts.
ZONE_ACCOUNTS_PER_HOUSEHOLD = {"core": 1.20, "new_urban": 1.12, "regional": 1.10, "rural": 1.06,
                               "mountain": 1.05}
PERSONS_PER_HOUSEHOLD = 2.45
# The 2025 record of 30.28 GW is dispatched generation and import; ~1.6% is taken as transmission
# losses, leaving the demand at the 220 kV substations.
SUMMER_PEAK_LOAD_MW = 29_800.0
ZONE_NAMES = {"core": "中心城区 core urban", "new_urban": "主城新区 new urban/industrial",
              "regional": "区域中心 regional centre", "rural": "渝东北/渝东南 rural",
              "mountain": "山区县 mountain county"}

# Load per substation: share of the substation's load by customer class and its place in the
# emergency load-shedding priority table (1 is cut first). Shares by zone are estimates.
LOAD_CLASSES = [
    # class, 中文, priority, share by zone (core, new_urban, regional, rural, mountain), accounts share
    ("interruptible", "高耗能可中断工业", 1, (0.06, 0.22, 0.10, 0.08, 0.06), 0.0005),
    ("industry_commerce", "一般工商业", 2, (0.40, 0.38, 0.36, 0.30, 0.28), 0.0795),
    ("residential", "居民生活", 3, (0.44, 0.32, 0.46, 0.56, 0.60), 0.9190),
    ("important", "重要电力用户", 4, (0.10, 0.08, 0.08, 0.06, 0.06), 0.0010),
]
ZONE_ORDER = ["core", "new_urban", "regional", "rural", "mountain"]
IMPORTANT_BY_DISTRICT = {
    "渝中区": ["government", "hospital", "metro_rail", "telecom"],
    "渝北区": ["airport", "metro_rail", "hospital", "water_works"],
    "江北区": ["metro_rail", "hospital", "water_works"],
    "沙坪坝区": ["metro_rail", "hospital", "telecom"],
    "九龙坡区": ["metro_rail", "hospital", "water_works"],
    "南岸区": ["metro_rail", "hospital", "telecom"],
    "大渡口区": ["chemical_steel", "metro_rail", "hospital"],
    "北碚区": ["metro_rail", "hospital", "water_works"],
    "巴南区": ["metro_rail", "hospital", "water_works"],
    "长寿区": ["chemical_steel", "hospital", "water_works"],
    "涪陵区": ["chemical_steel", "hospital", "water_works"],
    "万州区": ["hospital", "airport", "water_works", "government"],
    "黔江区": ["hospital", "airport", "water_works"],
}
IMPORTANT_DEFAULT = ["hospital", "water_works", "government", "telecom"]

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


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def read_outlines(out: Path) -> dict[str, list[list[tuple[float, float]]]]:
    """District name → its outline's rings (lon, lat) from ``district_outlines.geojson`` (the
    shipped file, or the one in ``out`` when there is one)."""
    path = out / OUTLINES if (out / OUTLINES).exists() else OUT / OUTLINES
    rings = {}
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings[f["properties"]["name"]] = [[tuple(p) for p in ring] for poly in polys for ring in poly]
    return rings


def inside(rings: list[list[tuple[float, float]]], lat: float, lon: float) -> bool:
    """Even-odd ray casting over every ring (holes included)."""
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def _load_sub_position(district: str, lat: float, lon: float, n: int, i: int, radius_km: float,
                       outlines: dict) -> tuple[float, float, float]:
    """Load substation ``i`` of ``n``: on a circle of ``radius_km`` round the centroid, the radius
    halved (up to four times) while the point falls outside the district's outline."""
    if n == 1:
        return lat, lon, 0.0
    ang = 2 * math.pi * i / n + 0.3
    r = radius_km
    for _ in range(5):
        la = lat + r / 111.0 * math.sin(ang)
        lo = lon + r / (111.0 * math.cos(math.radians(lat))) * math.cos(ang)
        if district not in outlines or inside(outlines[district], round(la, 4), round(lo, 4)):
            return la, lo, r
        r /= 2
    raise SystemExit(f"{district}: load substation {i + 1} stays outside the outline")


def _circle(radius_km: float, r_km: float) -> str:
    text = f"on a {radius_km:.0f} km circle round the centroid"
    return text if r_km == radius_km else (text + f" pulled in to {r_km:g} km to stay inside the "
                                           "district (fed as from its place on the full circle)")


def _write(out: Path, name: str, header: list[str], rows: list[list]) -> None:
    path = out / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([f"{v:.6g}" if isinstance(v, float) else v for v in row])


def build(out: Path = OUT) -> None:
    """Derive and write every data file into ``out``."""
    out.mkdir(parents=True, exist_ok=True)

    # ---- districts -------------------------------------------------------------------------
    residents, src_res = {}, {}
    for name, _, res, mirror, *_ in DISTRICTS:
        if res is None:
            residents[name] = round(RESIDUAL_COUNTIES * RESIDUAL_WEIGHTS[name])
            src_res[name] = RESIDUAL_RULE
        else:
            residents[name] = res
            src_res[name] = SRC_POP_B if mirror else SRC_POP
    raw = {d[0]: residents[d[0]] / 1000 * ZONE_KW_PER_CAPITA[d[6]] * d[7] for d in DISTRICTS}
    scale = SUMMER_PEAK_LOAD_MW / sum(raw.values())
    peak = {k: round(v * scale, 1) for k, v in raw.items()}
    customers = {d[0]: round(residents[d[0]] / PERSONS_PER_HOUSEHOLD * ZONE_ACCOUNTS_PER_HOUSEHOLD[d[6]])
                 for d in DISTRICTS}
    load_rule = (f"estimate: residents × {{core 1.25, new_urban 0.95, regional 0.75, rural 0.45, "
                 f"mountain 0.30}} kW × industry factor, scaled by {scale:.4f} to {SUMMER_PEAK_LOAD_MW:.0f} MW "
                 "(2025 record 30.28 GW less 1.6% losses)")
    cust_rule = ("estimate: residents / 2.45 persons per household (" + SRC_HH + ") × accounts per "
                 "household {core 1.20, new_urban 1.12, regional 1.10, rural 1.06, mountain 1.05}")
    rows = []
    for name, en, _, _, lat, lon, zone, ind in DISTRICTS:
        rows.append([name, en, zone, ZONE_NAMES[zone], residents[name], lat, lon, ind, peak[name],
                     customers[name], zone == "core", src_res[name] + "; centroid: " + SRC_CENTROID,
                     load_rule, cust_rule])
    _write(out, "districts.csv", ["name", "name_en", "zone", "zone_desc", "residents", "lat", "lon",
                             "industry_factor", "peak_load_mw", "customers", "key_area_default",
                             "source", "load_source", "customers_source"], rows)

    # ---- substations -----------------------------------------------------------------------
    subs = []  # name, kind, district, vn_kv, lat, lon, parent station, source
    for name, kind, district, lat, lon, src in STATIONS:
        if kind in ("ac500", "dc_converter", "ext500"):
            subs.append([f"{name} 500kV", kind, district, 500, lat, lon, name, src])
        if kind in ("ac1000", "ext1000"):
            subs.append([f"{name} 1000kV", kind, district, 1000, lat, lon, name, src])
        if kind == "ac500":
            subs.append([f"{name} 220kV", "ac500_220side", district, 220, lat, lon, name, src])
    ac500 = [s for s in STATIONS if s[1] == "ac500"]
    outlines = read_outlines(out)
    load_subs = {}  # district -> list of (sub name, lat, lon, parent)
    for name, _, _, _, lat, lon, zone, _ in DISTRICTS:
        n = max(1, math.ceil(peak[name] / 500.0))
        radius_km = 5.0 if zone == "core" else 10.0
        short = name[:-1] if len(name) > 2 else name
        for i in range(n):
            la, lo, r_km = _load_sub_position(name, lat, lon, n, i, radius_km, outlines)
            # fed from the 500 kV station nearest its place on the full circle (before any pull-in)
            la0, lo0, _ = _load_sub_position(name, lat, lon, n, i, radius_km, {})
            parent = min(ac500, key=lambda s: haversine_km(la0, lo0, s[3], s[4]))[0]
            sub = f"{short}{i + 1}号 220kV"
            load_subs.setdefault(name, []).append((sub, la, lo, parent))
            subs.append([sub, "load220", name, 220, round(la, 4), round(lo, 4), parent,
                         f"estimate: {n} load substation(s) for {peak[name]:.0f} MW (one per 500 MW), "
                         f"{'at the centroid' if n == 1 else _circle(radius_km, r_km)}; "
                         f"fed from the nearest 500 kV station"])
    _write(out, "substations.csv", ["name", "kind", "district", "vn_kv", "lat", "lon", "station", "source"],
           subs)
    sub_pos = {s[0]: (s[4], s[5]) for s in subs}

    # ---- lines -----------------------------------------------------------------------------
    types = {t[0]: t for t in LINE_TYPES}
    lines = []

    def add_line(a_bus: str, b_bus: str, label: str, kv: int, circuits: int, ltype: str,
                 route: float, src: str) -> None:
        (la, lo), (lb, lob) = sub_pos[a_bus], sub_pos[b_bus]
        km = round(haversine_km(la, lo, lb, lob) * route, 1)
        for c in range(circuits):
            lines.append([f"{label} {kv}kV #{c + 1}", a_bus, b_bus, ltype, km, route,
                          src + f"; length = haversine × {route}"])

    for a, b, n, lt, route, src in CORRIDORS:
        kv = types[lt][1]
        add_line(f"{a} {kv}kV", f"{b} {kv}kV", f"{a}-{b}", kv, n, lt, route, src)
    # 220 kV: each load substation double-circuit to its 500 kV station; within a station's
    # supply area (分区运行) each substation also to its nearest neighbour, single circuit.
    by_parent: dict[str, list[tuple[str, float, float]]] = {}
    for d, lst in load_subs.items():
        for sub, la, lo, parent in lst:
            by_parent.setdefault(parent, []).append((sub, la, lo))
    for parent in sorted(by_parent):
        group = by_parent[parent]
        for sub, la, lo in group:
            add_line(sub, f"{parent} 220kV", f"{sub.split(' ')[0]}-{parent}", 220, 2,
                     "220_2xLGJ400", 1.3, "estimate: 220 kV double circuit to the 500 kV station")
        done = set()
        for sub, la, lo in group:
            others = [g for g in group if g[0] != sub]
            if not others:
                continue
            nb = min(others, key=lambda g: haversine_km(la, lo, g[1], g[2]))[0]
            key = tuple(sorted((sub, nb)))
            if key in done:
                continue
            done.add(key)
            add_line(key[0], key[1], f"{key[0].split(' ')[0]}-{key[1].split(' ')[0]}", 220, 1,
                     "220_2xLGJ400", 1.3, "estimate: 220 kV tie to the nearest substation in the same supply area")
    _write(out, "lines.csv", ["name", "from_bus", "to_bus", "std_type", "length_km", "route_factor", "source"],
           lines)
    _write(out, "line_types.csv", ["name", "vn_kv", "r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km",
                              "max_i_ka", "conductor", "source"], [list(t) for t in LINE_TYPES])

    # ---- transformers ----------------------------------------------------------------------
    trafos = []
    served = {p: sum(peak[d] / len(load_subs[d]) for d, lst in load_subs.items() for s in lst if s[3] == p)
              for p in by_parent}
    for name, kind, *_ in STATIONS:
        if kind == "ac500":
            load = served.get(name, 0.0)
            unit = 1000 if load < 2500 else 1200
            n = max(2, math.ceil(load / unit) + 1)  # N-1: the others carry the peak
            if name == "海棠":
                n, unit = 2, 1000
            src = ("海棠 2×1000 MVA (2023), chongqing-facts.md" if name == "海棠" else
                   f"estimate: N-1 sizing, {n}×{unit} MVA for {load:.0f} MW served at peak; "
                   "vk 14%, typical 500/220 kV autotransformer")
            for i in range(n):
                trafos.append([f"{name} 500/220kV #{i + 1}", f"{name} 500kV", f"{name} 220kV",
                               unit, 525, 230, 14.0, 0.18, 120.0, 0.04, src])
        if kind == "ac1000":
            for i in range(2):
                trafos.append([f"铜梁 1000/500kV #{i + 1}", "铜梁特高压 1000kV", "铜梁 500kV",
                               3000, 1050, 525, 18.0, 0.10, 200.0, 0.03,
                               "estimate: 2×3000 MVA 1000/500 kV, typical for Chinese UHV AC substations"])
    _write(out, "transformers.csv", ["name", "hv_bus", "lv_bus", "sn_mva", "vn_hv_kv", "vn_lv_kv",
                                "vk_percent", "vkr_percent", "pfe_kw", "i0_percent", "source"], trafos)

    # ---- units and aggregated generation ---------------------------------------------------
    units = []
    for plant, district, station, kv, gtype, sizes, bs, pmin, src in PLANTS:
        if station.startswith("@"):
            bus = load_subs[station[1:]][0][0]
        else:
            bus = f"{station} {kv}kV"
        for i, mw in enumerate(sizes):
            # unit numbers continue across the 220 kV and 500 kV halves of one plant
            k = sum(1 for u in units if u[1] == plant) + 1
            units.append([f"{plant} #{k}", plant, district, bus, gtype, float(mw), round(mw * pmin, 1),
                          bs, src])
    _write(out, "units.csv", ["name", "plant", "district", "bus", "type", "p_max_mw", "p_min_mw",
                         "black_start", "source"], units)
    big_hydro = sum(u[5] for u in units if u[4] == "hydro")
    agg = []

    def spread(total: float, counties: list[str], gtype: str, rule: str) -> None:
        weights = {c: residents[c] for c in counties}
        wsum = sum(weights.values())
        for c in counties:
            agg.append([f"{c[:-1] if len(c) > 2 else c} {gtype}(合计)", c, load_subs[c][0][0], gtype,
                        round(total * weights[c] / wsum, 1), SRC_TOTALS + "; " + rule])

    spread(HYDRO_TOTAL_MW - big_hydro, SMALL_HYDRO_COUNTIES, "small_hydro",
           "estimate: hydro total less the listed plants, spread over mountain counties by residents")
    spread(WIND_TOTAL_MW, WIND_COUNTIES, "wind", "estimate: spread over upland counties by residents")
    spread(SOLAR_TOTAL_MW, SOLAR_COUNTIES, "solar", "estimate: spread over hill counties by residents")
    _write(out, "renewables.csv", ["name", "district", "bus", "type", "p_max_mw", "source"], agg)

    # ---- interties and load levels ---------------------------------------------------------
    it_rows = []
    for name, kind, station, cap, su, wi, va, src in INTERTIES:
        kv = 1000 if kind == "ac_uhv" else 500
        it_rows.append([name, kind, f"{station} {kv}kV", float(cap), float(su), float(wi), float(va), src])
    _write(out, "interties.csv", ["name", "kind", "bus", "capacity_mw", "summer_peak_mw", "winter_peak_mw",
                             "valley_mw", "source"], it_rows)
    lv_rows = []
    for level, zh, factors, hyd, wind, solar, src in LEVELS:
        lv_rows.append([level, zh, *factors, hyd, wind, solar, LOSS_FACTOR, src])
    _write(out, "load_levels.csv", ["level", "name_zh", *[f"factor_{z}" for z in ZONE_ORDER],
                               "hydro_availability", "wind_availability", "solar_availability",
                               "loss_factor", "source"], lv_rows)

    # ---- loads -----------------------------------------------------------------------------
    loads = []
    for name, _, _, _, _, _, zone, _ in DISTRICTS:
        zi = ZONE_ORDER.index(zone)
        lst = load_subs[name]
        cats = IMPORTANT_BY_DISTRICT.get(name, IMPORTANT_DEFAULT)
        per_sub_mw = peak[name] / len(lst)
        # customers split evenly across substations (the last takes the remainder); within a
        # substation the residential class takes whatever the other classes' account shares leave
        for si, (sub, *_r) in enumerate(lst):
            sub_cust = customers[name] // len(lst)
            if si == len(lst) - 1:
                sub_cust = customers[name] - sub_cust * (len(lst) - 1)
            other = {c[0]: round(sub_cust * c[4]) for c in LOAD_CLASSES if c[0] != "residential"}
            for cls, zh, prio, shares, _acc in LOAD_CLASSES:
                mw = round(per_sub_mw * shares[zi], 2)
                n_cust = other.get(cls, sub_cust - sum(other.values()))
                important = cats[si % len(cats)] if cls == "important" else ""
                loads.append([f"{sub.split(' ')[0]} {zh}", sub, name, cls, prio, important, mw, n_cust,
                              "estimate: substation load × class share by zone; customers × account share by class"])
    _write(out, "loads.csv", ["name", "bus", "district", "load_class", "shed_priority", "important_user",
                         "peak_p_mw", "customers", "source"], loads)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    build(target)
    sys.stdout.write(f"wrote data files to {target.name}/\n")
