/*
 * vm.c - the fault library's lies about the vm family (see fault.c).
 * harness/faults says which claims of cases/vm.bats each lie must break.
 *
 * Wrapped here: malloc, mmap, madvise, posix_fadvise, pread (of
 * /proc/self/pagemap only), getauxval, strncmp, strtoll and strstr.  Every
 * wrapper passes the call straight through unless one of this file's
 * faults is on.
 *
 * The probe reads /proc through open(2) and read(2), which fault.c owns, and
 * finds a field with strncmp(line, "Field", n) and then strtoll just past
 * the colon.  The /proc lies therefore act at that seam: strncmp notes
 * where a field of interest matched, and strtoll, when it is asked to parse
 * exactly there, answers for the kernel.  Nothing is read outside the
 * strings the probe passes.
 *
 * Memory: no lie allocates or touches more than the probe itself would (the
 * eager malloc touches what the probe memsets right after; the file-backed
 * stand-in for an anonymous mapping is only made for the probe's 16 MiB
 * read-only region), and a lie that grants a reservation grants it as
 * PROT_NONE MAP_NORESERVE address space, which can never be touched.
 * No lie leaves a file behind: the memfd behind a stand-in mapping is
 * closed at once and goes with the munmap.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "fault.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

const char *const vm_faults[] = {
	"auxv-pagesz-double", "mmu-page-double", "malloc-eager", "thp-madvise-as-always",
	"mmap-populated",
	"vmrss-lags", "no-zero-page", "pagemap-all-present",
	"pagemap-pfn-rule-flipped", "pagemap-one-frame", "pagemap-frame-per-page",
	"shared-map-private", "fadvise-dontneed-ignored", "pageout-ignored",
	"pageout-drops-anon", "commit-limit-pages", "reserve-notes-refused",
	"overcommit-mode-swapped", "noreserve-checked", "addr-4gib",
	"addr-beyond-eexist", "hint-2p47-honoured", "rss-shmem-zero", "rss-file-zero",
	"rss-walk-half", "noaccess-beyond-ram-refused",
	NULL,
};

#define MIB (1024ULL * 1024)

/* ---- malloc ---------------------------------------------------------------- */

/* glibc's own malloc: no dlsym (which may itself allocate) on this path */
extern void *__libc_malloc(size_t size);

void *malloc(size_t size)
{
	void *p = __libc_malloc(size);

	if (!p || size < 16 * MIB || !*ipcvm_fault)
		return p;
	if (is("malloc-eager")) {
		/* committed at once: every page touched before malloc returns,
		 * though nothing in the environment (MALLOC_PERTURB_) asked */
		memset(p, 0, size);
	}
	return p;
}

/* ---- mmap -------------------------------------------------------------------- */

/* RAM + swap in bytes, as mode 0's heuristic measures it */
static unsigned long long ram_and_swap(void)
{
	struct sysinfo si;

	if (sysinfo(&si) == -1)
		return ULLONG_MAX;
	return ((unsigned long long)si.totalram + si.totalswap) * si.mem_unit;
}

/* RAM in bytes (sysinfo(2)); ULLONG_MAX when unknown */
static unsigned long long total_ram(void)
{
	struct sysinfo si;

	if (sysinfo(&si) == -1)
		return ULLONG_MAX;
	return (unsigned long long)si.totalram * si.mem_unit;
}

/* free RAM in bytes (sysinfo(2)); 0 when unknown */
static unsigned long long free_ram(void)
{
	struct sysinfo si;

	if (sysinfo(&si) == -1)
		return 0;
	return (unsigned long long)si.freeram * si.mem_unit;
}

/* /proc/sys/vm/overcommit_memory; -1 when unreadable */
static int overcommit_mode(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? buf[0] - '0' : -1;
}

