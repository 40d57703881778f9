/*
 * shm.h - what the files of the shm probe (probes/shm.d/) share: the
 * segment helpers of shm.c and the sections, one group per file:
 *
 *   shm.c        the section table, the peer roles, segment helpers
 *   create.c     keys, IPC_PRIVATE, zero fill, sizes and the limits
 *   shared.c     a store seen by another process through memory alone
 *   attach.c     shm_nattch, two attaches, no private attach, SHM_RDONLY
 *   remove.c     IPC_RMID while attached, shmdt errors
 *   namespace.c  SHMMAX, SHMMNI, SHMALL lowered in a private IPC namespace
 *   lock.c       a counter kept exact by a System V semaphore, and its control
 */
#ifndef IPCVM_SHM_H
#define IPCVM_SHM_H

#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "probe.h"

/* the ftok() project id of every key this probe makes (sysv_fresh_key) */
enum { PROJ = 's' };

/* a new segment that the probe needs: failing to make it is a hard error */
int new_segment(key_t key, size_t size);
int new_private(size_t size);
/* shmat / shmdt / IPC_STAT that must work (else a hard error) */
void *attach(int id, int flags);
void detach(const void *p);
struct shmid_ds stat_shm(int id);
/* IPC_RMID now, then the detach of P: see shm.c */
void finish_attached(int id, const void *p);
/* children that are meant to die of a signal leave no core file */
void no_core(void);
/* the fate of a child as one token: none, the signal's name, exit-N, TIMEOUT */
void obs_fate(const char *name, int status);

/* the sections (probe_sections[] in shm.c) */
void keys(void);
void private_keys(void);
void zero_fill(void);
void sizes(void);
void size_page(void);
void shared(void);
void nattch(void);
void attach_twice(void);
void no_private_attach(void);
void rdonly(void);
void rmid(void);
void shmdt_errors(void);
void namespace_limits(void);
void lock(void);
void nolock(void);

/* the peer that finds a segment by its key alone (shared.c) */
int peer_reader(int argc, char **argv);

#endif
