/*
 * bench.h - what the files of the bench probe share (see bench.c for the
 * method): the primitives and sizes measured, the results, the buffers as
 * they travel, the channel between the parent and its helper.
 *
 *   bench.c   the run: configuration, the order of measurements, records
 *   wire.c    time and deadlines, data patterns and their verification,
 *             the shared-memory counters (futex-woken or busy-waiting)
 *   chan.c    the IPC primitives: making the objects, the helper process
 *   run.c     timed runs of the IPC primitives, lmbench's sampling loop
 *   floor.c   the floor: a null system call, single-core memcpy
 *   cpus.c    CPUs: placement and the free-CPU test of busy-waiting
 *   report.c  observations of results, the verdicts
 */
#ifndef IPCVM_BENCH_H
#define IPCVM_BENCH_H

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* ---- what is measured ---------------------------------------------------- */

enum prim { P_PIPE, P_FIFO, P_MSGQ, P_SHM_FUTEX, P_SHM_SPIN, P_UNIX, P_TCP,
	    NPRIM };
extern const char *const prim_name[NPRIM];
static inline int is_shm(enum prim p) { return p == P_SHM_FUTEX || p == P_SHM_SPIN; }

#define NLAT 2
#define NBW 3
extern const size_t lat_size[NLAT];
extern const size_t bw_size[NBW];

/* the shared-memory ring holds at least two chunks and at least as much as
 * a pipe does by default, so neither side waits sooner than with a pipe */
enum { MAX_SAMPLES = 11, STAMP_STRIDE = 512, RING_MIN_SLOTS = 2,
       RING_MIN_BYTES = 65536 };
/* samples of the floor taken again before each primitive, beside the full
 * passes at the start and at the end of the run */
enum { FLOOR_SAMPLES = 3 };

struct bench_cfg {
	int samples;		/* per measurement */
	long long min_ns;	/* a sample shorter than this is not kept */
	long long target_ns;	/* what N is scaled for */
	int quick;
};
extern struct bench_cfg cfg;

/* one measurement: per-iteration nanoseconds over the kept samples */
struct result {
	int done;		/* measured (ok or failed) or skipped */
	int ok;
	int err;		/* why not: an errno, ETIMEDOUT, EBADMSG; 0 skip */
	double med, min, max;	/* ns per iteration */
	unsigned long long iters;	/* per sample, the last one kept */
	double v[4 * MAX_SAMPLES + NPRIM * FLOOR_SAMPLES];	/* kept, sorted */
	int nv;
};

extern struct result lat_res[NPRIM][NLAT], bw_res[NPRIM][NBW];
extern struct result null_res, memcpy_res[NBW];
/* why the busy-waiting variant was not measured, or NULL */
extern const char *spin_skip;
extern size_t msgq_piece;	/* bytes per message: msgmax, msgmnb bound */

/* ---- wire.c: time, deadlines, data patterns, shared-memory counters ------ */

long long now_ns(void);
void arm(void);
int disarm(void);

/*
 * A buffer as it travels: LEN logical bytes in pieces of PIECE bytes, each
 * after HDR bytes of header (the mtype of a System V message), STRIDE apart.
 * Every transport but the message queue has one piece and no header.
 */
struct wire {
	char *base;
	size_t len, piece, hdr, stride, npieces;
};

size_t piece_len(const struct wire *w, size_t i);
unsigned char pattern(size_t off);
void wire_init(struct wire *w, size_t len, size_t piece, size_t hdr,
	       long mtype);
void wire_free(struct wire *w);
void stamp(struct wire *w, uint64_t seq);
int stamps_ok(const struct wire *w, uint64_t seq);
int content_ok(const struct wire *w, struct wire *ref, uint64_t seq);
void msg_make(unsigned char *m, size_t len, uint64_t seq);
void msg_reply(unsigned char *m, size_t len);
int reply_ok(const unsigned char *r, const unsigned char *ref,
	     size_t len, uint64_t seq);

/* one counter per direction, each with a flag saying its reader sleeps */
struct shm_area {
	_Alignas(64) uint32_t a_seq;	/* parent -> child: requests, chunks */
	uint32_t a_wait;
	_Alignas(64) uint32_t b_seq;	/* child -> parent: replies, slots freed */
	uint32_t b_wait;
	_Alignas(64) unsigned char msg_a[64];
	_Alignas(64) unsigned char msg_b[64];
};
enum { SLOTS_OFFSET = 4096 };

void post(uint32_t *word, uint32_t *waiting, uint32_t value, int spin);
int wait_for(uint32_t *word, uint32_t *waiting, uint32_t target,
	     int spin, int timed);

/* ---- chan.c: the channel between the parent and its helper --------------- */

struct ready {
	int err;		/* the helper's setup errno, 0 when ready */
	int cpu;		/* where it runs (sched_getcpu) */
};

struct chan {
	enum prim p;
	int lat;		/* 1 round trips, 0 bulk (helper writes) */
	size_t len;		/* message or chunk bytes */
	/* descriptors: the parent's ends, the helper's ends, control */
	int p_in, p_out, c_in, c_out;
	int down[2], up[2];	/* control: parent -> helper, helper -> parent */
	char fifo_a[PATH_MAX], fifo_b[PATH_MAX];
	int msqid;
	size_t piece;		/* message queue: bytes per message */
	struct shm_area *shm;
	char *slots;
	size_t nslots;
	int spin;
	int child_cpu;		/* pin the helper here, or -1 */
	pid_t pid;
	struct ready rd;
	uint64_t seq;		/* next message or chunk */
	/* the parent's buffers */
	unsigned char msg[64], reply[64], ref_msg[64];
	struct wire dst, ref;
};

struct msgbuf64 {
	long mtype;
	unsigned char text[64];
};

int chan_open(struct chan *c, enum prim p, int lat, size_t len,
	      int child_cpu);
void chan_close(struct chan *c);

/* ---- run.c, floor.c: timed runs ------------------------------------------ */

/* one run of N iterations: elapsed ns, or -1 with errno */
typedef long long (*run_fn)(void *ctx, uint64_t n);

void measure_n(run_fn run, void *ctx, struct result *r, int samples);
void measure_ipc(enum prim p, int lat, size_t len, int parent_cpu,
		 int child_cpu, struct result *r);
void measure_floor(int samples);

/* ---- cpus.c ---------------------------------------------------------------- */

extern cpu_set_t allowed;
extern int ncpu_allowed;

int pin_self(int cpu);
const char *spin_cpus(int *a, int *b);

/* ---- report.c -------------------------------------------------------------- */

long long rnd(double x);
void obs_lat(const char *prefix, const struct result *r);
void obs_bw(const char *prefix, size_t bytes, const struct result *r);
void verdict(const char *kind, size_t size, enum prim m,
	     const struct result *res /* [NPRIM] */);
void fastest_overall(const char *kind, size_t size,
		     const struct result *res);
long long loadavg_permille(void);

#endif
