/* cpus.c - CPUs: placement and the free-CPU test of busy-waiting
 * (see bench.h) */
#include "bench.h"

/* ---- CPUs: placement and the free-CPU test of busy-waiting ----------- */

cpu_set_t allowed;
int ncpu_allowed;

/* idle time per CPU over a 200 ms window, from /proc/stat, in permille;
 * -1 when unreadable */
static void cpu_idle(int idle[CPU_SETSIZE])
{
	unsigned long long a_idle[CPU_SETSIZE], a_total[CPU_SETSIZE];
	int have[CPU_SETSIZE] = { 0 };

	for (int i = 0; i < CPU_SETSIZE; i++)
		idle[i] = -1;
	for (int pass = 0; pass < 2; pass++) {
		FILE *f = fopen("/proc/stat", "re");
		char line[512];

		if (!f)
			return;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v[8] = { 0 }, tot = 0;
			int cpu;

			if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
				   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				   &v[6], &v[7]) < 5 || cpu < 0 || cpu >= CPU_SETSIZE)
				continue;
			for (int k = 0; k < 8; k++)
				tot += v[k];
			if (pass == 0) {
				a_idle[cpu] = v[3] + v[4];
				a_total[cpu] = tot;
				have[cpu] = 1;
			} else if (have[cpu] && tot > a_total[cpu]) {
				idle[cpu] = (int)((v[3] + v[4] - a_idle[cpu]) * 1000 /
						  (tot - a_total[cpu]));
			}
		}
		fclose(f);
		if (pass == 0) {
			/* a measurement window, not a synchronisation */
			struct timespec ts = { 0, cfg.quick ? 50000000 : 200000000 };

			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
}

int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* the two most idle allowed CPUs for the busy-waiting pair; 0 or a reason */
const char *spin_cpus(int *a, int *b)
{
	static int idle[CPU_SETSIZE];
	const char *mode = getenv("IPCVM_BENCH_SPIN");
	char name[64];
	int force = mode && strcmp(mode, "force") == 0;

	*a = *b = -1;
	if (mode && strcmp(mode, "skip") == 0)
		return "disabled-by-ipcvm-bench-spin";
	if (ncpu_allowed < 2)
		return "fewer-than-two-cpus";
	cpu_idle(idle);
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &allowed))
			continue;
		if (*a == -1 || idle[i] > idle[*a]) {
			*b = *a;
			*a = i;
		} else if (*b == -1 || idle[i] > idle[*b]) {
			*b = i;
		}
		if (idle[i] >= 0) {
			snprintf(name, sizeof(name), "cpus.idle_permille.cpu%d", i);
			obs_int(name, idle[i]);
		}
	}
	obs_bool("placement.shm_spin.forced", force);
	if (force)
		return NULL;
	if (idle[*a] < 0 || idle[*b] < 0)
		return "cpu-idle-time-unreadable";
	if (idle[*a] < 800 || idle[*b] < 800)
		return "two-cpus-not-free";
	return NULL;
}
