/*
 * pages.c - pages and frames: one page size for sysconf, the aux vector
 * and the kernel; the page table seen through /proc/self/pagemap (page
 * number -> frame number, the offset kept).
 */
#include "config.h"

#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

/* ---- page size: sysconf, the aux vector and the kernel agree ----------- */

void page_sizes(void)
{
	char *p;

	vm_setup();
	p = map_anon((size_t)pg, 0);

	p[0] = 1;
	obs_int("page.sysconf_bytes", pg);
	obs_int("page.auxv_bytes", (long long)getauxval(AT_PAGESZ));
	/* proc(5): KernelPageSize backs the mapping, MMUPageSize is what the
	 * MMU uses for it: the page and the frame */
	obs_int("page.smaps_kernel_page_kib", region_kib(p, "KernelPageSize"));
	obs_int("page.smaps_mmu_page_kib", region_kib(p, "MMUPageSize"));
	munmap(p, (size_t)pg);
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

void page_table(void)
{
	char *a, *b, *m1, *m2;
	const char *no_pfn;
	int fd;

	vm_setup();
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
