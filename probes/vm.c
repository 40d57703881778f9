/*
 * vm.c - virtual versus resident memory, as the notes' section 2 tells it:
 * pages and frames, lazy commit (the notes' new char[512 MiB] experiment at
 * its real size), the page table seen through /proc/self/pagemap, page
 * faults and eviction, overcommit, how wide the address space really is,
 * and top's VIRT/RES/SHR.  Records only; cases/vm.bats judges.
 *
 * Memory is measured three ways: VmSize/VmRSS from /proc/self/status (what
 * top shows), Rss from /proc/self/smaps_rollup (a walk of the page tables,
 * exact on every kernel, unlike VmRSS whose counters are cached per task
 * before 6.2 and read per CPU without summing from 6.2 to 6.15), and
 * minor/major faults from getrusage(2).
 *
 * The experiment allocates 512 MiB, as the notes do, when half of what
 * MemAvailable, the memory cgroup and RLIMIT_AS/RLIMIT_DATA leave is that
 * much; else it runs scaled down and records the size used.  IPCVM_VM_MIB
 * (a power of two, 16 to 512) asks for less on a slow emulator, where each
 * page fault costs tens of microseconds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "probe.h"

const char PROBE_NAME[] = "vm";
const struct peer_role probe_peers[] = { { 0 } };

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000	/* Linux 4.17 */
#endif
#if !HAVE_DECL_MADV_PAGEOUT
#define MADV_PAGEOUT 21			/* Linux 5.4 */
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

#define KIB 1024LL
#define MIB (1024LL * KIB)
/* the notes' allocation: new char[1024*1024*512] */
#define NOTES_BYTES (512 * MIB)
/* the notes' partial write: "只往里面写1M" */
#define PART_BYTES MIB
/* below this a scaled-down experiment says nothing: skip instead */
#define MIN_BYTES (16 * MIB)
/* reading untouched memory: enough pages to see, little time (a kernel
 * without the zero page allocates them all) */
#define ZERO_BYTES (16 * MIB)
/* the clean file that is evicted and faulted back */
#define EVICT_PAGES 16
#define EVICT_TRIES 5
/* anonymous pages offered to MADV_PAGEOUT */
#define ANON_PAGES 16
/* the shared and the private memory top's SHR should and should not see */
#define TOP_BYTES MIB

/* pagemap.rst: bit 63 page present, bits 0-54 the page frame number */
#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

static long pg;			/* the page size in bytes */
static int pagemap_fd = -1;

/* Every /proc text lands here: static and touched before any measurement,
 * so that reading /proc adds no resident page and no fault of its own. */
static char text[1 << 18];

/* ---- reading /proc ----------------------------------------------------- */

