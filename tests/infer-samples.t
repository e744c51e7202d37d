#!/usr/bin/env bash
# puma-infer --samples (self-consistency) against the real llama-server with
# the tiny random-weight model at temperature 0.8: K answers per record with
# the documented seeds, reproducible, cached per sample (raising K fetches
# only the new ones), refused at temperature 0; puma-parse votes on them.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
FIX="$ROOT/tests/fixtures/llama"
export PUMA_CONFIG_DIR="$ROOT/config"

puma-infer -b openai -u http://127.0.0.1:9 -m tiny --samples 3 </dev/null >/dev/null 2>"$TMP/err"
is "$?:$(head -n 1 "$TMP/err")" \
	"2:puma-infer: --samples 3: self-consistency needs --temperature above 0 (at 0 every sample gives the same answer)" \
	"--samples above 1 at temperature 0 is a usage error, before any request"

start_llama -a tiny

bug_reports "$TMP/in.jsonl" S 0 1 3
run() { puma-infer -b openai -u "$LURL" -m tiny --constrain --temperature 0.8 --num-predict 8 "$@" <"$TMP/in.jsonl"; }

run --cache "$TMP/cache" --samples 4 >"$TMP/a" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "--samples 4 at temperature 0.8: exit 0"
is "$(pyq "$TMP/a" '[len(x["samples"]) for x in r], r[0]["options"]["seed"], r[0]["options"]["samples"]')" \
	"([4, 4, 4], 42, 4)" "four samples per record; options keep --seed 42 and say samples 4"
is "$(pyq "$TMP/a" 'all([s["seed"] for s in x["samples"]] == [int.from_bytes(__import__("hashlib").sha256(("42:%d" % i).encode()).digest()[:4], "big") & 0x7fffffff for i in range(4)] for x in r)')" \
	True "sample i's seed: sha256(\"42:i\"), four bytes, top bit cleared"
is "$(pyq "$TMP/a" 'all(s["response"] in ("Critical", "Major", "Minor", "Trivial") for x in r for s in x["samples"])')" True \
	"every sample is a real answer (the grammar keeps them to the labels)"
is "$(pyq "$TMP/a" 'any(len({s["response"] for s in x["samples"]}) > 1 for x in r)')" True \
	"at temperature 0.8 the samples of a record differ: $(pyq "$TMP/a" '[[s["response"][:2] for s in x["samples"]] for x in r]')"
is "$(pyq "$TMP/a" 'all(x["latency_ms"] == sum(s["latency_ms"] for s in x["samples"]) and x["tokens_out"] == sum(s["tokens_out"] for s in x["samples"]) and x["attempts"] == 4 and x["response"] == x["samples"][0]["response"] for x in r)')" \
	True "the top level: sums of latency, tokens and attempts; the first sample's response"

# Sample 2 is the very request of a plain run with its seed: that run finds
# it in the cache (the same prompt, options and seed), answer for answer.
s2=$(pyq "$TMP/a" 'r[0]["samples"][2]["seed"]')
run --cache "$TMP/cache" --seed "$s2" >"$TMP/one" 2>/dev/null
is "$(pyq "$TMP/one" '[(x["cached"], x["response"]) for x in r]')" \
	"$(pyq "$TMP/a" '[(True, x["samples"][2]["response"]) for x in r]')" \
	"a plain run with --seed of sample 2 is answered from sample 2's cache entries"

run --no-cache --samples 2 >"$TMP/b" 2>/dev/null
is "$(pyq "$TMP/b" '[[s["response"] for s in x["samples"]] for x in r]')" \
	"$(pyq "$TMP/a" '[[s["response"] for s in x["samples"][:2]] for x in r]')" \
	"the same seeds give the same samples again from the server, without the cache"

run --cache "$TMP/cache" --samples 6 >"$TMP/c" 2>/dev/null
is "$(pyq "$TMP/c" '[[s["cached"] for s in x["samples"]] for x in r][0], [x["samples"][:4] == [dict(s, cached=True) for s in y["samples"]] for x, y in zip(r, [json.loads(l) for l in open(sys.argv[1][:-1] + "a")])]')" \
	"([True, True, True, True, False, False], [True, True, True])" \
	"--samples 6 after 4: the first four come from the cache, unchanged; two are new"

puma-parse "$TMP/c" >"$TMP/p" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "puma-parse reads the samples"
"$PYTHON" "$ROOT/tests/ref/puma_ref.py" parse <"$TMP/c" >"$TMP/pr"
same_file "$TMP/p" "$TMP/pr" "the votes on the real answers equal the reference's"
is "$(pyq "$TMP/p" 'all(x["pred"] is not None and x["confidence"] == max(n for _, n in x["votes"]) / 6 and sum(n for _, n in x["votes"]) == 6 for x in r)')" \
	True "pred is the majority, confidence its share of the six votes"

done_testing