static void *failed(int err)
{
	errno = err;
	return MAP_FAILED;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	REAL(void *, mmap, void *, size_t, int, int, int, off_t);
	int anon = (flags & MAP_ANONYMOUS) != 0;
	int type = flags & MAP_TYPE;
	int fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
	/* a private writable reservation the overcommit policy judges */
	int reserve = anon && type == MAP_PRIVATE && !fixed && (prot & PROT_WRITE);
	uintptr_t a = (uintptr_t)addr;
	void *p;

	if (!*ipcvm_fault)
		return real_mmap(addr, len, prot, flags, fd, off);

	if (is("no-zero-page") && anon && !addr && flags == (MAP_PRIVATE | MAP_ANONYMOUS) &&
	    len >= 2 * MIB && len <= 64 * MIB) {
		/* anonymous memory backed like a file: a read fault allocates */
		int mfd = memfd_create("ipcvm-fault-vm", MFD_CLOEXEC);

		if (mfd == -1)
			return real_mmap(addr, len, prot, flags, fd, off);
		if (ftruncate(mfd, (off_t)len) == -1) {
			close(mfd);
			return real_mmap(addr, len, prot, flags, fd, off);
		}
		p = real_mmap(NULL, len, prot, MAP_PRIVATE, mfd, 0);
		close(mfd);
		return p;
	}
	if (is("noaccess-beyond-ram-refused") && anon && !fixed && prot == PROT_NONE &&
	    len > total_ram())
		return failed(ENOMEM);	/* address space capped at the frames */
	if (is("mmap-populated") && reserve && !addr && !(flags & MAP_NORESERVE) &&
	    len >= 64 * MIB && len <= 512 * MIB && len <= free_ram() / 2)
		/* eager commit: every page faulted in before mmap returns (only
		 * what half the free RAM holds; the probe writes it all anyway) */
		return real_mmap(addr, len, prot, flags | MAP_POPULATE, fd, off);
	if (is("thp-madvise-as-always") && reserve && !addr && len >= 64 * MIB) {
		/* THP "madvise" behaving as "always": the kernel backs a large
		 * anonymous mapping nobody madvised with huge pages */
		p = real_mmap(addr, len, prot, flags, fd, off);
		if (p != MAP_FAILED)
			madvise(p, len, MADV_HUGEPAGE);
		return p;
	}
	if (is("shared-map-private") && !anon && type == MAP_SHARED && (prot & PROT_WRITE))
		return real_mmap(addr, len, prot, (flags & ~MAP_TYPE) | MAP_PRIVATE, fd, off);

	if (is("reserve-notes-refused") && reserve && !(flags & MAP_NORESERVE) &&
	    len >= 512 * MIB)
		return failed(ENOMEM);
	if (is("noreserve-checked") && reserve && (flags & MAP_NORESERVE) &&
	    len > ram_and_swap())
		return failed(ENOMEM);
	if (is("overcommit-mode-swapped") && reserve && len > ram_and_swap()) {
		if (overcommit_mode() == 1) {
			if (!(flags & MAP_NORESERVE))
				return failed(ENOMEM);	/* mode 0's heuristic */
		} else {
			p = real_mmap(addr, len, prot, flags, fd, off);
			if (p != MAP_FAILED || errno != ENOMEM)
				return p;
			/* mode 1's yes: address space only, never to be touched */
			return real_mmap(NULL, len, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		}
	}

	if (is("addr-4gib") && (flags & MAP_FIXED_NOREPLACE) && a >= (1ULL << 32))
		return failed(ENOMEM);
	if (is("addr-beyond-eexist") && (flags & MAP_FIXED_NOREPLACE)) {
		p = real_mmap(addr, len, prot, flags, fd, off);
		if (p == MAP_FAILED && errno == ENOMEM && a >= (1ULL << 47))
			errno = EEXIST;
		return p;
	}
	if (is("hint-2p47-honoured") && !fixed && a >= (1ULL << 47))
		return addr;	/* nothing mapped there: the probe only compares and unmaps */

	return real_mmap(addr, len, prot, flags, fd, off);
}

/* ---- madvise, posix_fadvise ----------------------------------------------- */

int madvise(void *addr, size_t len, int advice)
{
	REAL(int, madvise, void *, size_t, int);
	int r;

	if (advice != MADV_PAGEOUT || !*ipcvm_fault)
		return real_madvise(addr, len, advice);
	if (is("pageout-ignored"))
		return 0;
	r = real_madvise(addr, len, advice);
	if (r == 0 && is("pageout-drops-anon"))
		/* anonymous pages with nowhere to go are thrown away (file pages
		 * PAGEOUT already dropped are unaffected) */
		real_madvise(addr, len, MADV_DONTNEED);
	return r;
}

int posix_fadvise(int fd, off_t off, off_t len, int advice)
{
	REAL(int, posix_fadvise, int, off_t, off_t, int);

	if (advice == POSIX_FADV_DONTNEED && is("fadvise-dontneed-ignored"))
		return 0;
	return real_posix_fadvise(fd, off, len, advice);
}

/* ---- getauxval --------------------------------------------------------------- */

unsigned long getauxval(unsigned long type)
{
	REAL(unsigned long, getauxval, unsigned long);
	unsigned long v = real_getauxval(type);

	if (type == AT_PAGESZ && is("auxv-pagesz-double"))
		return 2 * v;
	return v;
}

/* ---- pread of /proc/self/pagemap ------------------------------------------------ */

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

static int is_pagemap(int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 8)
		return 0;
	target[n] = '\0';
	return strncmp(target, "/proc/", 6) == 0 && strcmp(target + n - 8, "/pagemap") == 0;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	REAL(ssize_t, pread, int, void *, size_t, off_t);
	ssize_t r = real_pread(fd, buf, len, off);
	unsigned char *b = buf;

	if (r <= 0 || off % 8 != 0 || !*ipcvm_fault ||
	    !(is("pagemap-all-present") || is("pagemap-pfn-rule-flipped") ||
	      is("pagemap-one-frame") || is("pagemap-frame-per-page")) ||
	    !is_pagemap(fd))
		return r;
	for (ssize_t i = 0; i + 8 <= r; i += 8) {
		uint64_t e, vpn = (uint64_t)(off + i) / 8;

		memcpy(&e, b + i, 8);
		if (is("pagemap-all-present")) {
			/* every page has a frame, touched or not */
			e |= PM_PRESENT;
		} else if (e & PM_PRESENT) {
			uint64_t pfn = e & PM_PFN_MASK;

			if (is("pagemap-pfn-rule-flipped"))
				/* hidden from CAP_SYS_ADMIN, shown (made up) to others */
				pfn = pfn ? 0 : (vpn + 1) & PM_PFN_MASK;
			else if (is("pagemap-one-frame"))
				pfn = 0x1234;		/* every page in one frame */
			else
				pfn = (vpn + 1) & PM_PFN_MASK;	/* a frame per page number */
			e = (e & ~PM_PFN_MASK) | pfn;
		}
		memcpy(b + i, &e, 8);
	}
	return r;
}

