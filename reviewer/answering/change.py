"""Which way a question asks a quantity to move ("Does walking *lower* blood pressure?"), and which way the
evidence says it moved.

A change verb in a question names a direction, not a topic: the passages that answer "does X lower Y" may
write "reduced", "decreased" or "fell", or report that Y rose. So these words never count as content a
passage must contain (`reviewer.answering.questions` weighs them like generic words), and a yes/no answer
leads with whether the quoted findings move the way the question asks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, Optional

from reviewer.text import spell_out, stem, tokens

Change = Literal["up", "down"]

#: Verbs and adjectives a question uses to ask for a direction of change.
_ASKED = {
    "up": "raise raises raised raising increase increases increased increasing boost boosts boosted boosting "
          "elevate elevates elevated heighten heightens strengthen strengthens accelerate accelerates "
          "augment augments amplify amplifies",
    "down": "lower lowers lowered lowering reduce reduces reduced reducing decrease decreases decreased "
            "decreasing cut cuts lessen lessens diminish diminishes drop drops slow slows slowed shorten shortens "
            "ease eases alleviate alleviates relieve relieves attenuate attenuates weaken weakens",
}
#: How a finding says a quantity moved.
_STATED = {
    "up": re.compile(r"\b(?:increas\w*|rais(?:e|es|ed|ing)|rose|elevat\w*|higher|greater|boost\w*|"
                     r"gains?|strengthen\w*|accelerat\w*)\b", re.I),
    "down": re.compile(r"\b(?:reduc\w*|decreas\w*|lower(?:ed|ing)?|fell|drop(?:s|ped)?|declin\w*|attenuat\w*|"
                       r"shorten\w*|slow(?:s|ed|ing)?|diminish\w*|less|fewer|"
                       r"alleviat\w*|weaken\w*)\b", re.I),
}
#: Words a change word can precede without naming a change of the thing asked about ("lower limb").
_NOT_A_CHANGE = re.compile(r"\b(?:lower|upper|higher|greater) (?:limbs?|body|extremit\w+|back)\b", re.I)


@lru_cache(maxsize=1)
def change_stems() -> frozenset[str]:
    """Stems of every word a question may use to ask for a direction of change (also as `spell_out` writes
    them: "lower" is read as "low")."""
    return frozenset(stem(form) for words in _ASKED.values() for w in words.split() for form in (w, spell_out(w)))


def asked_change(question: str) -> Optional[Change]:
    """"down" for "Does walking lower blood pressure?", "up" for "... boost processing speed?", else None."""
    words = tokens(_NOT_A_CHANGE.sub(" ", question))
    found = {way for way, listed in _ASKED.items() for w in words if w in listed.split()}
    return found.pop() if len(found) == 1 else None


def stated_change(sentence: str) -> Optional[Change]:
    """Which way a finding says something moved ("reduced", "rose"), or None when it says neither or both."""
    text = _NOT_A_CHANGE.sub(" ", sentence)
    found = [way for way, pattern in _STATED.items() if pattern.search(text)]
    return found[0] if len(found) == 1 else None
