/*
 * shm.c - the fault library's lies about System V shared memory and the
 * semaphore that locks it (see fault.c).  harness/faults says which claims
 * of cases/shm.bats each lie must break.
 *
 * Wrapped here: shmget, shmat, shmdt, shmctl, semop, semtimedop, prctl;
 * fork is watched with pthread_atfork (no wrapper), and fault.c's fopen
 * asks shm_fopen_hook() about /proc/sysvipc/shm.  Inside the wrappers the real
 * calls (r_shm*) are used, so a lie never feeds on another.
 *
 * The seccomp rule: the shm probe's readers install a filter under which
 * any system call but exit kills them, and then run only loads and stores.
 * Every wrapper below does its system calls before it calls the real
 * function or right after it returns, and prctl(PR_SET_SECCOMP) is the last
 * one a reader makes, so nothing here runs a system call under the filter:
 * after the filter is in (sealed), the fork hook does nothing.
 *
 * Here the faults of shmget, shmat, shmdt and shmctl; shm-attach.c keeps
 * track of attachments (private copies, exited attachers, fork), shm-sem.c
 * has /proc/sysvipc/shm, seccomp and the semaphore lock (shm.h: what the
 * three share).
 *
 * No lie leaves an object behind: a stand-in segment a lie makes is handed
 * to the probe, whose cleanup registers and removes what shmget returns, or
 * is removed here at once; a private copy still attaches the real segment
 * underneath, so nattch, IPC_RMID and exit behave as the probe expects.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "shm.h"

const char *const shm_faults[] = {
	"shmget-eidrm", "shm-stat-key-lost", "shmget-zero-size-lookup",
	"shmget-excl-ignored", "private-reused", "shm-not-zeroed",
	"shmat-private-copy", "shm-key-private", "seccomp-refused",
	"shm-nattch-plus-one", "fork-drops-shm", "shm-exit-keeps-attachment",
	"shmdt-noop", "shmdt-unattached-ok", "proc-shm-nattch-zero",
	"shm-dest-hidden", "shm-rmid-keeps-key", "shm-rmid-leaks",
	"shmat-marked-refused", "shmget-size-zero", "shm-segsz-rounded",
	"shmget-size-unchecked", "shmmax-ignored", "shm-limits-one-short",
	"shmat-rdonly-ignored", "semop-release-lost", "semop-no-lock",
	"semop-semnum-ignored", "shm-nattch-counts-processes",
	NULL,
};

/* ---- the real calls ------------------------------------------------------ */

static int r_shmget(key_t key, size_t size, int flags)
{
	REAL(int, shmget, key_t, size_t, int);
	return real_shmget(key, size, flags);
}

void *r_shmat(int id, const void *addr, int flags)
{
	REAL(void *, shmat, int, const void *, int);
	return real_shmat(id, addr, flags);
}

int r_shmdt(const void *addr)
{
	REAL(int, shmdt, const void *);
	return real_shmdt(addr);
}

static int r_shmctl(int id, int cmd, struct shmid_ds *ds)
{
	REAL(int, shmctl, int, int, struct shmid_ds *);
	return real_shmctl(id, cmd, ds);
}

int stat_of(int id, struct shmid_ds *ds)
{
	int err = errno, r = r_shmctl(id, IPC_STAT, ds);

	errno = err;
	return r;
}

static size_t page_bytes(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

size_t pages_of(size_t bytes)
{
	size_t ps = page_bytes();

	return (bytes + ps - 1) / ps * ps;
}

/* a call that makes a segment, as opposed to one that finds it */
static int creating(key_t key, int flags)
{
	return key == IPC_PRIVATE || (flags & IPC_CREAT);
}

volatile sig_atomic_t sealed;


/* ---- the rmid faults' memory: what IPC_RMID removed --------------------------- */

struct removed {
	int id;
	key_t key;
	struct shmid_ds last;	/* its last IPC_STAT */
};

static struct removed removed[64];
static int nremoved;

static struct removed *removed_id(int id)
{
	for (int i = 0; i < nremoved; i++)
		if (removed[i].id == id)
			return &removed[i];
	return NULL;
}

static struct removed *removed_key(key_t key)
{
	for (int i = nremoved - 1; i >= 0; i--)
		if (removed[i].key == key)
			return &removed[i];
	return NULL;
}

/* ---- the limits as this IPC namespace sets them ---------------------------------- */

static int shm_limits(struct shminfo *lim)
{
	return r_shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)lim);
}

