/*
 * sysv.c - the fault library's lies about System V IPC (see fault.c): the
 * message queue faults, for probes/msgq.d/ and cases/msgq.bats.
 *
 * Each fault wraps msgget, msgsnd, msgrcv or msgctl (and, for one, the
 * reading of /proc/sys/kernel/msgmnb through fault.c's open(), and for one
 * sigaction).  What a fault looks at, it looks at with the real calls, so a
 * fault never lies to itself.  No fault makes a queue the probe does not
 * know of: a queue a lie creates is one the probe asked for and registers,
 * and a removal a lie puts off happens at the process's next call or exit.
 * A fault that turns a call into a wait waits only under the probe's own
 * deadline (SIGALRM), never beyond it.
 *
 * Here msgget, msgctl, their bookkeeping and the limits; msgsnd and msgrcv
 * are in sysv-msg.c (sysv.h: what the two share).
 *
 * Every wrapper passes straight through unless the fault on is a "msgq-"
 * one, so another System V family's faults can live beside these (their own
 * list, section and wrappers: shmget and the rest are not wrapped here).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "sysv.h"


const char *const sysv_faults[] = {
	/* message queues: msgget */
	"msgq-creat-implied", "msgq-creat-needs-excl", "msgq-key-ignored",
	"msgq-excl-ignored", "msgq-eexist-sticks", "msgq-private-is-a-key",
	"msgq-errno-cleared", "msgq-key-private", "msgq-umask-applied",
	"msgq-msgmni-off-by-one",
	/* permissions */
	"msgq-creator-unmapped", "msgq-eacces-never", "msgq-rmid-by-anyone",
	"msgq-others-bits-ignored",
	/* msqid_ds, IPC_SET, IPC_RMID */
	"msgq-qbytes-64k", "msgq-lspid-unset", "msgq-lrpid-unset",
	"msgq-raise-refused", "msgq-qbytes-capped", "msgq-rmid-deferred",
	"msgq-old-id-alive", "msgq-rmid-no-wake",
	/* msgrcv: order, types, truncation, waiting */
	"msgq-lifo", "msgq-type-zero-lowest", "msgq-type-ignored",
	"msgq-negative-type-exact", "msgq-except-ignored", "msgq-mtype-unchecked",
	"msgq-noerror-always", "msgq-noerror-ignored", "msgq-enomsg-eagain",
	"msgq-nowait-send-blocks", "msgq-recv-never-blocks",
	"msgq-send-never-blocks", "msgq-msgrcv-restarted", "msgq-copy-first",
	"msgq-copy-unchecked",
	/* limits */
	"msgq-info-swapped", "msgq-msgmax-unchecked", "msgq-qbytes-last-byte",
	"msgq-zero-length-free", "msgq-proc-msgmnb-64k", "msgq-msg-info-limits",
	"ipc-ns-sysctl-readonly",
	NULL,
};

/* is the fault on one of the message queue faults? */
int msgq_fault(void)
{
	return strncmp(ipcvm_fault, "msgq-", 5) == 0;
}

/* ---- the real calls ------------------------------------------------------ */

static int real_msgget_call(key_t key, int flg)
{
	REAL(int, msgget, key_t, int);
	return real_msgget(key, flg);
}

int real_msgsnd_call(int id, const void *msgp, size_t sz, int flg)
{
	REAL(int, msgsnd, int, const void *, size_t, int);
	return real_msgsnd(id, msgp, sz, flg);
}

ssize_t real_msgrcv_call(int id, void *msgp, size_t sz, long typ, int flg)
{
	REAL(ssize_t, msgrcv, int, void *, size_t, long, int);
	return real_msgrcv(id, msgp, sz, typ, flg);
}

static int real_msgctl_call(int id, int cmd, struct msqid_ds *buf)
{
	REAL(int, msgctl, int, int, struct msqid_ds *);
	return real_msgctl(id, cmd, buf);
}

int queue_stat(int id, struct msqid_ds *ds)
{
	int err = errno, r = real_msgctl_call(id, IPC_STAT, ds);

	errno = err;
	return r;
}

