/*
 * msgq.c - what the kernel does with System V message queues: msgget and
 * keys, permissions, the msqid_ds bookkeeping, IPC_SET and IPC_RMID, message
 * order and types, blocking and IPC_NOWAIT, signals, MSG_COPY, and the
 * limits msgmax / msgmnb / msgmni enforced at their boundaries, on this
 * machine and in a private IPC namespace with lowered limits.  Records only;
 * cases/msgq.bats judges.
 *
 * The probe runs in sections (probes/lib/probe.h), each in a process of its
 * own; this file lists them.  A section records every observation its
 * claims read, so one that crashes takes only its own claims down: the
 * claims that compare with msgmnb (limit.msgmnb_bytes) share the limits
 * section, and NOWAIT-ENOMSG's two receives share the blocking one.
 *
 * Every queue is IPC_PRIVATE or has a key from ftok() on a file in the
 * section's scratch directory, checked unused in /proc/sysvipc/msg, so two
 * runs at once never meet.  Every queue is registered for removal the moment
 * it exists, with signals blocked in between (sysv.c).
 */
#include "config.h"

#include "msgq.h"

const char PROBE_NAME[] = "msgq";

const struct peer_role probe_peers[] = {
	{ "keyuser", peer_keyuser },
	{ 0 },
};

const struct probe_section probe_sections[] = {
	SECTION(keys, "MSGQ-ENOENT MSGQ-CREAT MSGQ-SAME-KEY MSGQ-EXCL MSGQ-EXCL-NEW MSGQ-PRIVATE"),
	SECTION(stale_errno, "MSGQ-STALE-ERRNO"),
	SECTION(bridge, "MSGQ-KEY-BRIDGE"),
	SECTION(perm_mode, "MSGQ-MODE MSGQ-OWNER"),
	SECTION(perm_other, "MSGQ-PERM-DENIED MSGQ-PERM-RMID MSGQ-PERM-GRANTED"),
	SECTION(stat_use, "MSGQ-STAT-SEND MSGQ-STAT-RECV"),
	SECTION(removal, "MSGQ-RMID-NOW MSGQ-RMID-OLD-ID MSGQ-RMID-WAKES"),
	SECTION(fifo_order, "MSGQ-FIFO"),
	SECTION(types, "MSGQ-TYPE-ZERO MSGQ-TYPE-POSITIVE MSGQ-TYPE-NEGATIVE MSGQ-TYPE-EXCEPT MSGQ-MTYPE-POSITIVE"),
	SECTION(truncation, "MSGQ-E2BIG MSGQ-NOERROR"),
	SECTION(blocking, "MSGQ-NOWAIT-ENOMSG MSGQ-NOWAIT-EAGAIN MSGQ-BLOCK-RECV MSGQ-BLOCK-SEND"),
	SECTION(eintr, "MSGQ-EINTR"),
	SECTION(msg_copy, "MSGQ-COPY MSGQ-COPY-EINVAL"),
	SECTION(limits, "MSGQ-LIMIT-INFO MSGQ-LIMIT-MSGMAX MSGQ-LIMIT-QBYTES MSGQ-LIMIT-COUNT "
		"MSGQ-DEFAULT-QUEUE MSGQ-STAT-NEW MSGQ-SET-LOWER MSGQ-SET-ABOVE-MNB"),
	SECTION(namespace_limits, "MSGQ-NS-DEFAULTS MSGQ-NS-SYSCTL-WRITE MSGQ-NS-MSGMNI "
		"MSGQ-NS-MSGMAX MSGQ-NS-MSGMNB MSGQ-NS-COUNT MSGQ-NS-MSG-INFO"),
	{ 0 }
};

/*
 * No section runs where System V IPC is missing, or where the probe's own
 * messages cannot go: up to TEXT_MAX bytes each, several queued at once
 * (measured: msgmax 64 and msgmnb 100 suffice, 20 or 64 do not).  Each
 * section then skips with the reason (the library records it).
 */
void msgq_require(void)
{
	long long msgmax = sysctl_read("kernel.msgmax");
	long long msgmnb = sysctl_read("kernel.msgmnb");

	if (msgmnb <= 0 || msgmax <= 0)
		probe_skip("proc-sys-kernel-msgmax-or-msgmnb-unreadable-no-System-V-IPC");
	if (msgmax < TEXT_MAX || msgmnb < MIN_MSGMNB)
		probe_skip("msgmax-below-64-or-msgmnb-below-128-bytes-too-small-for-the-messages-of-the-probe");
}