/* the whole file into text[]; its length, or -1 */
static ssize_t slurp(const char *path)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	while (len < sizeof(text) - 1) {
		ssize_t n = read(fd, text + len, sizeof(text) - 1 - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	return (ssize_t)len;
}

/* the number after "FIELD:" at the start of a line of S; -1 if none */
static long long field_of(const char *s, const char *field)
{
	size_t n = strlen(field);

	for (const char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, field, n) == 0 && p[n] == ':')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

/* FIELD of a /proc file of "Name: value kB" lines (proc(5)) */
static long long proc_kib(const char *path, const char *field)
{
	return slurp(path) < 0 ? -1 : field_of(text, field);
}

static long long status_kib(const char *field)
{
	return proc_kib("/proc/self/status", field);
}

static long long meminfo_kib(const char *field)
{
	return proc_kib("/proc/meminfo", field);
}

/* FIELD of the /proc/self/smaps entry that holds ADDR (proc(5)); -1 if
 * there is none.  Entry headers start with a lower-case hex address,
 * fields with an upper-case name. */
static long long region_kib(const void *addr, const char *field)
{
	uintptr_t a = (uintptr_t)addr;
	size_t n = strlen(field);
	int inside = 0;

	if (slurp("/proc/self/smaps") < 0)
		return -1;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long start, end;

		if (((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) &&
		    sscanf(p, "%lx-%lx", &start, &end) == 2) {
			if (inside)
				break;
			inside = a >= start && a < end;
		} else if (inside && strncmp(p, field, n) == 0 && p[n] == ':') {
			return strtoll(p + n + 1, NULL, 10);
		}
	}
	return -1;
}

/* a one-word sysfs setting shown as "a [b] c": the bracketed word */
static const char *sysfs_choice(const char *path, char *buf, size_t size)
{
	char *open_b, *close_b;

	if (slurp(path) < 0 || !(open_b = strchr(text, '[')) ||
	    !(close_b = strchr(open_b, ']')))
		return NULL;
	snprintf(buf, size, "%.*s", (int)(close_b - open_b - 1), open_b + 1);
	return buf;
}

/* ---- snapshots of the process's memory --------------------------------- */

struct snap {
	long long vmsize, vmrss;	/* KiB, /proc/self/status */
	long long shr;			/* KiB, RssFile + RssShmem: top's SHR */
	long long rss;			/* KiB, /proc/self/smaps_rollup */
	long long minflt, majflt;	/* getrusage(2) */
};

static void snap(struct snap *s)
{
	struct rusage ru;

	s->vmsize = status_kib("VmSize");
	s->vmrss = status_kib("VmRSS");
	s->shr = status_kib("RssFile") + status_kib("RssShmem");
	s->rss = proc_kib("/proc/self/smaps_rollup", "Rss");	/* Linux 4.14 */
	getrusage(RUSAGE_SELF, &ru);
	s->minflt = ru.ru_minflt;
	s->majflt = ru.ru_majflt;
}

/* STEP.{vmsize,vmrss,rss}_delta_kib from FROM to TO, and the minor faults
 * taken since PREV */
/* the names of one step's growth, spelled out where they are defined so
 * that grep finds each */
struct growth_names {
	const char *vmsize, *vmrss, *rss, *vmrss_minus_rss, *minor_faults;
};

static const struct growth_names lazy_alloc = {
	"lazy.alloc.vmsize_delta_kib", "lazy.alloc.vmrss_delta_kib",
	"lazy.alloc.rss_delta_kib", "lazy.alloc.vmrss_minus_rss_kib",
	"lazy.alloc.minor_faults_count",
};
static const struct growth_names lazy_write_part = {
	"lazy.write_part.vmsize_delta_kib", "lazy.write_part.vmrss_delta_kib",
	"lazy.write_part.rss_delta_kib", "lazy.write_part.vmrss_minus_rss_kib",
	"lazy.write_part.minor_faults_count",
};
static const struct growth_names lazy_write_all = {
	"lazy.write_all.vmsize_delta_kib", "lazy.write_all.vmrss_delta_kib",
	"lazy.write_all.rss_delta_kib", "lazy.write_all.vmrss_minus_rss_kib",
	"lazy.write_all.minor_faults_count",
};
static const struct growth_names zero_read = {
	"zero.read.vmsize_delta_kib", "zero.read.vmrss_delta_kib",
	"zero.read.rss_delta_kib", "zero.read.vmrss_minus_rss_kib",
	"zero.read.minor_faults_count",
};

static void obs_growth(const struct growth_names *n, const struct snap *from,
		       const struct snap *prev, const struct snap *to)
{
	obs_int(n->vmsize, to->vmsize - from->vmsize);
	obs_int(n->vmrss, to->vmrss - from->vmrss);
	if (from->rss < 0 || to->rss < 0)
		obs_skip(n->rss, "no-smaps-rollup");
	else
		obs_int(n->rss, to->rss - from->rss);
	if (to->rss < 0)
		obs_skip(n->vmrss_minus_rss, "no-smaps-rollup");
	else
		obs_int(n->vmrss_minus_rss, to->vmrss - to->rss);
	obs_int(n->minor_faults, to->minflt - prev->minflt);
}

/* keep stores to P even though nothing reads them before free/munmap */
static void keep(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* how many of the pages of [P, P+LEN) mincore(2) says are resident */
static long resident_pages(void *p, size_t len)
{
	size_t n = (len + (size_t)pg - 1) / (size_t)pg;
	unsigned char vec[64];
	long count = 0;

	if (n > sizeof(vec) || mincore(p, len, vec) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

static void *map_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	return p;
}

/* a shared memory file of LEN bytes mapped twice or once (memfd_create(2)) */
static int make_memfd(size_t len)
{
	int fd = (int)SETUP(memfd_create("ipcvm-vm", MFD_CLOEXEC));

	SETUP(ftruncate(fd, (off_t)len));
	return fd;
}

static void *map_shared(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	return p;
}

/* ---- the page table through /proc/self/pagemap ------------------------- */

/* ADDR's pagemap entry (pagemap.rst: one 64-bit entry per virtual page, at
 * offset page number * 8); 0 when it cannot be read */
static uint64_t pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	off_t off = (off_t)((uintptr_t)addr / (uintptr_t)pg * sizeof(e));

	if (pagemap_fd == -1 || pread(pagemap_fd, &e, sizeof(e), off) != sizeof(e))
		return 0;
	return e;
}

static uint64_t pfn_of(const void *addr)
{
	return pagemap_entry(addr) & PM_PFN_MASK;
}

/* ---- the size used: what the machine and its cgroup can afford --------- */

/* a cgroup memory file: bytes, or -1 for "max"/unlimited/unreadable */
static long long cgroup_bytes(const char *dir, const char *file)
{
	char path[PATH_MAX];
	long long v;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (slurp(path) <= 0 || strncmp(text, "max", 3) == 0)
		return -1;
	v = strtoll(text, NULL, 10);
	return v >= (1LL << 60) ? -1 : v;	/* v1 writes "unlimited" as ~2^63 */
}

/* the smallest limit - usage from the cgroup of PATH up to its root */
static void cgroup_walk(const char *root, const char *cgpath, const char *max_file,
			const char *cur_file, long long *room)
{
	char dir[PATH_MAX];
	size_t rootlen;

	snprintf(dir, sizeof(dir), "%s%s", root, cgpath);
	rootlen = strlen(root);
	for (;;) {
		long long max = cgroup_bytes(dir, max_file);
		long long cur = cgroup_bytes(dir, cur_file);
		char *slash;

		if (max >= 0 && cur >= 0 && (*room < 0 || max - cur < *room))
			*room = max > cur ? max - cur : 0;
		slash = strrchr(dir + rootlen, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

/* headroom under every memory cgroup limit above this process, in bytes;
 * -1 when none is set.  cgroup v2 ("0::PATH") and v1 ("N:memory:PATH"). */
static long long cgroup_room(void)
{
	char lines[4096], *save = NULL;
	long long room = -1;

	if (slurp("/proc/self/cgroup") < 0)
		return -1;
	snprintf(lines, sizeof(lines), "%.4000s", text);
	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(l, ':'), *path;

		if (!ctl || !(path = strchr(ctl + 1, ':')))
			continue;
		*path++ = '\0';
		ctl++;
		if (*ctl == '\0') {
			cgroup_walk("/sys/fs/cgroup", path, "memory.max", "memory.current", &room);
			cgroup_walk("/sys/fs/cgroup/unified", path, "memory.max", "memory.current", &room);
		} else if (strstr(ctl, "memory")) {
			cgroup_walk("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes",
				    "memory.usage_in_bytes", &room);
		}
	}
	return room;
}

/* room left under a resource limit for a process that already uses USED */
static long long rlimit_room(int resource, long long used)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return -1;
	return (long long)rl.rlim_cur > used ? (long long)rl.rlim_cur - used : 0;
}

/* IPCVM_VM_MIB: a smaller size for the experiment, a power of two from
 * MIN_BYTES up; 0 when unset or not such a number */
static long long env_size_mib(void)
{
	const char *s = getenv("IPCVM_VM_MIB");
	char *end;
	long long v;

	if (!s || !*s)
		return 0;
	v = strtoll(s, &end, 10);
	if (*end || v * MIB < MIN_BYTES || v * MIB > NOTES_BYTES || (v & (v - 1)))
		return 0;
	return v;
}

/* The notes' 512 MiB when half of what the machine, its cgroup and this
 * process's limits leave is that much; else the largest power-of-two
 * fraction of it that fits; 0 when not even MIN_BYTES fits. */
static long long budget(void)
{
	struct { const char *name; long long room; } limits[] = {
		{ "mem_available", meminfo_kib("MemAvailable") * KIB },
		{ "cgroup", cgroup_room() },
		{ "rlimit_as", rlimit_room(RLIMIT_AS, status_kib("VmSize") * KIB) },
		{ "rlimit_data", rlimit_room(RLIMIT_DATA, status_kib("VmData") * KIB) },
	};
	long long afford = -1, size = NOTES_BYTES;
	long long env_mib = env_size_mib();
	const char *by = "none";

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (limits[i].room >= 0 && (afford < 0 || limits[i].room / 2 < afford)) {
			afford = limits[i].room / 2;
			if (afford < NOTES_BYTES)
				by = limits[i].name;
		}
	while (afford >= 0 && size > afford && size > MIN_BYTES)
		size /= 2;
	if (afford >= 0 && size > afford)
		size = 0;
	/* a slow emulator may ask for less, as it may raise IPCVM_HANG_MS */
	if (env_mib > 0 && env_mib * MIB < size) {
		size = env_mib * MIB;
		by = "IPCVM_VM_MIB";
	}
	obs_int("budget.notes_size_kib", NOTES_BYTES / KIB);
	obs_int("budget.size_kib", size / KIB);
	obs_bool("budget.scaled", size != NOTES_BYTES);
	obs_str("budget.limited_by", size == NOTES_BYTES ? "none" : by);
	return size;
}

/* ---- page size: sysconf, the aux vector and the kernel agree ----------- */

static void page_size_section(void)
{
	char *p = map_anon((size_t)pg, 0);

	p[0] = 1;
	obs_int("page.sysconf_bytes", pg);
	obs_int("page.auxv_bytes", (long long)getauxval(AT_PAGESZ));
	/* proc(5): KernelPageSize backs the mapping, MMUPageSize is what the
	 * MMU uses for it: the page and the frame */
	obs_int("page.smaps_kernel_page_kib", region_kib(p, "KernelPageSize"));
	obs_int("page.smaps_mmu_page_kib", region_kib(p, "MMUPageSize"));
	munmap(p, (size_t)pg);
}

/* ---- transparent huge pages: what one anonymous fault may map ---------- */

static void thp_section(void)
{
	static const char base[] = "/sys/kernel/mm/transparent_hugepage";
	char path[PATH_MAX], word[32];
	long long always_max = 0, inherit_max = 0;
	const char *mode;

	snprintf(path, sizeof(path), "%s/enabled", base);
	mode = sysfs_choice(path, word, sizeof(word));
	obs_str("thp.enabled", mode ? mode : "unavailable");
	snprintf(path, sizeof(path), "%s/hpage_pmd_size", base);
	obs_int("thp.pmd_size_kib", mode ? read_ll_file(path) / KIB : 0);
	snprintf(path, sizeof(path), "%s/use_zero_page", base);
	obs_int("thp.use_zero_page", mode ? read_ll_file(path) : 0);

	/* multi-size THP (Linux 6.8): hugepages-<size>kB/enabled per size,
	 * "inherit" taking the top-level mode */
	for (long long kib = 2 * pg / KIB; kib <= 1024 * 1024; kib *= 2) {
		snprintf(path, sizeof(path), "%s/hugepages-%lldkB/enabled", base, kib);
		if (!sysfs_choice(path, word, sizeof(word)))
			continue;
		if (strcmp(word, "always") == 0)
			always_max = kib;
		if (strcmp(word, "inherit") == 0)
			inherit_max = kib;
	}
	obs_int("thp.mthp_always_max_kib", always_max);
	obs_int("thp.mthp_inherit_max_kib", inherit_max);
}

/* ---- lazy commit: the notes' experiment --------------------------------- */

static void lazy_section(long long size)
{
	long long part = size < PART_BYTES ? size : PART_BYTES;
	struct snap s0, s1, s2, s3;
	char *p;

	if (size == 0) {
		static const char *const names[] = { "lazy.mmap", "lazy.size_kib", "lazy.malloc", NULL };

		for (int i = 0; names[i]; i++)
			obs_skip(names[i], "memory-not-affordable");
		return;
	}
	obs_int("lazy.size_kib", size / KIB);
	obs_int("lazy.part_kib", part / KIB);

	/* The notes' new char[size] through the C library first: glibc
	 * serves a block this size with mmap (mallopt(3) M_MMAP_THRESHOLD)
	 * and touches only its header, unless the environment asks it to
	 * fill the block (MALLOC_PERTURB_, glibc.malloc.perturb) or to ask
	 * for huge pages (glibc.malloc.hugetlb): the case judges this one
	 * with meta.env's libc_env. */
	snap(&s0);
	p = malloc((size_t)size);
	obs_errno("lazy.malloc", p ? 0 : errno);
	if (p) {
		keep(p);
		snap(&s1);
		if (s0.rss < 0 || s1.rss < 0)
			obs_skip("lazy.malloc.rss_delta_kib", "no-smaps-rollup");
		else
			obs_int("lazy.malloc.rss_delta_kib", s1.rss - s0.rss);
		free(p);
	}

	/* The kernel's part of it, whatever the C library's settings: an
	 * anonymous private mapping, which is what malloc asks the kernel
	 * for here (mmap(2)) */
	snap(&s0);
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	obs_errno("lazy.mmap", p != MAP_FAILED ? 0 : errno);
	if (p == MAP_FAILED)
		return;
	snap(&s1);
	obs_growth(&lazy_alloc, &s0, &s0, &s1);

	memset(p, 0, (size_t)part);		/* "只往里面写1M" */
	keep(p);
	snap(&s2);
	obs_growth(&lazy_write_part, &s0, &s1, &s2);

	memset(p, 0, (size_t)size);		/* the notes' memset */
	keep(p);
	snap(&s3);
	obs_growth(&lazy_write_all, &s0, &s2, &s3);
	/* top's view while the written block is still held (the notes' "VIRT
	 * 523m RES 512m" is read then): VIRT and RES are the write_all
	 * deltas; SHR, and what the page tables say is not anonymous */
	obs_int("top.held.shr_delta_kib", s3.shr - s0.shr);
	obs_int("top.held.shr_kib", s3.shr);
	{
		long long rss = proc_kib("/proc/self/smaps_rollup", "Rss");
		long long anon = proc_kib("/proc/self/smaps_rollup", "Anonymous");

		if (rss < 0 || anon < 0)
			obs_skip("top.held.rollup_shared_kib", "no-smaps-rollup");
		else
			obs_int("top.held.rollup_shared_kib", rss - anon);
	}
	obs_int("lazy.write_all.anon_huge_kib", region_kib(p, "AnonHugePages"));
	munmap(p, (size_t)size);
}

/* ---- reading untouched memory maps the zero page ------------------------ */

/* a boot option that makes every anonymous read fault allocate a page of
 * its own (pvm_no_zero_page=1 on PVM guests): the claim cannot hold there */
static int boot_no_zero_page(void)
{
	char *w;

	if (slurp("/proc/cmdline") <= 0)
		return 0;
	for (w = strtok(text, " \n"); w; w = strtok(NULL, " \n")) {
		char *hit = strstr(w, "no_zero_page");

		if (hit && strcmp(hit, "no_zero_page=0") != 0)
			return 1;
	}
	return 0;
}

static void zero_page_section(long long size)
{
	long long pmd = read_ll_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
	/* room for two pages one PMD apart, PMD-aligned: 3 PMDs (a PMD is
	 * 2 MiB with 4K pages, 32 MiB with 16K, 512 MiB with 64K) */
	long long want = pmd > 0 && 3 * pmd > ZERO_BYTES ? 3 * pmd : ZERO_BYTES;
	size_t len = (size_t)(size < want ? size : want);
	long long region0, region1;
	volatile char sink = 0;
	struct snap s0, s1;
	uint64_t before;
	uintptr_t a;
	char *q;

	obs_bool("zero.boot_no_zero_page", boot_no_zero_page());
	if (len == 0) {
		obs_skip("zero.size_kib", "memory-not-affordable");
		return;
	}
	q = map_anon(len, 0);
	obs_int("zero.size_kib", (long long)(len / KIB));
	/* deltas of the mapping's own Rss: a neighbour it merged with does
	 * not move */
	region0 = region_kib(q, "Rss");
	snap(&s0);
	for (size_t off = 0; off < len; off += (size_t)pg)
		sink += q[off];
	snap(&s1);
	region1 = region_kib(q, "Rss");
	obs_growth(&zero_read, &s0, &s0, &s1);
	obs_int("zero.read.region_rss_delta_kib", region1 - region0);

	/* Two read pages one PMD apart: the same frame, the zero page (or the
	 * same page of the huge zero page). */
	if (pmd <= 0)
		pmd = 2 * MIB;
	a = ((uintptr_t)q + (uintptr_t)pmd - 1) & ~((uintptr_t)pmd - 1);
	if (pfn_of(q) == 0)
		obs_skip("zero.read.same_frame", "pfn-not-visible");
	else if (a + 2 * (uintptr_t)pmd > (uintptr_t)q + len)
		obs_skip("zero.read.same_frame", "region-too-small");
	else
		obs_bool("zero.read.same_frame",
			 pfn_of((char *)a) == pfn_of((char *)(a + (uintptr_t)pmd)));

	/* writing one of them gives it a page of its own (the first page of
	 * the region when no PMD-aligned page fits in it) */
	if (a + 2 * (uintptr_t)pmd > (uintptr_t)q + len)
		a = (uintptr_t)q;
	before = pfn_of((char *)a);
	((char *)a)[0] = 1;
	keep(q);
	if (before == 0)
		obs_skip("zero.write.new_frame", "pfn-not-visible");
	else
		obs_bool("zero.write.new_frame", pfn_of((char *)a) != before);
	obs_int("zero.write.region_rss_delta_kib", region_kib(q, "Rss") - region1);
	munmap(q, len);
}

/* ---- the page table: page number -> frame number, offset kept ----------- */

static int in_initial_user_ns(void)
{
	/* user_namespaces(7): the initial namespace maps all 2^32 ids */
	return slurp("/proc/self/uid_map") > 0 &&
	       strstr(text, "4294967295") != NULL;
}

/* NAME=yes/no, or SKIP with WHY when frame numbers cannot be seen */
static void obs_frames(const char *name, const char *why, int yes)
{
	if (why)
		obs_skip(name, why);
	else
		obs_bool(name, yes);
}

static void page_table_section(void)
{
	char *a, *b, *m1, *m2;
	const char *no_pfn;
	int fd;

	obs_bool("pagemap.initial_user_ns", in_initial_user_ns());
	a = map_anon((size_t)pg, 0);
	if (pagemap_fd == -1) {
		obs_skip("pagemap.untouched.present", "pagemap-unreadable");
		obs_skip("pagemap.touched.present", "pagemap-unreadable");
		obs_skip("pagemap.pfn_visible", "pagemap-unreadable");
		a[0] = 1;
		no_pfn = "pagemap-unreadable";
	} else {
		obs_bool("pagemap.untouched.present", (pagemap_entry(a) & PM_PRESENT) != 0);
		a[0] = 1;
		keep(a);
		obs_bool("pagemap.touched.present", (pagemap_entry(a) & PM_PRESENT) != 0);
		obs_bool("pagemap.pfn_visible", pfn_of(a) != 0);
		no_pfn = pfn_of(a) ? NULL : "pfn-not-visible";
	}

	b = map_anon((size_t)pg, 0);
	b[0] = 1;
	keep(b);
	obs_frames("pagemap.private.distinct_frames", no_pfn, pfn_of(a) != pfn_of(b));

	/* one shared page attached twice, at two different page numbers */
	fd = make_memfd((size_t)pg);
	m1 = map_shared(fd, (size_t)pg);
	m2 = map_shared(fd, (size_t)pg);
	obs_bool("pagemap.shared.different_pages",
		 (uintptr_t)m1 / (uintptr_t)pg != (uintptr_t)m2 / (uintptr_t)pg);
	m1[0] = 'A';
	m1[123] = 'B';
	m1[pg - 1] = 'C';
	keep(m1);
	/* the offset within the page survives translation: what was written
	 * at offset X of one page number is at offset X of the other */
	obs_bool("pagemap.shared.offset_kept",
		 m2[0] == 'A' && m2[123] == 'B' && m2[pg - 1] == 'C');
	obs_bool("pagemap.shared.other_offset_differs", m2[124] != 'B');
	obs_frames("pagemap.shared.same_frame", no_pfn, pfn_of(m1) == pfn_of(m2));
	munmap(m1, (size_t)pg);
	munmap(m2, (size_t)pg);
	close(fd);
	munmap(a, (size_t)pg);
	munmap(b, (size_t)pg);
}

/* ---- RAM and swap (proc(5) /proc/meminfo) --------------------------------- */

static void meminfo_section(void)
{
	obs_int("meminfo.mem_total_kib", meminfo_kib("MemTotal"));
	obs_int("meminfo.swap_total_kib", meminfo_kib("SwapTotal"));
}

/* ---- page faults and eviction -------------------------------------------- */

static int on_tmpfs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 &&
	       (sf.f_type == TMPFS_MAGIC || sf.f_type == (typeof(sf.f_type))RAMFS_MAGIC);
}

/* A directory on a file system with a backing store, so that a clean page
 * can be dropped and read back (tmpfs pages are shmem: they only go to
 * swap).  The scratch dir, else a private dir beside the probe binary. */
static const char *disk_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (!on_tmpfs(scratch_dir())) {
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
	fd = (int)SETUP(open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	cleanup_unlink(path);
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

static void evict_fadvise(const char *dir)
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

/* Pin the calling thread to the CPU it is on; OLD gets the mask to give
 * back.  A page the kernel has just added to the page cache waits in that
 * CPU's LRU batch until it is drained, and MADV_PAGEOUT drains only the
 * local CPU's batch (mm/madvise.c lru_add_drain) before it isolates pages:
 * on a busy machine the probe could move between creating the pages and
 * evicting them, leaving them unreachable.  Returns 0 when not pinned. */
static int pin_to_this_cpu(cpu_set_t *old)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*old), old) == -1)
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0;
}

