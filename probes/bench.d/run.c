/* run.c - timed runs of the IPC primitives, lmbench's sampling loop
 * (see bench.h) */
#include "bench.h"

/* ---- timed runs ------------------------------------------------------------ */

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
void measure_n(run_fn run, void *ctx, struct result *r, int samples)
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

/* ---- one measurement of one primitive ----------------------------------- */

static int placement_recorded;

void measure_ipc(enum prim p, int lat, size_t len, int parent_cpu,
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
