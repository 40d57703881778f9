/*
 * common.c - what every vm section uses: /proc read into a static buffer
 * (no page fault of its own), snapshots of the process's memory, mappings,
 * the page table through /proc/self/pagemap, and each section's setup.
 *
 * Memory is measured three ways: VmSize/VmRSS from /proc/self/status (what
 * top shows), Rss from /proc/self/smaps_rollup (a walk of the page tables,
 * exact on every kernel, unlike VmRSS whose counters are cached per task
 * before 6.2 and read per CPU without summing from 6.2 to 6.15), and
 * minor/major faults from getrusage(2).
 *
 * The probe library's /proc readers (proc.c) read into buffers of their
 * own on the stack; here every text lands in one static buffer made
 * resident before any measurement, and fields are found with strncmp and
 * strtoll (the seam the fault library's /proc lies act at).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vm.h"

long pg;
int pagemap_fd = -1;
char text[1 << 18];

int vm_setup(void)
{
	cpu_set_t all;

	pg = page_size();
	memset(text, 0, sizeof(text));	/* resident before any measurement */
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	return pin_to_this_cpu(&all);
}

/* ---- reading /proc ----------------------------------------------------- */

/* the whole file into text[]; its length, or -1 */
ssize_t slurp(const char *path)
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
long long field_of(const char *s, const char *field)
{
	size_t n = strlen(field);

	for (const char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, field, n) == 0 && p[n] == ':')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

/* FIELD of a /proc file of "Name: value kB" lines (proc(5)) */
long long proc_kib(const char *path, const char *field)
{
	return slurp(path) < 0 ? -1 : field_of(text, field);
}

long long status_kib(const char *field)
{
	return proc_kib("/proc/self/status", field);
}

long long meminfo_kib(const char *field)
{
	return proc_kib("/proc/meminfo", field);
}

/* FIELD of the /proc/self/smaps entry that holds ADDR (proc(5)); -1 if
 * there is none.  Entry headers start with a lower-case hex address,
 * fields with an upper-case name. */
long long region_kib(const void *addr, const char *field)
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
const char *sysfs_choice(const char *path, char *buf, size_t size)
{
	char *open_b, *close_b;

	if (slurp(path) < 0 || !(open_b = strchr(text, '[')) ||
	    !(close_b = strchr(open_b, ']')))
		return NULL;
	snprintf(buf, size, "%.*s", (int)(close_b - open_b - 1), open_b + 1);
	return buf;
}

/* ---- snapshots of the process's memory --------------------------------- */

void snap(struct snap *s)
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

void obs_growth(const struct growth_names *n, const struct snap *from,
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

/* ---- mappings ------------------------------------------------------------ */

/* how many of the pages of [P, P+LEN) mincore(2) says are resident */
long resident_pages(void *p, size_t len)
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

void *map_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	return p;
}

/* a shared memory file of LEN bytes mapped twice or once (memfd_create(2)) */
int make_memfd(size_t len)
{
	int fd = (int)SETUP(memfd_create("ipcvm-vm", MFD_CLOEXEC));

	SETUP(ftruncate(fd, (off_t)len));
	return fd;
}

void *map_shared(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	return p;
}

/* ---- the page table through /proc/self/pagemap ------------------------- */

/* ADDR's pagemap entry (pagemap.rst: one 64-bit entry per virtual page, at
 * offset page number * 8); 0 when it cannot be read */
uint64_t pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	off_t off = (off_t)((uintptr_t)addr / (uintptr_t)pg * sizeof(e));

	if (pagemap_fd == -1 || pread(pagemap_fd, &e, sizeof(e), off) != sizeof(e))
		return 0;
	return e;
}

uint64_t pfn_of(const void *addr)
{
	return pagemap_entry(addr) & PM_PFN_MASK;
}

/* Pin the calling thread to the CPU it is on; OLD gets the mask to give
 * back.  A page the kernel has just added to the page cache waits in that
 * CPU's LRU batch until it is drained, and MADV_PAGEOUT drains only the
 * local CPU's batch (mm/madvise.c lru_add_drain) before it isolates pages:
 * on a busy machine the probe could move between creating the pages and
 * evicting them, leaving them unreachable.  Returns 0 when not pinned. */
int pin_to_this_cpu(cpu_set_t *old)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*old), old) == -1)
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0;
}

/* The kernel's online CPUs, which its per-CPU counter batch follows: from
 * /sys/devices/system/cpu/online ("0-3,6"), not sysconf, which musl
 * answers from this process's affinity (1 once the probe pins itself) */
long online_cpus(void)
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

