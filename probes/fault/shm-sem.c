/*
 * shm-sem.c - the fault library's lies about what surrounds System V shared
 * memory (see shm.c): /proc/sysvipc/shm, the seccomp filter of the shm
 * probe's readers, and the semaphore that locks a segment.
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

