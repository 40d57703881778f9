# report.awk - the claims report, in Markdown or HTML (format=md|html).
#
# Input, tab-separated, made by `harness/ipcvm report`:
#   R  run  label  kernel  machine  libc  distro    one line per run
#   V  run  status  claim  detail                   pass / fail / skip / error
#                                                   (from the verdict records)
#   O  run  name  value                             observations
#   N  id | notes' words | English | claim ids | notes' numbers
#
# For every claim of the notes, and every documented claim the cases judge,
# each run's verdict: holds / differs (with what was measured) / skipped
# (with the reason) / unjudged (the run cannot be judged: why).
BEGIN { FS = "\t" }

$1 == "R" { nruns++; label[$2] = $3; kernel[$2] = $4; machine[$2] = $5; libc[$2] = $6; distro[$2] = $7; next }
$1 == "V" {
	r = $2; status[r, $4] = $3; detail[r, $4] = $5
	if (!($4 in claim_seen)) { claim_seen[$4] = 1; claims[++nclaims] = $4 }
	id = $4; sub(/:.*/, "", id)
	ids_of_run[r, id] = ids_of_run[r, id] SUBSEP $4
	next
}
$1 == "O" { obs[$2, $3] = $4; has_obs[$2, $3] = 1; next }
$1 == "N" {
	n = split(substr($0, 3), f, / \| /)
	nn++
	note_id[nn] = trim(f[1]); note_zh[nn] = trim(f[2]); note_en[nn] = trim(f[3])
	note_ids[nn] = trim(f[4]); note_nums[nn] = n >= 5 ? trim(f[5]) : ""
	next
}

function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }

function esc(s) {
	gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s)
	return s
}

function mdcell(s) { gsub(/\|/, "\\|", s); return s }

# the notes claim N in run R: sets V (holds/differs/skipped/absent) and D
function judge_note(n, r,    k, ids, i, j, parts, cl, total, failed, skipped, unjudged, nums, kv, name, want, d, sk, u) {
	total = failed = skipped = unjudged = 0; d = sk = u = ""
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
		split(nums[i], kv, "="); name = kv[1]; want = kv[2]
		if (!has_obs[r, name]) { d = d (d ? "; " : "") name " not measured"; skipped++; total++; continue }
		total++
		if (obs[r, name] != want) { failed++; d = d (d ? "; " : "") "notes: " name "=" want ", measured " obs[r, name] }
		else d = d (d ? "; " : "") name "=" want " as the notes say"
	}
	if (total == 0) { V = "absent"; D = "not recorded in this run"; return }
	if (failed) { V = "differs"; D = d (u ? "; " u : ""); return }
	if (unjudged) { V = "unjudged"; D = u; return }
	if (skipped == total) { V = "skipped"; D = sk; return }
	V = "holds"; D = d
}

function verdict_word(s) { return s == "pass" ? "holds" : s == "fail" ? "differs" : s == "skip" ? "skipped" : s == "error" ? "unjudged" : "absent" }

END {
	if (format == "html") html(); else md()
}

function md(    r, n, c, s) {
	print "# ipcvm claims report"
	print ""
	print "| run | kernel | machine | libc | distro |"
	print "|---|---|---|---|---|"
	for (r = 1; r <= nruns; r++)
		printf "| %s | %s | %s | %s | %s |\n", mdcell(label[r]), kernel[r], machine[r], libc[r], mdcell(distro[r])
	print ""
	print "## The notes' claims"
	for (n = 1; n <= nn; n++) {
		print ""
		printf "### %s\n\n> %s\n\n%s\n\n", note_id[n], note_zh[n], note_en[n]
		print "| run | verdict | measured |"
		print "|---|---|---|"
		for (r = 1; r <= nruns; r++) {
			judge_note(n, r)
			printf "| %s | %s | %s |\n", mdcell(label[r]), V, mdcell(D)
		}
	}
	print ""
	print "## Documented behaviour"
	print ""
	s = "| claim |"; for (r = 1; r <= nruns; r++) s = s " " mdcell(label[r]) " |"
	print s
	s = "|---|"; for (r = 1; r <= nruns; r++) s = s "---|"
	print s
	for (c = 1; c <= nclaims; c++) {
		s = "| " mdcell(claims[c]) " |"
		for (r = 1; r <= nruns; r++) {
			s = s " " verdict_word(status[r, claims[c]])
			if (status[r, claims[c]] != "pass" && detail[r, claims[c]] != "") s = s ": " mdcell(detail[r, claims[c]])
			s = s " |"
		}
		print s
	}
}

