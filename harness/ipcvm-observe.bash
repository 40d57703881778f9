# ipcvm-observe.bash - getting a family's observations, once per case
# file: observe() in ipcvm.bash loads this in setup_file, so the tests,
# each of which sources ipcvm.bash again, do not parse it.
#
# Bash, because Bats is.

# ipcvm_observe FAMILY: judge $IPCVM_RESULTS/FAMILY.obs when IPCVM_RESULTS is set,
# else run the FAMILY probe now into $IPCVM_RUN_DIR.  Any problem with the
# run is kept in IPCVM_PROBLEM for require_observations to report: a broken
# run fails every case of the family, it never passes or vanishes.  Untraced:
# under Bats' DEBUG trap its loops cost a second per family.
ipcvm_observe() {
	local family=$1 dir problems
	export IPCVM_FAMILY=$family IPCVM_PROBLEM='' IPCVM_OBS_TEXT='' IPCVM_META_TEXT=''
	if [[ -z ${IPCVM_VERDICTS:-} && -n ${IPCVM_VERDICT_DIR:-} ]]; then
		export IPCVM_VERDICTS=$IPCVM_VERDICT_DIR/$family.verdicts
		: >"$IPCVM_VERDICTS"
	fi
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
	# (harness/ipcvm verify sets IPCVM_RUN_VALID to the run it validated)
	if [[ -n ${IPCVM_RESULTS:-} && ${IPCVM_RUN_VALID:-} == "$dir" && -f $IPCVM_OBS ]]; then
		:
	elif ! problems=$("$IPCVM_SRCDIR/harness/ipcvm" validate "$dir" "$family" 2>&1); then
		IPCVM_PROBLEM="the $family observations cannot be judged:
$problems"
		if [[ -s $BATS_FILE_TMPDIR/record.err ]]; then
			IPCVM_PROBLEM+="
recording said: $(cat "$BATS_FILE_TMPDIR/record.err")"
		fi
		return 0
	fi
	# Read both files here, once per family, into the texts every test
	# searches (see ipcvm_find)
	IPCVM_OBS_TEXT=$(ipcvm_kv_text "$IPCVM_OBS" obs) IPCVM_META_TEXT=$(ipcvm_kv_text "$IPCVM_META" meta)
	export IPCVM_OBS_TEXT IPCVM_META_TEXT
	# shellcheck disable=SC2034 # ipcvm.bash reads them
	IPCVM_OBS_CACHE=() IPCVM_META_CACHE=()
	# what every case checks first, looked up once
	IPCVM_STATUS=$(lookup probe.status)
	case $IPCVM_STATUS in
	skipped) IPCVM_PROBLEM="the $family probe skipped: $(lookup skip.reason | tr - ' ')" ;;
	error) IPCVM_PROBLEM="the $family probe hit a hard error in its own setup: $(lookup error.call) failed with $(lookup error.errno) at $(lookup error.where) (kernel $(meta kernel_release))" ;;
	esac
	export IPCVM_STATUS
	# the claims whose section did not end ok (probes/lib/probe.h
	# sections): "ID<TAB>section<TAB>how it ended<TAB>detail" lines, read
	# once here so that a run whose sections all ended ok costs nothing
	IPCVM_SECTIONS_NOT_OK=$(awk -F= '
		{ v[$1] = substr($0, length($1) + 2) }
		END {
			for (k in v) {
				if (k !~ /^probe\.section\.[a-z0-9_]+\.claims$/) continue
				s = k; sub(/^probe\.section\./, "", s); sub(/\.claims$/, "", s)
				st = ("probe.section." s) in v ? v["probe.section." s] : "never-ended"
				if (st == "ok") continue
				p = "probe.section." s
				d = st == "skipped" ? v[p ".skip_reason"] : \
				    st == "error" ? v[p ".error_call"] " failed with " v[p ".error_errno"] " at " v[p ".error_where"] : ""
				n = split(v[k], ids, "+")
				for (i = 1; i <= n; i++) printf "%s\t%s\t%s\t%s\n", ids[i], s, st, d
			}
		}' "$IPCVM_OBS")
	export IPCVM_SECTIONS_NOT_OK
}

# ipcvm_kv_text FILE obs|meta: FILE's name=value lines, each after a
# newline, the first of a name winning; meta.env values lose their shell
# quotes.  (How the probe's sections ended is read once, into
# IPCVM_SECTIONS_NOT_OK: no case looks it up.)
ipcvm_kv_text() {
	local meta=''
	[[ -r $1 ]] || return 0
	[[ $2 != meta ]] || meta=1
	awk -v meta="$meta" -v q="'" '
	function unquote(v,   out, i) {
		v = substr(v, 2, length(v) - 2)
		while ((i = index(v, q "\\" q q)) > 0) { out = out substr(v, 1, i - 1) q; v = substr(v, i + 4) }
		return out v
	}
	(i = index($0, "=")) > 0 {
		k = substr($0, 1, i - 1)
		if (k in seen || k ~ /^probe\.section\./) next
		seen[k] = 1
		v = substr($0, i + 1)
		if (meta && length(v) >= 2 && v ~ /^\047.*\047$/) v = unquote(v)
		printf "\n%s=%s", k, v
	}' "$1"
}
