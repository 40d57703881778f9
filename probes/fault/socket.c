/*
 * socket.c - the fault library's lies about sockets and namespaces (see
 * fault.c), for probes/socket.d/ and cases/socket.bats.
 *
 * The faults wrap socketpair, send, recv, bind, connect, unshare and setns.
 * Three act through read() and write(), which fault.c wraps for its pipe
 * faults: those call socket_read_hook() and socket_write_hook() below, which
 * touch only sockets and only while a socket fault is on.  What a fault
 * looks at, it looks at with the real calls.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"

const char *const socket_faults[] = {
	"sock-pair-one-way", "sock-pair-one-channel", "sock-boundaries-merged",
	"sock-eof-reset", "sock-epipe-swallowed", "sock-sigpipe-lost",
	"sock-pair-inet-allowed", "sock-unix-path-private", "sock-unix-rebind-stale",
	"sock-tcp-peer-refused", "sock-ephemeral-out-of-range",
	"sock-netns-unreachable", "sock-nonlocal-bind", "sock-newipc-ignored",
	"sock-inet-pair-crashes",
	NULL,
};

static int sock_fault(void)
{
	return strncmp(ipcvm_fault, "sock-", 5) == 0;
}

/* ---- the real calls ------------------------------------------------------ */

static int real_socketpair_call(int domain, int type, int proto, int sv[2])
{
	REAL(int, socketpair, int, int, int, int *);
	return real_socketpair(domain, type, proto, sv);
}

static ssize_t real_send_call(int fd, const void *buf, size_t len, int flags)
{
	REAL(ssize_t, send, int, const void *, size_t, int);
	return real_send(fd, buf, len, flags);
}

static ssize_t real_recv_call(int fd, void *buf, size_t len, int flags)
{
	REAL(ssize_t, recv, int, void *, size_t, int);
	return real_recv(fd, buf, len, flags);
}

static int real_bind_call(int fd, const struct sockaddr *a, socklen_t len)
{
	REAL(int, bind, int, const struct sockaddr *, socklen_t);
	return real_bind(fd, a, len);
}

static int real_connect_call(int fd, const struct sockaddr *a, socklen_t len)
{
	REAL(int, connect, int, const struct sockaddr *, socklen_t);
	return real_connect(fd, a, len);
}

/* ---- what kind of socket ------------------------------------------------ */

static ino_t sock_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? st.st_ino : 0;
}

static int sock_opt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);
	int err = errno;

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) == -1)
		v = -1;
	errno = err;
	return v;
}

/* ---- socketpairs this process made -------------------------------------- */

static struct pair { int fd[2]; ino_t ino[2]; } pairs[64];
static int npairs;

static void note_pair(const int sv[2])
{
	struct pair *p = &pairs[npairs % 64];

	p->fd[0] = sv[0];
	p->fd[1] = sv[1];
	p->ino[0] = sock_inode(sv[0]);
	p->ino[1] = sock_inode(sv[1]);
	npairs++;
}

/* the pair FD is an end of (by socket inode, so it holds across fork and
 * a reused descriptor number is not mistaken); *END gets 0 or 1 */
static struct pair *pair_of(int fd, int *end)
{
	ino_t ino = sock_inode(fd);

	for (int i = 0; ino && i < 64 && i < npairs; i++)
		for (int e = 0; e < 2; e++)
			if (pairs[i].ino[e] == ino) {
				*end = e;
				return &pairs[i];
			}
	return NULL;
}

