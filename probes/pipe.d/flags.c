/*
 * flags.c - the pipe probe's sections "flags" (blocking by default,
 * O_NONBLOCK through pipe2 or F_SETFL, what a non-blocking writer fills)
 * and "capacity" (F_GETPIPE_SZ, F_SETPIPE_SZ, pipe-max-size and the
 * per-user limits).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"
#include "pipe.h"

/* ---- blocking by default; O_NONBLOCK through pipe2 or F_SETFL ---------- */

void flags(void)
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

void capacity(void)
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

