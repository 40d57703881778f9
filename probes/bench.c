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

const char PROBE_NAME[] = "bench";
const struct peer_role probe_peers[] = { { 0 } };

/* ---- what is measured ---------------------------------------------------- */

enum prim { P_PIPE, P_FIFO, P_MSGQ, P_SHM_FUTEX, P_SHM_SPIN, P_UNIX, P_TCP,
	    NPRIM };
static const char *const prim_name[NPRIM] = {
	"pipe", "fifo", "msgq", "shm_futex", "shm_spin", "unix", "tcp"
};
static int is_shm(enum prim p) { return p == P_SHM_FUTEX || p == P_SHM_SPIN; }

#define NLAT 2
#define NBW 3
static const size_t lat_size[NLAT] = { 1, 64 };
static const size_t bw_size[NBW] = { 4096, 65536, 1048576 };

/* the shared-memory ring holds at least two chunks and at least as much as
 * a pipe does by default, so neither side waits sooner than with a pipe */
enum { MAX_SAMPLES = 11, STAMP_STRIDE = 512, RING_MIN_SLOTS = 2,
       RING_MIN_BYTES = 65536 };
/* samples of the floor taken again before each primitive, beside the full
 * passes at the start and at the end of the run */
enum { FLOOR_SAMPLES = 3 };

static struct {
	int samples;		/* per measurement */
	long long min_ns;	/* a sample shorter than this is not kept */
	long long target_ns;	/* what N is scaled for */
	int quick;
} cfg;

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

static struct result lat_res[NPRIM][NLAT], bw_res[NPRIM][NBW];
static struct result null_res, memcpy_res[NBW];
/* why the busy-waiting variant was not measured, or NULL */
static const char *spin_skip;

/* ---- time, deadlines ----------------------------------------------------- */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Blocking calls of the parent are bounded by the itimer of probe.h (they
 * fail with EINTR when it fires); busy-waits look at this instead. */
static long long spin_deadline;

static void arm(void)
{
	spin_deadline = now_ns() + (long long)hang_ms() * 1000000LL;
	deadline_start(hang_ms());
}

/* 1 when the deadline fired */
static int disarm(void)
{
	return deadline_stop();
}

/* ---- data patterns and verification --------------------------------------- */

/*
 * A buffer as it travels: LEN logical bytes in pieces of PIECE bytes, each
 * after HDR bytes of header (the mtype of a System V message), STRIDE apart.
 * Every transport but the message queue has one piece and no header.
 */
struct wire {
	char *base;
	size_t len, piece, hdr, stride, npieces;
};

static char *wire_at(const struct wire *w, size_t off)
{
	return w->base + off / w->piece * w->stride + w->hdr + off % w->piece;
}

static size_t piece_len(const struct wire *w, size_t i)
{
	return i + 1 < w->npieces ? w->piece : w->len - i * w->piece;
}

static unsigned char pattern(size_t off)
{
	return (unsigned char)((off * 131u) ^ (off >> 8) ^ 0x5a);
}

static void wire_init(struct wire *w, size_t len, size_t piece, size_t hdr,
		      long mtype)
{
	void *p;

	w->len = len;
	w->piece = piece;
	w->hdr = hdr;
	w->stride = hdr + piece;
	w->npieces = (len + piece - 1) / piece;
	if (posix_memalign(&p, 4096, w->npieces * w->stride))
		probe_fail("posix_memalign", ENOMEM);
	w->base = p;
	for (size_t i = 0; i < w->npieces; i++)
		if (hdr)
			memcpy(w->base + i * w->stride, &mtype, sizeof(mtype));
	for (size_t off = 0; off < len; off++)
		*wire_at(w, off) = (char)pattern(off);
}

static void wire_free(struct wire *w)
{
	free(w->base);
	w->base = NULL;
}

static uint64_t stamp_value(uint64_t seq, size_t off)
{
	return 0x6970637662656e63ULL ^ (seq << 24) ^ off;
}

/* the chunk's sequence number every STAMP_STRIDE bytes and at its end;
 * pieces are multiples of STAMP_STRIDE, so no stamp straddles two */
static void stamp(struct wire *w, uint64_t seq)
{
	uint64_t v;
	size_t off;

	for (off = 0; off + 8 <= w->len; off += STAMP_STRIDE) {
		v = stamp_value(seq, off);
		memcpy(wire_at(w, off), &v, 8);
	}
	v = stamp_value(seq, w->len - 8);
	memcpy(wire_at(w, w->len - 8), &v, 8);
}

