/*
 * socket.d/socket.c - what the kernel does with sockets: socketpair as a
 * full-duplex channel, message boundaries, a closed peer, unrelated
 * processes meeting through a path or a TCP port, and the notes' "two
 * hosts" played by two network namespaces joined by a veth pair, beside an
 * IPC namespace that hides a message queue key.  Records only;
 * cases/socket.bats judges.
 *
 * One program in sections (probes/lib/probe.h), their table below; one
 * file per group: pair.c (socketpair, boundaries, a closed peer),
 * address.c (a path, a TCP port), two_hosts.c and hosts.c (two network
 * namespaces), netlink.c (the veth pair between them).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe.h"
#include "socket.h"

const char PROBE_NAME[] = "socket";

/* ---- small helpers ------------------------------------------------------- */

void make_pair(int type, int sv[2])
{
	SETUP(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv));
}

void close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* write all of BUF to a connected socket; a peer that has gone makes it
 * fail with EPIPE rather than kill this process with SIGPIPE */
ssize_t send_all(int fd, const void *buf, size_t len)
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
const char *answer(int fd)
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
