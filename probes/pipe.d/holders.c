/*
 * holders.c - the pipe probe's sections "holders" (a pipe joins whoever
 * holds its descriptors; end of file only when every write end is closed)
 * and "no_reader" (SIGPIPE, or EPIPE when it is ignored).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe.h"
#include "pipe.h"

/* argv: scm SOCKET-PATH.  Connects, takes the one descriptor that comes
 * over SCM_RIGHTS and writes "passed" to it.  Exit status 0, or 100+ for
 * the step that failed. */
int peer_scm(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int s, fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path))
		return 100;
	strcpy(sa.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return 101;
	if (recvmsg(s, &msg, MSG_CMSG_CLOEXEC) != 1)
		return 102;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return 103;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	if (write_all(fd, "passed", 6) != 6)
		return 104;
	close(fd);
	close(s);
	return 0;
}

/* ---- any holders of the descriptors, not only parent and child ---------- */

/* the notes say a pipe joins parent and child; pipe(7) says it joins
 * whoever holds its descriptors: here two siblings, and below a program
 * that gets the write end over a socket */
static int sibling_writer(void *arg)
{
	int *fds = arg;

	close(fds[0]);
	return write_all(fds[1], "sibling", 7) == 7 ? 0 : 1;
}

/* exit 0: read "sibling" and then end of file; 1 short, 2 other bytes,
 * 3 no end of file */
static int sibling_reader(void *arg)
{
	int *fds = arg;
	char buf[8] = "", c;

	close(fds[1]);
	if (read_full(fds[0], buf, 7) != 7)
		return 1;
	if (memcmp(buf, "sibling", 7) != 0)
		return 2;
	return read(fds[0], &c, 1) == 0 ? 0 : 3;
}

/* two children of the probe: neither is the other's parent */
static void siblings(void)
{
	int fds[2];
	pid_t w, r;

	make_pipe(fds, 0);
	w = spawn(sibling_writer, fds);
	r = spawn(sibling_reader, fds);
	close_pipe(fds);
	obs_int("siblings.writer_exit", status_code(reap(w, hang_ms())));
	obs_int("siblings.reader_exit", status_code(reap(r, hang_ms())));
}

/* an unrelated program gets the write end over SCM_RIGHTS (unix(7)) */
static void passed_fd(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[4096], buf[8] = "", ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	const char *args[] = { path, NULL };
	int fds[2], ls, conn;
	sigset_t old;

	make_pipe(fds, 0);
	scratch_path(path, sizeof(path), "scm.sock");
	if (strlen(path) >= sizeof(sa.sun_path)) {
		obs_skip("passed_fd.read_bytes", "socket-path-too-long");
		obs_skip("passed_fd.data", "socket-path-too-long");
		obs_skip("passed_fd.peer_exit", "socket-path-too-long");
		close_pipe(fds);
		return;
	}
	strcpy(sa.sun_path, path);
	ls = SETUP(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	/* made and registered with signals held, so an interrupt cannot
	 * leave the socket file behind */
	hold_signals(&old);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		int err = errno;

		release_signals(&old);
		probe_fail("bind", err);
	}
	cleanup_unlink(path);
	release_signals(&old);
	SETUP(listen(ls, 1));
	pid_t peer = spawn_peer("scm", args);
	conn = (int)TRY(hang_ms(), accept4(ls, NULL, NULL, SOCK_CLOEXEC)).ret;
	if (conn != -1) {
		struct iovec iov = { "f", 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fds[1], sizeof(int));
		SETUP(sendmsg(conn, &msg, 0));
		close(conn);
	}
	close(ls);
	close(fds[1]);	/* the peer's copy is now the only write end */
	struct outcome o = TRY(hang_ms(), read_full(fds[0], buf, 6));
	obs_outcome_count("passed_fd.read_bytes", o);
	obs_str("passed_fd.data", o.ret == 6 && strcmp(buf, "passed") == 0 ? "passed" : "other");
	obs_int("passed_fd.peer_exit", status_code(reap(peer, hang_ms())));
	close(fds[0]);
}

/* ---- EOF only when every write end is closed --------------------------- */

struct eof_case { int fds[2]; int hold[2]; };

/* writes one byte and exits, closing its write end */
static int write_and_exit(void *arg)
{
	struct eof_case *e = arg;

	close(e->fds[0]);
	return write(e->fds[1], "x", 1) == 1 ? 0 : 1;
}

/* writes one byte, then keeps its write end open until released */
static int write_and_hold(void *arg)
{
	struct eof_case *e = arg;
	char c;

	close(e->fds[0]);
	close(e->hold[1]);
	if (write(e->fds[1], "x", 1) != 1)
		return 1;
	(void)!read(e->hold[0], &c, 1);	/* returns at the parent's EOF */
	return 0;
}

static void eof(void)
{
	struct eof_case e;
	char c;
	pid_t pid;

	/* every writer gone: the byte, then 0 */
	make_pipe(e.fds, 0);
	pid = spawn(write_and_exit, &e);
	close(e.fds[1]);
	TRY(hang_ms(), read(e.fds[0], &c, 1));
	obs_outcome_count("eof.all_writers_closed.read", TRY(hang_ms(), read(e.fds[0], &c, 1)));
	reap(pid, hang_ms());
	close(e.fds[0]);

	/* the reader kept its own inherited copy of the write end */
	make_pipe(e.fds, 0);
	pid = spawn(write_and_exit, &e);
	reap(pid, hang_ms());
	TRY(hang_ms(), read(e.fds[0], &c, 1));
	obs_outcome_count("eof.reader_holds_write_end.read",
			  TRY(block_ms(), read(e.fds[0], &c, 1)));
	close_pipe(e.fds);

	/* another process still holds a write end */
	make_pipe(e.fds, 0);
	make_pipe(e.hold, 0);
	pid = spawn(write_and_hold, &e);
	close(e.fds[1]);
	close(e.hold[0]);
	TRY(hang_ms(), read(e.fds[0], &c, 1));
	obs_outcome_count("eof.other_writer_open.read",
			  TRY(block_ms(), read(e.fds[0], &c, 1)));
	close(e.hold[1]);
	reap(pid, hang_ms());
	close(e.fds[0]);
}

void holders(void)
{
	siblings();
	passed_fd();
	eof();
}

/* ---- no reader: SIGPIPE, or EPIPE when it is ignored ------------------- */

static int write_to_no_reader(void *arg)
{
	int *fds = arg;

	signal(SIGPIPE, SIG_DFL);	/* the probe catches it; pipe(7) is about the default */
	return write(fds[1], "x", 1) == -1 ? 2 : 0;
}

void no_reader(void)
{
	int fds[2];
	struct sigaction old;

	make_pipe(fds, 0);
	close(fds[0]);
	obs_signal("no_reader.default.killed_by", spawn_killed_by(write_to_no_reader, fds));

	ignore_sigpipe(&old);
	obs_outcome("no_reader.sigpipe_ignored.write", TRY(hang_ms(), write(fds[1], "x", 1)));
	restore_sigpipe(&old);
	close(fds[1]);
}

