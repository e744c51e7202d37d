#!/bin/sh
# pipelines/run-dir.sh RUNS NAME - print the run directory for the settings
# in $SETTINGS (one key=value per line), making it if needed.
#
# The run id is NAME__H__T: H is 16 hex digits of the sha256 of the
# settings, T the UTC start time.  The settings gain the path and sha256 of
# each file that shapes the requests (EXAMPLES, and a --template or
# --examples in INFER_ARGS), so other contents make another run.  The newest directory with the same name
# and settings that has no manifest.json is unfinished: it is resumed.
set -eu
runs=$1
name=$2
case $name in
*/* | *__* | "") echo "run-dir: NAME '$name' may not be empty or hold '/' or '__'" >&2; exit 2 ;;
esac
if command -v sha256sum >/dev/null 2>&1; then
	sum() { sha256sum | cut -c1-64; }
else
	sum() { shasum -a 256 | cut -c1-64; }
fi
# setting KEY: the value of KEY= in $SETTINGS.
setting() { printf '%s\n' "$SETTINGS" | sed -n "s/^$1=//p" | head -n 1; }
# filesum KEY PATH: the lines that pin a file's contents.
filesum() {
	if [ -f "$2" ]; then
		printf '%s=%s\n%s_sha256=%s\n' "$1" "$2" "$1" "$(sum <"$2")"
	else
		printf '%s=%s\n%s_sha256=none\n' "$1" "$2" "$1"
	fi
}
files=""
ex=$(setting examples)
[ -z "$ex" ] || files=$(filesum examples "$ex")
# INFER_ARGS holds only plain words (pipelines/check-settings.sh).
set -f
next=""
for w in $(setting infer_args); do
	case $next in
	template | examples) files="$files
$(filesum "$next" "$w")"; next=""; continue ;;
	esac
	case $w in
	-t | --template) next=template ;;
	--examples) next=examples ;;
	--template=*) files="$files
$(filesum template "${w#--template=}")" ;;
	--examples=*) files="$files
$(filesum examples "${w#--examples=}")" ;;
	esac
done
set +f
if [ -n "$files" ]; then
	SETTINGS="$SETTINGS
$(printf '%s\n' "$files" | sed '/^$/d')"
fi
hash=$(printf '%s\n' "$SETTINGS" | sum | cut -c1-16)
mkdir -p "$runs"
for d in $(ls -d "$runs/${name}__${hash}__"* 2>/dev/null | sort -r); do
	if [ ! -f "$d/manifest.json" ]; then
		echo "run: resuming $d" >&2
		echo "$d"
		exit 0
	fi
done
# A new run; two in the same second wait for the next one.
while :; do
	d="$runs/${name}__${hash}__$(date -u +%Y%m%dT%H%M%S)"
	mkdir "$d" 2>/dev/null && break
	sleep 1
done
printf '%s\n' "$SETTINGS" >"$d/settings.txt"
date -u +%Y-%m-%dT%H:%M:%SZ >"$d/started.txt"
echo "run: new run $d" >&2
echo "$d"
