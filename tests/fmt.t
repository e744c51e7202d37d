#!/usr/bin/env bash
# The fast paths of fmt_double() (exact 17-digit generation between 1e-5
# and 2^53, nearest 15/16-digit candidates from it) against Python's repr()
# on 300,000 doubles chosen to stress them: around powers of ten, dyadic
# values whose decimal expansion ties at the 17th digit, and the kinds of
# numbers the scoring tools print (probabilities, means, latencies).
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
done_testing
