#!/usr/bin/env bats
# System V shared memory: what the notes say (section 1: shared memory maps
# a kernel buffer into user space with shmget/shmat, is the one IPC that
# does not go through a kernel buffer on each transfer, needs a semaphore
# for locking, and ipcs shows "nattach") and what shmget(2), shmop(2),
# shmctl(2), semop(2), ftok(3), proc(5) and ipc_namespaces(7) document.
# Judges probes/shm.d/'s observations.
#
# The notes' example creates with 0666|IPC_CREAT|IPC_EXCL and then tests
# errno == ENOENT: with IPC_CREAT that error cannot happen; an existing key
# gives EEXIST (SHM-EXCL).  Its fixed key 0x2234 is what the probe avoids:
# keys come from ftok(3) on files of the run, so two runs never collide.

load ../harness/ipcvm

setup_file() { observe shm; }

# report-only: shm.page_size_bytes: the page size the probe used; meta.env holds it too
# report-only: shm.limit.shmmax_bytes: the limit the probe read from /proc; SHM-SIZE-SHMMAX asks for one byte more
# report-only: shm.limit.shmall_pages: the limit the probe read from /proc; meta.env holds it too
# report-only: shm.limit.shmmni_count: the limit the probe read from /proc; meta.env holds it too
# report-only: shm.limit.shm_rmid_forced: 1 destroys a segment when its nattch falls to 0 (proc(5)); the probe works either way

# ---- keys: shmget ---------------------------------------------------------

@test "SHM-ENOENT: shmget without IPC_CREAT on a key no segment has fails with ENOENT (shmget(2))" {
	expect shm.key.unused_without_creat = ENOENT
}

@test "SHM-CREAT: shmget with IPC_CREAT on an unused key creates a new segment (shmget(2))" {
	expect shm.key.unused_with_creat = OK
	expect shm.key.created_new = yes \
		"made by this process, unattached, holding the key it was asked for"
}

@test "SHM-SAME-KEY: the same key gives the same identifier, with or without IPC_CREAT (shmget(2))" {
	expect shm.key.same_key_same_id = yes
	expect shm.key.creat_again_same_id = yes "IPC_CREAT without IPC_EXCL finds the existing segment"
}

@test "SHM-EXCL: IPC_CREAT|IPC_EXCL on a key that has a segment fails with EEXIST (shmget(2); not the notes' ENOENT)" {
	expect shm.key.excl_on_existing = EEXIST
}

@test "SHM-PRIVATE: IPC_PRIVATE makes a new segment every time, even with IPC_EXCL or without IPC_CREAT (shmget(2) NOTES)" {
	expect shm.key.private_excl_twice = OK "IPC_EXCL never fails for IPC_PRIVATE"
	expect shm.key.private_without_creat = OK "IPC_PRIVATE ignores all but the permission bits"
	expect shm.key.private_ids_distinct = yes "three calls, three different segments"
}

# ---- a new segment ------------------------------------------------------------

# report-only: shm.new.checked_bytes: how many bytes the probe read: the size it asked for, rounded up to whole pages

@test "SHM-ZERO-FILL: a new segment reads as zeros, to the end of its last page (shmget(2))" {
	expect shm.new.nonzero_bytes -eq 0
}

# ---- a store in one process, seen by another ------------------------------------
#
# The reader attaches, then locks itself under a seccomp filter that kills
# it (SIGSYS) on any system call but exit; only then does the writer draw a
# random payload and store it.  The reader answers with the complement of
# the payload, stored in the segment.  See probes/shm.d/shared.c "a store seen
# through memory alone".

@test "SHM-SHARED-FORK: a store by the parent is seen by a child that attached the segment, and the child's store by the parent (shmop(2); notes)" {
	expect shm.shared.fork.reader_ready = yes "the child attached and said so in the segment"
	expect shm.shared.fork.reply_matches = yes "the child's reply is the complement of the parent's random payload"
	expect shm.shared.fork.reader_end = none "the child exited 0"
}

@test "SHM-SHARED-UNRELATED: an unrelated program that knows only a path finds the segment by its ftok key and sees the stores (ftok(3), shmget(2); notes)" {
	expect shm.shared.unrelated.reader_ready = yes "the peer found the segment by key, attached it and said so"
	expect shm.shared.unrelated.reply_matches = yes "the peer's reply is the complement of the random payload"
	expect shm.shared.unrelated.reader_end = none "the peer exited 0"
}

