/*
 * top.c - top's RES and SHR for shared and private memory: touching a
 * shared memfd grows SHR by as much, touching private memory grows RES
 * but not SHR.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

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

void top_shr(void)
{
	struct top_view t0, t1, t2;
	char *shared, *priv;
	size_t len;
	int fd;

	vm_setup();
	len = top_bytes();
	fd = make_memfd(len);
	shared = map_shared(fd, len);
	priv = map_anon(len, 0);

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
