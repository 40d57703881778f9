# ipcvm.bash - what every case file loads: get a family's observations once
# (recorded fresh, or from IPCVM_RESULTS), then judge them one claim at a
# time with a failure that says what it compared.
#
#   setup_file() { observe pipe; }     record or locate pipe.obs, check it
#   setup()      { require_observations; }
#   @test "PIPE-X: ... (pipe(7))" { expect pipe.x = EAGAIN; }
#
# Bash, because Bats is.

: "${IPCVM_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
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

# fail MESSAGE: end the case with MESSAGE on stderr
fail() {
	printf '%s\n' "$1" >&2
	return 1
}

# ---- getting the observations (setup_file) ------------------------------

# observe FAMILY: judge $IPCVM_RESULTS/FAMILY.obs when IPCVM_RESULTS is set,
# else run the FAMILY probe now into $IPCVM_RUN_DIR.  Any problem with the
# run is kept in IPCVM_PROBLEM for require_observations to report: a broken
# run fails every case of the family, it never passes or vanishes.
observe() {
	local family=$1 dir problems
	export IPCVM_FAMILY=$family IPCVM_PROBLEM=
	if [[ -n ${IPCVM_RESULTS:-} ]]; then
		dir=$IPCVM_RESULTS
		export IPCVM_ORIGIN="recorded run $dir"
	else
		dir=${IPCVM_RUN_DIR:-$BATS_FILE_TMPDIR/run}
		export IPCVM_ORIGIN="fresh run in $dir"
		if [[ -z ${IPCVM_PROBEDIR:-} ]]; then
			IPCVM_PROBLEM="IPCVM_PROBEDIR is not set: run the cases through make check, or set it to the build's probes/ directory"
			return 0
		fi
		# the probe's own complaint goes to stderr, shown with the failure
		"$IPCVM_SRCDIR/harness/ipcvm" record --out "$dir" "$family" 2>"$BATS_FILE_TMPDIR/record.err" || true
	fi
	export IPCVM_OBS=$dir/$family.obs IPCVM_META=$dir/meta.env
	if ! problems=$("$IPCVM_SRCDIR/harness/ipcvm" validate "$dir" "$family" 2>&1); then
		IPCVM_PROBLEM="the $family observations cannot be judged:
$problems"
		if [[ -s $BATS_FILE_TMPDIR/record.err ]]; then
			IPCVM_PROBLEM+="
recording said: $(cat "$BATS_FILE_TMPDIR/record.err")"
		fi
		return 0
	fi
	# what every case checks first, looked up once
	IPCVM_STATUS=$(lookup probe.status)
	case $IPCVM_STATUS in
	skipped) IPCVM_PROBLEM="the $family probe skipped: $(lookup skip.reason | tr - ' ')" ;;
	error) IPCVM_PROBLEM="the $family probe hit a hard error in its own setup: $(lookup error.call) failed with $(lookup error.errno) at $(lookup error.where) (kernel $(meta kernel_release))" ;;
	esac
	export IPCVM_STATUS
}

# setup(): fail or skip a case whose family's run is broken or skipped.
require_observations() {
	case ${IPCVM_STATUS:-} in
	recorded) ;;
	skipped) skip "$IPCVM_PROBLEM" ;;
	*) fail "$IPCVM_PROBLEM" ;;
	esac
}

# ---- reading ------------------------------------------------------------

# lookup NAME: print the recorded value, or return 1 when NAME was not
# recorded.  The file is read once per test into an array, in Bash: no fork.
declare -gA IPCVM_VALUES=()
lookup() {
	load_values && [[ -v IPCVM_VALUES[$1] ]] || return 1
	printf '%s\n' "${IPCVM_VALUES[$1]}"
}

load_values() {
	local line
	[[ ${#IPCVM_VALUES[@]} -gt 0 ]] && return 0
	[[ -r ${IPCVM_OBS:-} ]] || return 1
	while IFS= read -r line; do
		IPCVM_VALUES[${line%%=*}]=${line#*=}
	done <"$IPCVM_OBS"
}

# meta KEY: a meta.env value, quotes removed
meta() {
	awk -v k="$1" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2)
		if (v ~ /^\047.*\047$/) { v = substr(v, 2, length(v) - 2); gsub(/\047\\\\\047\047/, "\047", v) }
		print v; found = 1; exit }
		END { exit !found }' "$IPCVM_META"
}

# read_obs VAR NAME: set VAR to observation NAME, for a case that computes
# its expectation from another observation.  A missing observation fails the
# case; one the probe recorded as SKIP skips it.
read_obs() {
	load_values
	if [[ ! -v IPCVM_VALUES[$2] ]]; then
		fail "$2 was not recorded in $IPCVM_OBS: the probe does not measure it (claim: $BATS_TEST_DESCRIPTION)"
		return 1
	fi
	if [[ ${IPCVM_VALUES[$2]} == SKIP ]]; then
		skip "$2 was not measured: ${IPCVM_VALUES[$2.why]//-/ }"
	fi
	printf -v "$1" '%s' "${IPCVM_VALUES[$2]}"
}

# ---- judging --------------------------------------------------------------

# expect NAME OP VALUE [WHY]
#   OP is = or != (text), -eq -ne -lt -le -gt -ge (integers), or
#   "in" with VALUE a comma-separated list of allowed values.
# On failure prints the claim, what was compared, what was observed and on
# which kernel.
expect() {
	local name=$1 op=$2 want=$3 why=${4:-} got held
	read_obs got "$name" || return 1
	case $op in
	=) [[ $got == "$want" ]] && held=1 ;;
	!=) [[ $got != "$want" ]] && held=1 ;;
	-eq | -ne | -lt | -le | -gt | -ge)
		if ! [[ $got =~ ^-?[0-9]+$ ]]; then
			why="observed value is not a number${why:+; $why}"
		elif ! [[ $want =~ ^-?[0-9]+$ ]]; then
			fail "expect: the expected value '$want' is not a number (bug in the case)"
		elif test "$got" "$op" "$want"; then
			held=1
		fi ;;
	in) [[ ,$want, == *",$got,"* ]] && held=1 ;;
	*) fail "expect: unknown comparison '$op' (bug in the case)" ;;
	esac
	[[ -n ${held:-} ]] && return 0
	claim_fails "$name" "$op $want" "$got" "$why"
}

