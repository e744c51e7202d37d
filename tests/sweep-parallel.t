#!/usr/bin/env bash
# ENGINE=parallel: a 2x2 sweep through GNU parallel over ssh to a real sshd
# on 127.0.0.1 (its config, host key and user key made here, a free port,
# started and stopped here), on the llama-server fixture; the records are
# those of the local engine.
. "$(dirname "$0")/lib.sh"
need_python json
. "$ROOT/tests/sweep-lib.sh"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
for t in "$SSHD" ssh ssh-keygen parallel rsync; do
	command -v "$t" >/dev/null 2>&1 ||
		need_or_skip "$t not found (Debian: openssh-server, openssh-client, parallel, rsync; run: make deps)"
done
port=9
digest=0

# A missing engine says so: GNU parallel hidden from PATH.
mkdir -p "$TMP/path"
for t in bash sh env make sed wc mkdir mv cat rm mktemp dirname basename date ls sort head; do
	ln -s "$(command -v $t)" "$TMP/path/$t"
done
write_spec "$TMP/s.json" p '["zero-shot", "egi"]' '[42, 43]'
PATH=$TMP/path project_make sweep ENGINE=parallel SSHLOGIN=: "SPEC=$TMP/s.json" "RUNS=$TMP/none" >/dev/null 2>"$TMP/err"
ok $([ $? -ne 0 ] && grep -q "ENGINE=parallel needs GNU parallel, which is not installed" "$TMP/err"; echo $?) \
	"without GNU parallel: a clear message"
project_make sweep ENGINE=parallel "SPEC=$TMP/s.json" "RUNS=$TMP/none" >/dev/null 2>"$TMP/err"
ok $([ $? -eq 2 ] && grep -q "needs SSHLOGIN=host,host... or SLF=FILE" "$TMP/err"; echo $?) \
	"ENGINE=parallel without hosts: says what to give"

# ---- sshd on 127.0.0.1 ----
S="$TMP/ssh"
mkdir -p "$S"
chmod 700 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key" -C puma-test-host
ssh-keygen -q -t ed25519 -N '' -f "$S/id" -C puma-test-user
cp "$S/id.pub" "$S/authorized_keys"
chmod 600 "$S/authorized_keys"
sport=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$S/sshd_config" <<CFG
Port $sport
ListenAddress 127.0.0.1
HostKey $S/host_key
AuthorizedKeysFile $S/authorized_keys
PidFile $S/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowUsers $(id -un)
PermitUserEnvironment no
LogLevel VERBOSE
CFG
cat >"$S/config" <<CFG
Host sweephost
	HostName 127.0.0.1
	Port $sport
	User $(id -un)
	IdentityFile $S/id
	IdentitiesOnly yes
	UserKnownHostsFile $S/known_hosts
	StrictHostKeyChecking accept-new
	BatchMode yes
	ConnectTimeout 10
