#!/usr/bin/env bats
# The HTML claims report is the page people open first: check it in a real
# headless browser, served as Jenkins serves it, under its default
# Content-Security-Policy (sandbox; default-src 'none'; img-src 'self';
# style-src 'self').  The page must render there with no CSP violation,
# its colours on screen, the runs told apart in the header with their
# totals, the failures first.  The screenshot is kept in
# $IPCVM_REPORT_SHOTS (default: the test's own temporary directory).

load ../ipcvm

JENKINS_CSP="sandbox; default-src 'none'; img-src 'self'; style-src 'self';"

setup_file() {
	export GOOD=$BATS_FILE_TMPDIR/good BAD=$BATS_FILE_TMPDIR/bad SITE=$BATS_FILE_TMPDIR/site
	[[ -n ${IPCVM_PROBEDIR:-} ]] || return 0
	"$IPCVM_SRCDIR/harness/ipcvm" record --out "$GOOD" fifo 2>/dev/null || true
	cp -r "$GOOD" "$BAD"
	# in the bad run FIFO-UNRELATED fails and FIFO-DUPLEX is skipped
	sed -i 's/^fifo.unrelated.data=.*/fifo.unrelated.data=other/; s/^fifo.duplex.peer_exit=.*/fifo.duplex.peer_exit=SKIP\nfifo.duplex.peer_exit.why=skipped-for-the-test/' "$BAD/fifo.obs"
	mkdir -p "$SITE"
	"$IPCVM_SRCDIR/harness/ipcvm" report --html "$SITE/r.html" "$GOOD" "$BAD" >/dev/null 2>&1 || true
}

setup() {
	[[ -f $GOOD/fifo.obs ]] || fail "no run to report on: run through make check-self (IPCVM_PROBEDIR)"
	[[ -s $SITE/r.html ]] || fail "harness/ipcvm report wrote no page"
	CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
		skip "no chromium to render the report (Debian: apt-get install chromium; harness/setup installs it)"
	command -v python3 >/dev/null || skip "no python3 to serve the page with a CSP header"
	load_bats_support
	# shellcheck source=/dev/null # found at run time
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
	SHOTS=${IPCVM_REPORT_SHOTS:-$BATS_TEST_TMPDIR}
	mkdir -p "$SHOTS"
}

teardown() {
	[[ -z ${SERVER:-} ]] || kill "$SERVER" 2>/dev/null || true
}

# serve DIR POLICY: serve DIR on 127.0.0.1 with the header
# Content-Security-Policy: POLICY; sets PORT and SERVER (its pid)
serve() {
	python3 -c '
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", sys.argv[2])
        super().end_headers()
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
print(s.server_address[1], flush=True)
s.serve_forever()' "$1" "$2" >"$BATS_TEST_TMPDIR/port" 2>"$BATS_TEST_TMPDIR/server.err" 3>&- &
	SERVER=$!
	local tries=50
	while ((tries-- > 0)); do
		PORT=$(cat "$BATS_TEST_TMPDIR/port" 2>/dev/null) || true
		[[ -z $PORT ]] || return 0
		sleep 0.1
	done
	fail "the test's web server did not start: $(cat "$BATS_TEST_TMPDIR/server.err")"
}

# chromium ARGS... URL: headless Chromium, its console (CSP violations
# included) logged into $BATS_TEST_TMPDIR/console
chromium() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$BATS_TEST_TMPDIR/profile" \
		--enable-logging=stderr --v=0 "$@" 2>>"$BATS_TEST_TMPDIR/console"
}

# colours PNG RGB...: how many pixels of the screenshot PNG have each
# colour (hex RRGGBB), one count a line
colours() {
	python3 -c '
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride, prev, count = zlib.decompress(idat), w * bpp, bytearray(w * bpp), {}
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        k = "%02x%02x%02x" % tuple(line[x:x + 3])
        count[k] = count.get(k, 0) + 1
    prev = line
for k in sys.argv[2:]:
    print(count.get(k.lower(), 0))' "$@"
}

@test "REPORT-HTML-CSP: under Jenkins' Content-Security-Policy the page renders its table and colours, and Chromium reports no violation" {
	serve "$SITE" "$JENKINS_CSP"
	run chromium --dump-dom "http://127.0.0.1:$PORT/r.html"
	assert_success
	assert_output --partial '<table class="matrix" id="kernel">'
	chromium --screenshot="$SHOTS/report.png" --window-size=1400,900 "http://127.0.0.1:$PORT/r.html" >/dev/null
	[[ -s $SHOTS/report.png ]] || fail "Chromium took no screenshot"
	echo "# screenshot: $SHOTS/report.png" >&3
	# the CSS was applied: the fail, pass and skip colours are on screen
	run colours "$SHOTS/report.png" f8d0d0 d9f2d9 f3ecc8
	assert_success
	local -a n
	mapfile -t n <<<"$output"
	((n[0] > 500 && n[1] > 5000 && n[2] > 500)) ||
		fail "the verdict colours are not on screen (pixels of fail, pass, skip: ${n[*]}): the stylesheet was not applied"
	# the policy was enforced, and nothing on the page broke it
	run grep -iE 'CONSOLE.*(Content.Security.Policy|Refused|blocked)' "$BATS_TEST_TMPDIR/console"
	assert_failure
}

