#!/usr/bin/env bats
# make bench checks itself: a quick bench writes its run, its CSV and its
# chart and leaves nothing behind, even when interrupted; the sanity check
# against the floor fails loudly on a doctored run.  The numbers of a quick
# bench (IPCVM_BENCH_QUICK=1: 5 samples of 5 ms) are not a measurement.

load ../ipcvm

bench() { "$IPCVM_SRCDIR/harness/bench" "$@"; }

# a private copy of the probe, so its processes are told apart from any
# other run's, and a private TMPDIR, so its scratch files are seen
setup_file() {
	export PROBE=$BATS_FILE_TMPDIR/probe/bench RUN=$BATS_FILE_TMPDIR/run
	export TMPDIR=$BATS_FILE_TMPDIR/tmp
	mkdir -p "$BATS_FILE_TMPDIR/probe" "$TMPDIR"
	[[ -x ${IPCVM_PROBEDIR:-}/bench ]] || return 0
	cp "$IPCVM_PROBEDIR/bench" "$PROBE"
	# in an IPC namespace of its own (when we may make one), so that what
	# it leaves behind is told apart from other runs' objects
	local rc=0
	if unshare --ipc true 2>/dev/null; then
		# shellcheck disable=SC2016 # the inner shell expands them
		IPCVM_BENCH_QUICK=1 unshare --ipc sh -c '"$1" --out "$2" "$3"; rc=$?; ipcs -a >"$4"; exit $rc' sh \
			"$IPCVM_SRCDIR/harness/bench" "$RUN" "$PROBE" "$BATS_FILE_TMPDIR/ipcs" \
			>"$BATS_FILE_TMPDIR/out" 2>&1 || rc=$?
	else
		IPCVM_BENCH_QUICK=1 bench --out "$RUN" "$PROBE" >"$BATS_FILE_TMPDIR/out" 2>&1 || rc=$?
	fi
	echo "$rc" >"$BATS_FILE_TMPDIR/rc"
}

setup() {
	[[ -x ${IPCVM_PROBEDIR:-}/bench ]] || fail "no bench probe in IPCVM_PROBEDIR: build it (make bench) and run through make check-self"
	load_bats_support
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
	source "$IPCVM_BATS_LIBDIR/bats-file/load.bash"
}

# doctor NAME VALUE: a copy of the quick run with one observation changed
doctor() {
	local bad=$BATS_TEST_TMPDIR/bad
	rm -rf "$bad"
	cp -r "$RUN" "$bad"
	rm -f "$bad/bench.csv" "$bad/bench.svg"
	sed -i "s/^bench\\.$1=.*/bench.$1=$2/" "$bad/bench.obs"
	grep -qx "bench.$1=$2" "$bad/bench.obs" || fail "doctor: no observation bench.$1 in the run"
	echo "$bad"
}

@test "BENCH-RUN: a quick bench records meta.env and bench.obs, writes the CSV and the SVG chart, prints the table, the chart path and the verdicts" {
	run cat "$BATS_FILE_TMPDIR/out"
	[[ $(cat "$BATS_FILE_TMPDIR/rc") -eq 0 ]] || fail "harness/bench exited $(cat "$BATS_FILE_TMPDIR/rc"):
$output"
	assert_file_exists "$RUN/meta.env"
	assert_line --partial "Round trip, microseconds"
	assert_line --partial "Throughput one way, MB/s"
	assert_line --partial "Verdicts: is shared memory the fastest IPC?"
	assert_line "chart: $RUN/bench.svg"
	run "$IPCVM_SRCDIR/harness/ipcvm" validate "$RUN" bench
	assert_success
	assert_file_contains "$RUN/bench.obs" '^probe\.status=recorded$'
	# every primitive and floor has a row, numbers where it was measured
	# (assert_file_contains takes a basic regular expression)
	run head -n 1 "$RUN/bench.csv"
	assert_output "kind,primitive,size_bytes,unit,median,min,max,iterations,outcome,note"
	local p
	for p in pipe fifo msgq shm_futex unix tcp; do
		assert_file_contains "$RUN/bench.csv" "^lat,$p,1,ns,[0-9][0-9]*,[0-9][0-9]*,[0-9][0-9]*,[0-9][0-9]*,OK,"
		assert_file_contains "$RUN/bench.csv" "^bw,$p,1048576,mbps,[0-9][0-9]*,"
	done
	assert_file_contains "$RUN/bench.csv" "^floor,null_syscall,0,ns,[0-9][0-9]*,"
	assert_file_contains "$RUN/bench.csv" "^bw,msgq,65536,mbps,.*messages of [0-9][0-9]* bytes (msgmax)"
	# a whole SVG document that draws both charts
	run head -c 5 "$RUN/bench.svg"
	assert_output "<svg "
	run tail -n 1 "$RUN/bench.svg"
	assert_output "</svg>"
	assert_file_contains "$RUN/bench.svg" "Throughput one way"
	assert_file_contains "$RUN/bench.svg" "Round trip"
	if command -v xmllint >/dev/null; then
		run xmllint --noout "$RUN/bench.svg"
		assert_success
	fi
}

