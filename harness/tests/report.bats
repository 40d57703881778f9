#!/usr/bin/env bats
# harness/ipcvm report on the command line: its help, `report results/*`
# (the arguments that are not runs skipped with a note), a line per run
# judged on standard error and never on standard output, each run's
# totals, the failures and disagreements first, the notes' claims apart.
# The page itself is checked in a browser by report-browser.bats.

load ../ipcvm
load good-run

bats_require_minimum_version 1.5.0

setup_file() { record_good_run; }

setup() {
	BAD=$BATS_TEST_TMPDIR/bad
	copy_good_run "$BAD"
	# FIFO-UNRELATED fails in the bad run, FIFO-DUPLEX is skipped there
	sed -i 's/^fifo.unrelated.data=.*/fifo.unrelated.data=other/; s/^fifo.duplex.peer_exit=.*/fifo.duplex.peer_exit=SKIP\nfifo.duplex.peer_exit.why=skipped-for-the-test/' "$BAD/fifo.obs"
}

@test "REPORT-HELP: report --help prints its usage on standard output and exits 0" {
	local how
	for how in "$IPCVM_SRCDIR/harness/ipcvm report" "$IPCVM_SRCDIR/harness/report"; do
		# shellcheck disable=SC2086 # the command, split
		run --separate-stderr $how --help
		assert_success
		assert_line --index 0 --regexp '^usage: harness/ipcvm report \[--html FILE\] \[--jobs N\] DIR'
		assert_output --partial "Exit status:"
		[[ -z $stderr ]] || fail "$how --help wrote to standard error: $stderr"
	done
	run --separate-stderr ipcvm report --bogus "$GOOD"
	assert_failure 2
	[[ $stderr == *"unknown option --bogus"* ]] || fail "unknown option: $stderr"
}

@test "REPORT-SKIP: arguments that are not runs are skipped with a note on standard error; none left is a usage error" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	echo text >"$BATS_TEST_TMPDIR/README.md"
	run --separate-stderr ipcvm report "$BATS_TEST_TMPDIR/README.md" "$GOOD" "$BATS_TEST_TMPDIR/empty" "$BATS_TEST_TMPDIR/nosuch"
	assert_success
	[[ $stderr == *"report: skipping $BATS_TEST_TMPDIR/README.md: not a directory"* ]] || fail "no note for the file: $stderr"
	[[ $stderr == *"report: skipping $BATS_TEST_TMPDIR/empty: not a recorded run (no meta.env)"* ]] || fail "no note for the empty directory: $stderr"
	[[ $stderr == *"report: skipping $BATS_TEST_TMPDIR/nosuch: not a directory"* ]] || fail "no note for the missing path: $stderr"
	assert_line --regexp '^\| good \| '
	refute_output --partial skipping
	run --separate-stderr ipcvm report "$BATS_TEST_TMPDIR/README.md" "$BATS_TEST_TMPDIR/empty"
	assert_failure 2
	[[ $stderr == *"no run to report on"* ]] || fail "no runs: $stderr"
}

@test "REPORT-HEARTBEAT: a line per run judged on standard error, none on standard output; --jobs 2 gives the same report" {
	run --separate-stderr ipcvm report "$GOOD" "$BAD"
	assert_success
	local one=$output
	[[ $stderr =~ report:\ \[1/2\]\ [^$'\n']*/good:\ [0-9]+\ passed ]] || fail "no line for the first run: $stderr"
	[[ $stderr =~ report:\ \[2/2\]\ [^$'\n']*/bad:\ [0-9]+\ passed,\ 1\ failed,\ 1\ skipped,\ 0\ errors ]] || fail "no line for the second run: $stderr"
	refute_output --regexp '^report:|\[[12]/2\]'
	run --separate-stderr ipcvm report --jobs 2 "$GOOD" "$BAD"
	assert_success
	[[ $output == "$one" ]] || fail "--jobs 2 reported otherwise: $(diff <(echo "$one") <(echo "$output"))"
}

@test "REPORT-ORDER: each run's totals, the notes' claims counted apart, the failure and then the disagreement first" {
	run --separate-stderr ipcvm report "$GOOD" "$BAD"
	assert_success
	# run | kernel | machine | libc | distro | kernel's: passed failed skipped errors | notes': ...
	assert_line --regexp '^\| good \|( [^|]* \|){4} [1-9][0-9]* \| 0 \| 0 \| 0 \| [1-9][0-9]* \| 0 \| 0 \| 0 \|$'
	assert_line --regexp '^\| bad \|( [^|]* \|){4} [1-9][0-9]* \| 1 \| 1 \| 0 \| [0-9]+ \| 1 \| 0 \| 0 \|$'
	# the notes' claims: the one that differs comes first
	local first
	first=$(grep -m1 '^### NOTES-' <<<"$output")
	[[ $first == "### NOTES-FIFO-UNRELATED" ]] || fail "the first notes' claim is $first"
	# the kernel's claims: the failure, then the disagreement, then the rest
	local rows
	rows=$(sed -n '/^## The kernel/,$p' <<<"$output" | grep -o '^| [A-Z0-9-]*:' | head -n 3)
	[[ $rows == $'| FIFO-UNRELATED:\n| FIFO-DUPLEX:\n| '* ]] || fail "the kernel's claims begin: $rows"
}
