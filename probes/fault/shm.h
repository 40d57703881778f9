/*
 * shm.h - what the shared-memory files of the fault library share (shm.c:
 * shmget, shmat, shmdt, shmctl; shm-attach.c: this process's attachments,
 * private copies, the ghosts of exited attachers, fork; shm-sem.c:
 * /proc/sysvipc/shm, seccomp, the semaphore lock).  Hidden: none of it is
 * exported from the library, so none of it can stand in for a symbol of
 * the probe or of libc.
 */
#ifndef IPCVM_FAULT_SHM_H
#define IPCVM_FAULT_SHM_H

#include <signal.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#pragma GCC visibility push(hidden)

/* the real calls (shm.c), and IPC_STAT without touching errno */
void *r_shmat(int id, const void *addr, int flags);
int r_shmdt(const void *addr);
int stat_of(int id, struct shmid_ds *ds);
size_t pages_of(size_t bytes);

/* prctl(PR_SET_SECCOMP) was called here: no more system calls */
extern volatile sig_atomic_t sealed;

/* shm-attach.c: shmat-private-copy, fork-drops-shm */
void *private_copy(int id, const void *addr, int flags);
int drop_private_copy(const void *addr);
/* shm-attach.c: shm-exit-keeps-attachment */
void ghost_snapshot(void);
int ghost_count(int id);

#pragma GCC visibility pop

#endif
