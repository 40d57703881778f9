#!/usr/bin/env bats
# The verdict records and what is built from them: every assertion of a
# case writes one record (claim, family, observation, operator, expected,
# observed, verdict, reason, duration), every case a closing one, and
# JUnit and JSON come from those records, never from the TAP text.  Each
# test judges a copy of a fresh, good run: one family, a doctored failing
# run, a skipping run, and a run that cannot be judged.

load ../ipcvm
load good-run

setup_file() { record_good_run; }

setup() {
	RUN=$BATS_TEST_TMPDIR/run
	copy_good_run "$RUN"
	XML=$BATS_TEST_TMPDIR/junit.xml REC=$BATS_TEST_TMPDIR/verdicts
}

# xml_check FILE: well-formed XML (python3 when there is one, else xmllint)
xml_check() {
	if command -v python3 >/dev/null; then
		python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
	elif command -v xmllint >/dev/null; then
		xmllint --noout "$1"
	else
		skip "neither python3 nor xmllint to parse the JUnit file"
	fi
}

# count PATTERN FILE: how many lines of FILE match
count() { grep -c -- "$1" "$2" || true; }

@test "VERDICTS-RECORDS: a one-family run writes one record per assertion and one per case, and the TAP agrees" {
	run ipcvm verify --verdicts "$REC" "$RUN"
	assert_success
	cases=$(grep -c '^ok ' <<<"$output")
	[[ $cases -gt 0 ]] || fail "no case passed"
	[[ $(count '^T	' "$REC") -eq $cases ]] || fail "$(count '^T	' "$REC") closing records for $cases cases"
	[[ $(count '^A	' "$REC") -ge $cases ]] || fail "fewer assertion records than cases"
	# the record of FIFO-EEXIST's one expect, field by field
	run grep -P '^A\tFIFO-EEXIST\tfifo\tfifo\.mkfifo\.existing_path\t=\tEEXIST\tEEXIST\tpass\t\t[0-9]+$' "$REC"
	assert_success
	run grep -P '^T\tFIFO-EEXIST\tfifo\tpass\t\t[0-9]+\tFIFO-EEXIST: ' "$REC"
	assert_success
}

@test "VERDICTS-JUNIT: a one-family run's JUnit is complete: every case, the kernel in the names, meta.env as properties" {
	run ipcvm verify --junit "$XML" "$RUN"
	assert_success
	cases=$(grep -c '^ok ' <<<"$output")
	xml_check "$XML"
	[[ $(count '<testcase ' "$XML") -eq $cases ]] || fail "$(count '<testcase ' "$XML") testcases for $cases cases"
	release=$(sed -n "s/^kernel_release=//p" "$RUN/meta.env" | tr -d "'")
	run grep -F "<testsuite name=\"ipcvm.fifo on $release " "$XML"
	assert_success
	run grep -F "classname=\"ipcvm.${release//./_}-" "$XML"
	assert_success
	run grep -F "<property name=\"kernel_release\" value=\"$release\"/>" "$XML"
	assert_success
	run grep -c '<failure\|<error\|<skipped' "$XML"
	assert_output 0
}

@test "VERDICTS-JUNIT-FAIL: a doctored failing run: failure message=\"observed X, expected Y\", the rest still complete" {
	sed -i 's/^fifo.mkfifo.existing_path=.*/fifo.mkfifo.existing_path=OK/' "$RUN/fifo.obs"
	run ipcvm verify --junit "$XML" "$RUN"
	assert_failure
	xml_check "$XML"
	[[ $(count '<testcase ' "$XML") -eq $(grep -c '^\(not \)\{0,1\}ok ' <<<"$output") ]] || fail "JUnit is missing cases"
	run grep -F '<failure type="claim" message="observed fifo.mkfifo.existing_path=OK, expected fifo.mkfifo.existing_path = EEXIST">' "$XML"
	assert_success
	run grep -F 'failures="1"' "$XML"
	assert_success
}

@test "VERDICTS-JUNIT-SKIP: a probe that skipped gives skipped testcases with the reason, and records that say skip" {
	sed -i '$d' "$RUN/fifo.obs"
	printf '%s\n' skip.reason=no-fifos-in-this-kernel probe.status=skipped >>"$RUN/fifo.obs"
	run ipcvm verify --junit "$XML" --verdicts "$REC" "$RUN"
	assert_success
	xml_check "$XML"
	n=$(count '<testcase ' "$XML")
	[[ $n -gt 0 && $(count '<skipped message="the fifo probe skipped: no fifos in this kernel"/>' "$XML") -eq $n ]] ||
		fail "not every testcase is skipped with the reason"
	run grep -P '^T\tFIFO-EEXIST\tfifo\tskip\tthe fifo probe skipped: no fifos in this kernel\t' "$REC"
	assert_success
}

@test "VERDICTS-ERROR: a run that cannot be judged is an error, apart from a failure, in the records, JUnit and JSON" {
	sed -i '/^fifo.mkfifo.existing_path=/d' "$RUN/fifo.obs"
	run ipcvm verify --junit "$XML" --verdicts "$REC" "$RUN"
	assert_failure
	xml_check "$XML"
	run grep -P '^A\tFIFO-EEXIST\tfifo\tfifo\.mkfifo\.existing_path\t-\t-\t-\terror\tfifo\.mkfifo\.existing_path was not recorded' "$REC"
	assert_success
	run grep -F '<error type="unjudged" message="fifo.mkfifo.existing_path was not recorded' "$XML"
	assert_success
	run grep -F 'failures="0"' "$XML"
	assert_success
	run ipcvm json "$RUN"
	assert_output --regexp '\{"claim": "FIFO-EEXIST: [^"]*", "status": "error", "detail": "fifo.mkfifo.existing_path was not recorded'
}

@test "VERDICTS-JSON: json is built from the records: each claim with its assertions, valid JSON" {
	sed -i 's/^fifo.mkfifo.existing_path=.*/fifo.mkfifo.existing_path=OK/' "$RUN/fifo.obs"
	ipcvm json "$RUN" >"$BATS_TEST_TMPDIR/run.json"
	command -v python3 >/dev/null || skip "no python3 to parse the JSON"
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = {c["id"]: c for c in d["verdicts"]}
e = v["FIFO-EEXIST"]
a = e["assertions"][0]
print(e["status"], e["family"], a["observation"], a["operator"], a["expected"], a["observed"], a["verdict"])
print(v["FIFO-MKFIFO"]["status"])' "$BATS_TEST_TMPDIR/run.json"
	assert_success
	assert_line 'fail fifo fifo.mkfifo.existing_path = EEXIST OK fail'
	assert_line 'pass'
}
