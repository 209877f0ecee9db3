"""A template forced with `--template`, weighed against the template the labels show.

Forcing a template files every value under that template's keys. When the report's table
labels are another template's, that would silently put 2019 values under 2021 keys: a forced
template the labels partly contradict is used with a warning, one they contradict outright
(none of its signature labels, several of the other's) is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# signature labels of the other template needed, with none of the forced one's, to refuse:
# one label alone can come from the prose ("政府集中采购" in a 2021 report's summary)
REFUSE_MIN_OTHER = 2


@dataclass(frozen=True)
class ForcedVerdict:
    action: str              # "use" | "warn" | "refuse"
    message: str = ""


def judge_forced(forced: str, hits: dict[str, int], sizes: dict[str, int]) -> ForcedVerdict:
    """Given the forced template id, the signature labels found per template (`hits`) and the
    signature sizes, return whether to use it silently, use it with a warning, or refuse it."""
    own = hits.get(forced, 0)
    others = {t: h for t, h in hits.items() if t != forced}
    rival: Optional[str] = max(others, key=others.get) if others else None
    if rival is None or others[rival] <= own:
        return ForcedVerdict("use")
    found = ", ".join(f"{t}: {hits[t]} of {sizes[t]}" for t in sorted(hits))
    if own == 0 and others[rival] >= REFUSE_MIN_OTHER:
        return ForcedVerdict("refuse", f"--template {forced} refused: the table labels are the {rival} template's "
                                       f"(signature labels found: {found}); parse without --template or with "
                                       f"--template {rival}")
    return ForcedVerdict("warn", f"--template {forced} forced although the table labels look more like the {rival} "
                                 f"template (signature labels found: {found}); values are filed under {forced} keys")
