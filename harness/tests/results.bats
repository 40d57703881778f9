#!/usr/bin/env bats
# The harness's own claims: a recorded run that cannot be trusted is never
# judged as passing, and compare/report/json say what they should.  Each
# test breaks one thing in a copy of a fresh, good run.

load ../ipcvm
load good-run

setup_file() { record_good_run; }

setup() {
	BAD=$BATS_TEST_TMPDIR/bad
	copy_good_run "$BAD"
	source "$IPCVM_BATS_LIBDIR/bats-file/load.bash"
}

# the fifo cases judged against DIR: only two of them, which is enough to
# see that the shared require_observations step fails them all
judge_fifo() {
	run env IPCVM_RESULTS="$1" "${BATS:-bats}" --tap --filter '^FIFO-(MKFIFO|EEXIST):' "$IPCVM_SRCDIR/cases/fifo.bats"
}

refute_any_pass() {
	refute_line --regexp '^ok '
	assert_line --regexp '^not ok 1 '
	assert_line --regexp '^not ok 2 '
}

@test "RESULTS-GOOD: a fresh run validates, and its cases pass (the control for the tests below)" {
	run ipcvm validate "$GOOD"
	assert_success
	judge_fifo "$GOOD"
	assert_success
	assert_line --regexp '^ok 1 FIFO-MKFIFO'
}

@test "RESULTS-NO-META: a run without meta.env is refused, naming the file" {
	rm "$BAD/meta.env"
	run ipcvm validate "$BAD"
	assert_failure
	assert_output --partial "$BAD/meta.env: missing"
	judge_fifo "$BAD"
	refute_any_pass
	assert_output --partial "meta.env: missing"
}

@test "RESULTS-MALFORMED: a line that is not name=value is refused with file and line" {
	sed -i '3s/.*/this is not an observation/' "$BAD/fifo.obs"
	run ipcvm validate "$BAD" fifo
	assert_failure
	assert_output --partial "$BAD/fifo.obs:3: malformed observation"
	judge_fifo "$BAD"
	refute_any_pass
	assert_output --partial "fifo.obs:3: malformed"
}

@test "RESULTS-DUPLICATE: an observation recorded twice is refused with both lines" {
	# the first fifo.* line, wherever probe.* lines put it, written again below it
	local n
	n=$(grep -n -m 1 '^fifo\.' "$BAD/fifo.obs" | cut -d: -f1)
	sed -i "${n}p" "$BAD/fifo.obs"
	run ipcvm validate "$BAD" fifo
	assert_failure
	assert_output --regexp "fifo.obs:$((n + 1)): observation fifo\.[a-z_.]+ appears twice \(first on line $n\)"
	judge_fifo "$BAD"
	refute_any_pass
}

@test "RESULTS-CUT-SHORT: a file without its closing probe.status (a crashed probe) is refused" {
	sed -i '$d' "$BAD/fifo.obs"
	run ipcvm validate "$BAD" fifo
	assert_failure
	assert_output --partial "cut short"
	judge_fifo "$BAD"
	refute_any_pass
	assert_output --partial "cut short"
}

@test "RESULTS-WRONG-FAMILY: an observation of another family in fifo.obs is refused" {
	sed -i '0,/^fifo\./s/^fifo\./pipe./' "$BAD/fifo.obs"
	run ipcvm validate "$BAD" fifo
	assert_failure
	assert_output --partial "does not belong to the fifo family"
}

@test "RESULTS-UNKNOWN-PROBE: a file for a probe ipcvm does not have is refused" {
	cp "$BAD/fifo.obs" "$BAD/bogus.obs"
	run ipcvm validate "$BAD"
	assert_failure
	assert_output --partial "$BAD/bogus.obs: unknown probe bogus"
}

@test "RESULTS-MISSING-FAMILY: judging a run that lacks the family fails every case, never skips" {
	rm "$BAD/fifo.obs"
	judge_fifo "$BAD"
	refute_any_pass
	refute_output --partial "# skip"
	assert_output --partial "fifo.obs: missing"
}

@test "RESULTS-PROBE-ERROR: a probe that stopped on a hard error fails every case with the failing call" {
	sed -i '$d' "$BAD/fifo.obs"
	printf '%s\n' error.call=mkfifo error.errno=EMFILE error.where=probes/fifo.c:42 probe.status=error >>"$BAD/fifo.obs"
	judge_fifo "$BAD"
	refute_any_pass
	assert_output --partial "mkfifo failed with EMFILE at probes/fifo.c:42"
}

