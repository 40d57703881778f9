/*
 * probe.c - the shared half of every probe: see probe.h for the contract.
 * Observation output, deadlines, scratch directories, exits, helper
 * processes and main; the cleanup registry is in cleanup.c, the section
 * runner in section.c, the small helpers in util.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "probe-internal.h"
#include "names.h"

/* the probe's own process: the only one that writes observations */
pid_t main_pid;

/* ---- deadlines ------------------------------------------------------- */

int env_ms(const char *var, int dflt)
{
	const char *s = getenv(var);
	char *end;
	long v;

	if (!s || !*s)
		return dflt;
	v = strtol(s, &end, 10);
	if (*end || v <= 0 || v > 600000)
		return dflt;
	return (int)v;
}

int block_ms(void)
{
	return env_ms("IPCVM_BLOCK_MS", 100);
}

int hang_ms(void)
{
	return env_ms("IPCVM_HANG_MS", 10000);
}

volatile sig_atomic_t deadline_fired;

static void on_alarm(int sig)
{
	(void)sig;
	deadline_fired = 1;
}

void deadline_start(int ms)
{
	struct sigaction sa;
	struct itimerval it;

	deadline_fired = 0;
	if (ms <= 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: interrupt the call */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	/* repeat every 50 ms in case the first one came before the call */
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_usec = 50000;
	setitimer(ITIMER_REAL, &it, NULL);
}

int deadline_stop(void)
{
	struct itimerval it;
	int saved = errno;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	errno = saved;
	return deadline_fired;
}

int outcome_blocked(struct outcome o)
{
	return o.ret == -1 && o.err == EINTR && o.timed_out;
}

/* ---- observations ---------------------------------------------------- */

/* names seen so far: a probe that writes one twice has a bug */
#define MAX_OBS 2048
static char *seen[MAX_OBS];
static int nseen;

static int valid_name(const char *s)
{
	if (!*s || !islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		      *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* symbolic, numeric or a-dashed-phrase: never free text */
static int valid_value(const char *s)
{
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("_.:/+-", *s)))
			return 0;
	return 1;
}

void emit(const char *name, const char *value)
{
	char line[512];
	int n;

	if (getpid() != main_pid) {
		static const char m[] = "a helper process tried to write an observation\n";
		write_all(STDERR_FILENO, m, sizeof(m) - 1);
		_exit(EXIT_HARD_ERROR);
	}
	if (!valid_name(name) || !valid_value(value))
		probe_fail_at("observation name or value out of vocabulary",
			      EINVAL, name, 0);
	for (int i = 0; i < nseen; i++)
		if (strcmp(seen[i], name) == 0)
			probe_fail_at("observation written twice", EEXIST,
				      name, 0);
	if (nseen < MAX_OBS)
		seen[nseen++] = strdup(name);
	n = snprintf(line, sizeof(line), "%s=%s\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(line))
		probe_fail_at("observation line too long", E2BIG, name, 0);
	/* one write per line, unbuffered: nothing to duplicate across fork,
	 * and a crash leaves every line written before it */
	if (write_all(STDOUT_FILENO, line, (size_t)n) != n)
		_exit(EXIT_HARD_ERROR);
}

/* The observation name is PROBE_NAME "." suffix for the family's own
 * lines, except for the probe.* and skip.* / error.* status lines. */
static void emit_family(const char *suffix, const char *value)
{
	char name[320];

	snprintf(name, sizeof(name), "%s.%.256s", PROBE_NAME, suffix);
	emit(name, value);
}

void obs_str(const char *name, const char *value)
{
	emit_family(name, value);
}

void obs_int(const char *name, long long value)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", value);
	emit_family(name, v);
}

void obs_bool(const char *name, int yes)
{
	emit_family(name, yes ? "yes" : "no");
}

void obs_errno(const char *name, int err)
{
	emit_family(name, err ? errno_name(err) : "OK");
}

void obs_signal(const char *name, int sig)
{
	emit_family(name, sig ? signal_name(sig) : "none");
}

void obs_skip(const char *name, const char *why)
{
	char why_name[300];

	emit_family(name, "SKIP");
	snprintf(why_name, sizeof(why_name), "%.250s.why", name);
	emit_family(why_name, why);
}

void obs_outcome(const char *name, struct outcome o)
{
	if (outcome_blocked(o))
		emit_family(name, "TIMEOUT");
	else if (o.ret == -1)
		emit_family(name, errno_name(o.err));
	else
		emit_family(name, "OK");
}

void obs_outcome_count(const char *name, struct outcome o)
{
	if (o.ret == -1)
		obs_outcome(name, o);
	else
		obs_int(name, o.ret);
}

static char scratch[PATH_MAX];

const char *scratch_dir(void)
{
	const char *tmp;
	sigset_t old;

	if (scratch[0])
		return scratch;
	tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(scratch, sizeof(scratch), "%s/ipcvm-%s.XXXXXX", tmp,
		 PROBE_NAME);
	/* made and registered with signals held: an interrupt in between
	 * would leave the directory unknown to the cleanup */
	hold_signals(&old);
	if (!mkdtemp(scratch)) {
		int err = errno;

		scratch[0] = '\0';
		release_signals(&old);
		probe_fail("mkdtemp", err);
	}
	/* registered first, so it is undone last, after what it holds */
	cleanup_rmdir(scratch);
	release_signals(&old);
	return scratch;
}

void scratch_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", scratch_dir(), name);
}

