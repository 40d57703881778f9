/*
 * hosts.c - the socket probe's two hosts (see two_hosts.c): the first
 * makes the namespaces and a message queue, the second joins it, makes
 * the veth pair and listens; the first connects.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"
#include "names.h"
#include "socket.h"
#include "hosts.h"

void why(char *buf, const char *step, int err)
{
	snprintf(buf, REASON, "%s-%s", step, errno_name(err));
}

int stopped(const struct stop *s)
{
	return s->refused[0] || s->failed[0];
}

struct in_addr ip4(const char *s)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, s, &a);
	return a;
}

static struct outcome bind_addr(const char *addr)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = ip4(addr) };
	int fd = SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	struct outcome o = TRY(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));

	close(fd);
	return o;
}

/* /proc/PID/ns/NAME, opened; -1 with REFUSED set */
static int open_ns(pid_t pid, const char *name, char *refused)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		why(refused, "open-proc-ns", errno);
	return fd;
}

static int join_ns(pid_t pid, const char *name, int type, char *refused)
{
	int fd = open_ns(pid, name, refused), rc;

	if (fd == -1)
		return -1;
	rc = setns(fd, type);
	if (rc == -1)
		why(refused, "setns", errno);
	close(fd);
	return rc;
}

/* keep dying with the probe, whatever new credentials did to the setting */
static void stay_tied(const struct ns_ctx *c)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != c->probe)
		_exit(EXIT_HARD_ERROR);
}

/*
 * Messages between the probe and its helpers.  A reader that has gone away
 * makes a write fail with EPIPE instead of killing the writer with SIGPIPE;
 * a message that does not arrive whole within MS leaves MSG as it was.
 */
int send_msg(int fd, const void *msg, size_t len)
{
	struct sigaction old;
	ssize_t n;

	ignore_sigpipe(&old);
	n = write_all(fd, msg, len);
	restore_sigpipe(&old);
	return n == (ssize_t)len ? 0 : -1;
}

int poke(int fd)
{
	return send_msg(fd, "!", 1);
}

int recv_msg(int fd, void *msg, size_t len, int ms)
{
	char buf[512];

	if (len > sizeof(buf))
		probe_fail("message longer than its buffer", EMSGSIZE);
	if (TRY(ms, read_full(fd, buf, len)).ret != (long)len)
		return -1;
	memcpy(msg, buf, len);
	return 0;
}

/* a step message from the second host; 0 when it said go on */
static int read_step(struct ns_ctx *c, struct b_step *step, int ms, struct stop *s)
{
	if (recv_msg(c->b2a[0], step, sizeof(*step), ms)) {
		why(s->failed, "second-host-silent", ETIMEDOUT);
		return -1;
	}
	*s = step->why;
	return stopped(s) ? -1 : 0;
}

/* ---- the first host ---- */

/* after step 1: bring our end up, look around, then connect to the second */
static void first_host_net(struct ns_ctx *c, struct a_report *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = ip4(ADDR_B) };
	struct b_step step;
	char reply[9] = "";
	int nl, mon, idx, err, fd;

	nl = nl_open();
	mon = nl_monitor();
	if (nl == -1 || mon == -1) {
		why(r->net.refused, "netlink", errno);
		goto out;
	}
	idx = (int)if_nametoindex(VETH_A);
	if (!idx) {
		why(r->net.failed, "veth-missing", errno);
		goto out;
	}
	if ((err = addr_add(nl, idx, ip4(ADDR_A), NS_PREFIX)) || (err = link_up(nl, idx))) {
		why(r->net.refused, "veth-setup", err);
		goto out;
	}
	/* each namespace its own devices and addresses */
	r->peer_dev_visible = if_nametoindex(VETH_B) != 0;
	r->own_addr_bind = bind_addr(ADDR_A);
	r->peer_addr_bind = bind_addr(ADDR_B);

	/* step 2: our end is up; the second host listens and says where */
	poke(c->a2b[1]);
	if (read_step(c, &step, 2 * hang_ms(), &r->net))
		goto out;
	if ((err = wait_oper_up(mon, idx))) {
		why(r->net.failed, "veth-not-up", err);
		goto out;
	}
	a.sin_port = htons(step.port);
	fd = SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	r->tcp_connect = TRY(hang_ms(), connect(fd, (struct sockaddr *)&a, sizeof(a)));
	if (r->tcp_connect.ret == 0 && TRY(hang_ms(), send_all(fd, "ping", 4)).ret == 4) {
		r->tcp_reply = TRY(hang_ms(), read_full(fd, reply, 8));
		r->tcp_reply_ok = !strcmp(reply, "got-ping");
	}
	close(fd);
out:
	if (nl != -1)
		close(nl);
	if (mon != -1)
		close(mon);
}

int first_host(void *arg)
{
	struct ns_ctx *c = arg;
	struct a_ready ready = { "", unmeasured };
	struct a_report r = { { "", "" }, -1, unmeasured, unmeasured, unmeasured,
			      unmeasured, 0 };
	struct b_step step;
	int err;

	close(c->a_out[0]);
	close_pair(c->b_out);
	close_pair(c->look);
	close(c->a2b[0]);
	close(c->b2a[1]);
	/* root of a new user namespace (lib/ns.c), which owns the network
	 * and IPC namespaces made with it */
	if ((err = ns_enter_user(CLONE_NEWNET | CLONE_NEWIPC, NULL))) {
		why(ready.refused, "unshare", err);
	} else {
		stay_tied(c);
		ready.msgq_create = TRY(0, msgget(c->key, IPC_CREAT | IPC_EXCL | 0600));
		if (ready.msgq_create.ret != -1)
			cleanup_msgq((int)ready.msgq_create.ret);
	}
	if (send_msg(c->a_out[1], &ready, sizeof(ready)))
		return 1;
	if (ready.refused[0])
		return 0;
	/* step 1: the second host has looked up the key and made the pair
	 * (or says why not); the queue stays until then */
	if (!read_step(c, &step, 3 * hang_ms(), &r.net))
		first_host_net(c, &r);
	close(c->a2b[1]);	/* a second host still waiting gives up */
	return send_msg(c->a_out[1], &r, sizeof(r)) ? 1 : 0;
}

