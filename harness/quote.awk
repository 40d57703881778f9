# The awk functions that quote text, for any awk run under LC_ALL=C:
# json_str(s), s as a JSON string, and c_str(s), s as C writes a string
# (every byte outside printable ASCII as \xNN), cut at 80 bytes: an excerpt
# of a bad line, so a terminal never gets its raw bytes.  Character by
# character, never a backslash in a gsub() replacement: mawk and gawk read
# those differently (mawk turned a backslash into "\i"-style escapes).
function quote_char(c, json,    o, i) {
	if (!quote_ready) { for (i = 1; i < 256; i++) quote_ord[sprintf("%c", i)] = i; quote_ready = 1 }
	if (c == "\\") return "\\\\"
	if (c == "\"") return "\\\""
	if (c == "\t") return "\\t"
	if (c == "\n") return "\\n"
	if (c == "\r") return "\\r"
	o = (c in quote_ord) ? quote_ord[c] : 0
	if ((o >= 32 && o < 127) || (json && o >= 128)) return c
	return json ? sprintf("\\u%04x", o) : sprintf("\\x%02x", o)
}
function quote(s, json, max,    out, i, n) {
	n = length(s)
	if (max && n > max) n = max
	out = ""
	for (i = 1; i <= n; i++) out = out quote_char(substr(s, i, 1), json)
	return "\"" out "\"" (n < length(s) ? "..." : "")
}
function json_str(s) { return s ~ /[\001-\037"\\\177]/ ? quote(s, 1, 0) : "\"" s "\"" }
function c_str(s) { return quote(s, 0, 80) }
