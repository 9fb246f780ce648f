"""The audit's issue rows and the wording they share.

An issue is one place where a plan contradicts itself or another plan: a row of
:data:`ISSUE_COLUMNS` whose ``kind`` is one of :data:`KIND_ORDER`. :func:`issue`
builds the row; the other functions word names, counts and measures the same way
in every issue.

May import: nothing from mineplan. Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

__all__ = [
    "ISSUE_COLUMNS",
    "KIND_ORDER",
    "amount",
    "id_list",
    "issue",
    "layer_name",
    "mineral_key",
    "printed_counts",
    "squash",
]

ISSUE_COLUMNS: tuple[str, ...] = (
    "kind",
    "region",
    "layer",
    "subject",
    "stated",
    "found",
    "difference",
    "message",
)
#: The kinds of finding, in the order they are listed.
KIND_ORDER: tuple[str, ...] = (
    "合计不符",
    "数量不符",
    "面积不符",
    "分项不符",
    "跨规划不符",
    "无法核对",
    "面积缺失",
    "栏目错位",
    "栏目缺失",
    "合并单元格",
    "编号标题",
    "名称不一",
    "重复图层",
    "范围存疑",
    "规模低于下限",
    "数据质量",
)

_WS = re.compile(r"\s+")
_COUNTED_MINERAL = re.compile(r"([^\s\d，、,；;。]+?)\s*(\d+)\s*[个处]")


def issue(kind: str, region: object, layer: object, subject: str, stated: str, found: str,
          difference: float, message: str) -> dict[str, object]:
    """One issue row (:data:`ISSUE_COLUMNS`); ``difference`` rounded to 1e-9, or NaN."""
    if not math.isnan(difference):
        difference = round(difference, 9)  # no float noise such as 0.010000000000001563
    return {"kind": kind, "region": str(region), "layer": str(layer), "subject": subject,
            "stated": stated, "found": found, "difference": difference, "message": message}


def squash(text: str) -> str:
    """``text`` without any whitespace."""
    return _WS.sub("", text)


def mineral_key(text: str) -> str:
    """A mineral name for matching: no spaces, no trailing 矿 (页岩矿 = 页岩, 铁矿 = 铁)."""
    key = squash(text)
    return key[:-1] if len(key) > 1 and key.endswith("矿") else key


def printed_counts(cell: str) -> dict[str, int]:
    """``金矿 1 个，矿泉水 4 个`` → {金: 1, 矿泉水: 4}; {} when the cell prints no counts."""
    counts: dict[str, int] = {}
    for name, number in _COUNTED_MINERAL.findall(cell):
        key = mineral_key(name)
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def layer_name(code: object, names: Mapping[str, str]) -> str:
    """The display name of a layer code (the code itself when ``names`` has none)."""
    return names.get(str(code), str(code))


def amount(value: object, measure: str) -> str:
    """A value of ``measure`` as the issues print it: ``1.5 km²``, ``3个``, ``4行``."""
    number = float(value)  # type: ignore[arg-type]
    if measure == "area_km2":
        return f"{number:.6g} km²"
    return f"{number:g}个" if measure == "blocks" else f"{number:g}行"


def id_list(ids: Sequence[str], *, limit: int = 6) -> str:
    """Zone ids joined by 、, the first ``limit`` then ``等N行`` (``limit=0``: all)."""
    if limit and len(ids) > limit:
        return "、".join(ids[:limit]) + f" 等{len(ids)}行"
    return "、".join(ids)