static void evict_pageout(const char *dir)
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
static void evict_anon(void)
{
	size_t len = ANON_PAGES * (size_t)pg;
	char *a = map_anon(len, 0);

	obs_int("evict.anon.pages", ANON_PAGES);
	memset(a, 1, len);
	keep(a);
	obs_outcome("evict.anon.madvise", TRY(hang_ms(), madvise(a, len, MADV_PAGEOUT)));
	obs_int("evict.anon.resident_pages", resident_pages(a, len));
	munmap(a, len);
}

static void evict_section(void)
{
	const char *dir = disk_dir();

	obs_bool("evict.tmp_is_tmpfs", on_tmpfs(scratch_dir()));
	obs_int("evict.file_pages", EVICT_PAGES);
	if (!dir) {
		obs_str("evict.dir", "none");
		obs_skip("evict.fadvise.dontneed", "no-disk-backed-directory");
		obs_skip("evict.pageout.madvise", "no-disk-backed-directory");
	} else {
		evict_fadvise(dir);
		evict_pageout(dir);
	}
	evict_anon();
}

/* ---- overcommit: reserving is not using ----------------------------------- */

/* map LEN bytes of private writable anonymous memory, never touched: OK or
 * the errno */
static void try_reserve(const char *name, long long len, int flags)
{
	void *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	obs_errno(name, p == MAP_FAILED ? errno : 0);
	if (p != MAP_FAILED)
		munmap(p, (size_t)len);
}

