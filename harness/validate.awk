# validate.awk - the problems of meta.env and FAMILY.obs files, one per
# line (FILE:LINE: problem); exit 1 if any.  harness/ipcvm validate runs it
# with quote.awk under LC_ALL=C; HACKING.md (Observations) is the grammar.
function bad(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg; n++ }
# a decimal that fits 64 bits: -2^63 to 2^64 - 1
function fits64(v,    neg) {
	neg = sub(/^-/, "", v); sub(/^0+/, "", v)
	if (neg) return length(v) < 19 || (length(v) == 19 && v "" <= "9223372036854775808")
	return length(v) < 20 || (length(v) == 20 && v "" <= "18446744073709551615")
}
function status_missing(k) {
	if (!(k in seen)) { printf "%s:%d: %s without %s (HACKING.md, Observations)\n", file, lines, last, k; n++ }
}
# what only the whole file shows
function file_end() {
	if (crlf > 1) { printf "%s: %d more lines end in a carriage return: a CRLF (DOS) file, convert it with dos2unix\n", file, crlf - 1; n++ }
	if (binary > 1) { printf "%s: %d more lines hold control bytes: a binary file, not text\n", file, binary - 1; n++ }
	if (meta) return
	if (last !~ /^probe\.status=(recorded|skipped|error)$/) {
		printf "%s:%d: cut short: the last line is not probe.status (the probe crashed or was killed)\n", file, lines; n++
	} else if (last == "probe.status=error") {
		status_missing("error.call"); status_missing("error.errno"); status_missing("error.where")
	} else if (last == "probe.status=skipped")
		status_missing("skip.reason")
}
BEGIN { nul = sprintf("%c", 0) }
FNR == 1 {
	if (file != "") file_end()
	file = FILENAME; started[file] = 1; crlf = binary = 0; last = ""
	meta = file ~ /(^|\/)meta\.env$/
	fam = file; sub(/.*\//, "", fam); sub(/\.obs$/, "", fam)
	split("", seen)
}
{
	line = $0; lines = FNR
	if (sub(/\r$/, "", line) && ++crlf == 1) bad("carriage return (CRLF line ending): " c_str($0))
	# (NUL apart: busybox awk takes a \000 in a regex for its end)
	if ((nul != "" && index(line, nul)) || line ~ /[\001-\010\013-\037\177]/) {
		if (++binary == 1) bad("control bytes (a binary file?): " c_str(line))
		last = line
		next
	}
	if (meta) next
	last = line
	if (line !~ /^[a-z][a-z0-9_.]*=[A-Za-z0-9_.:\/+-]*$/) {
		bad("malformed observation " c_str(line) " (want name=value, see HACKING.md)")
		next
	}
	name = line; sub(/=.*/, "", name)
	value = substr(line, length(name) + 2)
	if (name in seen) {
		bad("observation " name " appears twice (first on line " seen[name] ")")
		next
	}
	seen[name] = FNR
	if (index(name, fam ".") != 1 && name !~ /^(probe|skip|error)\./)
		bad("observation " name " does not belong to the " fam " family")
	if (value ~ /^-?[0-9]+$/ && !fits64(value))
		bad("value " value " of " name " does not fit in 64 bits")
	else if (value ~ /^-[0-9]+$/ && value != "-1" && name ~ /_(count|bytes|pages)$/)
		bad("negative value " value " of " name ": a count or size is never negative (-1 alone says it could not be read)")
}
END {
	if (file != "") file_end()
	for (i = 1; i < ARGC; i++)
		if (!(ARGV[i] in started) && ARGV[i] ~ /\.obs$/) { printf "%s: empty: the probe wrote nothing\n", ARGV[i]; n++ }
	exit (n > 0)
}
