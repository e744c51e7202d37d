"""A Python transcription of PUMA's eight perturbations (PUMA-FIDELITY 4),
on CPython's own random module and str methods: the reference puma-perturb
is compared with.

    perturb_ref.py texts COUNT SEED          random Unicode instance records
    perturb_ref.py compare IN OUT SEED LIST  check puma-perturb's OUT for IN
                                             (LIST as -p takes it; "+" in front:
                                             --with-original); prints "ok" or
                                             the differences
"""
import hashlib
import json
import random
import sys

NAMES = ["typos_5pct", "case_upper", "case_lower", "truncate_50pct", "tech_noise",
         "gender_swap_prefix_male", "gender_swap_prefix_female", "register_shift_informal"]
GLYPH = dict(zip("aeiostbglzAEIOSTBG", "431057691243105786"))
INFORMAL = [("is experiencing", "is having"), ("has been observed", "we saw"),
            ("exhausted", "dying"), ("cannot establish", "can't make"),
            ("is unable to", "can't"), ("has encountered", "hit"),
            ("is failing", "is broken"), ("investigation required", "need to check"),
            ("production server", "prod box"), ("intermittently", "on and off"),
            ("immediate", "ASAP"), ("configuration", "config"), ("application", "app"),
            ("database", "DB"), ("request", "call"), ("response", "reply"),
            ("endpoint", "URL"), ("deployment", "rollout"), ("currently", "right now")]


def perturb(name, text, seed):
    if name == "typos_5pct":
        if not text:
            return text
        rng = random.Random(seed)
        cs = list(text)
        cand = [i for i, c in enumerate(cs) if c in GLYPH]
        k = max(1, int(len(cand) * 0.05)) if cand else 0
        for i in rng.sample(cand, min(k, len(cand))):
            cs[i] = GLYPH[cs[i]]
        return "".join(cs)
    if name == "case_upper":
        return text.upper()
    if name == "case_lower":
        return text.lower()
    if name == "truncate_50pct":
        if not text:
            return text
        return text[:max(1, int(len(text) * 0.5))]
    if name == "tech_noise":
        if not text.strip():
            return text
        rng = random.Random(seed)
        words = text.split()
        for _ in range(3):
            pos = rng.randint(0, len(words))
            words.insert(pos, rng.choice(["TODO", "FIXME", "deprecated"]))
        return " ".join(words)
    if name.startswith("gender_swap_prefix_"):
        names = (["John", "Michael", "David", "James", "Robert"] if name.endswith("male") and
                 not name.endswith("female") else
                 ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth"])
        d = hashlib.sha256(("%d:%s" % (seed, text)).encode("utf-8")).digest()
        return "%s Smith reported: %s" % (names[int.from_bytes(d[:4], "big") % 5], text)
    if name == "register_shift_informal":
        if not text:
            return text
        for a, b in INFORMAL:
            text = text.replace(a, b)
        return text
    raise ValueError(name)


def expected(rec, names, seed, original):
    out = []
    src = rec.get("id")
    if original:
        o = dict(rec)
        o["source_id"] = src
        o["perturbation"] = "original"
        out.append(o)
    for n in names:
        o = dict(rec)
        if isinstance(src, str):
            o["id"] = src + "~" + n
        for f in ("title", "description", "summary"):
            if isinstance(o.get(f), str):
                o[f] = perturb(n, rec[f], seed)
        o["source_id"] = src
        o["perturbation"] = n
        out.append(o)
    return out


def texts(count, seed):
    g = random.Random(seed)
    # Characters that matter: homoglyph letters, Python's whitespace, the
    # sigmas with cased, case-ignorable and other neighbours, special casings.
    palette = (list("aeiostbglzAEIOSTBGxyz .,:'-_") + ["\u03a3"] * 6 +
               list("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029"
                    "\u202f\u205f\u3000\u200b\u180e") +
               list("\u00df\u0130\u0149\u01f0\u0390\u1e9e\ufb00\ufb03\u1f80\u1fb3\u0345"
                    "\u0301\u00ad\u02b0\u2071\u1d2c\u0307\u03c3\u03c2\u212a\u2126\u00b5"
                    "\u0131\u017f\u1e96\u0587\u1ff3\u24b6\U00010400\U0001e900"))
    for i in range(count):
        rec = {"id": "U-%d" % i, "gold": "Major"}
        for f in ("title", "description", "summary"):
            r = g.random()
            if r < 0.08:
                continue
            if r < 0.12:
                rec[f] = None
                continue
            if r < 0.15:
                rec[f] = 3
                continue
            n = g.choice([0, 1, 2, 3, 5, 10, 40, 200, 1000])
            cs = []
            for _ in range(n):
                if g.random() < 0.6:
                    cs.append(g.choice(palette))
                else:
                    cp = g.randrange(0x20, 0x30000)
                    while 0xD800 <= cp <= 0xDFFF:
                        cp = g.randrange(0x20, 0x30000)
                    cs.append(chr(cp))
            rec[f] = "".join(cs)
        print(json.dumps(rec))


def compare(inp, outp, seed, names):
    original = names.startswith("+")
    names = names.lstrip("+")
    names = NAMES if names == "all" else names.split(",")
    want = []
    with open(inp, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                want.extend(expected(json.loads(line), names, seed, original))
    with open(outp, encoding="utf-8") as f:
        got = [json.loads(line) for line in f if line.strip()]
    bad = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if w != g or list(w) != list(g)]
    if len(want) != len(got):
        print("records: %d, expected %d" % (len(got), len(want)))
    for i, w, g in bad[:3]:
        print("record %d:\n  expected %s\n  got      %s" % (i + 1, json.dumps(w)[:600], json.dumps(g)[:600]))
    if not bad and len(want) == len(got):
        print("ok %d" % len(got))


if __name__ != "__main__":
    pass
elif sys.argv[1] == "texts":
    texts(int(sys.argv[2]), int(sys.argv[3]))
else:
    compare(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