/* ---- exits ------------------------------------------------------------- */

/* the failing call as a token: "pipe(fds)" -> "pipe" */
static const char *call_token(const char *call)
{
	static char tok[64];
	size_t n = 0;

	while (call[n] && n < sizeof(tok) - 1 &&
	       (isalnum((unsigned char)call[n]) || call[n] == '_'))
		n++;
	memcpy(tok, call, n);
	tok[n] = '\0';
	return n ? tok : "unknown";
}

void probe_fail_at(const char *call, int err, const char *file, int line)
{
	char where[300];
	char msg[600];
	int n;

	/* a human line on stderr, the machine lines on stdout */
	n = snprintf(msg, sizeof(msg), "%s: hard error: %s: %s (%s) at %s:%d\n",
		     PROBE_NAME, call, strerror(err), errno_name(err), file,
		     line);
	if (n > 0)
		write_all(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	if (getpid() != main_pid) {	/* a helper: its parent observes */
		run_cleanup();
		_exit(EXIT_HARD_ERROR);
	}
	snprintf(where, sizeof(where), "%s:%d", file, line);
	for (char *p = where; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("_.:/+-", *p)))
			*p = '_';
	if (current_section == getpid()) {
		/* the section ends; the probe goes on with the next one */
		char name[160];

		snprintf(name, sizeof(name), "probe.section.%.64s.error_call", current_section_name);
		emit(name, call_token(call));
		snprintf(name, sizeof(name), "probe.section.%.64s.error_errno", current_section_name);
		emit(name, errno_name(err));
		snprintf(name, sizeof(name), "probe.section.%.64s.error_where", current_section_name);
		emit(name, where);
		run_cleanup();
		_exit(EXIT_HARD_ERROR);
	}
	emit("error.call", call_token(call));
	emit("error.errno", errno_name(err));
	emit("error.where", where);
	emit("probe.status", "error");
	run_cleanup();
	_exit(EXIT_HARD_ERROR);
}

void probe_skip(const char *reason)
{
	if (current_section && current_section == getpid()) {
		/* only this section cannot run here */
		char name[160];

		snprintf(name, sizeof(name), "probe.section.%.64s.skip_reason", current_section_name);
		emit(name, reason);
		run_cleanup();
		_exit(EXIT_SKIP);
	}
	emit("skip.reason", reason);
	emit("probe.status", "skipped");
	run_cleanup();
	_exit(EXIT_SKIP);
}

/* ---- helper processes -------------------------------------------------- */

static void become_child(void)
{
	struct sigaction sa;

	/* the child owns nothing yet: the parent's entries stay the parent's */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGALRM, &sa, NULL);
}

/* fork a helper that dies with us and that the registry kills and reaps;
 * returns 0 in the helper (signals released), its pid in the parent */
