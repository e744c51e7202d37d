"""CPython's own random module as the reference for pyrandom.c.

    pyrandom_ref.py cases COUNT SEED   print COUNT test cases (tests/helpers/pyrand.c's input)
    pyrandom_ref.py texts COUNT SEED   print COUNT perturbation cases: a seed, one of the
                                       eight perturbations, a random text (in hex)
    pyrandom_ref.py answer             read cases, print random.Random's answers (and
                                       perturb_ref.py's perturbations)
"""
import random
import sys


def cases(count, seed):
    g = random.Random(seed)
    special = [0, 1, 2, 41, 42, 43, -1, -42, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1,
               2**53, 2**63 - 1, -(2**63 - 1), 123456789012345]
    out = []
    for i in range(count):
        if i < len(special) * 6:
            s = special[i % len(special)]
        else:
            s = g.choice([g.randrange(0, 1000), g.randrange(-2**31, 2**31),
                          g.randrange(0, 2**64 - 1) - 2**63 + 1])
        op = g.choice(["random", "bits", "below", "randint", "choice", "sample", "sample"])
        if op == "random":
            out.append("%d random %d" % (s, g.randint(1, 8)))
        elif op == "bits":
            out.append("%d bits %d %d" % (s, g.randint(0, 64), g.randint(1, 6)))
        elif op == "below":
            n = g.choice([1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 1000, 2**31, 2**32, 2**32 + 1,
                          g.randrange(1, 2**40), g.randrange(1, 2**63)])
            out.append("%d below %d %d" % (s, n, g.randint(1, 6)))
        elif op == "randint":
            a = g.randint(-1000, 1000)
            out.append("%d randint %d %d" % (s, a, a + g.choice([0, 1, 2, 3, 10, 999, 2**33])))
        elif op == "choice":
            out.append("%d choice %d" % (s, g.choice([1, 2, 3, 5, 100, 2**20])))
        else:
            # both of sample()'s branches, and the boundary between them
            n = g.choice([0, 1, 2, 5, 20, 21, 22, 25, 26, 60, 84, 85, 86, 200, 1000, 5000])
            k = g.choice([0, 1, n // 20, n // 4, n // 2, n, min(n, 5), min(n, 6), min(n, 7),
                          min(n, 21), min(n, 22)])
            out.append("%d sample %d %d" % (s, n, min(k, n)))
    return out


def texts(count, seed):
    g = random.Random(seed)
    words = ["a", "e", "is", "test", "TODO", "Σ", "ß", "σς", "production server", "request",
             "immediate", " ", "\t", "\u3000", "\n", "İ", "🙂", "Blocker", "glitz", "", "x"]
    out = []
    for _ in range(count):
        s = g.choice([g.randrange(-2**63 + 1, 2**63), g.randrange(0, 2**32), g.randrange(-50, 50)])
        text = "".join(g.choice(words) for _ in range(g.choice([0, 1, 3, 10, 40, 150])))
        out.append("%d perturb %d %s" % (s, g.randrange(8), text.encode("utf-8").hex()))
    return out


def answer(line):
    f = line.split()
    if f[1] == "perturb":
        from perturb_ref import NAMES, perturb
        text = bytes.fromhex(f[3] if len(f) > 3 else "").decode("utf-8")
        return perturb(NAMES[int(f[2])], text, int(f[0])).encode("utf-8").hex()
    r = random.Random(int(f[0]))
    op, args = f[1], [int(x) for x in f[2:]]
    if op == "random":
        return " ".join("%.17g" % r.random() for _ in range(args[0]))
    if op == "bits":
        return " ".join(str(r.getrandbits(args[0])) for _ in range(args[1]))
    if op == "below":
        return " ".join(str(r._randbelow(args[0])) for _ in range(args[1]))
    if op == "randint":
        return " ".join(str(r.randint(args[0], args[1])) for _ in range(5))
    if op == "choice":
        seq = range(args[0])
        return " ".join(str(r.choice(seq)) for _ in range(5))
    if op == "sample":
        return " ".join(str(x) for x in r.sample(range(args[0]), args[1]))
    raise SystemExit("unknown op " + op)


if sys.argv[1] == "cases":
    print("\n".join(cases(int(sys.argv[2]), int(sys.argv[3]))))
elif sys.argv[1] == "texts":
    print("\n".join(texts(int(sys.argv[2]), int(sys.argv[3]))))
else:
    for line in sys.stdin:
        print(answer(line))
