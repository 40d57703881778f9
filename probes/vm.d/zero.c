/*
 * zero.c - reading untouched anonymous memory maps the shared zero page:
 * neither VIRT nor RES grows, and two read pages share one frame until
 * one of them is written.  Part of the lazy_commit section (lazy.c): its
 * read is one of the steps VM-RSS-COUNTER compares.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "vm.h"

static const struct growth_names zero_read = {
	"zero.read.vmsize_delta_kib", "zero.read.vmrss_delta_kib",
	"zero.read.rss_delta_kib", "zero.read.vmrss_minus_rss_kib",
	"zero.read.minor_faults_count",
};

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

/* the region read: room for two pages one PMD apart, PMD-aligned: 3 PMDs
 * (a PMD is 2 MiB with 4K pages, 32 MiB with 16K, 512 MiB with 64K), or
 * ZERO_BYTES if more, within the experiment's SIZE; 0 when SIZE is 0 */
static size_t zero_bytes(long long pmd, long long size)
{
	long long want = pmd > 0 && 3 * pmd > ZERO_BYTES ? 3 * pmd : ZERO_BYTES;

	return (size_t)(size < want ? size : want);
}

void zero_page(long long size)
{
	long long pmd, region0, region1;
	size_t len;
	volatile char sink = 0;
	struct snap s0, s1;
	uint64_t before;
	uintptr_t a;
	char *q;

	pmd = read_ll_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
	len = zero_bytes(pmd, size);
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
