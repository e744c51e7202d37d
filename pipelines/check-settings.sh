#!/usr/bin/env bash
# pipelines/check-settings.sh - check the protocol's make variables before
# any recipe puts them on a command line.  Each arrives in the environment
# as PUMA_SET_<NAME> (pipelines/settings.mk), never through a shell's
# parsing; a value that does not fit its kind stops the run (exit 2), so
# no value can be read by a shell as more than one word of data.
set -u
st=0

# bad NAME WHAT: report a variable whose value does not fit.
bad() {
	local v="PUMA_SET_$1"
	printf 'run: %s=%q is not %s\n' "$1" "${!v}" "$2" >&2
	st=2
}

# url_list_ok VALUE RE: VALUE is one word matching RE, or 2 to 64 words
# separated by single spaces (no space leading, trailing or doubled), each
# matching RE and beginning http:// or https://.
url_list_ok() {
	local rest=$1 w n=0
	case $1 in *' '*) ;; *) [[ $1 =~ $2 ]]; return ;; esac
	while :; do
		w=${rest%% *}
		[[ $w =~ $2 ]] && [[ $w =~ ^https?:// ]] || return 1
		n=$((n + 1))
		[ "$n" -le 64 ] || return 1
		[ "$rest" != "$w" ] || return 0
		rest=${rest#* }
	done
}

# check KIND NAME...: every NAME's value must be of KIND; an empty value
# is fine for an optional setting (the kinds ending in ?).
check() {
	local kind=$1 name v re what
	shift
	for name; do
		v="PUMA_SET_$name"
		[ -n "${!v+x}" ] || continue
		v=${!v}
		if [ -z "$v" ]; then
			case $kind in
			*\?) continue ;;
			esac
		fi
		case ${kind%\?} in
		int) re='^[0-9]{1,9}$'; what='a whole number' ;;
		dec) re='^[0-9]{1,9}(\.[0-9]{1,15})?$'; what='a decimal number' ;;
		bit) re='^[01]$'; what='0 or 1' ;;
		scen) re='^[a-z0-9_]{1,64}$'; what='a scenario name (lower-case letters, digits and _)' ;;
		name) re='^[A-Za-z0-9._:/-]{1,200}$'; what='a name (letters, digits and . _ : / -)' ;;
		# Paths and label lists: some recipes use them unquoted.
		path) re='^[A-Za-z0-9._/+,:@%=~-]{1,4096}$'; what='a path of letters, digits and . _ / + , : @ % = ~ -' ;;
		text) re='^[A-Za-z0-9._/+,:@%=~ -]{1,4096}$'; what='a list of letters, digits, spaces and . _ / + , : @ % = ~ -' ;;
		# URLs: each word is checked alone below.
		url) re='^[][A-Za-z0-9._~:/?#@!&()*+,;=%-]{1,2000}$'; what='a URL, or up to 64 http(s) URLs separated by single spaces' ;;
		args) re='^[A-Za-z0-9._:/=,+@%-]+( [A-Za-z0-9._:/=,+@%-]+)*$'
		      what='options and values of letters, digits and . _ : / = , + @ % - separated by single spaces' ;;
		esac
		if [ "${kind%\?}" = url ]; then
			url_list_ok "$v" "$re" || bad "$name" "$what"
		else
			[[ $v =~ $re ]] || bad "$name" "$what"
		fi
	done
}

check int N SEED NUM_PREDICT TOP_LOGPROBS JOBS BINS
check int? NUM_CTX MAX_CHARS K RETRIES
check dec TEMPERATURE
check dec? TIMEOUT INTENSITY PUE
check bit LOGPROBS
check scen SCENARIO
check name STRATEGY MODEL BACKEND NAME
check name? CONSTRAIN COUNTRY MODEL_DIGEST PROFILE PAIRS PROMPTS THINK ROBUSTNESS_NAME FAIRNESS_NAME
check bit? TRUNCATE
check url? URL
check path DATASET RUNS BINDIR
check path? EXAMPLES A B RUN PROMPTS_DIR
check text? LABELS PERTURB BASELINES
check args? INFER_ARGS
exit $st
