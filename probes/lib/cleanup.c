/*
 * cleanup.c - the cleanup registry (see probe.h): what a probe makes,
 * undone on every exit path; and signal holding around it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "probe-internal.h"

/* ---- cleanup registry ------------------------------------------------ */

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

void share_registry(void)
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

void push(enum undo_kind kind, int id, const char *path)
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

void forget(enum undo_kind kind, int id, const char *path)
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
static int owned_by(const struct undo *u, pid_t who);

void undo_where(int (*mine)(const struct undo *, pid_t), pid_t who)
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
		case UNDO_CHILD: {
			pid_t child = u->id;

			u->kind = UNDO_NONE;
			kill(child, SIGKILL);
			while (waitpid(child, NULL, 0) == -1 && errno == EINTR)
				;
			/* What the child made after this sweep began is past
			 * the index it started from, and the SIGKILL kept the
			 * child from undoing it (a SIGTERM to the whole group
			 * reaches a section while it holds signals to register
			 * a file): sweep again for the child's entries. */
			undo_where(owned_by, child);
			undo_where(made_under, child);
			break;
		}
		case UNDO_NONE: break;
		}
		u->kind = UNDO_NONE;
	}
	errno = saved;
}

static int owned_by(const struct undo *u, pid_t who) { return u->owner == who; }
int made_under(const struct undo *u, pid_t who) { return u->section == who; }

void run_cleanup(void)
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
void on_fatal_signal(int sig)
{
	run_cleanup();
	if (getpid() == main_pid)
		undo_where(current_section ? made_under : any_entry, getpid());
	signal(sig, SIG_DFL);
	raise(sig);
}
