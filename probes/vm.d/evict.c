/*
 * evict.c - page faults and eviction: "evicts a little-used frame to disk"
 * holds only for pages with somewhere to go.  A clean file page is dropped
 * (posix_fadvise DONTNEED, madvise MADV_PAGEOUT) and read back with a
 * major fault; an anonymous page needs swap and stays resident without it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "vm.h"

static int on_tmpfs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 &&
	       (sf.f_type == TMPFS_MAGIC || sf.f_type == (typeof(sf.f_type))RAMFS_MAGIC);
}

/* A directory on a file system with a backing store, so that a clean page
 * can be dropped and read back (tmpfs pages are shmem: they only go to
 * swap).  The scratch dir, else a private dir beside the probe binary;
 * which of them is recorded as evict.dir when RECORD is set. */
static const char *disk_dir(int record)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (!on_tmpfs(scratch_dir())) {
		if (record)
			obs_str("evict.dir", "scratch");
		return scratch_dir();
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	snprintf(dir, sizeof(dir), "%.4000s/ipcvm-vm.XXXXXX", exe);
	if (!mkdtemp(dir))
		return NULL;
	cleanup_rmdir(dir);
	if (on_tmpfs(dir))
		return NULL;
	if (record)
		obs_str("evict.dir", "build");
	return dir;
}

/* EVICT_PAGES of data, written and fsync'ed: clean pages in the page cache */
static int clean_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	size_t len = EVICT_PAGES * (size_t)pg;
	char *buf = malloc(len);
	int fd;

	if (!buf)
		probe_fail("malloc", errno);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* registered first: a file made just before an interrupt is not left */
	cleanup_unlink(path);
	fd = (int)SETUP(open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	memset(buf, 'x', len);
	SETUP(write_all(fd, buf, len));
	SETUP(fsync(fd));
	free(buf);
	return fd;
}

static long long majflt_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* touch one byte of page 0 of M: the major faults it took (recorded as
 * FAULTS), and whether the page is resident afterwards (RESIDENT) */
static void fault_back(const char *faults, const char *resident, const char *m)
{
	long long before = majflt_now();
	volatile char c = m[0];

	(void)c;
	obs_int(faults, majflt_now() - before);
	obs_int(resident, resident_pages((void *)m, (size_t)pg));
}

/* pages of the first LEN bytes of FD in the page cache (mincore of a
 * fresh mapping, which maps nothing by itself) */
static long long cached_pages(int fd, size_t len)
{
	char *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	long long n;

	if (m == MAP_FAILED)
		return -1;
	n = resident_pages(m, len);
	munmap(m, len);
	return n;
}

static void fadvise_file(const char *dir)
{
	size_t len = EVICT_PAGES * (size_t)pg;
	int fd = clean_file(dir, "dontneed");
	char *m;

	/* posix_fadvise(2): DONTNEED drops clean cached pages not mapped.  It
	 * is advice: a page another reclaimer holds at that instant is skipped,
	 * so a busy machine gets up to EVICT_TRIES goes at it */
	int err = 0;
	for (int i = 0; i < EVICT_TRIES; i++) {
		if (i > 0)	/* a page whose buffers the file system still holds is skipped too */
			syncfs(fd);
		err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (err || cached_pages(fd, len) == 0)
			break;
	}
	obs_errno("evict.fadvise.dontneed", err);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		probe_fail("mmap", errno);
	obs_int("evict.fadvise.resident_pages", resident_pages(m, len));
	fault_back("evict.fadvise.touch.major_faults_count", "evict.fadvise.touch.resident_pages", m);
	munmap(m, len);
	close(fd);
}

static void pageout_file(const char *dir)
{
	size_t len = EVICT_PAGES * (size_t)pg;
	cpu_set_t old;
	int pinned = pin_to_this_cpu(&old);
	int fd = clean_file(dir, "pageout");
	volatile char sink = 0;
	char *m;

	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		probe_fail("mmap", errno);
	for (size_t off = 0; off < len; off += (size_t)pg)
		sink += m[off];
	obs_int("evict.pageout.before_resident_pages", resident_pages(m, len));
	/* madvise(2) MADV_PAGEOUT (Linux 5.4): reclaim these pages now.  A
	 * page another reclaimer has isolated at that instant is skipped, so a
	 * busy machine gets up to EVICT_TRIES goes at it */
	struct outcome o;
	for (int i = 0; i < EVICT_TRIES; i++) {
		if (i > 0) {
			/* Reclaim that could not free a page at once (seen here
			 * while the file system was busy with other writes)
			 * still unmapped it: it stays cached, out of reach of
			 * the next MADV_PAGEOUT, which walks the page tables.
			 * Let the file system settle, map the pages again. */
			syncfs(fd);
			for (size_t off = 0; off < len; off += (size_t)pg)
				sink += m[off];
		}
		o = TRY(hang_ms(), madvise(m, len, MADV_PAGEOUT));
		if (o.ret == -1 || resident_pages(m, len) == 0)
			break;
	}
	obs_outcome("evict.pageout.madvise", o);
	obs_int("evict.pageout.resident_pages", resident_pages(m, len));
	fault_back("evict.pageout.touch.major_faults_count", "evict.pageout.touch.resident_pages", m);
	munmap(m, len);
	close(fd);
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
}

/* anonymous pages have no file to go back to: only swap can take them */
void evict_anon(void)
{
	size_t len;
	char *a;

	vm_setup();
	len = ANON_PAGES * (size_t)pg;
	a = map_anon(len, 0);

	obs_int("evict.anon.pages", ANON_PAGES);
	memset(a, 1, len);
	keep(a);
	obs_outcome("evict.anon.madvise", TRY(hang_ms(), madvise(a, len, MADV_PAGEOUT)));
	obs_int("evict.anon.resident_pages", resident_pages(a, len));
	munmap(a, len);
}

/* a clean file page dropped from the page cache (posix_fadvise(2)) */
void evict_fadvise(void)
{
	const char *dir;

	vm_setup();
	dir = disk_dir(0);
	if (dir)
		fadvise_file(dir);
	else
		obs_skip("evict.fadvise.dontneed", "no-disk-backed-directory");
}

/* a clean file page reclaimed at once (madvise(2) MADV_PAGEOUT) */
void evict_pageout(void)
{
	const char *dir;

	vm_setup();
	dir = disk_dir(1);
	obs_bool("evict.tmp_is_tmpfs", on_tmpfs(scratch_dir()));
	obs_int("evict.file_pages", EVICT_PAGES);
	if (dir) {
		pageout_file(dir);
	} else {
		obs_str("evict.dir", "none");
		obs_skip("evict.pageout.madvise", "no-disk-backed-directory");
	}
}
