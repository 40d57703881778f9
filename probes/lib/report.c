/*
 * report.c - helper processes report to the probe through a pipe.
 *
 * Only the probe's own process writes observations.  A helper that measures
 * something (another uid, another namespace, a blocked call) writes
 * "name=value" lines to a pipe; collect_reports() turns them into
 * observations.  A line "-reason=why" gives the reason for any expected name
 * it never sent.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "names.h"

void report_str(int fd, const char *name, const char *value)
{
	char line[400];
	int n = snprintf(line, sizeof(line), "%s=%s\n", name, value);

	if (n > 0 && (size_t)n < sizeof(line))
		(void)!write_all(fd, line, (size_t)n);
}

void report_int(int fd, const char *name, long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", v);
	report_str(fd, name, s);
}

void report_bool(int fd, const char *name, int yes)
{
	report_str(fd, name, yes ? "yes" : "no");
}

void report_errno(int fd, const char *name, int err)
{
	report_str(fd, name, err ? errno_name(err) : "OK");
}

void report_outcome(int fd, const char *name, struct outcome o)
{
	if (outcome_blocked(o))
		report_str(fd, name, "TIMEOUT");
	else
		report_errno(fd, name, o.ret == -1 ? o.err : 0);
}

void report_skip(int fd, const char *name, const char *why)
{
	char why_name[300];

	report_str(fd, name, "SKIP");
	snprintf(why_name, sizeof(why_name), "%s.why", name);
	report_str(fd, why_name, why);
}

void report_reason(int fd, const char *why)
{
	report_str(fd, "-reason", why);
}

void collect_reports(int fd, pid_t pid, const char *const expected[])
{
	static char buf[32768];
	char reason[128] = "the-helper-process-ended-before-measuring-it";
	size_t len = 0;
	int got[64] = { 0 }, status;

	for (;;) {
		struct outcome o = TRY(hang_ms(), read(fd, buf + len, sizeof(buf) - 1 - len));

		if (o.ret <= 0)
			break;
		len += (size_t)o.ret;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	close(fd);
	status = reap(pid, hang_ms());
	if (status != -1 && status_code(status) == EXIT_HARD_ERROR)
		probe_fail("a helper process's setup call", ECHILD);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(line, "-reason") == 0) {
			snprintf(reason, sizeof(reason), "%s", eq + 1);
			continue;
		}
		for (int i = 0; expected[i] && i < 64; i++)
			if (strcmp(expected[i], line) == 0)
				got[i] = 1;
		obs_str(line, eq + 1);
	}
	for (int i = 0; expected[i] && i < 64; i++)
		if (!got[i])
			obs_skip(expected[i], reason);
}
