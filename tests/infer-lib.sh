# tests/infer-lib.sh - sourced by tests/infer*.t after lib.sh: the test
# server (tests/helpers/fake-llm.py) and reading records back.
#
#   start_fake NAME [ARG...]  start a fake server (stopped at exit); sets
#                             PORT_NAME
#   stats PORT                the server's /_stats (JSON)
#   requests PORT             how many requests it has had
#   pyq FILE EXPR             evaluate EXPR over the records (list r) of a
#                             JSON Lines file

FAKE="$ROOT/tests/helpers/fake-llm.py"
export PUMA_CONFIG_DIR="$ROOT/config"
unset OLLAMA_HOST OPENAI_API_KEY

pids=""
at_exit 'for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done'

start_fake() {
	local name=$1
	shift
	"$PYTHON" "$FAKE" "$@" >"$TMP/$name.port" 2>"$TMP/$name.log" &
	pids="$pids $!"
	for _ in $(seq 200); do [ -s "$TMP/$name.port" ] && break; sleep 0.05; done
	eval "PORT_$name=$(cat "$TMP/$name.port")"
}
stats() { curl -s "http://127.0.0.1:$1/_stats"; }
requests() { stats "$1" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
pyq() {
	"$PYTHON" -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))' "$1" "$2"
}