/* ---- /proc fields: strncmp marks where a field's value starts ---------------- */

/* the field of interest to the fault on, or NULL */
static const char *wanted_field(void)
{
	if (!*ipcvm_fault)
		return NULL;
	if (is("vmrss-lags"))
		return "VmRSS";
	if (is("mmu-page-double"))
		return "MMUPageSize";
	if (is("rss-shmem-zero"))
		return "RssShmem";
	if (is("rss-file-zero"))
		return "RssFile";
	if (is("rss-walk-half"))
		return "Rss";
	if (is("commit-limit-pages"))
		return "CommitLimit";
	return NULL;
}

/* just past "Field:" where the wanted field last matched */
static const char *field_value;

int strncmp(const char *a, const char *b, size_t n)
{
	REAL(int, strncmp, const char *, const char *, size_t);
	const char *want = wanted_field();
	int r = real_strncmp(a, b, n);

	if (r == 0 && want && n == strlen(want) && strcmp(b, want) == 0 && a[n] == ':')
		field_value = a + n + 1;
	return r;
}

long long strtoll(const char *s, char **end, int base)
{
	REAL(long long, strtoll, const char *, char **, int);
	static long long last_vmrss = -1;
	long long v = real_strtoll(s, end, base);

	if (!field_value || s != field_value)
		return v;
	field_value = NULL;
	if (is("vmrss-lags")) {
		/* a cached counter: each reading shows what the last one did */
		long long shown = last_vmrss < 0 ? v : last_vmrss;

		last_vmrss = v;
		return shown;
	}
	if (is("mmu-page-double"))
		return 2 * v;		/* the MMU's frame twice the kernel's page */
	if (is("rss-shmem-zero") || is("rss-file-zero"))
		return 0;		/* shared memory or file pages not counted */
	if (is("commit-limit-pages"))
		return v / (sysconf(_SC_PAGESIZE) / 1024);	/* pages, labelled kB */
	if (is("rss-walk-half"))
		return v / 2;		/* the page-table walk finds half the pages */
	return v;
}

/* ---- strstr: /proc/cmdline's no_zero_page option goes unseen ----------------- */

char *strstr(const char *hay, const char *needle)
{
	REAL(char *, strstr, const char *, const char *);

	if (is("no-zero-page") && strcmp(needle, "no_zero_page") == 0)
		return NULL;
	return real_strstr(hay, needle);
}
