import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_corpus():
    if not (SHARED / "corpus" / "reports").is_dir():
        pytest.skip("../shared corpus not present")
    return SHARED / "corpus"
