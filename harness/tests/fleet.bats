#!/usr/bin/env bats
# Fleets: ipcvm in the engines that run tests on many machines.  The
# installed LTP-style suite runs under kirk (LTP's executor) on this host
# and over SSH into a second host (a network namespace with its own sshd);
# harness/export writes KCIDB (KernelCI) documents that the KCIDB v5.3
# schema accepts, kirk's report shape, and LTP's per-claim lines with the
# Summary block and exit codes kirk reads.  Every test breaks its input once
# and sees the failure.
#
# kirk and the KCIDB schema are not part of ipcvm: they are used from
# ../shared next to the source tree (or KIRK=, KCIDB_SCHEMA=) where present,
# and the tests that need them skip with the reason where not.

load ../ipcvm

export_() { "$IPCVM_SRCDIR/harness/export" "$@"; }

setup_file() {
	export GOOD=$BATS_FILE_TMPDIR/good
	if [[ -n ${IPCVM_PROBEDIR:-} ]]; then
		"$IPCVM_SRCDIR/harness/ipcvm" record --out "$GOOD" fifo 2>/dev/null || true
	fi
}

setup() {
	load_bats_support
	# shellcheck source=/dev/null
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
	command -v jq >/dev/null || fail "jq is missing: harness/export needs it (Debian: apt-get install jq)"
}

# the bats-assert fail, not the judge's (no verdict records here)
teardown() { :; }

need_good_run() {
	[[ -f $GOOD/fifo.obs ]] || fail "no fresh fifo run: run through make check (IPCVM_PROBEDIR)"
}

# shared_file PATH: PATH under ../shared next to the source tree, or under
# /work/shared; empty when neither has it
shared_file() {
	local d
	for d in "$IPCVM_SRCDIR/../shared" /work/shared; do
		[[ -e $d/$1 ]] && { (cd "$(dirname "$d/$1")" && printf '%s/%s\n' "$PWD" "$(basename "$1")"); return 0; }
	done
	return 1
}

# python_with MODULE: a python3 that imports MODULE (Debian's first: its
# python3-jsonschema and python3-asyncssh live there)
python_with() {
	local py
	for py in /usr/bin/python3 python3; do
		command -v "$py" >/dev/null && "$py" -c "import $1" 2>/dev/null && { command -v "$py"; return 0; }
	done
	return 1
}

kirk_or_skip() {
	KIRK=${KIRK:-$(shared_file tools/kirk/kirk)} ||
		skip "kirk is not in ../shared/tools/kirk next to the source tree (set KIRK=path/to/kirk)"
	PY=$(python_with asyncio) || skip "no python3 to run kirk"
}

# a minimal ipcvm json document: one claim of each status given as
# STATUS:ID[:expected:observed]...
doc() {
	local args=() s
	for s; do args+=("$s"); done
	jq -n --args '{format: "ipcvm-run-1", run: "results/test-run",
		meta: {kernel_release: "6.1.0-50-cloud-amd64", kernel_version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-01-01)",
			machine: "x86_64", libc: "glibc-2.36", recorded_at: "2026-11-26T07:02:37Z", os_id: "debian", os_version_id: "12",
			kernel_cmdline: "console=ttyS0 quiet", cpu: "unknown", memtotal_kb: "2000000", swaptotal_kb: "0"},
		observations: {},
		verdicts: [$ARGS.positional[] | split(":") | {claim: (.[1] + ": a claim about " + .[1] + " (man(7))"),
			status: .[0], detail: (.[3] // ""),
			assertions: (if .[2] then [{observation: "fifo.x", operator: "=", expected: .[2], observed: .[3], verdict: .[0]}] else [] end)}]}' \
		"${args[@]}"
}

