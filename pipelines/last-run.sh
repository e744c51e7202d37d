#!/bin/sh
# pipelines/last-run.sh RUNS NAME - the newest finished run (one with a
# manifest.json) named NAME, whatever its settings hash, or nothing.
runs=$1
name=$2
# Newest first by the UTC time at the end of the run id.
for d in $(ls -d "$runs/${name}__"*/ 2>/dev/null | sed 's:/$::; s/^\(.*__\)\([0-9T]*\)$/\2 \1\2/' |
	sort -r | cut -d' ' -f2-); do
	if [ -f "$d/manifest.json" ]; then
		echo "$d"
		exit 0
	fi
done
