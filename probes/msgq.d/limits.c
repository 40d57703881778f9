/*
 * limits.c - the limits on this machine: msgmax, msg_qbytes, the count
 * limit, what a fresh queue holds (the notes' "64k, 16 messages"), and
 * with them every claim that compares with msgmnb: a new queue's
 * msg_qbytes and IPC_SET of it (ctl.c), so that limit.msgmnb_bytes is
 * recorded by the one section that serves them all.
 */
#include "config.h"

#include <stdlib.h>

#include "msgq.h"

enum { COUNT_QBYTES = 12 };

static void info(long long msgmax, long long msgmnb, long long msgmni)
{
	struct msginfo mi = ipc_info(IPC_INFO);

	obs_int("limit.msgmax_bytes", msgmax);
	obs_int("limit.msgmnb_bytes", msgmnb);
	obs_int("limit.msgmni_count", msgmni);
	obs_int("info.msgmax_bytes", mi.msgmax);
	obs_int("info.msgmnb_bytes", mi.msgmnb);
	obs_int("info.msgmni_count", mi.msgmni);
}

/* a message of exactly msgmax bytes, then one byte more */
static void msgmax_boundary(long long msgmax, long long msgmnb)
{
	struct msg *m;
	int id;

	if (msgmax <= 0 || msgmax > FILL_BYTES_MAX) {
		obs_skip("limit.send_msgmax", "msgmax-unreadable-or-above-1MiB");
		obs_skip("limit.send_msgmax_plus_one", "msgmax-unreadable-or-above-1MiB");
		return;
	}
	m = big_msg((size_t)msgmax + 1);
	id = private_queue();
	if (msgmax > msgmnb)
		obs_skip("limit.send_msgmax", "msgmax-exceeds-msgmnb-so-no-queue-holds-it");
	else
		obs_outcome("limit.send_msgmax",
			    TRY(0, msgsnd(id, m, (size_t)msgmax, IPC_NOWAIT)));
	obs_outcome("limit.send_msgmax_plus_one",
		    TRY(0, msgsnd(id, m, (size_t)msgmax + 1, IPC_NOWAIT)));
	free(m);
	drop_queue(id);
}

/*
 * Bytes: with msg_qbytes lowered to Q, messages go in until the next would
 * pass Q; a message that fills it exactly still goes in.  The chunk must
 * not divide Q, or whole chunks fill it and no chunk is refused (msgmax
 * 100, 125, 200 or 250, or a small msgmnb): take the largest size up to
 * min(msgmax, 300) below Q that does not.
 */
static void qbytes_boundary(long long msgmax, long long msgmnb)
{
	long long q = msgmnb < 1000 ? msgmnb : 1000;
	long long chunk = msgmax < 300 ? msgmax : 300;
	long long bytes;
	struct outcome o;
	int id;

	if (chunk >= q)
		chunk = q > 1 ? q - 1 : 1;
	while (chunk > 1 && q % chunk == 0)
		chunk--;
	id = private_queue();
	set_qbytes(id, (unsigned long)q);
	bytes = fill(id, (size_t)chunk, q, &o);
	obs_outcome("qbytes.chunk_refused", o);
	if (bytes < q) {
		bytes += fill(id, (size_t)(q - bytes), 1, &o);
		obs_outcome("qbytes.remainder", o);
	} else {
		/* only where every size divides Q: msgmax 1, or msgmnb below 3 */
		obs_skip("qbytes.remainder", "msgmax-or-msgmnb-too-small-for-a-chunk-that-does-not-divide-msg_qbytes");
	}
	obs_int("qbytes.set_bytes", q);
	obs_int("qbytes.filled_bytes", bytes);
	obs_outcome("qbytes.one_more_byte", send_text(id, 1, "x", IPC_NOWAIT));
	drop_queue(id);
}

/* count: zero-length messages until refused, with msg_qbytes lowered */
static void count_boundary(void)
{
	struct outcome o;
	int id = private_queue();

	set_qbytes(id, COUNT_QBYTES);
	obs_int("count.set_qbytes_bytes", COUNT_QBYTES);
	obs_int("count.zero_length_accepted_count", fill_count(id, 10 * COUNT_QBYTES, &o));
	obs_outcome("count.next", o);
	drop_queue(id);
}

/*
 * What a fresh queue holds, measured on this machine: the numbers the notes'
 * "64k, 16 messages" are set beside.  Bytes: msgmax-sized messages (at most
 * 1 KiB each) and then the remainder; messages: zero-length ones.
 */
static void default_queue(long long msgmax, long long msgmnb)
{
	struct outcome o;
	long long bytes;
	int id;

	if (msgmnb <= 0 || msgmnb > FILL_BYTES_MAX || msgmax <= 0) {
		obs_skip("default_queue.capacity_bytes", "msgmnb-unreadable-or-above-1MiB");
	} else {
		long long chunk = msgmax < 1024 ? msgmax : 1024;

		/* then single bytes: the last chunk that did not fit */
		id = private_queue();
		bytes = fill(id, (size_t)chunk, msgmnb, &o);
		bytes += fill(id, 1, chunk, &o);
		obs_int("default_queue.capacity_bytes", bytes);
		drop_queue(id);
	}
	if (msgmnb <= 0 || msgmnb > FILL_COUNT_MAX) {
		obs_skip("default_queue.zero_length_messages_count",
			 "msgmnb-unreadable-or-above-65536");
		return;
	}
	id = private_queue();
	obs_int("default_queue.zero_length_messages_count", fill_count(id, msgmnb + 10, &o));
	obs_outcome("default_queue.zero_length_next", o);
	drop_queue(id);
}

void limits(void)
{
	long long msgmax, msgmnb, msgmni;

	msgq_require();
	msgmax = sysctl_read("kernel.msgmax");
	msgmnb = sysctl_read("kernel.msgmnb");
	msgmni = sysctl_read("kernel.msgmni");
	info(msgmax, msgmnb, msgmni);
	msgmax_boundary(msgmax, msgmnb);
	qbytes_boundary(msgmax, msgmnb);
	count_boundary();
	default_queue(msgmax, msgmnb);
	stat_new();
	set_limits(msgmnb);
}
