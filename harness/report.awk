# report.awk - the claims report's model, and its Markdown (format=md);
# report-html.awk, loaded with it, writes the HTML page (format=html).
#
# Input, tab-separated, made by harness/report, RUN numbering the runs:
#   R  RUN  name                                  one line per run, first
#   M  RUN  key  value                            its meta.env
#   P  RUN  problem                               why it was not fully judged
#   A  RUN  claim family obs op expected observed verdict reason usec
#   T  RUN  claim family verdict detail usec description
#                                                 its verdict records
#                                                 (harness/ipcvm.bash)
#   O  RUN  name  value                           its observations
#   N  id | notes' words | English | claim ids | notes' numbers
#
# Two kinds of claim, counted apart: the kernel's (each @test of the cases:
# pass, fail, skip or error per run) and the notes' (cases/notes.claims,
# graded from the kernel's: holds, differs, skipped, unjudged).  Rows where
# a run fails, or where the runs disagree, come first.
BEGIN { FS = "\t" }

$1 == "R" { nruns++; name[$2] = $3; next }
$1 == "M" { meta[$2, $3] = $4; next }
$1 == "P" { problem[$2] = problem[$2] (problem[$2] == "" ? "" : "; ") $3; next }
$1 == "A" {
	# the assertions that did not pass, for the claim's detail:
	# obs, operator, expected, observed, verdict, reason
	if ($9 != "pass") { nas[$2, $3]++; as[$2, $3, nas[$2, $3]] = $5 FS $6 FS $7 FS $8 FS $9 FS $10 }
	next
}
$1 == "T" {
	r = $2; c = $8
	if (!(c in claim_seen)) { claim_seen[c] = 1; claims[++nclaims] = c; claim_id[c] = $3 }
	status[r, c] = $5; detail[r, c] = $6
	# a failure in short, as harness/ipcvm records_to words it: what was observed
	if ($5 == "fail") {
		d = ""
		for (i = 1; i <= nas[r, $3]; i++) {
			split(as[r, $3, i], a, FS)
			if (a[5] == "fail") d = d (d == "" ? "" : "; ") (a[1] == "-" ? a[6] : a[1] "=" a[4])
		}
		if (d != "") detail[r, c] = d
	}
	ids_of_run[r, $3] = ids_of_run[r, $3] SUBSEP c
	next
}
$1 == "O" { obs[$2, $3] = $4; has_obs[$2, $3] = 1; next }
$1 == "N" {
	n = split(substr($0, 3), f, / \| /)
	nn++
	note_id[nn] = trim(f[1]); note_zh[nn] = trim(f[2]); note_en[nn] = trim(f[3])
	note_ids[nn] = trim(f[4]); sub(/ *\|$/, "", note_ids[nn]); note_nums[nn] = n >= 5 ? trim(f[5]) : ""
	next
}

function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }

function mdcell(s) { gsub(/\|/, "\\|", s); return s }

# the notes claim N in run R: sets V (holds/differs/skipped/unjudged/absent) and D
function judge_note(n, r,    k, ids, i, j, parts, cl, total, failed, skipped, unjudged, unmeasured, nums, kv, nm, want, d, sk, u) {
	total = failed = skipped = unjudged = unmeasured = 0; d = sk = u = ""
	k = split(note_ids[n], ids, / +/)
	for (i = 1; i <= k; i++) {
		if (ids[i] == "") continue
		split(ids_of_run[r, ids[i]], parts, SUBSEP)
		for (j in parts) {
			cl = parts[j]
			if (cl == "") continue
			total++
			if (status[r, cl] == "fail") { failed++; d = d (d ? "; " : "") ids[i] " fails" (detail[r, cl] != "" ? ": " detail[r, cl] : "") }
			else if (status[r, cl] == "error") { unjudged++; u = u (u ? "; " : "") ids[i] " cannot be judged: " detail[r, cl] }
			else if (status[r, cl] == "skip") { skipped++; sk = ids[i] " skipped: " detail[r, cl] }
		}
	}
	k = split(note_nums[n], nums, / +/)
	for (i = 1; i <= k; i++) {
		if (nums[i] == "") continue
		split(nums[i], kv, "="); nm = kv[1]; want = kv[2]
		if (!has_obs[r, nm]) { d = d (d ? "; " : "") nm " not measured"; skipped++; total++; unmeasured++; continue }
		total++
		if (obs[r, nm] != want) { failed++; d = d (d ? "; " : "") "notes: " nm "=" want ", measured " obs[r, nm] }
		else d = d (d ? "; " : "") nm "=" want " as the notes say"
	}
	if (total == 0 || total == unmeasured) { V = "absent"; D = "not recorded in this run"; return }
	if (failed) { V = "differs"; D = d (u ? "; " u : ""); return }
	if (unjudged) { V = "unjudged"; D = u; return }
	if (skipped == total) { V = "skipped"; D = sk (sk != "" && d != "" ? "; " : "") d; return }
	V = "holds"; D = d
}

