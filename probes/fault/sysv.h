/*
 * sysv.h - what the message queue files of the fault library share
 * (sysv.c: msgget, msgctl, the bookkeeping, the limits; sysv-msg.c:
 * msgsnd, msgrcv).  Hidden: none of it is exported from the library, so
 * none of it can stand in for a symbol of the probe or of libc.
 */
#ifndef IPCVM_FAULT_SYSV_H
#define IPCVM_FAULT_SYSV_H

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

#pragma GCC visibility push(hidden)

/* is the fault on one of the message queue faults? */
int msgq_fault(void);

/* the real calls, and what they say without touching errno */
int real_msgsnd_call(int id, const void *msgp, size_t sz, int flg);
ssize_t real_msgrcv_call(int id, void *msgp, size_t sz, long typ, int flg);
int queue_stat(int id, struct msqid_ds *ds);
struct msginfo limits(void);
int deadline_armed(void);
long hang_ms_env(void);

/* per-process lists of queue ids */
struct idlist {
	int n;
	struct { pid_t pid; int id; } e[256];
};
int list_has(const struct idlist *l, int id);
/* msgq-old-id-alive: ids removed */
extern struct idlist msgq_removed;
void remove_doomed(int keep);

/* msgq-others-bits-ignored: the caller neither owns nor made queue ID */
int not_owner(int id);

#pragma GCC visibility pop

#endif
