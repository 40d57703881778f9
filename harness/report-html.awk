# report-html.awk - the claims report as an HTML page, loaded after
# report.awk (its model: runs, verdicts, notes, row order, totals).
#
# The page has no script, no inline style and no event handler: it renders
# under a strict Content-Security-Policy (Jenkins' default: sandbox;
# default-src 'none'; img-src 'self'; style-src 'self').  Its look comes
# from the stylesheet named by -v css=FILE (harness/report.css, copied
# beside the page); without it the page still reads, every cell in words.
# Details (expected and observed values, reasons) open on demand in
# <details>; each cell's title holds them as plain text too.

function esc(s) {
	gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s)
	return s
}

# the word a cell shows for a kernel status / a notes verdict
function kshort(s) { return s == "" ? "none" : s }
function nshort(v) { return v == "holds" ? "pass" : v == "differs" ? "fail" : v == "skipped" ? "skip" : v == "unjudged" ? "error" : "none" }

# run_label R: the run's name less its kernel release (which the header
# shows above it), or the whole name when it does not start with it
function run_label(r,    rel) {
	rel = meta[r, "kernel_release"]
	if (rel != "" && index(name[r], rel "-") == 1 && length(name[r]) > length(rel) + 1) return substr(name[r], length(rel) + 2)
	return name[r]
}

function who(r) { return meta[r, "uid"] == "" ? "" : meta[r, "uid"] == "0" ? "root" : "uid " meta[r, "uid"] }

# run_th R KIND: a matrix's column header: label, kernel release, user and
# the run's totals of that KIND of claim (k: the kernel's, n: the notes')
function run_th(r, kind,    t) {
	if (kind == "k") t = tot(kt[r, "pass"], "pass") " " tot(kt[r, "fail"], "fail") " " tot(kt[r, "skip"], "skip") " " tot(kt[r, "error"], "error")
	else t = tot(nt[r, "holds"], "pass") " " tot(nt[r, "differs"], "fail") " " tot(nt[r, "skipped"], "skip") " " tot(nt[r, "unjudged"], "error")
	printf "<th scope=\"col\" class=\"run\" title=\"%s\"><span class=\"label\">#%d %s</span> <span class=\"rel\">%s</span> <span class=\"who\">%s</span> <span class=\"totals\">%s</span></th>", \
		esc(name[r] ": " meta[r, "kernel_release"] " " meta[r, "kernel_version"] ", " meta[r, "machine"] ", " meta[r, "libc"]), \
		r, esc(run_label(r)), esc(meta[r, "kernel_release"]), who(r), t
}

# tot COUNT WORD: one of a run's totals
function tot(n, w) { return "<span class=\"t " w (n + 0 == 0 ? " zero" : "") "\">" (n + 0) " " w "</span>" }

# cell CLASS WORD DETAIL-HTML DETAIL-TEXT: one verdict cell
function cell(cls, word, dhtml, dtext) {
	if (dhtml == "") return sprintf("<td class=\"verdict %s\" title=\"%s\">%s</td>", cls, esc(dtext == "" ? cls : cls ": " dtext), word)
	return sprintf("<td class=\"verdict %s\" title=\"%s\"><details><summary>%s</summary><div class=\"detail\">%s</div></details></td>", \
		cls, esc(cls ": " dtext), word, dhtml)
}

# kcell R C: the cell of kernel claim C in run R, a failure's detail
# assertion by assertion (expected, observed, the judge's reason)
function kcell(r, c,    s, id, i, a, h) {
	s = status[r, c]; id = claim_id[c]
	if (s == "") return cell("absent", "none", "", "not recorded in this run")
	if (s == "pass") return cell("holds", "pass", "", "")
	h = ""
	if (s == "fail" || s == "error")
		for (i = 1; i <= nas[r, id]; i++) {
			split(as[r, id, i], a, FS)
			if (a[5] != s) continue
			if (a[1] == "-") h = h "<p>" esc(a[6]) "</p>"
			else h = h "<dl><dt>observation</dt><dd><code>" esc(a[1]) "</code></dd><dt>expected</dt><dd><code>" esc(a[2] " " a[3]) \
				"</code></dd><dt>observed</dt><dd><code>" esc(a[4]) "</code></dd></dl>" \
				(a[6] ~ /^observed / ? "" : "<p>" esc(a[6]) "</p>")
		}
	if (h == "") h = "<p>" esc(detail[r, c]) "</p>"
	return cell(verdict_word(s), s, h, detail[r, c])
}

function ncell(n, r) {
	if (nv[n, r] == "holds" && nd[n, r] == "") return cell("holds", "pass", "", "")
	if (nv[n, r] == "absent") return cell("absent", "none", "", nd[n, r])
	return cell(nv[n, r], nshort(nv[n, r]), "<p>" esc(nd[n, r]) "</p>", nd[n, r])
}

# group RANK COUNT: the header row of a group of rows
function group(rank, count) {
	printf "<tbody class=\"%s\"><tr class=\"group\"><th colspan=\"%d\">%s (%d)</th></tr>\n", \
		rank == 0 ? "fails" : rank == 1 ? "split" : "same", nruns + 1, \
		rank == 0 ? "fails or cannot be judged in some run" : rank == 1 ? "the runs disagree" : "the same in every run", count
}

