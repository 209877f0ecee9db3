"""Write pipeline/data/t2s_triggers.txt: the characters without which OpenCC's t2s leaves a text as it is.

Why: starting OpenCC costs a parser process ~10 ms, and most reports are simplified text already.
OpenCC t2s changes a text only where a dictionary key matches: a character whose first
candidate is another character (TSCharacters, TSCharactersExt, the CJK compatibility
normalization) or a phrase of TSPhrases mapped to another phrase. Every such character is a
trigger, and so is one character of each such phrase that holds none (回覆 → 回复: 覆). Keys
mapped to themselves (阪, 有序) only decide how the text is cut into keys, and where no key
changes, the output is the input, however it is cut. A text without a trigger is returned
by t2s unchanged, so pipeline.normalize skips OpenCC for it. The file records a CRC of the
dictionaries it was made from; normalize uses the file only while the installed ones match.

    python -m tools.make_t2s_triggers        (needs OpenCC's opencc_dict tool, shipped in its wheel)
"""
from __future__ import annotations

import os
import subprocess
import tempfile

from pipeline.normalize import T2S_FILES, opencc_dicts_crc, opencc_share_dir

OUT = os.path.join(os.path.dirname(__file__), "..", "pipeline", "data", "t2s_triggers.txt")


def dictionary(share: str, name: str) -> list[tuple[str, list[str]]]:
    """The (key, candidates) of one .ocd2 dictionary, via opencc_dict."""
    tool = os.path.join(share, "..", "..", "bin", "opencc_dict")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "d.txt")
        subprocess.run([tool, "-i", os.path.join(share, name), "-o", out, "-f", "ocd2", "-t", "text"], check=True)
        with open(out, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return [(k, v.split(" ")) for k, v in rows]


def triggers(share: str) -> str:
    """The trigger characters, sorted (see the module docstring)."""
    chars = [d for d in T2S_FILES if d.endswith(".ocd2") and d != "TSPhrases.ocd2"]
    singles = [kv for d in chars for kv in dictionary(share, d)]
    if any(len(k) != 1 for k, _ in singles):
        raise SystemExit("a character dictionary holds a key longer than one character")
    out = {k for k, v in singles if v[0] != k}
    same = {k for k, v in singles if v[0] == k}       # keys mapped to themselves, e.g. 覆
    for k, v in dictionary(share, "TSPhrases.ocd2"):
        if v[0] != k and not out.intersection(k):     # a phrase mapped to itself (有序) changes nothing
            out.add(next((c for c in k if c in same), k[0]))
    return "".join(sorted(out))


def main() -> None:
    share = opencc_share_dir()
    text = triggers(share)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(f"# made by tools/make_t2s_triggers.py from OpenCC's t2s dictionaries\n"
                f"crc32 {opencc_dicts_crc(share):08x}\n{text}\n")
    print(f"{len(text)} trigger characters → {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
