#!/usr/bin/env bash
# The model catalog (config/models.json): PUMA's per-model timeouts, what is
# known of its compatible lists, the profiles' recommended models taken from
# it, and puma-infer's default timeout read from it (seen in the summary of
# runs against the test server, tests/helpers/fake-llm.py).
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"

"$PYTHON" - "$ROOT/config/models.json" "$ROOT/config/profiles.json" <<'EOF_PY'
import json, sys
cat = json.load(open(sys.argv[1]))
prof = json.load(open(sys.argv[2]))
m = {e["name"]: e for e in cat["models"]}
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
# PUMA's timeouts (catalog 08d152b).
want = {"qwen2.5:14b": 180, "gemma3:12b": 180, "gemma3:27b": 300, "gemma4:26b-a4b": 300,
        "deepseek-r1:7b": 300, "deepseek-r1:14b": 300}
for name, e in m.items():
    if e["timeout_source"].startswith("PUMA"):
        check(e["timeout_s"] == want.get(name, 120), "timeout of " + name)
for name in want:
    check(name in m, name + " listed")
check(cat["default_timeout_s"] == 120, "default 120 s")
check(m["deepseek-r1:7b"]["reasoning"] and m["deepseek-r1:14b"]["reasoning"], "deepseek-r1 reasons")
check(not m["qwen2.5:3b"]["reasoning"], "qwen2.5 does not reason")
check(all(e["timeout_s"] >= 300 for e in m.values() if e["reasoning"]), "reasoning models wait long")
# What is known of catalog 2.7.0.
apple = [p["name"] for p in prof["profiles"] if p["family"] == "apple"]
check(len(apple) == 10, "ten Apple profiles")
for name, e in m.items():
    if name.startswith("gemma4"):
        check("gpu-entry" not in e["profiles"] and not set(apple) & set(e["profiles"]), name + " on gpu-entry or Apple")
    if name.startswith("qwen3:30b"):
        check(e["profiles"] == ["gpu-high"] and not e["logprobs"], name + " gpu-high only, no logprobs")
    if name.endswith(("1b", "1.5b")):
        check(set(apple) <= set(e["profiles"]), name + " on every Apple profile")
for name in ("qwen2.5:3b", "gemma3:4b"):
    check(sorted(p for p in m[name]["profiles"] if p.startswith("apple")) == sorted(set(apple) - {"apple-silicon-m3"}),
          name + " on all Apple profiles but m3")
tiers = lambda e, t: [p for p in e["profiles"] if p.startswith("apple") and p.endswith(t)]
for name in ("mistral:7b", "llama3.1:8b"):
    check(sorted(p for p in m[name]["profiles"] if p.startswith("apple")) ==
          sorted(p for p in apple if p.endswith(("-pro", "-max", "-ultra"))), name + " on Pro/Max/Ultra")
for name in ("qwen2.5:14b", "gemma3:27b"):
    check(sorted(p for p in m[name]["profiles"] if p.startswith("apple")) ==
          sorted(p for p in apple if p.endswith(("-max", "-ultra"))), name + " on Max/Ultra")
check(sorted(p for p in m["gemma3:12b"]["profiles"] if p.startswith("apple")) ==
      sorted(["apple-silicon-m3-max", "apple-silicon-m4-pro", "apple-silicon-m4-max", "apple-silicon-m5-pro",
              "apple-silicon-m5-max", "apple-silicon-m5-ultra"]), "gemma3:12b on m3-max, m4-pro+, m5-pro+")
# Every profile recommends exactly the catalog's entries that name it.
names = {p["name"] for p in prof["profiles"]}
for p in prof["profiles"]:
    check(p["models"] == [e["name"] for e in cat["models"] if p["name"] in e["profiles"]], "models of " + p["name"])
for e in cat["models"]:
    check(set(e["profiles"]) <= names, "profiles of " + e["name"] + " exist")
# The unknowns are said.
check("could not be retrieved" in cat["unknown"], "the unknowns are said")
if fails:
    print("\n".join("# " + f for f in fails))
sys.exit(1 if fails else 0)
EOF_PY
ok $? "the catalog: PUMA's timeouts, the 2.7.0 facts, profiles recommending its entries"

# puma-infer's default timeout is the model's in the catalog.
printf '{"id":"A-1","scenario":"triage_jira","title":"t","description":"d"}\n' >"$TMP/in.jsonl"
for m in qwen2.5:14b:180 gemma3:27b:300 deepseek-r1:7b:300 qwen2.5:3b:120 some-model:q4:120; do
	name=${m%:*}
	want=${m##*:}
	port_name=P$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' _)
	start_fake "$port_name" --model "$name"
	eval "port=\$PORT_$port_name"
	puma-infer -u "http://127.0.0.1:$port" -m "$name" --no-cache -q --summary "$TMP/s.json" <"$TMP/in.jsonl" >/dev/null 2>"$TMP/err"
	is "$?:$(pyq "$TMP/s.json" 'r[0]["timeout_s"]')" "0:$want.0" "puma-infer -m $name: timeout $want s from the catalog"
done
puma-infer -u "http://127.0.0.1:$port" -m some-model:q4 --timeout 7.5 --no-cache -q --summary "$TMP/s.json" <"$TMP/in.jsonl" >/dev/null 2>&1
is "$(pyq "$TMP/s.json" 'r[0]["timeout_s"]')" 7.5 "--timeout wins over the catalog"
# The timeout is really used: a 1.5 s answer fails with --timeout 0.5.
printf '{"id":"A-2","scenario":"triage_jira","title":"FAULT:delay-1500","description":"d"}\n' >"$TMP/slow.jsonl"
puma-infer -u "http://127.0.0.1:$port" -m some-model:q4 --timeout 0.5 --retries 0 --no-cache -q <"$TMP/slow.jsonl" >"$TMP/o" 2>/dev/null
is "$?:$(pyq "$TMP/o" '"timed out" in r[0]["error"]')" "3:True" "a request slower than the timeout fails (a failed record: exit 3)"
# A catalog with a bad value is said, and the default used.
mkdir -p "$TMP/cfg"
cp -R "$ROOT/config/." "$TMP/cfg/"
sed -i 's/"timeout_s": 120,/"timeout_s": "soon",/' "$TMP/cfg/models.json"
puma-infer --config-dir "$TMP/cfg" -u "http://127.0.0.1:$port" -m qwen2.5:3b --no-cache -q --summary "$TMP/s.json" \
	<"$TMP/in.jsonl" >/dev/null 2>"$TMP/err"
grep -q "^puma-infer: .*models.json: a \"timeout_s\" is not a number of seconds from 0 to 86400; using 120 s" "$TMP/err"
ok $? "a bad timeout in the catalog is named"
done_testing
