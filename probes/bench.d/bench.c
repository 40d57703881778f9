/*
 * bench.c - is shared memory really the fastest IPC?  Measures, the way
 * lmbench does, between two processes:
 *
 *   latency     round trip of a 1-byte and a 64-byte message (lat_pipe:
 *               a token bounced between two processes), ns per round trip;
 *   throughput  bulk transfer one way in 4 KiB, 64 KiB and 1 MiB chunks
 *               (bw_pipe: the reader asks for N chunks over a control pipe
 *               and times their arrival), MB/s with MB = 10^6 bytes as in
 *               lmbench;
 *
 * for pipe, FIFO, System V message queue, System V shared memory woken
 * through a futex, System V shared memory busy-waiting (only where two CPUs
 * are free; both processes pinned, the placement recorded), AF_UNIX stream
 * socketpair and TCP on 127.0.0.1, and in the same run the floor: a null
 * system call and single-core memcpy of the same chunk sizes, measured at
 * the start, again (3 samples) before each primitive and at the end, all
 * samples kept: the floor is the best the machine did in this run.  Then the
 * verdict per size and shared-memory method: is shared memory the fastest,
 * its speed relative to the best other primitive, and whether that ordering
 * held in every sample.
 *
 * Method.  Objects are made, the helper forked (its own process group) and
 * one warm-up exchange done before any clock runs; the two processes keep
 * in step over a blocking pipe byte, never signals or sleeps; the clock is
 * CLOCK_MONOTONIC; a sample runs N iterations with N scaled until it lasts
 * at least 50 ms (lmbench's ENOUGH); 11 samples (lmbench's TRIES), median
 * with min and max.  Partial reads are looped.  Every message and chunk is
 * verified: a latency reply is the request with its sequence word inverted,
 * and every chunk carries its sequence number every 512 bytes and in its
 * last 8 bytes, checked on arrival, with the whole content of the last chunk
 * of each sample compared after the clock stops: a fast wrong transfer
 * fails the measurement (EBADMSG), it never wins.  A sample that outlives
 * its deadline is a TIMEOUT and its helper is killed.
 *
 * Shared-memory bulk transfer is copy in, copy out, like read/write: the
 * writer copies its buffer into a slot of a ring in the segment (at least
 * two slots and 64 KiB, a pipe's default capacity), the reader copies the
 * slot into its own buffer.  So what is compared is moving bytes from one
 * process's buffer into another's, which is what the other primitives do.  Message queues carry at most msgmax bytes a message: a
 * larger chunk goes as several messages (bw.msgq.N_bytes.message_bytes).
 *
 * Records only: harness/bench prints, draws and checks the numbers against
 * the floor.  IPCVM_BENCH_QUICK=1 runs 5 short samples (for self-tests);
 * IPCVM_BENCH_SPIN=force|skip overrides the free-CPU test of the
 * busy-waiting variant; IPCVM_BENCH_ONLY=pipe,tcp measures only those
 * primitives (and the floor).
 */

#include "bench.h"

const char PROBE_NAME[] = "bench";
const struct peer_role probe_peers[] = { { 0 } };

const char *const prim_name[NPRIM] = {
	"pipe", "fifo", "msgq", "shm_futex", "shm_spin", "unix", "tcp"
};
const size_t lat_size[NLAT] = { 1, 64 };
const size_t bw_size[NBW] = { 4096, 65536, 1048576 };

struct bench_cfg cfg;
struct result lat_res[NPRIM][NLAT], bw_res[NPRIM][NBW];
struct result null_res, memcpy_res[NBW];
const char *spin_skip;
size_t msgq_piece;

/* IPCVM_BENCH_ONLY=pipe,msgq: measure only these primitives (the floor
 * always); the others are recorded as SKIP */
static int selected(enum prim p)
{
	const char *only = getenv("IPCVM_BENCH_ONLY");
	size_t n = strlen(prim_name[p]);

	if (!only || !*only)
		return 1;
	for (const char *s = only; (s = strstr(s, prim_name[p])); s += n)
		if ((s == only || s[-1] == ',') && (s[n] == ',' || s[n] == '\0'))
			return 1;
	return 0;
}

/* ---- main ------------------------------------------------------------------ */

/* the method, the load and the CPUs at the start, the message queue's
 * limits (a message holds at most msgmax bytes, a queue at most msgmnb;
 * pieces are whole stamp strides) */
