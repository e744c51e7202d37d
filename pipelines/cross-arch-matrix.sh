#!/usr/bin/env bash
# pipelines/cross-arch-matrix.sh - the CPU cells of the cross-architecture
# matrix on this machine: llama-server built for each CPU backend
# (scripts/backends/build-llama-server.sh; arm64 runs under qemu-aarch64),
# each model file, one request at a time (-np 1, -j 1) and eight at once
# (-np 8, -j 8), the canonical triage and estimation runs with logprobs.
# Each cell is compared with puma-diff against x86-avx2, -np 1, same model
# file; the table of all cells goes to $XAM_OUT/table.md (and table.json).
#
# Settings (environment; make cross-arch-matrix passes its variables):
#   XAM_MODELS     "LABEL=FILE ..." GGUF files (default: models/*.gguf, by
#                  the quantisation in their names; else the tiny test model)
#   XAM_BACKENDS   default "x86-avx2 x86-avx512 arm64-neon"; x86-avx2 is the
#                  reference and is always run first
#   XAM_NP         default "1 8": slots and requests in flight
#   XAM_SCENARIOS  default "triage estimation"
#   XAM_SKIP       cells not to run, as shell patterns on
#                  BACKEND/LABEL/npK/SCENARIO (e.g. "arm64-neon/F16/*/*")
#   XAM_N, XAM_NUM_PREDICT  default 200 and 256 (the canonical runs)
#   XAM_CELL_N     "PATTERN=K ...": cells matching PATTERN run K issues only,
#                  an even spread of the reference cell's sample (for the slow
#                  emulated backend, e.g. "arm64-neon/*/*/*=40")
#   XAM_THREADS    llama-server -t (default 1, the same in every cell;
#                  one thread per server suits a small shared machine)
#   XAM_CTX        context per slot (default 8192)
#   XAM_OUT        default runs/cross-arch-matrix; XAM_DATA  default data
#   XAM_IMPORT     "NAME=DIR ...": finished runs made elsewhere with the same
#                  settings (e.g. the CUDA cells of bench/cross-arch-gpu.sh),
#                  compared with the reference as backend NAME
#   XAM_TIMEOUT    puma-infer's --timeout per request (default its own, 120 s;
#                  eight long prompts at once under qemu need more)
#   XAM_RUN=0      run nothing: only compare and tabulate the finished cells
# A finished cell is kept: running again resumes the matrix where it stopped.
# Exit: 0 when every cell that ran finished, 1 otherwise.
set -euo pipefail
: "${PUMA_BIN:=bin}" "${MAKE:=make}"
FIX=tests/fixtures/llama
BUILD=scripts/backends/build-llama-server.sh
OUT=${XAM_OUT:-runs/cross-arch-matrix}
BACKENDS=${XAM_BACKENDS:-x86-avx2 x86-avx512 arm64-neon}
NPS=${XAM_NP:-1 8}
SCENARIOS=${XAM_SCENARIOS:-triage estimation}
N=${XAM_N:-200}
NUM_PREDICT=${XAM_NUM_PREDICT:-256}
THREADS=${XAM_THREADS:-1}
CTX=${XAM_CTX:-8192}
DATA=${XAM_DATA:-data}
REF=x86-avx2
prog=cross-arch-matrix

say() { echo "$prog: $*" >&2; }

# The model files: given, or the project's, or the tiny test model.
models=()
if [ -n "${XAM_MODELS-}" ]; then
	read -r -a models <<<"$XAM_MODELS"
