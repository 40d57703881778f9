/*
 * overcommit.c - RAM and swap, and overcommit: reserving is not using.
 * The commit limit, the overcommit mode and the rlimits decide whether a
 * private writable mapping that is never touched can be had.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "vm.h"

/* ---- RAM and swap (proc(5) /proc/meminfo) --------------------------------- */

static void meminfo(void)
{
	obs_int("meminfo.mem_total_kib", meminfo_kib("MemTotal"));
	obs_int("meminfo.swap_total_kib", meminfo_kib("SwapTotal"));
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

static void reservations(void)
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

void overcommit(void)
{
	vm_setup();
	meminfo();
	reservations();
}
