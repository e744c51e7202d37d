# tests/lib.sh - sourced by every tests/*.t: paths, a scratch directory
# and a few TAP helpers.  Tests print TAP on stdout; prove counts them.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PUMA_BIN:-$ROOT/bin}
BUILD=${PUMA_BUILD:-$ROOT/build/rel}
# Debian's interpreter, where python3-numpy and python3-pandas live.
PYTHON=${PUMA_PYTHON:-/usr/bin/python3}
# Public datasets are never part of the project; they sit beside it.
SHARED=${PUMA_SHARED_DATA:-$ROOT/../shared/data}
export PATH="$BIN:$PATH"
export LC_ALL=C
TMP=$(mktemp -d "${TMPDIR:-/tmp}/puma-test.XXXXXX")
# at_exit CMD: run CMD when the test ends (last added, first run), before
# the scratch directory goes.
_at_exit=""
at_exit() {
	_at_exit="$1; $_at_exit"
}
trap 'eval "$_at_exit"; rm -rf "$TMP"' EXIT

_n=0
_failed=0

# ok STATUS NAME: one test point from a command's status.
ok() {
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

# is GOT EXPECTED NAME: compare two strings, showing both on failure.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:      %s\n# expected: %s\n' "$1" "$2" | head -n 40
	fi
}

# same_file GOT EXPECTED NAME: compare two files, showing a diff on failure.
same_file() {
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff -u "$2" "$1" | head -n 40 | sed 's/^/# /'
	fi
}

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $1"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

need_shared() {
	[ -d "$SHARED" ] || skip_all "public datasets not found at $SHARED (set PUMA_SHARED_DATA)"
}

need_python() {
	"$PYTHON" -c "import ${1:-json}" 2>/dev/null ||
		skip_all "$PYTHON cannot import ${1:-json} (run: make deps)"
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# ---- Helpers shared by several tests ----

# project_make ARGS...: the project's make (NO_BUILD=1, the tools of
# $BIN), free of the flags of a make running the suite.
project_make() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" \
		NO_BUILD=1 "BINDIR=$BIN" "$@"
}

# json FILE EXPR: evaluate EXPR over the JSON object d in FILE.
json() {
	"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# untimed FILE: the records of a JSON Lines file without what varies from
# run to run (latency_ms, timings, cached), keys sorted.
untimed() {
	"$PYTHON" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    for k in ("latency_ms", "timings", "cached"):
        r.pop(k, None)
    print(json.dumps(r, sort_keys=True))' "$1"
}

# triage_issues FILE N PREFIX: N triage instance records with ids
# PREFIX-0..., a title and a description made of a few words, and golds
# cycling through Critical, Major, Minor, Trivial.
triage_issues() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import json, sys
labels = ["Critical", "Major", "Minor", "Trivial"]
words = ["login", "crash", "typo", "footer", "database", "timeout", "colour", "report"]
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"id": "%s-%d" % (sys.argv[3], i), "scenario": "triage_jira",
                            "title": "%s %s %d" % (words[i % 8], words[(i * 3) % 8], i),
                            "description": "The %s fails when the %s is used." % (words[i % 5], words[i % 7]),
                            "gold": labels[i % 4], "row": i + 1}) + "\n")
PY
}

# bug_reports FILE PREFIX K...: triage records, gold Major, of the bug
# reports numbered K (0 to 5) below, with ids PREFIX-0, PREFIX-1, ...
bug_reports() {
	"$PYTHON" - "$@" <<'PY'
import json, sys
items = [("Login crashes", "Every user sees a crash right after entering the password."),
         ("Typo in footer", "The footer says Copyrigth."),
         ("Report is slow", "The monthly report takes ten minutes to render."),
         ("Data loss on save", "Saving a draft twice deletes the first version."),
         ("Button misaligned", "The OK button is two pixels too low on the settings page."),
         ("Search ignores accents", "Searching for caf\u00e9 does not find cafe.")]
with open(sys.argv[1], "w") as f:
    for i, k in enumerate(sys.argv[3:]):
        t, d = items[int(k)]
        f.write(json.dumps({"id": "%s-%d" % (sys.argv[2], i), "scenario": "triage_jira", "title": t,
                            "description": d, "gold": "Major"}) + "\n")
PY
}

# start_llama ARGS...: the real llama-server of tests/fixtures/llama with
# ARGS (e.g. -a tiny); sets LPORT, LPID and LURL and stops the server when
# the test ends.  When the fixture cannot start, the test ends here: the
# rest is skipped, or, with PUMA_REQUIRE_LLAMA=1 (CI), it fails.
start_llama() {
	local started why

	if ! started=$("$ROOT/tests/fixtures/llama/start-server.sh" "$@" 2>"$TMP/start.err"); then
		why=$(tail -n 1 "$TMP/start.err")
		if [ "${PUMA_REQUIRE_LLAMA:-0}" = 1 ]; then
			ok 1 "llama-server fixture: $why"
			sed 's/^/# /' "$TMP/start.err" | tail -n 20
			done_testing
			exit 1
		fi
		[ "$_n" -eq 0 ] && skip_all "llama-server fixture unavailable: $why"
		skip "llama-server fixture unavailable: $why"
		done_testing
		exit 0
	fi
	read -r LPORT LPID <<<"$started"
	LURL="http://127.0.0.1:$LPORT"
	at_exit '"$ROOT/tests/fixtures/llama/stop-server.sh" "$LPID" >/dev/null 2>&1'
}

# start_ollama_proxy ARGS...: Ollama's API in front of the llama-server
# (tests/helpers/ollama-proxy.py --upstream $LURL ARGS); sets OURL.
start_ollama_proxy() {
	"$PYTHON" "$ROOT/tests/helpers/ollama-proxy.py" --upstream "$LURL" "$@" \
		>"$TMP/proxy.port" 2>"$TMP/proxy.err" &
	_proxy=$!
	at_exit 'kill "$_proxy" 2>/dev/null && wait "$_proxy" 2>/dev/null'
	for _ in $(seq 200); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
	OURL="http://127.0.0.1:$(cat "$TMP/proxy.port")"
}

