#!/usr/bin/env bash
# The figures PUMA compares its thresholds with are GiB rounded by Python's
# round(): to 2 decimals for memory and disk, to 1 for VRAM, halves to even.
# hw_gib2()/hw_gib1() against Python on random sizes, exact halves, real
# cards' MiB figures and the profile boundaries.
. "$(dirname "$0")/lib.sh"
need_python json

"$PYTHON" - "$TMP/bytes" "$TMP/want" <<'PY'
import random, sys
random.seed(5)
G = 2**30
vals = [random.randrange(0, 2**44) for _ in range(20000)]
vals += [random.randrange(0, 64 * G) for _ in range(20000)]
# Exact halves: (2k+1) * 2**27 / 25 bytes is k/100 + 1/200 GiB.
vals += [(2 * k + 1) * 2**27 // 25 for k in range(0, 5000) if (2 * k + 1) % 25 == 0]
vals += [(2 * k + 1) * 2**29 // 5 * 1 for k in range(0, 500) if (2 * k + 1) % 5 == 0]
vals += [m * 2**20 for m in (6041, 6144, 12185, 12282, 12288, 24473, 24564, 24576, 81559, 97871)]
vals += [int(g * 2**20) * 1024 + d for g in (7.9, 8, 7.994, 7.995, 7.996, 15.9, 16) for d in (-1, 0, 1)]
with open(sys.argv[1], "w") as f, open(sys.argv[2], "w") as w:
    for v in vals:
        f.write("%d\n" % v)
        w.write("%r %r\n" % (round(v / G, 2), round(v / G, 1)))
PY
"$BUILD/helpers/hwround" <"$TMP/bytes" >"$TMP/got"
ok $? "hwround ran over $(wc -l <"$TMP/bytes") sizes"
same_file "$TMP/got" "$TMP/want" "GiB figures equal Python's round() (2 and 1 decimals, halves to even)"
done_testing
