/* report.c - observations of the results, the verdicts (see bench.h) */
#include "bench.h"

/* ---- observations ---------------------------------------------------------- */

static const char *outcome_name(const struct result *r)
{
	if (r->ok)
		return "OK";
	if (!r->err)
		return "SKIP";
	if (r->err == ETIMEDOUT)
		return "TIMEOUT";
	return NULL;	/* an errno */
}

static void obs_outcome_of(const char *name, const struct result *r)
{
	const char *o = outcome_name(r);

	if (o)
		obs_str(name, o);
	else
		obs_errno(name, r->err);
}

long long rnd(double x)
{
	return (long long)(x + 0.5);
}

static double mbps(size_t bytes, double ns)
{
	return (double)bytes * 1000.0 / ns;	/* MB = 10^6 bytes, as lmbench */
}

void obs_lat(const char *prefix, const struct result *r)
{
	char name[160];

	snprintf(name, sizeof(name), "%s.outcome", prefix);
	obs_outcome_of(name, r);
	if (!r->ok)
		return;
	snprintf(name, sizeof(name), "%s.median_ns", prefix);
	obs_int(name, rnd(r->med));
	snprintf(name, sizeof(name), "%s.min_ns", prefix);
	obs_int(name, rnd(r->min));
	snprintf(name, sizeof(name), "%s.max_ns", prefix);
	obs_int(name, rnd(r->max));
	snprintf(name, sizeof(name), "%s.iterations", prefix);
	obs_int(name, (long long)r->iters);
	snprintf(name, sizeof(name), "%s.samples", prefix);
	obs_int(name, r->nv);
}

void obs_bw(const char *prefix, size_t bytes, const struct result *r)
{
	char name[160];

	snprintf(name, sizeof(name), "%s.outcome", prefix);
	obs_outcome_of(name, r);
	if (!r->ok)
		return;
	snprintf(name, sizeof(name), "%s.median_mbps", prefix);
	obs_int(name, rnd(mbps(bytes, r->med)));
	snprintf(name, sizeof(name), "%s.min_mbps", prefix);
	obs_int(name, rnd(mbps(bytes, r->max)));
	snprintf(name, sizeof(name), "%s.max_mbps", prefix);
	obs_int(name, rnd(mbps(bytes, r->min)));
	snprintf(name, sizeof(name), "%s.iterations", prefix);
	obs_int(name, (long long)r->iters);
	snprintf(name, sizeof(name), "%s.samples", prefix);
	obs_int(name, r->nv);
}

/*
 * The verdict for shared-memory method M against the best other primitive
 * (pipe, fifo, msgq, unix, tcp) for one size.  Everything is in ns per
 * iteration, lower is faster, for latency and throughput alike.
 * ratio_permille: shm's speed over the best other's, x1000 (above 1000:
 * shm faster).  robust: the ordering holds in every sample: the faster
 * one's slowest sample beats the slower ones' fastest.
 */
void verdict(const char *kind, size_t size, enum prim m,
		    const struct result *res /* [NPRIM] */)
{
	char base[128], name[192];
	const struct result *s = &res[m];
	int best = -1, fastest, robust;
	double others_min = 0;

	snprintf(base, sizeof(base), "verdict.%s.%zu_bytes.%s", kind, size,
		 prim_name[m]);
	for (int p = 0; p < NPRIM; p++) {
		if (is_shm((enum prim)p) || !res[p].ok)
			continue;
		if (best == -1 || res[p].med < res[best].med)
			best = p;
		if (others_min == 0 || res[p].min < others_min)
			others_min = res[p].min;
	}
	snprintf(name, sizeof(name), "%s.shm_is_fastest", base);
	if (!s->ok) {
		obs_skip(name, s->done && s->err ? "shm-measurement-failed" :
			 m == P_SHM_SPIN && spin_skip ? spin_skip :
			 "shm-not-measured");
		return;
	}
	if (best == -1) {
		obs_skip(name, "no-other-primitive-measured");
		return;
	}
	fastest = s->med < res[best].med;
	robust = fastest ? s->max < others_min : res[best].max < s->min;
	obs_bool(name, fastest);
	snprintf(name, sizeof(name), "%s.best_other", base);
	obs_str(name, prim_name[best]);
	snprintf(name, sizeof(name), "%s.ratio_permille", base);
	obs_int(name, rnd(res[best].med / s->med * 1000.0));
	snprintf(name, sizeof(name), "%s.robust", base);
	obs_bool(name, robust);
}

/* the fastest of all primitives measured, shm included */
void fastest_overall(const char *kind, size_t size,
			    const struct result *res)
{
	char name[128];
	int best = -1;

	for (int p = 0; p < NPRIM; p++)
		if (res[p].ok && (best == -1 || res[p].med < res[best].med))
			best = p;
	snprintf(name, sizeof(name), "verdict.%s.%zu_bytes.fastest", kind, size);
	if (best == -1)
		obs_skip(name, "nothing-measured");
	else
		obs_str(name, prim_name[best]);
}

long long loadavg_permille(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	double l = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lf", &l) != 1)
		l = -1;
	fclose(f);
	return l < 0 ? -1 : rnd(l * 1000.0);
}
