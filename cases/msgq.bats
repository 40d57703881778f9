#!/usr/bin/env bats
# System V message queues: what the notes say (section 1: msgget with a key
# the two sides agree on, 9 permission bits, IPC_CREAT / IPC_EXCL, msgctl
# IPC_STAT, msgsnd / msgrcv) and what msgget(2), msgop(2), msgctl(2),
# errno(3), proc(5) and ipc_namespaces(7) document.  Judges probes/msgq.d/'s
# observations.
#
# ---- the notes' limit claim -------------------------------------------------
#
#     消息队列   最大长度64k，最大16条
#     ("a message queue: at most 64k long, at most 16 messages")
#
# The cases below check the limits the kernel documents and advertises, not
# these numbers.  The observations that answer the claim, for the report that
# sets it beside what was measured:
#
#     msgq.limit.msgmax_bytes          largest single message (/proc/sys/kernel/msgmax)
#     msgq.limit.msgmnb_bytes          bytes a new queue may hold (/proc/sys/kernel/msgmnb)
#     msgq.default_queue.capacity_bytes
#                                      bytes a fresh queue accepted, measured
#     msgq.default_queue.zero_length_messages_count
#                                      messages a fresh queue accepted, measured
#                                      (the message-count limit is msg_qbytes)
#     msgq.ns.default.msgmax_bytes, msgq.ns.default.msgmnb_bytes
#                                      the kernel's built-in defaults, read in a
#                                      new IPC namespace (untouched by sysctl.conf)
#
# "64k" holds only if msgmax or msgmnb is 65536; "16 messages" only if a
# fresh queue's count limit (= msgmnb) is 16.  Neither is a Linux default
# (msgop(2): MSGMAX 8192, MSGMNB 16384).

load ../harness/ipcvm

# Observations recorded for the report or as context, which no claim judges:
# report-only: msgq.stale.notes_check_says_missing: what the notes' own errno test would conclude; MSGQ-STALE-ERRNO judges errno itself
# report-only: msgq.perm.umask_octal: the probe's input, not the kernel's answer
# report-only: msgq.perm.other.cap_sys_admin: context for the permission claims: whether the other user kept CAP_SYS_ADMIN
# report-only: msgq.perm.other.closed.msgget_zero: msgget(key, 0) by a user without permission; msgget(2) leaves the check to later calls
# report-only: msgq.set.cap_sys_resource: CapEff, the probe's own namespace; MSGQ-SET-ABOVE-MNB reads the initial namespace's (meta.env cap_init_ns), which capable() checks
# report-only: msgq.copy.first_try: how MSG_COPY's first attempt went, context for MSGQ-COPY
# report-only: msgq.ns.method: how the private namespace was made (user+IPC, or IPC alone with CAP_SYS_ADMIN)
# report-only: msgq.ns.writer_global_root: whether the recording euid is uid 0 of the initial user namespace; expect_ns_sysctl_writes picks the rule with it, and from Linux 6.9 both answers give OK
# report-only: msgq.ns.unshare: whether the private namespace could be made; the MSGQ-NS claims skip with the reason when not

setup_file() { observe msgq; }

# ---- msgget: keys, IPC_CREAT, IPC_EXCL, IPC_PRIVATE ---------------------------

@test "MSGQ-ENOENT: msgget without IPC_CREAT on a key no queue has fails with ENOENT (msgget(2))" {
	expect msgq.get.unused_key = ENOENT
}

@test "MSGQ-CREAT: msgget with IPC_CREAT on an unused key creates a queue (msgget(2))" {
	expect msgq.get.creat = OK
}

@test "MSGQ-SAME-KEY: a second msgget with the same key returns the same identifier, with or without IPC_CREAT (msgget(2))" {
	expect msgq.get.same_id_with_creat = yes
	expect msgq.get.same_id_without_creat = yes
}

@test "MSGQ-EXCL: IPC_CREAT|IPC_EXCL on a key that has a queue fails with EEXIST (msgget(2))" {
	expect msgq.get.excl_existing = EEXIST
}

@test "MSGQ-EXCL-NEW: IPC_CREAT|IPC_EXCL on an unused key creates the queue (msgget(2))" {
	expect msgq.get.excl_new = OK
}

@test "MSGQ-PRIVATE: IPC_PRIVATE makes a new queue on every call, without IPC_CREAT (msgget(2) NOTES)" {
	expect msgq.get.private.first = OK
	expect msgq.get.private.second = OK
	expect msgq.get.private.distinct_ids = yes "two IPC_PRIVATE calls must give two queues"
}