function kernel_matrix(    r, i, c, k, last) {
	print "<h2 id=\"kernel-claims\">The kernel's claims</h2>"
	printf "<table class=\"matrix\" id=\"kernel\"><thead><tr><th scope=\"col\" class=\"corner\">claim (%d)</th>", nclaims
	for (r = 1; r <= nruns; r++) run_th(r, "k")
	print "</tr></thead>"
	last = -1
	for (i = 1; i <= nclaims; i++) {
		k = korder[i]; c = claims[k]
		if (krank[k] != last) { if (last >= 0) print "</tbody>"; last = krank[k]; group(last, krank_n[last]) }
		printf "<tr><th scope=\"row\" title=\"%s\"><span class=\"id\">%s</span> <span class=\"sentence\">%s</span></th>", \
			esc(c), esc(claim_id[c]), esc(substr(c, length(claim_id[c]) + 3))
		for (r = 1; r <= nruns; r++) printf "%s", kcell(r, c)
		print "</tr>"
	}
	if (last >= 0) print "</tbody>"
	print "</table>"
}

function notes_matrix(    r, i, n, last) {
	print "<h2 id=\"notes-claims\">The notes' claims</h2>"
	print "<p>The study notes' claims, graded from the kernel's claims each names (cases/notes.claims), and counted apart from them.</p>"
	printf "<table class=\"matrix\" id=\"notes\"><thead><tr><th scope=\"col\" class=\"corner\">notes' claim (%d)</th>", nn
	for (r = 1; r <= nruns; r++) run_th(r, "n")
	print "</tr></thead>"
	last = -1
	for (i = 1; i <= nn; i++) {
		n = norder[i]
		if (nrank[n] != last) { if (last >= 0) print "</tbody>"; last = nrank[n]; group(last, nrank_n[last]) }
		printf "<tr><th scope=\"row\" title=\"%s\"><span class=\"id\">%s</span> <q lang=\"zh\">%s</q> <span class=\"sentence\">%s</span> <span class=\"judged\">judged by %s</span></th>", \
			esc(note_en[n] " (judged by " note_ids[n] ")"), esc(note_id[n]), esc(note_zh[n]), esc(note_en[n]), esc(note_ids[n])
		for (r = 1; r <= nruns; r++) printf "%s", ncell(n, r)
		print "</tr>"
	}
	if (last >= 0) print "</tbody>"
	print "</table>"
}

function runs_table(    r) {
	print "<h2 id=\"runs-heading\">Runs</h2>"
	print "<table id=\"runs\"><thead><tr><th>#</th><th>run</th><th>kernel</th><th>machine</th><th>libc</th><th>distro</th><th>user</th>" \
		"<th>kernel's claims</th><th>notes' claims</th><th>remarks</th></tr></thead><tbody>"
	for (r = 1; r <= nruns; r++)
		printf "<tr id=\"run-%d\"><td>%d</td><td>%s</td><td>%s <span class=\"version\">%s</span></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>" \
			"<td class=\"totals\" data-pass=\"%d\" data-fail=\"%d\" data-skip=\"%d\" data-error=\"%d\">%d passed, %d failed, %d skipped, %d errors</td>" \
			"<td class=\"totals\" data-pass=\"%d\" data-fail=\"%d\" data-skip=\"%d\" data-error=\"%d\">%d hold, %d differ, %d skipped, %d unjudged</td><td>%s</td></tr>\n", \
			r, r, esc(name[r]), esc(meta[r, "kernel_release"]), esc(meta[r, "kernel_version"]), esc(meta[r, "machine"]), esc(meta[r, "libc"]), \
			esc(meta[r, "distro"]), who(r), kt[r, "pass"], kt[r, "fail"], kt[r, "skip"], kt[r, "error"], \
			kt[r, "pass"], kt[r, "fail"], kt[r, "skip"], kt[r, "error"], nt[r, "holds"], nt[r, "differs"], nt[r, "skipped"], nt[r, "unjudged"], \
			nt[r, "holds"], nt[r, "differs"], nt[r, "skipped"], nt[r, "unjudged"], esc(problem[r])
	print "</tbody></table>"
}

function html() {
	print "<!DOCTYPE html>"
	print "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ipcvm claims report</title>"
	printf "<link rel=\"stylesheet\" href=\"%s\"></head><body>\n", esc(css)
	print "<h1>ipcvm claims report</h1>"
	printf "<p id=\"summary\">%d runs. <a href=\"#kernel-claims\">The kernel's claims</a>: %d, of which %d fail (or cannot be judged) in some run and %d differ between runs. " \
		"<a href=\"#notes-claims\">The notes' claims</a>: %d, of which %d fail (the kernel does otherwise) in some run and %d differ between runs. " \
		"Those rows come first; open a cell for what was expected and observed, or why it was skipped.</p>\n", \
		nruns, nclaims, krank_n[0], krank_n[1], nn, nrank_n[0], nrank_n[1]
	kernel_matrix()
	notes_matrix()
	runs_table()
	print "</body></html>"
}