@test "BENCH-CLEAN: a bench leaves no System V object, scratch file or process behind" {
	[[ -f $BATS_FILE_TMPDIR/ipcs ]] || skip "cannot make an IPC namespace here (unshare --ipc)"
	run grep -c '^0x' "$BATS_FILE_TMPDIR/ipcs"
	assert_output 0
	run find "$TMPDIR" -mindepth 1
	assert_output ""
	run sh -c "ps -eo args= | grep -c '^$PROBE'"
	assert_output 0
}

@test "BENCH-INTERRUPT: SIGINT while a message queue of the bench exists removes it, its FIFOs and its helpers" {
	unshare --ipc true 2>/dev/null || skip "cannot make an IPC namespace here (unshare --ipc)"
	# the probe's own lines tell when the message-queue round trips run;
	# the queue is looked for, not waited for with a sleep
	# shellcheck disable=SC2016 # the inner shell expands them
	run timeout 60 unshare --ipc sh -c '
		( IPCVM_BENCH_QUICK=1 "$1" & echo $! >"$2/pid"; wait $! ) | while IFS= read -r line; do
			case $line in
			bench.lat.msgq.1_bytes.iterations=*)
				i=0
				until [ "$(ipcs -q | grep -c "^0x")" -gt 0 ] || [ $i -ge 5000 ]; do i=$((i + 1)); done
				echo "queues before: $(ipcs -q | grep -c "^0x")"
				kill -INT "$(cat "$2/pid")" ;;
			esac
		done
		echo "objects after: $(ipcs -a | grep -c "^0x")"' sh "$PROBE" "$BATS_TEST_TMPDIR"
	assert_success
	assert_line "queues before: 1"
	assert_line "objects after: 0"
	run find "$TMPDIR" -mindepth 1
	assert_output ""
	run sh -c "ps -eo args= | grep -c '^$PROBE'"
	assert_output 0
}

@test "BENCH-SANE: the quick run itself passes the sanity check against its floor (the control for the tests below)" {
	run bench --from "$RUN"
	assert_success
	assert_line --partial "ok: every IPC throughput is below memcpy, every round trip through the kernel above a null system call"
	refute_line --partial "SANITY VIOLATION"
}

@test "BENCH-SANITY-BW: a throughput above memcpy of the same chunk is a loud sanity violation and a failure" {
	local bad
	bad=$(doctor floor.memcpy.65536_bytes.max_mbps 1)
	run bench --from "$bad"
	assert_failure 1
	assert_line --regexp '\*\*\* SANITY VIOLATION: bw\.pipe\.65536_bytes throughput [0-9]+ MB/s is not below memcpy'
	assert_line --partial "the measurement method is broken"
}

@test "BENCH-SANITY-LAT: a round trip that is not above a null system call is a loud sanity violation and a failure" {
	local bad
	bad=$(doctor lat.unix.64_bytes.median_ns 1)
	run bench --from "$bad"
	assert_failure 1
	assert_line --regexp '\*\*\* SANITY VIOLATION: lat\.unix\.64_bytes round trip 1 ns is not above a null system call'
}

@test "BENCH-SPIN-EXEMPT: a busy-waiting round trip below a null system call is shown, not failed: it makes no system call" {
	local bad=$BATS_TEST_TMPDIR/spin
	rm -rf "$bad"
	cp -r "$RUN" "$bad"
	# whether or not this machine had two free CPUs for it, a spin round
	# trip of 1 ns, with the other observations of the run
	grep -v '^bench\.lat\.shm_spin\.1_bytes\.' "$RUN/bench.obs" | grep -v '^probe\.status=' >"$bad/bench.obs"
	printf '%s\n' bench.lat.shm_spin.1_bytes.outcome=OK bench.lat.shm_spin.1_bytes.median_ns=1 \
		bench.lat.shm_spin.1_bytes.min_ns=1 bench.lat.shm_spin.1_bytes.max_ns=1 \
		bench.lat.shm_spin.1_bytes.iterations=1 probe.status=recorded >>"$bad/bench.obs"
	run bench --from "$bad"
	assert_success
	assert_line --partial "note: lat.shm_spin.1_bytes round trip 1 ns is below a null system call"
	refute_line --partial "SANITY VIOLATION"
}

@test "BENCH-FLOOR-MISSING: a run without its floor cannot be called sane" {
	local bad
	bad=$(doctor floor.null_syscall.outcome TIMEOUT)
	run bench --from "$bad"
	assert_failure 1
	assert_line --partial "SANITY VIOLATION: the null system call was not measured (TIMEOUT)"
}

@test "BENCH-CORRUPT: a measurement whose data arrived wrong fails the bench, it never wins" {
	local bad
	bad=$(doctor bw.shm_futex.4096_bytes.outcome EBADMSG)
	run bench --from "$bad"
	assert_failure 1
	assert_line --partial "*** MEASUREMENT FAILED: bw.shm_futex.4096_bytes: EBADMSG"
}
