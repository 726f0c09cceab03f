"""The synthetic province's courts, staff and bar: who can hold a case.

Courts are a fixed table (浙江: one high court, 11 intermediate, 64 basic);
judges, officers and lawyers grow with scale so caseloads stay plausible.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .common import pick_in_groups

PROVINCE = "浙江"
HIGH_COURT = ("浙", "浙江省高级人民法院")

# (code, city) of the intermediate courts, and their basic courts:
# (code, name as it appears in the court's title, kind, size weight).
# kind: "district" → 杭州市上城区人民法院; "county" → 桐庐县人民法院.
CITIES = [
    ("浙01", "杭州", [("浙0102", "上城区", "district", 2.0), ("浙0105", "拱墅区", "district", 1.8),
                     ("浙0106", "西湖区", "district", 1.6), ("浙0108", "滨江区", "district", 1.2),
                     ("浙0109", "萧山区", "district", 2.2), ("浙0110", "余杭区", "district", 2.0),
                     ("浙0111", "富阳区", "district", 1.0), ("浙0113", "临平区", "district", 1.2),
                     ("浙0122", "桐庐县", "county", 0.6), ("浙0127", "淳安县", "county", 0.5),
                     ("浙0182", "建德市", "county", 0.6)]),
    ("浙02", "宁波", [("浙0203", "海曙区", "district", 1.4), ("浙0205", "江北区", "district", 0.9),
                     ("浙0206", "北仑区", "district", 1.3), ("浙0211", "镇海区", "district", 0.8),
                     ("浙0212", "鄞州区", "district", 2.0), ("浙0226", "宁海县", "county", 0.8),
                     ("浙0281", "余姚市", "county", 1.2), ("浙0282", "慈溪市", "county", 1.7)]),
    ("浙03", "温州", [("浙0302", "鹿城区", "district", 1.5), ("浙0303", "龙湾区", "district", 0.9),
                     ("浙0304", "瓯海区", "district", 1.1), ("浙0324", "永嘉县", "county", 0.9),
                     ("浙0326", "平阳县", "county", 0.9), ("浙0327", "苍南县", "county", 0.9),
                     ("浙0381", "瑞安市", "county", 1.6), ("浙0382", "乐清市", "county", 1.6)]),
    ("浙04", "嘉兴", [("浙0402", "南湖区", "district", 1.1), ("浙0411", "秀洲区", "district", 0.9),
                     ("浙0421", "嘉善县", "county", 0.8), ("浙0481", "海宁市", "county", 1.0),
                     ("浙0483", "桐乡市", "county", 1.0)]),
    ("浙05", "湖州", [("浙0502", "吴兴区", "district", 1.1), ("浙0521", "德清县", "county", 0.7),
                     ("浙0522", "长兴县", "county", 0.9), ("浙0523", "安吉县", "county", 0.7)]),
    ("浙06", "绍兴", [("浙0602", "越城区", "district", 1.1), ("浙0603", "柯桥区", "district", 1.3),
                     ("浙0604", "上虞区", "district", 1.0), ("浙0681", "诸暨市", "county", 1.4),
                     ("浙0683", "嵊州市", "county", 0.7)]),
    ("浙07", "金华", [("浙0702", "婺城区", "district", 1.0), ("浙0703", "金东区", "district", 0.7),
                     ("浙0781", "兰溪市", "county", 0.6), ("浙0782", "义乌市", "county", 2.2),
                     ("浙0783", "东阳市", "county", 1.0), ("浙0784", "永康市", "county", 1.0)]),
    ("浙08", "衢州", [("浙0802", "柯城区", "district", 0.6), ("浙0803", "衢江区", "district", 0.5),
                     ("浙0825", "龙游县", "county", 0.5), ("浙0881", "江山市", "county", 0.5)]),
    ("浙09", "舟山", [("浙0902", "定海区", "district", 0.6), ("浙0903", "普陀区", "district", 0.5),
                     ("浙0921", "岱山县", "county", 0.3)]),
    ("浙10", "台州", [("浙1002", "椒江区", "district", 1.0), ("浙1003", "黄岩区", "district", 0.9),
                     ("浙1004", "路桥区", "district", 0.9), ("浙1081", "温岭市", "county", 1.5),
                     ("浙1082", "临海市", "county", 1.1), ("浙1083", "玉环市", "county", 0.8)]),
    ("浙11", "丽水", [("浙1102", "莲都区", "district", 0.7), ("浙1121", "青田县", "county", 0.5),
                     ("浙1122", "缙云县", "county", 0.4), ("浙1181", "龙泉市", "county", 0.4)]),
]

LEVEL_BASIC, LEVEL_INTERMEDIATE, LEVEL_HIGH = 0, 1, 2

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金贾夏付方邹熊孟秦邱侯江尹薛段雷龙史陶贺毛郝顾龚邵万钱戴严孔向应楼俞")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉鹏宇浩婷雪琳晨倩颖佳俊峰斌波宁凯欣怡蕾慧琦源翔飞瑜雯锋昊晓玲燕红梅兰志海军东亮鑫婧")


def load_courts() -> pd.DataFrame:
    """One row per court: index = internal court number."""
    rows = [dict(court_id=HIGH_COURT[0], name=HIGH_COURT[1], level=LEVEL_HIGH, parent=-1, city=-1, weight=0.0)]
    for city_no, (code, city, basics) in enumerate(CITIES):
        rows.append(dict(court_id=code, name=f"{city}市中级人民法院", level=LEVEL_INTERMEDIATE,
                         parent=0, city=city_no, weight=0.0))
        parent = len(rows) - 1
        for bcode, bname, kind, weight in basics:
            name = f"{city}市{bname}人民法院" if kind == "district" else f"{bname}人民法院"
            rows.append(dict(court_id=bcode, name=name, level=LEVEL_BASIC, parent=parent,
                             city=city_no, weight=weight))
    courts = pd.DataFrame(rows)
    city_weight = courts[courts.level == LEVEL_BASIC].groupby("city")["weight"].sum()
    inter = courts.level == LEVEL_INTERMEDIATE
    courts.loc[inter, "weight"] = courts.loc[inter, "city"].map(city_weight).to_numpy()
    return courts


# Staff pools: which cases a judge can receive.
POOL_CRIMINAL, POOL_CIVIL, POOL_ENFORCEMENT, POOL_ASSISTANT = range(4)
# Caseload targets at scale 1 over the three years (defendants / cases per person);
# at scale s the staff grows with sqrt(s), so each person's load grows with sqrt(s) too.
TARGET_LOAD = {POOL_CRIMINAL: 55.0, POOL_CIVIL: 60.0, POOL_ENFORCEMENT: 55.0}


@dataclass
class Staff:
    judges: pd.DataFrame          # judge_no, court, pool, role, name, weight
    pools: dict                   # pool → (member judge numbers sorted by court, their courts, weights)

    def pick(self, rng, pool: int, courts: np.ndarray) -> np.ndarray:
        members, member_court, weight = self.pools[pool]
        return members[pick_in_groups(rng, courts, member_court, weight)]


def _names(rng, n: int) -> np.ndarray:
    sur = np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
    g1 = np.array(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), n)]
    g2 = np.array(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.7
    return np.where(two, sur + g1 + g2, sur + g1)


def build_staff(rng, courts: pd.DataFrame, loads: dict[int, np.ndarray], scale: float) -> Staff:
    """Judges per court and pool from the expected loads (arrays indexed by court)."""
    growth = math.sqrt(scale)
    counts = {}
    for pool, load in loads.items():
        n = np.round(load / (TARGET_LOAD[pool] * growth)).astype(int)
        counts[pool] = np.where(load > 0, np.maximum(n, 1), 0)
    judges_total = sum(counts.values())
    counts[POOL_ASSISTANT] = np.where(judges_total > 0, np.maximum(1, np.round(0.4 * judges_total)), 0).astype(int)
    court_col, pool_col = [], []
    for court in range(len(courts)):
        for pool in (POOL_CRIMINAL, POOL_CIVIL, POOL_ENFORCEMENT, POOL_ASSISTANT):
            k = int(counts[pool][court])
            court_col += [court] * k
            pool_col += [pool] * k
    court_col = np.array(court_col, dtype=np.int64)
    pool_col = np.array(pool_col, dtype=np.int64)
    n = len(court_col)
    role = np.where(pool_col == POOL_ENFORCEMENT, 2, np.where(pool_col == POOL_ASSISTANT, 1, 0))
    judges = pd.DataFrame(dict(
        judge_no=np.arange(n), court=court_col, pool=pool_col, role=role,
        name=_names(rng, n),
        # uneven caseloads: some judges take more cases than others
        weight=np.exp(0.35 * rng.standard_normal(n)),
        code=rng.permutation(n) + 1,
    ))
    pools = {}
    for pool in (POOL_CRIMINAL, POOL_CIVIL, POOL_ENFORCEMENT, POOL_ASSISTANT):
        sel = judges[judges.pool == pool]
        pools[pool] = (sel.judge_no.to_numpy(), sel.court.to_numpy(), sel.weight.to_numpy())
    return Staff(judges=judges, pools=pools)


@dataclass
class Bar:
    lawyer_city: np.ndarray
    lawyer_firm: np.ndarray
    lawyer_weight: np.ndarray
    n_firms: int

    def pick(self, rng, city: np.ndarray) -> np.ndarray:
        order = np.arange(len(self.lawyer_city))     # lawyers are stored sorted by city
        return order[pick_in_groups(rng, city, self.lawyer_city, self.lawyer_weight)]


def build_bar(rng, courts: pd.DataFrame, scale: float) -> Bar:
    """Lawyers and firms; each lawyer and firm belongs to one city."""
    city_w = courts[courts.level == LEVEL_BASIC].groupby("city")["weight"].sum().sort_index().to_numpy()
    n_cities = len(city_w)
    n_lawyers = max(80, int(round(700 * scale ** 0.6)))
    city = np.sort(rng.choice(n_cities, n_lawyers, p=city_w / city_w.sum()))
    # make sure every city has lawyers
    city[:n_cities] = np.arange(n_cities)
    city = np.sort(city)
    firm = np.empty(n_lawyers, dtype=np.int64)
    next_firm = 0
    for c in range(n_cities):
        idx = np.flatnonzero(city == c)
        k = max(1, int(round(len(idx) / 6)))
        firm[idx] = next_firm + rng.integers(0, k, len(idx))
        next_firm += k
    weight = np.exp(0.8 * rng.standard_normal(n_lawyers))
    return Bar(lawyer_city=city, lawyer_firm=firm, lawyer_weight=weight, n_firms=next_firm)
