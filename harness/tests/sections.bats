#!/usr/bin/env bats
# Sections: a probe that runs its claims in sections (probes/lib/probe.h)
# measures each in a process of its own; a section that crashes makes its
# own claims errors and leaves the rest of the family judged.

load ../ipcvm

setup() {
	[[ -n ${IPCVM_PROBEDIR:-} ]] || fail "IPCVM_PROBEDIR is unset: run through make check-self"
	# the families whose probe runs sections
	SECTIONED=()
	local f
	for f in $("$IPCVM_SRCDIR/harness/ipcvm" families --built "$IPCVM_PROBEDIR"); do
		"$IPCVM_PROBEDIR/$f" --list >/dev/null 2>&1 && SECTIONED+=("$f")
	done
	((${#SECTIONED[@]} > 0)) || skip "no probe of this build runs sections"
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

# claims FAMILY: the claim ids of cases/FAMILY.bats
claims() { sed -n 's/^@test "\([A-Z0-9-]*\):.*/\1/p' "$IPCVM_SRCDIR/cases/$1.bats" | sort; }

@test "SECTIONS-COVER: every claim of a sectioned family is served by exactly one section of its probe (--list)" {
	local f listed
	for f in "${SECTIONED[@]}"; do
		listed=$("$IPCVM_PROBEDIR/$f" --list | awk '{ for (i = 2; i <= NF; i++) print $i }' | sort)
		[[ $listed == "$(claims "$f")" ]] || fail "$f: the sections' claims and the case file's differ:
$(diff <(printf '%s\n' "$listed") <(claims "$f") | sed -n 's/^[<>]/&/p')"
	done
}

@test "SECTIONS-ONLY: --only runs the sections named and no other; an unknown name is a usage error" {
	local f first out
	f=${SECTIONED[0]}
	first=$("$IPCVM_PROBEDIR/$f" --list | awk 'NR == 1 { print $1 }')
	out=$("$IPCVM_PROBEDIR/$f" --only "$first")
	[[ $(grep -c '^probe\.section\.[a-z0-9_]*=' <<<"$out") == 1 ]] || fail "--only $first ran: $(grep '^probe\.section\.[a-z0-9_]*=' <<<"$out")"
	grep -qx "probe.section.$first=ok" <<<"$out" || fail "section $first did not end ok: $out"
	run "$IPCVM_PROBEDIR/$f" --only no_such_section
	((status == 99)) || fail "exit $status, not 99"
	[[ $output == *"no section 'no_such_section'"* ]] || fail "no usage message: $output"
}

@test "SECTIONS-CRASH: a section that crashes fails its own claims as errors naming the signal, and the rest of the family is judged" {
	[[ " ${SECTIONED[*]} " == *" socket "* ]] || skip "the socket probe does not run sections"
	[[ -n ${IPCVM_FAULT_LIB:-} && -f $IPCVM_FAULT_LIB ]] ||
		IPCVM_FAULT_LIB=$IPCVM_PROBEDIR/fault/ipcvm-fault.so
	[[ -f $IPCVM_FAULT_LIB ]] || skip "the fault library is not built"
	IPCVM_FAULT=sock-inet-pair-crashes IPCVM_FAULT_LIB=$IPCVM_FAULT_LIB \
		"$IPCVM_SRCDIR/harness/ipcvm" record --out "$BATS_TEST_TMPDIR/run" socket
	grep -qx 'probe.section.pair_inet=crashed-SIGSEGV' "$BATS_TEST_TMPDIR/run/socket.obs" ||
		fail "the section's end was not recorded: $(grep '^probe\.section\.pair_inet' "$BATS_TEST_TMPDIR/run/socket.obs")"
	run "$IPCVM_SRCDIR/harness/ipcvm" verify "$BATS_TEST_TMPDIR/run"
	((status == 1)) || fail "verify exited $status"
	[[ $(grep -c '^not ok' <<<"$output") == 1 ]] || fail "not one failing claim: $(grep '^not ok' <<<"$output")"
	grep -q '^not ok [0-9]* SOCK-PAIR-INET:' <<<"$output" || fail "the crashed claim did not fail"
	grep -q "section pair_inet, which measures it, did not end ok (crashed-SIGSEGV)" <<<"$output" ||
		fail "the failure does not say the section crashed: $output"
	[[ $(grep -c '^ok' <<<"$output") == $(($(claims socket | wc -l) - 1)) ]] || fail "the other claims were not all judged: $output"
	[[ -z $(find "$TMPDIR" -mindepth 1) ]] || fail "the crashed section left files behind: $(find "$TMPDIR" -mindepth 1)"
}