static void setup_run(void)
{
	const char *q = getenv("IPCVM_BENCH_QUICK");
	long long msgmax = sysctl_read("kernel.msgmax");
	long long msgmnb = sysctl_read("kernel.msgmnb");

	cfg.quick = q && *q && strcmp(q, "0") != 0;
	cfg.samples = cfg.quick ? 5 : MAX_SAMPLES;
	cfg.min_ns = cfg.quick ? 5000000 : 50000000;
	cfg.target_ns = cfg.min_ns + cfg.min_ns / 5;

	obs_int("method.samples", cfg.samples);
	obs_int("method.floor_samples_between", FLOOR_SAMPLES);
	obs_int("method.sample_min_ms", cfg.min_ns / 1000000);
	obs_bool("method.quick", cfg.quick);
	obs_int("method.mb_bytes", 1000000);
	obs_int("method.stamp_stride_bytes", STAMP_STRIDE);
	obs_int("method.shm_ring_min_slots", RING_MIN_SLOTS);
	obs_int("method.shm_ring_min_bytes", RING_MIN_BYTES);
	obs_int("load.start.loadavg_1min_permille", loadavg_permille());

	SETUP(sched_getaffinity(0, sizeof(allowed), &allowed));
	ncpu_allowed = CPU_COUNT(&allowed);
	obs_int("cpus.online", sysconf(_SC_NPROCESSORS_ONLN));
	obs_int("cpus.allowed", ncpu_allowed);

	if (msgmax <= 0)
		msgmax = 8192;
	if (msgmnb > 0 && msgmnb < msgmax)
		msgmax = msgmnb;
	msgq_piece = (size_t)msgmax / STAMP_STRIDE * STAMP_STRIDE;
	obs_int("limit.msgmax_bytes", sysctl_read("kernel.msgmax"));
	obs_int("limit.msgmnb_bytes", msgmnb);
}

/* every size of primitive P, latency then throughput, each written as
 * soon as it is done; SKIP: recorded, not measured.  The helper runs on
 * CHILD_CPU (-1: anywhere) */
static void measure_prim(enum prim p, int skip, int cpu_a, int child_cpu)
{
	char name[128];

	for (int s = 0; s < NLAT; s++) {
		if (!skip)
			measure_ipc(p, 1, lat_size[s], cpu_a,
				    child_cpu, &lat_res[p][s]);
		snprintf(name, sizeof(name), "lat.%s.%zu_bytes",
			 prim_name[p], lat_size[s]);
		obs_lat(name, &lat_res[p][s]);
	}
	for (int s = 0; s < NBW; s++) {
		if (p == P_MSGQ && msgq_piece == 0) {
			bw_res[p][s].done = 1;
			bw_res[p][s].err = EMSGSIZE;
		} else if (!skip) {
			measure_ipc(p, 0, bw_size[s], cpu_a,
				    child_cpu, &bw_res[p][s]);
		}
		snprintf(name, sizeof(name), "bw.%s.%zu_bytes",
			 prim_name[p], bw_size[s]);
		obs_bw(name, bw_size[s], &bw_res[p][s]);
		if (p == P_MSGQ) {
			snprintf(name, sizeof(name),
				 "bw.msgq.%zu_bytes.message_bytes", bw_size[s]);
			obs_int(name, (long long)(bw_size[s] < msgq_piece ?
						  bw_size[s] : msgq_piece));
		}
	}
}

/* the floor, last, and the verdicts: per size and shared-memory method */
static void finish_run(void)
{
	char name[128];

	measure_floor(cfg.samples);
	obs_lat("floor.null_syscall", &null_res);
	for (int s = 0; s < NBW; s++) {
		snprintf(name, sizeof(name), "floor.memcpy.%zu_bytes", bw_size[s]);
		obs_bw(name, bw_size[s], &memcpy_res[s]);
	}

	for (int s = 0; s < NLAT + NBW; s++) {
		struct result col[NPRIM];
		const char *kind = s < NLAT ? "lat" : "bw";
		size_t size = s < NLAT ? lat_size[s] : bw_size[s - NLAT];

		for (int p = 0; p < NPRIM; p++)
			col[p] = s < NLAT ? lat_res[p][s] : bw_res[p][s - NLAT];
		fastest_overall(kind, size, col);
		verdict(kind, size, P_SHM_FUTEX, col);
		verdict(kind, size, P_SHM_SPIN, col);
	}
	obs_int("load.end.loadavg_1min_permille", loadavg_permille());
}

void probe_main(void)
{
	int cpu_a = -1, cpu_b = -1;
	cpu_set_t saved;

	setup_run();

	/* the floor, first, again before each primitive and last (the load
	 * may change in between): a null system call, single-core memcpy.
	 * Its samples add up: the floor is the best the machine did.  Each IPC measurement is
	 * written as soon as it is done, so a run that is stopped keeps what
	 * it had measured. */
	measure_floor(cfg.samples);

	/* the busy-waiting pair needs two CPUs of its own */
	spin_skip = selected(P_SHM_SPIN) ? spin_cpus(&cpu_a, &cpu_b) :
		"not-selected-by-ipcvm-bench-only";
	if (spin_skip)
		obs_skip("placement.shm_spin", spin_skip);

	for (int p = 0; p < NPRIM; p++) {
		int pin = p == P_SHM_SPIN;
		int skip = (pin && spin_skip) || !selected((enum prim)p);

		if (!skip)
			measure_floor(FLOOR_SAMPLES);

		if (pin && !skip) {
			saved = allowed;
			if (pin_self(cpu_a) == -1)
				probe_fail("sched_setaffinity", errno);
		}
		measure_prim((enum prim)p, skip, cpu_a, pin ? cpu_b : -1);
		if (pin && !skip)
			SETUP(sched_setaffinity(0, sizeof(saved), &saved));
	}

	finish_run();
}
