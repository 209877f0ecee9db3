"""The seed report (bundled) and the shared corpus text reports parse to their checked values."""
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import load_truth
from parsers import read
from pipeline.checks import run_checks
from pipeline.extract import extract
from pipeline.metadata import extract_metadata
from pipeline.templates import get

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "seed_xiuzhou_2019.txt"

SEED_VALUES = {
    "active/normative_docs/total_published": 95, "active/admin_permit/change": 52,
    "active/admin_penalty/change": -13, "active/other_services/decisions": 632070,
    "active/gov_procurement/amount_10k_yuan": 16681.8715, "requests/new_received/natural_person": 202,
    "requests/new_received/total": 208, "requests/carried_over/total": 0,
    "requests/unable_not_held/commercial": 1, "requests/total_processed/total": 206,
    "requests/carried_forward/natural_person": 2, "appeals/review/total": 11,
    "appeals/suit_direct/other": 3, "appeals/suit_after_review/pending": 2,
}


def test_seed_every_printed_number():
    doc = read(str(SEED))
    ex = extract(doc)
    meta = extract_metadata(doc)
    assert (meta.agency, meta.year, ex.template) == ("秀洲区人民政府", 2019, "2019")
    assert sorted(set(ex.tables_found)) == ["active", "appeals", "requests"]
    got = {f"{c.table}/{c.row_key}/{c.col_key}": c.value for c in ex.cells}
    for k, v in SEED_VALUES.items():
        assert got[k] == v, k
    assert got["requests/withheld_law_prohibited/natural_person"] is None   # printed blank
    assert len(got) == 198
    checks = run_checks(ex, get("2019"))
    assert [c for c in checks if c.status == "fail"] == []


@pytest.mark.parametrize("name", ["seed_xiuzhou_2019.txt", "005_shanghai_kewei_2024.md"])
def test_corpus_text_reports(shared_corpus, name):
    truth = load_truth(shared_corpus, name)
    doc = read(str(shared_corpus / "reports" / name))
    ex = extract(doc)
    meta = extract_metadata(doc)
    assert ex.template == truth["template"]
    assert meta.year == truth["year"] and meta.agency == truth["agency"]
    got = {f"{c.table}/{c.row_key}/{c.col_key}": c.value for c in ex.cells}
    wrong = []
    for k in set(truth["cells"]) | set(got):
        t, g = truth["cells"].get(k, 0), got.get(k)
        if (g or 0) != t:
            wrong.append((k, t, g))
    assert wrong == []
    # never a number where the truth has another number
    assert all(g is None for _, _, g in wrong)


def test_cli_on_seed(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(SEED), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "1 ok" in r.stdout
    for f in ["cells.csv", "reports.csv", "checks.csv", "log.csv", "run.json", "wide/requests.csv",
              "wide/active.csv", "wide/appeals.csv"]:
        assert (out / f).exists(), f
    import csv
    rows = list(csv.DictReader(open(out / "reports.csv", encoding="utf-8-sig")))
    assert rows[0]["status"] == "ok" and rows[0]["agency"] == "秀洲区人民政府" and rows[0]["year"] == "2019"
    assert rows[0]["report_id"] == rows[0]["sha256"][:16]
    wide = list(csv.DictReader(open(out / "wide" / "requests.csv", encoding="utf-8-sig")))
    assert wide[0]["new_received.total"] == "208"
    assert not list(out.glob(".tmp-*"))


def test_corpus_pdf_as_pdftotext_layout(shared_corpus, tmp_path):
    """The real PDF's text as `pdftotext -layout` writes it reads like the PDF itself."""
    import shutil
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    out = tmp_path / "huaian.txt"
    subprocess.run(["pdftotext", "-layout", str(shared_corpus / "reports" / "003_huaian_shi_2024.pdf"), str(out)],
                   check=True)
    truth = load_truth(shared_corpus, "003_huaian_shi_2024.pdf")
    ex = extract(read(str(out)))
    got = {f"{c.table}/{c.row_key}/{c.col_key}": c.value for c in ex.cells}
    wrong = [(k, t, got.get(k)) for k, t in truth["cells"].items() if got.get(k) != t]
    assert wrong == []
