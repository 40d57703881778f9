#!/usr/bin/env bats
# Names you can grep: every observation a case reads is spelled out, less
# its family prefix, as a string in the probe source that records it
# (HACKING.md, Observations).  A name built at run time (snprintf) or a
# case reading a name no probe writes fails here.

load ../ipcvm

# observation names the cases read literally: expect NAME, read_obs VAR NAME,
# lookup_into VAR NAME, lookup NAME
case_names() {
	grep -ohE '(expect|read_obs [a-z_]+|lookup_into [a-z_]+|lookup) +"?[a-z]+\.[a-z0-9_.]+' "$IPCVM_SRCDIR"/cases/*.bats |
		awk '{ print $NF }' | tr -d '"' | sort -u
}

# sources FAMILY: the C files of FAMILY's probe, and the library's (which
# records the few observations families share)
sources() {
	local f
	for f in "$IPCVM_SRCDIR/probes/$1.c" "$IPCVM_SRCDIR/probes/$1".d/*.c "$IPCVM_SRCDIR"/probes/lib/*.c; do
		[[ -f $f ]] && printf '%s\n' "$f"
	done
}

# unspelled: the names case_names finds in no probe source, with the reason
unspelled() {
	local name family rest srcs
	while IFS= read -r name; do
		family=${name%%.*} rest=${name#*.}
		mapfile -t srcs < <(sources "$family")
		if ((${#srcs[@]} == 0)); then
			echo "$name (no probe source for family $family)"
		elif ! grep -qF "\"$rest\"" "${srcs[@]}"; then
			echo "$name (\"$rest\" is in none of ${srcs[*]##*/})"
		fi
	done < <(case_names)
}

@test "NAMES-LITERAL: every observation a case reads appears literally in its family's probe source" {
	local missing
	missing=$(unspelled)
	[[ -z $missing ]] || fail "observations no probe spells out:
$missing"
}

@test "NAMES-LITERAL can fail: a name built at run time is reported, a spelled-out one is not" {
	local dir=$BATS_TEST_TMPDIR/src
	mkdir -p "$dir/cases" "$dir/probes"
	printf '%s\n' '@test "X" {' '	expect pipe.ends.spelled = OK' '	expect pipe.made_up.built = OK' '}' >"$dir/cases/pipe.bats"
	printf '%s\n' 'obs_str("ends.spelled", "x");' 'snprintf(name, 64, "%s.built", "made_up");' >"$dir/probes/pipe.c"
	run env IPCVM_SRCDIR="$dir" bash -c "$(declare -f case_names sources unspelled); unspelled"
	[[ $output == 'pipe.made_up.built ("made_up.built" is in none of pipe.c)' ]] ||
		fail "expected only pipe.made_up.built to be reported, got: $output"
}
