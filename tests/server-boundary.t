#!/usr/bin/env bash
# Everything about LLM servers lives in src/lib/backend.c: no tool reads
# OLLAMA_HOST, normalises a server URL or asks a server its API itself;
# puma-infer and puma-detect walk JSON values through json.h's accessors
# only; and the library keeps one monotonic clock (src/lib/clock.c).
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# hits PATTERN FILE...: the lines matching PATTERN (extended regexp),
# comments left out, as "file:line: text".
hits() {
	local pat=$1
	shift
	grep -nE "$pat" "$@" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)'
}

is "$(hits 'getenv\("OLLAMA_HOST"\)|backend_ollama_host\(|"://"' src/puma-*.c)" "" \
	"no tool reads OLLAMA_HOST or normalises a server URL (backend_base_url does)"
is "$(hits '"/api/(version|tags)"|"/v1/models"|"/props"|http_request\(' src/puma-*.c)" "" \
	"no tool asks a server what it is (backend_probe, backend_discover do)"
is "$(hits 'u\.mem|u\.items|->raw|\.raw\b' src/puma-infer.c src/puma-detect.c)" "" \
	"puma-infer and puma-detect reach into no JSON value (json.h's accessors)"
is "$(grep -lE 'CLOCK_MONOTONIC' src/*.c src/lib/*.c | grep -vE '^src/lib/(clock|energy)\.c$')" "" \
	"one monotonic clock: clock_mono() (energy.c only dates a condition variable's deadline)"
is "$(grep -c 'CLOCK_MONOTONIC' src/lib/energy.c)" 2 \
	"energy.c: the condition variable's clock and its deadline, no clock of its own"
done_testing