int socketpair(int domain, int type, int proto, int sv[2])
{
	int r;

	if (!sock_fault())
		return real_socketpair_call(domain, type, proto, sv);
	if (is("sock-inet-pair-crashes") && domain == AF_INET) {
		/* a C library that dies inside one section of the probe: that
		 * section's claims are errors, the others are still judged */
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (is("sock-pair-inet-allowed") && domain == AF_INET) {
		/* the pair is made, of AF_UNIX sockets, whatever was asked */
		domain = AF_UNIX;
		proto = 0;
	}
	r = real_socketpair_call(domain, type, proto, sv);
	if (r == 0 && domain == AF_UNIX)
		note_pair(sv);
	return r;
}

/* sock-pair-one-way: the second end of a pair only reads, like a pipe's
 * read end */
static int second_end(int fd)
{
	int end;

	return is("sock-pair-one-way") && pair_of(fd, &end) && end == 1;
}

/* ---- send and write ------------------------------------------------------ */

/* what send and write have in common; FLAGS as for send */
static ssize_t sending(int fd, const void *buf, size_t len, int flags)
{
	ssize_t r;
	int err;

	if (second_end(fd)) {
		errno = EBADF;
		return -1;
	}
	if (is("sock-epipe-swallowed") || is("sock-sigpipe-lost"))
		flags |= MSG_NOSIGNAL;
	r = real_send_call(fd, buf, len, flags);
	err = errno;
	if (r == -1 && err == EPIPE && is("sock-epipe-swallowed"))
		return (ssize_t)len;
	errno = err;
	return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	if (!sock_fault())
		return real_send_call(fd, buf, len, flags);
	return sending(fd, buf, len, flags);
}

/* fault.c's write(): 1 when this answered it */
int socket_write_hook(int fd, const void *buf, size_t len, ssize_t *ret)
{
	if (!(is("sock-pair-one-way") || is("sock-epipe-swallowed") || is("sock-sigpipe-lost")) ||
	    fd <= 2 || !sock_inode(fd))
		return 0;
	*ret = sending(fd, buf, len, 0);
	return 1;
}

/* ---- recv and read ------------------------------------------------------- */

/* what recv and read have in common; FLAGS as for recv */
static ssize_t receiving(int fd, void *buf, size_t len, int flags)
{
	ssize_t r = real_recv_call(fd, buf, len, flags);
	int err = errno, type;

	if (r > 0 && is("sock-boundaries-merged") && sock_opt(fd, SO_DOMAIN) == AF_UNIX &&
	    ((type = sock_opt(fd, SO_TYPE)) == SOCK_DGRAM || type == SOCK_SEQPACKET)) {
		/* the next messages run on into this one */
		while ((size_t)r < len) {
			ssize_t more = real_recv_call(fd, (char *)buf + r, len - (size_t)r,
						      flags | MSG_DONTWAIT);

			if (more <= 0)
				break;
			r += more;
		}
		err = errno;
	}
	if (r == -1 && err == EAGAIN && is("sock-pair-one-channel")) {
		/* one channel: a read on either end takes what waits at the other */
		struct pair *p;
		int end;

		if ((p = pair_of(fd, &end)) && sock_inode(p->fd[!end]) == p->ino[!end])
			return real_recv_call(p->fd[!end], buf, len, flags | MSG_DONTWAIT);
	}
	if (r == 0 && len > 0 && is("sock-eof-reset") && sock_opt(fd, SO_TYPE) == SOCK_STREAM) {
		/* an orderly close read as an abort */
		errno = ECONNRESET;
		return -1;
	}
	errno = err;
	return r;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	if (!sock_fault())
		return real_recv_call(fd, buf, len, flags);
	return receiving(fd, buf, len, flags);
}

/* fault.c's read(): 1 when this answered it */
int socket_read_hook(int fd, void *buf, size_t len, ssize_t *ret)
{
	if (!(is("sock-eof-reset") || is("sock-boundaries-merged") ||
	      is("sock-pair-one-channel")) || fd <= 2 || !sock_inode(fd))
		return 0;
	*ret = receiving(fd, buf, len, 0);
	return 1;
}

/* ---- connect ------------------------------------------------------------ */

int connect(int fd, const struct sockaddr *a, socklen_t len)
{
	if (!sock_fault() || !a)
		return real_connect_call(fd, a, len);
	/* a process the listener did not start is refused */
	if ((is("sock-unix-path-private") && a->sa_family == AF_UNIX && ipcvm_in_peer) ||
	    (is("sock-tcp-peer-refused") && a->sa_family == AF_INET && ipcvm_in_peer)) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (is("sock-netns-unreachable") && a->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)a;

		/* only loopback: no route to anything on another interface */
		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127) {
			errno = ENETUNREACH;
			return -1;
		}
	}
	return real_connect_call(fd, a, len);
}

