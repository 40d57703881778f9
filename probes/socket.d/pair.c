/*
 * pair.c - the socket probe's sections on socketpair: one pair of
 * descriptors, both directions; what arrives where; message boundaries
 * (unix(7)); a closed peer; socketpair is for AF_UNIX.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"
#include "socket.h"

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

void pair_duplex(void)
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
void pair_other_end(void)
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

void peer_closed(void)
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

void pair_inet(void)
{
	int sv[2];
	struct outcome o = TRY(0, socketpair(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));

	obs_outcome("pair.inet_stream", o);
	if (o.ret == 0)
		close_pair(sv);
}


void boundaries_all(void)
{
	boundaries(SOCK_DGRAM, "dgram.first_recv_bytes", "dgram.second_recv_bytes");
	boundaries(SOCK_SEQPACKET, "seqpacket.first_recv_bytes", "seqpacket.second_recv_bytes");
	boundaries(SOCK_STREAM, "stream.first_recv_bytes", "stream.second_recv_bytes");
}
