#!/usr/bin/env bash
# ENGINE=slurm: a 2x2 sweep as one sbatch --array job on a single-node
# Slurm started here (munged with a key made here, slurmctld and slurmd
# with a slurm.conf for 127.0.0.1 written here, free ports, all stopped at
# the end), on the llama-server fixture; the records are those of the
# local engine.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/sweep-lib.sh"
port=9
digest=0
write_spec "$TMP/s.json" u '["zero-shot", "egi"]' '[42, 43]'

# A missing engine says so: Slurm's commands hidden from PATH.
mkdir -p "$TMP/path"
for t in bash sh env make sed wc mkdir mv cat rm mktemp dirname basename date ls sort head; do
	ln -s "$(command -v $t)" "$TMP/path/$t"
done
PATH=$TMP/path project_make sweep ENGINE=slurm "SPEC=$TMP/s.json" "RUNS=$TMP/none" >/dev/null 2>"$TMP/err"
ok $([ $? -ne 0 ] && grep -q "ENGINE=slurm needs Slurm's sbatch, which is not installed" "$TMP/err"; echo $?) \
	"without Slurm: a clear message"
# The plan: the array script with the spec's directives.
printf '%s\n' "$(sed 's/}$/, "slurm": {"partition": "debug", "time": "00:10:00", "cpus_per_task": 1}}/' "$TMP/s.json")" >"$TMP/s2.json"
mv "$TMP/s2.json" "$TMP/s.json"
project_make -n sweep ENGINE=slurm "SPEC=$TMP/s.json" "RUNS=$TMP/none" >"$TMP/plan" 2>&1
ok $(grep -q '^#SBATCH --array=1-4$' "$TMP/plan" && grep -q '^#SBATCH --partition=debug$' "$TMP/plan" &&
	grep -q '^#SBATCH --time=00:10:00$' "$TMP/plan" && grep -q '^#SBATCH --cpus-per-task=1$' "$TMP/plan" &&
	[ ! -e "$TMP/none" ]; echo $?) "make -n sweep ENGINE=slurm: the array script with the spec's directives, nothing made"

for t in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged sbatch squeue sinfo; do
	command -v "$t" >/dev/null 2>&1 || need_or_skip "$t not found (Debian: slurmctld slurmd slurm-client munge; run: make deps)"
done
[ "$(id -u)" -eq 0 ] || need_or_skip "a single-node Slurm needs root here (slurmd runs jobs as their user)"

# ---- A single-node Slurm on 127.0.0.1 ----
SL="$TMP/slurm"
mkdir -p "$SL/munge" "$SL/state" "$SL/spool" "$SL/log"
chmod 755 "$SL" "$SL/munge"
head -c 1024 /dev/urandom >"$SL/munge/key"
chmod 400 "$SL/munge/key"
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cport=$(free_port)
dport=$(free_port)
cat >"$SL/slurm.conf" <<CFG
ClusterName=pumatest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SL/munge/sock
CredType=cred/munge
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool
SlurmctldPidFile=$SL/slurmctld.pid
SlurmdPidFile=$SL/slurmd.pid
SlurmctldLogFile=$SL/log/slurmctld.log
SlurmdLogFile=$SL/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=30 State=UP
CFG
export SLURM_CONF="$SL/slurm.conf"
pids=()
stop_all() {
	scancel --quiet -u "$(id -un)" 2>/dev/null
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -z "${pid:-}" ] || "$FIX/stop-server.sh" "$pid" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap stop_all EXIT
setsid /usr/sbin/munged -F -f "--key-file=$SL/munge/key" "--socket=$SL/munge/sock" "--pid-file=$SL/munge/pid" \
	"--log-file=$SL/munge/log" "--seed-file=$SL/munge/seed" >"$SL/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$SL/munge/sock" ] && break; sleep 0.1; done
setsid /usr/sbin/slurmctld -D -i -f "$SL/slurm.conf" >"$SL/log/slurmctld.out" 2>&1 &
pids+=($!)
setsid /usr/sbin/slurmd -D -N localhost -f "$SL/slurm.conf" >"$SL/log/slurmd.out" 2>&1 &
pids+=($!)
up=1
for _ in $(seq 60); do
	[ "$(timeout 5 sinfo -h -n localhost -o %t 2>/dev/null)" = idle ] && { up=0; break; }
	sleep 0.5
done
ok $up "a single-node Slurm: the node is idle"
if [ $up -ne 0 ]; then
	tail -n 5 "$SL"/log/* | sed 's/^/# /'
	done_testing
	exit 1
fi

# ---- The sweep, local and through Slurm ----
sweep_llama
write_spec "$TMP/s.json" u '["zero-shot", "egi"]' '[42, 43]' \
	', "slurm": {"partition": "debug", "time": "00:10:00", "cpus_per_task": 1}'
timeout 600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" -j2 \
	NO_BUILD=1 "BINDIR=$BIN" sweep "SPEC=$TMP/s.json" "RUNS=$TMP/local" >"$TMP/l.out" 2>"$TMP/l.err"
is "$?" 0 "the local engine: a 2x2 sweep"
timeout 600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 \
	"BINDIR=$BIN" sweep ENGINE=slurm SWEEP_TIMEOUT=400 "SPEC=$TMP/s.json" "RUNS=$TMP/slurm-runs" \
	>"$TMP/s.out" 2>"$TMP/s.err"
st=$?
is "$st" 0 "ENGINE=slurm: the same sweep as one array job"
[ "$st" -eq 0 ] || { sed 's/^/# /' "$TMP/s.err" | tail -n 20; tail -n 5 "$SL"/log/slurm*.log | sed 's/^/# /'; }
job=$(sed -n 's/.*as Slurm job \([0-9]*\)$/\1/p' "$TMP/s.out")
ok $([ -n "$job" ] && grep -q "every run is complete" "$TMP/s.out"; echo $?) "ENGINE=slurm: submitted, waited for, every run complete"
is "$(ls "$TMP/slurm-runs/.sweep/u/" | grep -c "^slurm-${job}_[1-4]\.out$")" 4 "four array tasks ran, each with its output file"
grep -q "_job_complete: JobId=${job}_[1-4](.*) done\|JobId=${job}_.* done" "$SL/log/slurmctld.log"
ok $? "slurmctld logged the array's tasks done"
out=$(same_sweeps "$TMP/local" "$TMP/slurm-runs" 2>&1)
is "$out" same "ENGINE=slurm: the records of the local engine, run for run (timings aside)"
project_make sweep ENGINE=slurm "SPEC=$TMP/s.json" "RUNS=$TMP/slurm-runs" >"$TMP/s2.out" 2>&1
ok $([ $? -eq 0 ] && grep -q "every run is complete" "$TMP/s2.out" && ! grep -q "Slurm job" "$TMP/s2.out"; echo $?) \
	"ENGINE=slurm again: nothing submitted"
done_testing
