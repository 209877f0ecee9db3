"""to_simplified skips OpenCC for texts without a trigger character: prove the result is the same."""
from __future__ import annotations

import os
import shutil

import opencc
import pytest

from pipeline import normalize as N

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T2S = opencc.OpenCC("t2s")


@pytest.fixture
def triggers():
    got = N.t2s_triggers()
    if got is None:
        pytest.skip("the installed OpenCC dictionaries are not the ones pipeline/data/t2s_triggers.txt "
                    "was made from (every text goes through OpenCC): re-run python -m tools.make_t2s_triggers")
    return got


def test_triggers_file_is_made_from_the_installed_dictionaries(triggers):
    share = N.opencc_share_dir()
    if not os.access(os.path.join(share, "..", "..", "bin", "opencc_dict"), os.X_OK):
        pytest.skip("OpenCC's opencc_dict tool is not installed")
    from tools.make_t2s_triggers import dictionary, triggers as make
    assert frozenset(make(share)) | N._SURROGATES == triggers
    same = [k for k, v in dictionary(share, "TSPhrases.ocd2") if v[0] == k and triggers.isdisjoint(k)]
    assert "有序" in same
    text = "，".join(same) + "".join(same)              # phrases t2s maps to themselves, cut every way
    assert T2S.convert(text) == text and N.to_simplified(text) == text


def _planes():
    return (chr(c) for c in range(0x80, 0x30000) if not 0xD800 <= c < 0xE000)


def test_every_other_character_is_left_alone(triggers):
    """Every character of planes 0–2 that is no trigger comes out of t2s as it went in, alone and
    side by side with the others (so no phrase of them is converted either)."""
    rest = [c for c in _planes() if c not in triggers]
    assert len(rest) > 150000
    assert T2S.convert("\n".join(rest)) == "\n".join(rest)
    assert T2S.convert("".join(rest)) == "".join(rest)


def test_every_trigger_can_change_text(triggers):
    """The triggers are not padding: each changes alone, or is part of a phrase t2s converts."""
    alone = {c for c in triggers - N._SURROGATES if T2S.convert(c) != c}
    assert len(alone) > 5000
    assert T2S.convert("回覆") == "回复" and "覆" in triggers and T2S.convert("覆") == "覆"


def _texts():
    folders = [os.path.join(ROOT, "fixtures"), os.path.join(ROOT, "..", "shared", "corpus", "reports")]
    for folder in folders:
        for base, _, files in os.walk(folder):
            for name in files:
                if name.endswith((".txt", ".md", ".html", ".csv")):
                    with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                        yield f.read()


def test_same_result_as_opencc_on_real_texts(triggers):
    texts = list(_texts())
    texts += ["政府資訊公開", "答覆申請人", "本年度辦理結果", "意志消沈", "中\x00文", "国家秘密"]
    n = 0
    for text in texts:
        for line in text.splitlines():
            N._simplified.cache_clear()
            assert N.to_simplified(line) == (T2S.convert(line) if line and not line.isascii() else line)
            n += 1
        assert N.to_simplified(text) == (T2S.convert(text) if text and not text.isascii() else text)
    assert n > 1000


def test_opencc_not_started_for_simplified_text(triggers, monkeypatch):
    def refuse():
        raise AssertionError("OpenCC started")
    monkeypatch.setattr(N, "_t2s", refuse)
    N._simplified.cache_clear()
    assert N.to_simplified("本年度办理结果") == "本年度办理结果"
    assert N.to_simplified("现行有效件数") == "现行有效件数"      # 有 is in a phrase (有序) t2s keeps
    assert N.to_simplified("政府信息公开。" * 100) == "政府信息公开。" * 100
    with pytest.raises(AssertionError):
        N.to_simplified("辦理")


def test_surrogates_still_reach_opencc(triggers):
    with pytest.raises(UnicodeEncodeError):
        N._simplified.cache_clear()
        N.to_simplified("中\ud800文")


def test_stale_or_missing_triggers_file_turns_the_shortcut_off(tmp_path, monkeypatch):
    stale = tmp_path / "t.txt"
    with open(N.TRIGGERS_FILE, encoding="utf-8") as f:
        head, _, chars = f.read().split("\n", 2)
    stale.write_text(f"{head}\ncrc32 00000000\n{chars}", encoding="utf-8")
    for path in (str(stale), str(tmp_path / "missing.txt")):
        monkeypatch.setattr(N, "TRIGGERS_FILE", path)
        N.t2s_triggers.cache_clear()
        assert N.t2s_triggers() is None
        N._simplified.cache_clear()
        assert N.to_simplified("答覆") == "答复" and N.to_simplified("办理") == "办理"
    monkeypatch.undo()
    N.t2s_triggers.cache_clear()


def test_changed_dictionary_changes_the_crc(tmp_path):
    share = N.opencc_share_dir()
    copy = tmp_path / "share"
    shutil.copytree(share, copy)
    before = N.opencc_dicts_crc(str(copy))
    assert before == N.opencc_dicts_crc(share)
    with open(copy / "TSPhrases.ocd2", "ab") as f:
        f.write(b"\0")
    assert N.opencc_dicts_crc(str(copy)) != before


def test_compiled_trigger_class_answers_as_the_set_does(triggers, monkeypatch):
    """After a few whole documents a process tests them with a compiled class instead of the
    set: same answer for every character below U+10000, alone and in long texts, and texts
    with a character above U+FFFF still go through the set."""
    pat = N._bmp_trigger_class(triggers)
    for c in range(0x10000):
        assert (pat.search(chr(c)) is not None) == (chr(c) in triggers), hex(c)
    monkeypatch.setattr(N, "_scans", N._SCANS_BEFORE_COMPILING)
    plain = "本年新收政府信息公开申请数量" * 30
    astral = plain + "\U00020000"
    astral_trigger = plain + next(c for c in sorted(triggers) if ord(c) > 0xFFFF)
    for text in (plain, plain + "這", astral, astral_trigger, plain + "\ud800", "\ufeff" + plain):
        assert len(text) > N._REMEMBERED
        assert N._may_change(text, triggers) == (not triggers.isdisjoint(text))
    assert N.to_simplified(plain + "這") == T2S.convert(plain + "這")


def test_trigger_class_compiled_only_after_some_documents(triggers, monkeypatch):
    N._bmp_trigger_class.cache_clear()
    monkeypatch.setattr(N, "_scans", 0)
    long = "本年新收政府信息公开申请数量" * 30
    for _ in range(N._SCANS_BEFORE_COMPILING):
        N._may_change(long, triggers)
        N._may_change("短", triggers)
    assert N._bmp_trigger_class.cache_info().currsize == 0
    N._may_change(long, triggers)
    assert N._bmp_trigger_class.cache_info().currsize == 1
