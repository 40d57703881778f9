/*
 * two_hosts.c - the socket probe's section "two_hosts".
 *
 * The notes put sockets between two hosts and the rest of IPC on one.  Two
 * network namespaces joined by a veth pair are two hosts as far as the
 * network stack goes (network_namespaces(7)); IPC namespaces split System V
 * keys the same way (ipc_namespaces(7)).
 *
 * The first host unshares a user, a network and an IPC namespace and makes a
 * message queue there.  The second host joins that user and IPC namespace,
 * finds the key, moves to a network and IPC namespace of its own and looks
 * again.  It makes the veth pair with the other end in the first host's
 * network namespace; both give their end a link-local address and they talk
 * TCP.  Both hosts are children of the probe, so its cleanup kills and reaps
 * both on any exit, and every namespace ends with its last process.  Nothing
 * here touches the probe's own network namespace.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include "probe.h"
#include "socket.h"
#include "hosts.h"

/* ---- the probe: start both, look from the host, record ---- */

static const char *const ns_ipc_names[] = {
	"ns.stopped_at", "ns.msgq.create", "ns.msgq.same_ns", "ns.msgq.other_ns",
	"ns.msgq.host_ns", "ns.first_host_exit", "ns.second_host_exit", NULL
};
static const char *const ns_net_names[] = {
	"ns.net.host_sees_veth", "ns.net.peer_dev_visible", "ns.net.own_addr_bind",
	"ns.net.peer_addr_bind", "ns.tcp.connect", "ns.tcp.reply_bytes",
	"ns.tcp.reply", NULL
};

static void skip_names(const char *const names[], const char *reason)
{
	for (int i = 0; names[i]; i++)
		obs_skip(names[i], reason);
}

static void obs_measured(const char *name, struct outcome o)
{
	if (o.timed_out == -1)
		obs_str(name, "none");
	else
		obs_outcome(name, o);
}

static void obs_flag(const char *name, int flag)
{
	if (flag == -1)
		obs_str(name, "none");
	else
		obs_bool(name, flag);
}

static void record_net(const struct a_report *a, int host_sees)
{
	obs_flag("ns.net.host_sees_veth", host_sees);
	obs_flag("ns.net.peer_dev_visible", a->peer_dev_visible);
	obs_measured("ns.net.own_addr_bind", a->own_addr_bind);
	obs_measured("ns.net.peer_addr_bind", a->peer_addr_bind);
	obs_measured("ns.tcp.connect", a->tcp_connect);
	if (a->tcp_reply.timed_out == -1)
		obs_str("ns.tcp.reply_bytes", "none");
	else
		obs_outcome_count("ns.tcp.reply_bytes", a->tcp_reply);
	obs_str("ns.tcp.reply", a->tcp_reply_ok ? "got-ping" : "other");
}

/* the first reason any helper (or the probe) gave for stopping short */
static const char *failed_at(const char *probe, const struct b_report *b,
			     const struct a_report *a)
{
	if (probe[0])
		return probe;
	if (b->net.failed[0])
		return b->net.failed;
	if (a->net.failed[0])
		return a->net.failed;
	return "none";
}

/* what the two hosts and the probe's own look found */
struct hosts_run {
	struct a_ready ready;
	struct a_report a;
	struct b_report b;
	struct outcome host_msgq;	/* the probe's own namespace */
	int host_sees;			/* -1 unmeasured */
	int first_exit, second_exit;
	char failed[REASON];		/* the probe's own reason to stop */
};

/* while the queue and the pair exist: does the probe's own namespace
 * (the host's) see either?  Then the second host's report. */
static void look_from_host(struct ns_ctx *c, struct hosts_run *h)
{
	if (wait_byte(c->b_out[0], 3 * hang_ms()) == 1) {
		h->host_msgq = TRY(0, msgget(c->key, 0));
		h->host_sees = if_nametoindex(VETH_A) || if_nametoindex(VETH_B);
		poke(c->look[1]);
		if (recv_msg(c->b_out[0], &h->b, sizeof(h->b), 6 * hang_ms()))
			why(h->failed, "second-host-silent", ETIMEDOUT);
	} else {
		/* its report would come after the byte we missed */
		why(h->failed, "second-host-silent", ETIMEDOUT);
	}
}

/* start both hosts, look, collect their reports and exits */
static void run_hosts(struct hosts_run *h)
{
	struct ns_ctx c;
	char keyfile[4096];
	pid_t second = -1;

	/* a key unique to this run (ftok on our own file), never a fixed one */
	c.key = sysv_fresh_key("msgq-key", 'n', keyfile, sizeof(keyfile));
	c.probe = getpid();
	SETUP(pipe2(c.a_out, O_CLOEXEC));
	SETUP(pipe2(c.b_out, O_CLOEXEC));
	SETUP(pipe2(c.look, O_CLOEXEC));
	SETUP(pipe2(c.a2b, O_CLOEXEC));
	SETUP(pipe2(c.b2a, O_CLOEXEC));

	c.first = spawn(first_host, &c);
	close(c.a_out[1]);
	if (recv_msg(c.a_out[0], &h->ready, sizeof(h->ready), hang_ms()))
		why(h->failed, "first-host-silent", ETIMEDOUT);
	else if (!h->ready.refused[0])
		second = spawn(second_host, &c);
	close(c.b_out[1]);
	close(c.look[0]);
	close_pair(c.a2b);
	close_pair(c.b2a);

	if (second != -1) {
		look_from_host(&c, h);
		recv_msg(c.a_out[0], &h->a, sizeof(h->a), 6 * hang_ms());
		h->second_exit = status_code(reap(second, hang_ms()));
	}
	h->first_exit = status_code(reap(c.first, hang_ms()));
	close(c.look[1]);
	close(c.b_out[0]);
	close(c.a_out[0]);
	unlink(keyfile);
}

void two_hosts(void)
{
	struct hosts_run h = {
		{ "", unmeasured },
		{ { "", "" }, -1, unmeasured, unmeasured, unmeasured, unmeasured, 0 },
		{ "", { "", "" }, unmeasured, unmeasured },
		unmeasured, -1, -1, -1, ""
	};
	const char *refused;

	run_hosts(&h);
	/* namespaces not allowed here */
	refused = h.ready.refused[0] ? h.ready.refused : h.b.refused_ns;
	if (refused[0]) {
		skip_names(ns_ipc_names, refused);
		skip_names(ns_net_names, refused);
		return;
	}
	obs_str("ns.stopped_at", failed_at(h.failed, &h.b, &h.a));
	obs_measured("ns.msgq.create", h.ready.msgq_create);
	obs_measured("ns.msgq.same_ns", h.b.msgq_same_ns);
	obs_measured("ns.msgq.other_ns", h.b.msgq_other_ns);
	obs_measured("ns.msgq.host_ns", h.host_msgq);
	obs_int("ns.first_host_exit", h.first_exit);
	obs_int("ns.second_host_exit", h.second_exit);
	/* veth pairs not allowed here */
	refused = h.b.net.refused[0] ? h.b.net.refused : h.a.net.refused;
	if (refused[0])
		skip_names(ns_net_names, refused);
	else
		record_net(&h.a, h.host_sees);
}
