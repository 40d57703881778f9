/*
 * vm.h - what the vm probe's files share: the sizes of the experiments,
 * the /proc readers that add no page fault of their own, snapshots of the
 * process's memory, the page table through /proc/self/pagemap, and the
 * sections (vm.c lists them in probe_sections[]).
 */
#ifndef IPCVM_VM_H
#define IPCVM_VM_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe.h"

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

extern long pg;			/* the page size in bytes */
extern int pagemap_fd;		/* /proc/self/pagemap, or -1 */
/* Every /proc text lands here: static and touched before any measurement,
 * so that reading /proc adds no resident page and no fault of its own. */
extern char text[1 << 18];

/* Each section's first call: the page size, text[] resident, the
 * process pinned to its CPU (1 if pinned: see pin_to_this_cpu) and
 * pagemap_fd opened.  One CPU for the whole section: from 6.2 to 6.15
 * VmRSS sums the mm's counters without the per-CPU deltas
 * (lib/percpu_counter.c), each below one batch; on one CPU, two readings
 * then differ from the truth by less than two batches whatever the
 * machine's size. */
int vm_setup(void);

/* ---- reading /proc (common.c) ------------------------------------------ */

/* the whole file into text[]; its length, or -1 */
ssize_t slurp(const char *path);
/* the number after "FIELD:" at the start of a line of S; -1 if none */
long long field_of(const char *s, const char *field);
/* FIELD of a /proc file of "Name: value kB" lines (proc(5)) */
long long proc_kib(const char *path, const char *field);
long long status_kib(const char *field);
long long meminfo_kib(const char *field);
/* FIELD of the /proc/self/smaps entry that holds ADDR; -1 if none */
long long region_kib(const void *addr, const char *field);
/* a one-word sysfs setting shown as "a [b] c": the bracketed word */
const char *sysfs_choice(const char *path, char *buf, size_t size);
/* the kernel's online CPUs (/sys/devices/system/cpu/online) */
long online_cpus(void);

/* ---- snapshots and memory (common.c) ------------------------------------- */

struct snap {
	long long vmsize, vmrss;	/* KiB, /proc/self/status */
	long long shr;			/* KiB, RssFile + RssShmem: top's SHR */
	long long rss;			/* KiB, /proc/self/smaps_rollup */
	long long minflt, majflt;	/* getrusage(2) */
};
void snap(struct snap *s);

/* the names of one step's growth, spelled out where they are defined so
 * that grep finds each */
struct growth_names {
	const char *vmsize, *vmrss, *rss, *vmrss_minus_rss, *minor_faults;
};
/* STEP.{vmsize,vmrss,rss}_delta_kib from FROM to TO, and the minor faults
 * taken since PREV */
void obs_growth(const struct growth_names *n, const struct snap *from,
		const struct snap *prev, const struct snap *to);

/* keep stores to P even though nothing reads them before free/munmap */
static inline void keep(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* how many of the pages of [P, P+LEN) mincore(2) says are resident */
long resident_pages(void *p, size_t len);
void *map_anon(size_t len, int flags);
/* a shared memory file of LEN bytes (memfd_create(2)), mapped with
 * map_shared once or twice */
int make_memfd(size_t len);
void *map_shared(int fd, size_t len);
/* ADDR's pagemap entry; 0 when it cannot be read */
uint64_t pagemap_entry(const void *addr);
uint64_t pfn_of(const void *addr);
/* pin the calling thread to the CPU it is on; OLD gets the mask to give
 * back.  0 when not pinned. */
int pin_to_this_cpu(cpu_set_t *old);

/* ---- the experiment's size (budget.c) ------------------------------------ */

/* the size the lazy experiment uses, recorded as budget.* */
long long budget(void);
/* the same size, not recorded */
long long budget_size(const char **limited_by);

/* ---- the sections ---------------------------------------------------------- */

void page_sizes(void);		/* pages.c */
void page_table(void);		/* pages.c */
void lazy_commit(void);		/* lazy.c */
void lazy_malloc(void);		/* lazy.c */
/* part of lazy_commit: the read of untouched memory, within SIZE */
void zero_page(long long size);	/* zero.c */
void evict_fadvise(void);	/* evict.c */
void evict_pageout(void);	/* evict.c */
void evict_anon(void);		/* evict.c */
void overcommit(void);		/* overcommit.c */
void address_space(void);	/* addr.c */
void beyond_ram(void);		/* addr.c */
void top_shr(void);		/* top.c */

#endif