@test "MSGQ-STALE-ERRNO: a successful msgget does not clear errno, so the notes' errno check after it reads an earlier failure (errno(3), msgget(2) RETURN VALUE)" {
	# the probe's msgget(key, 0) failed, then msgget(key, IPC_CREAT) succeeded;
	# errno(3): errno is never set to zero by a system call, and is
	# significant only after a call returned -1.  What it still held is in
	# msgq.stale.errno_after_success; msgq.stale.notes_check_says_missing
	# says whether the notes' `if (errno == ENOENT)` would have fired.
	expect msgq.stale.failed_call = ENOENT
	expect msgq.stale.successful_call = OK
	expect msgq.stale.errno_after_success != OK \
		"a successful call must not reset errno to 0, so errno after it tells nothing"
}

# ---- the key is the bridge -----------------------------------------------------

@test "MSGQ-KEY-BRIDGE: two unrelated processes that ftok() the same path reach the same queue (notes; msgget(2), ftok(3))" {
	# the peer is a fresh program in its own session that gets only the path;
	# it finds the queue with msgget(ftok(path), 0) and answers "got-" + request
	expect msgq.bridge.peer_exit -eq 0 "the peer found the queue, read the request and replied"
	expect msgq.bridge.reply = got-ping
}

# ---- permissions -----------------------------------------------------------------

