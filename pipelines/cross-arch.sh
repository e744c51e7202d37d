#!/bin/sh
# pipelines/cross-arch.sh A B OUT - the seed's protocol on two run
# directories: puma-diff checks the model digests first, then compares
# metrics, tokens, logprobs and calibration; the Markdown report goes to OUT
# and the JSON beside it.  Exits as puma-diff does: 0 when H0 holds.
set -u
a=$1
b=$2
out=$3
bin=${PUMA_BIN:-bin}
for d in "$a" "$b"; do
	if [ ! -f "$d/manifest.json" ]; then
		echo "cross-arch: $d is not a finished run (no manifest.json); finish it first" >&2
		exit 2
	fi
done
# Two runs that sent different prompts answer different questions: the
# template's sha256 (manifest.json) must match before anything is compared.
tsha() {
	grep -o '"prompt_template":{"path":"[^"]*","sha256":"[0-9a-f]*"' "$1/manifest.json" | sed 's/.*"sha256":"//; s/"$//'
}
ta=$(tsha "$a")
tb=$(tsha "$b")
if [ -n "$ta" ] && [ -n "$tb" ] && [ "$ta" != "$tb" ]; then
	echo "cross-arch: $a and $b sent different prompt templates (sha256 $ta and $tb; see prompt_template" \
		"in their manifests): their results are not comparable; rerun one with the other's PROMPTS" >&2
	exit 2
fi
"$bin/puma-diff" "$a" "$b" >"${out%.md}.json.tmp"
st=$?
if [ $st -eq 2 ]; then
	rm -f "${out%.md}.json.tmp"
	exit 2
fi
"$bin/puma-diff" --format md "$a" "$b" >"$out.tmp" 2>/dev/null
mv "${out%.md}.json.tmp" "${out%.md}.json"
mv "$out.tmp" "$out"
sed -n '/^## Verdicts/,/^## 1/p' "$out" | sed '$d'
echo "cross-arch: report in $out"
exit $st