/* IPC_INFO of this IPC namespace: the limits msgmax, msgmnb, msgmni */
struct msginfo limits(void)
{
	struct msginfo mi;
	int err = errno;

	memset(&mi, 0, sizeof(mi));
	real_msgctl_call(0, IPC_INFO, (struct msqid_ds *)(void *)&mi);
	errno = err;
	return mi;
}

/* queues that exist in this IPC namespace (MSG_INFO's msgpool) */
static int queues_in_use(void)
{
	struct msginfo mi;
	int err = errno;

	memset(&mi, 0, sizeof(mi));
	real_msgctl_call(0, MSG_INFO, (struct msqid_ds *)(void *)&mi);
	errno = err;
	return mi.msgpool;
}

/* the probe armed its deadline (ITIMER_REAL): a wait will be ended */
int deadline_armed(void)
{
	struct itimerval it;

	return getitimer(ITIMER_REAL, &it) == 0 &&
	       (it.it_value.tv_sec || it.it_value.tv_usec);
}

/* IPCVM_HANG_MS, as probes/lib reads it */
long hang_ms_env(void)
{
	const char *s = getenv("IPCVM_HANG_MS");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 && v <= 600000 ? v : 10000;
}

/* ---- per-process lists of queue ids ----------------------------------- */
/* A forked helper inherits the lists; each entry belongs to the process
 * that made it, so a helper never acts on its parent's entries. */

static void list_add(struct idlist *l, int id)
{
	if (l->n < (int)(sizeof(l->e) / sizeof(l->e[0]))) {
		l->e[l->n].pid = getpid();
		l->e[l->n].id = id;
		l->n++;
	}
}

int list_has(const struct idlist *l, int id)
{
	for (int i = 0; i < l->n; i++)
		if (l->e[i].id == id && l->e[i].pid == getpid())
			return 1;
	return 0;
}

static void list_del(struct idlist *l, int id)
{
	for (int i = 0; i < l->n; i++)
		if (l->e[i].id == id)
			l->e[i--] = l->e[--l->n];
}

/* msgq-rmid-deferred: removals put off; msgq-old-id-alive: ids removed */
static struct idlist doomed;
struct idlist msgq_removed;

/* carry out the removals this process put off, except KEEP's */
void remove_doomed(int keep)
{
	for (int i = 0; i < doomed.n; i++) {
		if (doomed.e[i].id == keep)
			continue;
		if (doomed.e[i].pid == getpid()) {
			int err = errno;

			real_msgctl_call(doomed.e[i].id, IPC_RMID, NULL);
			errno = err;
		}
		doomed.e[i--] = doomed.e[--doomed.n];
	}
}

__attribute__((destructor)) static void sysv_exit(void)
{
	remove_doomed(-1);
}

/* a probe's section (and every helper) ends with _exit(), which runs no
 * destructor: the removals it put off happen there, or its queues outlive
 * the run (the probe's registry forgot them when IPC_RMID said OK) */
void _exit(int status)
{
	REAL(void, _exit, int);
	if (is("msgq-rmid-deferred"))
		remove_doomed(-1);
	real__exit(status);
	for (;;)
		;
}

/* msgq-private-is-a-key: the queue the last IPC_PRIVATE call made */
static int private_id = -1;
static pid_t private_pid;

/* msgq-eexist-sticks: an EEXIST not yet repeated */
static int eexist_pending;

/* ---- msgget ------------------------------------------------------------- */

/* would msgget(KEY, FLG) make a new queue? */
static int would_create(key_t key, int flg)
{
	int err = errno, r;

	if (key == IPC_PRIVATE)
		return 1;
	if (!(flg & IPC_CREAT))
		return 0;
	r = real_msgget_call(key, 0);
	errno = err;
	return r == -1;
}