static int shm_usage(struct shm_info *use)
{
	return r_shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)use);
}

/* ---- shmget -------------------------------------------------------------------- */

static int last_private = -1;	/* private-reused */
static size_t last_private_size;

/* shm-not-zeroed: the bytes past shm_segsz in the last page hold old data */
static void dirty_tail(int id)
{
	struct shmid_ds ds;
	unsigned char *p;

	if (stat_of(id, &ds) == -1 || ds.shm_segsz % page_bytes() == 0)
		return;
	p = r_shmat(id, NULL, 0);
	if (p == (void *)-1)
		return;
	memset(p + ds.shm_segsz, 0xa5, pages_of(ds.shm_segsz) - ds.shm_segsz);
	r_shmdt(p);
}

/* shm-limits-one-short: a new segment that brings the namespace to SHMMNI
 * segments or SHMALL pages is removed at once and refused, as if over */
static int one_short(int id)
{
	struct shminfo lim;
	struct shm_info use;

	if (shm_limits(&lim) == -1 || shm_usage(&use) == -1 ||
	    ((unsigned long)use.used_ids < lim.shmmni && use.shm_tot < lim.shmall))
		return id;
	r_shmctl(id, IPC_RMID, NULL);
	errno = ENOSPC;
	return -1;
}

int shmget(key_t key, size_t size, int flags)
{
	struct shmid_ds ds;
	int id, err;

	if (!*ipcvm_fault)
		return r_shmget(key, size, flags);
	if (is("shmget-excl-ignored") && key != IPC_PRIVATE)
		flags &= ~IPC_EXCL;
	if (is("shmget-zero-size-lookup") && key != IPC_PRIVATE && size == 0) {
		errno = EINVAL;
		return -1;
	}
	if (is("shm-key-private") && ipcvm_in_peer && key != IPC_PRIVATE && !(flags & IPC_CREAT)) {
		errno = ENOENT;
		return -1;
	}
	if (is("private-reused") && key == IPC_PRIVATE && last_private != -1 &&
	    size == last_private_size && stat_of(last_private, &ds) == 0 &&
	    !(ds.shm_perm.mode & SHM_DEST))
		return last_private;
	if (is("shm-limits-one-short") && creating(key, flags)) {
		/* a segment of exactly SHMMAX bytes is refused as if over */
		struct shminfo lim;

		if (shm_limits(&lim) != -1 && size == lim.shmmax) {
			errno = EINVAL;
			return -1;
		}
	}

	id = r_shmget(key, size, flags);
	err = errno;

	if (id == -1) {
		if (is("shmget-eidrm") && err == ENOENT)
			err = EIDRM;
		if (is("shm-rmid-keeps-key") && err == ENOENT && key != IPC_PRIVATE) {
			struct removed *r = removed_key(key);

			if (r && stat_of(r->id, &ds) == 0)
				return r->id;
		}
		if (is("shmget-size-zero") && err == EINVAL && size == 0 && creating(key, flags))
			id = r_shmget(key, 1, flags);
		if (is("shmget-size-unchecked") && err == EINVAL && key != IPC_PRIVATE && size > 0)
			id = r_shmget(key, 0, flags & ~(IPC_CREAT | IPC_EXCL));
		if (is("shmmax-ignored") && err == EINVAL && size > 0 && creating(key, flags)) {
			struct shminfo lim;

			/* over SHMMAX: a one-page stand-in, the probe removes it */
			if (shm_limits(&lim) != -1 && size > lim.shmmax)
				id = r_shmget(key, page_bytes(), flags);
		}
		if (id == -1)
			errno = err;
		return id;
	}

	if (key == IPC_PRIVATE) {
		last_private = id;
		last_private_size = size;
	}
	if (is("shm-not-zeroed") && (key == IPC_PRIVATE || (flags & IPC_EXCL)))
		dirty_tail(id);
	if (is("shm-limits-one-short") && (key == IPC_PRIVATE || (flags & IPC_EXCL)))
		return one_short(id);
	errno = err;
	return id;
}

/* ---- shmat, shmdt ----------------------------------------------------------------- */

