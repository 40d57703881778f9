/* floor.c - the floor measured in the same run: a null system call,
 * single-core memcpy (see bench.h) */
#include "bench.h"

static long long run_null(void *ctx, uint64_t n)
{
	long long t0, t1;

	(void)ctx;
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	return t1 - t0;
}

struct copy {
	char *src, *dst;
	size_t len;
};

static long long run_memcpy(void *ctx, uint64_t n)
{
	struct copy *m = ctx;
	long long t0, t1;

	memset(m->dst, 0, m->len);
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		memcpy(m->dst, m->src, m->len);
		/* every copy happens: the compiler may not fold them */
		__asm__ __volatile__("" : : "r"(m->dst) : "memory");
	}
	t1 = now_ns();
	if (memcmp(m->dst, m->src, m->len)) {
		errno = EBADMSG;
		return -1;
	}
	return t1 - t0;
}

/* one pass of the floor, SAMPLES of each: its samples add to those of the
 * other passes, so the floor is the best the machine did in this run */
void measure_floor(int samples)
{
	measure_n(run_null, NULL, &null_res, samples);
	for (int s = 0; s < NBW; s++) {
		struct copy m = { malloc(bw_size[s]), malloc(bw_size[s]), bw_size[s] };

		if (!m.src || !m.dst)
			probe_fail("malloc", ENOMEM);
		for (size_t i = 0; i < m.len; i++)
			m.src[i] = (char)pattern(i);
		run_memcpy(&m, 1);	/* warm-up */
		measure_n(run_memcpy, &m, &memcpy_res[s], samples);
		free(m.src);
		free(m.dst);
	}
}

