# shellcheck shell=bash
# vm-job - harness/vm's per-kernel job (boot, store, validate, judge, each
# family's TAP counted) and the kernel x family matrix.
#
# Sourced by harness/vm and harness/tests/vm.bats: functions only.
#
# The settings (cache, offline, logroot, ...) are harness/vm's, and what
# these functions set is read there:
# shellcheck disable=SC2154,SC2034

# ---- one kernel: boot, store, validate, judge ---------------------------

# meta_value FILE KEY: a meta.env value, quotes removed
meta_value() {
	awk -v k="$2" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2)
		if (v ~ /^\047.*\047$/) v = substr(v, 2, length(v) - 2)
		print v; exit }' "$1"
}

# job LABEL VMLINUZ INITRD ABI: writes LOGDIR/summary
job() {
	local label=$1 vmlinuz=$2 initrd=$3 abi=$4 log t0 tb reason try run dest fams f
	log=$logroot/$label
	# the log directory is the label's: one harness/vm at a time in it
	local lock
	exec {lock}>"$logroot/.$label.lock"
	if ! flock -n "$lock"; then
		say "$label: another harness/vm is booting it: waiting"
		flock "$lock"
	fi
	t0=$(now)
	local sum=$log/summary
	: >"$sum"
	for try in 1 2; do
		tb=$(now)
		if reason=$(boot "$label" "$vmlinuz" "$initrd" "$abi" "$log"); then
			reason=
			break
		fi
		[[ $try -eq 1 ]] && say "$label: boot failed ($reason); trying once more"
		cp "$log/console.log" "$log/console.try$try.log" 2>/dev/null
	done
	{
		echo "boot_s=$(elapsed "$tb")"
		echo "tries=$try"
		awk '{ printf "boot_cpu_s=%.1f\n", $1 / $2 }' "$log/cpu" 2>/dev/null
	} >>"$sum"
	if [[ -n $reason ]]; then
		say "$label: FAILED: $reason (console: $log/console.log)"
		{
			echo "status=failed"
			echo "reason=$reason"
			echo "total_s=$(elapsed "$t0")"
		} >>"$sum"
		return 1
	fi
	run=$log/run
	mv -f "$run/record.log" "$log/record.log" 2>/dev/null
	# the run arrived, but the kernel may have oopsed on the way (a probe
	# that then skips says less than it seems): say so beside the matrix
	local oops
	oops=$(grep -a -m1 -E 'Oops|BUG: |Unable to handle kernel|WARNING: CPU' "$log/console.log" 2>/dev/null | tr -d '\r' | sed 's/^\[ *[0-9.]*\] //' | cut -c1-120)
	[[ -n $oops ]] && echo "oops=$oops" >>"$sum"
	echo "release=$(meta_value "$run/meta.env" kernel_release)" >>"$sum"
	dest=$run
	if [[ -n $store ]]; then
		dest=$(store_run "$log" "$vmlinuz" 3>>"$sum") || {
			echo "status=failed" >>"$sum"
			echo "reason=$dest" >>"$sum"
			return 1
		}
	fi
	echo "results=$dest" >>"$sum"
	fams=()
	for f in "$dest"/*.obs; do [[ -e $f ]] && fams+=("$(basename "$f" .obs)"); done
	if ! "$srcdir/harness/ipcvm" validate "$dest" "${fams[@]}" >"$log/validate.log" 2>&1; then
		say "$label: the run in $dest is not well formed:"
		sed 's/^/    /' "$log/validate.log" >&2
		echo "validate=bad" >>"$sum"
	fi
	[[ -n $judge ]] && judge_run "$log" "$dest" >>"$sum"
	{
		echo "status=ok"
		echo "total_s=$(elapsed "$t0")"
	} >>"$sum"
}

# store_run LOGDIR VMLINUZ: store LOGDIR/run in results/ as
# <release>-<machine>-<libc>-vm (-uml, and -user when an ordinary user
# recorded it), compared first with the run stored there (a baseline= line
# on fd 3); print where it went, or the reason it could not
store_run() {
	local log=$1 vmlinuz=$2 run=$1/run name dest allow=()
	name="$(meta_value "$run/meta.env" kernel_release)-$(meta_value "$run/meta.env" machine)-$(meta_value "$run/meta.env" libc)"
	# user-mode Linux is a kernel of its own kind, whatever its release says
	if [[ $vmlinuz == uml ]]; then name+=-uml; else name+=-vm; fi
	# a run recorded by an ordinary user is a different baseline
	[[ $(meta_value "$run/meta.env" uid) == 0 ]] || name+=-user
	dest=$outdir/$name
	if [[ -d $dest ]]; then
		[[ -r $srcdir/results/allowances ]] && allow=(--allow "$srcdir/results/allowances")
		"$srcdir/harness/ipcvm" compare "${allow[@]}" "$dest" "$run" >"$log/baseline.diff" 2>&1
		echo "baseline=$(tail -n 1 "$log/baseline.diff") (see $log/baseline.diff)" >&3
	fi
	rm -rf "$outdir/.$name.new.$$"
	if cp -r "$run" "$outdir/.$name.new.$$" && rm -rf "$dest" && mv -T "$outdir/.$name.new.$$" "$dest"; then
		echo "$dest"
	else
		echo "cannot store the run in $dest"
		return 1
	fi
}

# judge_run LOGDIR RUN: the Bats cases of each family on RUN, one bats --tap
# a family into LOGDIR/tap/FAMILY.tap (all of them in LOGDIR/judge.tap);
# print the summary's fam.FAMILY, tap and judge_s lines
judge_run() {
	local log=$1 run=$2 f tj
	tj=$(now)
	rm -rf "$log/tap" "$log/report"
	mkdir -p "$log/tap"
	: >"$log/judge.err"
	for f in $all_families; do
		[[ -e $srcdir/cases/$f.bats ]] || continue
		LC_ALL=C IPCVM_SRCDIR=$srcdir IPCVM_BATS_LIBDIR=$batslib IPCVM_RESULTS=$run \
			"$bats" --tap "$srcdir/cases/$f.bats" >"$log/tap/$f.tap" 2>>"$log/judge.err"
	done
	for f in $all_families; do
		[[ -e $log/tap/$f.tap ]] && cat "$log/tap/$f.tap"
	done >"$log/judge.tap"
	count_tap "$log/tap"
	echo "judge_s=$(elapsed "$tj")"
}

# count_tap DIR: from the TAP stream of each family (DIR/FAMILY.tap, as
# bats --tap writes it), fam.FAMILY=PASS FAIL SKIP; then tap=PASS FAIL SKIP,
# the totals.  A stream short of its plan (1..N: bats died half way) counts
# the tests it lacks as failed; one with no plan at all counts one failure.
count_tap() {
	local files=("$1"/*.tap)
	[[ -e ${files[0]} ]] || files=()
	awk '
	function count(f,   fam, line, p, x, s, plan, planned) {
		fam = f; sub(/.*\//, "", fam); sub(/\.tap$/, "", fam)
		while ((getline line < f) > 0) {
			if (line ~ /^1\.\.[0-9]+/) { plan = substr(line, 4) + 0; planned = 1 }
			else if (line ~ /^ok .*# [Ss][Kk][Ii][Pp]/) s++
			else if (line ~ /^ok /) p++
			else if (line ~ /^not ok /) x++
		}
		close(f)
		if (!planned) x++
		else if (p + x + s < plan) x += plan - (p + x + s)
		printf "fam.%s=%d %d %d\n", fam, p, x, s
		P += p; X += x; S += s
	}
	BEGIN {
		for (i = 1; i < ARGC; i++) count(ARGV[i])
		printf "tap=%d %d %d\n", P, X, S
		exit
	}' "${files[@]}"
}

# ---- the matrix ----------------------------------------------------------

# matrix: the kernel x family table of pass/fail/skip, from each label's
# LOGDIR/summary (or pre_fail, the reason it never booted), then the
# baselines' differences and the failing cases; 1 when a kernel failed to
# boot, a case failed or no case ran
matrix() {
	local label s w fam rc=0
	printf '\nkernel x family: pass/fail/skip\n'
	w=14
	for label in "${labels[@]}"; do ((${#label} > w)) && w=${#label}; done
	printf "%-${w}s  %-30s" kernel release
	for fam in $all_families; do printf ' %9s' "$fam"; done
	printf ' %7s %7s %7s\n' 'boot s' 'judge s' 'wall s'
	for label in "${labels[@]}"; do
		matrix_row "$label" "$w" || rc=1
	done
	printf '\nruns: %s; logs and TAP: %s/KERNEL/\n' "$([[ -n $store ]] && echo "$outdir" || echo "$logroot/KERNEL/run")" "$logroot"
	for label in "${labels[@]}"; do
		s=$logroot/$label/summary
		[[ -z ${pre_fail[$label]:-} && -s $s ]] && grep -q '^baseline=' "$s" &&
			printf '  %s vs its committed baseline: %s\n' "$label" "$(sed -n 's/^baseline=//p' "$s")"
	done
	# what went wrong, here rather than only in the logs (a CI job shows
	# this output, not the cache): the failing cases with their reports
	for label in "${labels[@]}"; do
		s=$logroot/$label/judge.tap
		grep -q '^not ok' "$s" 2>/dev/null || continue
		printf '\n%s: failing cases (all of them in %s)\n' "$label" "$s"
		awk '/^not ok/ { on = 1; print; next } on && /^#/ { print; next } { on = 0 }' "$s" | head -n 120
	done
	return $rc
}

# matrix_row LABEL WIDTH: one kernel's line; 1 when it failed
matrix_row() {
	local label=$1 w=$2 s fam cell line p x k rc=0
	local -A v=()
	s=$logroot/$label/summary
	if [[ -n ${pre_fail[$label]:-} ]]; then
		v[status]=failed v[reason]=${pre_fail[$label]}
	elif [[ -s $s ]]; then
		while IFS= read -r line; do v[${line%%=*}]=${line#*=}; done <"$s"
	fi
	if [[ ${v[status]:-} != ok ]]; then
		if [[ -n ${unavailable[$label]:-} ]]; then
			printf "%-${w}s  unavailable: %s\n" "$label" "${v[reason]}"
		else
			printf "%-${w}s  FAILED: %s\n" "$label" "${v[reason]:-no summary (interrupted?)}"
		fi
		return 1
	fi
	printf "%-${w}s  %-30s" "$label" "${v[release]:-?}"
	for fam in $all_families; do
		cell=${v[fam.$fam]:-}
		if [[ -z $cell && -z $judge ]]; then
			cell=recorded
			[[ -e ${v[results]:-/nonexistent}/$fam.obs ]] || cell=-
		elif [[ -z $cell ]]; then
			cell=-
		else
			read -r p x k <<<"$cell"
			cell="$p/$x/$k"
			((x > 0)) && rc=1
		fi
		printf ' %9s' "$cell"
	done
	printf ' %7s %7s %7s' "${v[boot_s]:-?}" "${v[judge_s]:--}" "${v[total_s]:-?}"
	[[ ${v[tries]:-1} -gt 1 ]] && printf '  (booted on the 2nd try)'
	[[ -n ${v[oops]:-} ]] && printf '  (the kernel oopsed: %s; see its console.log)' "${v[oops]}"
	[[ ${v[validate]:-} == bad ]] && { printf '  (run not well formed)'; rc=1; }
	if [[ -n $judge && -n ${v[tap]:-} ]]; then
		read -r p x k <<<"${v[tap]}"
		((x > 0)) && rc=1
		if ((p + x + k == 0)); then
			printf '  (no case ran: see %s/judge.err)' "$logroot/$label"
			rc=1
		fi
	fi
	printf '\n'
	return $rc
}
