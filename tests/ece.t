#!/usr/bin/env bash
# puma-ece: differential tests against the NumPy transcription of PUMA's
# calibration code on 4000 random groups (four bin counts), the reliability
# diagram (well-formed XML, rendered to PNG), bad input.
. "$(dirname "$0")/lib.sh"
need_python numpy
REF="$ROOT/tests/ref/puma_ref.py"
GEN="$ROOT/tests/ref/gen_cases.py"

# 1000 random groups: confidences on bin edges, 0.0 and 1.0, repeated
# values, groups without any confidence, groups above 128 records.
"$PYTHON" "$GEN" calibration 1000 37 >"$TMP/cal.jsonl"
for b in 15 10 7 1; do
	puma-ece --bins "$b" --group-by case "$TMP/cal.jsonl" >"$TMP/c.out" 2>/dev/null
	"$PYTHON" "$REF" ece --bins "$b" --group-by case <"$TMP/cal.jsonl" >"$TMP/r.out"
	same_file "$TMP/c.out" "$TMP/r.out" "1000 random groups, $b bins: identical to the reference"
done
is "$(wc -l <"$TMP/c.out")" 1000 "one object per group"

# PUMA's own example shape: a few records by hand.
printf '%s\n' '{"gold":"Major","pred":"Major","confidence":0.9}' '{"gold":"Minor","pred":"Major","confidence":0.8}' \
	'{"gold":"Minor","pred":"Minor","confidence":1.0}' '{"gold":"Minor","pred":null,"confidence":null}' >"$TMP/small"
puma-ece --bins 10 "$TMP/small" >"$TMP/out"
"$PYTHON" - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
# bins [0.8,0.9): 0.8 wrong; [0.9,1.0]: 0.9 right, 1.0 right.
want_ece = (1 / 3) * abs(0.8 - 0.0) + (2 / 3) * abs((0.9 + 1.0) / 2 - 1.0)
ok = (abs(o["ece"] - want_ece) < 1e-15 and o["n"] == 3 and o["n_without_confidence"] == 1
      and o["bins"][9]["n"] == 2 and o["bins"][8]["n"] == 1 and o["mce"] == 0.8)
sys.exit(0 if ok else 1)
PY
ok $? "ECE, MCE and the last bin's closed upper edge on a small example"

# The reliability diagram.
puma-ece --svg "$TMP/rel.svg" "$TMP/cal.jsonl" >/dev/null 2>&1
ok $? "--svg writes a diagram"
if command -v xmllint >/dev/null; then
	xmllint --noout "$TMP/rel.svg"
	ok $? "the diagram is well-formed XML"
else
	skip "xmllint not installed (make deps)"
fi
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$TMP/rel.svg" && grep -q 'ECE 0\.[0-9]\{4\}' "$TMP/rel.svg"
ok $? "a standalone SVG with the ECE in its title"
if command -v rsvg-convert >/dev/null; then
	rsvg-convert -o "$TMP/rel.png" "$TMP/rel.svg"
	ok $? "rsvg-convert renders it"
	"$PYTHON" - "$TMP/rel.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", data[16:24])
# Decode the PNG (8-bit RGBA or RGB, no interlace) and count coloured pixels.
depth, ctype = data[24], data[25]
idat = b""
i = 8
while i < len(data):
    n = struct.unpack(">I", data[i:i + 4])[0]
    if data[i + 4:i + 8] == b"IDAT":
        idat += data[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
bpp = 4 if ctype == 6 else 3
stride = w * bpp
rows, prev, k = [], bytearray(stride), 0
for y in range(h):
    f, line = raw[k], bytearray(raw[k + 1:k + 1 + stride])
    k += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
blue = sum(1 for r in rows for x in range(0, stride, bpp) if r[x + 2] > r[x] + 60)
sys.exit(0 if depth == 8 and w >= 400 and h >= 400 and blue > 5000 else 1)
PY
	ok $? "the rendered PNG shows the bars"
else
	skip "rsvg-convert not installed (make deps)"
fi

# Bad input.
bad() {	# NAME RECORD MESSAGE
	printf '%s\n%s\n' '{"gold":"Major","pred":"Major","confidence":0.5}' "$2" >"$TMP/bad"
	puma-ece "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
	is "$?:$(wc -c <"$TMP/out"):$(cat "$TMP/err")" "1:0:puma-ece: $TMP/bad:2: $3" "$1"
}
bad "missing gold" '{"pred":"Major","confidence":0.5}' 'no "gold" member'
bad "missing pred" '{"gold":"Major","confidence":0.5}' 'no "pred" member (run puma-parse first)'
bad "confidence not a number" '{"gold":"Major","pred":"Major","confidence":"high"}' \
	'"confidence" is a string, not a number or null'
bad "confidence above 1" '{"gold":"Major","pred":"Major","confidence":1.5}' '"confidence" 1.5 is outside [0, 1]'
bad "record not an object" '0.5' 'record is a number, not a JSON object'
printf '%s\n' '{"gold":"Major","pred":"Major","confidence":0.5}' '{"gold":"Major"}' >"$TMP/bad"
puma-ece --lenient "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(grep -o '"n":1,"n_without' "$TMP/out"):$(tail -n 1 "$TMP/err")" "0:\"n\":1,\"n_without:puma-ece: $TMP/bad: skipped 1 bad line" \
	"--lenient skips and counts"
puma-ece </dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-ece: <stdin>: no records: nothing to calibrate" "empty input is an error"
# As many unreadable lines as records: the records still count.
printf '%s\n' '{"gold":"Major","pred":"Major","confidence":0.9}' 'xx' \
	'{"gold":"Minor","pred":"Major","confidence":0.8}' 'yy' >"$TMP/bad"
puma-ece --lenient "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(grep -o '"n":2,"n_without' "$TMP/out"):$(tail -n 1 "$TMP/err")" "0:\"n\":2,\"n_without:puma-ece: $TMP/bad: skipped 2 bad lines" \
	"--lenient: skipped lines do not hide the records"
printf '%s\n' '{"gold":"Major"}' >"$TMP/bad2"
puma-ece --lenient "$TMP/bad2" "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
is "$?:$(grep -o '"n":2,"n_without' "$TMP/out")" "0:\"n\":2,\"n_without" "--lenient over two files counts both"
puma-ece --lenient "$TMP/bad2" 2>"$TMP/err"
is "$?:$(tail -n 1 "$TMP/err")" "1:puma-ece: $TMP/bad2: no records: nothing to calibrate" \
	"--lenient with every record skipped: no records"
echo '{"gold":"Major","pred":"Major","confidence":null}' | puma-ece 2>"$TMP/err" | grep -q '"ece":null,"mce":null,"brier":null,"n":0,"n_without_confidence":1'
ok $? "no confidence at all: null metrics"
puma-ece --bins 0 </dev/null 2>/dev/null
is "$?" 2 "--bins 0 is a usage error"
puma-ece --svg "$TMP/x.svg" --group-by case </dev/null 2>/dev/null
is "$?" 2 "--svg with --group-by is a usage error"
puma-ece "$TMP/small" >/dev/full 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:puma-ece: write error: No space left on device" "write errors are reported"
done_testing