function html(    r, n, c, st) {
	print "<!DOCTYPE html>"
	print "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ipcvm claims report</title>"
	print "<style>"
	print "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
	print "td,th{border:1px solid #bbb;padding:.3em .6em;vertical-align:top;text-align:left}"
	print "th{background:#eee}.holds{background:#d9f2d9}.differs{background:#f8d0d0}.skipped{background:#f3ecc8}.absent{background:#eee;color:#777}.unjudged{background:#e8d0f0}"
	print "blockquote{margin:.3em 0;color:#555}.detail{font-size:.85em;color:#444}"
	print "</style></head><body>"
	print "<h1>ipcvm claims report</h1>"
	print "<p id=\"summary\">(the summary is counted by the page script)</p>"
	print "<table id=\"runs\"><tr><th>run</th><th>kernel</th><th>machine</th><th>libc</th><th>distro</th></tr>"
	for (r = 1; r <= nruns; r++)
		printf "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", esc(label[r]), esc(kernel[r]), esc(machine[r]), esc(libc[r]), esc(distro[r])
	print "</table>"
	print "<h2>The notes' claims</h2>"
	print "<table id=\"notes\"><tr><th>claim</th>"
	for (r = 1; r <= nruns; r++) printf "<th>%s<br>%s</th>", esc(label[r]), esc(kernel[r])
	print "</tr>"
	for (n = 1; n <= nn; n++) {
		printf "<tr><td><b>%s</b><blockquote lang=\"zh\">%s</blockquote>%s</td>", esc(note_id[n]), esc(note_zh[n]), esc(note_en[n])
		for (r = 1; r <= nruns; r++) {
			judge_note(n, r)
			printf "<td class=\"verdict %s\">%s<div class=\"detail\">%s</div></td>", V, V, esc(D)
		}
		print "</tr>"
	}
	print "</table>"
	print "<h2>Documented behaviour</h2>"
	print "<table id=\"claims\"><tr><th>claim</th>"
	for (r = 1; r <= nruns; r++) printf "<th>%s</th>", esc(kernel[r])
	print "</tr>"
	for (c = 1; c <= nclaims; c++) {
		printf "<tr><td>%s</td>", esc(claims[c])
		for (r = 1; r <= nruns; r++) {
			st = verdict_word(status[r, claims[c]])
			printf "<td class=\"verdict %s\">%s", st, st
			if (st != "holds" && detail[r, claims[c]] != "") printf "<div class=\"detail\">%s</div>", esc(detail[r, claims[c]])
			printf "</td>"
		}
		print "</tr>"
	}
	print "</table>"
	# counted in the browser, so a test can tell the page was really rendered
	print "<script>"
	print "(function(){var n={holds:0,differs:0,skipped:0,absent:0};"
	print "document.querySelectorAll('td.verdict').forEach(function(td){for(var k in n)if(td.classList.contains(k))n[k]++;});"
	print "var s=document.getElementById('summary');s.textContent=n.holds+' holds, '+n.differs+' differs, '+n.skipped+' skipped, '+n.absent+' absent';"
	print "s.setAttribute('data-holds',n.holds);s.setAttribute('data-differs',n.differs);s.setAttribute('data-skipped',n.skipped);})();"
	print "</script>"
	print "</body></html>"
}
