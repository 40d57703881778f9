#!/usr/bin/env bats
# harness/ipcvm's command line keeps a user's habits: --help on every
# command, exit 2 for a usage error and 99 for a hard one, runs checked
# before they are compared, bad bytes named and shown escaped, never sent
# raw to the terminal, and JSON that parses whichever awk builds it.  Each
# test doctors a copy of one fresh fifo run (good-run.bash).

load ../ipcvm
load good-run

setup_file() { record_good_run; }

setup() {
	RUN=$BATS_TEST_TMPDIR/run
	copy_good_run "$RUN"
}

# no_raw_bytes: the output holds no carriage return or control byte
no_raw_bytes() {
	if LC_ALL=C grep -q '[^[:print:][:space:]]' <<<"$output" || [[ $output == *$'\r'* ]]; then
		fail "raw bytes reached the terminal: $(od -c <<<"$output" | head -n 20)"
	fi
}

# set_obs NAME VALUE: change (or add) one observation of the fifo run,
# before its closing probe.status
set_obs() {
	if grep -q "^$1=" "$RUN/fifo.obs"; then
		sed -i "s|^$1=.*|$1=$2|" "$RUN/fifo.obs"
	else
		sed -i "\$i $1=$2" "$RUN/fifo.obs"
	fi
}

@test "CLI-HELP: --help and -h on every command print its usage to stdout and exit 0" {
	local cmd opt out
	for opt in --help -h; do
		out=$(ipcvm "$opt" 2>"$BATS_TEST_TMPDIR/err") || fail "ipcvm $opt: exit $?"
		[[ $out == "usage: harness/ipcvm COMMAND"* ]] || fail "ipcvm $opt printed: $out"
		for cmd in record validate verify compare report json families; do
			out=$(ipcvm "$cmd" "$opt" 2>"$BATS_TEST_TMPDIR/err") || fail "ipcvm $cmd $opt: exit $? $(cat "$BATS_TEST_TMPDIR/err")"
			[[ $out == "usage: harness/ipcvm $cmd"* ]] || fail "ipcvm $cmd $opt printed: $out"
			[[ $out == *"Exit status:"* ]] || fail "ipcvm $cmd $opt does not give the exit codes: $out"
			[[ ! -s $BATS_TEST_TMPDIR/err ]] || fail "ipcvm $cmd $opt wrote to stderr: $(cat "$BATS_TEST_TMPDIR/err")"
		done
		for cmd in claims vm; do
			out=$(ipcvm "$cmd" "$opt" 2>/dev/null) || fail "ipcvm $cmd $opt: exit $?"
			[[ -n $out ]] || fail "ipcvm $cmd $opt printed nothing on stdout"
		done
	done
	# after an option too, and it does nothing else
	out=$(ipcvm compare --allow /nonexistent "$RUN" --help) || fail "compare ... --help: exit $?"
	[[ $out == "usage: harness/ipcvm compare"* ]] || fail "compare ... --help printed: $out"
}

