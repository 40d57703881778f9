/*
 * socket.c - what the kernel does with sockets: socketpair as a full-duplex
 * channel, message boundaries, a closed peer, unrelated processes meeting
 * through a path or a TCP port, and the notes' "two hosts" played by two
 * network namespaces joined by a veth pair, beside an IPC namespace that
 * hides a message queue key.  Records only; cases/socket.bats judges.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "probe.h"
#include "names.h"

const char PROBE_NAME[] = "socket";

/* ---- small helpers ------------------------------------------------------- */

static void make_pair(int type, int sv[2])
{
	SETUP(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv));
}

static void close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* write all of BUF to a connected socket; a peer that has gone makes it
 * fail with EPIPE rather than kill this process with SIGPIPE */
static ssize_t send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, p + done, len - done, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* the server half of every exchange (exchange.c): what was asked ("ping"
 * or "other") for the record */
static const char *answer(int fd)
{
	char req[5];

	return echo_answer(fd, fd, req) == 0 && !strcmp(req, "ping") ? "ping" : "other";
}

/* ---- peers: separate programs that know only an address ----------------- */

/* Exit status: how many descriptors the peer inherited (0 expected), or
 * 100+ when it could not connect or got a wrong reply. */
static int client_exchange(const struct sockaddr *a, socklen_t len)
{
	int inherited = inherited_fds();
	int fd = socket(a->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char reply[9];
	int rc;

	if (fd == -1)
		return 100;
	if (TRY(hang_ms(), connect(fd, a, len)).ret == -1)
		return 101;
	rc = echo_ask(fd, fd, "ping", reply, NULL);
	close(fd);
	if (rc)
		return 101 + rc;
	return inherited < 0 ? 110 : inherited;
}

/* argv: unix-client PATH */
static int peer_unix_client(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (argc != 2 || strlen(argv[1]) >= sizeof(a.sun_path))
		return 120;
	strcpy(a.sun_path, argv[1]);
	return client_exchange((struct sockaddr *)&a, sizeof(a));
}

/* argv: tcp-client ADDRESS PORT */
static int peer_tcp_client(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (argc != 3 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
		return 120;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	return client_exchange((struct sockaddr *)&a, sizeof(a));
}

const struct peer_role probe_peers[] = {
	{ "unix-client", peer_unix_client },
	{ "tcp-client", peer_tcp_client },
	{ 0 },
};

/* ---- socketpair: one pair of descriptors, both directions -------------- */

/* answers the parent's question, then asks its own on the same descriptor */
static int duplex_child(void *arg)
{
	int *sv = arg, rc;
	char reply[9], req[5];

	close(sv[0]);
	if ((rc = echo_answer(sv[1], sv[1], req)))
		return rc;
	rc = echo_ask(sv[1], sv[1], "pong", reply, NULL);
	return rc ? rc + 1 : 0;
}

static void pair_duplex(void)
{
	char reply[9], q[5];
	int sv[2], rc;
	pid_t pid;

	make_pair(SOCK_STREAM, sv);
	pid = spawn(duplex_child, sv);
	close(sv[1]);
	/* the parent asks on sv[0] and the answer comes back on sv[0] */
	rc = echo_ask(sv[0], sv[0], "ping", reply, NULL);
	if (rc == 1)
		probe_fail("send of the request", errno);
	obs_str("pair.duplex.parent_asks.reply", rc == 0 ? "got-ping" : "other");
	/* then the child asks on its end, the parent answers on the same */
	rc = echo_answer(sv[0], sv[0], q);
	obs_str("pair.duplex.child_asks.request",
		rc != 1 && !strcmp(q, "pong") ? "pong" : "other");
	/* 0: the child got "got-pong" back */
	obs_int("pair.duplex.child_exit", status_code(reap(pid, hang_ms())));
	close(sv[0]);
}

/* what one end writes arrives at the other end, not back at the writer
 * (unlike one pipe, where a process reads back its own bytes) */
static void pair_other_end(void)
{
	char buf[8] = "";
	int sv[2];

	make_pair(SOCK_STREAM, sv);
	SETUP(send_all(sv[0], "ping", 4));
	obs_outcome_count("pair.writer_end.read",
			  TRY(hang_ms(), recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT)));
	obs_outcome_count("pair.other_end.read_bytes",
			  TRY(hang_ms(), recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT)));
	close_pair(sv);
}

