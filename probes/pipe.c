/*
 * pipe.c - what the kernel does with anonymous pipes: ends, EOF, SIGPIPE,
 * blocking and O_NONBLOCK, capacity and F_SETPIPE_SZ (with the per-user
 * limits), PIPE_BUF atomicity and its control, pipes between any holders
 * of the descriptors, and the buffer that outlives its writer.  Records only; cases/pipe.bats
 * judges.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

const char PROBE_NAME[] = "pipe";

/* argv: scm SOCKET-PATH.  Connects, takes the one descriptor that comes
 * over SCM_RIGHTS and writes "passed" to it.  Exit status 0, or 100+ for
 * the step that failed. */
static int peer_scm(int argc, char **argv)
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

const struct peer_role probe_peers[] = {
	{ "scm", peer_scm },
	{ 0 },
};

/* the notes' own example string and byte count */
static const char notes_text[] = "hdsjdskjhdsjk";
enum { NOTES_COUNT = 6 };

static void make_pipe(int fds[2], int flags)
{
	SETUP(pipe2(fds, flags));
}

static void close_pipe(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static int flag_set(int fd, int cmd, int bit)
{
	return (SETUP(fcntl(fd, cmd)) & bit) != 0;
}

static void set_nonblock(int fd)
{
	SETUP(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK));
}

/* ---- ends: fd[0] reads, fd[1] writes (pipe(2)) ------------------------- */

static void ends(void)
{
	int fds[2];
	char c = 'x';

	make_pipe(fds, O_NONBLOCK);
	obs_outcome("ends.write_on_read_end", TRY(hang_ms(), write(fds[0], &c, 1)));
	obs_outcome("ends.read_on_write_end", TRY(hang_ms(), read(fds[1], &c, 1)));
	obs_outcome("lseek.read_end", TRY(0, lseek(fds[0], 0, SEEK_CUR)));
	obs_outcome("lseek.write_end", TRY(0, lseek(fds[1], 0, SEEK_CUR)));

	/* one pipe is one channel: a process that writes and then reads the
	 * same pipe gets its own bytes back, which is why a reply needs a
	 * second pipe */
	char back[5] = "";
	SETUP(write_all(fds[1], "ping", 4));
	obs_outcome_count("one_channel.read_back_bytes",
			  TRY(hang_ms(), read(fds[0], back, 4)));
	obs_str("one_channel.read_back_data", strcmp(back, "ping") ? "other" : "ping");
	close_pipe(fds);
}

/* ---- the notes' example: child writes 6 bytes, parent reads ------------ */

static int notes_child(void *arg)
{
	int *fds = arg;

	close(fds[0]);
	if (write(fds[1], notes_text, NOTES_COUNT) != NOTES_COUNT)
		return 1;
	close(fds[1]);
	return 0;
}

static void notes_example(void)
{
	int fds[2];
	char buf[1024] = { 0 };
	pid_t pid;

	make_pipe(fds, 0);
	pid = spawn(notes_child, fds);
	close(fds[1]);
	struct outcome o = TRY(hang_ms(), read(fds[0], buf, sizeof(buf)));
	obs_outcome_count("notes_example.read_bytes", o);
	obs_str("notes_example.data", o.ret > 0 ? buf : "none");
	obs_int("notes_example.child_exit", status_code(reap(pid, hang_ms())));
	close(fds[0]);
}

/* ---- two pipes make a full-duplex request/response --------------------- */

struct duplex { int to_child[2], to_parent[2]; };

static int duplex_child(void *arg)
{
	struct duplex *d = arg;
	char req[5];

	close(d->to_child[1]);
	close(d->to_parent[0]);
	return echo_answer(d->to_child[0], d->to_parent[1], req) ? 1 : 0;
}

