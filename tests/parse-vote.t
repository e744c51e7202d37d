#!/usr/bin/env bash
# puma-parse over self-consistency records (puma-infer --samples): the
# majority vote, its tie rule, the vote share as confidence and the vote
# counts, against the transcription in tests/ref/puma_ref.py on 2000 random
# records, plus cases by hand and bad samples.
. "$(dirname "$0")/lib.sh"
need_python json
REF="$ROOT/tests/ref/puma_ref.py"
export PUMA_CONFIG_DIR="$ROOT/config"

"$PYTHON" - "$TMP/r.jsonl" <<'PY'
import json, random, sys
rng = random.Random(14)
texts = ["Critical", "major", "The priority is Minor.", "TRIVIAL!", "no idea", "",
         "<think>Critical?</think> Minor", "Blocker", "Major or Minor", "minor-ish",
         "5", "3 points", "about 4", "8.0", "2.5", "13", "<think>8</think>1", "none", "100"]
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        reg = rng.random() < 0.4
        k = rng.choice([1, 2, 3, 4, 5, 6, 9])
        pool = rng.sample(texts, rng.randint(1, 4))
        samples = []
        for _ in range(k):
            s = {"seed": rng.randrange(2 ** 31), "response": rng.choice(pool), "error": None}
            if rng.random() < 0.1:
                s = {"seed": s["seed"], "response": None, "error": "HTTP 500"}
            elif rng.random() < 0.05:
                s["error"] = "cut off"
            samples.append(s)
        f.write(json.dumps({"id": "V-%d" % i, "scenario": "estimation_tawos" if reg else "triage_jira",
                            "gold": 5 if reg else "Major", "response": samples[0]["response"],
                            "samples": samples}) + "\n")
PY
puma-parse "$TMP/r.jsonl" >"$TMP/c.out"
ok $? "puma-parse reads 2000 records of samples"
"$PYTHON" "$REF" parse <"$TMP/r.jsonl" >"$TMP/r.out"
same_file "$TMP/c.out" "$TMP/r.out" "2000 votes identical to collections.Counter's most_common(1)"
"$PYTHON" - "$TMP/c.out" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
ties = sum(1 for x in r if len(x["votes"]) > 1 and x["votes"][0][1] == x["votes"][1][1])
none = sum(1 for x in r if x["pred"] is None)
reg = sum(1 for x in r if x["scenario"] == "estimation_tawos" and x["pred"] is not None)
sys.exit(0 if ties > 50 and none > 20 and reg > 300 else 1)
PY
ok $? "the records include ties, votes with nothing parsed and story points"

# By hand.
cat >"$TMP/h.jsonl" <<'J'
{"scenario":"triage_jira","gold":"Major","response":"x","samples":[{"response":"Minor"},{"response":"Major"},{"response":"major"},{"response":"MINOR"},{"response":null,"error":"HTTP 500"}]}
{"scenario":"estimation_tawos","gold":5,"response":"x","samples":[{"response":"6"},{"response":"3"},{"response":"5.0"},{"response":"3"}]}
{"scenario":"triage_jira","gold":"Major","response":"x","samples":[{"response":"?"},{"response":null,"error":"timeout"}]}
J
puma-parse "$TMP/h.jsonl" >"$TMP/h.out"
is "$(sed -n 1p "$TMP/h.out" | grep -o '"pred".*')" '"pred":"Minor","confidence":0.4,"votes":[["Minor",2],["Major",2]]}' \
	"a 2-2 tie goes to the answer voted first; the share counts every sample, failed ones too"
is "$(sed -n 2p "$TMP/h.out" | grep -o '"pred".*')" '"pred":5,"confidence":0.5,"votes":[[5,2],[3,2]]}' \
	"story points: the mode of the snapped values (6 snaps to 5, 5.0 is 5), a tie to the first"
is "$(sed -n 3p "$TMP/h.out" | grep -o '"pred".*')" '"pred":null,"confidence":null,"votes":[]}' \
	"nothing parsed: a parse failure"

# Bad samples.
echo '{"scenario":"triage_jira","gold":"Major","response":"x","samples":{}}' >"$TMP/b.jsonl"
puma-parse "$TMP/b.jsonl" >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" \
	"1:puma-parse: $TMP/b.jsonl:1: \"samples\" is an object, not a non-empty array (of puma-infer --samples)" \
	"samples that are no array: a data error naming the line"
printf '%s\n' '{"scenario":"triage_jira","gold":"Major","response":"x","samples":[{"response":3}]}' \
	'{"scenario":"triage_jira","gold":"Major","response":"Major"}' >"$TMP/b.jsonl"
puma-parse --lenient "$TMP/b.jsonl" >"$TMP/out" 2>"$TMP/err"
is "$?:$(wc -l <"$TMP/out"):$(head -n 1 "$TMP/err")" \
	"0:1:puma-parse: $TMP/b.jsonl:1: \"samples\"[0] is not an object with a \"response\" string or null" \
	"--lenient skips a bad sample's record and goes on"

done_testing
