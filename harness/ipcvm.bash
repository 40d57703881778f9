# ipcvm.bash - what every case file loads: get a family's observations once
# (recorded fresh, or from IPCVM_RESULTS), then judge them one claim at a
# time with a failure that says what it compared.
#
#   setup_file() { observe pipe; }     record or locate pipe.obs, check it
#   @test "PIPE-X: ... (pipe(7))" { expect pipe.x = EAGAIN; }
#
# This file's setup() runs require_observations before every @test.
#
# Bash, because Bats is.

# Speed: Bats runs every @test in a new Bash that sources the case file
# and this one, and traces the test with a DEBUG trap that costs about a
# tenth of a millisecond for every command run, in the helpers too.  So
# the helpers the cases call run their work with the trap off
# (ipcvm_untraced), and observe() reads FAMILY.obs and meta.env once per
# family file.

: "${IPCVM_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
# make check sets IPCVM_VERDICT_DIR for the case files; the harness's own
# tests judge doctored runs, whose records must not land there
[[ ${BATS_TEST_FILENAME:-} == */cases/*.bats ]] || unset IPCVM_VERDICT_DIR
# Inside a test Bats puts its private libexec/bats first on PATH; a case
# that runs Bats again (the harness's own tests) must get the real one.
if [[ -z ${BATS:-} ]]; then
	BATS=$(PATH=${PATH#"$BATS_LIBEXEC:"} command -v bats) || BATS=bats
	export BATS
fi
# bats-support formats the failure report.  Loading a Bats library costs a
# dozen forks per test, so it is loaded only when a case is about to fail.
load_bats_support() {
	local dir=${IPCVM_BATS_LIBDIR:-/usr/lib/bats}
	declare -F batslib_print_kv_single >/dev/null && return 0
	if [[ ! -f $dir/bats-support/load.bash ]]; then
		echo "bats-support not found in $dir: run through make check, or set IPCVM_BATS_LIBDIR" >&2
		return 1
	fi
	source "$dir/bats-support/load.bash"
}

# fail MESSAGE: end the case with MESSAGE on stderr (a verdict record
# "fail" with MESSAGE as its reason)
fail() {
	ipcvm_record fail - - - - "$1"
	printf '%s\n' "$1" >&2
	return 1
}

# ipcvm_error OBSERVATION MESSAGE: the run or the case cannot be judged
# (a broken run, a missing observation, a bug in the case): a record
# "error", apart from "fail" (the kernel differs), and the case fails
ipcvm_error() {
	ipcvm_record error "$1" - - - "$2"
	printf '%s\n' "$2" >&2
	return 1
}

# ---- verdict records ----------------------------------------------------
#
# Every assertion writes one line to $IPCVM_VERDICTS (when set; observe()
# sets it to $IPCVM_VERDICT_DIR/FAMILY.verdicts when only that is set), and
# every @test one closing line from teardown.  Tab-separated, no tab or
# newline inside a field:
#
#   A  claim family observation operator expected observed verdict reason usec
#   T  claim family verdict detail usec description
#
# verdict: pass, fail (the kernel differs), skip (with its reason) or error
# (the run or the case cannot be judged).  harness/ipcvm builds json,
# report and JUnit from these lines, never from the TAP text.
IPCVM_RECORDED='' IPCVM_FIRST_FAIL='' IPCVM_FIRST_ERROR='' IPCVM_T_ASSERT=''

# ipcvm_record VERDICT OBSERVATION OPERATOR EXPECTED OBSERVED REASON
ipcvm_record() {
	[[ -n ${IPCVM_VERDICTS:-} && -n ${BATS_TEST_DESCRIPTION:-} ]] || return 0
	local f now=${EPOCHREALTIME/[.,]/} start usec
	start=${IPCVM_T_ASSERT:-${IPCVM_T0:-$now}}
	usec=$((now - start))
	local -a v=("${BATS_TEST_DESCRIPTION%%:*}" "${IPCVM_FAMILY:-}" "$2" "$3" "$4" "$5" "$1" "$6" "$usec")
	if [[ ${v[*]} == *[$'\t\n']* ]]; then
		for f in "${!v[@]}"; do
			v[f]=${v[f]//$'\t'/ } v[f]=${v[f]//$'\n'/ }
		done
	fi
	printf 'A\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${v[@]}" >>"$IPCVM_VERDICTS"
	IPCVM_RECORDED+=" $1"
	case $1 in
	fail) [[ -n $IPCVM_FIRST_FAIL ]] || IPCVM_FIRST_FAIL=${v[7]} ;;
	error) [[ -n $IPCVM_FIRST_ERROR ]] || IPCVM_FIRST_ERROR=${v[7]} ;;
	esac
	IPCVM_T_ASSERT=
}

# teardown: the @test's closing record, its verdict the worst of its
# assertions' (a case file that needs a teardown of its own calls
# ipcvm_close_test from it)
# (with Bats' DEBUG trap off for good: a failed case's stack trace is the
# one Bats took when it failed)
teardown() {
	trap - DEBUG
	local IPCVM_IN_HELPER=1
	ipcvm_close_test
}
ipcvm_close_test() {
	[[ -n ${IPCVM_VERDICTS:-} && -n ${BATS_TEST_DESCRIPTION:-} ]] || return 0
	local verdict detail now=${EPOCHREALTIME/[.,]/} f
	if [[ -n ${BATS_TEST_SKIPPED:-} ]]; then
		verdict=skip detail=$BATS_TEST_SKIPPED
		[[ $detail == 1 ]] && detail="skipped without a reason"
		[[ $IPCVM_RECORDED == *skip* ]] || ipcvm_record skip - - - - "$detail"
	elif [[ -n ${BATS_TEST_COMPLETED:-} ]]; then
		verdict=pass detail=
		[[ -n $IPCVM_RECORDED ]] || ipcvm_record pass - - - - "the case's own checks held"
	elif [[ $IPCVM_RECORDED == *fail* ]]; then
		verdict=fail detail=$IPCVM_FIRST_FAIL
	elif [[ $IPCVM_RECORDED == *error* ]]; then
		verdict=error detail=$IPCVM_FIRST_ERROR
	else
		verdict=fail detail="the case failed outside the judging helpers (see its TAP diagnostics)"
		ipcvm_record fail - - - - "$detail"
	fi
	local -a v=("${BATS_TEST_DESCRIPTION%%:*}" "${IPCVM_FAMILY:-}" "$verdict" "$detail" "$((now - ${IPCVM_T0:-$now}))" "$BATS_TEST_DESCRIPTION")
	if [[ ${v[*]} == *[$'\t\n']* ]]; then
		for f in "${!v[@]}"; do
			v[f]=${v[f]//$'\t'/ } v[f]=${v[f]//$'\n'/ }
		done
	fi
	printf 'T\t%s\t%s\t%s\t%s\t%s\t%s\n' "${v[@]}" >>"$IPCVM_VERDICTS"
	return 0
}

# ipcvm_untraced FUNCTION ARGS...: FUNCTION's status, run without Bats'
# DEBUG trap, which is put back after (a helper that fails ends the case:
# Bats took the stack trace on entry).  The trap is the one Bats 1.5 to
# 1.13 set (tracing.bash bats_setup_tracing); the commands of this file
# are left out of Bats' stack traces, so a failure names the case's line.
#
# In a case file the trap put back is a filtered one: it calls Bats' trap
# only for the case file's own commands (BASH_SOURCE is the preprocessed
# test file, BATS_TEST_SOURCE), which are the only ones whose stack trace
# Bats would keep (it ignores its own files and this one,
# BATS_DEBUG_EXCLUDE_PATHS).  So a failure names the same line, and Bats'
# own commands after setup no longer pay for a trap call each, about a
# third of a case's cost.  ipcvm_untraced in setup() installs it.
IPCVM_DEBUG_TRAP='' IPCVM_HERE=${BASH_SOURCE[0]%/*}
if declare -F bats_debug_trap >/dev/null; then
	# shellcheck disable=SC2016 # the trap text itself
	if [[ ${BATS_TEST_FILENAME:-} == */cases/*.bats && -n ${BATS_TEST_SOURCE:-} ]]; then
		IPCVM_DEBUG_TRAP='trap '\''[[ $BASH_SOURCE != "$BATS_TEST_SOURCE" ]] || bats_debug_trap "$BASH_SOURCE"'\'' DEBUG'
	else
		IPCVM_DEBUG_TRAP='trap '\''bats_debug_trap "$BASH_SOURCE"'\'' DEBUG'
	fi
fi
ipcvm_untraced() {
	if [[ -n ${IPCVM_IN_HELPER:-} || -z $IPCVM_DEBUG_TRAP || -z ${BATS_TEST_TMPDIR:-}${BATS_FILE_TMPDIR:-} ]]; then
		"$@"
		return
	fi
	trap - DEBUG
	if [[ -n $IPCVM_HERE && ${BATS_DEBUG_EXCLUDE_PATHS[*]:-} != *"$IPCVM_HERE"* ]] &&
		declare -F bats_add_debug_exclude_path >/dev/null; then
		bats_add_debug_exclude_path "$IPCVM_HERE"
	fi
	local IPCVM_IN_HELPER=1 ipcvm_rc=0
	"$@" || ipcvm_rc=$?
	eval "$IPCVM_DEBUG_TRAP"
	return $ipcvm_rc
}

# ---- getting the observations (setup_file) ------------------------------

# observe FAMILY: record or locate FAMILY's run and read it once for the
# family's tests (harness/ipcvm-observe.bash, loaded only here: the tests,
# which source this file each, need none of it).  Untraced: under Bats'
# DEBUG trap its loops cost a second per family.
observe() {
	source "$IPCVM_HERE/ipcvm-observe.bash" && ipcvm_untraced ipcvm_observe "$@"
}

# setup(): fail or skip a case whose family's run is broken or skipped.
# Every case file (cases/*.bats) gets it from here; one that needs more in
# its setup() calls require_observations first.  Bats' DEBUG trap goes off
# at once: each of its calls before that costs a tenth of a millisecond (a
# failure here names this line).
if [[ ${BATS_TEST_FILENAME:-} == */cases/*.bats ]]; then
	setup() {
		trap - DEBUG; require_observations
	}
fi
require_observations() { ipcvm_untraced ipcvm_require_observations; }
ipcvm_require_observations() {
	IPCVM_T0=${EPOCHREALTIME/[.,]/}
	case ${IPCVM_STATUS:-} in
	recorded) [[ -z ${IPCVM_SECTIONS_NOT_OK:-} ]] || require_section ;;
	skipped) ipcvm_record skip probe.status = recorded skipped "$IPCVM_PROBLEM"
		skip "$IPCVM_PROBLEM" ;;
	*) ipcvm_error probe.status "$IPCVM_PROBLEM" ;;
	esac
}

# require_section: this test's claim is an error when the probe's section
# that measures it did not end ok (a crash, its deadline, a hard error:
# what it recorded cannot be trusted), and a skip when that section could
# not run here.  Other sections' claims are judged as usual.
require_section() {
	local id=${BATS_TEST_DESCRIPTION%%:*} cid sec how detail why
	while IFS=$'\t' read -r cid sec how detail; do
		[[ $cid == "$id" ]] || continue
		case $how in
		skipped)
			ipcvm_record skip "probe.section.$sec" = ok skipped "${detail//-/ }"
			skip "the $IPCVM_FAMILY probe's section $sec cannot run here: ${detail//-/ }" ;;
		error) why="it hit a hard error: $detail" ;;
		timeout) why="it was still running at its deadline and was killed" ;;
		crashed-*) why="its process was killed by ${how#crashed-}" ;;
		never-ended) why="it never ended: the probe was cut short while it ran" ;;
		*) why="it ended with $how" ;;
		esac
		ipcvm_error "probe.section.$sec" "$id cannot be judged: the $IPCVM_FAMILY probe's section $sec, which measures it, did not end ok ($how): $why (kernel $(meta kernel_release))"
		return 1
	done <<<"$IPCVM_SECTIONS_NOT_OK"
}

# ---- reading ------------------------------------------------------------

# Speed: Bats runs each @test in a new Bash that sources the case file and
# this one again.  So observe() reads FAMILY.obs and meta.env once per
# family file, in setup_file, into two texts of "name=value" lines
# (IPCVM_OBS_TEXT, IPCVM_META_TEXT, exported to the tests), and a test
# finds each value it reads with one regular expression match, kept in
# IPCVM_OBS_CACHE or IPCVM_META_CACHE for a second read: no per-test loop
# over the file, no fork, and no cost for the values a test does not read.

# ipcvm_find OBS|META NAME: IPCVM_V is NAME's value in the run's
# observations (OBS) or in its meta.env (META, quotes removed); status 1
# when it is absent.  A value found is kept in IPCVM_OBS_CACHE or
# IPCVM_META_CACHE for a second read.
# shellcheck disable=SC2034 # read through ipcvm_find's nameref
declare -gA IPCVM_OBS_CACHE=() IPCVM_META_CACHE=()
ipcvm_find() {
	local -n ipcvm_cache=IPCVM_$1_CACHE ipcvm_text=IPCVM_$1_TEXT
	if [[ -v ipcvm_cache[$2] ]]; then
		IPCVM_V=${ipcvm_cache[$2]}
		return 0
	fi
	[[ ${ipcvm_text:-} =~ $'\n'"$2"=([^$'\n']*) ]] || return 1
	IPCVM_V=${BASH_REMATCH[1]}
	ipcvm_cache[$2]=$IPCVM_V
}

# lookup NAME: print the recorded value, or return 1 when NAME was not
# recorded.
lookup() { ipcvm_untraced ipcvm_lookup "$@"; }
ipcvm_lookup() {
	ipcvm_find OBS "$1" || return 1
	printf '%s\n' "$IPCVM_V"
}

# lookup_into VAR NAME: set VAR to the recorded value of NAME without a
# fork (a case's $(lookup NAME) costs a process); status 1, VAR untouched,
# when NAME was not recorded
lookup_into() {
	ipcvm_find OBS "$2" || return 1
	printf -v "$1" '%s' "$IPCVM_V"
}

# meta KEY: a meta.env value, quotes removed; status 1 when absent
meta() { ipcvm_untraced ipcvm_meta "$@"; }
ipcvm_meta() {
	ipcvm_find META "$1" || return 1
	printf '%s\n' "$IPCVM_V"
}

# meta_into VAR KEY: set VAR to meta KEY without a fork (status 1 when absent)
meta_into() {
	ipcvm_find META "$2" || return 1
	printf -v "$1" '%s' "$IPCVM_V"
}

# read_obs VAR NAME: set VAR to observation NAME, for a case that computes
# its expectation from another observation.  A missing observation fails the
# case; one the probe recorded as SKIP skips it.
read_obs() { ipcvm_untraced ipcvm_read_obs "$@"; }
ipcvm_read_obs() {
	if ! ipcvm_find OBS "$2"; then
		local why="the probe does not measure it" broken
		# a section that died may have been the one to record it
		broken=$(cut -f 2,3 <<<"$IPCVM_SECTIONS_NOT_OK" | sort -u | tr '\t\n' ' ,')
		[[ -z ${IPCVM_SECTIONS_NOT_OK:-} ]] ||
			why="the probe's sections that did not end ok (${broken%,}) may be the ones that measure it"
		ipcvm_error "$2" "$2 was not recorded in $IPCVM_OBS: $why (claim: $BATS_TEST_DESCRIPTION)"
		return 1
	fi
	if [[ $IPCVM_V == SKIP ]]; then
		ipcvm_find OBS "$2.why" || IPCVM_V=unknown
		ipcvm_record skip "$2" - - SKIP "$2 was not measured: ${IPCVM_V//-/ }"
		skip "$2 was not measured: ${IPCVM_V//-/ }"
	fi
	printf -v "$1" '%s' "$IPCVM_V"
}

# ---- judging --------------------------------------------------------------

# expect NAME OP VALUE [WHY]
#   OP is = or != (text), -eq -ne -lt -le -gt -ge (integers), or
#   "in" with VALUE a comma-separated list of allowed values.
# On failure prints the claim, what was compared, what was observed and on
# which kernel.
expect() { ipcvm_untraced ipcvm_expect "$@"; }
ipcvm_expect() {
	local name=$1 op=$2 want=$3 why=${4:-} got held
	IPCVM_T_ASSERT=${EPOCHREALTIME/[.,]/}
	read_obs got "$name" || return 1
	case $op in
	=) [[ $got == "$want" ]] && held=1 ;;
	!=) [[ $got != "$want" ]] && held=1 ;;
	-eq | -ne | -lt | -le | -gt | -ge)
		if ! [[ $got =~ ^-?[0-9]+$ ]]; then
			why="observed value is not a number${why:+; $why}"
		elif ! [[ $want =~ ^-?[0-9]+$ ]]; then
			ipcvm_error "$name" "expect: the expected value '$want' is not a number (bug in the case)"
			return 1
		elif test "$got" "$op" "$want"; then
			held=1
		fi ;;
	in) [[ ,$want, == *",$got,"* ]] && held=1 ;;
	*) ipcvm_error "$name" "expect: unknown comparison '$op' (bug in the case)"
		return 1 ;;
	esac
	if [[ -n ${held:-} ]]; then
		ipcvm_record pass "$name" "$op" "$want" "$got" "${4:-}"
		return 0
	fi
	claim_fails "$name" "$op $want" "$got" "$why"
}

# claim_fails NAME WANTED OBSERVED [WHY]: the standard failure report, and
# a record "fail" (WANTED is "OPERATOR EXPECTED")
claim_fails() { ipcvm_untraced ipcvm_claim_fails "$@"; }
ipcvm_claim_fails() {
	local op=${2%% *} want=${2#* }
	[[ $2 == *" "* ]] || op='' want=$2
	ipcvm_record fail "$1" "$op" "$want" "$3" "observed $1=$3, expected $1 $2${4:+ ($4)}"
	load_bats_support || return 1
	{
		echo "-- claim does not hold --"
		batslib_print_kv_single 9 \
			claim "$BATS_TEST_DESCRIPTION" \
			expected "$1 $2" \
			observed "$1=$3"
		[[ -n ${4:-} ]] && batslib_print_kv_single 9 why "$4"
		batslib_print_kv_single 9 \
			kernel "$(meta kernel_release) $(meta machine) ($(meta kernel_version))" \
			run "$IPCVM_ORIGIN"
		echo "--"
	} >&2
	return 1
}

# ---- prerequisites ----------------------------------------------------------

# cap_bit NAME: print the bit of capability NAME (capabilities(7))
cap_bit() {
	local bit
	cap_bit_into bit "$1" && printf '%s\n' "$bit"
}

# cap_bit_into VAR NAME: set VAR to cap_bit NAME without a fork
cap_bit_into() {
	case $2 in
	CAP_SETGID) printf -v "$1" 6 ;;
	CAP_SETUID) printf -v "$1" 7 ;;
	CAP_IPC_LOCK) printf -v "$1" 14 ;;
	CAP_IPC_OWNER) printf -v "$1" 15 ;;
	CAP_SYS_ADMIN) printf -v "$1" 21 ;;
	CAP_SYS_RESOURCE) printf -v "$1" 24 ;;
	*) ipcvm_error - "cap_bit: unknown capability $2 (bug in the case)" ;;
	esac
}

# has_cap NAME: the recording process held capability NAME in its own user
# namespace (what ns_capable() asks for the objects that namespace owns)
has_cap() { ipcvm_untraced ipcvm_has_cap "$@"; }
ipcvm_has_cap() {
	local bit caps
	cap_bit_into bit "$1" || return 1
	meta_into caps cap_eff || return 1
	(((16#$caps >> bit) & 1))
}

# has_init_cap NAME: the recording process held capability NAME in the
# initial user namespace, which is what the kernel's capable() asks (root of
# a rootless container or of unshare -r holds it only in its own
# namespace).  Runs recorded before meta.env had cap_init_ns were all
# recorded in the initial namespace.
has_init_cap() { ipcvm_untraced ipcvm_has_init_cap "$@"; }
ipcvm_has_init_cap() {
	local bit caps
	cap_bit_into bit "$1" || return 1
	meta_into caps cap_init_ns || meta_into caps cap_eff || return 1
	(((16#$caps >> bit) & 1))
}

# kernel_upstream: the recorded kernel's upstream version X.Y.Z.  Debian's
# release names keep only the ABI ("6.1.0-50-cloud-amd64") and its uname -v
# carries the upstream version ("... Debian 6.1.176-1 (...)"); otherwise the
# release's leading X.Y[.Z] counts, with Z = 0 when it is missing.
kernel_upstream() {
	local v
	kernel_upstream_into v
	printf '%s\n' "$v"
}

# kernel_upstream_into VAR: kernel_upstream without a fork
kernel_upstream_into() {
	local release='' version=''
	meta_into release kernel_release
	meta_into version kernel_version 2>/dev/null || version=
	if [[ $version =~ Debian\ ([0-9]+\.[0-9]+\.[0-9]+) ]]; then
		printf -v "$1" '%s' "${BASH_REMATCH[1]}"
	elif [[ $release =~ ^([0-9]+)\.([0-9]+)(\.([0-9]+))? ]]; then
		printf -v "$1" '%s' "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[4]:-0}"
	else
		printf -v "$1" '%s' 0.0.0
	fi
}

# kernel_at_least X.Y[.Z]: the recorded kernel is X.Y[.Z] or newer
kernel_at_least() { ipcvm_untraced ipcvm_kernel_at_least "$@"; }
ipcvm_kernel_at_least() {
	local have want=$1 h w i
	kernel_upstream_into have
	IFS=. read -r -a h <<<"$have"
	IFS=. read -r -a w <<<"$want"
	for i in 0 1 2; do
		((${h[i]:-0} > ${w[i]:-0})) && return 0
		((${h[i]:-0} < ${w[i]:-0})) && return 1
	done
	return 0
}

# kernel_series_at_least X.Y.Z: the recorded kernel is of the X.Y stable
# series and at X.Y.Z or newer (a fix backported to that series only)
kernel_series_at_least() { ipcvm_untraced ipcvm_kernel_series_at_least "$@"; }
ipcvm_kernel_series_at_least() {
	local have
	kernel_upstream_into have
	[[ ${have%.*} == "${1%.*}" ]] && kernel_at_least "$1"
}

# expect_ns_sysctl_writes METHOD NAME...: each observation NAME, the result
# of writing a System V IPC limit (/proc/sys/kernel/msg*, shm*) inside a new
# IPC namespace that METHOD made (user_and_ipc: with a user namespace whose
# root is the recording user), is what this kernel allows.  Before Linux 6.9
# those files belonged to the global root in every namespace
# (fs/proc/proc_sysctl.c test_perm: current_euid() == GLOBAL_ROOT_UID), so a
# user namespace's root that is not the global root got EACCES.  Commit
# 50ec499b9a43 ("sysctl: allow change system v ipc sysctls inside ipc
# namespace", 6.9-rc1; backported to 6.6.45 and 6.1.104 with the fix for
# CVE-2024-42312) gives them to the namespace's own root.  The global root
# (uid 0 of the initial user namespace) could always write them.  uid 0 in a
# nested user namespace (meta.env user_ns=nested; runs without the key were
# recorded in the initial one) is the global root only where its uid map
# says so (unshare -r by root): the probe records that as
# FAMILY.ns.writer_global_root.
expect_ns_sysctl_writes() {
	local method=$1 uid userns root want why name upstream
	shift
	meta_into uid uid || uid=
	meta_into userns user_ns || userns=initial
	lookup_into root "$IPCVM_FAMILY.ns.writer_global_root" || root=unknown
	kernel_upstream_into upstream
	if [[ $uid == 0 && ($userns != nested || $root == yes) ]]; then
		want=OK why="the writer is the global root (uid 0, user namespace $userns): the files' owner bits apply on every kernel"
	elif [[ $method != user_and_ipc && $userns != nested ]]; then
		skip "made with $method by uid $uid, outside any user namespace: the rule is about a user namespace's root"
	elif kernel_at_least 6.9 || kernel_series_at_least 6.6.45 || kernel_series_at_least 6.1.104; then
		want=OK why="Linux $upstream lets the namespace's own root write them (6.9, 6.6.45, 6.1.104 and later)"
	elif [[ $uid == 0 && $root != no ]]; then
		skip "uid 0 in a nested user namespace on Linux $upstream, and the run does not say whether it is the global root ($IPCVM_FAMILY.ns.writer_global_root: $root), which decides before 6.9"
	else
		want=EACCES why="Linux $upstream checks them against the global root (before 6.9, 6.6.45, 6.1.104), and the writer is not it (user namespace $userns)"
	fi
	for name; do
		expect "$name" = "$want" "uid $uid, $why" || return 1
	done
}

# require_kernel X.Y WHAT: skip unless the recorded kernel is X.Y or newer
require_kernel() {
	local release
	kernel_at_least "$1" && return 0
	meta_into release kernel_release || release=unknown
	skip "$2 needs Linux $1 or newer; this run is $release"
}
