/*
 * probe.c - the shared half of every probe: see probe.h for the contract.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "names.h"

/* the probe's own process: the only one that writes observations */
static pid_t main_pid;

/* ---- deadlines ------------------------------------------------------- */

static int env_ms(const char *var, int dflt)
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

static volatile sig_atomic_t deadline_fired;

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

static void emit(const char *name, const char *value)
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

/* ---- cleanup registry ------------------------------------------------ */

enum undo_kind { UNDO_NONE, UNDO_UNLINK, UNDO_RMDIR, UNDO_MSGQ, UNDO_SHM,
		 UNDO_SEM, UNDO_CHILD };

struct undo {
	enum undo_kind kind;
	pid_t owner;
	pid_t section;		/* the section process it was made under, or 0 */
	int id;			/* IPC id, fd or pid */
	char path[PATH_MAX];
};

/*
 * The registry is shared by the probe and every process it forks
 * (MAP_SHARED, made in main before any fork), so that when a section's
 * process dies without cleaning up (a crash, a deadline), the probe undoes
 * what it and its helpers made.  Each entry names its owner, which alone
 * undoes it while alive; slots are taken with an atomic add.
 */
#define MAX_UNDO 256
static struct undo undo_private[MAX_UNDO];
static struct undo *undo = undo_private;
static int nundo_private;
static int *nundo_p = &nundo_private;
#define nundo (__atomic_load_n(nundo_p, __ATOMIC_SEQ_CST))

/* the section process this process belongs to (0 outside sections),
 * and that section's name */
static pid_t current_section;
static const char *current_section_name;

static void share_registry(void)
{
	size_t size = sizeof(struct undo) * MAX_UNDO + sizeof(int);
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return;		/* private: sections that die may leave objects */
	undo = m;
	nundo_p = (int *)((char *)m + sizeof(struct undo) * MAX_UNDO);
}

void hold_signals(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
}

void release_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

void ignore_sigpipe(struct sigaction *old)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigaction(SIGPIPE, &ign, old);
}

void restore_sigpipe(const struct sigaction *old)
{
	sigaction(SIGPIPE, old, NULL);
}

static void push(enum undo_kind kind, int id, const char *path)
{
	sigset_t old;
	struct undo *u;

	int slot;

	hold_signals(&old);
	/* an IPC id registered twice could be removed twice, the second time
	 * after someone else got the id: a second registration is a no-op */
	for (int i = nundo - 1; kind >= UNDO_MSGQ && kind <= UNDO_SEM && i >= 0; i--)
		if (undo[i].kind == kind && undo[i].id == id && undo[i].owner == getpid()) {
			release_signals(&old);
			return;
		}
	slot = __atomic_fetch_add(nundo_p, 1, __ATOMIC_SEQ_CST);
	if (slot >= MAX_UNDO) {
		__atomic_fetch_sub(nundo_p, 1, __ATOMIC_SEQ_CST);
		release_signals(&old);
		probe_fail("cleanup registry full", ENOSPC);
	}
	u = &undo[slot];
	u->kind = UNDO_NONE;	/* not undone until complete */
	u->owner = getpid();
	u->section = current_section;
	u->id = id;
	u->path[0] = '\0';
	if (path)
		snprintf(u->path, sizeof(u->path), "%s", path);
	__atomic_store_n(&u->kind, kind, __ATOMIC_SEQ_CST);
	release_signals(&old);
}

static void forget(enum undo_kind kind, int id, const char *path)
{
	sigset_t old;

	hold_signals(&old);
	for (int i = nundo - 1; i >= 0; i--)
		if (undo[i].kind == kind && undo[i].owner == getpid() &&
		    (path ? strcmp(undo[i].path, path) == 0 : undo[i].id == id)) {
			undo[i].kind = UNDO_NONE;
			break;
		}
	release_signals(&old);
}

