#!/usr/bin/env bash
# puma-sample against pandas itself (Debian's python3-pandas): for many
# (rows, n, seed) triples the same rows in the same order as
# DataFrame.sample(n, random_state=seed), and PUMA's stratified triage
# sampler, run with pandas, on real and made-up classes.
. "$(dirname "$0")/lib.sh"
need_python pandas
S=puma-sample
REF="$ROOT/tests/ref/sample_ref.py"

# Rows up to 70,000, so that masks of 1 to 17 bits are all drawn through.
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "{\"i\":%d}\n", i }' >"$TMP/rows"
cases="2794:200:42 811:200:42 476:100:7 1:1:0 1:0:0 2:1:0 2:1:1 3:2:5 10:9:42 10:10:42 0:3:1
256:255:3 257:256:4 255:100:4294967295 65536:10:42 65537:65536:99 70000:3:0 1000:0:8"
# ... and 80 more, from a fixed seed.
cases="$cases $("$PYTHON" -c '
import random
r = random.Random(2024)
out = []
for _ in range(80):
    rows = r.choice([r.randint(1, 40), r.randint(1, 3000), r.randint(1, 70000)])
    n = r.choice([1, r.randint(0, rows), rows - 1, rows + 3, min(rows, 200)])
    seed = r.choice([0, 1, 42, 7, r.randint(0, 2**32 - 1)])
    out.append("%d:%d:%d" % (rows, max(n, 0), seed))
print(" ".join(out))')"
# shellcheck disable=SC2086
"$PYTHON" "$REF" plain $cases >"$TMP/want"
for c in $cases; do
	IFS=: read -r rows n seed <<<"$c"
	printf '%s %s %s: %s\n' "$rows" "$n" "$seed" \
		"$(head -n "$rows" "$TMP/rows" | $S -n "$n" --seed "$seed" | sed 's/[^0-9]//g' | tr '\n' ' ' | sed 's/ $//')"
done >"$TMP/got"
same_file "$TMP/got" "$TMP/want" "$(wc -l <"$TMP/want") (rows, n, seed) triples pick what pandas picks, in its order"
is "$(grep -c "" "$TMP/want")" 98 "98 triples compared"
is "$(sed -n 1p "$TMP/got" | cut -d' ' -f4-8)" "1025 2406 450 2593 439" "(2794, 200, 42) begins as PUMA's spec says"

# PUMA's stratified sampler.  Made-up classes: uneven sizes (top-ups),
# more classes than n, numbers, non-ASCII names, and all values distinct
# (where pandas puts the rows back in input order).
"$PYTHON" - "$TMP" <<'PY'
import json, random, sys
d = sys.argv[1]
r = random.Random(5)
def write(name, values):
    with open("%s/%s" % (d, name), "w", encoding="utf-8") as f:
        for i, v in enumerate(values):
            f.write(json.dumps({"id": "R-%d" % i, "gold": v}, ensure_ascii=False) + "\n")
write("uneven", [r.choice(["Major"] * 20 + ["Minor"] * 6 + ["Critical"] * 2 + ["Trivial"]) for _ in range(300)])
write("many", [r.choice(["c%02d" % k for k in range(40)]) for _ in range(120)])
write("numbers", [r.choice([1, 2, 3, 5, 8, 13, 21, 0.5, 100]) for _ in range(250)])
write("unicode", [r.choice(["Zeta", "alpha", "Ábaco", "ábaco", "中", "Zeta ", "Z"]) for _ in range(90)])
write("distinct", ["v%d" % r.randint(0, 10**9) for _ in range(30)])
PY
if [ -d "$SHARED" ]; then
	puma-prep "$SHARED/jira_balanced_200.csv" >"$TMP/jira" 2>/dev/null
	puma-prep "$SHARED/tawos/XD_deep-se.csv" >"$TMP/xd" 2>/dev/null
	sets="jira xd uneven many numbers unicode distinct"
else
	skip "Jira and XD files (public datasets not found at $SHARED)"
	sets="uneven many numbers unicode distinct"
fi
scases="1:42 3:42 4:42 5:0 7:7 10:42 20:1 37:12345 50:42 99:3 100:42 101:4294967295 150:9 199:42 200:42 250:42 29:5"
files=""
for set in $sets; do files="$files $TMP/$set"; done
# shellcheck disable=SC2086
"$PYTHON" "$REF" stratified gold "$(echo $scases | tr ' ' ,)" $files >"$TMP/want"
for set in $sets; do
	for c in $scases; do
		printf '%s %s %s: %s\n' "$TMP/$set" "${c%:*}" "${c#*:}" \
			"$($S -n "${c%:*}" --seed "${c#*:}" --stratify gold "$TMP/$set" |
				sed 's/^{"id":"\([^"]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')"
	done >"$TMP/got"
	grep "^$TMP/$set " "$TMP/want" >"$TMP/want.$set"
	same_file "$TMP/got" "$TMP/want.$set" "stratified, $set: $(wc -l <"$TMP/want.$set") (n, seed) pairs pick what PUMA's sampler picks"
done
# The man page's examples.
if [ -d "$SHARED" ]; then
	cp "$TMP/jira" "$TMP/triage_jira.jsonl"
	puma-prep "$SHARED/tawos/TISTUD_deep-se.csv" >"$TMP/tawos_TISTUD.jsonl" 2>/dev/null
	(cd "$TMP" && puma-sample -n 200 --seed 42 tawos_TISTUD.jsonl > sample.jsonl)
	is "$?:$(wc -l <"$TMP/sample.jsonl")" "0:200" "example: 200 estimation issues with seed 42"
	is "$(cd "$TMP" && puma-sample -n 20 --stratify gold triage_jira.jsonl | grep -o '"gold":"[A-Za-z]*"' | sort | uniq -c | awk '{printf "%s ", $1}')" \
		"5 5 5 5 " "example: twenty triage issues, five of each priority"
fi
done_testing