@test "SHM-NO-SYSCALL: the data reaches the other process with no system call: the reader could make none (notes: 不陷入内核; seccomp(2))" {
	local fork unrelated
	read_obs fork shm.shared.fork.syscall_filter
	read_obs unrelated shm.shared.unrelated.syscall_filter
	if [[ $fork == EINVAL && $unrelated == EINVAL ]]; then
		skip "this kernel has no seccomp filters (EINVAL), so nothing shows the readers made no system call"
	fi
	expect shm.shared.fork.syscall_filter = yes "the child was under the filter before the payload existed"
	expect shm.shared.unrelated.syscall_filter = yes "the peer was under the filter before the payload existed"
	expect shm.shared.fork.reader_end = none "SIGSYS would mean the child needed a system call"
	expect shm.shared.unrelated.reader_end = none "SIGSYS would mean the peer needed a system call"
	expect shm.shared.fork.reply_matches = yes
	expect shm.shared.unrelated.reply_matches = yes
}

# ---- shm_nattch: what ipcs shows as nattch ------------------------------------

@test "SHM-NATTCH-ATTACH: shm_nattch is 0 for a new segment and 1 after shmat (shmget(2), shmop(2))" {
	expect shm.nattch.after_create_count -eq 0
	expect shm.nattch.after_shmat_count -eq 1
}

@test "SHM-NATTCH-FORK: a child inherits the attachment: fork adds one to shm_nattch (shmop(2) NOTES)" {
	expect shm.nattch.after_fork_count -eq 2
}

@test "SHM-NATTCH-SHMDT: shmdt takes one from shm_nattch and shmat adds one, in any process (shmop(2))" {
	expect shm.nattch.after_child_shmdt_count -eq 1 "the child detached its inherited attachment"
	expect shm.nattch.after_child_shmat_count -eq 2 "the child attached again"
	# last: where kernel.shm_rmid_forced is 1 the segment is gone at 0
	# and the probe records SKIP, which skips the rest of this case
	expect shm.nattch.after_shmdt_count -eq 0 "the parent detached too"
}

@test "SHM-NATTCH-EXIT: a process that exits while attached is detached: shm_nattch drops (shmop(2) NOTES: _exit)" {
	expect shm.nattch.child_end = none "the child exited normally, still attached"
	expect shm.nattch.after_child_exit_count -eq 1
}

@test "SHM-NATTCH-IPCS: /proc/sysvipc/shm, which ipcs reads, shows the same nattch as IPC_STAT at every step (proc(5); notes: ipcs nattach)" {
	expect shm.nattch.proc_sysvipc_agrees = yes
}

@test "SHM-NATTCH-ATTACHES: shm_nattch counts attaches, not processes: one process that attaches a segment twice makes it 2, and one shmdt takes it back to 1 (shmctl(2): number of current attaches; ipc/shm.c __shm_open; not the notes' processes)" {
	expect shm.nattch.twice.distinct_addresses = yes "two attachments at two addresses"
	expect shm.nattch.twice.one_process_count -eq 2 "one process, two shmat calls"
	expect shm.nattch.twice.after_one_shmdt_count -eq 1
}

# ---- no private attachment -------------------------------------------------------
# The notes: "maps the kernel's buffer into user space, and one can choose
# whether changes are synced back to it".  A mapping whose changes stay
# private is mmap's MAP_PRIVATE; shmat has no such mode.

@test "SHM-NO-PRIVATE-ATTACH: shmat has no private (copy-on-write) attachment: each flag bit but SHM_RDONLY, SHM_RND, SHM_REMAP and SHM_EXEC is refused or shares stores both ways (shmop(2); ipc/shm.c do_shmat maps MAP_SHARED; not the notes' choice)" {
	local tried refused
	read_obs tried shm.private.flags_tried_count
	read_obs refused shm.private.flags_refused_count
	expect shm.private.flags_tried_count -ge 1
	expect shm.private.flags_private_count -eq 0 "an attachment whose stores the first attachment did not see, or the reverse"
	expect shm.private.flags_shared_count -eq $((tried - refused)) "every attach that was not refused shared stores both ways"
}

# ---- IPC_RMID while attached ---------------------------------------------------