/* memory held by the hugetlb pools, which CommitLimit leaves out */
static long long hugetlb_kib(void)
{
	long long kib = meminfo_kib("Hugetlb");	/* Linux 4.18 */
	long long n = meminfo_kib("HugePages_Total");

	if (kib >= 0)
		return kib;
	return n >= 0 ? n * meminfo_kib("Hugepagesize") : -1;
}

/* booted with ignore_rlimit_data (mm/mmap.c core_param): RLIMIT_DATA only
 * warns */
static int boot_ignore_rlimit_data(void)
{
	if (slurp("/proc/cmdline") <= 0)
		return 0;
	for (char *w = strtok(text, " \n"); w; w = strtok(NULL, " \n"))
		if (strncmp(w, "ignore_rlimit_data", 18) == 0 &&
		    (w[18] == '\0' || (w[18] == '=' && strchr("1yY", w[19]))))
			return 1;
	return 0;
}

/* what mode 0 compared a request with before Linux 5.2 (mm/util.c
 * __vm_enough_memory, OVERCOMMIT_GUESS): free pages + page cache - shmem
 * + free swap + reclaimable slab, in KiB */
static long long guess_free_kib(void)
{
	long long f = meminfo_kib("MemFree"), c = meminfo_kib("Cached");
	long long sh = meminfo_kib("Shmem"), sw = meminfo_kib("SwapFree");
	long long sr = meminfo_kib("SReclaimable");

	if (f < 0 || c < 0 || sh < 0 || sw < 0 || sr < 0)
		return -1;
	return f + c - sh + sw + sr;
}

