#!/usr/bin/env bash
# The arm64 (NEON) llama-server, cross-compiled from the same llama.cpp
# source as the x86 one and run under qemu-aarch64, answers puma-infer with
# real text and logprobs, and its next-token distribution agrees with the
# x86 server's on the same model and prompts. The build (about ten minutes,
# once) goes to the cache (scripts/backends/build-llama-server.sh).
# Skipped, with the reason, where the cross compiler or qemu-user is
# missing, and under the sanitizer pass (it tests the server, and the
# plain pass already ran it).
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
FIX="$ROOT/tests/fixtures/llama"
BUILD="$ROOT/scripts/backends/build-llama-server.sh"

[ "${PUMA_SAN:-}" != 1 ] || skip_all "the arm64 server is tested in the plain pass"
why=$("$BUILD" --check arm64-neon) || skip_all "arm64 backend unavailable: ${why#*: }"
# Fail rather than skip from here on when CI says the server must be there.
need_server() {
	if [ "${PUMA_REQUIRE_LLAMA:-0}" = 1 ]; then
		echo "not ok 1 - $1"
		echo "1..1"
		exit 1
	fi
	skip_all "$1"
}
arm=$("$BUILD" arm64-neon 2>"$TMP/build.err") || need_server "arm64 build failed: $(tail -n 1 "$TMP/build.err")"
elf="$(dirname "$arm")/llama-server.aarch64"

# e_machine (bytes 18-19 of the ELF header) is 183, EM_AARCH64, little-endian.
is "$(od -A n -t u1 -j 18 -N 2 "$elf" | tr -s ' ')" " 183 0" "the server binary is an aarch64 ELF"

apids=""
trap 'for p in $apids; do "$FIX/stop-server.sh" "$p" >/dev/null 2>&1; done; rm -rf "$TMP"' EXIT
# start NAME [ARGS]: a server on the tiny model; sets PORT_NAME, its log is $TMP/NAME.log.
start() {
	local name=$1 got
	shift
	got=$(PUMA_LLAMA_WAIT=600 PUMA_LLAMA_LOG="$TMP/$name.log" "$FIX/start-server.sh" -a tiny -t 2 "$@" \
		2>"$TMP/$name.err") || need_server "$name server did not start: $(tail -n 1 "$TMP/$name.err")"
	apids="$apids ${got#* }"
	eval "PORT_$name=${got%% *}"
	eval "PID_$name=${got#* }"
}
start x86
PUMA_LLAMA_SERVER=$arm start arm -lv 4
is "$(cat "/proc/$PID_arm/comm")" qemu-aarch64 "the arm64 server runs under qemu-aarch64"

# The CPU backend's compiled-in features, as the server reports them (a trace-level line, hence -lv 4).
sysinfo=$(grep -m 1 'system_info' "$TMP/arm.log")
feat() { grep -q "$1 = 1" <<<"$sysinfo"; }
feat NEON && feat DOTPROD && feat ARM_FMA
ok $? "ggml reports NEON, ARM_FMA and DOTPROD kernels"
! feat SVE && ! feat AVX && ! feat AVX2
ok $? "and neither SVE nor any x86 extension"
echo "# arm64: ${sysinfo#*system_info: }"

bug_reports "$TMP/in.jsonl" A 0 1 2 3

infer() {
	local port=$1
	shift
	puma-infer -b openai -u "http://127.0.0.1:$port" -m tiny --no-cache --logprobs --top-logprobs 5 "$@" \
		<"$TMP/in.jsonl"
}
infer "$PORT_arm" --constrain --num-predict 8 >"$TMP/ac" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "arm64, constrained: puma-infer exits 0"
is "$(pyq "$TMP/ac" 'all(x["response"] in ("Critical", "Major", "Minor", "Trivial") for x in r)')" True \
	"arm64: the grammar makes the model answer with a label"
is "$(pyq "$TMP/ac" 'all(len(x["logprobs"]) == x["tokens_out"] > 0 and "".join(e["token"] for e in x["logprobs"]) == x["response"] for x in r)')" True \
	"arm64: one logprob entry per token, and the tokens spell the response"
is "$(pyq "$TMP/ac" 'all(e["logprob"] <= 0 and len(e["top_logprobs"]) == 5 and [t["logprob"] for t in e["top_logprobs"]] == sorted((t["logprob"] for t in e["top_logprobs"]), reverse=True) for x in r for e in x["logprobs"])')" True \
	"arm64: logprobs are log-probabilities, five alternatives in descending order"

infer "$PORT_arm" --num-predict 6 >"$TMP/a1" 2>/dev/null
infer "$PORT_arm" --num-predict 6 >"$TMP/a2" 2>/dev/null
strip() { sed -E 's/"latency_ms":[0-9.e+-]+,//; s/"timings":\{[^}]*\},//' "$1"; }
same_file <(strip "$TMP/a2") <(strip "$TMP/a1") "arm64, unconstrained, twice: byte-identical responses and logprobs"

# Against the x86 server on the same model and prompts: the first generated
# token's distribution (before any divergence can compound) must agree to
# within what floating-point differences allow; a wrong kernel would not.
infer "$PORT_x86" --num-predict 6 >"$TMP/x1" 2>/dev/null
"$PYTHON" - "$TMP/x1" "$TMP/a1" >"$TMP/cmp" <<'EOF'
import json, sys
x = [json.loads(l) for l in open(sys.argv[1])]
a = [json.loads(l) for l in open(sys.argv[2])]
worst, shared, same_first = 0.0, 0, 0
for rx, ra in zip(x, a):
    if not rx["logprobs"] or not ra["logprobs"]:
        continue
    tx = {t["token"]: t["logprob"] for t in rx["logprobs"][0]["top_logprobs"]}
    ta = {t["token"]: t["logprob"] for t in ra["logprobs"][0]["top_logprobs"]}
    for tok in tx.keys() & ta.keys():
        worst = max(worst, abs(tx[tok] - ta[tok]))
        shared += 1
    same_first += rx["logprobs"][0]["token"] == ra["logprobs"][0]["token"]
print(shared, same_first, "%.6f" % worst)
EOF
read -r shared same_first worst <"$TMP/cmp"
echo "# first token vs x86: $shared shared alternatives, $same_first of 4 same choice, max |d logprob| $worst"
is "$(awk -v s="$shared" -v w="$worst" 'BEGIN { print (s >= 12 && w < 0.25) ? "close" : "far" }')" close \
	"arm64 vs x86: the first token's top-5 alternatives are mostly shared and within 0.25 in logprob"
is "$(pyq "$TMP/a1" 'r[0]["quantization"], r[0]["server_version"] == [y for y in map(__import__("json").loads, open("'"$TMP/x1"'"))][0]["server_version"]')" \
	"('Q8_0', True)" "arm64 and x86 servers: the same llama.cpp build number and the model's quantisation"

done_testing
