#!/usr/bin/env bash
# The fast paths of fmt_double() (exact 17-digit generation between 1e-5
# and 2^53, nearest 15/16-digit candidates from it) against Python's repr()
# on 300,000 doubles chosen to stress them: around powers of ten, dyadic
# values whose decimal expansion ties at the 17th digit, and the kinds of
# numbers the scoring tools print (probabilities, means, latencies).  The
# second set aims at the exact read-back test of that range: probabilities
# in [1e-5, 1), powers of two (lopsided intervals), decimals whose 15th to
# 17th digits end in 5 (halfway between candidates), dyadic values whose
# exact expansion ties at the 16th or 17th digit, and values just below a
# power of ten (where a candidate carries into another digit).
. "$(dirname "$0")/lib.sh"
need_python json
"$PYTHON" - "$TMP/dbl" "$TMP/want" <<'PY'
import math, random, struct, sys
random.seed(5)
vals = []
for k in range(-6, 17):
    p = 10.0 ** k
    for j in range(-40, 41):
        vals.append(math.nextafter(p, math.inf) if j == 0 else p + j * math.ulp(p))
for e in range(-17, 53):
    for _ in range(300):
        vals.append(random.getrandbits(min(53, 20 + random.randrange(34))) * 2.0 ** e)
while len(vals) < 300000:
    k = random.random()
    if k < 0.3:
        x = random.random()
    elif k < 0.45:
        x = random.randrange(1, 10**6) / random.randrange(1, 10**4)
    elif k < 0.6:
        x = random.lognormvariate(6, 2)
    elif k < 0.75:
        x = sum(random.random() for _ in range(random.randrange(1, 9))) / random.randrange(1, 9)
    elif k < 0.9:
        x = random.randrange(1, 10**17) * 10.0 ** random.randrange(-22, 0)
    else:
        x = random.uniform(1e-5, 2.0 ** 53)
    vals.append(x)
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as g:
    for v in vals:
        if v <= 0 or not math.isfinite(v):
            continue
        f.write("%016x\n" % struct.unpack("<Q", struct.pack("<d", v))[0])
        g.write(repr(v) + "\n")
PY
"$BUILD/helpers/jsonecho" -d <"$TMP/dbl" >"$TMP/got"
same_file "$TMP/got" "$TMP/want" "$(wc -l <"$TMP/want") doubles print exactly as Python's repr()"

"$PYTHON" - "$TMP/dbl2" "$TMP/want2" <<'PY'
import math, random, struct, sys
from decimal import Decimal
random.seed(17)
vals = [0.1 + 0.2, 1 - 2.0 ** -53, 1 - 2.0 ** -52, 2.0 ** -17, 1e-5, 2.0 ** 53 - 1,
        2.0 ** 53 - 2, 2.0 ** 52, 2.0 ** 52 + 1, 0.3, 2 / 3, 1 / 3, 0.8234567891234567,
        0.9999999999999999, 0.99999999999999989, 9.999999999999999e-05]
def around(x, n):
    # x and n doubles either side of it
    lo = hi = x
    out = [x]
    for _ in range(n):
        lo, hi = math.nextafter(lo, 0), math.nextafter(hi, math.inf)
        out += [lo, hi]
    return out
for e in range(-18, 54):
    vals += around(2.0 ** e, 8)
for j in range(-5, 17):
    vals += around(10.0 ** j, 8)
    vals += around(float("9" * 17 + "e%d" % (j - 17)), 4)
    vals += around(float("9" * 16 + "5e%d" % (j - 17)), 2)
# halfway in the decimal digits: 15-17 digits ending in 5 or 50
for _ in range(40000):
    n = random.choice((15, 16, 16, 17, 17))
    dig = str(random.randrange(10 ** (n - 2), 10 ** (n - 1)))
    dig = dig[:-1] + "50" if n == 17 and random.random() < 0.5 else dig + "5"
    x = float(dig[0] + "." + dig[1:] + "e%d" % random.randrange(-5, 16))
    vals += around(x, random.randrange(2))
# dyadic values with 16 to 18 significant digits: exact ties
n = 0
while n < 30000:
    x = random.getrandbits(random.randrange(24, 54)) * 2.0 ** -random.randrange(0, 40)
    if 1e-5 <= x < 2.0 ** 53 and 16 <= len(Decimal(x).normalize().as_tuple().digits) <= 18:
        vals.append(x)
        n += 1
# probabilities and the like
while len(vals) < 300000:
    k = random.random()
    if k < 0.5:
        x = random.random()
    elif k < 0.7:
        x = random.random() * 10.0 ** -random.randrange(1, 5)
    elif k < 0.85:
        x = random.getrandbits(53) * 2.0 ** random.randrange(-70, -52)
    else:
        x = random.randrange(1, 10 ** 6) / random.randrange(1, 10 ** 6)
    vals.append(x)
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as g:
    for v in vals:
        for w in (v, -v):
            f.write("%016x\n" % struct.unpack("<Q", struct.pack("<d", w))[0])
            g.write(repr(w) + "\n")
PY
"$BUILD/helpers/jsonecho" -d <"$TMP/dbl2" >"$TMP/got2"
same_file "$TMP/got2" "$TMP/want2" "$(wc -l <"$TMP/want2") doubles aimed at the exact read-back print as Python's repr()"
done_testing