static int stamps_ok(const struct wire *w, uint64_t seq)
{
	uint64_t v;
	size_t off;

	for (off = 0; off + 8 <= w->len; off += STAMP_STRIDE) {
		memcpy(&v, wire_at(w, off), 8);
		if (v != stamp_value(seq, off))
			return 0;
	}
	memcpy(&v, wire_at(w, w->len - 8), 8);
	return v == stamp_value(seq, w->len - 8);
}

/* every byte: REF (the pattern) stamped with SEQ must equal W */
static int content_ok(const struct wire *w, struct wire *ref, uint64_t seq)
{
	stamp(ref, seq);
	for (size_t i = 0; i < w->npieces; i++)
		if (memcmp(w->base + i * w->stride + w->hdr,
			   ref->base + i * ref->stride + ref->hdr,
			   piece_len(w, i)))
			return 0;
	return 1;
}

/* a latency message: its first word (or byte) is the sequence number, the
 * rest the pattern; the reply is the same with that word inverted */
static void msg_make(unsigned char *m, size_t len, uint64_t seq)
{
	if (len >= 8)
		memcpy(m, &seq, 8);
	else
		m[0] = (unsigned char)seq;
}

static void msg_reply(unsigned char *m, size_t len)
{
	size_t n = len >= 8 ? 8 : len;

	for (size_t i = 0; i < n; i++)
		m[i] = (unsigned char)~m[i];
}

static int reply_ok(const unsigned char *r, const unsigned char *ref,
		    size_t len, uint64_t seq)
{
	if (len >= 8) {
		uint64_t v;

		memcpy(&v, r, 8);
		return v == ~seq && memcmp(r + 8, ref + 8, len - 8) == 0;
	}
	return r[0] == (unsigned char)~(unsigned char)seq;
}

/* ---- shared memory: futex-woken or busy-waiting counters -------------- */

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