@test "MSGQ-MODE: msg_perm.mode is the low 9 bits of msgflg; the umask plays no part (msgget(2))" {
	local flags umask mode
	read_obs flags msgq.perm.msgflg_octal
	read_obs umask msgq.perm.umask_octal
	printf -v mode %o $((8#$flags & 8#777))
	expect msgq.perm.mode_octal = "$mode" \
		"msgflg $flags (IPC_CREAT|IPC_EXCL|mode) made with umask $umask"
}

@test "MSGQ-OWNER: a new queue's owner and creator are the caller's effective uid and gid (msgget(2))" {
	expect msgq.perm.uid_is_euid = yes
	expect msgq.perm.gid_is_egid = yes
}

@test "MSGQ-PERM-DENIED: another user without permission gets EACCES from msgget, msgsnd, msgrcv and IPC_STAT (msgget(2), msgop(2), msgctl(2))" {
	# the helper dropped to uid/gid 65534, losing CAP_IPC_OWNER with it
	expect msgq.perm.other.cap_ipc_owner = no "CAP_IPC_OWNER would bypass the mode bits"
	expect msgq.perm.other.closed.msgget_rw = EACCES
	expect msgq.perm.other.closed.msgsnd = EACCES
	expect msgq.perm.other.closed.msgrcv = EACCES
	expect msgq.perm.other.closed.ipc_stat = EACCES
}

@test "MSGQ-PERM-RMID: IPC_RMID by a user who is neither owner nor creator fails with EPERM, even with rw mode bits, and the queue stays (msgctl(2))" {
	expect msgq.perm.other.cap_ipc_owner = no
	expect msgq.perm.other.closed.ipc_rmid = EPERM "mode 0600"
	expect msgq.perm.other.open.ipc_rmid = EPERM "mode 0606: read and write do not grant removal"
	expect msgq.perm.closed_still_exists = yes
	expect msgq.perm.open_still_exists = yes
}

@test "MSGQ-PERM-GRANTED: the 'others' mode bits let another user send, receive and IPC_STAT (msgctl(2) permission bits, msgop(2))" {
	expect msgq.perm.other.open.msgsnd = OK "mode 0606 grants write to others"
	expect msgq.perm.other.open.msgrcv = OK "mode 0606 grants read to others"
	expect msgq.perm.other.open.ipc_stat = OK "IPC_STAT needs read permission"
}

# Recorded, not judged: msgq.perm.other.closed.msgget_zero.  msgget(key, 0)
# asks for no access bits, so Linux does not refuse it even on a 0600 queue
# (ipc/util.c ipcperms); msgget(2) only says "the permissions are verified".

# ---- msqid_ds bookkeeping --------------------------------------------------------

@test "MSGQ-STAT-NEW: a new queue is empty, has msg_lspid/lrpid and msg_stime/rtime 0, msg_ctime now and msg_qbytes = msgmnb (msgget(2))" {
	local msgmnb
	read_obs msgmnb msgq.limit.msgmnb_bytes
	expect msgq.stat.new.qnum_count -eq 0
	expect msgq.stat.new.cbytes_bytes -eq 0
	expect msgq.stat.new.qbytes_bytes -eq "$msgmnb" "msg_qbytes starts at MSGMNB, /proc/sys/kernel/msgmnb"
	expect msgq.stat.new.lspid_zero = yes
	expect msgq.stat.new.lrpid_zero = yes
	expect msgq.stat.new.stime_zero = yes
	expect msgq.stat.new.rtime_zero = yes
	expect msgq.stat.new.ctime_is_creation = yes "msg_ctime is the time of creation"
}

@test "MSGQ-STAT-SEND: msgsnd sets msg_lspid to the sender, adds 1 to msg_qnum and sets msg_stime (msgop(2))" {
	expect msgq.stat.sender_exit -eq 0 "the sending process sent 5 bytes"
	expect msgq.stat.sent.qnum_count -eq 1
	expect msgq.stat.sent.cbytes_bytes -eq 5
	expect msgq.stat.sent.lspid_is_sender = yes
	expect msgq.stat.sent.stime_is_send = yes
	expect msgq.stat.sent.lrpid_zero = yes "nothing was received yet"
	expect msgq.stat.sent.rtime_zero = yes
}

@test "MSGQ-STAT-RECV: msgrcv sets msg_lrpid to the receiver, takes 1 from msg_qnum and sets msg_rtime (msgop(2))" {
	expect msgq.stat.receiver_exit -eq 0 "another process received the 5 bytes"
	expect msgq.stat.received.qnum_count -eq 0
	expect msgq.stat.received.cbytes_bytes -eq 0
	expect msgq.stat.received.lrpid_is_receiver = yes
	expect msgq.stat.received.rtime_is_receive = yes
	expect msgq.stat.received.lspid_is_sender = yes "msg_lspid still names the sender"
}

# ---- IPC_SET and msg_qbytes ----------------------------------------------------

@test "MSGQ-SET-LOWER: the owner may lower msg_qbytes with IPC_SET, and raise it again up to msgmnb (msgctl(2))" {
	local msgmnb
	read_obs msgmnb msgq.limit.msgmnb_bytes
	expect msgq.set.lower = OK
	expect msgq.set.lowered_qbytes_bytes -eq $((msgmnb / 2)) "IPC_SET to msgmnb/2"
	expect msgq.set.raise_to_msgmnb = OK "msgmnb itself needs no privilege"
}

@test "MSGQ-SET-ABOVE-MNB: raising msg_qbytes above msgmnb needs CAP_SYS_RESOURCE in the initial user namespace, EPERM without it (msgctl(2), msgop(2) MSGMNB; ipc/msg.c msgctl_down: capable())" {
	local msgmnb caps
	read_obs msgmnb msgq.limit.msgmnb_bytes
	# ipc/msg.c msgctl_down, IPC_SET: msg_qbytes > ns->msg_ctlmnb &&
	# !capable(CAP_SYS_RESOURCE) gives EPERM.  capable() asks the initial
	# user namespace, not the queue's IPC namespace (unlike ipcperms()'s
	# ns_capable(CAP_IPC_OWNER)): root of unshare -r or of a rootless
	# container holds CAP_SYS_RESOURCE in its CapEff and is refused.
	if has_init_cap CAP_SYS_RESOURCE; then
		expect msgq.set.raise_above_msgmnb = OK "the recording process held CAP_SYS_RESOURCE in the initial user namespace"
		expect msgq.set.final_qbytes_bytes -eq $((msgmnb + 1))
	else
		# capability-gated, not uid-gated: root without it is refused too
		meta_into caps cap_init_ns || meta_into caps cap_eff || caps=unknown
		expect msgq.set.raise_above_msgmnb = EPERM "the recording process lacked CAP_SYS_RESOURCE in the initial user namespace (cap_init_ns=$caps)"
		expect msgq.set.final_qbytes_bytes -eq "$msgmnb" "the refused IPC_SET changed nothing"
	fi
}

# ---- IPC_RMID ----------------------------------------------------------------------

@test "MSGQ-RMID-NOW: IPC_RMID removes a queue at once, messages and all: msgget of its key then fails with ENOENT (msgctl(2))" {
	expect msgq.rmid.result = OK
	expect msgq.rmid.get_by_key = ENOENT "the queue held a message when it was removed"
}

@test "MSGQ-RMID-OLD-ID: the removed queue's identifier is dead: msgsnd and IPC_STAT fail with EINVAL or EIDRM (msgop(2), msgctl(2))" {
	expect msgq.rmid.send_old_id in EINVAL,EIDRM
	expect msgq.rmid.stat_old_id in EINVAL,EIDRM
}

@test "MSGQ-RMID-WAKES: a receiver blocked in msgrcv in another process wakes with EIDRM when the queue is removed (msgctl(2) IPC_RMID, msgop(2))" {
	expect msgq.rmid.receiver_seen_blocked = yes \
		"the probe saw the helper asleep in msgrcv before removing the queue"
	expect msgq.rmid.blocked_receiver = EIDRM
}

# ---- order and types -------------------------------------------------------------

@test "MSGQ-FIFO: messages of one type come out in the order they were sent (msgop(2): the first message in the queue)" {
	local sent
	read_obs sent msgq.fifo.sent_count
	expect msgq.fifo.received_in_order_count -eq "$sent"
}

# The type claims each receive once from a fresh queue holding, in order,
# messages of types 3, 2, 1, 2, 1 with texts 3a 2a 1a 2b 1b
# (msgq.types.sent=3a-2a-1a-2b-1b).
# report-only: msgq.types.sent: the probe's own input (the texts it sent, in order), not an answer of the kernel: no case can judge it

@test "MSGQ-TYPE-ZERO: msgtyp 0 takes the first message in the queue, whatever its type (msgop(2))" {
	expect msgq.types.typ0.text = 3a
	expect msgq.types.typ0.mtype -eq 3
}

@test "MSGQ-TYPE-POSITIVE: msgtyp > 0 takes the first message of exactly that type (msgop(2))" {
	expect msgq.types.typ2.text = 2a
	expect msgq.types.typ2.mtype -eq 2
}

@test "MSGQ-TYPE-NEGATIVE: msgtyp < 0 takes the first message of the lowest type <= |msgtyp| (msgop(2))" {
	expect msgq.types.typ_minus2.text = 1a "msgtyp -2: the lowest type present <= 2 is 1, though a type-2 message comes first"
	expect msgq.types.typ_minus2.mtype -eq 1
}

@test "MSGQ-TYPE-EXCEPT: MSG_EXCEPT with msgtyp > 0 takes the first message of any other type (msgop(2))" {
	expect msgq.types.except3.text = 2a "MSG_EXCEPT 3 skips 3a"
	expect msgq.types.except3.mtype -eq 2
}

@test "MSGQ-MTYPE-POSITIVE: msgsnd with mtype 0 or below fails with EINVAL (msgop(2))" {
	expect msgq.send.mtype_zero = EINVAL
	expect msgq.send.mtype_negative = EINVAL
}

# ---- a buffer too small -------------------------------------------------------------

@test "MSGQ-E2BIG: a message longer than msgsz fails msgrcv with E2BIG and stays queued (msgop(2))" {
	expect msgq.e2big.recv = E2BIG "a 10-byte message, msgsz 4"
	expect msgq.e2big.qnum_after_count -eq 1
}

@test "MSGQ-NOERROR: with MSG_NOERROR the message is truncated to msgsz and removed (msgop(2))" {
	expect msgq.noerror.recv_bytes -eq 4
	expect msgq.noerror.data = 0123 "the first 4 bytes of 0123456789"
	expect msgq.noerror.qnum_after_count -eq 0
	expect msgq.noerror.rest = ENOMSG "the truncated part is lost"
}

# ---- empty and full: IPC_NOWAIT and blocking ----------------------------------------

@test "MSGQ-NOWAIT-ENOMSG: msgrcv with IPC_NOWAIT and no message of the requested type fails with ENOMSG (msgop(2))" {
	expect msgq.nowait.empty_recv = ENOMSG "empty queue"
	expect msgq.types.absent_type = ENOMSG "queue holding only types 1-3, msgtyp 4"
}

@test "MSGQ-NOWAIT-EAGAIN: msgsnd with IPC_NOWAIT to a full queue fails with EAGAIN (msgop(2))" {
	expect msgq.full.fill = OK "a 64-byte message filled a queue with msg_qbytes 64"
	expect msgq.nowait.full_send = EAGAIN
}

@test "MSGQ-BLOCK-RECV: msgrcv on an empty queue without IPC_NOWAIT blocks (msgop(2))" {
	expect msgq.block.empty_recv = TIMEOUT "TIMEOUT means msgrcv was still waiting at the deadline"
}

@test "MSGQ-BLOCK-SEND: msgsnd to a full queue without IPC_NOWAIT blocks (msgop(2))" {
	expect msgq.full.fill = OK
	expect msgq.block.full_send = TIMEOUT "TIMEOUT means msgsnd was still waiting at the deadline"
}

@test "MSGQ-EINTR: a caught signal ends a blocked msgrcv with EINTR even under SA_RESTART (msgop(2), signal(7))" {
	# The helper installed a SIGUSR1 handler with SA_RESTART and blocked in
	# msgrcv; the probe signalled it only once /proc showed it asleep in
	# msgrcv.  Control: the same handler then interrupted a blocked read()
	# on a pipe, which SA_RESTART restarts (signal(7)), and the read went on.
	expect msgq.eintr.sa_restart_set = yes
	expect msgq.eintr.seen_blocked_in_msgrcv = yes
	expect msgq.eintr.msgrcv_handler_ran = yes
	expect msgq.eintr.msgrcv = EINTR "msgrcv is never restarted, whatever SA_RESTART says"
	expect msgq.eintr.seen_blocked_in_read = yes
	expect msgq.eintr.control_handler_ran = yes
	expect msgq.eintr.control_read = OK "the control shows SA_RESTART was in force"
}

# ---- MSG_COPY ---------------------------------------------------------------------

@test "MSGQ-COPY: MSG_COPY|IPC_NOWAIT copies the message at position msgtyp and leaves it queued (msgop(2), Linux 3.8)" {
	require_kernel 3.8 MSG_COPY
	# needs CONFIG_CHECKPOINT_RESTORE; without it the probe skips (ENOSYS)
	expect msgq.copy.index1.text = 2a "position 1 of 3a-2a-1a-2b-1b"
	expect msgq.copy.qnum_after_count -eq 5 "nothing was removed"
	expect msgq.copy.past_end = ENOMSG "position 5 of 5 messages"
}

@test "MSGQ-COPY-EINVAL: MSG_COPY without IPC_NOWAIT, or with MSG_EXCEPT, fails with EINVAL (msgop(2), Linux 3.14)" {
	require_kernel 3.14 "the MSG_COPY flag checks"
	expect msgq.copy.without_nowait = EINVAL
	expect msgq.copy.with_except = EINVAL
}

# ---- limits on this machine ----------------------------------------------------------

@test "MSGQ-LIMIT-INFO: IPC_INFO reports the msgmax, msgmnb and msgmni of /proc/sys/kernel (msgctl(2), proc(5))" {
	local msgmax msgmnb msgmni
	read_obs msgmax msgq.limit.msgmax_bytes
	read_obs msgmnb msgq.limit.msgmnb_bytes
	read_obs msgmni msgq.limit.msgmni_count
	expect msgq.info.msgmax_bytes -eq "$msgmax"
	expect msgq.info.msgmnb_bytes -eq "$msgmnb"
	expect msgq.info.msgmni_count -eq "$msgmni"
}

@test "MSGQ-LIMIT-MSGMAX: msgsnd takes a message of exactly msgmax bytes and refuses msgmax+1 with EINVAL (msgop(2), proc(5))" {
	expect msgq.limit.send_msgmax = OK
	expect msgq.limit.send_msgmax_plus_one = EINVAL
}

@test "MSGQ-LIMIT-QBYTES: a queue takes messages up to exactly msg_qbytes bytes, then IPC_NOWAIT gets EAGAIN (msgop(2))" {
	local q
	read_obs q msgq.qbytes.set_bytes
	expect msgq.qbytes.chunk_refused = EAGAIN "a message that would pass msg_qbytes"
	expect msgq.qbytes.remainder = OK "a message that fills it exactly"
	expect msgq.qbytes.filled_bytes -eq "$q"
	expect msgq.qbytes.one_more_byte = EAGAIN
}

@test "MSGQ-LIMIT-COUNT: a queue holds at most msg_qbytes messages, even of zero length (msgop(2))" {
	local q
	read_obs q msgq.count.set_qbytes_bytes
	expect msgq.count.zero_length_accepted_count -eq "$q"
	expect msgq.count.next = EAGAIN
}

@test "MSGQ-DEFAULT-QUEUE: a fresh queue holds msgmnb bytes and msgmnb zero-length messages (msgop(2), proc(5); the notes' 64k/16 claim)" {
	local msgmnb
	read_obs msgmnb msgq.limit.msgmnb_bytes
	expect msgq.default_queue.capacity_bytes -eq "$msgmnb"
	expect msgq.default_queue.zero_length_messages_count -eq "$msgmnb"
	expect msgq.default_queue.zero_length_next = EAGAIN
}

# ---- limits in a private IPC namespace, lowered ----------------------------------------
# The probe's helper made its own user + IPC namespace, wrote small limits
# there and measured them; the machine's limits were not touched.

@test "MSGQ-NS-DEFAULTS: a new IPC namespace starts from the kernel defaults MSGMAX 8192 and MSGMNB 16384, and MSGMNI 32000 since 3.19 (msgop(2), msgget(2), ipc_namespaces(7))" {
	expect msgq.ns.default.msgmax_bytes -eq 8192
	expect msgq.ns.default.msgmnb_bytes -eq 16384
	if kernel_at_least 3.19; then
		expect msgq.ns.default.msgmni_count -eq 32000
	else
		expect msgq.ns.default.msgmni_count -gt 0 "before 3.19 it was computed from memory"
	fi
}

# Who may write the limits of a new IPC namespace changed in Linux 6.9
# (expect_ns_sysctl_writes in harness/ipcvm.bash has the rule and sources).
@test "MSGQ-NS-SYSCTL-WRITE: root of a new user namespace may write its IPC namespace's msgmni, msgmax and msgmnb from Linux 6.9 (6.6.45, 6.1.104); before, only the global root could (commit 50ec499b9a43, ipc_namespaces(7))" {
	local unshare method
	read_obs unshare msgq.ns.unshare
	[[ $unshare == OK ]] || skip "no private IPC namespace could be made ($unshare)"
	read_obs method msgq.ns.method
	expect_ns_sysctl_writes "$method" msgq.ns.msgmni.write msgq.ns.msgmax.write msgq.ns.msgmnb.write
}

@test "MSGQ-NS-MSGMNI: with msgmni lowered to N, N queues can exist and the next msgget fails with ENOSPC (msgget(2), proc(5))" {
	local n
	read_obs n msgq.ns.msgmni.requested_count
	expect msgq.ns.msgmni.readback_count -eq "$n" "/proc/sys/kernel/msgmni reads back what was written"
	expect msgq.ns.msgmni.info_count -eq "$n" "IPC_INFO follows it"
	expect msgq.ns.msgmni.created_count -eq "$n"
	expect msgq.ns.msgmni.next = ENOSPC
}

@test "MSGQ-NS-MSGMAX: with msgmax lowered, msgsnd takes exactly the new msgmax and refuses one byte more with EINVAL (msgop(2), proc(5))" {
	local n
	read_obs n msgq.ns.msgmax.requested_bytes
	expect msgq.ns.msgmax.readback_bytes -eq "$n"
	expect msgq.ns.msgmax.info_bytes -eq "$n" "IPC_INFO follows it"
	expect msgq.ns.msgmax.send_at_max = OK
	expect msgq.ns.msgmax.send_above_max = EINVAL
}

@test "MSGQ-NS-MSGMNB: with msgmnb lowered, a new queue's msg_qbytes is the new value and it holds that many bytes (msgget(2), msgop(2), proc(5))" {
	local n
	read_obs n msgq.ns.msgmnb.requested_bytes
	expect msgq.ns.msgmnb.readback_bytes -eq "$n"
	expect msgq.ns.msgmnb.info_bytes -eq "$n" "IPC_INFO follows it"
	expect msgq.ns.msgmnb.new_queue_qbytes_bytes -eq "$n"
	expect msgq.ns.msgmnb.filled_bytes -eq "$n"
	expect msgq.ns.msgmnb.one_more_byte = EAGAIN
}

@test "MSGQ-NS-COUNT: with msgmnb lowered, a new queue holds that many zero-length messages and no more (msgop(2))" {
	local n
	read_obs n msgq.ns.msgmnb.requested_bytes
	expect msgq.ns.msgmnb.zero_length_count -eq "$n"
	expect msgq.ns.msgmnb.zero_length_next = EAGAIN
}

@test "MSGQ-NS-MSG-INFO: MSG_INFO counts the queues, messages and bytes that exist in the namespace (msgctl(2))" {
	local queues messages bytes
	read_obs queues msgq.ns.msg_info.made_queues_count
	read_obs messages msgq.ns.msg_info.made_messages_count
	read_obs bytes msgq.ns.msg_info.made_bytes
	expect msgq.ns.msg_info.queues_count -eq "$queues"
	expect msgq.ns.msg_info.messages_count -eq "$messages"
	expect msgq.ns.msg_info.bytes -eq "$bytes"
}
