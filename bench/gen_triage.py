#!/usr/bin/python3
"""Generate N triage response records (as puma-infer writes them) for the
filter benchmarks: the instance's title and a description of a few hundred
bytes (with escapes and non-ASCII text, as issue trackers have them),
realistic answers (plain labels, markdown, sentences, reasoning blocks,
refusals, failed requests) and per-token logprobs with five top_logprobs
each, as `puma-infer --logprobs` records them.

    gen_triage.py N > responses.jsonl

Deterministic: the same N gives the same bytes.
"""

import hashlib
import json
import random
import sys

LABELS = ["Critical", "Major", "Minor", "Trivial"]
PREFIX = {"Critical": "CRIT", "Major": "MAJR", "Minor": "MINR", "Trivial": "TRIV"}

TEMPLATES = [
    (40, "{L}"),
    (10, "{l}"),
    (8, "**{L}**"),
    (6, "Priority: {L}."),
    (6, "{L}\n\nThe issue affects a core workflow."),
    (6, "I would classify this issue as {L} because it blocks the release of the payment module."),
    (5, "<think>The reporter says the login page crashes; that sounds critical, but there is a workaround, so maybe not.</think>\n{L}"),
    (4, "Based on the description, the priority is {l}."),
    (3, "The answer is: {L}"),
    (3, "Medium"),
    (2, "Non-{l} issue; cosmetic at most."),
    (2, "I cannot determine the priority from the information given."),
    (2, "<think>Let me weigh the impact on users and the frequency of the failure before deciding"),
]


# Words of issue descriptions; a few need escapes or are not ASCII.
WORDS = ("the a to of and in is when on for with it not after page user "
         "error crash login button save export report fails null pointer "
         "exception timeout server client build release version upgrade "
         "dialog editor file window view test stack trace log config "
         "expected actual steps reproduce click open close shows instead "
         "\"Save\" C:\\Users\\dev naïve café résumé — → ✓ 日本語").split()
TOKENS_MAX = 10          # num_predict
ALTS = LABELS + ["M", "**", "\n", " ", "Priority", "The", "I", "<think>", "Based"]


def words(rng, lo, hi):
    """lo..hi words of issue text, now and then a line break."""
    w = rng.choices(WORDS, k=rng.randint(lo, hi))
    for i in range(7, len(w), 13):
        w[i] += "\n"
    return " ".join(w)


def pick(rng):
    r = rng.random() * sum(w for w, _ in TEMPLATES)
    for w, t in TEMPLATES:
        r -= w
        if r < 0:
            return t
    return TEMPLATES[-1][1]


def tokens_of(text):
    out, cur = [], ""
    for ch in text:
        if ch in " \n.*:" and cur:
            out.append(cur)
            cur = ""
        cur += ch
    if cur:
        out.append(cur)
    return out[:TOKENS_MAX] or [""]


def main():
    n = int(sys.argv[1])
    rng = random.Random(20240611)
    digest = hashlib.sha256(b"qwen2.5:3b").hexdigest()
    w = sys.stdout.write
    for i in range(n):
        gold = LABELS[i % 4]
        key = "%s-%06d" % (PREFIX[gold], i // 4 + 1)
        lab = gold if rng.random() < 0.6 else rng.choice(LABELS)
        text = pick(rng).replace("{L}", lab).replace("{l}", lab.lower())
        failed = rng.random() < 0.01
        lps = []
        if not failed:
            for t in tokens_of(text):
                top = [{"token": t, "logprob": round(-rng.random() * 0.3, 6)}]
                for alt in rng.sample(ALTS, 5):
                    if alt != t and len(top) < 5:
                        top.append({"token": alt, "logprob": round(-1 - rng.random() * 6, 6)})
                lps.append({"token": t, "logprob": top[0]["logprob"], "top_logprobs": top})
        rec = {
            "id": key,
            "scenario": "triage_jira",
            "title": words(rng, 4, 12).replace("\n", "").capitalize(),
            "description": words(rng, 40, 100),
            "gold": gold,
            "model": "qwen2.5:3b",
            "model_digest": digest,
            "strategy": "zero-shot",
            "options": {"temperature": 0.0, "seed": 42, "num_predict": 10},
            "response": None if failed else text,
            "done_reason": None if failed else "stop",
            "latency_ms": round(150 + rng.expovariate(1 / 250.0), 3),
            "tokens_in": 180 + rng.randrange(400),
            "tokens_out": None if failed else len(lps),
            "logprobs": lps,
            "attempts": 4 if failed else 1,
            "error": "HTTP 500: model runner stopped" if failed else None,
        }
        w(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