/* ---- message boundaries (unix(7)) ---------------------------------------- */

/* two sends of 3 and 5 bytes, then two receives into a 64-byte buffer,
 * recorded as FIRST and SECOND (the names spelled out at the call, so grep
 * finds them) */
static void boundaries(int type, const char *first, const char *second)
{
	char buf[64];
	int sv[2];

	make_pair(type, sv);
	SETUP(send(sv[0], "abc", 3, 0));
	SETUP(send(sv[0], "defgh", 5, 0));
	obs_outcome_count(first, TRY(hang_ms(), recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT)));
	obs_outcome_count(second, TRY(hang_ms(), recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT)));
	close_pair(sv);
}

/* ---- the peer closed: EOF for the reader, EPIPE/SIGPIPE for the writer -- */

static int write_to_closed(void *arg)
{
	int *sv = arg;

	signal(SIGPIPE, SIG_DFL);	/* the probe catches it; unix(7) is about the default */
	return write(sv[0], "x", 1) == -1 ? 2 : 0;
}

static void peer_closed(void)
{
	struct sigaction old;
	char c;
	int sv[2];

	make_pair(SOCK_STREAM, sv);
	close(sv[1]);
	obs_outcome_count("closed.read", TRY(hang_ms(), read(sv[0], &c, 1)));
	obs_outcome("closed.send_nosignal", TRY(hang_ms(), send(sv[0], "x", 1, MSG_NOSIGNAL)));

	obs_signal("closed.default.killed_by", spawn_killed_by(write_to_closed, sv));

	ignore_sigpipe(&old);
	obs_outcome("closed.write_sigpipe_ignored", TRY(hang_ms(), write(sv[0], "x", 1)));
	restore_sigpipe(&old);
	close(sv[0]);
}

/* ---- socketpair is for AF_UNIX (socketpair(2) NOTES) -------------------- */

static void pair_inet(void)
{
	int sv[2];
	struct outcome o = TRY(0, socketpair(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));

	obs_outcome("pair.inet_stream", o);
	if (o.ret == 0)
		close_pair(sv);
}

/* ---- listening, and a peer that knows only the address ----------------- */

/* accepts one connection and answers its ping: the accept's outcome is
 * recorded as ACCEPT, what the peer sent as REQUEST */
static void serve_one(int lfd, const char *accept, const char *request)
{
	struct outcome o = TRY(hang_ms(), accept4(lfd, NULL, NULL, SOCK_CLOEXEC));

	obs_outcome(accept, o);
	if (o.ret == -1) {
		obs_skip(request, "accept-failed");
		return;
	}
	obs_str(request, answer((int)o.ret));
	close((int)o.ret);
}

static void unix_path(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *args[] = { a.sun_path, NULL };
	char path[4096];
	struct stat st;
	int lfd, fd;

	scratch_path(path, sizeof(path), "unix");
	if (strlen(path) >= sizeof(a.sun_path))
		probe_fail("scratch path longer than sun_path", ENAMETOOLONG);
	strcpy(a.sun_path, path);
	/* registered before bind: unlinking a path that never came is harmless,
	 * a file made just before an interrupt is not left behind */
	cleanup_unlink(path);
	lfd = SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	SETUP(bind(lfd, (struct sockaddr *)&a, sizeof(a)));
	SETUP(listen(lfd, 1));
	obs_bool("unix_path.bound.is_socket", lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));

	pid_t peer = spawn_peer("unix-client", args);
	serve_one(lfd, "unix_path.accept", "unix_path.request");
	obs_int("unix_path.peer_exit", status_code(reap(peer, hang_ms())));
	close(lfd);

	/* the file outlives the socket until someone unlinks it (unix(7)) */
	obs_bool("unix_path.closed.file_remains", lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	fd = SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	obs_outcome("unix_path.closed.rebind", TRY(0, bind(fd, (struct sockaddr *)&a, sizeof(a))));
	close(fd);
	SETUP(unlink(path));
	fd = SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	obs_outcome("unix_path.unlinked.rebind", TRY(0, bind(fd, (struct sockaddr *)&a, sizeof(a))));
	close(fd);
	unlink(path);
}