void cleanup_unlink(const char *path) { push(UNDO_UNLINK, -1, path); }
void cleanup_rmdir(const char *path) { push(UNDO_RMDIR, -1, path); }
void cleanup_msgq(int id) { push(UNDO_MSGQ, id, NULL); }
void cleanup_shm(int id) { push(UNDO_SHM, id, NULL); }
void cleanup_sem(int id) { push(UNDO_SEM, id, NULL); }
void cleanup_done_path(const char *path) { forget(UNDO_UNLINK, -1, path); }

void cleanup_done_msgq(int id) { forget(UNDO_MSGQ, id, NULL); }
void cleanup_done_shm(int id) { forget(UNDO_SHM, id, NULL); }
void cleanup_done_sem(int id) { forget(UNDO_SEM, id, NULL); }

void cleanup_done_ipc(int id)
{
	forget(UNDO_MSGQ, id, NULL);
	forget(UNDO_SHM, id, NULL);
	forget(UNDO_SEM, id, NULL);
}

/* undo the entries that MINE accepts, newest first; async-signal-safe:
 * only system calls */
static void undo_where(int (*mine)(const struct undo *, pid_t), pid_t who)
{
	int saved = errno;

	for (int i = nundo - 1; i >= 0; i--) {
		struct undo *u = &undo[i];

		if (u->kind == UNDO_NONE || !mine(u, who))
			continue;
		switch (u->kind) {
		case UNDO_UNLINK: unlink(u->path); break;
		case UNDO_RMDIR: rmdir(u->path); break;
		case UNDO_MSGQ: msgctl(u->id, IPC_RMID, NULL); break;
		case UNDO_SHM: shmctl(u->id, IPC_RMID, NULL); break;
		case UNDO_SEM: semctl(u->id, 0, IPC_RMID); break;
		case UNDO_CHILD:
			kill(u->id, SIGKILL);
			while (waitpid(u->id, NULL, 0) == -1 && errno == EINTR)
				;
			break;
		case UNDO_NONE: break;
		}
		u->kind = UNDO_NONE;
	}
	errno = saved;
}

static int owned_by(const struct undo *u, pid_t who) { return u->owner == who; }
static int made_under(const struct undo *u, pid_t who) { return u->section == who; }

static void run_cleanup(void)
{
	undo_where(owned_by, getpid());
}

static int any_entry(const struct undo *u, pid_t who)
{
	(void)u;
	(void)who;
	return 1;
}

/* SIGINT, SIGTERM...: a process undoes its own entries, which kills its
 * children (a section, a helper) first; then the probe itself undoes every
 * entry, and a section every entry made under it: a child killed that way
 * never undid its own */
static void on_fatal_signal(int sig)
{
	run_cleanup();
	if (getpid() == main_pid)
		undo_where(current_section ? made_under : any_entry, getpid());
	signal(sig, SIG_DFL);
	raise(sig);
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
static pid_t fork_tied(void)
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

/* ---- small helpers ----------------------------------------------------- */

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n == -1 && errno == EINTR && !deadline_fired)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n == -1 && errno == EINTR && !deadline_fired)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

void signal_byte(int fd)
{
	char c = '!';

	if (write_all(fd, &c, 1) != 1)
		probe_fail("write of a sync byte", errno);
}

int wait_byte(int fd, int ms)
{
	char c;
	struct outcome o = TRY(ms, read(fd, &c, 1));

	if (o.ret == 1)
		return 1;
	if (o.ret == 0)
		return 0;
	return -1;
}

int have_cap(int bit)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> bit) & 1;
}

long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

int write_text_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	size_t len = strlen(text);

	if (fd == -1)
		return errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

int inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d))
			n++;
	closedir(d);
	return n;
}

/* ---- sections ---------------------------------------------------------- */

int section_ms(void)
{
	return env_ms("IPCVM_SECTION_MS", 3 * hang_ms());
}

static void list_sections(void)
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

static int run_sections(int argc, char **argv)
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
