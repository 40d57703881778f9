/*
 * section.c - the section runner (see probe.h): each section in a process
 * of its own, with its own deadline; --list and --only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "probe-internal.h"
#include "names.h"

/* ---- sections ---------------------------------------------------------- */

/* the section process this process belongs to (0 outside sections),
 * and that section's name */
pid_t current_section;
const char *current_section_name;

int section_ms(void)
{
	return env_ms("IPCVM_SECTION_MS", 3 * hang_ms());
}

void list_sections(void)
{
	for (const struct probe_section *s = probe_sections; s->name; s++)
		printf("%-24s %s\n", s->name, s->claims);
}

/* probe.section.NAME.claims=ID+ID+... */
static void record_claims(const struct probe_section *s)
{
	char name[128], value[480];
	size_t n = 0;

	snprintf(name, sizeof(name), "probe.section.%.64s.claims", s->name);
	for (const char *c = s->claims; *c && n < sizeof(value) - 1; c++)
		if (*c != ' ' || (n > 0 && value[n - 1] != '+'))
			value[n++] = *c == ' ' ? '+' : *c;
	while (n > 0 && value[n - 1] == '+')
		n--;
	value[n] = '\0';
	emit(name, n ? value : "none");
}

/* how the section's process ended, as an observation value */
static void section_end(const char *section, int status, char *buf, size_t size)
{
	if (status == -1)
		snprintf(buf, size, "timeout");
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "crashed-%s", signal_name(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == 0)
		snprintf(buf, size, "ok");
	else if (WEXITSTATUS(status) == EXIT_HARD_ERROR)
		snprintf(buf, size, "error");
	else if (WEXITSTATUS(status) == EXIT_SKIP)
		snprintf(buf, size, "skipped");
	else
		snprintf(buf, size, "exit-%d", WEXITSTATUS(status));
	(void)section;
}

static void run_section(const struct probe_section *s)
{
	char name[128], end[64];
	pid_t pid;
	int status;

	record_claims(s);
	pid = fork_tied();
	if (pid == 0) {
		/* the section's process writes its own observations */
		main_pid = getpid();
		current_section = main_pid;
		current_section_name = s->name;
		{
			/* who is "the probe itself" now, for the fault
			 * library (probes/fault: child-writes-lost) */
			char spid[24];

			snprintf(spid, sizeof(spid), "%ld", (long)main_pid);
			setenv("IPCVM_SECTION_PID", spid, 1);
		}
		s->run();
		run_cleanup();
		_exit(EXIT_RECORDED);
	}
	status = reap(pid, section_ms());
	/* what the section, its helpers and peers made and did not undo
	 * (it crashed, or was killed at its deadline) */
	undo_where(made_under, pid);
	section_end(s->name, status, end, sizeof(end));
	snprintf(name, sizeof(name), "probe.section.%.64s", s->name);
	emit(name, end);
}

static int wanted(const char *name, int argc, char **argv)
{
	if (argc == 0)
		return 1;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int run_sections(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const struct probe_section *s = probe_sections;

		while (s->name && strcmp(s->name, argv[i]) != 0)
			s++;
		if (!s->name) {
			fprintf(stderr, "%s: no section '%s' (--list shows them)\n",
				PROBE_NAME, argv[i]);
			return EXIT_HARD_ERROR;
		}
	}
	for (const struct probe_section *s = probe_sections; s->name; s++)
		if (wanted(s->name, argc, argv))
			run_section(s);
	return 0;
}
