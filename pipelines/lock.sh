#!/bin/sh
# pipelines/lock.sh DIR COMMAND... - run COMMAND holding an exclusive lock
# on the run directory DIR (the file DIR/.lock), so that two identical
# `make run` never write the same run's files at once: the second waits,
# saying so, and then finds the run finished (or resumes it).  flock(1)
# where there is one (Linux), else Perl's flock (macOS).  The lock goes
# with the process: a killed run leaves no stale lock.
set -eu
dir=$1
shift
msg="run: $dir is in use by another make run: waiting for it to finish"
if command -v flock >/dev/null 2>&1; then
	exec 9>>"$dir/.lock"
	if ! flock -n 9; then
		echo "$msg" >&2
		flock 9
	fi
	st=0
	"$@" 9>&- || st=$?
	exit $st
fi
exec perl -e '
use Fcntl qw(:flock);
my ($lock, $msg) = (shift, shift);
open(my $f, ">>", $lock) or die "run: cannot open $lock: $!\n";
if (!flock($f, LOCK_EX | LOCK_NB)) {
	print STDERR "$msg\n";
	flock($f, LOCK_EX) or die "run: cannot lock $lock: $!\n";
}
system(@ARGV);
exit($? == -1 ? 127 : $? & 127 ? 128 + ($? & 127) : $? >> 8);
' "$dir/.lock" "$msg" "$@"
