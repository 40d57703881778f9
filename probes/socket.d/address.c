/*
 * address.c - the socket probe's sections on addresses: a listener on a
 * path and one on a TCP port of the loopback, each reached by a peer that
 * knows only the address.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe.h"
#include "names.h"
#include "socket.h"

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

void unix_path(void)
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

void tcp_loopback(void)
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