@test "CLI-USAGE-EXIT: a usage error exits 2 naming what is wrong; a hard error keeps 99" {
	local -a cases=(
		"nosuchcommand|unknown command nosuchcommand"
		"record --bogus|record: unknown option --bogus"
		"record --out|record: --out needs a directory"
		"validate|validate: which run directory"
		"validate --bogus $RUN|validate: unknown option --bogus"
		"verify --bogus $RUN|verify: unknown option --bogus"
		"verify|verify: give exactly one run directory"
		"verify --junit|verify: --junit needs a file"
		"compare $RUN|compare: give two run directories"
		"compare --bogus $RUN $RUN|compare: unknown option --bogus"
		"compare --allow|compare: --allow needs a file"
		"json|json: give one run directory"
		"json --bogus $RUN|json: unknown option --bogus"
		"json --format nosuch $RUN|json: unknown format nosuch"
		"families --built|families: --built needs one probe directory"
		"families --bogus|families: unknown argument --bogus"
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086 # the command line, split
		run ipcvm ${c%%|*}
		((status == 2)) || fail "ipcvm ${c%%|*}: exit $status, not 2: $output"
		[[ $output == *"${c#*|}"* ]] || fail "ipcvm ${c%%|*} said: $output"
	done
	run ipcvm
	assert_failure 2
	assert_output --partial "usage: harness/ipcvm"
	# a hard error: the input cannot be read
	run ipcvm verify "$BATS_TEST_TMPDIR/nothing-here"
	assert_failure 99
	run ipcvm compare --allow "$BATS_TEST_TMPDIR/nothing-here" "$RUN" "$RUN"
	assert_failure 99
}

@test "CLI-COMPARE-VALIDATES: compare checks both runs first and names a broken one instead of diffing it" {
	cp -r "$RUN" "$BATS_TEST_TMPDIR/other"
	set_obs fifo.mkfifo.existing_path OK
	sed -i '3s/.*/not an observation/' "$RUN/fifo.obs"
	run ipcvm compare "$BATS_TEST_TMPDIR/other" "$RUN"
	assert_failure 99
	assert_output --partial "$RUN/fifo.obs:3: malformed observation"
	assert_output --partial "compare: $RUN is not a well-formed run"
	refute_output --partial "existing_path"
	refute_output --partial "differ"
	# in either place
	run ipcvm compare "$RUN" "$BATS_TEST_TMPDIR/other"
	assert_failure 99
	assert_output --partial "compare: $RUN is not a well-formed run"
}

@test "CLI-CRLF: a CRLF file is named as such, with the first bad line escaped" {
	sed -i 's/$/\r/' "$RUN/fifo.obs"
	run ipcvm validate "$RUN"
	assert_failure 1
	assert_line "$RUN/fifo.obs:1: carriage return (CRLF line ending): \"$(sed -n '1s/\r$//p' "$RUN/fifo.obs")\\r\""
	assert_output --regexp "fifo.obs: [0-9]+ more lines end in a carriage return: a CRLF \(DOS\) file"
	# the file is otherwise well formed: no other complaint
	refute_output --partial "malformed"
	refute_output --partial "cut short"
	no_raw_bytes
	sed -i 's/\r$//' "$RUN/fifo.obs"
	printf 'x=1\r\n' >>"$RUN/meta.env"
	run ipcvm validate "$RUN"
	assert_failure 1
	assert_output --regexp "meta.env:[0-9]+: carriage return \(CRLF line ending\): \"x=1\\\\r\""
	no_raw_bytes
}

@test "CLI-BINARY: control bytes in an observation file or meta.env are named, shown escaped, never raw" {
	printf 'fifo.x=a\000b\001c\n' >"$BATS_TEST_TMPDIR/line"
	sed -i "2r $BATS_TEST_TMPDIR/line" "$RUN/fifo.obs"
	run ipcvm validate "$RUN"
	assert_failure 1
	assert_line "$RUN/fifo.obs:3: control bytes (a binary file?): \"fifo.x=a\\x00b\\x01c\""
	no_raw_bytes
	# a whole binary file: one line for the first bad line, one for the rest
	head -c 4096 "$IPCVM_PROBEDIR/fifo" >"$RUN/fifo.obs"
	run ipcvm validate "$RUN"
	assert_failure 1
	assert_output --regexp "fifo.obs: [0-9]+ more lines hold control bytes: a binary file"
	((${#lines[@]} < 10)) || fail "one line per bad line: ${#lines[@]} lines"
	no_raw_bytes
	# bytes outside ASCII make a malformed line, escaped too
	cp "$GOOD/fifo.obs" "$RUN/fifo.obs"
	set_obs fifo.mkfifo.result "$(printf '\303\251t\303\251')"
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --partial 'malformed observation "fifo.mkfifo.result=\xc3\xa9t\xc3\xa9"'
	no_raw_bytes
}

@test "CLI-RANGE: a number that does not fit 64 bits, or a negative count or size, is refused" {
	set_obs fifo.nonblock.filled_bytes 18446744073709551616
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --partial "value 18446744073709551616 of fifo.nonblock.filled_bytes does not fit in 64 bits"
	set_obs fifo.nonblock.filled_bytes 123456789012345678901234567890
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --partial "does not fit in 64 bits"
	set_obs fifo.x_kib -9223372036854775809
	set_obs fifo.nonblock.filled_bytes 65536
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --partial "value -9223372036854775809 of fifo.x_kib does not fit in 64 bits"
	set_obs fifo.x_kib -4096
	set_obs fifo.nonblock.filled_bytes -4096
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --partial "negative value -4096 of fifo.nonblock.filled_bytes"
	refute_output --partial "fifo.x_kib"
	# the edges fit; -1 says a size could not be read
	set_obs fifo.nonblock.filled_bytes 18446744073709551615
	set_obs fifo.x_kib -9223372036854775808
	set_obs fifo.y_count -1
	set_obs fifo.z_pages 00000000000000000000000000001
	run ipcvm validate "$RUN" fifo
	assert_success
}

@test "CLI-STATUS-LINES: probe.status=error needs its error.call, error.errno and error.where; skipped its skip.reason" {
	sed -i '$d' "$RUN/fifo.obs"
	cp "$RUN/fifo.obs" "$BATS_TEST_TMPDIR/cut"
	printf '%s\n' error.errno=EMFILE probe.status=error >>"$RUN/fifo.obs"
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --regexp "fifo.obs:[0-9]+: probe.status=error without error.call"
	assert_output --regexp "fifo.obs:[0-9]+: probe.status=error without error.where"
	refute_output --partial "without error.errno"
	cp "$BATS_TEST_TMPDIR/cut" "$RUN/fifo.obs"
	printf '%s\n' error.call=mkfifo error.errno=EMFILE error.where=probes/fifo.c:42 probe.status=error >>"$RUN/fifo.obs"
	run ipcvm validate "$RUN" fifo
	assert_success
	cp "$BATS_TEST_TMPDIR/cut" "$RUN/fifo.obs"
	echo probe.status=skipped >>"$RUN/fifo.obs"
	run ipcvm validate "$RUN" fifo
	assert_failure 1
	assert_output --regexp "fifo.obs:[0-9]+: probe.status=skipped without skip.reason"
}

@test "CLI-PARTIAL: a one-family run is judged with a note naming the families it lacks; a family it was recorded for and lost is a fault" {
	run ipcvm validate "$RUN"
	assert_success
	assert_output "$RUN: note: no observations of pipe msgq shm socket vm: a partial run, judged on the families it holds"
	run ipcvm verify "$RUN"
	assert_success
	assert_output --partial "note: no observations of pipe"
	# recorded for fifo (meta.env says so), and fifo.obs is gone
	cp "$RUN/fifo.obs" "$BATS_TEST_TMPDIR/fifo.obs"
	rm "$RUN/fifo.obs"
	cp "$BATS_TEST_TMPDIR/fifo.obs" "$RUN/pipe.obs"
	sed -i 's/^fifo\./pipe./' "$RUN/pipe.obs"
	run ipcvm validate "$RUN"
	assert_failure 1
	assert_output --partial "$RUN/fifo.obs: missing: the run was recorded for fifo"
	# a run from before recorded_probes: a note only
	sed -i '/^recorded_probes=/d' "$RUN/meta.env"
	run ipcvm validate "$RUN"
	assert_success
	assert_output --partial "note: no observations of fifo msgq shm socket vm"
	# nothing at all is a fault
	rm "$RUN/pipe.obs"
	run ipcvm validate "$RUN"
	assert_failure 1
	assert_output --partial "$RUN: no observations"
}

@test "CLI-FAMILIES-BUILT: families --built lists the probes built in a directory, and refuses a missing one cleanly" {
	run ipcvm families --built "$BATS_TEST_TMPDIR/nothing-here"
	assert_failure 2
	assert_output --partial "families: no such directory $BATS_TEST_TMPDIR/nothing-here"
	refute_output --partial "parameter"
	mkdir "$BATS_TEST_TMPDIR/probes"
	ln -s "$IPCVM_PROBEDIR/fifo" "$BATS_TEST_TMPDIR/probes/fifo"
	run ipcvm families --built "$BATS_TEST_TMPDIR/probes"
	assert_success
	assert_output fifo
	run ipcvm families
	assert_success
	assert_output "$(printf '%s\n' pipe fifo msgq shm socket vm)"
}

# json_with_awk AWK: ipcvm json of the doctored run with AWK as awk (busybox:
# its awk applet), judged
# by one stand-in case whose expectation and reason hold the same bytes
json_with_awk() {
	local src=$BATS_TEST_TMPDIR/src bin=$BATS_TEST_TMPDIR/bin-$1
	mkdir -p "$src/harness" "$src/cases" "$bin"
	ln -sf "$IPCVM_SRCDIR/harness/ipcvm" "$IPCVM_SRCDIR/harness/ipcvm.bash" "$IPCVM_SRCDIR/harness/ipcvm-observe.bash" \
		"$IPCVM_SRCDIR/harness/quote.awk" \
		"$IPCVM_SRCDIR/harness/validate.awk" "$src/harness/"
	# (%test: Bats would take an @test line here for one of this file)
	sed 's/^%test/@test/' >"$src/cases/fifo.bats" <<-'EOF'
		load ../harness/ipcvm
		setup_file() { observe fifo; }
		setup() { require_observations; }
		%test "CLI-QUOTED: a claim with a \\ backslash and a \" quote" {
			expect fifo.mkfifo.result = "$(printf 'a\\i "q"\001c')" "$(printf 'why: \\i "q"\tt\002c')"
		}
	EOF
	ln -sf "$(command -v "$1")" "$bin/awk"
	PATH=$bin:$PATH "$src/harness/ipcvm" json "$RUN" 2>"$BATS_TEST_TMPDIR/json.err"
}

@test "CLI-JSON-QUOTING: json stays valid JSON with a backslash, a quote, a tab and a control byte, under mawk, gawk and busybox awk" {
	command -v jq >/dev/null || skip "jq is missing (Debian: apt-get install jq)"
	local awk tried=''
	sed -i "s|^distro=.*|distro='a\\\\i \"q\"	tab'|" "$RUN/meta.env"
	for awk in mawk gawk busybox; do
		command -v "$awk" >/dev/null || continue
		tried+=" $awk"
		json_with_awk "$awk" >"$BATS_TEST_TMPDIR/$awk.json" || true
		jq -e . "$BATS_TEST_TMPDIR/$awk.json" >/dev/null ||
			fail "$awk: not JSON: $(cat "$BATS_TEST_TMPDIR/$awk.json" "$BATS_TEST_TMPDIR/json.err")"
		run jq -r '.meta.distro' "$BATS_TEST_TMPDIR/$awk.json"
		assert_output "$(printf 'a\\i "q"\ttab')"
		run jq -r '.verdicts[0].assertions[0].expected' "$BATS_TEST_TMPDIR/$awk.json"
		assert_output "$(printf 'a\\i "q"\001c')"
		run jq -r '.verdicts[0].assertions[0].reason' "$BATS_TEST_TMPDIR/$awk.json"
		assert_output --partial "$(printf 'why: \\i "q" t\002c')"
		run jq -r '.verdicts[0].claim' "$BATS_TEST_TMPDIR/$awk.json"
		assert_output 'CLI-QUOTED: a claim with a \ backslash and a " quote'
	done
	[[ -n $tried ]] || skip "none of mawk, gawk and busybox is installed"
}