static long futex(uint32_t *word, int op, uint32_t val)
{
	/* not FUTEX_PRIVATE_FLAG: the word is in memory two processes share */
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* publish VALUE; wake the reader only when it said it sleeps */
static void post(uint32_t *word, uint32_t *waiting, uint32_t value, int spin)
{
	__atomic_store_n(word, value, __ATOMIC_SEQ_CST);
	if (!spin && __atomic_load_n(waiting, __ATOMIC_SEQ_CST))
		futex(word, FUTEX_WAKE, 1);
}

/*
 * Wait until WORD has reached TARGET (serial arithmetic).  The waiter sets
 * WAITING before it looks again and sleeps only on the value it saw, the
 * poster stores before it looks at WAITING: one of them sees the other.
 * TIMED: the parent, whose wait ends at the deadline (-1, ETIMEDOUT).
 */
static int wait_for(uint32_t *word, uint32_t *waiting, uint32_t target,
		    int spin, int timed)
{
	unsigned spins = 0;
	uint32_t cur;

	for (;;) {
		cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		if ((int32_t)(cur - target) >= 0)
			return 0;
		if (spin) {
			cpu_relax();
			if (timed && (++spins & 0x3fff) == 0 &&
			    now_ns() > spin_deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		__atomic_store_n(waiting, 1, __ATOMIC_SEQ_CST);
		cur = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if ((int32_t)(cur - target) < 0 &&
		    futex(word, FUTEX_WAIT, cur) == -1 && errno == EINTR &&
		    timed) {
			__atomic_store_n(waiting, 0, __ATOMIC_SEQ_CST);
			errno = ETIMEDOUT;
			return -1;
		}
		__atomic_store_n(waiting, 0, __ATOMIC_SEQ_CST);
	}
}

/* ---- the channel between the parent and its helper --------------------- */

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

static int child_fail(struct chan *c, int err)
{
	struct ready rd = { err ? err : EIO, -1 };

	(void)!write(c->up[1], &rd, sizeof(rd));
	return 1;
}

/* the helper: the other end of a round trip, or the writer of chunks */
static int helper(void *arg)
{
	struct chan *c = arg;
	struct wire src = { 0 };
	unsigned char buf[64];
	uint64_t seq = 0;

	setpgid(0, 0);
	close(c->down[1]);
	close(c->up[0]);
	if (c->p_in >= 0)
		close(c->p_in);
	if (c->p_out >= 0 && c->p_out != c->p_in)
		close(c->p_out);
	if (c->child_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c->child_cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) == -1)
			return child_fail(c, errno);
	}
	if (c->p == P_FIFO) {
		if (c->lat) {
			c->c_in = open(c->fifo_a, O_RDONLY | O_CLOEXEC);
			c->c_out = open(c->fifo_b, O_WRONLY | O_CLOEXEC);
		} else {
			c->c_out = open(c->fifo_a, O_WRONLY | O_CLOEXEC);
		}
		if ((c->lat && c->c_in == -1) || c->c_out == -1)
			return child_fail(c, errno);
	}
	if (!c->lat) {
		if (c->p == P_MSGQ)
			wire_init(&src, c->len, c->piece, sizeof(long), 1);
		else
			wire_init(&src, c->len, c->len, 0, 0);
	}
	c->rd.err = 0;
	c->rd.cpu = sched_getcpu();
	if (write_all(c->up[1], &c->rd, sizeof(c->rd)) != sizeof(c->rd))
		return 1;

	if (c->lat) {
		struct msgbuf64 mb;

		for (;; seq++) {
			switch (c->p) {
			case P_MSGQ:
				if (msgrcv(c->msqid, &mb, c->len, 1, 0) != (ssize_t)c->len)
					return 1;
				msg_reply(mb.text, c->len);
				mb.mtype = 2;
				if (msgsnd(c->msqid, &mb, c->len, 0) == -1)
					return 1;
				break;
			case P_SHM_FUTEX:
			case P_SHM_SPIN:
				wait_for(&c->shm->a_seq, &c->shm->a_wait,
					 (uint32_t)(seq + 1), c->spin, 0);
				memcpy(buf, c->shm->msg_a, c->len);
				msg_reply(buf, c->len);
				memcpy(c->shm->msg_b, buf, c->len);
				post(&c->shm->b_seq, &c->shm->b_wait,
				     (uint32_t)(seq + 1), c->spin);
				break;
			default:
				if (read_full(c->c_in, buf, c->len) != (ssize_t)c->len)
					return 1;
				msg_reply(buf, c->len);
				if (write_all(c->c_out, buf, c->len) != (ssize_t)c->len)
					return 1;
				break;
			}
		}
	}

	/* bulk: write N chunks each time the parent asks for N (bw_pipe) */
	for (;;) {
		uint64_t n;

		if (read_full(c->down[0], &n, sizeof(n)) != sizeof(n))
			return 0;	/* the parent is done */
		for (uint64_t i = 0; i < n; i++, seq++) {
			stamp(&src, seq);
			switch (c->p) {
			case P_MSGQ:
				for (size_t k = 0; k < src.npieces; k++)
					if (msgsnd(c->msqid, src.base + k * src.stride,
						   piece_len(&src, k), 0) == -1)
						return 1;
				break;
			case P_SHM_FUTEX:
			case P_SHM_SPIN:
				/* slot seq % nslots is free once the reader has
				 * freed chunk seq - nslots.  A full ring of 4 slots
				 * or more is left to drain by half before the writer
				 * goes on, so that a writer woken from the futex
				 * does not go back to sleep after one chunk */
				uint32_t need = (uint32_t)(seq + 1 - c->nslots);

				if ((int32_t)(__atomic_load_n(&c->shm->b_seq, __ATOMIC_ACQUIRE) - need) < 0 &&
				    c->nslots >= 4)
					need += (uint32_t)(c->nslots / 2 - 1);
				wait_for(&c->shm->b_seq, &c->shm->b_wait, need,
					 c->spin, 0);
				memcpy(c->slots + (seq % c->nslots) * c->len, src.base, c->len);
				post(&c->shm->a_seq, &c->shm->a_wait,
				     (uint32_t)(seq + 1), c->spin);
				break;
			default:
				if (write_all(c->c_out, src.base, c->len) != (ssize_t)c->len)
					return 1;
				break;
			}
		}
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int make_fifo(char *path, size_t size, const char *name)
{
	sigset_t old;
	int err = 0;

	scratch_path(path, size, name);
	hold_signals(&old);
	if (mkfifo(path, 0600) == -1)
		err = errno;
	else
		cleanup_unlink(path);
	release_signals(&old);
	return err;
}

static void drop_fifo(char *path)
{
	if (!path[0])
		return;
	unlink(path);
	cleanup_done_path(path);
	path[0] = '\0';
}

/* both ends of a loopback TCP connection on a port the kernel chose */
static int tcp_pair(int fds[2])
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1, l, err;

	fds[0] = fds[1] = -1;
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l == -1)
		return errno;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sa, &sl) == -1 ||
	    (fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    TRY(hang_ms(), connect(fds[0], (struct sockaddr *)&sa, sizeof(sa))).ret == -1 ||
	    (fds[1] = TRY(hang_ms(), accept4(l, NULL, NULL, SOCK_CLOEXEC)).ret) == -1) {
		err = errno ? errno : EIO;
		close(l);
		close_fd(&fds[0]);
		close_fd(&fds[1]);
		return err;
	}
	close(l);
	setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

static size_t msgq_piece;	/* bytes per message: msgmax, msgmnb bound */

static void chan_close(struct chan *c)
{
	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);
		reap(c->pid, hang_ms());
		c->pid = 0;
	}
	if (c->p_out == c->p_in)
		c->p_out = -1;
	close_fd(&c->p_in);
	close_fd(&c->p_out);
	close_fd(&c->c_in);
	close_fd(&c->c_out);
	close_fd(&c->down[0]);
	close_fd(&c->down[1]);
	close_fd(&c->up[0]);
	close_fd(&c->up[1]);
	drop_fifo(c->fifo_a);
	drop_fifo(c->fifo_b);
	if (c->msqid >= 0) {
		msgctl(c->msqid, IPC_RMID, NULL);
		cleanup_done_msgq(c->msqid);
		c->msqid = -1;
	}
	if (c->shm) {
		shmdt(c->shm);
		c->shm = NULL;
	}
	wire_free(&c->dst);
	wire_free(&c->ref);
}