void *shmat(int id, const void *addr, int flags)
{
	struct shmid_ds ds;
	void *p;

	if (!*ipcvm_fault)
		return r_shmat(id, addr, flags);
	if (is("shmat-rdonly-ignored"))
		flags &= ~SHM_RDONLY;
	if (is("shmat-marked-refused") && stat_of(id, &ds) == 0 &&
	    (ds.shm_perm.mode & SHM_DEST)) {
		errno = EIDRM;
		return (void *)-1;
	}
	if (is("shmat-private-copy"))
		return private_copy(id, addr, flags);
	p = r_shmat(id, addr, flags);
	if (p != (void *)-1 && is("shm-exit-keeps-attachment")) {
		int err = errno;

		ghost_snapshot();
		errno = err;
	}
	return p;
}

int shmdt(const void *addr)
{
	int r;

	if (!*ipcvm_fault)
		return r_shmdt(addr);
	if ((is("shmat-private-copy") || is("fork-drops-shm")) && drop_private_copy(addr))
		return 0;
	if (is("shmdt-noop"))
		return 0;
	r = r_shmdt(addr);
	if (r == -1 && errno == EINVAL && is("shmdt-unattached-ok"))
		return 0;
	if (r == 0 && is("shm-exit-keeps-attachment"))
		ghost_snapshot();
	return r;
}

/*
 * shm-nattch-counts-processes: IPC_STAT counts the calling process once,
 * however often it attached the segment (the notes' reading of nattch).
 * Its extra attachments are taken off: found in /proc/self/maps, where a
 * System V segment maps as /SYSV<key> with the shmid as its inode.
 */
static unsigned long own_attachments(int id)
{
	char line[512];
	unsigned long n = 0, inode;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/SYSV") &&
		    sscanf(line, "%*s %*s %*s %*s %lu", &inode) == 1 && inode == (unsigned long)id)
			n++;
	fclose(f);
	return n;
}

/* ---- shmctl --------------------------------------------------------------------- */

int shmctl(int id, int cmd, struct shmid_ds *ds)
{
	struct removed *rm;
	int r, err;

	if (!*ipcvm_fault)
		return r_shmctl(id, cmd, ds);
	if (cmd == IPC_RMID && (is("shm-rmid-keeps-key") || is("shm-rmid-leaks")) &&
	    nremoved < 64) {
		struct shmid_ds before;

		if (stat_of(id, &before) == 0) {
			r = r_shmctl(id, cmd, ds);
			if (r == 0) {
				removed[nremoved].id = id;
				removed[nremoved].key = before.shm_perm.__key;
				removed[nremoved].last = before;
				nremoved++;
			}
			return r;
		}
	}
	r = r_shmctl(id, cmd, ds);
	err = errno;
	if (cmd != IPC_STAT)
		return r;
	if (r == -1) {
		/* shm-rmid-leaks: a destroyed segment still answers, unattached */
		if (is("shm-rmid-leaks") && err == EINVAL && (rm = removed_id(id))) {
			*ds = rm->last;
			ds->shm_nattch = 0;
			ds->shm_perm.mode |= SHM_DEST;
			ds->shm_perm.__key = IPC_PRIVATE;
			return 0;
		}
		errno = err;
		return r;
	}
	if (is("shm-rmid-leaks") && (rm = removed_id(id)))
		rm->last = *ds;
	if (is("shm-stat-key-lost"))
		ds->shm_perm.__key = IPC_PRIVATE;
	if (is("shm-nattch-plus-one"))
		ds->shm_nattch++;
	if (is("shm-nattch-counts-processes")) {
		unsigned long own = own_attachments(id);

		if (own > 1 && ds->shm_nattch >= own)
			ds->shm_nattch -= (shmatt_t)(own - 1);
	}
	if (is("shm-exit-keeps-attachment"))
		ds->shm_nattch += (shmatt_t)ghost_count(id);
	if (is("shm-dest-hidden"))
		ds->shm_perm.mode &= ~SHM_DEST;
	if (is("shm-rmid-keeps-key") && (rm = removed_id(id)))
		ds->shm_perm.__key = rm->key;
	if (is("shm-segsz-rounded"))
		ds->shm_segsz = pages_of(ds->shm_segsz);
	errno = err;
	return r;
}
