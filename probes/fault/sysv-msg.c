/*
 * sysv-msg.c - the fault library's lies about sending and receiving System V
 * messages: msgsnd, msgrcv, and sigaction for msgq-msgrcv-restarted (see
 * sysv.c for the rules every message queue fault keeps).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "sysv.h"

/* ---- msgsnd ------------------------------------------------------------- */

int msgsnd(int id, const void *msgp, size_t sz, int flg)
{
	int r, err;

	if (!msgq_fault())
		return real_msgsnd_call(id, msgp, sz, flg);
	if (is("msgq-rmid-deferred"))
		remove_doomed(id);
	if (is("msgq-others-bits-ignored") && not_owner(id)) {
		errno = EACCES;
		return -1;
	}
	if (is("msgq-mtype-unchecked") && msgp && *(const long *)msgp <= 0)
		return 0;	/* taken, and lost */
	if (is("msgq-send-never-blocks"))
		flg |= IPC_NOWAIT;
	if (is("msgq-qbytes-last-byte") && (flg & IPC_NOWAIT) && sz > 0) {
		struct msqid_ds ds;

		/* a message that would fill the queue exactly counts as too big */
		if (queue_stat(id, &ds) == 0 && ds.msg_cbytes + sz == ds.msg_qbytes) {
			errno = EAGAIN;
			return -1;
		}
	}

	r = real_msgsnd_call(id, msgp, sz, flg);
	err = errno;
	if (r == 0)
		return 0;
	if (is("msgq-nowait-send-blocks") && err == EAGAIN && (flg & IPC_NOWAIT) &&
	    deadline_armed()) {
		/* waits as if IPC_NOWAIT were not there, until the deadline */
		r = real_msgsnd_call(id, msgp, sz, flg & ~IPC_NOWAIT);
		err = errno;
	}
	if (r == -1) {
		if (is("msgq-eacces-never") && err == EACCES)
			return 0;
		if (is("msgq-old-id-alive") && (err == EINVAL || err == EIDRM) &&
		    list_has(&msgq_removed, id))
			return 0;
		if (is("msgq-msgmax-unchecked") && err == EINVAL &&
		    sz > (size_t)limits().msgmax && *(const long *)msgp > 0)
			return 0;	/* taken, and lost */
		if (is("msgq-zero-length-free") && err == EAGAIN && sz == 0)
			return 0;	/* taken, and lost */
	}
	errno = err;
	return r;
}

/* ---- msgrcv ------------------------------------------------------------- */

/* msgq-lifo: take every message of type TYP, hand over the newest, queue
 * the others again in their order.  -2: there was none. */
static ssize_t receive_newest(int id, void *msgp, size_t sz, long typ, int flg)
{
	struct held { long mtype; size_t len; char *text; } *h = NULL;
	int max = limits().msgmax, n = 0, cap = 0, err = errno;
	size_t room = (size_t)(max > 0 ? max : 8192);
	char *buf = malloc(sizeof(long) + room);
	ssize_t r = -2;

	if (!buf)
		return -2;
	for (;;) {
		ssize_t got = real_msgrcv_call(id, buf, room, typ, IPC_NOWAIT | MSG_NOERROR);

		if (got < 0)
			break;
		if (n == cap) {
			struct held *more = realloc(h, (size_t)(cap = cap ? 2 * cap : 16) * sizeof(*h));

			if (!more)
				break;
			h = more;
		}
		h[n].mtype = *(long *)buf;
		h[n].len = (size_t)got;
		h[n].text = malloc((size_t)got + 1);
		if (!h[n].text)
			break;
		memcpy(h[n].text, buf + sizeof(long), (size_t)got);
		n++;
	}
	if (n > 0) {
		struct held *last = &h[n - 1];
		int keep_last = last->len > sz && !(flg & MSG_NOERROR);

		for (int i = 0; i < n - 1 + keep_last; i++) {
			*(long *)buf = h[i].mtype;
			memcpy(buf + sizeof(long), h[i].text, h[i].len);
			real_msgsnd_call(id, buf, h[i].len, IPC_NOWAIT);
		}
		if (keep_last) {
			err = E2BIG;
			r = -1;
		} else {
			size_t len = last->len < sz ? last->len : sz;

			*(long *)msgp = last->mtype;
			memcpy((char *)msgp + sizeof(long), last->text, len);
			r = (ssize_t)len;
		}
	}
	for (int i = 0; i < n; i++)
		free(h[i].text);
	free(h);
	free(buf);
	errno = err;
	return r;
}