@test "FLEET-LTP-LINES: one LTP line per claim, the Summary block kirk parses, and LTP's exit codes" {
	doc pass:FIFO-A:EEXIST:EEXIST pass:FIFO-B >"$BATS_TEST_TMPDIR/pass.json"
	run export_ ltp "$BATS_TEST_TMPDIR/pass.json"
	assert_success
	assert_line "FIFO-A TPASS: a claim about FIFO-A (man(7)); expected fifo.x = EEXIST, observed fifo.x=EEXIST"
	assert_line "FIFO-B TPASS: a claim about FIFO-B (man(7))"
	# kirk's parser (libkirk/ltp.py _SUMMARY_RE), applied to this output
	local nl=$'\n'
	[[ $output =~ Summary:${nl}passed\ +2${nl}failed\ +0${nl}broken\ +0${nl}skipped\ +0${nl}warnings\ +0 ]] ||
		fail "no Summary block kirk can read in: $output"

	# the controls: a failing, an unjudgeable and an all-skipped run
	doc pass:FIFO-A fail:FIFO-B:EEXIST:OK >"$BATS_TEST_TMPDIR/fail.json"
	run export_ ltp "$BATS_TEST_TMPDIR/fail.json"
	assert_failure 1
	assert_line "FIFO-B TFAIL: a claim about FIFO-B (man(7)); expected fifo.x = EEXIST, observed fifo.x=OK"
	assert_line --regexp '^failed +1$'
	# no verdict at all is broken, never a pass
	doc >"$BATS_TEST_TMPDIR/none.json"
	run export_ ltp "$BATS_TEST_TMPDIR/none.json"
	assert_failure 2
	assert_line --regexp '^ipcvm TBROK: .*no verdict'
	doc fail:FIFO-A:EEXIST:OK error:FIFO-B >"$BATS_TEST_TMPDIR/error.json"
	run export_ ltp "$BATS_TEST_TMPDIR/error.json"
	assert_failure 3
	assert_line --regexp '^FIFO-B TBROK: '
	assert_line --regexp '^broken +1$'
	doc skip:FIFO-A skip:FIFO-B >"$BATS_TEST_TMPDIR/skip.json"
	run export_ ltp "$BATS_TEST_TMPDIR/skip.json"
	assert_failure 32
	assert_line --regexp '^FIFO-A TCONF: '
	assert_line --regexp '^skipped +2$'
}

@test "FLEET-LTP-RUN: a recorded run is judged into LTP lines: a doctored observation is a TFAIL, a skipped probe TCONF, a cut-short file TBROK" {
	need_good_run
	run export_ ltp "$GOOD"
	assert_success
	assert_line --regexp '^FIFO-EEXIST TPASS: '
	assert_line --regexp '^passed +16$'

	cp -r "$GOOD" "$BATS_TEST_TMPDIR/bad"
	sed -i 's/^fifo.mkfifo.existing_path=.*/fifo.mkfifo.existing_path=OK/' "$BATS_TEST_TMPDIR/bad/fifo.obs"
	run export_ ltp "$BATS_TEST_TMPDIR/bad"
	assert_failure 1
	assert_line --regexp '^FIFO-EEXIST TFAIL: mkfifo on an existing path fails with EEXIST .*fifo.mkfifo.existing_path=OK'
	assert_line --regexp '^failed +1$'

	mkdir "$BATS_TEST_TMPDIR/skipped"
	cp "$GOOD/meta.env" "$BATS_TEST_TMPDIR/skipped/"
	printf 'skip.reason=no-fifos-here\nprobe.status=skipped\n' >"$BATS_TEST_TMPDIR/skipped/fifo.obs"
	run export_ ltp "$BATS_TEST_TMPDIR/skipped"
	assert_failure 32
	assert_line --regexp '^FIFO-EEXIST TCONF: .*no fifos here'

	cp -r "$GOOD" "$BATS_TEST_TMPDIR/cut"
	sed -i '$d' "$BATS_TEST_TMPDIR/cut/fifo.obs"
	run export_ ltp "$BATS_TEST_TMPDIR/cut"
	assert_failure 2
	assert_line --regexp '^ipcvm TBROK: .*cut short'
	assert_line --regexp '^broken +1$'
}

