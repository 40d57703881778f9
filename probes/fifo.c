/*
 * fifo.c - what the kernel does with named pipes: mkfifo, opening with and
 * without a peer, unrelated processes meeting through a path, one channel
 * per FIFO, and a buffer that never reaches the file system.  Records only;
 * cases/fifo.bats judges.  Each group of claims is a section
 * (probes/lib/probe.h), run in a process of its own.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "probe.h"

const char PROBE_NAME[] = "fifo";

/* a FIFO in the probe's scratch dir, removed at exit */
static void make_fifo(char *path, size_t size, const char *name, mode_t mode)
{
	scratch_path(path, size, name);
	/* registered first: a FIFO made just before an interrupt is not left */
	cleanup_unlink(path);
	SETUP(mkfifo(path, mode));
}

static int open_fifo(const char *path, int flags, int ms, const char *name)
{
	struct outcome o = TRY(ms, open(path, flags | O_CLOEXEC));

	if (name)
		obs_outcome(name, o);
	return (int)o.ret;
}

/* ---- peers: separate programs that know only the FIFO's path ----------- */

/* argv: writer PATH.  Exit status: how many descriptors it inherited
 * (0 expected), or 100+ when it could not open or write. */
static int peer_writer(int argc, char **argv)
{
	int inherited = inherited_fds();
	int fd;

	if (argc != 2)
		return 100;
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);	/* waits for the reader */
	if (fd == -1)
		return 101;
	if (write_all(fd, "from-peer", 9) != 9)
		return 102;
	close(fd);
	return inherited < 0 ? 103 : inherited;
}

