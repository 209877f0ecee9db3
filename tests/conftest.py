import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))


@pytest.fixture
def shared_corpus():
    if not (SHARED / "corpus" / "reports").is_dir():
        pytest.skip("../shared corpus not present")
    return SHARED / "corpus"
