#!/usr/bin/env bash
# puma-detect --server against real HTTP: a small Python server answering
# as Ollama, llama-server or vLLM would, one that is no inference server,
# one that is too slow, and a port where nothing listens.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/detect-lib.sh"
need_python http.server

PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# serve MODE: start the stand-in; sets $URL.
serve() {
	rm -f "$TMP/port"
	"$PYTHON" "$ROOT/tests/ref/detect_server.py" "$1" "$TMP/port" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do
		[ -s "$TMP/port" ] && break
		sleep 0.05
	done
	URL="http://127.0.0.1:$(cat "$TMP/port")"
}

# A port where nothing listens: bound, then closed.
DEAD=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

linux_box $((16 * GIB_KB))

serve ollama
detect --server "$URL"
is "$st $(q '[d["server"][k] for k in ("url", "source", "reachable", "backend", "version", "error")]')" \
	"0 [\"$URL\", \"--server\", true, \"ollama\", \"0.5.7\", null]" "Ollama: reachable, version"
is "$(q 'd["server"]["models"]')" \
	'[{"name": "qwen2.5:3b", "digest": "357c53fb659c5076de1d65ccb0b397446227b71a42be9d1603d46168015c9e4b"}, {"name": "gemma3:1b", "digest": "8648f39daa8fbf5b18c7b4e6a8fb4990c692751d49917417b8842ca5758e7ffc"}]' \
	"Ollama: every model with its digest"
is "$(q '[p for p in d["problems"] if "disk" not in p["message"]]')" "[]" "a server that answers is no problem"
detect --server "$URL/" --format text
grep -q "^  Answers     yes: ollama, version 0.5.7$" "$OUT" &&
	grep -q "^  Models      qwen2.5:3b  357c53fb659c5076de1d65ccb0b397446227b71a42be9d1603d46168015c9e4b$" "$OUT"
ok $? "text report shows the server and its models"
detect --server "$URL"
is "$(q 'd["profile"], d["server"]["recommended"]')" \
	'["cpu-standard", {"profile": "cpu-standard", "present": ["qwen2.5:3b"], "missing": ["gemma3:4b", "gemma4:e2b"]}]' \
	"the profile's recommended models: which the server has, which it lacks"
is "$(q 'd["server"]["recommended"]["present"] + d["server"]["recommended"]["missing"] == d["models"]')" true \
	"present and missing together are the profile's models"
detect --server "$URL" --format text
grep -q "^  Has         of cpu-standard's recommended models: qwen2.5:3b$" "$OUT" &&
	grep -q "^  Lacks       gemma3:4b, gemma4:e2b (Ollama: ollama pull gemma3:4b)$" "$OUT"
ok $? "text report: the recommended models the server has and lacks, and how to fetch one"

# OLLAMA_HOST as Ollama reads it: no scheme, host:port.
/usr/bin/env PATH="$FB" PUMA_SYSROOT="$R" OLLAMA_HOST="127.0.0.1:${URL##*:}" \
	"$BIN/puma-detect" --config-dir "$ROOT/config" --dir "$TMP" >"$OUT" 2>"$ERR"
is "$?:$(q 'd["server"]["source"]') $(q 'd["server"]["url"]') $(q 'd["server"]["version"]')" \
	"0:OLLAMA_HOST $URL 0.5.7" "OLLAMA_HOST is used when --server is not given"
for pair in "localhost|http://localhost:11434" ":7777|http://127.0.0.1:7777" "http://box|http://box:80" \
	"https://box.example|https://box.example:443" "0.0.0.0:11434|http://0.0.0.0:11434" "http://box:8080/ollama/|http://box:8080/ollama" "[::1]|http://[::1]:11434"; do
	/usr/bin/env PATH="$FB" PUMA_SYSROOT="$R" OLLAMA_HOST="${pair%%|*}" \
		"$BIN/puma-detect" --config-dir "$ROOT/config" --dir "$TMP" --timeout 0.3 >"$OUT" 2>"$ERR"
	is "$(q 'd["server"]["url"]')" "${pair##*|}" "OLLAMA_HOST=${pair%%|*} means ${pair##*|}"
done

serve notags
detect --server "$URL"
is "$st $(q '[d["server"][k] for k in ("reachable", "backend", "models", "error")]')" \
	'0 [true, "ollama", null, "GET /api/tags: HTTP 500"]' "Ollama whose /api/tags fails: models unknown, error said"
grep -q "the server at $URL answers, but: GET /api/tags: HTTP 500" "$OUT"
ok $? "...and it is a warning"

serve openai
detect --server "$URL"
is "$(q '[d["server"][k] for k in ("reachable", "backend", "version", "models", "error")]')" \
	'[true, "openai", "b4500-1a2b3c4d", [{"name": "tiny-model.gguf", "digest": null}], null]' \
	"llama-server: OpenAI-compatible /v1/models, build from /props, no digest"

serve vllm
detect --server "$URL"
is "$(q '[d["server"][k] for k in ("backend", "version", "models")]')" \
	'["openai", "0.6.3", [{"name": "Qwen/Qwen2.5-3B-Instruct", "digest": null}]]' "vLLM: version from /version"

serve none
detect --server "$URL"
is "$st $(q '[d["server"][k] for k in ("reachable", "backend", "models")]')" '0 [true, null, null]' \
	"a web server that is no inference server: reachable, no backend"
is "$(q 'd["server"]["error"]')" \
	"no Ollama or OpenAI-compatible API answered (GET /api/version: HTTP 404; GET /v1/models: HTTP 404)" \
	"...and the error names both attempts"

serve odd
detect --server "$URL"
is "$(q '[d["server"][k] for k in ("reachable", "backend", "error")]')" \
	'[true, null, "no Ollama or OpenAI-compatible API answered (GET /api/version: the answer has no version; GET /v1/models: the answer has no data list)"]' \
	"JSON answers of the wrong shape are said to be so"

# Nothing listens: reported, not fatal, unless --require-server.
detect --server "127.0.0.1:$DEAD" --timeout 2
is "$st $(q '[d["server"][k] for k in ("url", "reachable", "backend", "version", "models")]') $(q 'd["profile"]')" \
	"0 [\"http://127.0.0.1:$DEAD\", false, null, null, null] cpu-standard" \
	"unreachable server: reported, profile still chosen, exit 0"
q 'd["server"]["error"]' | grep -q "Couldn't connect to server"
ok $? "...with the transport error"
grep -q '"severity":"warning","message":"the server at http://127.0.0.1:'"$DEAD"' does not answer: ' "$OUT"
ok $? "...as a warning"
detect --server "127.0.0.1:$DEAD" --timeout 2 --require-server
is "$st $(q 'd["profile"]')" "1 cpu-standard" "--require-server: exit 1, the record still printed"
grep -q "^puma-detect: the server at http://127.0.0.1:$DEAD does not answer: .*Couldn't connect to server" "$ERR"
ok $? "...and stderr says why"
grep -q '"severity":"error","message":"the server at' "$OUT"
ok $? "...an error in problems"

serve slow
start=$(date +%s%N)
detect --server "$URL" --timeout 0.5
ms=$((($(date +%s%N) - start) / 1000000))
is "$st $(q 'd["server"]["reachable"]')" "0 false" "a server slower than --timeout counts as not answering"
ok $((ms < 4000 ? 0 : 1)) "...and the wait is bounded (${ms} ms)"
q 'd["server"]["error"]' | grep -qi "timeout\|timed out"
ok $? "...the error says it timed out"

done_testing