/* argv: echo REQUEST-PATH REPLY-PATH.  Reads 4 bytes, answers "got-" + them. */
static int peer_echo(int argc, char **argv)
{
	char req[5];
	int in, out, rc;

	if (argc != 3)
		return 100;
	if ((in = open(argv[1], O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(argv[2], O_WRONLY | O_CLOEXEC)) == -1)
		return 101;
	rc = echo_answer(in, out, req);
	return rc ? 101 + rc : 0;	/* 102: no request, 103: no reply */
}

const struct peer_role probe_peers[] = {
	{ "writer", peer_writer },
	{ "echo", peer_echo },
	{ 0 },
};

/* ---- mkfifo (mkfifo(3)) ------------------------------------------------- */

/*
 * The permissions a default ACL on DIR gives a new file, as the octal
 * digits of its owner, group class and other entries (acl(5) OBJECT
 * CREATION AND DEFAULT ACLs: the group class is ACL_MASK when there is
 * one, else ACL_GROUP_OBJ), or "none" when DIR has no default ACL.  The
 * scratch directory inherits one from $TMPDIR (acl(5)), and then the
 * umask does not apply (open(2), fs/posix_acl.c posix_acl_create).
 * Read from the system.posix_acl_default extended attribute: a 4-byte
 * version, then 8-byte entries of a 16-bit tag, a 16-bit permission and
 * a 32-bit id, little-endian (include/uapi/linux/posix_acl_xattr.h).
 */
static void default_acl(const char *dir)
{
	unsigned char x[4096];
	int user = -1, group = -1, mask = -1, other = -1;
	ssize_t n = getxattr(dir, "system.posix_acl_default", x, sizeof(x));
	char mode[8];

	if (n == -1 && (errno == ENODATA || errno == ENOTSUP)) {
		obs_str("mkfifo.dir_default_acl_octal", "none");
		return;
	}
	if (n == -1)
		probe_fail("getxattr", errno);
	for (ssize_t i = 4; i + 8 <= n; i += 8) {
		int tag = x[i] | x[i + 1] << 8, perm = (x[i + 2] | x[i + 3] << 8) & 7;

		switch (tag) {
		case 0x01: user = perm; break;		/* ACL_USER_OBJ */
		case 0x04: group = perm; break;		/* ACL_GROUP_OBJ */
		case 0x10: mask = perm; break;		/* ACL_MASK */
		case 0x20: other = perm; break;		/* ACL_OTHER */
		}
	}
	if (n < 4 || user < 0 || group < 0 || other < 0) {
		obs_str("mkfifo.dir_default_acl_octal", "unreadable");
		return;
	}
	snprintf(mode, sizeof(mode), "%o", user << 6 | (mask >= 0 ? mask : group) << 3 | other);
	obs_str("mkfifo.dir_default_acl_octal", mode);
}

static void make(void)
{
	char path[4096];
	struct stat st;
	mode_t old;

	default_acl(scratch_dir());
	old = umask(027);
	scratch_path(path, sizeof(path), "mode");
	cleanup_unlink(path);	/* before it exists: see make_fifo */
	obs_outcome("mkfifo.result", TRY(0, mkfifo(path, 0666)));
	umask(old);
	SETUP(lstat(path, &st));
	obs_bool("mkfifo.is_fifo", S_ISFIFO(st.st_mode));
	obs_str("mkfifo.requested_mode_octal", "666");
	obs_str("mkfifo.umask_octal", "027");
	char mode[8];
	snprintf(mode, sizeof(mode), "%o", (unsigned)(st.st_mode & 07777));
	obs_str("mkfifo.mode_octal", mode);
	obs_outcome("mkfifo.existing_path", TRY(0, mkfifo(path, 0600)));
}

/* ---- opening: who waits for whom (fifo(7), open(2)) -------------------- */

static void opening(void)
{
	char path[4096];
	int fd;

	make_fifo(path, sizeof(path), "open", 0600);
	open_fifo(path, O_RDONLY, block_ms(), "open.rdonly_no_writer");
	open_fifo(path, O_WRONLY, block_ms(), "open.wronly_no_reader");
	open_fifo(path, O_WRONLY | O_NONBLOCK, hang_ms(), "open.wronly_nonblock_no_reader");
	fd = open_fifo(path, O_RDONLY | O_NONBLOCK, hang_ms(), "open.rdonly_nonblock_no_writer");
	/* with a reader there, a non-blocking writer gets in */
	int w = open_fifo(path, O_WRONLY | O_NONBLOCK, hang_ms(), "open.wronly_nonblock_with_reader");
	if (w != -1)
		close(w);
	if (fd != -1)
		close(fd);
}

/* ---- non-blocking reads and writes (fifo(7), pipe(7)) ------------------ */

static void nonblocking(void)
{
	char path[4096], c, *page;
	long pg = page_size();
	long long filled = 0;
	struct outcome o;
	int r, w;

	make_fifo(path, sizeof(path), "nonblock", 0600);
	r = open_fifo(path, O_RDONLY | O_NONBLOCK, hang_ms(), "nonblock.open_reader");
	if (r == -1) {
		obs_skip("nonblock.read_no_writer", "reader-open-failed");
		obs_skip("nonblock.read_empty_with_writer", "reader-open-failed");
		obs_skip("nonblock.write_full", "reader-open-failed");
		obs_skip("nonblock.filled_bytes", "reader-open-failed");
		return;
	}
	/* no process has the FIFO open for writing: end of file, not a wait
	 * and not EAGAIN (pipe(7): all write ends closed) */
	obs_outcome_count("nonblock.read_no_writer", TRY(hang_ms(), read(r, &c, 1)));

	w = SETUP(open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC));
	/* a writer, nothing written: EAGAIN (pipe(7) O_NONBLOCK) */
	obs_outcome_count("nonblock.read_empty_with_writer", TRY(hang_ms(), read(r, &c, 1)));

	/* fill it with page-sized writes: the one that does not fit gets EAGAIN */
	page = calloc(1, (size_t)pg);
	if (!page)
		probe_fail("calloc", errno);
	for (;;) {
		o = TRY(hang_ms(), write(w, page, (size_t)pg));
		if (o.ret <= 0)
			break;
		filled += o.ret;
	}
	obs_outcome_count("nonblock.write_full", o);
	obs_int("nonblock.filled_bytes", filled);
	free(page);
	close(w);
	close(r);
}

/* ---- unrelated processes meet through the path -------------------------- */

static void unrelated(void)
{
	char path[4096], buf[16] = "";
	const char *args[] = { path, NULL };
	pid_t peer;
	int fd;

	make_fifo(path, sizeof(path), "meet", 0600);
	peer = spawn_peer("writer", args);
	/* blocks until the peer opens its end */
	fd = open_fifo(path, O_RDONLY, hang_ms(), "unrelated.open_rdonly_with_writer");
	if (fd != -1) {
		struct outcome o = TRY(hang_ms(), read_full(fd, buf, sizeof(buf) - 1));
		obs_outcome_count("unrelated.read_bytes", o);
		obs_str("unrelated.data", strcmp(buf, "from-peer") ? "other" : "from-peer");
		close(fd);
	} else {
		obs_skip("unrelated.read_bytes", "open-failed");
		obs_skip("unrelated.data", "open-failed");
	}
	obs_int("unrelated.peer_exit", status_code(reap(peer, hang_ms())));
}