/* ip_local_port_range (ip(7)) into LOW and HIGH: 1, or 0 when unreadable */
static int port_range(long *low, long *high)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%ld %ld", low, high);
	fclose(f);
	return n == 2;
}

/* connect to our own listener A and take the connection back: 0 or errno */
static int loopback_works(int lfd, const struct sockaddr_in *a)
{
	int fd = SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	struct outcome o = TRY(hang_ms(), connect(fd, (const struct sockaddr *)a, sizeof(*a)));

	if (o.ret == 0) {
		o = TRY(hang_ms(), accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
		if (o.ret >= 0)
			close((int)o.ret);
	}
	close(fd);
	return o.ret == -1 ? (outcome_blocked(o) ? ETIMEDOUT : o.err) : 0;
}

static const char *const tcp_names[] = {
	"tcp.accept", "tcp.request", "tcp.peer_exit", NULL
};

static void tcp_loopback(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t len = sizeof(a);
	char port[8], reason[48];
	const char *args[] = { "127.0.0.1", port, NULL };
	const char *in_range = "tcp.ephemeral_port_in_local_range";
	long low, high;
	int lfd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = SETUP(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	/* a machine whose loopback is not up (a bare VM) may refuse this */
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) == -1) {
		snprintf(reason, sizeof(reason), "loopback-bind-%s", errno_name(errno));
		obs_skip(in_range, reason);
		goto skip;
	}
	SETUP(getsockname(lfd, (struct sockaddr *)&a, &len));
	/* the port itself changes every run: only whether it is in range */
	if (port_range(&low, &high))
		obs_bool(in_range, ntohs(a.sin_port) >= low && ntohs(a.sin_port) <= high);
	else
		obs_skip(in_range, "ip-local-port-range-unreadable");

	SETUP(listen(lfd, 1));
	/* with lo down, bind works but connect does not: try it here first,
	 * rather than wait out the accept deadline for a peer that gave up */
	if ((errno = loopback_works(lfd, &a))) {
		snprintf(reason, sizeof(reason), "loopback-connect-%s", errno_name(errno));
		goto skip;
	}
	snprintf(port, sizeof(port), "%u", (unsigned)ntohs(a.sin_port));
	pid_t peer = spawn_peer("tcp-client", args);
	serve_one(lfd, "tcp.accept", "tcp.request");
	obs_int("tcp.peer_exit", status_code(reap(peer, hang_ms())));
	close(lfd);
	return;
skip:
	for (int i = 0; tcp_names[i]; i++)
		obs_skip(tcp_names[i], reason);
	close(lfd);
}

/* ---- rtnetlink: just enough to make a veth pair and give it addresses ---- */

#define NL_BUF 2048
/* RFC 2863 "up", enum in <linux/if.h>, which cannot be included beside
 * <net/if.h>; the value is kernel ABI */
#define OPER_UP 6

struct nl_msg {
	struct nlmsghdr h;
	char room[NL_BUF - sizeof(struct nlmsghdr)];
};

static void nl_init(struct nl_msg *m, int type, int flags, const void *body, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_len = NLMSG_LENGTH(len);
	m->h.nlmsg_type = (unsigned short)type;
	m->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	memcpy(NLMSG_DATA(&m->h), body, len);
}

/* append an attribute; returns it so that a nest can be closed later */
static struct rtattr *nl_attr(struct nl_msg *m, int type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
	struct rtattr *a = (struct rtattr *)((char *)m + at);

	if (at + RTA_SPACE(len) > sizeof(*m))
		probe_fail("netlink message longer than its buffer", EMSGSIZE);
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->h.nlmsg_len = (unsigned)(at + RTA_SPACE(len));
	return a;
}

static void nl_nest_end(struct nl_msg *m, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)m + m->h.nlmsg_len - (char *)nest);
}

/* send M, wait for its acknowledgement: 0 or the errno the kernel answered
 * (ETIMEDOUT when no answer came before the deadline) */
