"""The dataset's tables: for each, its columns (type, Chinese title, description, unit), primary
key and whether it is large (partitioned by year in Parquet). One place that the DuckDB build,
the exports and datapackage.json read, so the three never disagree.

Types are Table Schema types: string, integer, number, boolean.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Col:
    name: str
    type: str
    title: str                 # Chinese header (Excel sheets, datapackage title)
    description: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Col, ...]
    primary_key: tuple[str, ...] = ()
    partitioned: bool = False          # parquet/<name>.parquet/year=YYYY/…
    foreign_keys: tuple[tuple[str, str, str], ...] = ()   # (column, table, column)
    order_by: str = ""
    extras_from: str = ""              # staging table whose extra columns are carried (cells.csv additions)

    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def C(name, type_, title, description="", unit=""):
    return Col(name, type_, title, description, unit)


AGENCY = C("agency_id", "string", "机构编号", "one id per body across years and files (region code + hash of the body)")
YEAR = C("year", "integer", "年度", "the year the report covers")
REPORT = C("report_id", "string", "报告编号", "first 16 hex digits of the SHA-256 of the file's bytes")

AGENCIES = Table(
    "agencies", "机构", "one row per body: identity, names as printed, region and kind",
    (AGENCY,
     C("canonical_name", "string", "规范名称", "the fullest normalized name printed by the body"),
     C("names_by_year", "string", "各年度印刷名称", "'YEAR name; name | YEAR name' as printed in the reports"),
     C("region_code", "string", "行政区划代码", "GB/T 2260 code of the division named (6 digits); empty when unknown"),
     C("region_name", "string", "行政区划名称", "full name of the division, province down"),
     C("level", "string", "层级", "province / prefecture / county / township / national; empty when unknown"),
     C("kind", "string", "机构类型", "government / general_office (its 办公室/办公厅) / department / other"),
     C("region_reason", "string", "区划说明", "why the region is empty, or how it was found"),
     C("first_year", "integer", "首个年度"), C("last_year", "integer", "最后年度"),
     C("reports", "integer", "报告数", "input files of this body")),
    primary_key=("agency_id",), order_by="agency_id")

AGENCY_NAMES = Table(
    "agency_names", "机构名称", "every (printed name, year) and the agency it was grouped into",
    (AGENCY, YEAR,
     C("name_printed", "string", "印刷名称"), C("name_normalized", "string", "规范化名称"),
     C("body", "string", "机构主体", "the name after its region prefix, canonical spelling"),
     C("group_key", "string", "分组键", "region code | body"),
     C("reports", "integer", "报告数"),
     C("decision", "string", "分组决定", "grouped / grouped_by_name / typo_joined / override")),
    primary_key=("name_printed", "year"), foreign_keys=(("agency_id", "agencies", "agency_id"),),
    order_by="agency_id, year, name_printed")

REPORTS = Table(
    "reports", "报告", "every input file (reports.csv of every run), with its agency and version",
    (REPORT,
     C("source_path", "string", "文件路径"), C("sha256", "string", "SHA-256"), C("format", "string", "格式"),
     C("pages", "integer", "页数"), C("agency", "string", "机构（印刷）"), YEAR,
     C("template", "string", "模板"), C("status", "string", "状态"), C("tables_found", "string", "找到的表格"),
     C("cells", "integer", "单元格数"), C("checks_failed", "integer", "未通过核对数"),
     C("error", "string", "错误"), C("seconds", "number", "耗时", unit="秒"),
     AGENCY,
     C("is_canonical", "boolean", "是否规范版本", "the version chosen for its agency-year (see README: versions)"),
     C("version_rank", "integer", "版本排序", "1 = canonical; by status, fewest failed checks, most cells, format"),
     C("versions", "integer", "版本数", "files of this agency-year"),
     C("run_dir", "string", "运行目录", "the ogi parse output folder the row came from")),
    primary_key=("report_id",), foreign_keys=(("agency_id", "agencies", "agency_id"),),
    order_by="agency_id NULLS LAST, year, version_rank, report_id", extras_from="reports")

CELLS = Table(
    "cells", "单元格", "cells.csv of every report, with agency_id",
    (REPORT, C("agency", "string", "机构（印刷）"), YEAR, C("template", "string", "模板"),
     C("table", "string", "表格", "active / requests / appeals (stats: era A)"),
     C("row_key", "string", "行键", "see the keys table for the Chinese label"),
     C("col_key", "string", "列键", "see the keys table for the Chinese label"),
     C("value", "number", "数值", "the number; money in 万元", unit="件 (counts) / 万元 (money columns)"),
     C("raw", "string", "原文"), C("row_label", "string", "行标签（印刷）"), C("col_label", "string", "列标签（印刷）"),
     C("match_score", "integer", "匹配分数"), C("page", "integer", "页码"), C("bbox", "string", "位置"),
     C("method", "string", "取值方式"),
     AGENCY, C("is_canonical", "boolean", "是否规范版本")),
    foreign_keys=(("report_id", "reports", "report_id"),), partitioned=True,
    extras_from="cells")

CHECKS = Table(
    "checks", "核对", "per-report checks (checks.csv) and the dataset's cross-year checks P1, P2, Y1",
    (REPORT, C("check_id", "string", "核对编号"), C("table", "string", "表格"), C("scope", "string", "范围"),
     C("expression", "string", "表达式"), C("lhs", "number", "左边"), C("rhs", "number", "右边"),
     C("diff", "number", "差额"), C("status", "string", "结果", "pass / fail / skipped"),
     C("severity", "string", "严重程度", "error / warning"), C("message", "string", "说明"),
     AGENCY, YEAR,
     C("origin", "string", "来源", "report (from checks.csv) or cross_year (from the dataset)"),
     C("other_report_id", "string", "对比报告编号", "cross-year checks: the report of the other year"),
     C("other_year", "integer", "对比年度"),
     C("cell_refs", "string", "涉及单元格", "cross-year checks: report_id:table/row_key/col_key of every cell compared")),
    partitioned=True, extras_from="checks")

INDICATORS = Table(
    "indicators", "统一指标", "harmonized indicators and ratios of each canonical report (long)",
    (AGENCY, C("region_code", "string", "行政区划代码"), C("level", "string", "层级"), YEAR,
     C("template", "string", "模板"), C("indicator", "string", "指标", "see the indicator_defs table"),
     C("value", "number", "数值", "unit in indicator_defs; a ratio with a zero denominator is empty"),
     C("source_keys", "string", "来源单元格", "table/row_key/col_key summed (+) for this template (empty cells count 0)"),
     REPORT),
    primary_key=("agency_id", "year", "indicator"), partitioned=True,
    order_by="agency_id, year, indicator")

VERSIONS = Table(
    "versions", "版本差异", "cells on which a non-canonical file of an agency-year disagrees with the canonical one",
    (AGENCY, YEAR, C("table", "string", "表格"), C("row_key", "string", "行键"), C("col_key", "string", "列键"),
     C("method", "string", "取值方式"),
     C("canonical_report_id", "string", "规范版本报告编号"), C("canonical_value", "number", "规范版本数值"),
     C("canonical_raw", "string", "规范版本原文"),
     C("report_id", "string", "其他版本报告编号"), C("value", "number", "其他版本数值"), C("raw", "string", "其他版本原文"),
     C("difference", "string", "差异类型", "value (both printed, different) / only_canonical / only_other")),
    order_by="agency_id, year, report_id, \"table\", row_key, col_key")

LOG = Table(
    "log", "数据集日志", "every grouping, region and version decision of the dataset build",
    (AGENCY, YEAR, C("name", "string", "名称"), C("event", "string", "事件"), C("message", "string", "说明")),
    order_by="agency_id, year, event, name")

KEYS = Table(
    "keys", "键", "the Chinese label of every table / row_key / col_key, per template",
    (C("template", "string", "模板"), C("table", "string", "表格"), C("table_label", "string", "表格名称"),
     C("row_key", "string", "行键"), C("row_label", "string", "行标签"), C("col_key", "string", "列键"),
     C("col_label", "string", "列标签"), C("unit", "string", "单位")),
    primary_key=("template", "table", "row_key", "col_key"), order_by="template, \"table\", row_key, col_key")

INDICATOR_DEFS = Table(
    "indicator_defs", "指标定义", "every harmonized indicator and ratio: label, unit, class, formula",
    (C("indicator", "string", "指标"), C("label", "string", "名称"), C("unit", "string", "单位"),
     C("class", "string", "类别", "same / only_2019 / only_2021 / only_2008 / ratio"),
     C("formula", "string", "公式", "per template: the keys summed; for ratios numerator / denominator"),
     C("why", "string", "说明")),
    primary_key=("indicator",), order_by="indicator")

CROSSWALK = Table(
    "crosswalk", "对照表", "which cell keys make each indicator, per template (and era-A keys not joined)",
    (C("indicator", "string", "指标"), C("template", "string", "模板"), C("table", "string", "表格"),
     C("row_key", "string", "行键"), C("col_key", "string", "列键"),
     C("class", "string", "类别", "same / only_… (joined) or approx (listed, not joined)"), C("why", "string", "说明")),
    order_by="indicator, template, \"table\", row_key, col_key")

SOURCES = Table(
    "sources", "来源运行", "the ogi parse output folders merged into the dataset",
    (C("run_dir", "string", "运行目录"), C("reports", "integer", "报告数"), C("cells", "integer", "单元格数"),
     C("tool_version", "string", "工具版本")),
    primary_key=("run_dir",), order_by="run_dir")

TABLES: dict[str, Table] = {t.name: t for t in (AGENCIES, AGENCY_NAMES, REPORTS, CELLS, CHECKS, INDICATORS, VERSIONS,
                                                 LOG, KEYS, INDICATOR_DEFS, CROSSWALK, SOURCES)}