/* ---- the buffer lives in the kernel, not in the file ------------------- */

static void buffer(void)
{
	char path[4096], buf[100] = { 0 };
	struct stat st;
	int r, w, queued = -1;

	make_fifo(path, sizeof(path), "buffer", 0600);
	r = SETUP(open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	w = SETUP(open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC));
	SETUP(write_all(w, buf, sizeof(buf)));
	SETUP(ioctl(r, FIONREAD, &queued));
	SETUP(stat(path, &st));
	obs_int("buffer.fionread_after_100_bytes", queued);
	obs_int("buffer.st_size_bytes", st.st_size);

	/* the last writer closes: the rest of the data, then EOF */
	close(w);
	obs_outcome_count("buffer.read_after_writer_closed_bytes",
			  TRY(hang_ms(), read_full(r, buf, sizeof(buf))));
	obs_outcome_count("buffer.read_at_eof", TRY(hang_ms(), read(r, buf, 1)));
	close(r);
}

/* ---- one FIFO is one channel; a reply needs a second ------------------- */

static void channels(void)
{
	char path[4096], req[4096], rep[4096], back[5] = "", reply[9] = "";
	const char *args[] = { req, rep, NULL };
	pid_t peer;
	int fd, in, out;

	/* Linux opens a FIFO O_RDWR without waiting (fifo(7)); what such a
	 * process writes, it reads back itself */
	make_fifo(path, sizeof(path), "rdwr", 0600);
	fd = open_fifo(path, O_RDWR, hang_ms(), "one_channel.open_rdwr");
	if (fd != -1) {
		SETUP(write_all(fd, "ping", 4));
		obs_outcome_count("one_channel.read_back_bytes",
				  TRY(hang_ms(), read(fd, back, 4)));
		obs_str("one_channel.read_back_data", strcmp(back, "ping") ? "other" : "ping");
		close(fd);
	} else {
		obs_skip("one_channel.read_back_bytes", "open-rdwr-failed");
		obs_skip("one_channel.read_back_data", "open-rdwr-failed");
	}

	/* request over one FIFO, reply over another, with an unrelated peer */
	make_fifo(req, sizeof(req), "request", 0600);
	make_fifo(rep, sizeof(rep), "reply", 0600);
	peer = spawn_peer("echo", args);
	out = open_fifo(req, O_WRONLY, hang_ms(), NULL);
	in = open_fifo(rep, O_RDONLY, hang_ms(), NULL);
	if (out != -1 && in != -1) {
		struct outcome o = { -1, 0, 0 };
		int rc = echo_ask(out, in, "ping", reply, &o);

		if (rc == 1)
			probe_fail("write of the request", errno);
		obs_outcome_count("duplex.reply_bytes", o);
		obs_str("duplex.reply", rc == 0 ? "got-ping" : "other");
	} else {
		obs_skip("duplex.reply_bytes", "open-failed");
		obs_skip("duplex.reply", "open-failed");
	}
	obs_int("duplex.peer_exit", status_code(reap(peer, hang_ms())));
	if (out != -1)
		close(out);
	if (in != -1)
		close(in);
}

const struct probe_section probe_sections[] = {
	SECTION(make, "FIFO-MKFIFO FIFO-MODE FIFO-EEXIST"),
	SECTION(opening, "FIFO-OPEN-READ-WAITS FIFO-OPEN-WRITE-WAITS FIFO-OPEN-READ-NONBLOCK "
		"FIFO-OPEN-WRITE-ENXIO FIFO-OPEN-WRITE-NONBLOCK"),
	SECTION(nonblocking, "FIFO-NONBLOCK-NO-WRITER FIFO-NONBLOCK-EMPTY FIFO-NONBLOCK-FULL"),
	SECTION(unrelated, "FIFO-UNRELATED"),
	SECTION(buffer, "FIFO-NO-FILE-DATA FIFO-EOF"),
	SECTION(channels, "FIFO-ONE-CHANNEL FIFO-DUPLEX"),
	{ 0 }
};
