/*
 * buffer.c - the pipe probe's section "buffer": PIPE_BUF atomicity with
 * concurrent writers (and the control that shows interleaving can be
 * seen), FIONREAD, and data that outlives its writer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "probe.h"
#include "pipe.h"

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

void buffer(void)
{
	atomicity();
	kernel_buffer();
}