/* ---- bind --------------------------------------------------------------- */

/* ip_local_port_range */
static int local_ports(long *low, long *high)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%ld %ld", low, high);
	fclose(f);
	return n == 2 && *low > 0 && *high >= *low && *high <= 65535;
}

/* sock-ephemeral-out-of-range: port 0 gets a port just outside the range */
static int bind_outside_range(int fd, const struct sockaddr_in *a, socklen_t len)
{
	struct sockaddr_in at = *a;
	long low, high;
	int err = errno;

	if (!local_ports(&low, &high))
		return real_bind_call(fd, (const struct sockaddr *)a, len);
	for (int i = 1; i <= 200; i++) {
		long port = low - i > 1024 ? low - i : high + i;

		if (port > 65535)
			break;
		at.sin_port = htons((unsigned short)port);
		if (real_bind_call(fd, (const struct sockaddr *)&at, len) == 0) {
			errno = err;
			return 0;
		}
		if (errno != EADDRINUSE)
			break;
	}
	return real_bind_call(fd, (const struct sockaddr *)a, len);
}

/* sock-unix-rebind-stale: does anyone listen at the path of A? */
static int nobody_listens(const struct sockaddr *a, socklen_t len)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), refused;

	if (s == -1)
		return 0;
	refused = real_connect_call(s, a, len) == -1 && errno == ECONNREFUSED;
	close(s);
	return refused;
}

int bind(int fd, const struct sockaddr *a, socklen_t len)
{
	int r, err;

	if (!sock_fault() || !a)
		return real_bind_call(fd, a, len);
	if (is("sock-ephemeral-out-of-range") && a->sa_family == AF_INET &&
	    ((const struct sockaddr_in *)(const void *)a)->sin_port == 0 &&
	    sock_opt(fd, SO_TYPE) == SOCK_STREAM)
		return bind_outside_range(fd, (const struct sockaddr_in *)(const void *)a, len);

	r = real_bind_call(fd, a, len);
	err = errno;
	if (r == -1 && err == EADDRINUSE && is("sock-unix-rebind-stale") &&
	    a->sa_family == AF_UNIX && nobody_listens(a, len)) {
		/* the stale socket file is replaced */
		const struct sockaddr_un *un = (const struct sockaddr_un *)(const void *)a;

		if (un->sun_path[0] && unlink(un->sun_path) == 0)
			return real_bind_call(fd, a, len);
	}
	if (r == -1 && err == EADDRNOTAVAIL && is("sock-nonlocal-bind") &&
	    a->sa_family == AF_INET) {
		/* as if net.ipv4.ip_nonlocal_bind were 1 */
		int on = 1;

		if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on)) == 0)
			return real_bind_call(fd, a, len);
	}
	errno = err;
	return r;
}

/* ---- namespaces ----------------------------------------------------------- */
/*
 * sock-newipc-ignored: CLONE_NEWIPC does nothing beside CLONE_NEWNET, the
 * way the socket probe asks for its "other host" (the msgq probe, which
 * writes IPC sysctls in a namespace of its own, never asks with CLONE_NEWNET,
 * so it is never handed the machine's IPC namespace); and setns into the IPC
 * namespace a process is already in is a no-op.
 */

int unshare(int flags)
{
	REAL(int, unshare, int);

	if (is("sock-newipc-ignored") && (flags & CLONE_NEWNET))
		flags &= ~CLONE_NEWIPC;
	return real_unshare(flags);
}

int setns(int fd, int nstype)
{
	REAL(int, setns, int, int);
	struct stat want, mine;

	if (is("sock-newipc-ignored") && nstype == CLONE_NEWIPC && fstat(fd, &want) == 0 &&
	    stat("/proc/self/ns/ipc", &mine) == 0 && want.st_ino == mine.st_ino &&
	    want.st_dev == mine.st_dev)
		return 0;
	return real_setns(fd, nstype);
}