/*
 * Make the objects, fork the helper, wait for its ready message.  Returns 0
 * or the errno that stopped it (ETIMEDOUT when the helper never came).
 */
static int chan_open(struct chan *c, enum prim p, int lat, size_t len,
		     int child_cpu)
{
	int fds[2], err = 0;
	sigset_t old;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->lat = lat;
	c->len = len;
	c->p_in = c->p_out = c->c_in = c->c_out = -1;
	c->down[0] = c->down[1] = c->up[0] = c->up[1] = -1;
	c->msqid = -1;
	c->child_cpu = child_cpu;
	c->spin = p == P_SHM_SPIN;

	SETUP(pipe2(c->down, O_CLOEXEC));
	SETUP(pipe2(c->up, O_CLOEXEC));
	switch (p) {
	case P_PIPE:
		SETUP(pipe2(fds, O_CLOEXEC));
		c->p_in = fds[0];
		c->c_out = fds[1];
		if (lat) {
			SETUP(pipe2(fds, O_CLOEXEC));
			c->c_in = fds[0];
			c->p_out = fds[1];
		}
		break;
	case P_FIFO:
		if ((err = make_fifo(c->fifo_a, sizeof(c->fifo_a), "a")) ||
		    (lat && (err = make_fifo(c->fifo_b, sizeof(c->fifo_b), "b"))))
			return err;
		break;
	case P_MSGQ:
		hold_signals(&old);
		c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		err = errno;
		if (c->msqid != -1)
			cleanup_msgq(c->msqid);
		release_signals(&old);
		if (c->msqid == -1)
			return err;
		c->piece = len < msgq_piece ? len : msgq_piece;
		break;
	case P_SHM_FUTEX:
	case P_SHM_SPIN: {
		size_t size;
		int id;
		void *a;

		c->nslots = RING_MIN_BYTES / len;
		if (c->nslots < RING_MIN_SLOTS)
			c->nslots = RING_MIN_SLOTS;
		size = SLOTS_OFFSET + (lat ? 0 : c->nslots * len);

		hold_signals(&old);
		id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
		err = errno;
		if (id != -1)
			cleanup_shm(id);
		release_signals(&old);
		if (id == -1)
			return err;
		a = shmat(id, NULL, 0);
		err = errno;
		/* gone from the namespace at once; the mapping (inherited by
		 * the helper) keeps it alive until both detach */
		shmctl(id, IPC_RMID, NULL);
		cleanup_done_shm(id);
		if (a == (void *)-1)
			return err;
		c->shm = a;
		c->slots = (char *)a + SLOTS_OFFSET;
		memset(a, 0, size);
		break;
	}
	case P_UNIX:
		SETUP(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
		c->p_in = c->p_out = fds[0];
		c->c_in = c->c_out = fds[1];
		break;
	case P_TCP:
		if ((err = tcp_pair(fds)))
			return err;
		c->p_in = c->p_out = fds[0];
		c->c_in = c->c_out = fds[1];
		break;
	case NPRIM:
		break;
	}
	if (!lat) {
		if (p == P_MSGQ) {
			wire_init(&c->dst, len, c->piece, sizeof(long), 1);
			wire_init(&c->ref, len, c->piece, sizeof(long), 1);
		} else {
			wire_init(&c->dst, len, len, 0, 0);
			wire_init(&c->ref, len, len, 0, 0);
		}
	} else {
		for (size_t i = 0; i < sizeof(c->ref_msg); i++)
			c->ref_msg[i] = pattern(i);
	}

	c->pid = spawn(helper, c);
	setpgid(c->pid, c->pid);	/* whichever of the two runs first */
	close_fd(&c->down[0]);
	close_fd(&c->up[1]);
	/* the helper's ends are the helper's (a socket is one descriptor) */
	if (c->c_out == c->c_in)
		c->c_out = -1;
	close_fd(&c->c_in);
	close_fd(&c->c_out);
	if (p == P_FIFO) {
		struct outcome o;

		if (lat) {
			o = TRY(hang_ms(), open(c->fifo_a, O_WRONLY | O_CLOEXEC));
			c->p_out = (int)o.ret;
			if (o.ret != -1) {
				o = TRY(hang_ms(), open(c->fifo_b, O_RDONLY | O_CLOEXEC));
				c->p_in = (int)o.ret;
			}
		} else {
			o = TRY(hang_ms(), open(c->fifo_a, O_RDONLY | O_CLOEXEC));
			c->p_in = (int)o.ret;
		}
		if (o.ret == -1)
			return o.timed_out ? ETIMEDOUT : o.err;
		/* open at both ends: the names are no longer needed */
		drop_fifo(c->fifo_a);
		drop_fifo(c->fifo_b);
	}
	struct outcome o = TRY(hang_ms(), read_full(c->up[0], &c->rd, sizeof(c->rd)));
	if (o.ret != (long)sizeof(c->rd))
		return o.timed_out ? ETIMEDOUT : EPIPE;
	return c->rd.err;
}

/* ---- timed runs ------------------------------------------------------------ */

/* one run of N iterations: elapsed ns, or -1 with errno */
typedef long long (*run_fn)(void *ctx, uint64_t n);

static int fail_errno(int fired, int err)
{
	return fired ? ETIMEDOUT : (err ? err : EPIPE);
}

static long long run_lat(void *ctx, uint64_t n)
{
	struct chan *c = ctx;
	struct msgbuf64 mb;
	long long t0, t1;
	int bad = 0, err = 0, fired;
	size_t len = c->len;

	memcpy(c->msg, c->ref_msg, sizeof(c->msg));
	memcpy(mb.text, c->ref_msg, sizeof(mb.text));
	arm();
	t0 = now_ns();
	for (uint64_t i = 0; i < n && !bad && !err; i++, c->seq++) {
		switch (c->p) {
		case P_MSGQ:
			mb.mtype = 1;
			msg_make(mb.text, len, c->seq);
			if (msgsnd(c->msqid, &mb, len, 0) == -1 ||
			    msgrcv(c->msqid, &mb, len, 2, 0) != (ssize_t)len) {
				err = errno;
				break;
			}
			bad = !reply_ok(mb.text, c->ref_msg, len, c->seq);
			memcpy(mb.text, c->ref_msg, len);
			break;
		case P_SHM_FUTEX:
		case P_SHM_SPIN:
			msg_make(c->msg, len, c->seq);
			memcpy(c->shm->msg_a, c->msg, len);
			post(&c->shm->a_seq, &c->shm->a_wait,
			     (uint32_t)(c->seq + 1), c->spin);
			if (wait_for(&c->shm->b_seq, &c->shm->b_wait,
				     (uint32_t)(c->seq + 1), c->spin, 1) == -1) {
				err = errno;
				break;
			}
			memcpy(c->reply, c->shm->msg_b, len);
			bad = !reply_ok(c->reply, c->ref_msg, len, c->seq);
			break;
		default:
			msg_make(c->msg, len, c->seq);
			if (write_all(c->p_out, c->msg, len) != (ssize_t)len ||
			    read_full(c->p_in, c->reply, len) != (ssize_t)len) {
				err = errno;
				break;
			}
			bad = !reply_ok(c->reply, c->ref_msg, len, c->seq);
			break;
		}
	}
	t1 = now_ns();
	fired = disarm();
	if (err || fired) {
		errno = fail_errno(fired, err);
		return -1;
	}
	if (bad) {
		errno = EBADMSG;
		return -1;
	}
	return t1 - t0;
}

static int recv_chunk(struct chan *c)
{
	struct wire *w = &c->dst;

	switch (c->p) {
	case P_MSGQ:
		for (size_t k = 0; k < w->npieces; k++) {
			ssize_t want = (ssize_t)piece_len(w, k);

			if (msgrcv(c->msqid, w->base + k * w->stride, (size_t)want,
				   1, 0) != want)
				return -1;
		}
		return 0;
	case P_SHM_FUTEX:
	case P_SHM_SPIN:
		if (wait_for(&c->shm->a_seq, &c->shm->a_wait,
			     (uint32_t)(c->seq + 1), c->spin, 1) == -1)
			return -1;
		memcpy(w->base, c->slots + (c->seq % c->nslots) * c->len, c->len);
		post(&c->shm->b_seq, &c->shm->b_wait, (uint32_t)(c->seq + 1),
		     c->spin);
		return 0;
	default:
		/* partial reads are looped: a pipe hands out at most what its
		 * buffer holds */
		return read_full(c->p_in, w->base, c->len) == (ssize_t)c->len ? 0 : -1;
	}
}

static long long run_bw(void *ctx, uint64_t n)
{
	struct chan *c = ctx;
	long long t0, t1;
	int bad = 0, err = 0, fired;

	arm();
	t0 = now_ns();
	/* bw_pipe: the reader asks for N chunks, then times their arrival */
	if (write_all(c->down[1], &n, sizeof(n)) != sizeof(n))
		err = errno;
	for (uint64_t i = 0; i < n && !bad && !err; i++, c->seq++) {
		errno = 0;
		if (recv_chunk(c) == -1)
			err = errno;
		else
			bad = !stamps_ok(&c->dst, c->seq);
	}
	t1 = now_ns();
	fired = disarm();
	if (err || fired) {
		errno = fail_errno(fired, err);
		return -1;
	}
	/* after the clock: every byte of the last chunk */
	if (bad || !content_ok(&c->dst, &c->ref, c->seq - 1)) {
		errno = EBADMSG;
		return -1;
	}
	return t1 - t0;
}

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * lmbench's loop: scale N until a run lasts long enough, keep runs of at
 * least cfg.min_ns until there are SAMPLES of them; median, min, max of the
 * time per iteration.  Another call adds its samples to those kept (the
 * floor is measured several times over the run).
 */
static void measure_n(run_fn run, void *ctx, struct result *r, int samples)
{
	double *v = r->v + r->nv;
	uint64_t n = 1;
	int got = 0, tries = 0;

	r->done = 1;
	if (r->err || r->nv + samples > (int)(sizeof(r->v) / sizeof(r->v[0])))
		return;
	while (got < samples) {
		long long t;

		if (++tries > samples + 64) {
			r->err = ETIMEDOUT;
			return;
		}
		t = run(ctx, n);
		if (t < 0) {
			r->err = errno;
			return;
		}
		if (t >= cfg.min_ns) {
			v[got++] = (double)t / (double)n;
			r->iters = n;
		}
		if (t < cfg.min_ns || t > 2 * cfg.target_ns) {
			if (t > 150000)
				n = (uint64_t)((double)n * (double)cfg.target_ns / (double)t) + 1;
			else
				n *= 8;
		}
	}
	r->nv += got;
	qsort(r->v, (size_t)r->nv, sizeof(r->v[0]), cmp_double);
	r->ok = 1;
	r->med = (r->v[(r->nv - 1) / 2] + r->v[r->nv / 2]) / 2;
	r->min = r->v[0];
	r->max = r->v[r->nv - 1];
}

static void measure(run_fn run, void *ctx, struct result *r)
{
	measure_n(run, ctx, r, cfg.samples);
}

/* ---- CPUs: placement and the free-CPU test of busy-waiting ----------- */

static cpu_set_t allowed;
static int ncpu_allowed;

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

static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* the two most idle allowed CPUs for the busy-waiting pair; 0 or a reason */
static const char *spin_cpus(int *a, int *b)
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

/* ---- one measurement of one primitive ----------------------------------- */

static int placement_recorded;

static void measure_ipc(enum prim p, int lat, size_t len, int parent_cpu,
			int child_cpu, struct result *r)
{
	struct chan c;
	int err;

	r->done = 1;
	err = chan_open(&c, p, lat, len, child_cpu);
	if (!err) {
		/* one warm-up exchange outside the clock: a round trip, or
		 * enough chunks to touch every slot of a shared-memory ring */
		if ((lat ? run_lat(&c, 1) : run_bw(&c, c.nslots ? c.nslots : 1)) == -1)
			err = errno;
	}
	if (!err && p == P_SHM_SPIN && !placement_recorded) {
		placement_recorded = 1;
		obs_int("placement.shm_spin.parent_cpu", sched_getcpu());
		obs_int("placement.shm_spin.child_cpu", c.rd.cpu);
		obs_bool("placement.shm_spin.pinned_as_asked",
			 sched_getcpu() == parent_cpu && c.rd.cpu == child_cpu);
	}
	if (err)
		r->err = err;
	else
		measure(lat ? run_lat : run_bw, &c, r);
	chan_close(&c);
}

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

static long long rnd(double x)
{
	return (long long)(x + 0.5);
}

static double mbps(size_t bytes, double ns)
{
	return (double)bytes * 1000.0 / ns;	/* MB = 10^6 bytes, as lmbench */
}

static void obs_lat(const char *prefix, const struct result *r)
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

static void obs_bw(const char *prefix, size_t bytes, const struct result *r)
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
static void verdict(const char *kind, size_t size, enum prim m,
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
static void fastest_overall(const char *kind, size_t size,
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

static long long loadavg_permille(void)
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

/* one pass of the floor, SAMPLES of each: its samples add to those of the
 * other passes, so the floor is the best the machine did in this run */
static void measure_floor(int samples)
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

void probe_main(void)
{
	const char *q = getenv("IPCVM_BENCH_QUICK");
	long long msgmax = sysctl_read("kernel.msgmax");
	long long msgmnb = sysctl_read("kernel.msgmnb");
	int cpu_a = -1, cpu_b = -1;
	cpu_set_t saved;

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

	/* message queues: a message holds at most msgmax bytes, and a queue
	 * at most msgmnb; pieces are whole stamp strides */
	if (msgmax <= 0)
		msgmax = 8192;
	if (msgmnb > 0 && msgmnb < msgmax)
		msgmax = msgmnb;
	msgq_piece = (size_t)msgmax / STAMP_STRIDE * STAMP_STRIDE;
	obs_int("limit.msgmax_bytes", sysctl_read("kernel.msgmax"));
	obs_int("limit.msgmnb_bytes", msgmnb);

	/* the floor, first, again before each primitive and last (the load
	 * may change in between): a null system call, single-core memcpy.
	 * Its samples add up: the floor is the best the machine did.  Each IPC measurement is
	 * written as soon as it is done, so a run that is stopped keeps what
	 * it had measured. */
	char name[128];

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
		for (int s = 0; s < NLAT; s++) {
			if (!skip)
				measure_ipc((enum prim)p, 1, lat_size[s], cpu_a,
					    pin ? cpu_b : -1, &lat_res[p][s]);
			snprintf(name, sizeof(name), "lat.%s.%zu_bytes",
				 prim_name[p], lat_size[s]);
			obs_lat(name, &lat_res[p][s]);
		}
		for (int s = 0; s < NBW; s++) {
			if (p == P_MSGQ && msgq_piece == 0) {
				bw_res[p][s].done = 1;
				bw_res[p][s].err = EMSGSIZE;
			} else if (!skip) {
				measure_ipc((enum prim)p, 0, bw_size[s], cpu_a,
					    pin ? cpu_b : -1, &bw_res[p][s]);
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
		if (pin && !skip)
			SETUP(sched_setaffinity(0, sizeof(saved), &saved));
	}

	measure_floor(cfg.samples);
	obs_lat("floor.null_syscall", &null_res);
	for (int s = 0; s < NBW; s++) {
		snprintf(name, sizeof(name), "floor.memcpy.%zu_bytes", bw_size[s]);
		obs_bw(name, bw_size[s], &memcpy_res[s]);
	}

	/* the verdicts: per size and shared-memory method */
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