static void duplex(void)
{
	struct duplex d;
	struct outcome o = { -1, 0, 0 };
	char reply[9];
	pid_t pid;
	int rc;

	make_pipe(d.to_child, 0);
	make_pipe(d.to_parent, 0);
	pid = spawn(duplex_child, &d);
	close(d.to_child[0]);
	close(d.to_parent[1]);
	rc = echo_ask(d.to_child[1], d.to_parent[0], "ping", reply, &o);
	if (rc == 1)
		probe_fail("write of the request", errno);
	obs_outcome_count("duplex.reply_bytes", o);
	obs_str("duplex.reply", rc == 0 ? "got-ping" : "other");
	reap(pid, hang_ms());
	close(d.to_child[1]);
	close(d.to_parent[0]);
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

static void holders(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[4096], buf[8] = "", ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	const char *args[] = { path, NULL };
	int fds[2], ls, conn;
	sigset_t old;
	pid_t w, r;

	/* two children of the probe: neither is the other's parent */
	make_pipe(fds, 0);
	w = spawn(sibling_writer, fds);
	r = spawn(sibling_reader, fds);
	close_pipe(fds);
	obs_int("siblings.writer_exit", status_code(reap(w, hang_ms())));
	obs_int("siblings.reader_exit", status_code(reap(r, hang_ms())));

	/* an unrelated program gets the write end over SCM_RIGHTS (unix(7)) */
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

/* ---- no reader: SIGPIPE, or EPIPE when it is ignored ------------------- */

static int write_to_no_reader(void *arg)
{
	int *fds = arg;

	signal(SIGPIPE, SIG_DFL);	/* the probe catches it; pipe(7) is about the default */
	return write(fds[1], "x", 1) == -1 ? 2 : 0;
}

static void no_reader(void)
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

/* ---- blocking by default; O_NONBLOCK through pipe2 or F_SETFL ---------- */

static void flags(void)
{
	int fds[2];
	long pg = page_size();
	char *page = calloc(1, (size_t)pg), c;

	make_pipe(fds, 0);
	obs_bool("flags.pipe.read_end.nonblock", flag_set(fds[0], F_GETFL, O_NONBLOCK));
	obs_bool("flags.pipe.write_end.nonblock", flag_set(fds[1], F_GETFL, O_NONBLOCK));
	obs_bool("flags.pipe.read_end.cloexec", flag_set(fds[0], F_GETFD, FD_CLOEXEC));
	obs_outcome("flags.pipe.empty_read", TRY(block_ms(), read(fds[0], &c, 1)));

	/* the notes' recipe: F_GETFL, or in O_NONBLOCK, F_SETFL */
	set_nonblock(fds[0]);
	set_nonblock(fds[1]);
	obs_bool("nonblock.setfl.read_end", flag_set(fds[0], F_GETFL, O_NONBLOCK));
	obs_bool("nonblock.setfl.write_end", flag_set(fds[1], F_GETFL, O_NONBLOCK));
	obs_outcome("nonblock.empty_read", TRY(hang_ms(), read(fds[0], &c, 1)));

	/* fill it with page-sized writes until the kernel says no: what a
	 * non-blocking writer can put in is the pipe's capacity */
	long long filled = 0;
	struct outcome o;
	if (!page)
		probe_fail("calloc", errno);
	for (;;) {
		o = TRY(hang_ms(), write(fds[1], page, (size_t)pg));
		if (o.ret <= 0)
			break;
		filled += o.ret;
	}
	obs_outcome("nonblock.full_write", o);
	obs_int("nonblock.filled_page_writes_bytes", filled);
	obs_outcome_count("nonblock.filled.getpipe_bytes", TRY(0, fcntl(fds[1], F_GETPIPE_SZ)));
	close_pipe(fds);
	free(page);

	make_pipe(fds, O_NONBLOCK | O_CLOEXEC);
	obs_bool("flags.pipe2.read_end.nonblock", flag_set(fds[0], F_GETFL, O_NONBLOCK));
	obs_bool("flags.pipe2.write_end.nonblock", flag_set(fds[1], F_GETFL, O_NONBLOCK));
	obs_bool("flags.pipe2.read_end.cloexec", flag_set(fds[0], F_GETFD, FD_CLOEXEC));
	obs_bool("flags.pipe2.write_end.cloexec", flag_set(fds[1], F_GETFD, FD_CLOEXEC));
	close_pipe(fds);
}

/* ---- capacity: F_GETPIPE_SZ, F_SETPIPE_SZ and pipe-max-size ------------ */

static void capacity(void)
{
	long pg = page_size();
	long long max = sysctl_read("fs.pipe-max-size");
	/* what a new pipe gets (fs/pipe.c alloc_pipe_info): PIPE_DEF_BUFFERS
	 * = 16 pages, no more than pipe-max-size without CAP_SYS_RESOURCE */
	long long def = 16LL * pg;
	int fds[2];
	long long room;
	char *buf;

	if (max >= pg && max < def)
		def = max;
	obs_int("capacity.page_size_bytes", pg);
	make_pipe(fds, O_NONBLOCK);
	obs_outcome_count("capacity.default_bytes", TRY(0, fcntl(fds[1], F_GETPIPE_SZ)));
	close_pipe(fds);

	/* Is this user past fs.pipe-user-pages-soft?  Then an unprivileged
	 * user's new pipe gets 2 pages (PIPE_MIN_DEF_BUFFERS) and growing a
	 * pipe fails with EPERM (fs/pipe.c pipe_set_size).  Shrinking is
	 * always allowed; growing a fresh pipe back from one page to what a
	 * new pipe gets is refused exactly when the user is past the limit. */
	make_pipe(fds, O_NONBLOCK);
	SETUP(fcntl(fds[1], F_SETPIPE_SZ, (int)pg));
	obs_outcome("capacity.regrow_to_default", TRY(0, fcntl(fds[1], F_SETPIPE_SZ, (int)def)));
	close_pipe(fds);

	/* rounding: up to one page, then up to a power of two (fcntl(2)) */
	make_pipe(fds, O_NONBLOCK);
	obs_outcome_count("setsz.one_byte.result_bytes", TRY(0, fcntl(fds[1], F_SETPIPE_SZ, 1)));
	obs_outcome_count("setsz.five_pages_plus_one.result_bytes",
			  TRY(0, fcntl(fds[1], F_SETPIPE_SZ, 5 * pg + 1)));
	obs_outcome_count("setsz.five_pages_plus_one.getpipe_bytes",
			  TRY(0, fcntl(fds[1], F_GETPIPE_SZ)));

	/* the advertised ceiling (proc(5) /proc/sys/fs/pipe-max-size) */
	obs_int("setsz.pipe_max_size_bytes", max);
	obs_bool("setsz.cap_sys_resource", have_cap(24));
	if (max > 0 && max < INT_MAX) {
		obs_outcome("setsz.at_max", TRY(0, fcntl(fds[1], F_SETPIPE_SZ, (int)max)));
		obs_outcome("setsz.above_max", TRY(0, fcntl(fds[1], F_SETPIPE_SZ, (int)max + 1)));
	} else {
		obs_skip("setsz.at_max", "pipe-max-size-unreadable");
		obs_skip("setsz.above_max", "pipe-max-size-unreadable");
	}
	close_pipe(fds);

	/* shrinking below what is buffered (fcntl(2) EBUSY): fill up to 3
	 * pages (a user past the soft limit has 2), then ask for one */
	make_pipe(fds, O_NONBLOCK);
	room = SETUP(fcntl(fds[1], F_GETPIPE_SZ));
	if (room > 3 * pg)
		room = 3 * pg;
	if (room < 2 * pg) {
		obs_skip("setsz.below_buffered", "pipe-holds-one-page");
	} else {
		buf = calloc(1, (size_t)room);
		if (!buf)
			probe_fail("calloc", errno);
		for (long long done = 0; done < room; done += pg)
			SETUP(write_all(fds[1], buf, (size_t)pg));
		free(buf);
		obs_outcome("setsz.below_buffered", TRY(0, fcntl(fds[1], F_SETPIPE_SZ, (int)pg)));
	}
	close_pipe(fds);
}

/* ---- PIPE_BUF atomicity with concurrent writers ------------------------ */

enum { WRITERS = 4, SMALL_RECORDS = 64, LARGE_RECORDS = 8 };

struct atomic_case { int fds[2]; int go[2]; int id; size_t record; int count; };

static int atomic_writer(void *arg)
{
	struct atomic_case *a = arg;
	char *rec = malloc(a->record), c;

	close(a->fds[0]);
	close(a->go[1]);
	if (!rec)
		return 1;
	memset(rec, 'A' + a->id, a->record);
	(void)!read(a->go[0], &c, 1);	/* all start at the parent's EOF */
	for (int i = 0; i < a->count; i++)
		if (write_all(a->fds[1], rec, a->record) == -1)
			return 1;
	return 0;
}

/* Returns how many RECORD-sized chunks held bytes of more than one writer,
 * or -1 when the data stopped coming. */
static long long atomic_run(size_t record, int count, long long *chunks)
{
	struct atomic_case a[WRITERS];
	pid_t pids[WRITERS];
	int fds[2], go[2];
	char *buf = malloc(record);
	long long mixed = 0;

	if (!buf)
		probe_fail("malloc", errno);
	make_pipe(fds, 0);
	make_pipe(go, 0);
	for (int w = 0; w < WRITERS; w++) {
		a[w] = (struct atomic_case){ { fds[0], fds[1] }, { go[0], go[1] },
					     w, record, count };
		pids[w] = spawn(atomic_writer, &a[w]);
	}
	close(fds[1]);
	close(go[0]);
	close(go[1]);	/* go */
	*chunks = 0;
	for (;;) {
		struct outcome o = TRY(hang_ms(), read_full(fds[0], buf, record));

		if (o.ret == 0)
			break;
		if (o.ret != (long)record) {
			mixed = -1;
			break;
		}
		(*chunks)++;
		for (size_t i = 1; i < record; i++)
			if (buf[i] != buf[0]) {
				mixed++;
				break;
			}
	}
	for (int w = 0; w < WRITERS; w++)
		reap(pids[w], hang_ms());
	close(fds[0]);
	free(buf);
	return mixed;
}

/* pipe(7): with O_NONBLOCK, a write of n <= PIPE_BUF bytes either goes in
 * whole or fails with EAGAIN.  Leave exactly PIPE_BUF - 1 bytes of room:
 * every slot full but the last, which holds a page less PIPE_BUF - 1
 * bytes (a pipe's capacity is counted in page-sized slots, fs/pipe.c
 * pipe_write).  PIPE_BUF bytes must then be refused whole, and the
 * PIPE_BUF - 1 bytes that fit go in (the room was there). */
static void pipe_buf_whole(void)
{
	long pg = page_size();
	size_t part = (size_t)pg - (PIPE_BUF - 1);
	char *page = calloc(1, (size_t)pg);
	struct outcome o;
	int fds[2];

	if (!page)
		probe_fail("calloc", errno);
	make_pipe(fds, O_NONBLOCK);
	do
		o = TRY(hang_ms(), write(fds[1], page, (size_t)pg));
	while (o.ret > 0);
	/* a page out frees one slot; the part takes it */
	o = TRY(hang_ms(), read(fds[0], page, (size_t)pg));
	if (o.ret != pg || TRY(hang_ms(), write(fds[1], page, part)).ret != (long)part) {
		obs_skip("atomic.nonblock.pipe_buf_write", "could-not-leave-pipe-buf-less-one-bytes-of-room");
		obs_skip("atomic.nonblock.room_write_bytes", "could-not-leave-pipe-buf-less-one-bytes-of-room");
	} else {
		obs_outcome_count("atomic.nonblock.pipe_buf_write",
				  TRY(hang_ms(), write(fds[1], page, PIPE_BUF)));
		obs_outcome_count("atomic.nonblock.room_write_bytes",
				  TRY(hang_ms(), write(fds[1], page, PIPE_BUF - 1)));
	}
	close_pipe(fds);
	free(page);
}

enum { LARGE_TRIES = 3 };

static void atomicity(void)
{
	long long chunks, mixed = 0, capacity;
	int fds[2], tries;

	/* Linux's PIPE_BUF (include/uapi/linux/limits.h), which pipe(7) and
	 * POSIX name; fpathconf(_PC_PIPE_BUF) only repeats the C library's
	 * copy of the constant, so the probe measures with it instead */
	obs_int("atomic.pipe_buf_bytes", PIPE_BUF);
	obs_int("atomic.writers", WRITERS);
	pipe_buf_whole();

	mixed = atomic_run(PIPE_BUF, SMALL_RECORDS, &chunks);
	obs_int("atomic.pipe_buf_records_sent", WRITERS * SMALL_RECORDS);
	obs_int("atomic.pipe_buf_records_read", chunks);
	obs_int("atomic.pipe_buf_records_mixed", mixed);

	/* The control: the same loop with records of twice the pipe's
	 * capacity, which no writer can put in at once.  Above PIPE_BUF the
	 * kernel may interleave them (pipe(7)); when it does, the loop shows
	 * that it sees interleaving, so its 0 above means something.  A few
	 * tries, then a recorded skip when none came out mixed. */
	make_pipe(fds, 0);
	capacity = SETUP(fcntl(fds[1], F_GETPIPE_SZ));
	close_pipe(fds);
	obs_int("atomic.large_record_bytes", 2 * capacity);
	for (tries = 1; tries <= LARGE_TRIES; tries++) {
		mixed = atomic_run(2 * (size_t)capacity, LARGE_RECORDS, &chunks);
		if (mixed != 0)
			break;
	}
	if (mixed == 0)
		obs_skip("atomic.large_records_mixed", "no-large-record-interleaved-in-3-runs");
	else
		obs_int("atomic.large_records_mixed", mixed);
}

/* ---- the kernel buffer: FIONREAD, and data that outlives its writer ---- */

static int write_buffered(void *arg)
{
	int *fds = arg;

	close(fds[0]);
	return write_all(fds[1], "kernelbuffer", 12) == 12 ? 0 : 1;
}

static void kernel_buffer(void)
{
	int fds[2], queued = -1;
	char buf[100] = "";

	make_pipe(fds, 0);
	SETUP(write_all(fds[1], buf, 100));
	SETUP(ioctl(fds[0], FIONREAD, &queued));
	obs_int("buffer.fionread_after_100_bytes", queued);
	close_pipe(fds);

	make_pipe(fds, 0);
	obs_int("buffer.writer_exit_status",
		status_code(reap(spawn(write_buffered, fds), hang_ms())));
	close(fds[1]);
	struct outcome o = TRY(hang_ms(), read_full(fds[0], buf, sizeof(buf) - 1));
	obs_outcome_count("buffer.after_writer_exit.read_bytes", o);
	obs_str("buffer.after_writer_exit.data",
		o.ret == 12 && strcmp(buf, "kernelbuffer") == 0 ? "kernelbuffer" : "other");
	close(fds[0]);
}

void probe_main(void)
{
	ends();
	notes_example();
	duplex();
	holders();
	eof();
	no_reader();
	flags();
	capacity();
	atomicity();
	kernel_buffer();
}