@test "REPORT-HTML-CSP can fail: an inline style or script on the page is refused and reported" {
	sed 's|</body>|<p style="color:red">x</p><script>document.title="x"</script></body>|' "$SITE/r.html" >"$SITE/broken.html"
	serve "$SITE" "$JENKINS_CSP"
	chromium --dump-dom "http://127.0.0.1:$PORT/broken.html" >/dev/null
	run grep -ciE 'CONSOLE.*(Content.Security.Policy|Refused|blocked)' "$BATS_TEST_TMPDIR/console"
	assert_success
	((output >= 2)) || fail "Chromium reported $output violations, expected the style's and the script's"
}

@test "REPORT-HTML-DOM: no script, no inline style or handler; runs told apart in the header with their totals; failures, then differences, first" {
	serve "$SITE" "$JENKINS_CSP"
	run chromium --dump-dom "http://127.0.0.1:$PORT/r.html"
	assert_success
	local dom=$output
	run grep -ciE '<script|<style|[[:space:]]style=|[[:space:]]on[a-z]+=|javascript:' <<<"$dom"
	assert_output 0
	local kernel=${dom#*<table class=\"matrix\" id=\"kernel\">}
	kernel=${kernel%%</table>*}
	# the header: label and kernel release of each run, and its totals
	local rel
	rel=$(sed -n 's/^kernel_release=//p' "$GOOD/meta.env")
	assert_regex "$kernel" "<th scope=\"col\" class=\"run\"[^>]*><span class=\"label\">#1 good</span> <span class=\"rel\">$rel</span>"
	assert_regex "$kernel" '<span class="label">#2 bad</span> <span class="rel">[^<]+</span> <span class="who">[^<]+</span> <span class="totals"><span class="t pass">[1-9][0-9]* pass</span> <span class="t fail">1 fail</span> <span class="t skip">1 skip</span>'
	assert_regex "$dom" '<tr id="run-2">.*data-pass="[0-9]+" data-fail="1" data-skip="1" data-error="0"'
	# the notes' claims are counted apart
	assert_regex "$dom" '<table class="matrix" id="notes">.*NOTES-FIFO-UNRELATED'
	# the groups of rows: failures, then disagreements, then the rest
	[[ $kernel == *'<tbody class="fails">'*'<tbody class="split">'*'<tbody class="same">'* ]] ||
		fail "the groups of rows are not in the order fails, split, same"
	local group=${kernel#*<tbody class=\"fails\">}
	group=${group%%</tbody>*}
	assert_regex "$group" '^<tr class="group"><th colspan="3">[^<]*\(1\)</th></tr>'
	assert_regex "$group" 'FIFO-UNRELATED</span>.*class="verdict holds".*class="verdict differs"'
	group=${kernel#*<tbody class=\"split\">}
	group=${group%%</tbody>*}
	assert_regex "$group" '^<tr class="group"><th colspan="3">[^<]*\(1\)</th></tr>'
	assert_regex "$group" 'FIFO-DUPLEX</span>.*class="verdict holds".*class="verdict skipped"'
	# a failure's detail is there on demand: expected and observed
	assert_regex "$dom" '<details><summary>fail</summary><div class="detail"><dl><dt>observation</dt><dd><code>fifo.unrelated.data</code></dd><dt>expected</dt><dd><code>= from-peer</code></dd><dt>observed</dt><dd><code>other</code>'
}

@test "REPORT-HTML-STICKY: scrolled down and right, the header row and the claim column stay in view" {
	# a copy of the page with a probe script, served with the same
	# style-src 'self' (and a script-src 'self' for the probe alone)
	mkdir -p "$BATS_TEST_TMPDIR/probe"
	cp "$SITE/ipcvm-report.css" "$BATS_TEST_TMPDIR/probe/"
	sed 's|</body>|<script src="probe.js"></script></body>|' "$SITE/r.html" >"$BATS_TEST_TMPDIR/probe/r.html"
	cat >"$BATS_TEST_TMPDIR/probe/probe.js" <<'EOF'
var th = document.querySelector('#kernel thead th.run');
var row = document.querySelector('#kernel tbody.same tr:last-child');
var out = [], r;
out.push('position=' + getComputedStyle(th).position + ',' + getComputedStyle(row.querySelector('th')).position);
window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - 300);
out.push('scrolled_y=' + Math.round(window.scrollY));
out.push('header_top=' + Math.round(th.getBoundingClientRect().top));
window.scrollTo(5000, window.scrollY);
out.push('scrolled_x=' + Math.round(window.scrollX));
out.push('claim_left=' + Math.round(row.querySelector('th').getBoundingClientRect().left));
var p = document.createElement('pre');
p.id = 'probe';
p.textContent = out.join(' ');
document.body.appendChild(p);
EOF
	serve "$BATS_TEST_TMPDIR/probe" "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'"
	run chromium --window-size=700,600 --dump-dom "http://127.0.0.1:$PORT/r.html"
	assert_success
	assert_output --regexp '<pre id="probe">position=sticky,sticky scrolled_y=[1-9][0-9]+ header_top=0 scrolled_x=[1-9][0-9]* claim_left=0</pre>'
}