/* ---- the second host ---- */

/* join the first host's user and IPC namespace, then leave for our own */
static void second_host_ns(struct ns_ctx *c, struct b_report *r)
{
	if (join_ns(c->first, "user", CLONE_NEWUSER, r->refused_ns) ||
	    join_ns(c->first, "ipc", CLONE_NEWIPC, r->refused_ns))
		return;
	stay_tied(c);
	r->msgq_same_ns = TRY(0, msgget(c->key, 0));
	if (unshare(CLONE_NEWNET | CLONE_NEWIPC) == -1) {
		why(r->refused_ns, "unshare", errno);
		return;
	}
	r->msgq_other_ns = TRY(0, msgget(c->key, 0));
}

/* make the pair, the first host's end in NETFD; give ours its address and
 * bring it up.  Returns our end's index, or -1 with S set. */
static int second_host_veth(int nl, int netfd, struct stop *s)
{
	int err, idx;

	/*
	 * Both ends of a fresh pair in fresh namespaces would get the same
	 * index, and link-watch then takes them for ordinary devices and
	 * brings them up in its once-a-second batch; distinct indexes make
	 * them "stacked" and urgent (net/core/link_watch.c).  Kernels before
	 * 3.7 refuse chosen indexes: they get the pair, a second later.
	 */
	err = veth_create(nl, VETH_B, VETH_A, netfd, VETH_B_INDEX, VETH_A_INDEX);
	if (err == EOPNOTSUPP || err == EINVAL || err == EBUSY)
		err = veth_create(nl, VETH_B, VETH_A, netfd, 0, 0);
	if (err) {
		why(s->refused, "veth-create", err);
		return -1;
	}
	idx = (int)if_nametoindex(VETH_B);
	if (!idx) {
		why(s->failed, "veth-missing", errno);
		return -1;
	}
	if ((err = addr_add(nl, idx, ip4(ADDR_B), NS_PREFIX)) || (err = link_up(nl, idx))) {
		why(s->refused, "veth-setup", err);
		return -1;
	}
	return idx;
}

/* listen on ADDR_B, port chosen by the kernel; -1 with FAILED set */
static int second_host_listen(unsigned short *port, char *failed)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = ip4(ADDR_B) };
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd == -1 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&a, &len) == -1 || listen(lfd, 1) == -1) {
		why(failed, "listen", errno);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return lfd;
}

/* step 2: once the first host's end is up, listen and answer its ping.
 * Returns the exit code: 0 when the exchange went through. */
static int second_host_serve(struct ns_ctx *c, struct b_report *r, int mon, int idx)
{
	struct b_step step = { { "", "" }, 0 };
	struct outcome o;
	int err, lfd = -1;

	if (wait_byte(c->a2b[0], 2 * hang_ms()) != 1)
		return 0;	/* the first host gave up and says why */
	if ((err = wait_oper_up(mon, idx)))
		why(step.why.failed, "veth-not-up", err);
	else
		lfd = second_host_listen(&step.port, step.why.failed);
	r->net = step.why;
	if (send_msg(c->b2a[1], &step, sizeof(step)) || lfd == -1)
		return 2;
	o = TRY(hang_ms(), accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
	if (o.ret == -1)
		return 3;
	return strcmp(answer((int)o.ret), "ping") ? 4 : 0;
}

int second_host(void *arg)
{
	struct ns_ctx *c = arg;
	struct b_report r = { "", { "", "" }, unmeasured, unmeasured };
	struct b_step step = { { "", "" }, 0 };
	int netfd, nl = -1, mon = -1, idx = -1, rc = 0;

	close_pair(c->a_out);
	close(c->b_out[0]);
	close(c->look[1]);
	close(c->a2b[1]);
	close(c->b2a[0]);
	/* the first host's network namespace, for its end of the pair */
	netfd = open_ns(c->first, "net", r.refused_ns);
	if (netfd != -1)
		second_host_ns(c, &r);
	if (!r.refused_ns[0]) {
		nl = nl_open();
		mon = nl_monitor();	/* before our end can come up */
		if (nl == -1 || mon == -1)
			why(r.net.refused, "netlink", errno);
		else
			idx = second_host_veth(nl, netfd, &r.net);
	}
	if (netfd != -1)
		close(netfd);
	/* the probe looks from its own namespace while queue and pair exist */
	poke(c->b_out[1]);
	wait_byte(c->look[0], hang_ms());

	/* step 1 */
	step.why = r.net;
	if (r.refused_ns[0])
		memcpy(step.why.refused, r.refused_ns, REASON);
	if (send_msg(c->b2a[1], &step, sizeof(step)))
		rc = 1;
	else if (!stopped(&step.why))
		rc = second_host_serve(c, &r, mon, idx);
	if (nl != -1)
		close(nl);
	if (mon != -1)
		close(mon);
	if (send_msg(c->b_out[1], &r, sizeof(r)))
		rc = 1;
	return rc;
}

