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

static void *r_shmat(int id, const void *addr, int flags)
{
	REAL(void *, shmat, int, const void *, int);
	return real_shmat(id, addr, flags);
}

static int r_shmdt(const void *addr)
{
	REAL(int, shmdt, const void *);
	return real_shmdt(addr);
}

static int r_shmctl(int id, int cmd, struct shmid_ds *ds)
{
	REAL(int, shmctl, int, int, struct shmid_ds *);
	return real_shmctl(id, cmd, ds);
}

static int stat_of(int id, struct shmid_ds *ds)
{
	int err = errno, r = r_shmctl(id, IPC_STAT, ds);

	errno = err;
	return r;
}

static size_t page_bytes(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static size_t pages_of(size_t bytes)
{
	size_t ps = page_bytes();

	return (bytes + ps - 1) / ps * ps;
}

/* a call that makes a segment, as opposed to one that finds it */
static int creating(key_t key, int flags)
{
	return key == IPC_PRIVATE || (flags & IPC_CREAT);
}

/* prctl(PR_SET_SECCOMP) was called here: no more system calls */
static volatile sig_atomic_t sealed;

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

static void *private_copy(int id, const void *addr, int flags)
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
static int drop_private_copy(const void *addr)
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
static void ghost_snapshot(void)
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
static int ghost_count(int id)
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

/* ---- /proc/sysvipc/shm (fault.c's fopen asks) ------------------------------------- */

/* a read-only stream over a malloc'd text, freed by fclose */
struct text {
	char *buf;
	size_t len, pos;
};

static ssize_t text_read(void *cookie, char *to, size_t size)
{
	struct text *t = cookie;
	size_t n = t->len - t->pos < size ? t->len - t->pos : size;

	memcpy(to, t->buf + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

static int text_close(void *cookie)
{
	struct text *t = cookie;

	free(t->buf);
	free(t);
	return 0;
}

/* proc-shm-nattch-zero: what ipcs reads shows nattch 0 for every segment.
 * 1 with *RET the stream when it answered, 0 when fopen is not its business */
int shm_fopen_hook(const char *path, const char *mode, FILE **ret)
{
	REAL(FILE *, fopen, const char *, const char *);
	static const cookie_io_functions_t io = { text_read, NULL, NULL, text_close };
	char line[1024], out[1024];
	struct text *t;
	FILE *in, *fake, *result;

	if (!is("proc-shm-nattch-zero") || strcmp(path, "/proc/sysvipc/shm") != 0)
		return 0;
	in = real_fopen(path, mode);
	if (!in)
		return 0;
	t = calloc(1, sizeof(*t));
	fake = t ? open_memstream(&t->buf, &t->len) : NULL;
	if (!fake) {
		free(t);
		fclose(in);
		return 0;
	}
	for (int n = 0; fgets(line, sizeof(line), in); n++) {
		/* key shmid perms size cpid lpid nattch ...: the 7th field */
		char *save = NULL, *tok;
		size_t len = 0;
		int field = 0;

		if (n == 0) {
			fputs(line, fake);
			continue;
		}
		out[0] = '\0';
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
						field ? " " : "", field == 6 ? "0" : tok);
			field++;
			if (len >= sizeof(out))
				break;
		}
		fprintf(fake, "%s\n", out);
	}
	fclose(in);
	if (fclose(fake) != 0) {
		free(t);
		return 0;
	}
	result = fopencookie(t, "r", io);
	if (!result) {
		text_close(t);
		return 0;
	}
	*ret = result;
	return 1;
}

/* ---- seccomp -------------------------------------------------------------------------- */

int prctl(int option, ...)
{
	REAL(int, prctl, int, unsigned long, unsigned long, unsigned long, unsigned long);
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP) {
		/* seccomp-refused: the filter is refused, as if no_new_privs
		 * were unset (seccomp(2) EACCES): the reader runs unwatched */
		if (is("seccomp-refused")) {
			errno = EACCES;
			return -1;
		}
		/* from the real call on: not one more system call */
		sealed = 1;
	}
	return real_prctl(option, a[0], a[1], a[2], a[3]);
}

