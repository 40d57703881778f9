/*
 * lazy.c - lazy commit, as the notes' section 2 tells it: the notes' new
 * char[512 MiB] experiment at its real size (budget.c scales it down where
 * the machine cannot afford it), with the transparent huge page settings
 * that decide how many pages one fault may map, top's VIRT/RES/SHR
 * while the written block is held, and then a read of untouched memory
 * (zero.c): every step whose VmRSS and page-table growth VM-RSS-COUNTER
 * compares is measured in this one section.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm.h"

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

/* ---- transparent huge pages: what one anonymous fault may map ---------- */

static void thp_settings(void)
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

/* The notes' new char[size] through the C library first: glibc serves a
 * block this size with mmap (mallopt(3) M_MMAP_THRESHOLD) and touches only
 * its header, unless the environment asks it to fill the block
 * (MALLOC_PERTURB_, glibc.malloc.perturb) or to ask for huge pages
 * (glibc.malloc.hugetlb): the case judges this one with meta.env's
 * libc_env. */
static void malloc_block(long long size)
{
	struct snap s0, s1;
	char *p;

	snap(&s0);
	p = malloc((size_t)size);
	obs_errno("lazy.malloc", p ? 0 : errno);
	if (!p)
		return;
	keep(p);
	snap(&s1);
	if (s0.rss < 0 || s1.rss < 0)
		obs_skip("lazy.malloc.rss_delta_kib", "no-smaps-rollup");
	else
		obs_int("lazy.malloc.rss_delta_kib", s1.rss - s0.rss);
	free(p);
}

/* top's view while the written block P is still held (the notes' "VIRT
 * 523m RES 512m" is read then): VIRT and RES are the write_all deltas;
 * SHR from S0 to S3, and what the page tables say is not anonymous */
static void top_held(const struct snap *s0, const struct snap *s3, const char *p)
{
	long long rss, anon;

	obs_int("top.held.shr_delta_kib", s3->shr - s0->shr);
	obs_int("top.held.shr_kib", s3->shr);
	rss = proc_kib("/proc/self/smaps_rollup", "Rss");
	anon = proc_kib("/proc/self/smaps_rollup", "Anonymous");
	if (rss < 0 || anon < 0)
		obs_skip("top.held.rollup_shared_kib", "no-smaps-rollup");
	else
		obs_int("top.held.rollup_shared_kib", rss - anon);
	obs_int("lazy.write_all.anon_huge_kib", region_kib(p, "AnonHugePages"));
}

/* The kernel's part of it, whatever the C library's settings: an anonymous
 * private mapping, which is what malloc asks the kernel for here (mmap(2)),
 * reserved, written 1 MiB, then written all */
static void lazy_mmap(long long size)
{
	long long part = size < PART_BYTES ? size : PART_BYTES;
	struct snap s0, s1, s2, s3;
	char *p;

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
	top_held(&s0, &s3, p);
	munmap(p, (size_t)size);
}

void lazy_commit(void)
{
	long long size;

	obs_bool("rss.pinned", vm_setup());
	obs_int("rss.online_cpus", online_cpus());
	thp_settings();
	size = budget();
	if (size == 0) {
		static const char *const names[] = { "lazy.mmap", "lazy.size_kib", NULL };

		for (int i = 0; names[i]; i++)
			obs_skip(names[i], "memory-not-affordable");
	} else {
		obs_int("lazy.size_kib", size / KIB);
		obs_int("lazy.part_kib", (size < PART_BYTES ? size : PART_BYTES) / KIB);
		lazy_mmap(size);
	}
	zero_page(size);
}

/* malloc's part on its own: a C library that fills the block (or a lie
 * that makes it) costs a pass over it, in this section's time */
void lazy_malloc(void)
{
	long long size;

	vm_setup();
	size = budget_size(NULL);
	if (size == 0)
		obs_skip("lazy.malloc", "memory-not-affordable");
	else
		malloc_block(size);
}
