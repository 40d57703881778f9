/*
 * shm-attach.c - the fault library's memory of System V attachments (see
 * shm.c): this process's attachments from /proc/self/maps, the private
 * copies of shmat-private-copy and fork-drops-shm, the attachments exited
 * processes leave counted under shm-exit-keeps-attachment.
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

/* ---- this process's attachments, from /proc/self/maps ---------------------- */
/*
 * A System V attachment shows as a shared mapping of "/SYSV<key>" whose
 * inode number is the segment's id; its first mapping has offset 0.
 */

struct attachment {
	uintptr_t start, end;
	int id;
	int prot;
};

/* up to MAX attachments of this process; -1 when maps is unreadable */
static int attachments(struct attachment *out, int max)
{
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), count = 0;

	if (fd == -1)
		return -1;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	for (char *line = buf; line && *line && count < max;) {
		char *next = strchr(line, '\n');
		unsigned long start, end, off, inode;
		char perms[8];

		if (next)
			*next++ = '\0';
		if (strstr(line, "/SYSV") &&
		    sscanf(line, "%lx-%lx %7s %lx %*s %lu", &start, &end, perms, &off, &inode) == 5 &&
		    off == 0) {
			out[count].start = start;
			out[count].end = end;
			out[count].id = (int)inode;
			out[count].prot = (perms[0] == 'r' ? PROT_READ : 0) |
					  (perms[1] == 'w' ? PROT_WRITE : 0);
			count++;
		}
		line = next;
	}
	return count;
}

/* ---- shmat-private-copy: the address shmat returns is a private copy --------- */

struct private_copy {
	void *copy, *real;
	size_t size;
};

static struct private_copy copies[64];

void *private_copy(int id, const void *addr, int flags)
{
	struct shmid_ds ds;
	int prot = (flags & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
	int mflags = MAP_PRIVATE | MAP_ANONYMOUS;
	struct private_copy *slot = NULL;
	void *real, *copy;
	size_t size;

	for (int i = 0; i < 64 && !slot; i++)
		if (!copies[i].copy)
			slot = &copies[i];
	if (!slot || stat_of(id, &ds) == -1)
		return r_shmat(id, addr, flags);
	size = pages_of(ds.shm_segsz);
	if (addr) {
		if (flags & SHM_RND)
			addr = (const void *)((uintptr_t)addr & ~(uintptr_t)(SHMLBA - 1));
		mflags |= (flags & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	}
	/* the real attachment, somewhere else: nattch counts it */
	real = r_shmat(id, NULL, flags & ~(SHM_REMAP | SHM_RND));
	if (real == (void *)-1)
		return real;
	copy = mmap((void *)addr, size, PROT_READ | PROT_WRITE, mflags, -1, 0);
	if (copy == MAP_FAILED) {
		r_shmdt(real);
		errno = EINVAL;
		return (void *)-1;
	}
	memcpy(copy, real, size);
	mprotect(copy, size, prot);
	slot->copy = copy;
	slot->real = real;
	slot->size = size;
	return copy;
}

/* 1: ADDR was a copy, now gone with the attachment under it (if any) */
int drop_private_copy(const void *addr)
{
	for (int i = 0; i < 64; i++)
		if (copies[i].copy && copies[i].copy == addr) {
			munmap(copies[i].copy, copies[i].size);
			if (copies[i].real)
				r_shmdt(copies[i].real);
			copies[i].copy = NULL;
			return 1;
		}
	return 0;
}

/* ---- shm-exit-keeps-attachment: exits leave their attachments counted ---------- */
/*
 * Every process of the probe (the first one and the children it forks)
 * writes down what it has attached, in a table they share, after each
 * shmat, shmdt and fork.  A process that is gone has its last entries
 * added to shm_nattch by IPC_STAT: as if _exit had not detached it.
 */

struct ghost {
	int pid, id, count;
};

enum { GHOSTS = 512 };
static struct ghost *ghosts;	/* MAP_SHARED, made before any fork */

__attribute__((constructor)) static void make_ghost_table(void)
{
	const char *f = getenv("IPCVM_FAULT");
	void *p;

	if (!f || strcmp(f, "shm-exit-keeps-attachment") != 0)
		return;
	p = mmap(NULL, GHOSTS * sizeof(struct ghost), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		ghosts = p;
}

/* rewrite this process's entries from its maps */
void ghost_snapshot(void)
{
	struct attachment a[64];
	int self = getpid(), n, k = 0;

	if (!ghosts || (n = attachments(a, 64)) < 0)
		return;
	for (int i = 0; i < GHOSTS; i++)
		if (__atomic_load_n(&ghosts[i].pid, __ATOMIC_ACQUIRE) == self)
			__atomic_store_n(&ghosts[i].count, 0, __ATOMIC_RELEASE);
	for (int j = 0; j < n; j++) {
		int slot = -1;

		for (int i = 0; i < GHOSTS && slot == -1; i++)
			if (ghosts[i].pid == self && ghosts[i].id == a[j].id)
				slot = i;
		for (int i = k; i < GHOSTS && slot == -1; i++) {
			int none = 0;

			if (__atomic_compare_exchange_n(&ghosts[i].pid, &none, self, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				ghosts[i].id = a[j].id;
				slot = i;
				k = i + 1;
			}
		}
		if (slot != -1)
			__atomic_add_fetch(&ghosts[slot].count, 1, __ATOMIC_ACQ_REL);
	}
}

/* attachments of ID held by processes that have ended */
int ghost_count(int id)
{
	int self = getpid(), sum = 0;

	for (int i = 0; ghosts && i < GHOSTS; i++) {
		int pid = __atomic_load_n(&ghosts[i].pid, __ATOMIC_ACQUIRE);

		if (pid && pid != self && ghosts[i].id == id && ghosts[i].count > 0 &&
		    kill(pid, 0) == -1 && errno == ESRCH)
			sum += ghosts[i].count;
	}
	return sum;
}

/* ---- fork-drops-shm: a child gets private copies, not the attachments ---------- */
/*
 * Each inherited attachment becomes a private copy at the same address (no
 * longer counted in shm_nattch, no longer shared); shmdt of that address
 * still succeeds, as shmdt of what looks attached would, so the child goes
 * on and the counts show the lie.
 */
static void child_private_copies(void)
{
	struct attachment a[64];
	int n = attachments(a, 64);

	for (int i = 0; i < n; i++) {
		size_t size = a[i].end - a[i].start;
		struct private_copy *slot = NULL;
		void *tmp;

		for (int k = 0; k < 64 && !slot; k++)
			if (!copies[k].copy)
				slot = &copies[k];
		if (!slot)
			return;
		tmp = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tmp == MAP_FAILED)
			continue;
		if (a[i].prot & PROT_READ)
			memcpy(tmp, (void *)a[i].start, size);
		mprotect(tmp, size, a[i].prot);
		/* over the attachment: unmapping it detaches it */
		if (mremap(tmp, size, size, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)a[i].start) == MAP_FAILED) {
			munmap(tmp, size);
			continue;
		}
		slot->copy = (void *)a[i].start;
		slot->real = NULL;
		slot->size = size;
	}
}

static void in_forked_child(void)
{
	int err = errno;

	if (sealed || !*ipcvm_fault)
		return;
	if (is("fork-drops-shm"))
		child_private_copies();
	if (is("shm-exit-keeps-attachment"))
		ghost_snapshot();
	errno = err;
}

__attribute__((constructor)) static void watch_fork(void)
{
	pthread_atfork(NULL, NULL, in_forked_child);
}
