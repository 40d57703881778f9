#!/usr/bin/env bats
# Runs that are interrupted, run twice at once, or run as an ordinary user
# still leave nothing behind and still judge correctly (HACKING.md, the rules
# every probe keeps).  Records every family this build has.

load ../ipcvm

ipcvm() { "$IPCVM_SRCDIR/harness/ipcvm" "$@"; }

setup() {
	[[ -n ${IPCVM_PROBEDIR:-} ]] || fail "IPCVM_PROBEDIR is unset: run through make check-self"
	load_bats_support
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
	FAMILIES=$(ipcvm families --built "$IPCVM_PROBEDIR" | tr '\n' ' ')
	# every scratch file of these runs lands here, so leftovers are visible
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	chmod 1777 "$TMPDIR"
}

# sysv_listing: every System V object, one a line (key, id, owner, mode)
sysv_listing() { { ipcs -q; ipcs -m; ipcs -s; } 2>/dev/null | awk '$1 ~ /^0x/ { print $1, $2, $3, $4 }'; }

# failing_cases TAP: the cases that failed, with their reports
failing_cases() { awk '/^not ok/ { on = 1; print; next } on && /^#/ { print; next } { on = 0 }' "$1"; }

# live_members GROUP: processes of GROUP still running.  Zombies are left
# out: they have exited, and when their parent died first, reaping them is
# PID 1's job (some containers' PID 1 never does).
live_members() { ps -o pid=,stat=,args= -g "$1" 2>/dev/null | awk '$2 !~ /^Z/'; }

# scratch_leftovers: what the runs left in their scratch TMPDIR
scratch_leftovers() { find "$TMPDIR" -mindepth 1 2>/dev/null; }

# interrupt TAG SIG DELAY CMD...: run CMD in a process group of its own,
# like a terminal's job, so that SIG reaches the harness, the probe and
# its helpers at once; send SIG after DELAY seconds and wait (at most 20
# s) for every process of the group to end.  Prints the group's processes
# still alive, one a line after "TAG: process", and a run it had to kill.  Every process of the run
# holds the pipe to `cat`: cat ends when the last of them is gone, which
# is how we wait for the whole run to stop.
interrupt() {
	local tag=$1 sig=$2 delay=$3 group reader
	shift 3
	rm -f "$BATS_TEST_TMPDIR/group"
	# shellcheck disable=SC2016 # the inner shell expands them
	setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$BATS_TEST_TMPDIR/group" "$@" 2>&1 | cat >/dev/null &
	reader=$!
	sleep "$delay"	# a random moment to interrupt, not a wait for the run
	group=$(cat "$BATS_TEST_TMPDIR/group" 2>/dev/null) || group=
	[[ -n $group ]] && kill -s "$sig" -- "-$group" 2>/dev/null
	# bounded: a run that ignores the signal is a failure, not a hang
	if ! timeout 20 tail --pid="$reader" -f /dev/null; then
		[[ -n $group ]] && kill -KILL -- "-$group" 2>/dev/null
		echo "$tag: still running 20 s after SIG$sig (killed)"
	fi
	wait "$reader" || true
	[[ -z $group ]] || live_members "$group" | sed "s/^/$tag: process /"
}