# claim_fails NAME WANTED OBSERVED [WHY]: the standard failure report
claim_fails() {
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

# cap_bit NAME: the bit of capability NAME (capabilities(7))
cap_bit() {
	case $1 in
	CAP_SETGID) echo 6 ;;
	CAP_SETUID) echo 7 ;;
	CAP_IPC_LOCK) echo 14 ;;
	CAP_IPC_OWNER) echo 15 ;;
	CAP_SYS_ADMIN) echo 21 ;;
	CAP_SYS_RESOURCE) echo 24 ;;
	*) fail "cap_bit: unknown capability $1 (bug in the case)" ;;
	esac
}

# has_cap NAME: the recording process held capability NAME in its own user
# namespace (what ns_capable() asks for the objects that namespace owns)
has_cap() {
	local bit
	bit=$(cap_bit "$1") || return 1
	(((16#$(meta cap_eff) >> bit) & 1))
}

# has_init_cap NAME: the recording process held capability NAME in the
# initial user namespace, which is what the kernel's capable() asks (root of
# a rootless container or of unshare -r holds it only in its own
# namespace).  Runs recorded before meta.env had cap_init_ns were all
# recorded in the initial namespace.
has_init_cap() {
	local bit caps
	bit=$(cap_bit "$1") || return 1
	caps=$(meta cap_init_ns) || caps=$(meta cap_eff)
	(((16#$caps >> bit) & 1))
}

# kernel_upstream: the recorded kernel's upstream version X.Y.Z.  Debian's
# release names keep only the ABI ("6.1.0-50-cloud-amd64") and its uname -v
# carries the upstream version ("... Debian 6.1.176-1 (...)"); otherwise the
# release's leading X.Y[.Z] counts, with Z = 0 when it is missing.
kernel_upstream() {
	local release version
	release=$(meta kernel_release)
	version=$(meta kernel_version 2>/dev/null) || version=
	if [[ $version =~ Debian\ ([0-9]+\.[0-9]+\.[0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	elif [[ $release =~ ^([0-9]+)\.([0-9]+)(\.([0-9]+))? ]]; then
		echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[4]:-0}"
	else
		echo 0.0.0
	fi
}

# kernel_at_least X.Y[.Z]: the recorded kernel is X.Y[.Z] or newer
kernel_at_least() {
	local have want=$1 h w i
	have=$(kernel_upstream)
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
kernel_series_at_least() {
	local have
	have=$(kernel_upstream)
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
	local method=$1 uid userns root want why name
	shift
	uid=$(meta uid)
	userns=$(meta user_ns 2>/dev/null) || userns=initial
	root=$(lookup "$IPCVM_FAMILY.ns.writer_global_root") || root=unknown
	if [[ $uid == 0 && ($userns != nested || $root == yes) ]]; then
		want=OK why="the writer is the global root (uid 0, user namespace $userns): the files' owner bits apply on every kernel"
	elif [[ $method != user_and_ipc && $userns != nested ]]; then
		skip "made with $method by uid $uid, outside any user namespace: the rule is about a user namespace's root"
	elif kernel_at_least 6.9 || kernel_series_at_least 6.6.45 || kernel_series_at_least 6.1.104; then
		want=OK why="Linux $(kernel_upstream) lets the namespace's own root write them (6.9, 6.6.45, 6.1.104 and later)"
	elif [[ $uid == 0 && $root != no ]]; then
		skip "uid 0 in a nested user namespace on Linux $(kernel_upstream), and the run does not say whether it is the global root ($IPCVM_FAMILY.ns.writer_global_root: $root), which decides before 6.9"
	else
		want=EACCES why="Linux $(kernel_upstream) checks them against the global root (before 6.9, 6.6.45, 6.1.104), and the writer is not it (user namespace $userns)"
	fi
	for name; do
		expect "$name" = "$want" "uid $uid, $why" || return 1
	done
}

# require_kernel X.Y WHAT: skip unless the recorded kernel is X.Y or newer
require_kernel() {
	kernel_at_least "$1" || skip "$2 needs Linux $1 or newer; this run is $(meta kernel_release)"
}
