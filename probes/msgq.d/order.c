/*
 * order.c - what msgrcv takes: order, message types, a receive buffer too
 * small (E2BIG, MSG_NOERROR) and MSG_COPY (msgop(2)).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "msgq.h"

/* ---- order and message types (msgop(2)) --------------------------------- */

enum { FIFO_MSGS = 32 };

void fifo_order(void)
{
	int id, in_order = 0;
	char text[16];
	struct msg m;

	msgq_require();
	id = private_queue();
	for (int i = 0; i < FIFO_MSGS; i++) {
		snprintf(text, sizeof(text), "m%02d", i);
		put(id, 5, text);
	}
	for (int i = 0; i < FIFO_MSGS; i++) {
		snprintf(text, sizeof(text), "m%02d", i);
		if (recv_text(id, &m, TEXT_MAX - 1, 5, IPC_NOWAIT, 0).ret < 0 ||
		    strcmp(m.mtext, text) != 0)
			break;
		in_order++;
	}
	obs_int("fifo.sent_count", FIFO_MSGS);
	obs_int("fifo.received_in_order_count", in_order);
	drop_queue(id);
}

/* one receive from a fresh mixed queue: its text (observation TEXT_NAME),
 * and its type (MTYPE_NAME) */
static void select_one(const char *text_name, const char *mtype_name, long type, int flags)
{
	struct msg m;
	int id = mixed_queue();
	struct outcome o = recv_text(id, &m, TEXT_MAX - 1, type, flags | IPC_NOWAIT, 0);

	obs_received(text_name, o, &m);
	if (o.ret == -1)
		obs_outcome(mtype_name, o);
	else
		obs_int(mtype_name, m.mtype);
	drop_queue(id);
}

void types(void)
{
	char sent[64];
	int id;

	msgq_require();
	/* the probe's input, for the report: the texts in the order sent */
	mixed_sent(sent, sizeof(sent));
	obs_str("types.sent", sent);
	select_one("types.typ0.text", "types.typ0.mtype", 0, 0);
	select_one("types.typ2.text", "types.typ2.mtype", 2, 0);
	select_one("types.typ_minus2.text", "types.typ_minus2.mtype", -2, 0);
	select_one("types.except3.text", "types.except3.mtype", 3, MSG_EXCEPT);

	/* (a type the queue lacks: the blocking section, with IPC_NOWAIT's
	 * other refusal) */
	id = mixed_queue();
	obs_outcome("send.mtype_zero", send_text(id, 0, "x", IPC_NOWAIT));
	obs_outcome("send.mtype_negative", send_text(id, -1, "x", IPC_NOWAIT));
	drop_queue(id);
}

/* ---- a receive buffer that is too small: E2BIG or MSG_NOERROR ---------- */

void truncation(void)
{
	struct msqid_ds ds;
	struct msg m;
	struct outcome o;
	int id;

	msgq_require();
	id = private_queue();
	put(id, 1, "0123456789");
	obs_outcome("e2big.recv", recv_text(id, &m, 4, 0, IPC_NOWAIT, 0));
	stat_queue(id, &ds);
	obs_int("e2big.qnum_after_count", (long long)ds.msg_qnum);
	o = recv_text(id, &m, 4, 0, IPC_NOWAIT | MSG_NOERROR, 0);
	if (o.ret >= 0)
		m.mtext[4] = '\0';	/* what was copied, nothing beyond */
	obs_int("noerror.recv_bytes", o.ret);
	obs_received("noerror.data", o, &m);
	stat_queue(id, &ds);
	obs_int("noerror.qnum_after_count", (long long)ds.msg_qnum);
	obs_outcome("noerror.rest", recv_text(id, &m, TEXT_MAX - 1, 0, IPC_NOWAIT, 0));
	drop_queue(id);
}

/* ---- MSG_COPY (msgop(2), Linux 3.8, CONFIG_CHECKPOINT_RESTORE) ---------- */

void msg_copy(void)
{
	static const char *const names[] = {
		"copy.index1.text", "copy.qnum_after_count", "copy.past_end",
		"copy.without_nowait", "copy.with_except", NULL
	};
	struct msqid_ds ds;
	struct outcome o;
	struct msg m;
	int id;

	msgq_require();
	id = mixed_queue();
	o = recv_text(id, &m, TEXT_MAX - 1, 1, MSG_COPY | IPC_NOWAIT, 0);
	obs_outcome("copy.first_try", o);
	if (o.ret == -1 && o.err == ENOSYS) {
		for (int i = 0; names[i]; i++)
			obs_skip(names[i],
				 "MSG_COPY-needs-a-kernel-with-CONFIG_CHECKPOINT_RESTORE");
		drop_queue(id);
		return;
	}
	obs_received("copy.index1.text", o, &m);
	stat_queue(id, &ds);
	obs_int("copy.qnum_after_count", (long long)ds.msg_qnum);
	obs_outcome("copy.past_end",
		    recv_text(id, &m, TEXT_MAX - 1, 5, MSG_COPY | IPC_NOWAIT, 0));
	/* before Linux 3.14 this blocked: bounded, so it shows as TIMEOUT */
	obs_outcome("copy.without_nowait",
		    recv_text(id, &m, TEXT_MAX - 1, 9, MSG_COPY, block_ms()));
	obs_outcome("copy.with_except",
		    recv_text(id, &m, TEXT_MAX - 1, 1, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT, 0));
	drop_queue(id);
}