/* ---- the lock: semop with SEM_UNDO --------------------------------------------------- */

static int undo_lock_op(const struct sembuf *sops, size_t n, int sign)
{
	for (size_t i = 0; i < n; i++)
		if ((sops[i].sem_flg & SEM_UNDO) && (sign > 0 ? sops[i].sem_op > 0 : sops[i].sem_op < 0))
			return 1;
	return 0;
}

/*
 * semop-no-lock: taking the lock never waits and takes nothing.  Holders
 * that run at once lose updates only when their loads and stores overlap,
 * so the lie lets them in two by two: a taker waits (spinning, up to 1 ms)
 * for a second one, and both go in together.  Where the takers run side by
 * side that loses updates; where they cannot (one CPU) the waits add up
 * past the probe's deadline and the children are reported unfinished:
 * either way SHM-LOCK sees it.  The meeting place is a page shared by every
 * process forked after the library loaded.
 */
static unsigned *pairs;

__attribute__((constructor)) static void make_pairing_page(void)
{
	const char *f = getenv("IPCVM_FAULT");
	void *p;

	if (!f || strcmp(f, "semop-no-lock") != 0)
		return;
	p = mmap(NULL, sizeof(*pairs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		pairs = p;
}

static void in_pairs(void)
{
	struct timespec t0, now;
	unsigned me, go;

	if (!pairs)
		return;
	me = __atomic_fetch_add(pairs, 1, __ATOMIC_ACQ_REL);
	go = me - me % 2 + 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);	/* the vDSO: no system call */
	while ((int)(__atomic_load_n(pairs, __ATOMIC_ACQUIRE) - go) < 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000L + now.tv_nsec - t0.tv_nsec > 1000000)
			return;
	}
}

static int sem_lie(const struct sembuf *sops, size_t n)
{
	if (is("semop-release-lost") && undo_lock_op(sops, n, +1))
		return 1;	/* the release says done, and the lock stays taken */
	if (is("semop-no-lock") && (undo_lock_op(sops, n, -1) || undo_lock_op(sops, n, +1))) {
		if (undo_lock_op(sops, n, -1))
			in_pairs();
		return 1;
	}
	return 0;
}

/*
 * semop-semnum-ignored: every operation acts on semaphore 0 of the set,
 * whatever sem_num names.  The lock (semaphore 0) still works; the control
 * of SHM-LOCK-NEEDED, whose processes each use a semaphore of their own,
 * is then locked too and loses nothing.  SOPS is copied, never changed.
 */
enum { SEMNUM_OPS_MAX = 16 };

static struct sembuf *sem_zero(const struct sembuf *sops, size_t n, struct sembuf *copy)
{
	if (!is("semop-semnum-ignored") || n > SEMNUM_OPS_MAX)
		return (struct sembuf *)sops;
	for (size_t i = 0; i < n; i++) {
		copy[i] = sops[i];
		copy[i].sem_num = 0;
	}
	return copy;
}

int semop(int id, struct sembuf *sops, size_t n)
{
	REAL(int, semop, int, struct sembuf *, size_t);
	struct sembuf copy[SEMNUM_OPS_MAX];

	if (*ipcvm_fault && sem_lie(sops, n))
		return 0;
	return real_semop(id, *ipcvm_fault ? sem_zero(sops, n, copy) : sops, n);
}

int semtimedop(int id, struct sembuf *sops, size_t n, const struct timespec *timeout)
{
	REAL(int, semtimedop, int, struct sembuf *, size_t, const struct timespec *);
	struct sembuf copy[SEMNUM_OPS_MAX];

	if (*ipcvm_fault && sem_lie(sops, n))
		return 0;
	return real_semtimedop(id, *ipcvm_fault ? sem_zero(sops, n, copy) : sops, n, timeout);
}