/* msgq-msgrcv-restarted: a caught signal whose handler asked for SA_RESTART */
static volatile sig_atomic_t restart_asked;
static void (*caught[NSIG])(int);

static void restart_trampoline(int sig)
{
	restart_asked = 1;
	if (sig > 0 && sig < NSIG && caught[sig])
		caught[sig](sig);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	REAL(int, sigaction, int, const struct sigaction *, struct sigaction *);
	void (*before)(int) = sig > 0 && sig < NSIG ? caught[sig] : NULL;
	int r;

	if (!is("msgq-msgrcv-restarted") || sig <= 0 || sig >= NSIG)
		return real_sigaction(sig, act, old);
	if (act && (act->sa_flags & SA_RESTART) && !(act->sa_flags & SA_SIGINFO) &&
	    act->sa_handler != SIG_IGN && act->sa_handler != SIG_DFL) {
		struct sigaction via = *act;

		via.sa_handler = restart_trampoline;
		r = real_sigaction(sig, &via, old);
		if (r == 0)
			caught[sig] = act->sa_handler;
	} else {
		r = real_sigaction(sig, act, old);
	}
	/* the caller sees its own handler, never the trampoline */
	if (r == 0 && old && old->sa_handler == restart_trampoline)
		old->sa_handler = before;
	return r;
}

ssize_t msgrcv(int id, void *msgp, size_t sz, long typ, int flg)
{
	ssize_t r;
	int err;

	if (!msgq_fault())
		return real_msgrcv_call(id, msgp, sz, typ, flg);
	if (is("msgq-rmid-deferred"))
		remove_doomed(id);
	if (is("msgq-others-bits-ignored") && not_owner(id)) {
		errno = EACCES;
		return -1;
	}
	if (flg & MSG_COPY) {
		if (is("msgq-copy-first"))
			typ = 0;
		if (is("msgq-copy-unchecked"))
			flg = (flg | IPC_NOWAIT) & ~MSG_EXCEPT;
	} else {
		if (is("msgq-type-zero-lowest") && typ == 0)
			typ = -LONG_MAX;
		if (is("msgq-type-ignored") && typ > 0)
			typ = 0;
		if (is("msgq-negative-type-exact") && typ < 0)
			typ = typ == LONG_MIN ? LONG_MAX : -typ;
	}
	if (is("msgq-except-ignored"))
		flg &= ~MSG_EXCEPT;
	if (is("msgq-noerror-always"))
		flg |= MSG_NOERROR;
	if (is("msgq-noerror-ignored"))
		flg &= ~MSG_NOERROR;
	if (is("msgq-recv-never-blocks"))
		flg |= IPC_NOWAIT;
	if (is("msgq-lifo") && typ > 0 && !(flg & (MSG_EXCEPT | MSG_COPY))) {
		r = receive_newest(id, msgp, sz, typ, flg);
		if (r != -2)
			return r;
	}

	for (;;) {
		restart_asked = 0;
		r = real_msgrcv_call(id, msgp, sz, typ, flg);
		err = errno;
		if (r == -1 && err == EINTR && restart_asked && is("msgq-msgrcv-restarted"))
			continue;
		break;
	}
	if (r == -1) {
		if (is("msgq-rmid-no-wake") && err == EIDRM && !(flg & IPC_NOWAIT)) {
			/* sleeps on, as if nothing had happened, until a
			 * signal (the probe's deadline) ends the wait */
			long ms = 2 * hang_ms_env();
			struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

			if (nanosleep(&t, NULL) == -1)
				err = EINTR;
		}
		if (is("msgq-eacces-never") && err == EACCES)
			return 0;
		if (is("msgq-enomsg-eagain") && err == ENOMSG)
			err = EAGAIN;
	}
	errno = err;
	return r;
}
