"""Random valid era-A reports (2008–2018, template 2008) for tests and benchmarks.

Four appendix variants as real reports print them (era-a.md): the Fujian local tables of
2011–13 (`F11`) and 2014–18 (`F14`), the Shanghai-style 指标统计表 (`S`) and the national
统计表 of 2014 (`N`, one 统计数 column, heading rows). Values satisfy every identity of the
variant (the oracle below lists them independently of the parser's data); prose states some
figures, one of them approximate (never emitted). Renderers print the appendix in every text
layout of tests/reportgen.py, run together as a scraper leaves it, as HTML and as Word.
"""
from __future__ import annotations

import html as _html
import itertools
import random
from dataclasses import dataclass, field
from typing import Optional

from . import _RENDER, GridCell

AGENCIES = ["平潭综合实验区管委会", "福清市人民政府", "永泰县人民政府", "上海市浦东新区人民政府", "定西市人民政府", "连江县人民政府"]

# (printed label, unit, key); key "" = a heading row of the national table
VARIANTS: dict[str, dict] = {
    "F11": {"years": (2011, 2013), "cols": ["{year}年度", "历年累计"], "rows": [
        ("主动公开信息数", "条", "active_published"), ("其中：1、网站公开", "条", "active_via_website"),
        ("2、政府公报公开", "条", "active_via_gazette"), ("受理依申请公开信息总数", "条", "requests_received"),
        ("其中：1、当面申请数", "条", "requests_in_person"), ("2、传真申请数", "条", "requests_fax"),
        ("3、电子邮件申请数", "条", "requests_email"), ("4、网上申请数", "条", "requests_online"),
        ("5、信函申请数", "条", "requests_letter"), ("6、其它形式申请数", "条", "requests_other_channel"),
        ("对申请的答复总数", "条", "replies_total"), ("其中：1、同意公开答复数", "条", "replies_granted"),
        ("2、同意部分公开答复数", "条", "replies_partial"), ("3、否决公开答复数", "条", "replies_rejected"),
        ("行政复议数", "件", "admin_review"), ("行政诉讼数", "件", "admin_suit"), ("行政申诉数", "件", "complaints")]},
    "F14": {"years": (2014, 2018), "cols": ["{year}年度", "历年累计"], "rows": [
        ("主动公开文件数", "条", "active_published"), ("其中：1、政府网站公开数", "条", "active_via_website"),
        ("2、政府公报公开数", "条", "active_via_gazette"), ("受理政府信息依申请公开总数", "条", "requests_received"),
        ("其中：1、当面申请数", "条", "requests_in_person"), ("2、网上申请数", "条", "requests_online"),
        ("3、信函、传真申请数", "条", "requests_letter_fax"), ("对申请的答复总数", "条", "replies_total"),
        ("其中：1、同意公开答复数", "条", "replies_granted"), ("2、同意部分公开答复数", "条", "replies_partial"),
        ("3、不予公开答复数", "条", "replies_withheld"), ("4、其他类型答复数", "条", "replies_other"),
        ("政府信息公开收费减免金额", "元", "fees_and_waivers_10k_yuan"), ("接受行政诉讼、举报数", "件", "complaints"),
        ("行政复议数", "件", "admin_review"), ("行政诉讼数", "件", "admin_suit")]},
    "S": {"years": (2008, 2013), "cols": ["本年度", "累计"], "rows": [
        ("主动公开信息数", "条", "active_published"), ("其中：全文电子化的主动公开信息数", "条", "active_fulltext_electronic"),
        ("新增的行政规范性文件数", "件", "normative_docs_issued"), ("网站专栏页面访问量", "人次", "portal_visits"),
        ("申请总数", "件", "requests_received"), ("当面申请数", "件", "requests_in_person"),
        ("传真申请数", "件", "requests_fax"), ("电子邮件申请数", "件", "requests_email"),
        ("网上申请数", "件", "requests_online"), ("信函申请数", "件", "requests_letter"),
        ("其它形式申请数", "件", "requests_other_channel"), ("对申请的答复总数", "件", "replies_total"),
        ("同意公开答复数", "件", "replies_granted"), ("同意部分公开答复数", "件", "replies_partial"),
        ("否决公开答复总数", "件", "replies_rejected"), ("其中：非《条例》所指政府信息", "件", "replies_not_gov_info"),
        ("信息不存在", "件", "replies_not_exist"), ("非本部门掌握", "件", "replies_not_this_agency"),
        ("申请内容不明确", "件", "replies_unclear"), ("免予公开范围1", "件", "-"),
        ("行政复议数", "件", "admin_review"), ("行政诉讼数", "件", "admin_suit"), ("行政申诉数", "件", "complaints"),
        ("咨询总数", "人次", "consultations"), ("现场接待人数", "人次", "consultations_in_person"),
        ("咨询电话接听数", "人次", "consultations_phone"), ("网上咨询数", "人次", "consultations_online")]},
    "N": {"years": (2014, 2018), "cols": ["统计数"], "rows": [
        ("一、主动公开情况", "—", ""),
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "active_published"),
        ("其中：主动公开规范性文件数", "条", "active_normative_docs"), ("制发规范性文件总数", "件", "normative_docs_issued"),
        ("（二）通过不同渠道和方式公开政府信息的情况", "—", ""),
        ("1.政府公报公开政府信息数", "条", "active_via_gazette"), ("2.政府网站公开政府信息数", "条", "active_via_website"),
        ("3.政务微博公开政府信息数", "条", "active_via_weibo"), ("4.政务微信公开政府信息数", "条", "active_via_wechat"),
        ("5.其他方式公开政府信息数", "条", "active_via_other"),
        ("二、回应解读情况", "—", ""),
        ("（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次", "responses_hot_topics"),
        ("（二）通过不同渠道和方式回应解读的情况", "—", ""),
        ("1.参加或举办新闻发布会总次数", "次", "press_conferences"),
        ("其中：主要负责同志参加新闻发布会次数", "次", "press_conferences_principal"),
        ("2.政府网站在线访谈次数", "次", "online_interviews"),
        ("其中：主要负责同志参加政府网站在线访谈次数", "次", "online_interviews_principal"),
        ("3.政策解读稿件发布数", "篇", "interpretation_releases"), ("4.微博微信回应事件数", "次", "weibo_wechat_responses"),
        ("5.其他方式回应事件数", "次", "other_responses"),
        ("三、依申请公开情况", "—", ""),
        ("（一）收到申请数", "件", "requests_received"), ("1.当面申请数", "件", "requests_in_person"),
        ("2.传真申请数", "件", "requests_fax"), ("3.网络申请数", "件", "requests_online"), ("4.信函申请数", "件", "requests_letter"),
        ("（二）申请办结数", "件", "requests_closed"), ("1.按时办结数", "件", "requests_closed_on_time"),
        ("2.延期办结数", "件", "requests_closed_extended"),
        ("（三）申请答复数", "件", "replies_total"), ("1.属于已主动公开范围数", "件", "replies_already_public"),
        ("2.同意公开答复数", "件", "replies_granted"), ("3.同意部分公开答复数", "件", "replies_partial"),
        ("4.不同意公开答复数", "件", "replies_withheld"), ("其中：涉及国家秘密", "件", "replies_withheld_state_secret"),
        ("涉及商业秘密", "件", "replies_withheld_trade_secret"), ("涉及个人隐私", "件", "replies_withheld_privacy"),
        ("危及国家安全、公共安全、经济安全和社会稳定", "件", "replies_withheld_security_stability"),
        ("不是《条例》所指政府信息", "件", "replies_not_gov_info"),
        ("法律法规规定的其他情形", "件", "replies_withheld_other_law"),
        ("5.不属于本行政机关公开数", "件", "replies_not_this_agency"), ("6.申请信息不存在数", "件", "replies_not_exist"),
        ("7.告知作出更改补充数", "件", "replies_asked_to_amend"), ("8.告知通过其他途径办理数", "件", "replies_other_route"),
        ("四、行政复议数量", "件", "admin_review"), ("（一）维持具体行政行为数", "件", "admin_review_upheld"),
        ("（二）被依法纠错数", "件", "admin_review_corrected"), ("（三）其他情形数", "件", "admin_review_other"),
        ("五、行政诉讼数量", "件", "admin_suit"),
        ("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "admin_suit_upheld"),
        ("（二）被依法纠错数", "件", "admin_suit_corrected"), ("（三）其他情形数", "件", "admin_suit_other"),
        ("六、举报投诉数量", "件", "complaints"), ("七、依申请公开信息收取的费用", "万元", "fees_collected_10k_yuan"),
        ("八、机构建设和保障经费情况", "—", ""),
        ("（一）政府信息公开工作专门机构数", "个", "special_units"), ("（二）设置政府信息公开查阅点数", "个", "reading_points"),
        ("（三）从事政府信息公开工作人员数", "人", "staff_total"),
        ("1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "staff_full_time"), ("2.兼职人员数", "人", "staff_part_time"),
        ("（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元", "special_funds_10k_yuan"),
        ("九、政府信息公开会议和培训情况", "—", ""),
        ("（一）召开政府信息公开工作会议或专题会议数", "次", "meetings"), ("（二）举办各类培训班数", "次", "trainings"),
        ("（三）接受培训人员数", "人次", "trainees")]},
}

# The identities each variant's values satisfy: (lhs, rhs) sums, per column. Independent of
# the parser's data file, so that the oracle does not share its mistakes.
SUMS = {
    "F11": [("active_published", ["active_via_website", "active_via_gazette"]),
            ("requests_received", ["requests_in_person", "requests_fax", "requests_email", "requests_online",
                                   "requests_letter", "requests_other_channel"]),
            ("replies_total", ["replies_granted", "replies_partial", "replies_rejected"])],
    "F14": [("active_published", ["active_via_website", "active_via_gazette"]),
            ("requests_received", ["requests_in_person", "requests_online", "requests_letter_fax"]),
            ("replies_total", ["replies_granted", "replies_partial", "replies_withheld", "replies_other"])],
    "S": [("requests_received", ["requests_in_person", "requests_fax", "requests_email", "requests_online",
                                 "requests_letter", "requests_other_channel"]),
          ("replies_total", ["replies_granted", "replies_partial", "replies_rejected"]),
          ("consultations", ["consultations_in_person", "consultations_phone", "consultations_online"])],
    "N": [("requests_received", ["requests_in_person", "requests_fax", "requests_online", "requests_letter"]),
          ("replies_total", ["replies_already_public", "replies_granted", "replies_partial", "replies_withheld",
                             "replies_not_this_agency", "replies_not_exist", "replies_asked_to_amend",
                             "replies_other_route"]),
          ("replies_withheld", ["replies_withheld_state_secret", "replies_withheld_trade_secret",
                                "replies_withheld_privacy", "replies_withheld_security_stability",
                                "replies_withheld_other_law", "replies_not_gov_info"]),
          ("requests_closed", ["requests_closed_on_time", "requests_closed_extended"]),
          ("staff_total", ["staff_full_time", "staff_part_time"]),
          ("admin_review", ["admin_review_upheld", "admin_review_corrected", "admin_review_other"]),
          ("admin_suit", ["admin_suit_upheld", "admin_suit_corrected", "admin_suit_other"])],
}
# the sums a run-together split may use (era-a.md: A3–A5), by variant
SPLIT_SUMS = {"F11": SUMS["F11"], "F14": SUMS["F14"], "S": SUMS["S"][:2], "N": []}


@dataclass
class EraAReport:
    variant: str
    agency: str
    year: int
    values: dict = field(default_factory=dict)     # (row, col) -> number (appendix)
    prose: list = field(default_factory=list)      # (sentence, {(row, col): value}) stated in prose
    approx: list = field(default_factory=list)     # sentences with approximate figures (not emitted)
    planted: str = ""                              # check id of a planted break ("" = none)

    @property
    def cols(self) -> list[str]:
        return ["this_year", "cumulative"][:len(VARIANTS[self.variant]["cols"])]

    def col_labels(self) -> list[str]:
        return [c.format(year=self.year) for c in VARIANTS[self.variant]["cols"]]

    def rows(self) -> list[tuple[str, str, str]]:
        return VARIANTS[self.variant]["rows"]

    def expected(self) -> dict[str, float]:
        """stats/row/col → value, appendix cells (method read/recovered)."""
        out = {}
        for (r, c), v in self.values.items():
            if r == "fees_and_waivers_10k_yuan":
                v = v / 10000
            out[f"stats/{r}/{c}"] = float(v)
        return out

    def expected_prose(self) -> dict[str, float]:
        return {f"stats/{r}/{c}": float(v) for _, cells in self.prose for (r, c), v in cells.items()}


def _parts(rng: random.Random, total: int, n: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(n - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def _amount(rng: random.Random, big: bool) -> int:
    return rng.choice([0, rng.randint(1, 9), rng.randint(1, 60)] + ([rng.randint(100, 4000)] if big else []))


def _year_values(rng: random.Random, variant: str, small: bool) -> dict[str, int]:
    """One column of values satisfying the variant's identities."""
    keys = [k for _, _, k in VARIANTS[variant]["rows"] if k and k != "-"]
    vals = {k: _amount(rng, not small and k in ("active_published", "portal_visits", "consultations")) for k in keys}
    split: set[str] = set()
    for total, parts in SUMS[variant]:      # totals first, then their parts add up
        if total not in split:              # a part of an earlier sum keeps its share
            vals[total] = _amount(rng, not small and total in ("active_published", "consultations"))
        for k, v in zip(parts, _parts(rng, vals[total], len(parts))):
            vals[k] = v
            split.add(k)
    if variant == "N":    # each channel ≤ published (the national table's dedup rule)
        for k in ("active_via_gazette", "active_via_website", "active_via_weibo", "active_via_wechat", "active_via_other"):
            vals[k] = min(vals[k], vals["active_published"])
    if variant == "S":    # the reasons are some of the rejections
        for k, v in zip(["replies_not_gov_info", "replies_not_exist", "replies_not_this_agency", "replies_unclear"],
                        _parts(rng, rng.randint(0, vals["replies_rejected"]), 4)):
            vals[k] = v
    return vals


def random_report(rng: random.Random, variant: Optional[str] = None, small: bool = False) -> EraAReport:
    """A report whose appendix satisfies every identity of its variant. `small`: numbers small
    enough that run-together rows have few candidate splits."""
    variant = variant or rng.choice(list(VARIANTS))
    spec = VARIANTS[variant]
    rep = EraAReport(variant, rng.choice(AGENCIES), rng.randint(*spec["years"]))
    this = _year_values(rng, variant, small)
    earlier = _year_values(rng, variant, small) if rng.random() < 0.8 else {}
    for k, v in this.items():
        rep.values[(k, "this_year")] = v
        if "cumulative" in rep.cols:    # cumulative = this year + earlier years: identities kept
            rep.values[(k, "cumulative")] = v + earlier.get(k, 0)
    if variant == "F14" and rng.random() < 0.5:     # 2017–18 tables dropped the 收费减免金额 row
        rep.values = {k: v for k, v in rep.values.items() if k[0] != "fees_and_waivers_10k_yuan"}
    _prose(rng, rep)
    return rep


def _prose(rng: random.Random, rep: EraAReport) -> None:
    y = rep.year
    pub = rep.values.get(("active_published", "this_year"), 0)
    dep = rng.randint(0, pub)
    rep.prose.append((f"{y}年主动公开政府信息{pub}条", {("active_published", "this_year"): pub}))
    rep.prose.append((f"其中，区直各部门主动公开政府信息{dep}条", {("active_by_departments", "this_year"): dep}))
    rep.prose.append((f"各乡镇主动公开政府信息{pub - dep}条", {("active_by_townships", "this_year"): pub - dep}))
    req = rep.values.get(("requests_received", "this_year"), 0)
    if req:
        rep.prose.append((f"{y}年共受理政府信息公开申请{req}件", {("requests_received", "this_year"): req}))
    else:
        rep.prose.append((f"{y}年未收到有关政府信息公开的申请", {("requests_received", "this_year"): 0}))
    rev = rep.values.get(("admin_review", "this_year"), 0)
    if rev == 0:
        rep.prose.append(("未收到有关政府信息公开行政复议申请", {("admin_review", "this_year"): 0}))
    if not rep.values.get(("fees_collected_10k_yuan", "this_year")):
        rep.prose.append((f"{y}年我单位依申请提供政府信息暂不收费", {("fees_collected_10k_yuan", "this_year"): 0}))
    rep.approx.append(f"{y}年政府信息公开专栏访问量约{rng.randint(1000, 90000)}人次")


def plant(rng: random.Random, rep: EraAReport) -> str:
    """Break one identity as a real report might print it; returns the check id expected."""
    kind = rng.choice(["A4", "A5", "A11", "A2"])
    if kind == "A2":
        sent, cells = rep.prose[1]
        (k, v), = cells.items()
        rep.prose[1] = (sent.replace(f"{v}条", f"{v + 7}条"), {k: v + 7})
    elif kind == "A11" and "cumulative" in rep.cols:
        k = ("complaints", "this_year")
        rep.values[k] = rep.values[("complaints", "cumulative")] + 3
    else:
        kind = "A5" if kind == "A11" else kind
        key = "requests_in_person" if kind == "A4" else "replies_granted"
        rep.values[(key, "this_year")] += 5
        if "cumulative" in rep.cols:
            rep.values[(key, "cumulative")] += 5
    rep.planted = kind
    return kind


# ---------------------------------------------------------------- the oracle for run-together rows
def splits(digits: str) -> list[tuple[int, int]]:
    out = []
    for k in range(1, len(digits)):
        a, b = digits[:k], digits[k:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0"):
            continue
        if int(b) >= int(a):
            out.append((int(a), int(b)))
    return out


def settled_rows(rep: EraAReport) -> Optional[dict[str, bool]]:
    """For a report printed run together: which rows the rules settle (True) and which stay
    ambiguous (False), by brute force over every combination of candidate splits that keeps the
    within-year sums and the prose figures. None when there are too many combinations."""
    keys = [k for _, _, k in rep.rows() if (k, "this_year") in rep.values]
    cands = {k: splits(run_digits(rep, k)) for k in keys}
    prose = {r: v for _, cells in rep.prose for (r, c), v in cells.items() if c == "this_year"}
    free = [k for k in keys if len(cands[k]) > 1]
    size = 1
    for k in free:
        size *= len(cands[k])
    if size > 200000:
        return None
    truth = {k: (rep.values[(k, "this_year")], rep.values[(k, "cumulative")]) for k in keys}
    fixed = {k: cands[k][0] for k in keys if len(cands[k]) == 1}
    alive = []
    for combo in itertools.product(*(cands[k] for k in free)):
        a = {**fixed, **dict(zip(free, combo))}
        if not all(_sum_ok(a, tot, parts) for tot, parts in SPLIT_SUMS[rep.variant]):
            continue
        if not all(a[k][0] == v for k, v in prose.items() if k in a):
            continue
        alive.append(a)
    assert truth in alive or any(len(cands[k]) == 0 for k in keys)
    return {k: len({a[k] for a in alive}) == 1 for k in keys}


def _sum_ok(a: dict, total: str, parts: list[str]) -> bool:
    ps = [p for p in parts if p in a]
    if total not in a or not ps:
        return True
    return all(a[total][c] == sum(a[p][c] for p in ps) for c in (0, 1))


def run_digits(rep: EraAReport, key: str) -> str:
    return f"{rep.values[(key, 'this_year')]}{rep.values[(key, 'cumulative')]}"


# ---------------------------------------------------------------- rendering
def title(rep: EraAReport) -> str:
    return f"{rep.agency}{rep.year}年政府信息公开工作年度报告"


def intro(rep: EraAReport) -> list[str]:
    sents = [s for s, _ in rep.prose]
    return [f"本报告所列数据的统计期限自{rep.year}年1月1日起至{rep.year}年12月31日止。",
            "一、概述", f"{rep.year}年，我单位认真贯彻落实《条例》，扎实推进政府信息公开工作。",
            "二、主动公开政府信息情况", "，".join(sents[:3]) + "。" + "。".join(rep.approx) + "。",
            "三、依申请公开情况", "。".join(sents[3:]) + "。"]


def _fmt(rep: EraAReport, key: str, col: str) -> str:
    v = rep.values.get((key, col))
    return "" if v is None else str(v)


def grid(rep: EraAReport) -> list[list[GridCell]]:
    head = ["统计指标" if rep.variant == "N" else "指标名称", "单位" if rep.variant == "N" else "计量单位"] + rep.col_labels()
    out = [[GridCell(t) for t in head]]
    for label, unit, key in rep.rows():
        if key == "":
            out.append([GridCell(label), GridCell("—")] + [GridCell("—") for _ in rep.cols])
        elif key == "-":
            out.append([GridCell(label), GridCell(unit)] + [GridCell("0") for _ in rep.cols])
        elif (key, "this_year") in rep.values:
            out.append([GridCell(label), GridCell(unit)] + [GridCell(_fmt(rep, key, c)) for c in rep.cols])
    return out


APPENDIX_TITLE = "附件：政府信息公开情况统计表"
OUTRO = ["四、存在的主要问题和改进措施", "下一步，我单位将继续做好政府信息公开工作。"]
LAYOUTS = ("tab_cells", "tab_rows", "markdown", "layout", "dump", "spaces", "run_together", "run_together_lines")


def render_text(rep: EraAReport, layout: str) -> str:
    parts = [title(rep)] + intro(rep) + [APPENDIX_TITLE]
    rows = grid(rep)
    if layout == "spaces":       # a web page's text: one paragraph, cells separated by spaces
        parts.append(" ".join(c.text for row in rows for c in row))
    elif layout.startswith("run_together"):   # a scraper: the cells of each row run together
        lines = ["".join(c.text for c in row) for row in rows]
        parts += lines if layout.endswith("lines") else ["".join(lines)]
    else:
        parts.append(_RENDER[layout](rows))
    return "\n".join(parts + OUTRO) if layout != "run_together" else "".join(parts + OUTRO)


def render_html(rep: EraAReport) -> str:
    body = [f"<h1>{_html.escape(title(rep))}</h1>"] + [f"<p>{_html.escape(p)}</p>" for p in intro(rep)]
    body.append(f"<p>{APPENDIX_TITLE}</p><table border=\"1\">")
    for row in grid(rep):
        body.append("<tr>" + "".join(f"<td>{_html.escape(c.text)}</td>" for c in row) + "</tr>")
    body.append("</table>")
    body += [f"<p>{_html.escape(p)}</p>" for p in OUTRO]
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{"".join(body)}</body></html>'


def render_docx(rep: EraAReport, path: str) -> None:
    import docx

    from . import docx_table
    d = docx.Document()
    d.add_heading(title(rep), level=1)
    for p in intro(rep):
        d.add_paragraph(p)
    d.add_paragraph(APPENDIX_TITLE)
    docx_table(d, grid(rep))
    for p in OUTRO:
        d.add_paragraph(p)
    d.save(path)
