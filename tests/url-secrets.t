#!/usr/bin/env bash
# A URL's userinfo (user:password@) is used for the requests but never
# shown or stored: puma-infer's summary and messages, puma-detect's output
# and messages, and a whole make run's files keep only "***@".
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/infer-lib.sh"
PW=S3cretPW77
start_fake f
printf '{"id":"A","scenario":"triage_jira","title":"t","description":"d","gold":"Major"}\n' >"$TMP/in"

# leaks FILE...: how many of the files hold the password or the user name.
leaks() { cat "$@" 2>/dev/null | grep -c -e "$PW" -e "bob"; }

puma-infer -m fake:1b -b ollama -u "http://bob:$PW@127.0.0.1:$PORT_f" --no-cache \
	--summary "$TMP/sum.json" "$TMP/in" >"$TMP/out" 2>"$TMP/err"
is "$?:$(leaks "$TMP/sum.json" "$TMP/out" "$TMP/err")" "0:0" "puma-infer: the summary and records hold no userinfo"
is "$(pyq "$TMP/sum.json" 'r[0]["url"]')" "http://***@127.0.0.1:$PORT_f" "puma-infer: the summary's url shows ***@ in its place"

for b in ollama openai; do
	puma-infer -m m -b "$b" -u "http://bob:$PW@127.0.0.1:9" --no-cache --retries 0 \
		--summary "$TMP/sum.json" "$TMP/in" >"$TMP/out" 2>"$TMP/err"
	st=$?
	is "$st:$(leaks "$TMP/err" "$TMP/out" "$TMP/sum.json")" "1:0" "puma-infer $b, connection refused: no userinfo on stderr"
	grep -q "http://\*\*\*@127.0.0.1:9" "$TMP/err"
	ok $? "puma-infer $b, connection refused: stderr still names the server"
done
OLLAMA_HOST="bob:$PW@127.0.0.1:9" puma-infer -m m --no-cache --retries 0 "$TMP/in" >/dev/null 2>"$TMP/err"
is "$(leaks "$TMP/err")" 0 "puma-infer: OLLAMA_HOST without a scheme is redacted too"

puma-detect --server "http://bob:$PW@127.0.0.1:$PORT_f" >"$TMP/host.json" 2>"$TMP/err"
is "$?:$(leaks "$TMP/host.json" "$TMP/err")" "0:0" "puma-detect: the host description holds no userinfo"
puma-detect --server "http://bob:$PW@127.0.0.1:9" --require-server --timeout 2 >"$TMP/host.json" 2>"$TMP/err"
is "$?:$(leaks "$TMP/host.json" "$TMP/err")" "1:0" "puma-detect: an unreachable server's messages hold no userinfo"

# A whole run: nothing under the run directory, nothing printed.
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 "BINDIR=$BIN" \
	run "RUNS=$TMP/runs" "DATASET=$TMP/in" N=1 MODEL=fake:1b BACKEND=ollama \
	"URL=http://bob:$PW@127.0.0.1:$PORT_f" >"$TMP/out" 2>"$TMP/err"
st=$?
d=$(ls -d "$TMP"/runs/*/ 2>/dev/null | head -n 1)
is "$st:$([ -f "$d/manifest.json" ] && echo done)" "0:done" "make run with a password in URL completes"
is "$(grep -rl -e "$PW" -e bob "$TMP/runs" | wc -l):$(leaks "$TMP/out" "$TMP/err")" "0:0" \
	"make run: no file of the run, and nothing printed, holds the userinfo"

done_testing