static void overcommit_section(void)
{
	long long mem = meminfo_kib("MemTotal"), swap = meminfo_kib("SwapTotal");
	long long huge = 2 * (mem + swap);
	struct rlimit as, data;

	obs_int("overcommit.mode", sysctl_read("vm.overcommit_memory"));
	obs_int("overcommit.ratio_percent", sysctl_read("vm.overcommit_ratio"));
	obs_int("overcommit.kbytes_kib", sysctl_read("vm.overcommit_kbytes"));
	obs_int("overcommit.commit_limit_kib", meminfo_kib("CommitLimit"));
	obs_int("overcommit.hugetlb_kib", hugetlb_kib());
	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
		obs_int("overcommit.rlimit_as_kib", (long long)(as.rlim_cur / KIB));
	else
		obs_str("overcommit.rlimit_as_kib", "unlimited");
	/* mm/mmap.c may_expand_vm: RLIMIT_DATA caps private writable
	 * mappings too (is_data_mapping), MAP_NORESERVE or not */
	if (getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY)
		obs_int("overcommit.rlimit_data_kib", (long long)(data.rlim_cur / KIB));
	else
		obs_str("overcommit.rlimit_data_kib", "unlimited");
	obs_bool("overcommit.boot_ignore_rlimit_data", boot_ignore_rlimit_data());
	/* the data already counted against RLIMIT_DATA (proc(5) VmData) */
	obs_int("overcommit.vm_data_kib", status_kib("VmData"));

	/* committed just before each attempt: mode 2 judges against it */
	obs_int("overcommit.notes_size_kib", NOTES_BYTES / KIB);
	obs_int("overcommit.notes_size.committed_as_kib", meminfo_kib("Committed_AS"));
	obs_int("overcommit.notes_size.guess_free_kib", guess_free_kib());
	try_reserve("overcommit.notes_size.mmap", NOTES_BYTES, 0);
	obs_int("overcommit.huge_kib", huge);
	obs_int("overcommit.huge.committed_as_kib", meminfo_kib("Committed_AS"));
	if ((unsigned long long)huge * KIB > SIZE_MAX) {
		/* a 32-bit process cannot even ask */
		obs_skip("overcommit.huge.mmap", "length-beyond-size-t");
		obs_skip("overcommit.huge_noreserve.mmap", "length-beyond-size-t");
		return;
	}
	try_reserve("overcommit.huge.mmap", huge * KIB, 0);
	try_reserve("overcommit.huge_noreserve.mmap", huge * KIB, MAP_NORESERVE);
}

