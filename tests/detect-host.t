#!/usr/bin/env bash
# puma-detect on the machine the tests run on, whatever it is: the output
# is valid JSON, the figures match an independent Python reading of the
# machine (tests/ref/detect_host.py), and the profile follows from the
# figures printed by PUMA's rules.
. "$(dirname "$0")/lib.sh"
need_python json

cd "$TMP" || exit 1
env -u OLLAMA_HOST "$BIN/puma-detect" >"$TMP/host.json" 2>"$TMP/err"
st=$?
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not isinstance(d, dict))' "$TMP/host.json"
ok $? "the output is one JSON object"
# Exit 1 only for a machine PUMA cannot use; then no profile is printed.
prof=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile"])' "$TMP/host.json")
# Exit 0 with one of config/profiles.json's profiles, or exit 1 with none.
names=$("$PYTHON" -c 'import json,sys; print(" ".join(p["name"] for p in json.load(open(sys.argv[1]))["profiles"]))' \
	"$ROOT/config/profiles.json")
if [ "$st" = 0 ]; then
	case " $names " in
	*" $prof "*) ok 0 "exit 0 with profile $prof, one of config/profiles.json's" ;;
	*) ok 1 "exit 0 with profile $prof, one of config/profiles.json's"
	   echo "# known profiles: $names" ;;
	esac
else
	is "$st:$prof" "1:None" "exit $st only when no profile could be chosen"
fi
"$PYTHON" "$ROOT/tests/ref/detect_host.py" "$TMP/host.json" "$TMP" "$ROOT/config/profiles.json" >"$TMP/checks"
ok $? "the independent reading ran"
while read -r verdict rest; do
	if [ "$verdict" = PASS ]; then
		ok 0 "$rest"
	else
		ok 1 "${rest%%:*}"
		echo "# ${rest#*: }"
	fi
done <"$TMP/checks"
"$BIN/puma-detect" --format text >"$TMP/host.txt" 2>/dev/null
grep -q "^  Chosen      $prof " "$TMP/host.txt" || { [ "$prof" = None ] && grep -q "^  Chosen      none$" "$TMP/host.txt"; }
ok $? "the text report names the same profile"
done_testing
