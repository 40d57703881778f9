/*
 * hosts.h - the two hosts of the socket probe (two_hosts.c): the context
 * they share with the probe, the messages they send it, and the steps
 * between them (hosts.c).
 */
#ifndef IPCVM_SOCKET_HOSTS_H
#define IPCVM_SOCKET_HOSTS_H

#include <netinet/in.h>
#include <sys/types.h>

#include "probe.h"

#define VETH_A "ipcvm0"		/* the first host's end */
#define VETH_B "ipcvm1"
/* link-local (169.254.0.0/16), used only inside the probe's namespaces */
#define ADDR_A "169.254.77.1"
#define ADDR_B "169.254.77.2"
#define NS_PREFIX 30
#define VETH_A_INDEX 7701
#define VETH_B_INDEX 7702
#define REASON 48

/* not measured because a step before it failed: recorded as "none" */
static const struct outcome unmeasured = { -1, 0, -1 };

struct ns_ctx {
	key_t key;
	pid_t probe, first;
	int a_out[2];		/* first host -> probe: a_ready, then a_report */
	int b_out[2];		/* second host -> probe: "look" byte, then b_report */
	int look[2];		/* probe -> second host: looked */
	int a2b[2], b2a[2];	/* between the hosts */
};

/*
 * Why a helper went no further.  A namespace or netlink request that the
 * kernel refused means this machine does not allow the experiment: the
 * observations it would have made are SKIP.  Anything else (a helper that
 * fell silent, a link that never came up) is a failure: its observations
 * stay "none" and ns.stopped_at names the step.
 */
struct stop {
	char refused[REASON];	/* not allowed here: skip */
	char failed[REASON];	/* went wrong: fail */
};

struct a_ready { char refused[REASON]; struct outcome msgq_create; };
struct a_report {
	struct stop net;
	int peer_dev_visible;	/* -1 unmeasured */
	struct outcome own_addr_bind, peer_addr_bind, tcp_connect, tcp_reply;
	int tcp_reply_ok;
};
struct b_report {
	char refused_ns[REASON];
	struct stop net;
	struct outcome msgq_same_ns, msgq_other_ns;
};
/* second -> first: the pair exists (step 1), then where to connect (step 2);
 * or why not */
struct b_step { struct stop why; unsigned short port; };


void why(char *buf, const char *step, int err);
int stopped(const struct stop *s);
struct in_addr ip4(const char *s);
/*
 * Messages between the probe and its helpers.  A reader that has gone away
 * makes a write fail with EPIPE instead of killing the writer with SIGPIPE;
 * a message that does not arrive whole within MS leaves MSG as it was.
 * 0, or -1.
 */
int send_msg(int fd, const void *msg, size_t len);
int recv_msg(int fd, void *msg, size_t len, int ms);
/* one byte: go on */
int poke(int fd);

/* the helpers, started with spawn(.., struct ns_ctx *) */
int first_host(void *arg);
int second_host(void *arg);

#endif
