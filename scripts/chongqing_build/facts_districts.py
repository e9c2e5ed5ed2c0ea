"""Public facts about Chongqing districts and demand, with their sources, and the stated rules that
turn them into district loads and customers (chongqing-facts.md, Demand and Districts)."""

from __future__ import annotations

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
