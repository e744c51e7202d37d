#!/usr/bin/env bash
# puma-infer against hostile or broken servers and outputs: the API key on
# every request, a response size limit, write errors, implausible figures.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
start_fake f
U="http://127.0.0.1:$PORT_f"
"$PYTHON" -c 'import json
for i in range(3): print(json.dumps({"id": "R-%d" % i, "scenario": "triage_jira", "title": "t%d" % i, "description": "d"}))' >"$TMP/in"

# ---- The API key goes with every request, Ollama's included ----
MYKEY=k-123456 puma-infer -m fake:1b -b ollama -u "$U" --api-key-env MYKEY --unload --no-cache \
	"$TMP/in" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "ollama with --api-key-env: the run succeeds"
is "$(stats "$PORT_f" | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["noauth"], sorted(set(d["auth"])), len(d["auth"]))')" \
	"[] ['Bearer k-123456'] 6" \
	"ollama with --api-key-env: /api/version, /api/tags, the unload and every generate carry the key"
done_testing