@test "SHM-RMID-LIVES: after IPC_RMID the segment stays usable until the last detach (shmctl(2) IPC_RMID)" {
	expect shm.rmid.result = OK
	expect shm.rmid.after.nattch_count -eq 2 "both attachments survive the IPC_RMID"
	expect shm.rmid.after.memory_shared = yes "a store through one attachment is read through the other"
	expect shm.rmid.after_first_shmdt.stat = OK "one detach of two does not destroy it"
	expect shm.rmid.after_first_shmdt.nattch_count -eq 1
}

@test "SHM-RMID-DEST: a segment marked for destruction has SHM_DEST in shm_perm.mode (shmctl(2) IPC_RMID)" {
	expect shm.rmid.before.mode_shm_dest = no
	expect shm.rmid.after.mode_shm_dest = yes
}

@test "SHM-RMID-KEY: IPC_RMID frees the key: it reads IPC_PRIVATE and shmget of it fails with ENOENT (shmget(2) Linux notes; ipc/shm.c do_shm_rmid)" {
	# EIDRM here was Linux before 2.3.30 (shmget(2)); no kernel we run
	expect shm.rmid.before.key_is_private = no "the segment had the run's key before"
	expect shm.rmid.after.key_is_private = yes "shm_perm.__key is IPC_PRIVATE once marked"
	expect shm.rmid.after.get_old_key = ENOENT
}

@test "SHM-RMID-GONE: after the last detach the segment is destroyed: IPC_STAT on its id fails with EINVAL (shmop(2) shmdt, shmctl(2) EINVAL)" {
	expect shm.rmid.after_last_shmdt.stat = EINVAL
}

@test "SHM-RMID-REATTACH: Linux lets a segment marked for destruction be attached again (shmop(2) NOTES, shmctl(2) NOTES)" {
	expect shm.rmid.after.shmat_again = OK
}

# ---- sizes and limits ------------------------------------------------------------

@test "SHM-SIZE-ZERO: a new segment of size 0 fails with EINVAL: SHMMIN is 1 (shmget(2))" {
	expect shm.size.zero_new = EINVAL
}

@test "SHM-SIZE-PAGE: a 1-byte segment keeps shm_segsz 1 but maps a whole page: its last byte is usable and shared, the next byte faults (shmget(2): rounded up to PAGE_SIZE)" {
	expect shm.size.one_byte_new = OK
	expect shm.size.one_byte.segsz_bytes -eq 1
	expect shm.size.one_byte.store_last_byte_of_page = none \
		"a child stored at offset PAGE_SIZE-1 and exited 0"
	expect shm.size.one_byte.last_byte_shared = yes "the parent read that byte through its own attachment"
	expect shm.size.one_byte.store_past_page = SIGSEGV \
		"the control: offset PAGE_SIZE is past the segment, in a PROT_NONE page"
}

@test "SHM-SIZE-EXISTING: asking an existing key for more than its size fails with EINVAL; the same or less finds it (shmget(2))" {
	expect shm.size.existing.larger = EINVAL "one byte more than shm_segsz, within the same page"
	expect shm.size.existing.same_finds_it = yes
	expect shm.size.existing.smaller_finds_it = yes
}

@test "SHM-SIZE-SHMMAX: a new segment one byte larger than SHMMAX fails with EINVAL (shmget(2))" {
	expect shm.size.above_shmmax = EINVAL "size /proc/sys/kernel/shmmax + 1"
}

# The limits lowered in a private IPC namespace (ipc_namespaces(7)): these
# skip where user namespaces are not allowed or the sysctls are not
# writable there, with the reason.
# report-only: shm.ns.unshare: whether the private namespace could be made; the ns claims skip when not
# report-only: shm.ns.writer_global_root: whether the recording euid is uid 0 of the initial user namespace; expect_ns_sysctl_writes picks the rule with it, and from Linux 6.9 both answers give OK
# report-only: shm.ns.id_map: whether the child became root of its user namespace
# report-only: shm.ns.shmmax.limit_bytes: the lowered SHMMAX the probe chose
# report-only: shm.ns.shmall.limit_pages: the lowered SHMALL the probe chose

