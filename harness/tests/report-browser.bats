#!/usr/bin/env bats
# The HTML claims report is a page people open: check it in a real headless
# browser.  The page counts its verdict cells in a script; the browser's DOM
# must show the same counts the report wrote, which proves the page parsed,
# ran and rendered.

load ../ipcvm

setup_file() {
	export GOOD=$BATS_FILE_TMPDIR/good BAD=$BATS_FILE_TMPDIR/bad
	if [[ -n ${IPCVM_PROBEDIR:-} ]]; then
		"$IPCVM_SRCDIR/harness/ipcvm" record --out "$GOOD" fifo 2>/dev/null || true
		cp -r "$GOOD" "$BAD"
		sed -i 's/^fifo.unrelated.data=.*/fifo.unrelated.data=other/' "$BAD/fifo.obs"
	fi
}

setup() {
	[[ -f $GOOD/fifo.obs ]] || fail "no run to report on: run through make check-self (IPCVM_PROBEDIR)"
	CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
		skip "no chromium to render the report (Debian: apt-get install chromium; harness/setup installs it)"
	load_bats_support
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
}

# render FILE: the DOM headless Chromium built from FILE, after its scripts ran
render() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$BATS_TEST_TMPDIR/profile" \
		--dump-dom "file://$1" 2>/dev/null
}

@test "REPORT-HTML: headless Chromium renders the report, and the page's own count of verdicts matches the report's cells" {
	"$IPCVM_SRCDIR/harness/ipcvm" report --html "$BATS_TEST_TMPDIR/r.html" "$GOOD" "$BAD" >/dev/null
	local want_differs want_holds
	want_differs=$(grep -o 'class="verdict differs"' "$BATS_TEST_TMPDIR/r.html" | wc -l)
	want_holds=$(grep -o 'class="verdict holds"' "$BATS_TEST_TMPDIR/r.html" | wc -l)
	[[ $want_differs -ge 2 ]] || fail "the doctored run should differ in at least two cells, the report has $want_differs"
	run render "$BATS_TEST_TMPDIR/r.html"
	assert_success
	assert_output --partial "data-differs=\"$want_differs\""
	assert_output --partial "data-holds=\"$want_holds\""
	assert_output --regexp "<p id=\"summary\"[^>]*>$want_holds holds, $want_differs differs"
	assert_output --partial 'lang="zh">命名管道是在不相关的进程之间'
}