CFG
# Privilege separation needs /run/sshd (root's sshd); made if missing.
[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
setsid "$SSHD" -D -e -f "$S/sshd_config" 2>"$S/sshd.log" &
sshd_pid=$!
stop_all() {
	kill "$sshd_pid" 2>/dev/null
	wait "$sshd_pid" 2>/dev/null
	[ -z "${pid:-}" ] || "$FIX/stop-server.sh" "$pid" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap stop_all EXIT
up=1
for _ in $(seq 50); do
	timeout 10 ssh -F "$S/config" sweephost true 2>"$S/ssh.err" && { up=0; break; }
	kill -0 "$sshd_pid" 2>/dev/null || break
	sleep 0.2
done
ok $up "sshd on 127.0.0.1:$sport answers a key login"
if [ $up -ne 0 ]; then
	sed 's/^/# /' "$S/sshd.log" "$S/ssh.err" | tail -n 20
	done_testing
	exit 1
fi

# ---- The sweep, local and over ssh ----
sweep_llama
write_spec "$TMP/s.json" p '["zero-shot", "egi"]' '[42, 43]'
timeout 600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" -j2 \
	NO_BUILD=1 "BINDIR=$BIN" sweep "SPEC=$TMP/s.json" "RUNS=$TMP/local" >"$TMP/l.out" 2>"$TMP/l.err"
is "$?" 0 "the local engine: a 2x2 sweep"
echo "2/ssh -F $S/config sweephost" >"$TMP/hosts"
timeout 600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 \
	"BINDIR=$BIN" sweep ENGINE=parallel "SLF=$TMP/hosts" SWEEP_TIMEOUT=300 "SPEC=$TMP/s.json" "RUNS=$TMP/ssh" \
	>"$TMP/p.out" 2>"$TMP/p.err"
st=$?
is "$st" 0 "ENGINE=parallel over ssh (--slf): the same sweep"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMP/p.err" | tail -n 20
grep -q "every run is complete" "$TMP/p.out"
ok $? "ENGINE=parallel: the sweep checks every run is complete"
logins=$(grep -c "Accepted publickey for $(id -un)" "$S/sshd.log")
ok $((logins >= 4 ? 0 : 1)) "sshd let in a login for every job ($logins logins)"
is "$(awk -F'\t' 'NR > 1 && $7 == 0 && $2 ~ /sweephost/' "$TMP/ssh/.sweep/p/parallel.log" | wc -l)" 4 \
	"parallel's job log: four jobs on the ssh host, each exit 0"
out=$(same_sweeps "$TMP/local" "$TMP/ssh" 2>&1)
is "$out" same "ENGINE=parallel: the records of the local engine, run for run (timings aside)"

# Again: nothing left to do, nothing runs.
before=$(grep -c "Accepted publickey" "$S/sshd.log")
project_make sweep ENGINE=parallel "SLF=$TMP/hosts" "SPEC=$TMP/s.json" "RUNS=$TMP/ssh" >"$TMP/p2.out" 2>&1
is "$?" 0 "ENGINE=parallel again"
ok $(grep -q "every run is complete" "$TMP/p2.out" && [ "$(grep -c "Accepted publickey" "$S/sshd.log")" -eq "$before" ]; echo $?) \
	"ENGINE=parallel again: every run complete, no job sent"

# Hosts without the shared directory: the runs are made in REMOTE_RUNS on
# the host and copied back by rsync over the same ssh.
timeout 600 env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s --no-print-directory -C "$ROOT" NO_BUILD=1 \
	"BINDIR=$BIN" sweep ENGINE=parallel "SLF=$TMP/hosts" SWEEP_TIMEOUT=300 "REMOTE_RUNS=$TMP/remote/runs" \
	"SPEC=$TMP/s.json" "RUNS=$TMP/back" >"$TMP/b.out" 2>"$TMP/b.err"
st=$?
is "$st" 0 "ENGINE=parallel with REMOTE_RUNS: the same sweep, copied back"
[ "$st" -eq 0 ] || sed 's/^/# /' "$TMP/b.err" | tail -n 20
is "$(ls -d "$TMP"/remote/runs/p-*__* 2>/dev/null | wc -l)" 4 "the runs were made in the host's directory"
out=$(same_sweeps "$TMP/local" "$TMP/back" 2>&1)
is "$out" same "copied back: the records of the local engine, run for run (timings aside)"
"$PYTHON" - "$TMP/remote/runs" "$TMP/back" <<'PY'
import filecmp, os, sys
for e in os.listdir(sys.argv[2]):
    if e.startswith("."):
        continue
    c = filecmp.dircmp(os.path.join(sys.argv[1], e), os.path.join(sys.argv[2], e))
    assert not c.left_only and not c.right_only and not c.diff_files, (e, c.left_only, c.right_only, c.diff_files)
PY
ok $? "copied back: every file of every run, byte for byte"
done_testing
