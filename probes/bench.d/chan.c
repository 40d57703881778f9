/* chan.c - the IPC primitives: their objects, the helper at the other end
 * (see bench.h) */
#include "bench.h"

/* ---- the channel between the parent and its helper --------------------- */

static int child_fail(struct chan *c, int err)
{
	struct ready rd = { err ? err : EIO, -1 };

	(void)!write(c->up[1], &rd, sizeof(rd));
	return 1;
}

/* the helper's setup: its own process group, its CPU, its FIFO ends, its
 * source buffer, then the ready message.  0 when ready, else the helper's
 * exit status */
static int helper_setup(struct chan *c, struct wire *src)
{
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
			wire_init(src, c->len, c->piece, sizeof(long), 1);
		else
			wire_init(src, c->len, c->len, 0, 0);
	}
	c->rd.err = 0;
	c->rd.cpu = sched_getcpu();
	if (write_all(c->up[1], &c->rd, sizeof(c->rd)) != sizeof(c->rd))
		return 1;
	return 0;
}

/* round trips: answer every request until the parent is gone */
static int helper_lat(struct chan *c)
{
	unsigned char buf[64];
	struct msgbuf64 mb;

	for (uint64_t seq = 0;; seq++) {
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

/* one chunk SEQ of SRC to the parent: 0, or 1 when it cannot go */
static int helper_chunk(struct chan *c, struct wire *src, uint64_t seq)
{
	switch (c->p) {
	case P_MSGQ:
		for (size_t k = 0; k < src->npieces; k++)
			if (msgsnd(c->msqid, src->base + k * src->stride,
				   piece_len(src, k), 0) == -1)
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
		memcpy(c->slots + (seq % c->nslots) * c->len, src->base, c->len);
		post(&c->shm->a_seq, &c->shm->a_wait,
		     (uint32_t)(seq + 1), c->spin);
		break;
	default:
		if (write_all(c->c_out, src->base, c->len) != (ssize_t)c->len)
			return 1;
		break;
	}
	return 0;
}

/* the helper: the other end of a round trip, or the writer of chunks */
static int helper(void *arg)
{
	struct chan *c = arg;
	struct wire src = { 0 };
	uint64_t seq = 0;
	int rc = helper_setup(c, &src);

	if (rc)
		return rc;
	if (c->lat)
		return helper_lat(c);

	/* bulk: write N chunks each time the parent asks for N (bw_pipe) */
	for (;;) {
		uint64_t n;

		if (read_full(c->down[0], &n, sizeof(n)) != sizeof(n))
			return 0;	/* the parent is done */
		for (uint64_t i = 0; i < n; i++, seq++) {
			stamp(&src, seq);
			if (helper_chunk(c, &src, seq))
				return 1;
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

void chan_close(struct chan *c)
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

/* a System V shared-memory segment for C: the counters and, for bulk
 * transfer, the ring.  0 or an errno */
static int chan_shm(struct chan *c)
{
	size_t size;
	sigset_t old;
	int id, err;
	void *a;

	c->nslots = RING_MIN_BYTES / c->len;
	if (c->nslots < RING_MIN_SLOTS)
		c->nslots = RING_MIN_SLOTS;
	size = SLOTS_OFFSET + (c->lat ? 0 : c->nslots * c->len);

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
	return 0;
}

/* the objects of primitive C->p: 0 or an errno */
static int chan_objects(struct chan *c)
{
	int fds[2], err = 0;
	sigset_t old;

	switch (c->p) {
	case P_PIPE:
		SETUP(pipe2(fds, O_CLOEXEC));
		c->p_in = fds[0];
		c->c_out = fds[1];
		if (c->lat) {
			SETUP(pipe2(fds, O_CLOEXEC));
			c->c_in = fds[0];
			c->p_out = fds[1];
		}
		break;
	case P_FIFO:
		if ((err = make_fifo(c->fifo_a, sizeof(c->fifo_a), "a")) ||
		    (c->lat && (err = make_fifo(c->fifo_b, sizeof(c->fifo_b), "b"))))
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
		c->piece = c->len < msgq_piece ? c->len : msgq_piece;
		break;
	case P_SHM_FUTEX:
	case P_SHM_SPIN:
		return chan_shm(c);
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
	return 0;
}

/* fork the helper, open the parent's FIFO ends, wait for the ready
 * message: 0 or an errno (ETIMEDOUT when the helper never came) */
static int chan_start(struct chan *c)
{
	c->pid = spawn(helper, c);
	setpgid(c->pid, c->pid);	/* whichever of the two runs first */
	close_fd(&c->down[0]);
	close_fd(&c->up[1]);
	/* the helper's ends are the helper's (a socket is one descriptor) */
	if (c->c_out == c->c_in)
		c->c_out = -1;
	close_fd(&c->c_in);
	close_fd(&c->c_out);
	if (c->p == P_FIFO) {
		struct outcome o;

		if (c->lat) {
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

/*
 * Make the objects, fork the helper, wait for its ready message.  Returns 0
 * or the errno that stopped it (ETIMEDOUT when the helper never came).
 */
int chan_open(struct chan *c, enum prim p, int lat, size_t len,
	      int child_cpu)
{
	int err;

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
	if ((err = chan_objects(c)))
		return err;
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
	return chan_start(c);
}