@test "RESULTS-PROBE-SKIP: a probe that could not run here skips every case with its reason" {
	sed -i '$d' "$BAD/fifo.obs"
	printf '%s\n' skip.reason=no-fifos-in-this-kernel probe.status=skipped >>"$BAD/fifo.obs"
	judge_fifo "$BAD"
	assert_success
	assert_line --regexp '^ok 1 .* # skip .*no fifos in this kernel'
}

@test "COMPARE: a changed observation is reported with both values and exit 1" {
	sed -i 's/^fifo.mkfifo.existing_path=.*/fifo.mkfifo.existing_path=OK/' "$BAD/fifo.obs"
	run ipcvm compare "$GOOD" "$BAD"
	assert_failure 1
	assert_line "  fifo.mkfifo.existing_path"
	assert_line "    A: EEXIST"
	assert_line "    B: OK"
	run ipcvm compare "$GOOD" "$GOOD"
	assert_success
	assert_output --partial "no observation differs"
}

@test "RESULTS-FAILURE-LINE: a claim that does not hold names its case file and the line of the failing expect, as Bats' own trace would" {
	local n
	n=$(grep -n 'expect fifo.mkfifo.existing_path' "$IPCVM_SRCDIR/cases/fifo.bats" | cut -d: -f1)
	sed -i 's/^fifo.mkfifo.existing_path=.*/fifo.mkfifo.existing_path=OK/' "$BAD/fifo.obs"
	judge_fifo "$BAD"
	assert_line --regexp "^not ok [0-9]+ FIFO-EEXIST:"
	assert_line --regexp "^# \(in test file .*cases/fifo\.bats, line $n\)\$"
	assert_line "#   \`expect fifo.mkfifo.existing_path = EEXIST' failed"
}

@test "COMPARE-SECTIONS: a run without section lines (recorded before sections) compares clean; a section that ended otherwise differs" {
	grep -q '^probe\.section\.' "$GOOD/fifo.obs" || skip "the fifo probe records no sections"
	grep -v '^probe\.section\.' "$GOOD/fifo.obs" >"$BAD/fifo.obs"
	run ipcvm compare "$GOOD" "$BAD"
	assert_success
	assert_output --partial "no observation differs"
	copy_good_run "$BATS_TEST_TMPDIR/crashed"
	sed -i '0,/^\(probe\.section\.[a-z_]*\)=ok$/s//\1=crashed-SIGSEGV/' "$BATS_TEST_TMPDIR/crashed/fifo.obs"
	run ipcvm compare "$GOOD" "$BATS_TEST_TMPDIR/crashed"
	assert_failure 1
	assert_line "    B: crashed-SIGSEGV"
}

@test "COMPARE-ALLOW: a difference covered by a commented allowance passes; an allowance without a reason is refused" {
	sed -i 's/^fifo.mkfifo.existing_path=.*/fifo.mkfifo.existing_path=OK/' "$BAD/fifo.obs"
	echo 'fifo.mkfifo.*  # for this test' >"$BATS_TEST_TMPDIR/allow"
	run ipcvm compare --allow "$BATS_TEST_TMPDIR/allow" "$GOOD" "$BAD"
	assert_success
	assert_output --partial "(allowed: for this test)"
	echo 'fifo.mkfifo.*' >"$BATS_TEST_TMPDIR/allow"
	run ipcvm compare --allow "$BATS_TEST_TMPDIR/allow" "$GOOD" "$BAD"
	assert_failure 99
	assert_output --partial "needs a reason"
}

@test "REPORT: a claim that fails in one run is 'differs' there, with what was observed" {
	sed -i 's/^fifo.unrelated.data=.*/fifo.unrelated.data=other/' "$BAD/fifo.obs"
	run ipcvm report --html "$BATS_TEST_TMPDIR/r.html" "$GOOD" "$BAD"
	assert_success
	assert_line --regexp '^\| good \| holds \|'
	assert_line --regexp '^\| bad \| differs \| FIFO-UNRELATED fails: fifo.unrelated.data=other'
	assert_file_exists "$BATS_TEST_TMPDIR/r.html"
	assert_file_contains "$BATS_TEST_TMPDIR/r.html" 'class="verdict differs"'
}

@test "JSON: one document with meta, observations and verdicts" {
	run ipcvm json "$GOOD"
	assert_success
	assert_line '  "format": "ipcvm-run-1",'
	assert_output --partial '"kernel_release": '
	assert_output --partial '"fifo.mkfifo.existing_path": "EEXIST"'
	assert_output --regexp '\{"claim": "FIFO-EEXIST: [^"]*", "status": "pass"'
}