static int nl_talk(int fd, struct nl_msg *m)
{
	static unsigned seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union { struct nlmsghdr h; char b[8192]; } r;

	m->h.nlmsg_seq = ++seq;
	if (sendto(fd, m, m->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == -1)
		return errno;
	for (;;) {
		struct outcome o = TRY(hang_ms(), recv(fd, &r, sizeof(r), 0));
		unsigned len = (unsigned)o.ret;

		if (o.ret == -1)
			return outcome_blocked(o) ? ETIMEDOUT : o.err;
		for (struct nlmsghdr *h = &r.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != m->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

static int nl_open(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/*
 * NAME here, PEER in the network namespace open as NETNS_FD, with the
 * interface indexes INDEX and PEER_INDEX when those are not 0.
 */
static int veth_create(int fd, const char *name, const char *peer, int netns_fd,
		       int index, int peer_index)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC, .ifi_index = peer_index };
	struct rtattr *info, *data, *end;
	struct nl_msg m;
	unsigned ns = (unsigned)netns_fd;

	nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	nl_attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
	info = nl_attr(&m, IFLA_LINKINFO, NULL, 0);
	nl_attr(&m, IFLA_INFO_KIND, "veth", 4);
	data = nl_attr(&m, IFLA_INFO_DATA, NULL, 0);
	/* VETH_INFO_PEER holds an ifinfomsg, then the peer's attributes */
	end = nl_attr(&m, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	nl_attr(&m, IFLA_IFNAME, peer, strlen(peer) + 1);
	nl_attr(&m, IFLA_NET_NS_FD, &ns, sizeof(ns));
	nl_nest_end(&m, end);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	return nl_talk(fd, &m);
}

static int link_up(int fd, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct nl_msg m;

	nl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(fd, &m);
}

static int addr_add(int fd, int ifindex, struct in_addr addr, int prefix)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)ifindex };
	struct nl_msg m;

	nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	nl_attr(&m, IFA_LOCAL, &addr, sizeof(addr));
	nl_attr(&m, IFA_ADDRESS, &addr, sizeof(addr));
	return nl_talk(fd, &m);
}

/*
 * Wait for the kernel to announce that IFINDEX is operationally up: from
 * then on it carries packets, so the first SYN is not dropped by a device
 * that link-watch has not activated yet.  MON is subscribed to RTMGRP_LINK
 * since before the device came up, so no announcement is missed.
 */
static int wait_oper_up(int mon, int ifindex)
{
	union { struct nlmsghdr h; char b[8192]; } r;

	for (;;) {
		struct outcome o = TRY(hang_ms(), recv(mon, &r, sizeof(r), 0));
		unsigned len = (unsigned)o.ret;

		if (o.ret == -1)
			return outcome_blocked(o) ? ETIMEDOUT : o.err;
		for (struct nlmsghdr *h = &r.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			int alen = (int)IFLA_PAYLOAD(h);

			if (h->nlmsg_type != RTM_NEWLINK || ifi->ifi_index != ifindex)
				continue;
			for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == IFLA_OPERSTATE &&
				    *(unsigned char *)RTA_DATA(a) == OPER_UP)
					return 0;
		}
	}
}

static int nl_monitor(void)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = nl_open();

	if (fd != -1 && bind(fd, (struct sockaddr *)&me, sizeof(me)) == -1) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* ---- two hosts: two network namespaces and a veth pair ------------------ */