@test "ROBUST-INTERRUPT: SIGINT or SIGTERM at any moment of a recording leaves no IPC object, file or process behind" {
	local before i sig left=""
	before=$(sysv_listing)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sig=INT; ((i % 2)) && sig=TERM
		# shellcheck disable=SC2086 # FAMILIES is a list
		left+=$(interrupt "run $i" "$sig" "0.$((RANDOM % 9))$((RANDOM % 10))" \
			"$IPCVM_SRCDIR/harness/ipcvm" record --out "$BATS_TEST_TMPDIR/run$i" $FAMILIES
			scratch_leftovers | sed "s/^/run $i, SIG$sig: /"
			rm -rf "${TMPDIR:?}"/*)$'\n'
	done
	[[ -z ${left//$'\n'/} ]] || fail "interrupted runs left behind:
$left"
	[[ $(sysv_listing) == "$before" ]] || fail "System V objects before the interrupted runs:
$before
and after:
$(sysv_listing)"
}

@test "ROBUST-INTERRUPT-JUDGE: SIGINT, SIGTERM or SIGHUP while verify or json judges a run leaves no file behind, Bats' own run directory included" {
	local i sig cmd left="" sigs=(INT TERM HUP)
	# shellcheck disable=SC2086 # FAMILIES is a list
	ipcvm record --out "$BATS_TEST_TMPDIR/run" $FAMILIES >/dev/null 2>&1 || true
	for i in 1 2 3 4 5 6; do
		sig=${sigs[i % 3]} cmd=verify
		((i % 2)) || cmd=json
		left+=$(interrupt "$cmd $i" "$sig" "0.$((3 + RANDOM % 6))" \
			"$IPCVM_SRCDIR/harness/ipcvm" "$cmd" "$BATS_TEST_TMPDIR/run"
			scratch_leftovers | sed "s/^/$cmd $i, SIG$sig: /"
			rm -rf "${TMPDIR:?}"/*)$'\n'
	done
	[[ -z ${left//$'\n'/} ]] || fail "interrupted judges left behind:
$left"
}

@test "ROBUST-CONCURRENT: two recordings at once do not disturb each other, and both judge clean" {
	local before run
	before=$(sysv_listing)
	# shellcheck disable=SC2086 # FAMILIES is a list
	ipcvm record --out "$BATS_TEST_TMPDIR/a" $FAMILIES 2>"$BATS_TEST_TMPDIR/a.err" &
	local a=$!
	# shellcheck disable=SC2086 # FAMILIES is a list
	ipcvm record --out "$BATS_TEST_TMPDIR/b" $FAMILIES 2>"$BATS_TEST_TMPDIR/b.err" &
	local b=$!
	wait "$a" || fail "the first run failed: $(cat "$BATS_TEST_TMPDIR/a.err")"
	wait "$b" || fail "the second run failed: $(cat "$BATS_TEST_TMPDIR/b.err")"
	for run in a b; do
		ipcvm verify "$BATS_TEST_TMPDIR/$run" >"$BATS_TEST_TMPDIR/$run.tap" 2>&1 ||
			fail "run $run, recorded beside the other, does not judge clean:
$(failing_cases "$BATS_TEST_TMPDIR/$run.tap")"
	done
	[[ $(sysv_listing) == "$before" ]] || fail "System V objects before the two runs:
$before
and after:
$(sysv_listing)"
	[[ -z $(scratch_leftovers) ]] || fail "the two runs left files behind: $(scratch_leftovers)"
}

@test "ROBUST-UNPRIVILEGED: as user nobody, every case passes or skips with its reason" {
	local nobody=65534
	[[ $(id -u) -ne 0 ]] && skip "already an ordinary user: make check itself is the unprivileged run"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	# nobody writes its run into a directory of its own outside Bats's 0700 ones
	# shellcheck disable=SC2030 # for this test's teardown
	NOBODY_DIR=$(mktemp -d /tmp/ipcvm-nobody.XXXXXX)
	chmod 0777 "$NOBODY_DIR"
	# probes and harness must be reachable by nobody
	mkdir -m 1777 "$NOBODY_DIR/tmp"
	# shellcheck disable=SC2086,SC2031 # FAMILIES is a list
	run setpriv --reuid=$nobody --regid=$nobody --clear-groups --inh-caps=-all \
		env TMPDIR="$NOBODY_DIR/tmp" IPCVM_TIMEOUT="${IPCVM_TIMEOUT:-timeout}" \
		"$IPCVM_SRCDIR/harness/ipcvm" record --probes "$IPCVM_PROBEDIR" \
		--out "$NOBODY_DIR/run" $FAMILIES
	assert_success
	[[ -z $(find "$NOBODY_DIR/tmp" -mindepth 1) ]] || fail "nobody's run left files behind"
	run grep -h '^uid=' "$NOBODY_DIR/run/meta.env"
	assert_output "uid=$nobody"
	run ipcvm verify "$NOBODY_DIR/run"
	assert_success
	refute_line --regexp '^not ok'
	# a skip must say why
	refute_line --regexp '# skip *$'
}

@test "ROBUST-MEMORY: under a tight address-space limit the memory probe scales down and says so, and its cases still judge clean" {
	[[ " $FAMILIES " == *" vm "* ]] || skip "the vm probe is not built"
	# 300 MB of address space: the notes' 512 MiB experiment cannot fit
	run sh -c 'ulimit -v 300000 && exec "$@"' sh "$IPCVM_SRCDIR/harness/ipcvm" \
		record --out "$BATS_TEST_TMPDIR/small" vm
	assert_success
	run grep -x -e 'vm.budget.scaled=yes' -e 'vm.budget.limited_by=rlimit_as' "$BATS_TEST_TMPDIR/small/vm.obs"
	assert_success
	assert_line vm.budget.scaled=yes
	assert_line vm.budget.limited_by=rlimit_as
	run ipcvm verify "$BATS_TEST_TMPDIR/small"
	assert_success
	refute_line --regexp '^not ok'
}

teardown() {
	# shellcheck disable=SC2031 # set by the test for this teardown
	[[ -z ${NOBODY_DIR:-} ]] || rm -rf "$NOBODY_DIR"
}