else
	for f in models/*.gguf; do
		[ -f "$f" ] || continue
		q=$(basename "$f" .gguf)
		models+=("${q##*.}=$f")
	done
	[ ${#models[@]} -gt 0 ] || models=("tiny-Q8_0=$("$FIX/tiny-model.sh")")
fi
for m in "${models[@]}"; do
	case $m in
	*=*) [ -f "${m#*=}" ] || { say "model file ${m#*=} not found"; exit 2; } ;;
	*) say "XAM_MODELS: '$m' is not LABEL=FILE"; exit 2 ;;
	esac
done
# The reference comes first; every other backend is compared with it.
others=
for b in $BACKENDS; do [ "$b" = "$REF" ] || others="$others $b"; done
BACKENDS="$REF$others"

# Canonical settings of each scenario (pipelines/protocol.mk's baselines).
scen_args() {
	case $1 in
	triage) echo SCENARIO=triage_jira STRATEGY=contextual-anchoring DATASET=$DATA/triage_jira.jsonl ;;
	estimation) echo SCENARIO=estimation_tawos STRATEGY=zero-shot DATASET=$DATA/estimation_tawos.jsonl ;;
	*) say "unknown scenario '$1' (triage or estimation)"; exit 2 ;;
	esac
}
skipped() {
	local p
	for p in ${XAM_SKIP-}; do
		# shellcheck disable=SC2254 # the pattern is meant to match
		case $1 in $p) return 0 ;; esac
	done
	return 1
}
cell_name() { echo "xam-$4-$1-$2-np$3"; }
# How many issues a cell runs when XAM_CELL_N gives it fewer than XAM_N.
cell_n() {
	local p
	for p in ${XAM_CELL_N-}; do
		# shellcheck disable=SC2254 # the pattern is meant to match
		case $1 in ${p%=*}) echo "${p##*=}"; return ;; esac
	done
}

mkdir -p "$OUT/runs" "$OUT/diffs"
: >"$OUT/not-run.txt"
st=0
pid=
trap '[ -z "$pid" ] || "$FIX/stop-server.sh" "$pid" >/dev/null 2>&1 || true' EXIT
for b in $BACKENDS; do
	[ "${XAM_RUN:-1}" != 0 ] || break
	if ! why=$("$BUILD" --check "$b"); then
		say "skipping backend $b: ${why#*: }"
		echo "$b all ${why#*: }" >>"$OUT/not-run.txt"
		continue
	fi
	bin=$("$BUILD" "$b")
	for m in "${models[@]}"; do
		label=${m%%=*} gguf=${m#*=}
		digest=$(sha256sum "$gguf" | cut -c1-64)
		model=$(basename "$gguf" .gguf)
		for np in $NPS; do
			todo=()
			for s in $SCENARIOS; do
				name=$(cell_name "$b" "$label" "$np" "$s")
				if skipped "$b/$label/np$np/$s"; then
					echo "$b $label np$np $s skipped (XAM_SKIP)" >>"$OUT/not-run.txt"
				elif [ -z "$(sh pipelines/last-run.sh "$OUT/runs" "$name")" ]; then
					todo+=("$s")
				fi
			done
			[ ${#todo[@]} -gt 0 ] || continue
			say "$b, $label, -np $np -j $np: starting llama-server ($bin)"
			read -r port pid < <(PUMA_LLAMA_SERVER=$bin PUMA_LLAMA_WAIT=600 \
				PUMA_LLAMA_LOG="$OUT/runs/server-$b-$label-np$np.log" \
				"$FIX/start-server.sh" -m "$gguf" -a "$model" -np "$np" \
				-c $((CTX * np)) -t "$THREADS") || { st=1; pid=; continue; }
			for s in "${todo[@]}"; do
				name=$(cell_name "$b" "$label" "$np" "$s")
				# Fewer issues: an even spread of the reference's own sample (which is
				# ordered by label), as a dataset of its own, so that every record pairs.
				sub=()
				k=$(cell_n "$b/$label/np$np/$s")
				if [ -n "$k" ]; then
					ref=$(sh pipelines/last-run.sh "$OUT/runs" "$(cell_name "$REF" "$label" 1 "$s")")
					[ -n "$ref" ] || { say "$name: XAM_CELL_N needs the reference cell first"; st=1; continue; }
					n_ref=$(wc -l <"$ref/instances.jsonl")
					awk -v k="$k" -v n="$n_ref" 'int((NR - 1) * k / n) != int(NR * k / n)' \
						"$ref/instances.jsonl" >"$OUT/runs/$s-$label-$k.jsonl"
					sub=(DATASET="$OUT/runs/$s-$label-$k.jsonl" N="$k")
				fi
				t0=$SECONDS
				# shellcheck disable=SC2046 # scen_args is a list of words
				"$MAKE" --no-print-directory run $(scen_args "$s") NAME="$name" RUNS="$OUT/runs" \
					BACKEND=openai URL="http://127.0.0.1:$port" MODEL="$model" \
					MODEL_DIGEST="$digest" N="$N" SEED=42 TEMPERATURE=0 \
					NUM_PREDICT="$NUM_PREDICT" JOBS="$np" LOGPROBS=1 TOP_LOGPROBS=5 "${sub[@]}" \
					TIMEOUT="${XAM_TIMEOUT-}" \
					>"$OUT/runs/$name.log" 2>&1 || { st=1; say "$name failed: see $OUT/runs/$name.log"; }
				say "$name: $((SECONDS - t0)) s"
			done
			"$FIX/stop-server.sh" "$pid" >/dev/null 2>&1 || true
			pid=
		done
	done
done

# One cell against the reference of its model and scenario: the puma-diff
# report, and a line of the index the table is made from.
diff_cell() {
	local s=$1 b=$2 label=$3 np=$4 d=$5 ref name rc=0
	ref=$(sh pipelines/last-run.sh "$OUT/runs" "$(cell_name "$REF" "$label" 1 "$s")")
	[ -n "$ref" ] || return 0
	name=$(cell_name "$b" "$label" "$np" "$s")
	"$PUMA_BIN/puma-diff" "$ref" "$d" >"$OUT/diffs/$name.json.tmp" 2>"$OUT/diffs/$name.err" || rc=$?
	[ $rc -le 1 ] || { st=1; rm -f "$OUT/diffs/$name.json.tmp"; return 0; }
	mv "$OUT/diffs/$name.json.tmp" "$OUT/diffs/$name.json"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$b" "$label" "$np" "$name.json" "$d" >>"$OUT/diffs/index.tsv"
}
# A setting of a finished run, from its settings.txt.
setting() { sed -n "s/^$2=//p" "$1/settings.txt"; }

# Every finished cell (the reference against itself too: a check that the
# comparison is sound), then the runs made elsewhere (XAM_IMPORT).
: >"$OUT/diffs/index.tsv"
for s in $SCENARIOS; do
	for m in "${models[@]}"; do
		for b in $BACKENDS; do
			for np in $NPS; do
				d=$(sh pipelines/last-run.sh "$OUT/runs" "$(cell_name "$b" "${m%%=*}" "$np" "$s")")
				[ -z "$d" ] || diff_cell "$s" "$b" "${m%%=*}" "$np" "$d"
			done
		done
	done
done
for imp in ${XAM_IMPORT-}; do
	b=${imp%%=*}
	for d in "${imp#*=}"/*/; do
		d=${d%/}
		[ -f "$d/manifest.json" ] && [ -f "$d/settings.txt" ] || continue
		case $(setting "$d" scenario) in
		triage_jira) s=triage ;;
		estimation_tawos) s=estimation ;;
		*) continue ;;
		esac
		for m in "${models[@]}"; do
			[ "$(setting "$d" model)" = "$(basename "${m#*=}" .gguf)" ] &&
				diff_cell "$s" "$b" "${m%%=*}" "$(setting "$d" jobs)" "$d"
		done
	done
done
"${PUMA_PYTHON:-python3}" pipelines/cross-arch-table.py "$OUT" >"$OUT/table.md.tmp"
mv "$OUT/table.md.tmp" "$OUT/table.md"
cat "$OUT/table.md"
say "table in $OUT/table.md; runs in $OUT/runs; puma-diff reports in $OUT/diffs"
exit $st