pid_t fork_tied(void)
{
	pid_t parent = getpid();
	pid_t pid;
	sigset_t old;

	hold_signals(&old);
	pid = fork();
	if (pid == -1) {
		release_signals(&old);
		probe_fail("fork", errno);
	}
	if (pid == 0) {
		become_child();
		release_signals(&old);
		if (getppid() != parent)	/* parent died before prctl */
			_exit(EXIT_HARD_ERROR);
		return 0;
	}
	push(UNDO_CHILD, pid, NULL);
	release_signals(&old);
	return pid;
}

pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid = fork_tied();

	if (pid == 0) {
		int rc = fn(arg);
		run_cleanup();
		_exit(rc);
	}
	return pid;
}

pid_t spawn_peer(const char *role, const char *const args[])
{
	const char *argv[16];
	int argc = 0;
	pid_t pid;

	argv[argc++] = PROBE_NAME;
	argv[argc++] = "--peer";
	argv[argc++] = role;
	for (int i = 0; args && args[i] && argc < 15; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	pid = fork_tied();
	if (pid == 0) {
		/* a session of its own, and no descriptor but stdio */
		setsid();
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int reap(pid_t pid, int ms)
{
	struct outcome o;
	int status = 0;

	do
		o = TRY(ms, waitpid(pid, &status, 0));
	while (o.ret == -1 && o.err == EINTR && !o.timed_out);
	if (o.ret != pid) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		forget(UNDO_CHILD, pid, NULL);
		return -1;
	}
	forget(UNDO_CHILD, pid, NULL);
	return status;
}

int spawn_killed_by(int (*fn)(void *), void *arg)
{
	int status = reap(spawn(fn, arg), hang_ms());

	return status != -1 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int status_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}


/* the C library, as meta.env names it: glibc-X.Y, or the other C
 * libraries' names (musl defines no macro of its own on purpose) */
static const char *probe_libc(void)
{
#if defined(__GLIBC__) && !defined(__UCLIBC__)
	static char libc[32];

	snprintf(libc, sizeof(libc), "glibc-%d.%d", __GLIBC__, __GLIBC_MINOR__);
	return libc;
#elif defined(__UCLIBC__)
	return "uclibc";
#elif defined(__BIONIC__)
	return "bionic";
#else
	return "musl";
#endif
}

/* ---- main ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: %s [--list | --only SECTION...]\n"
		"Records the %s observations of this kernel on standard output\n"
		"(name=value lines; see HACKING.md).  Exit 0 recorded, 77 skipped,\n"
		"99 hard error.  --list prints the sections and the claims each\n"
		"serves; --only runs only the sections named.\n",
		PROBE_NAME, PROBE_NAME);
}

int main(int argc, char **argv)
{
	/* SIGPIPE too: a probe whose reader went away still cleans up */
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	if (argc >= 3 && strcmp(argv[1], "--peer") == 0) {
		for (const struct peer_role *r = probe_peers; r->name; r++)
			if (strcmp(r->name, argv[2]) == 0)
				return r->run(argc - 2, argv + 2);
		fprintf(stderr, "%s: unknown peer role '%s'\n", PROBE_NAME,
			argv[2]);
		return EXIT_HARD_ERROR;
	}
	main_pid = getpid();	/* only the probe itself writes observations */
	share_registry();
	/* the C library the probe was built with, which the shell's tools
	 * cannot tell for a static cross or musl build: recorded, and printed
	 * by --libc for harness/ipcvm record's meta.env */
	if (argc == 2 && strcmp(argv[1], "--libc") == 0) {
		printf("%s\n", probe_libc());
		return EXIT_RECORDED;
	}
	if (argc == 1 || strcmp(argv[1], "--list") != 0)
		emit("probe.libc", probe_libc());
	if (argc == 2 && strcmp(argv[1], "--list") == 0 && probe_sections) {
		list_sections();
		return EXIT_RECORDED;
	}
	if (argc >= 2 && strcmp(argv[1], "--only") == 0 && probe_sections) {
		if (run_sections(argc - 2, argv + 2) != 0)
			return EXIT_HARD_ERROR;
	} else if (argc != 1) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", PROBE_NAME,
			argv[1]);
		usage();
		return EXIT_HARD_ERROR;
	} else if (probe_sections) {
		run_sections(0, NULL);
	} else {
		probe_main();
	}
	emit("probe.status", "recorded");
	run_cleanup();
	return EXIT_RECORDED;
}