/* ---- how wide the address space really is --------------------------------- */

/* bits needed to write ADDR: 47 for 0x7f..., the width of an address,
 * never the address itself */
static int bits_of(uintptr_t addr)
{
	return addr ? 64 - __builtin_clzll((unsigned long long)addr) : 0;
}

/* One page at ADDR, exactly there or not at all (MAP_FIXED_NOREPLACE,
 * Linux 4.17; older kernels take it as a hint, so the result is checked).
 * OK; EEXIST when something is mapped there already (then the address is
 * in range too); ENOMEM when it is beyond the user address space; MOVED
 * when the kernel put it elsewhere. */
static const char *map_exactly(uintptr_t addr)
{
	void *p = mmap((void *)addr, (size_t)pg, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	int err = errno;

	if (p == MAP_FAILED)
		return err == EEXIST ? "EEXIST" : err == ENOMEM ? "ENOMEM" : "other";
	munmap(p, (size_t)pg);
	return (uintptr_t)p == addr ? "OK" : "MOVED";
}

static int mappable(uintptr_t addr)
{
	const char *r = map_exactly(addr);

	return strcmp(r, "OK") == 0 || strcmp(r, "EEXIST") == 0;
}

static void cpu_address_sizes(void)
{
	int phys = -1, virt = -1;
	const char *line;

	/* x86 /proc/cpuinfo: "address sizes : 46 bits physical, 48 bits virtual" */
	if (slurp("/proc/cpuinfo") > 0 && (line = strstr(text, "address sizes")) &&
	    sscanf(strchr(line, ':') + 1, " %d bits physical, %d bits virtual",
		   &phys, &virt) == 2) {
		obs_int("addr.cpu_physical_bits", phys);
		obs_int("addr.cpu_virtual_bits", virt);
	} else {
		obs_skip("addr.cpu_physical_bits", "no-address-sizes-in-cpuinfo");
		obs_skip("addr.cpu_virtual_bits", "no-address-sizes-in-cpuinfo");
	}
	obs_bool("addr.cpu_la57", slurp("/proc/cpuinfo") > 0 && strstr(text, " la57"));
	/* user-mode Linux says "x86_64" in uname but has page tables of its
	 * own (arch/um/kernel/um_arch.c show_cpuinfo: "vendor_id : User Mode
	 * Linux") */
	obs_bool("addr.user_mode_linux", slurp("/proc/cpuinfo") > 0 && strstr(text, "User Mode Linux"));
}

/* x86-64 around 2^47, where 4-level paging ends user space */
static void around_2p47(void)
{
#if UINTPTR_MAX > 0xffffffffu
	uintptr_t at = (uintptr_t)1 << 47;
	void *p;

	obs_str("addr.fixed_last_page_below_2p47", map_exactly(at - (uintptr_t)pg));
	obs_str("addr.fixed_at_2p47", map_exactly(at));
	/* only a hint above 47 bits opens the 56-bit space (x86 5-level
	 * paging); without it the kernel looks below */
	p = mmap((void *)at, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	obs_bool("addr.hint_2p47.at_hint", (uintptr_t)p == at);
	obs_int("addr.hint_2p47.result_bits", bits_of((uintptr_t)p));
	munmap(p, (size_t)pg);
#else
	obs_skip("addr.fixed_last_page_below_2p47", "32-bit-process");
	obs_skip("addr.fixed_at_2p47", "32-bit-process");
	obs_skip("addr.hint_2p47.at_hint", "32-bit-process");
#endif
}

/* More virtual pages than frames: address space only (PROT_NONE and
 * MAP_NORESERVE: no frame, no commit charge, mm/mmap.c accountable_mapping
 * wants VM_WRITE) twice the size of RAM, held while VmSize is read */
static void beyond_ram_section(void)
{
	long long mem = meminfo_kib("MemTotal");
	long long before, after;
	void *p;

	obs_int("pages.beyond_ram.size_kib", 2 * mem);
	if ((unsigned long long)(2 * mem) * KIB > SIZE_MAX / 2) {
		obs_skip("pages.beyond_ram.mmap", "length-beyond-size-t");
		return;
	}
	before = status_kib("VmSize");
	p = mmap(NULL, (size_t)(2 * mem * KIB), PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	obs_errno("pages.beyond_ram.mmap", p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	after = status_kib("VmSize");
	obs_int("pages.beyond_ram.vmsize_delta_kib", after - before);
	munmap(p, (size_t)(2 * mem * KIB));
}

static void address_space_section(void)
{
	int width = (int)sizeof(void *) * CHAR_BIT, top = 0;
	void *p;

	obs_int("addr.pointer_bits", width);
	cpu_address_sizes();

	/* User space is b bits wide when a page at 2^(b-1), the bottom of
	 * the upper half of a b-bit space, can be mapped: the widest such b */
	for (int b = width; b > 1 && !top; b--)
		if (mappable((uintptr_t)1 << (b - 1)))
			top = b;
	obs_int("addr.max_user_bits", top);

	/* where the kernel puts a mapping when asked nothing */
	p = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	obs_int("addr.default_mmap_bits", bits_of((uintptr_t)p));
	munmap(p, (size_t)pg);
	around_2p47();
}

/* ---- top's RES and SHR for shared and private memory ---------------------- */

/* top's RES and SHR: /proc/self/status VmRSS and RssFile + RssShmem (proc(5);
 * statm shows the same counters in pages) */
struct top_view {
	long long res, shr;	/* KiB */
};

static void top_view(struct top_view *t)
{
	t->res = status_kib("VmRSS");
	t->shr = status_kib("RssFile") + status_kib("RssShmem");
}

/* The kernel's online CPUs, which its per-CPU counter batch follows: from
 * /sys/devices/system/cpu/online ("0-3,6"), not sysconf, which musl
 * answers from this process's affinity (1 once the probe pins itself) */
static long online_cpus(void)
{
	char buf[256], *p;
	long n = 0;
	ssize_t len;
	int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return sysconf(_SC_NPROCESSORS_ONLN);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return sysconf(_SC_NPROCESSORS_ONLN);
	buf[len] = '\0';
	for (p = buf; *p >= '0' && *p <= '9';) {
		long lo = strtol(p, &p, 10), hi = lo;

		if (*p == '-')
			hi = strtol(p + 1, &p, 10);
		n += hi - lo + 1;
		if (*p != ',')
			break;
		p++;
	}
	return n > 0 ? n : sysconf(_SC_NPROCESSORS_ONLN);
}

/* Memory to touch: 1 MiB, or 16 per-CPU counter batches (max(32, 2 x online
 * CPUs) pages, lib/percpu_counter.c) where that is more, so that the
 * counters' slack (6.2 to 6.15) stays well below what is measured; at most
 * 64 MiB */
static size_t top_bytes(void)
{
	long cpus = online_cpus();
	long long batch = cpus > 16 ? 2 * cpus : 32;
	long long bytes = 16 * batch * pg;

	if (bytes < TOP_BYTES)
		bytes = TOP_BYTES;
	if (bytes > 64 * MIB)
		bytes = 64 * MIB;
	return (size_t)bytes;
}

static void top_section(void)
{
	size_t len = top_bytes();
	struct top_view t0, t1, t2;
	int fd = make_memfd(len);
	char *shared = map_shared(fd, len);
	char *priv = map_anon(len, 0);

	top_view(&t0);
	memset(shared, 1, len);
	keep(shared);
	top_view(&t1);
	memset(priv, 1, len);
	keep(priv);
	top_view(&t2);

	obs_int("top.touched_kib", (long long)(len / KIB));
	obs_int("top.shared_touch.shr_delta_kib", t1.shr - t0.shr);
	obs_int("top.private_touch.shr_delta_kib", t2.shr - t1.shr);
	obs_int("top.private_touch.res_delta_kib", t2.res - t1.res);
	munmap(shared, len);
	munmap(priv, len);
	close(fd);
}

void probe_main(void)
{
	long long size;

	cpu_set_t all;

	pg = page_size();
	memset(text, 0, sizeof(text));	/* resident before any measurement */
	/* One CPU for the whole run: from 6.2 to 6.15 VmRSS sums the mm's
	 * counters without the per-CPU deltas (lib/percpu_counter.c), each
	 * below one batch; on one CPU, two readings then differ from the
	 * truth by less than two batches whatever the machine's size */
	obs_bool("rss.pinned", pin_to_this_cpu(&all));
	obs_int("rss.online_cpus", online_cpus());
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	page_size_section();
	thp_section();
	size = budget();
	lazy_section(size);
	zero_page_section(size);
	page_table_section();
	meminfo_section();
	evict_section();
	overcommit_section();
	address_space_section();
	beyond_ram_section();
	top_section();
	if (pagemap_fd != -1)
		close(pagemap_fd);
}