int msgget(key_t key, int flg)
{
	int r, err;

	if (!msgq_fault())
		return real_msgget_call(key, flg);

	if (key != IPC_PRIVATE) {
		if (is("msgq-creat-implied"))
			flg |= IPC_CREAT;
		if (is("msgq-creat-needs-excl") && (flg & IPC_CREAT) && !(flg & IPC_EXCL))
			flg &= ~IPC_CREAT;
		if (is("msgq-key-ignored") && (flg & IPC_CREAT) && !(flg & IPC_EXCL))
			key = IPC_PRIVATE;
		if (is("msgq-excl-ignored"))
			flg &= ~IPC_EXCL;
		if (is("msgq-key-private") && ipcvm_in_peer && !(flg & IPC_CREAT)) {
			errno = ENOENT;
			return -1;
		}
	}
	if (is("msgq-eexist-sticks") && (flg & IPC_CREAT) && (flg & IPC_EXCL) && eexist_pending) {
		eexist_pending = 0;
		errno = EEXIST;
		return -1;
	}
	if (is("msgq-umask-applied") && would_create(key, flg)) {
		mode_t mask = umask(0);

		umask(mask);
		flg &= ~(int)(mask & 0777);
	}
	if (is("msgq-private-is-a-key") && key == IPC_PRIVATE && private_id != -1 &&
	    private_pid == getpid()) {
		struct msqid_ds ds;

		/* the queue is still there, and still the one it made */
		if (queue_stat(private_id, &ds) == 0 && ds.msg_perm.__key == IPC_PRIVATE &&
		    ds.msg_perm.cuid == geteuid())
			return private_id;
		private_id = -1;
	}
	if (is("msgq-msgmni-off-by-one") && would_create(key, flg) &&
	    queues_in_use() + 1 >= limits().msgmni) {
		errno = ENOSPC;
		return -1;
	}
	if (is("msgq-rmid-deferred") && key == IPC_PRIVATE)
		remove_doomed(-1);

	r = real_msgget_call(key, flg);
	err = errno;

	if (is("msgq-rmid-deferred"))
		remove_doomed(-1);	/* the key found its removed queue once */
	if (is("msgq-eexist-sticks") && r == -1 && err == EEXIST)
		eexist_pending = 1;
	if (is("msgq-private-is-a-key") && key == IPC_PRIVATE && r != -1) {
		private_id = r;
		private_pid = getpid();
	}
	if (is("msgq-old-id-alive") && r != -1)
		list_del(&msgq_removed, r);
	if (is("msgq-eacces-never") && r == -1 && err == EACCES) {
		/* as if granted: the id that asking for no access gets */
		r = real_msgget_call(key, flg & ~0777);
		err = errno;
	}
	if (is("msgq-errno-cleared") && r != -1)
		err = 0;
	errno = err;
	return r;
}

/* ---- permissions ---------------------------------------------------------- */

/* msgq-others-bits-ignored: the caller neither owns nor made queue ID */
int not_owner(int id)
{
	struct msqid_ds ds;
	uid_t me = geteuid();

	return queue_stat(id, &ds) == 0 && ds.msg_perm.uid != me && ds.msg_perm.cuid != me;
}

/* ---- msgctl ------------------------------------------------------------- */

static int msgctl_rmid(int id)
{
	struct msqid_ds ds;
	int r, err;

	if (is("msgq-rmid-deferred")) {
		remove_doomed(id);
		/* a queue that still holds messages lingers */
		if (queue_stat(id, &ds) == 0 && ds.msg_qnum > 0) {
			if (!list_has(&doomed, id))
				list_add(&doomed, id);
			return 0;
		}
	}
	r = real_msgctl_call(id, IPC_RMID, NULL);
	err = errno;
	if (r == 0 && id == private_id)
		private_id = -1;
	if (r == 0 && is("msgq-old-id-alive"))
		list_add(&msgq_removed, id);
	if (r == -1 && err == EPERM && is("msgq-rmid-by-anyone"))
		return 0;
	errno = err;
	return r;
}