@test "SHM-NS-SYSCTL-WRITE: root of a new user namespace may write its IPC namespace's shmmax, shmmni and shmall from Linux 6.9 (6.6.45, 6.1.104); before, only the global root could (commit 50ec499b9a43, ipc_namespaces(7))" {
	local unshare
	read_obs unshare shm.ns.unshare
	[[ $unshare == OK ]] || skip "no private IPC namespace could be made ($unshare)"
	expect_ns_sysctl_writes user_and_ipc shm.ns.shmmax.write shm.ns.shmmni.write shm.ns.shmall.write
}

@test "SHM-NS-SHMMAX: with SHMMAX lowered, a segment of exactly SHMMAX bytes is made and one byte more fails with EINVAL (shmget(2), ipc_namespaces(7))" {
	expect shm.ns.shmmax.at_limit = OK
	expect shm.ns.shmmax.above_limit = EINVAL
}

@test "SHM-NS-SHMMNI: with SHMMNI lowered, that many segments are made and the next fails with ENOSPC (shmget(2) ENOSPC)" {
	local limit
	read_obs limit shm.ns.shmmni.limit_count
	expect shm.ns.shmmni.created_count -eq "$limit" "SHMMNI=$limit in a namespace that held no segment"
	expect shm.ns.shmmni.next = ENOSPC
}

@test "SHM-NS-SHMALL: with SHMALL lowered, a segment of exactly SHMALL pages is made and one more page fails with ENOSPC (shmget(2) ENOSPC)" {
	expect shm.ns.shmall.at_limit = OK
	expect shm.ns.shmall.beyond_limit = ENOSPC
}

# ---- SHM_RDONLY and shmdt ---------------------------------------------------------

@test "SHM-RDONLY: a SHM_RDONLY attachment reads the segment, and a store through it is killed by SIGSEGV (shmop(2) SHM_RDONLY)" {
	expect shm.rdonly.attach = OK
	expect shm.rdonly.read_sees_data = yes "it reads what the parent stored"
	expect shm.rdonly.store = SIGSEGV
	expect shm.rdonly.data_unchanged = yes "the faulting store changed nothing"
}

@test "SHM-SHMDT-EINVAL: shmdt of an address where no segment is attached fails with EINVAL (shmop(2))" {
	expect shm.detach.anonymous_page = EINVAL "a page of anonymous memory"
	expect shm.detach.unaligned = EINVAL "one byte into an attached segment"
	expect shm.detach.attached = OK "the control: the attach address itself"
	expect shm.detach.twice = EINVAL "the same address once detached"
}

# ---- locking with a semaphore --------------------------------------------------------

# The control: the same loop, but each process takes and gives back a
# semaphore of its own, so the calls cost the same and exclude no one.  It
# runs again (up to 32 times, twice on one CPU) until it loses an update;
# what it lost wanders from run to run, whether it lost any does not.
# report-only: shm.nolock.lost_count: how many of the 40000 updates the control's last round lost (it wanders); SHM-LOCK-NEEDED judges shm.nolock.lost_updates
# report-only: shm.nolock.rounds_count: how many rounds the control ran before it lost an update (it wanders)
# report-only: shm.nolock.cpus_count: the CPUs the probe could run on (sched_getaffinity); SHM-LOCK-NEEDED skips below 2 when nothing was lost

@test "SHM-LOCK: processes adding to a shared counter under a System V semaphore (SEM_UNDO) lose no update (semop(2); notes: lock with a semaphore)" {
	local procs each
	read_obs procs shm.lock.processes_count
	read_obs each shm.lock.increments_each_count
	expect shm.lock.children_ok = yes "every process finished its increments"
	expect shm.lock.total_count -eq $((procs * each)) "$procs processes x $each increments each"
}

@test "SHM-LOCK-NEEDED: the control of SHM-LOCK: the same processes and loop, each with a semaphore of its own that excludes no one, lose updates (the notes: reading and writing need a lock)" {
	local lost cpus rounds count
	expect shm.nolock.children_ok = yes "every process of the control finished its increments"
	read_obs lost shm.nolock.lost_updates
	read_obs cpus shm.nolock.cpus_count
	read_obs rounds shm.nolock.rounds_count
	if [[ $lost == no ]] && ((cpus < 2)); then
		skip "the probe could run on $cpus CPU, so its processes never ran side by side: the control lost no update in $rounds rounds and shows nothing"
	fi
	lookup_into count shm.nolock.lost_count || count=unknown
	expect shm.nolock.lost_updates = yes \
		"$cpus CPUs, $rounds rounds of 4 processes x 10000 unlocked increments; lost $count in the last"
}