# a kernel claim's status as the report words it (the notes' words)
function verdict_word(s) { return s == "pass" ? "holds" : s == "fail" ? "differs" : s == "skip" ? "skipped" : s == "error" ? "unjudged" : "absent" }

# judge every notes claim in every run once: nv[n, r], nd[n, r]
function judge_notes(    n, r) {
	for (n = 1; n <= nn; n++)
		for (r = 1; r <= nruns; r++) { judge_note(n, r); nv[n, r] = V; nd[n, r] = D }
}

# rank_of VERDICTS: 0 when a run fails (differs) or cannot be judged, 1 when
# the runs disagree (absent runs aside), 2 when all say the same.
# VERDICTS holds the row's words, SUBSEP-separated.
function rank_of(vs,    k, v, i, first) {
	k = split(vs, v, SUBSEP); first = ""
	for (i = 1; i <= k; i++) if (v[i] == "differs" || v[i] == "unjudged") return 0
	for (i = 1; i <= k; i++) {
		if (v[i] == "absent") continue
		if (first == "") first = v[i]
		else if (v[i] != first) return 1
	}
	return 2
}

# order the rows: korder[1..nclaims] (kernel) and norder[1..nn] (notes),
# failures first, then disagreements, each in the cases' own order;
# krank[c], nrank[n] and the counts nrank_n[rank], krank_n[rank]
function order_rows(    c, n, r, vs, k, g) {
	for (c = 1; c <= nclaims; c++) {
		vs = ""
		for (r = 1; r <= nruns; r++) vs = vs SUBSEP verdict_word(status[r, claims[c]])
		krank[c] = rank_of(substr(vs, 2)); krank_n[krank[c]]++
	}
	for (n = 1; n <= nn; n++) {
		vs = ""
		for (r = 1; r <= nruns; r++) vs = vs SUBSEP nv[n, r]
		nrank[n] = rank_of(substr(vs, 2)); nrank_n[nrank[n]]++
	}
	k = 0
	for (g = 0; g <= 2; g++) for (c = 1; c <= nclaims; c++) if (krank[c] == g) korder[++k] = c
	k = 0
	for (g = 0; g <= 2; g++) for (n = 1; n <= nn; n++) if (nrank[n] == g) norder[++k] = n
}

# per-run totals: kt[r, pass|fail|skip|error|absent] and nt[r, word]
function count_totals(    r, c, n, s) {
	for (r = 1; r <= nruns; r++) {
		for (c = 1; c <= nclaims; c++) { s = status[r, claims[c]]; kt[r, s == "" ? "absent" : s]++ }
		for (n = 1; n <= nn; n++) nt[r, nv[n, r]]++
	}
}

END {
	judge_notes()
	order_rows()
	count_totals()
	if (format == "html") html(); else md()
}

function md(    r, i, n, c, s) {
	print "# ipcvm claims report"
	print ""
	print "Rows where a run fails, or where the runs disagree, come first."
	print ""
	print "| run | kernel | machine | libc | distro | kernel claims: passed | failed | skipped | errors | notes' claims: hold | differ | skipped | unjudged |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (r = 1; r <= nruns; r++)
		printf "| %s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", mdcell(name[r]), meta[r, "kernel_release"], \
			meta[r, "machine"], meta[r, "libc"], mdcell(meta[r, "distro"]), kt[r, "pass"], kt[r, "fail"], kt[r, "skip"], kt[r, "error"], \
			nt[r, "holds"], nt[r, "differs"], nt[r, "skipped"], nt[r, "unjudged"]
	for (r = 1; r <= nruns; r++) if (problem[r] != "") printf "\n%s: %s\n", mdcell(name[r]), problem[r]
	print ""
	print "## The notes' claims"
	for (i = 1; i <= nn; i++) {
		n = norder[i]
		print ""
		printf "### %s\n\n> %s\n\n%s\n\n", note_id[n], note_zh[n], note_en[n]
		print "| run | verdict | measured |"
		print "|---|---|---|"
		for (r = 1; r <= nruns; r++) printf "| %s | %s | %s |\n", mdcell(name[r]), nv[n, r], mdcell(nd[n, r])
	}
	print ""
	print "## The kernel's claims (documented behaviour)"
	print ""
	s = "| claim |"; for (r = 1; r <= nruns; r++) s = s " " mdcell(name[r]) " |"
	print s
	s = "|---|"; for (r = 1; r <= nruns; r++) s = s "---|"
	print s
	for (i = 1; i <= nclaims; i++) {
		c = claims[korder[i]]
		s = "| " mdcell(c) " |"
		for (r = 1; r <= nruns; r++) {
			s = s " " verdict_word(status[r, c])
			if (status[r, c] != "pass" && detail[r, c] != "") s = s ": " mdcell(detail[r, c])
			s = s " |"
		}
		print s
	}
}
