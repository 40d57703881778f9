# good-run.bash - what the harness tests that doctor a run share: a fresh,
# good fifo run recorded once per file, copied for each test to break.
#
#   load good-run
#   setup_file() { record_good_run; }
#   setup() { copy_good_run "$BATS_TEST_TMPDIR/bad"; ... }

ipcvm() { "$IPCVM_SRCDIR/harness/ipcvm" "$@"; }

# record_good_run: GOOD, a fresh fifo run (make check sets IPCVM_PROBEDIR)
record_good_run() {
	export GOOD=$BATS_FILE_TMPDIR/good
	if [[ -n ${IPCVM_PROBEDIR:-} ]]; then
		ipcvm record --out "$GOOD" fifo 2>/dev/null || true
	fi
}

# copy_good_run DIR: a copy of GOOD to break, with bats-assert loaded
copy_good_run() {
	[[ -f $GOOD/fifo.obs ]] || fail "no good run to start from: run through make check (IPCVM_PROBEDIR)"
	load_bats_support
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
	cp -r "$GOOD" "$1"
}