static int msgctl_set(int id, struct msqid_ds *buf)
{
	struct msqid_ds now, capped;

	if (is("msgq-raise-refused") && buf && queue_stat(id, &now) == 0 &&
	    buf->msg_qbytes > now.msg_qbytes) {
		errno = EPERM;
		return -1;
	}
	if (is("msgq-qbytes-capped") && buf) {
		int mnb = limits().msgmnb;

		if (mnb > 0 && buf->msg_qbytes > (unsigned long)mnb) {
			capped = *buf;
			capped.msg_qbytes = (unsigned long)mnb;
			return real_msgctl_call(id, IPC_SET, &capped);
		}
	}
	return real_msgctl_call(id, IPC_SET, buf);
}

static int msgctl_stat(int id, struct msqid_ds *buf)
{
	int r, err;

	if (is("msgq-others-bits-ignored") && not_owner(id)) {
		errno = EACCES;
		return -1;
	}
	r = real_msgctl_call(id, IPC_STAT, buf);
	err = errno;
	if (r == -1) {
		if ((is("msgq-eacces-never") && err == EACCES) ||
		    (is("msgq-old-id-alive") && (err == EINVAL || err == EIDRM) &&
		     list_has(&msgq_removed, id))) {
			memset(buf, 0, sizeof(*buf));
			return 0;
		}
		errno = err;
		return r;
	}
	if (is("msgq-creator-unmapped")) {
		buf->msg_perm.cuid = 65534;
		buf->msg_perm.cgid = 65534;
	}
	if (is("msgq-qbytes-64k"))
		buf->msg_qbytes = 65536;
	if (is("msgq-lspid-unset")) {
		buf->msg_lspid = 0;
		buf->msg_stime = 0;
	}
	if (is("msgq-lrpid-unset")) {
		buf->msg_lrpid = 0;
		buf->msg_rtime = 0;
	}
	return r;
}

int msgctl(int id, int cmd, struct msqid_ds *buf)
{
	int r;

	if (!msgq_fault())
		return real_msgctl_call(id, cmd, buf);
	if (is("msgq-rmid-deferred") && cmd != IPC_INFO && cmd != MSG_INFO)
		remove_doomed(id);
	switch (cmd) {
	case IPC_RMID:
		return msgctl_rmid(id);
	case IPC_SET:
		return msgctl_set(id, buf);
	case IPC_STAT:
		return msgctl_stat(id, buf);
	case IPC_INFO:
		r = real_msgctl_call(id, cmd, buf);
		if (r != -1 && buf && is("msgq-info-swapped")) {
			struct msginfo *mi = (struct msginfo *)(void *)buf;
			int max = mi->msgmax;

			mi->msgmax = mi->msgmnb;
			mi->msgmnb = max;
		}
		return r;
	case MSG_INFO:
		/* IPC_INFO's limits in the fields that count what exists */
		if (is("msgq-msg-info-limits"))
			return real_msgctl_call(id, IPC_INFO, buf);
		return real_msgctl_call(id, cmd, buf);
	default:
		return real_msgctl_call(id, cmd, buf);
	}
}


/* ---- /proc/sys/kernel/msg*, shm* (through fault.c's open) ---------------- */

int sysv_open_hook(const char *path, int flags, int *ret)
{
	static const char lie[] = "65536\n";
	int fd;

	/* the limits of every IPC namespace belong to the global root, as
	 * before Linux 6.9: the namespace's own root may not write them */
	if (is("ipc-ns-sysctl-readonly") && path &&
	    (strncmp(path, "/proc/sys/kernel/msg", 20) == 0 ||
	     strncmp(path, "/proc/sys/kernel/shm", 20) == 0) &&
	    (flags & O_ACCMODE) != O_RDONLY) {
		errno = EACCES;
		*ret = -1;
		return 1;
	}
	if (!is("msgq-proc-msgmnb-64k") || !path ||
	    strcmp(path, "/proc/sys/kernel/msgmnb") != 0 || (flags & O_ACCMODE) != O_RDONLY)
		return 0;
	/* the notes' "64k", where the kernel keeps its real msgmnb */
	fd = memfd_create("msgmnb", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd == -1 || pwrite(fd, lie, sizeof(lie) - 1, 0) != (ssize_t)(sizeof(lie) - 1)) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	*ret = fd;
	return 1;
}