@test "FLEET-LTP-USAGE: ltp-family and export refuse what they cannot do, with exit 2; --help exits 0" {
	run "$IPCVM_SRCDIR/harness/ltp-family" nosuchfamily
	assert_failure 2
	assert_output --partial "unknown family nosuchfamily"
	run "$IPCVM_SRCDIR/harness/ltp-family" --help
	assert_success
	run export_ nosuchformat x
	assert_failure 2
	run export_ kirk a b
	assert_failure 2
	run export_ help
	assert_success
	assert_output --partial kcidb
	run export_ kcidb "$BATS_TEST_TMPDIR/nothing-here"
	assert_failure 99
}

@test "FLEET-KCIDB: every committed run exports to a KCIDB v5.3 document the schema accepts, with stable ids" {
	local schema py run runs i=0 docs=()
	schema=${KCIDB_SCHEMA:-$(shared_file schemas/kcidb-v5.3.schema.json)} ||
		skip "no KCIDB schema in ../shared/schemas next to the source tree (set KCIDB_SCHEMA=)"
	py=$(python_with jsonschema) || skip "python3-jsonschema is missing (Debian: apt-get install python3-jsonschema)"
	# judge the committed runs two at a time (this machine has two cores)
	# the committed runs (in a git checkout: not a run being recorded now)
	if git -C "$IPCVM_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
		runs=$(git -C "$IPCVM_SRCDIR" ls-files 'results/*/meta.env' | sed "s|^|$IPCVM_SRCDIR/|; s|/meta.env\$||")
	else
		runs=$(ls -d "$IPCVM_SRCDIR"/results/*/)
	fi
	for run in $runs; do
		[[ -f $run/meta.env ]] || continue
		i=$((i + 1))
		printf '%s\t%s\n' "$run" "$BATS_TEST_TMPDIR/run$i.json"
		docs+=("$BATS_TEST_TMPDIR/run$i.json")
	done >"$BATS_TEST_TMPDIR/list"
	[[ $i -gt 0 ]] || fail "no committed run under $IPCVM_SRCDIR/results"
	# shellcheck disable=SC2016 # the inner shell expands them
	xargs -P 2 -L 1 sh -c '"$0/harness/ipcvm" json "$1" >"$2" 2>"$2.err" || { cat "$2.err" >&2; exit 255; }' \
		"$IPCVM_SRCDIR" <"$BATS_TEST_TMPDIR/list" || fail "a committed run could not be judged"
	export_ kcidb "${docs[@]}" >"$BATS_TEST_TMPDIR/kcidb.json" || fail "export kcidb failed"
	validate() {
		"$py" - "$schema" "$1" <<-'EOF'
		import json, sys, jsonschema
		schema = json.load(open(sys.argv[1]))
		doc = json.load(open(sys.argv[2]))
		cls = jsonschema.validators.validator_for(schema)
		errors = list(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc))
		for e in errors[:5]:
		    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
		sys.exit(1 if errors else 0)
		EOF
	}
	run validate "$BATS_TEST_TMPDIR/kcidb.json"
	assert_success
	# one test per verdict, ids unique, every status KCIDB's
	run jq -r --slurpfile d <(cat "${docs[@]}" | jq -s '.') '
		. as $k | ([$d[0][].verdicts | length] | add) as $v | $k
		| if (.tests | length) != $v then "tests \(.tests | length) != verdicts \($v)"
		  elif (.tests | map(.id) | unique | length) != $v then "test ids are not unique"
		  elif (.builds | length) == 0 or (.checkouts | length) == 0 then "no build or checkout"
		  elif any(.tests[]; (.path | startswith("ipcvm.") | not) or .origin != "ipcvm" or (.id | startswith("ipcvm:") | not)) then "a test outside ipcvm"
		  else "ok" end' "$BATS_TEST_TMPDIR/kcidb.json"
	assert_output ok
	# stable: the same runs give the same ids
	run cmp <(jq -c '[.checkouts[].id, .builds[].id, .tests[].id]' "$BATS_TEST_TMPDIR/kcidb.json") \
		<(export_ kcidb "${docs[@]}" | jq -c '[.checkouts[].id, .builds[].id, .tests[].id]')
	assert_success

	# the control: the validator refuses a document KCIDB would refuse
	jq '.tests[0].status = "BROKEN" | .builds[0].origin = "Not An Origin"' "$BATS_TEST_TMPDIR/kcidb.json" >"$BATS_TEST_TMPDIR/bad.json"
	run validate "$BATS_TEST_TMPDIR/bad.json"
	assert_failure
	assert_output --partial "BROKEN"
}

@test "FLEET-KCIDB-FIELDS: a claim's KCIDB test carries its path, status, comment, log excerpt, start time and duration" {
	doc fail:FIFO-EEXIST:EEXIST:OK skip:VM-X error:SHM-Y >"$BATS_TEST_TMPDIR/d.json"
	jq '.verdicts[0].duration = 0.25' "$BATS_TEST_TMPDIR/d.json" >"$BATS_TEST_TMPDIR/d2.json"
	run export_ kcidb "$BATS_TEST_TMPDIR/d2.json"
	assert_success
	run jq -r '.tests[0] | [.path, .status, .comment, .start_time, .duration] | map(tostring) | join("|")' <<<"$output"
	assert_output "ipcvm.fifo.FIFO-EEXIST|FAIL|FIFO-EEXIST: a claim about FIFO-EEXIST (man(7))|2026-11-26T07:02:37Z|0.25"
	run export_ kcidb "$BATS_TEST_TMPDIR/d2.json"
	run jq -r '([.tests[].status] | join(" ")), .tests[0].log_excerpt, .builds[0].architecture, .checkouts[0].misc.debian_package_version' <<<"$output"
	assert_line "FAIL SKIP ERROR"
	assert_line "expected: fifo.x = EEXIST"
	assert_line "observed: fifo.x=OK"
	assert_line --regexp '^kernel: 6.1.0-50-cloud-amd64 x86_64 '
	assert_line x86_64
	assert_line 6.1.176-1
}

@test "FLEET-KIRK-SHAPE: export kirk gives kirk's report shape: claim results, stats and the environment from meta.env" {
	doc pass:FIFO-A fail:FIFO-B:EEXIST:OK skip:VM-C error:SHM-D >"$BATS_TEST_TMPDIR/d.json"
	run export_ kirk "$BATS_TEST_TMPDIR/d.json"
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/k.json"
	run jq -r '[.results[] | "\(.test_fqn)=\(.status)/\(.test.retval[0])"] | join(" ")' "$BATS_TEST_TMPDIR/k.json"
	assert_output "FIFO-A=pass/0 FIFO-B=fail/1 VM-C=conf/32 SHM-D=brok/2"
	run jq -r '.stats | "\(.passed) \(.failed) \(.broken) \(.skipped) \(.warnings)"' "$BATS_TEST_TMPDIR/k.json"
	assert_output "1 1 1 1 0"
	run jq -r '.environment | [.distribution, .distribution_version, .kernel, .cmdline, .arch, .cpu, .swap, .RAM] | join("|")' "$BATS_TEST_TMPDIR/k.json"
	assert_output "debian|12|Linux 6.1.0-50-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-01-01)|console=ttyS0 quiet|x86_64|unknown|0 kB|2000000 kB"
	run export_ kirk --per-family "$BATS_TEST_TMPDIR/d.json"
	run jq -r '[.results[] | "\(.test_fqn)=\(.status):\(.test.passed),\(.test.failed),\(.test.broken),\(.test.skipped)"] | join(" ")' <<<"$output"
	assert_output "ipcvm_fifo=fail:1,1,0,0 ipcvm_shm=brok:0,0,1,0 ipcvm_vm=conf:0,0,0,1"
}

# install_suite PREFIX: make install of this build into PREFIX
install_suite() {
	local builddir
	builddir=$(dirname "${IPCVM_PROBEDIR:-/nonexistent/probes}")
	[[ -f $builddir/Makefile ]] || skip "not run from a configured build (IPCVM_PROBEDIR): make install needs one"
	# a fresh make: the variables of the make check running us (TESTS=...,
	# FAMILIES=...) must not reach it through MAKEFLAGS
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$builddir" install prefix="$1" >"$BATS_TEST_TMPDIR/install.log" 2>&1 ||
		fail "make install failed: $(tail -n 20 "$BATS_TEST_TMPDIR/install.log")"
}

# kirk_counts REPORT: "fqn passed failed broken skipped status" per result, sorted
kirk_counts() {
	jq -r '.results[] | "\(.test_fqn) \(.test.passed) \(.test.failed) \(.test.broken) \(.test.skipped) \(.status)"' "$1" | sort
}

# check_kirk_report REPORT: one result per family, each with the number of
# claims its case file has, and none failing on this healthy machine
check_kirk_report() {
	local f n got
	got=$(jq -r '.results | length' "$1")
	[[ $got == "$("$IPCVM_SRCDIR/harness/ipcvm" families | wc -l)" ]] || fail "$got results in $1, not one per family"
	for f in $("$IPCVM_SRCDIR/harness/ipcvm" families); do
		n=$(grep -c '^@test ' "$IPCVM_SRCDIR/cases/$f.bats")
		got=$(jq -r --arg t "ipcvm_$f" '.results[] | select(.test_fqn == $t) | "\(.test.passed + .test.failed + .test.broken + .test.skipped) \(.status)"' "$1")
		[[ $got =~ ^$n\ (pass|conf)$ ]] ||
			fail "ipcvm_$f: '$got', not $n claims passing or skipped; its log: $(jq -r --arg t "ipcvm_$f" '.results[] | select(.test_fqn == $t) | .test.log' "$1" | head -n 20)"
	done
}

@test "FLEET-KIRK-HOST: kirk runs the installed suite here (LTPROOT = the prefix); export kirk of the same run gives the same results" {
	kirk_or_skip
	local root=$BATS_TEST_TMPDIR/ltproot
	install_suite "$root"
	run cat "$root/runtest/ipcvm"
	assert_line "ipcvm_pipe ipcvm-pipe"
	[[ -x $root/testcases/bin/ipcvm-pipe ]] || fail "no testcases/bin/ipcvm-pipe"

	LTPROOT=$root LTP_IPCVM_KEEP=$BATS_TEST_TMPDIR/kept \
		"$IPCVM_TIMEOUT" 600 "$PY" "$KIRK" --run-suite ipcvm --tmp-dir "$BATS_TEST_TMPDIR" \
		--json-report "$BATS_TEST_TMPDIR/r.json" >"$BATS_TEST_TMPDIR/kirk.log" 2>&1 ||
		fail "kirk failed: $(tail -n 30 "$BATS_TEST_TMPDIR/kirk.log")"
	check_kirk_report "$BATS_TEST_TMPDIR/r.json"
	run jq -r '.results[] | select(.test_fqn == "ipcvm_fifo") | .test.log' "$BATS_TEST_TMPDIR/r.json"
	assert_line --regexp '^FIFO-EEXIST TPASS: '

	# the same run, kept by the commands, through export kirk: the same
	# results (per family) and the same keys everywhere
	export_ kirk --per-family "$BATS_TEST_TMPDIR/kept" >"$BATS_TEST_TMPDIR/e.json" || fail "export kirk failed"
	run diff <(kirk_counts "$BATS_TEST_TMPDIR/r.json") <(kirk_counts "$BATS_TEST_TMPDIR/e.json")
	assert_success
	local shape='[paths | map(if type == "number" then 0 else . end) | join(".")] | unique | map(select(test("^(results\\.0\\.|stats|environment)")))'
	run diff <(jq -r "$shape | .[]" "$BATS_TEST_TMPDIR/r.json") <(jq -r "$shape | .[]" "$BATS_TEST_TMPDIR/e.json")
	assert_success

	# the control: a suite whose command fails is reported as failing
	printf '#!/bin/sh\necho "FIFO-X TFAIL: broken on purpose"\nexit 1\n' >"$root/testcases/bin/ipcvm-broken"
	chmod +x "$root/testcases/bin/ipcvm-broken"
	echo "ipcvm_broken ipcvm-broken" >"$root/runtest/ipcvm-broken"
	LTPROOT=$root "$IPCVM_TIMEOUT" 120 "$PY" "$KIRK" --run-suite ipcvm-broken --tmp-dir "$BATS_TEST_TMPDIR" \
		--json-report "$BATS_TEST_TMPDIR/b.json" >"$BATS_TEST_TMPDIR/kirk-b.log" 2>&1 || true
	run check_kirk_report "$BATS_TEST_TMPDIR/b.json"
	assert_failure
	run jq -r '.results[0].status' "$BATS_TEST_TMPDIR/b.json"
	assert_output fail

	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$(dirname "$IPCVM_PROBEDIR")" uninstall prefix="$root" >/dev/null 2>&1 ||
		fail "make uninstall failed"
	[[ ! -e $root/runtest/ipcvm && ! -e $root/testcases/bin/ipcvm-pipe && ! -e $root/libexec/ipcvm/probes ]] ||
		fail "make uninstall left the suite behind"
}

# ---- kirk over SSH into a second host ----------------------------------------
#
# The second host is a network namespace B running its own sshd, listening
# only on a veth pair whose other end is in a namespace A where kirk runs:
# neither namespace reaches the machine's network, and both vanish with
# their processes (nothing to remove from the host).  B has a private mount
# namespace for sshd's /run/sshd.  Keys, configuration and kirk's files live
# in the test's temporary directory.

ssh_or_skip() {
	kirk_or_skip
	PY=$(python_with asyncssh) || skip "kirk's ssh channel needs python3-asyncssh (Debian: apt-get install python3-asyncssh)"
	[[ -x /usr/sbin/sshd ]] || skip "no sshd to be the second host (Debian: apt-get install openssh-server)"
	{ command -v ip && command -v unshare && command -v nsenter; } >/dev/null ||
		skip "needs ip (iproute2), unshare and nsenter (util-linux)"
	unshare --net --mount true 2>/dev/null ||
		skip "cannot make network and mount namespaces here (needs CAP_SYS_ADMIN): $(unshare --net --mount true 2>&1)"
	[[ $(id -u) == 0 ]] || skip "sshd in the second host must run as root"
}

# kirk_over_ssh TMP LTPROOT REPORT KIRK-ARGS...: B's sshd up, kirk in A
kirk_over_ssh() {
	local tmp=$1
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_key" -C ipcvm-fleet-host || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/id" -C ipcvm-fleet-client || return 1
	cp "$tmp/id.pub" "$tmp/authorized_keys"
	cat >"$tmp/sshd_config" <<-EOF
	ListenAddress 10.203.0.2:22
	HostKey $tmp/host_key
	AuthorizedKeysFile $tmp/authorized_keys
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PidFile none
	MaxSessions 10
	EOF
	# shellcheck disable=SC2016 # expanded by the shells in the namespaces
	unshare --net -- bash -c '
		tmp=$1 root=$2 report=$3 py=$4 kirk=$5; shift 5
		ip link set lo up
		# B: wait for its end of the pair, then be sshd
		unshare --net --mount --propagation private -- sh -c "
			ip link set lo up
			mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd || exit 1
			i=0
			until ip -o addr show dev vb 2>/dev/null | grep -q 10.203.0.2; do
				i=\$((i + 1)); [ \$i -lt 100 ] || exit 1; sleep 0.1
			done
			exec /usr/sbin/sshd -D -e -f \"\$0/sshd_config\" 2>\"\$0/sshd.log\"
		" "$tmp" &
		b=$!
		echo "$b" >"$tmp/b.pid"
		trap "kill $b 2>/dev/null; wait $b" EXIT
		trap "exit 143" TERM INT
		i=0
		until [ "$(readlink /proc/$b/ns/net)" != "$(readlink /proc/self/ns/net)" ]; do
			i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1
		done
		ip link add va type veth peer name vb netns "$b" || exit 1
		ip addr add 10.203.0.1/24 dev va && ip link set va up || exit 1
		nsenter --net="/proc/$b/ns/net" sh -c "ip addr add 10.203.0.2/24 dev vb && ip link set vb up" || exit 1
		i=0
		until timeout 1 bash -c "</dev/tcp/10.203.0.2/22" 2>/dev/null; do
			i=$((i + 1)); [ $i -lt 50 ] || { echo "sshd in the second host did not come up: $(cat "$tmp/sshd.log")" >&2; exit 1; }
			sleep 0.2
		done
		LTPROOT=$root "$py" "$kirk" \
			--com "ssh:host=10.203.0.2:user=root:key_file=$tmp/id:known_hosts=/dev/null" \
			--sut default:com=ssh --tmp-dir "$tmp" --json-report "$report" "$@"
	' bash "$@"
}

@test "FLEET-KIRK-SSH: kirk runs the installed suite over SSH into a second host (a network namespace with its own sshd), two workers, and leaves nothing behind" {
	ssh_or_skip
	local root=$BATS_TEST_TMPDIR/ltproot tmp b
	install_suite "$root"
	tmp=$(mktemp -d "$BATS_TEST_TMPDIR/ssh.XXXXXX")
	"$IPCVM_TIMEOUT" -k 5 600 bash -c "$(declare -f kirk_over_ssh); kirk_over_ssh \"\$@\"" bash \
		"$tmp" "$root" "$BATS_TEST_TMPDIR/r.json" "$PY" "$KIRK" --run-suite ipcvm --workers 2 --force-parallel \
		>"$BATS_TEST_TMPDIR/kirk.log" 2>&1
	local rc=$?
	b=$(cat "$tmp/b.pid" 2>/dev/null)
	# nothing left: the second host's sshd is gone with its namespaces
	if [[ -n $b ]] && kill -0 "$b" 2>/dev/null; then
		kill "$b"
		fail "the second host's sshd (pid $b) outlived the test"
	fi
	[[ $rc == 0 ]] || fail "kirk over ssh failed ($rc): $(tail -n 30 "$BATS_TEST_TMPDIR/kirk.log") sshd: $(tail -n 5 "$tmp/sshd.log" 2>/dev/null)"
	run grep -c '^Accepted publickey for root from 10.203.0.1' "$tmp/sshd.log"
	assert_output --regexp '^[1-9]'
	check_kirk_report "$BATS_TEST_TMPDIR/r.json"
	run jq -r '.environment.kernel' "$BATS_TEST_TMPDIR/r.json"
	assert_output --regexp "^Linux $(uname -r) "
	rm -rf "$tmp" "$root"

	# the control: a second host without the suite is a failure, not a pass
	tmp=$(mktemp -d "$BATS_TEST_TMPDIR/ssh.XXXXXX")
	mkdir -p "$root"
	run "$IPCVM_TIMEOUT" -k 5 120 bash -c "$(declare -f kirk_over_ssh); kirk_over_ssh \"\$@\"" bash \
		"$tmp" "$root" "$BATS_TEST_TMPDIR/r2.json" "$PY" "$KIRK" --run-suite ipcvm
	assert_failure
	[[ ! -s $BATS_TEST_TMPDIR/r2.json ]] || fail "kirk reported a suite the second host does not have"
	rm -rf "$tmp"
}