/*
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

static void why(char *buf, const char *step, int err)
{
	snprintf(buf, REASON, "%s-%s", step, errno_name(err));
}

static int stopped(const struct stop *s)
{
	return s->refused[0] || s->failed[0];
}

static struct in_addr ip4(const char *s)
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
static int send_msg(int fd, const void *msg, size_t len)
{
	struct sigaction old;
	ssize_t n;

	ignore_sigpipe(&old);
	n = write_all(fd, msg, len);
	restore_sigpipe(&old);
	return n == (ssize_t)len ? 0 : -1;
}

static int poke(int fd)
{
	return send_msg(fd, "!", 1);
}

static int recv_msg(int fd, void *msg, size_t len, int ms)
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

static int first_host(void *arg)
{
	struct ns_ctx *c = arg;
	struct a_ready ready = { "", unmeasured };
	struct a_report r = { { "", "" }, -1, unmeasured, unmeasured, unmeasured,
			      unmeasured, 0 };
	struct b_step step;

	close(c->a_out[0]);
	close_pair(c->b_out);
	close_pair(c->look);
	close(c->a2b[0]);
	close(c->b2a[1]);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC) == -1) {
		why(ready.refused, "unshare", errno);
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

static int second_host(void *arg)
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

static void two_hosts(void)
{
	struct a_ready ready = { "", unmeasured };
	struct a_report ar = { { "", "" }, -1, unmeasured, unmeasured, unmeasured,
			       unmeasured, 0 };
	struct b_report br = { "", { "", "" }, unmeasured, unmeasured };
	struct outcome host_msgq = unmeasured;
	struct ns_ctx c;
	char keyfile[4096], failed[REASON] = "";
	int host_sees = -1, first_exit, second_exit = -1;
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
	if (recv_msg(c.a_out[0], &ready, sizeof(ready), hang_ms()))
		why(failed, "first-host-silent", ETIMEDOUT);
	else if (!ready.refused[0])
		second = spawn(second_host, &c);
	close(c.b_out[1]);
	close(c.look[0]);
	close_pair(c.a2b);
	close_pair(c.b2a);

	if (second != -1) {
		/* while the queue and the pair exist: does the probe's own
		 * namespace (the host's) see either? */
		if (wait_byte(c.b_out[0], 3 * hang_ms()) == 1) {
			host_msgq = TRY(0, msgget(c.key, 0));
			host_sees = if_nametoindex(VETH_A) || if_nametoindex(VETH_B);
			poke(c.look[1]);
			if (recv_msg(c.b_out[0], &br, sizeof(br), 6 * hang_ms()))
				why(failed, "second-host-silent", ETIMEDOUT);
		} else {
			/* its report would come after the byte we missed */
			why(failed, "second-host-silent", ETIMEDOUT);
		}
		recv_msg(c.a_out[0], &ar, sizeof(ar), 6 * hang_ms());
		second_exit = status_code(reap(second, hang_ms()));
	}
	first_exit = status_code(reap(c.first, hang_ms()));
	close(c.look[1]);
	close(c.b_out[0]);
	close(c.a_out[0]);
	unlink(keyfile);

	/* namespaces not allowed here */
	const char *refused = ready.refused[0] ? ready.refused : br.refused_ns;
	if (refused[0]) {
		skip_names(ns_ipc_names, refused);
		skip_names(ns_net_names, refused);
		return;
	}
	obs_str("ns.stopped_at", failed_at(failed, &br, &ar));
	obs_measured("ns.msgq.create", ready.msgq_create);
	obs_measured("ns.msgq.same_ns", br.msgq_same_ns);
	obs_measured("ns.msgq.other_ns", br.msgq_other_ns);
	obs_measured("ns.msgq.host_ns", host_msgq);
	obs_int("ns.first_host_exit", first_exit);
	obs_int("ns.second_host_exit", second_exit);
	/* veth pairs not allowed here */
	refused = br.net.refused[0] ? br.net.refused : ar.net.refused;
	if (refused[0])
		skip_names(ns_net_names, refused);
	else
		record_net(&ar, host_sees);
}

static void boundaries_all(void)
{
	boundaries(SOCK_DGRAM, "dgram.first_recv_bytes", "dgram.second_recv_bytes");
	boundaries(SOCK_SEQPACKET, "seqpacket.first_recv_bytes", "seqpacket.second_recv_bytes");
	boundaries(SOCK_STREAM, "stream.first_recv_bytes", "stream.second_recv_bytes");
}

const struct probe_section probe_sections[] = {
	SECTION(pair_duplex, "SOCK-PAIR-DUPLEX"),
	SECTION(pair_other_end, "SOCK-PAIR-OTHER-END"),
	SECTION(boundaries_all, "SOCK-DGRAM-BOUNDARIES SOCK-SEQPACKET-BOUNDARIES"),
	SECTION(peer_closed, "SOCK-PEER-CLOSED-EOF SOCK-PEER-CLOSED-EPIPE SOCK-PEER-CLOSED-SIGPIPE"),
	SECTION(pair_inet, "SOCK-PAIR-INET"),
	SECTION(unix_path, "SOCK-UNIX-PATH SOCK-UNIX-FILE"),
	SECTION(tcp_loopback, "SOCK-TCP-LOOPBACK SOCK-TCP-EPHEMERAL"),
	SECTION(two_hosts, "SOCK-NETNS-TCP SOCK-NETNS-ISOLATED SOCK-IPCNS-KEY"),
	{ 0 }
};
