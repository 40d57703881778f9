# shellcheck shell=bash
# vm-boot - harness/vm's boot and serial stream: one boot under qemu (or
# user-mode Linux), a heartbeat on stderr while it runs, the run split out
# of the second serial port's stream, and why a boot gave no run.
#
# Sourced by harness/vm and harness/tests/vm.bats: functions only.
#
# The settings (cache, offline, logroot, ...) are harness/vm's, and what
# these functions set is read there:
# shellcheck disable=SC2154,SC2034

# ---- one boot ----------------------------------------------------------------

# split STREAM DIR: the run out of the ttyS1 stream.  Prints a problem and
# fails when a frame is cut or the end marker is missing.
split_stream() {
	awk -v dir="$2" '
	function problem(m) { print m; bad = 1; exit 1 }
	/^==ipcvm== begin / {
		if (file != "") problem("frame " file " has no end marker")
		file = $3; n = 0
		if (file !~ /^([a-z0-9]+\.obs|meta\.env|record\.log)$/) problem("unexpected file name in the stream: " file)
		printf "" > (dir "/" file)
		next
	}
	/^==ipcvm== end / {
		if ($3 != file) problem("end of " $3 " while in " file)
		if ($4 != n) problem(file " arrived cut short (" n " of " $4 " lines)")
		close(dir "/" file); file = ""; files++
		next
	}
	/^==ipcvm== done / {
		if (file != "") problem("end marker inside " file)
		done = 1; status = $3
		next
	}
	file != "" { print > (dir "/" file); n++ }
	END {
		if (bad) exit 1
		if (!done) { print "no end marker: the run did not finish"; exit 1 }
		if (!files) { print "the end marker arrived with no file"; exit 1 }
	}' "$1"
}

# why_failed LOGDIR RC TIMEDOUT: the clearest reason a boot gave no run
why_failed() {
	local log=$1 rc=$2 timedout=$3 line
	line=$(grep -a -m1 -E 'Kernel panic|BUG: |double fault|general protection' "$log/console.log" 2>/dev/null | tr -d '\r' | cut -c1-200)
	if [[ -n $line ]]; then
		echo "the kernel failed: $line"
	elif [[ -n $timedout ]]; then
		echo "no end marker after ${boot_timeout}s; last console line: $(tr -d '\r' <"$log/console.log" | grep -a . | tail -n 1 | cut -c1-160)"
	elif [[ $rc -ne 0 ]]; then
		echo "qemu exited with status $rc: $(grep -a . "$log/qemu.err" | tail -n 1 | cut -c1-200)"
	elif [[ ! -s $log/console.log ]]; then
		echo "the VM stopped without a word on the console (not a bootable kernel?)"
	else
		echo "the VM stopped without sending the end marker; last console line: $(tr -d '\r' <"$log/console.log" | grep -a . | tail -n 1 | cut -c1-160)"
	fi
}

# boot LABEL VMLINUZ INITRD ABI LOGDIR: one boot; 0 when the run arrived
# (split into LOGDIR/run), else the reason on stdout.  VMLINUZ "uml" boots
# user-mode Linux (linux.uml) instead of qemu.
boot() {
	local label=$1 vmlinuz=$2 initrd=$3 abi=$4 log=$5 append qpid rc problem
	# unless told: 120 s a probe and 300 s a boot; another architecture's
	# instruction set under TCG, with the longer hang deadline below,
	# gets 300 s a probe and 900 s a boot (s390x's shm took 130 s)
	local probe_limit=$probe_limit boot_timeout=$boot_timeout
	if [[ $abi == x86_64 || $abi == i386 ]]; then
		: "${probe_limit:=120}" "${boot_timeout:=300}"
	else
		: "${probe_limit:=300}" "${boot_timeout:=900}"
	fi
	append="panic=-1 quiet loglevel=4 ipcvm.limit=$probe_limit ipcvm.abi=$abi${IPCVM_VM_APPEND:+ $IPCVM_VM_APPEND}"
	[[ -n ${l_user[$label]:-} ]] && append+=" ipcvm.user=1"
	# where the machine has one UART, the run comes over a virtio port
	arch "$abi" && [[ -n $a_triplet ]] && append+=" ipcvm.run=virtio"
	[[ -n $probes_wanted ]] && append+=" ipcvm.probes=$(tr -s ' ' , <<<"$probes_wanted" | sed 's/^,//; s/,$//')"
	# a deadline for what must not hang (probe.h hang_ms): user-mode Linux
	# pays a ptrace round trip per system call, so 40000 semop calls (the
	# shm lock claim) outlast the 10 s that suit a real kernel
	local hang=${IPCVM_HANG_MS:-}
	[[ -z $hang && $vmlinuz == uml ]] && hang=60000
	# so does another architecture's instruction set under TCG: four
	# processes taking a semaphore 10000 times each (SHM-LOCK) outlast 10 s
	# on riscv64 and s390x on a busy host
	[[ -z $hang && $abi != x86_64 && $abi != i386 ]] && hang=60000
	[[ -n $hang ]] && append+=" ipcvm.env=IPCVM_HANG_MS=$hang"
	: >"$log/console.log"
	: >"$log/probe.log"
	vm_start "$vmlinuz" "$initrd" "$abi" "$log" "$append"
	qpid=$!
	echo "$qpid" >"$tmp/$label.vm.pid"
	vm_wait "$label" "$qpid" "$log"
	kill -KILL -- "-$qpid" 2>/dev/null
	wait "$qpid"
	rc=$?
	rm -f "$tmp/$label.vm.pid"
	[[ -s $log/done_at ]] && rc=0
	rm -rf "$log/run"
	mkdir -p "$log/run"
	if problem=$(split_stream "$log/probe.log" "$log/run"); then
		return 0
	fi
	if grep -q '^==ipcvm== done' "$log/probe.log"; then
		echo "the run arrived damaged: $problem"
	else
		why_failed "$log" "$rc" "$([[ -e $log/timedout ]] && echo 1)"
	fi
	return 1
}

# vm_start VMLINUZ INITRD ABI LOGDIR APPEND: start the machine in the
# background ($! is its pid), the console into LOGDIR/console.log, the run's
# channel into LOGDIR/probe.log.  Its own session, so that the whole machine
# (user-mode Linux is many host processes) is stopped with one kill of its
# group.
vm_start() {
	local vmlinuz=$1 initrd=$2 abi=$3 log=$4 append=$5 qv=()
	if [[ $vmlinuz == uml ]]; then
		# the console and the second serial line go to files; UML warns
		# that it cannot poll a regular file, and writes to it all the same
		# (the arguments are words of the kernel's command line)
		# shellcheck disable=SC2086
		setsid "$uml" mem="${mem}M" initrd="$initrd" $append \
			con=null con0=null,fd:4 ssl=null ssl1=null,fd:5 \
			</dev/null >"$log/qemu.err" 2>&1 4>"$log/console.log" 5>"$log/probe.log" &
		return 0
	fi
	arch "$abi"
	case $abi in
	x86_64 | i386) qv=(-M pc -cpu "$cpu") ;;
	# pauth-impdef: the same pointer authentication, at a fraction of
	# the cost of emulating QARMA under TCG
	arm64) qv=(-M virt -cpu "max,pauth-impdef=on") ;;
	ppc64el) qv=(-M pseries -cpu POWER9) ;;
	s390x) qv=(-M s390-ccw-virtio -cpu max) ;;
	riscv64) qv=(-M virt -bios default) ;;
	esac
	# the run's channel: the second UART on a PC, a virtio serial port
	# (named, found by vm-init in sysfs) where the machine has one UART
	if [[ -z $a_triplet ]]; then
		qv+=(-serial "file:$log/console.log" -serial "file:$log/probe.log")
	else
		qv+=(-serial "file:$log/console.log" -chardev "file,id=run,path=$log/probe.log")
		if [[ $abi == s390x ]]; then qv+=(-device virtio-serial-ccw); else qv+=(-device virtio-serial-pci); fi
		qv+=(-device "virtserialport,chardev=run,name=ipcvm.run")
	fi
	setsid "$a_qemu" "${qv[@]}" -accel "$accel" -m "$mem" -smp "$smp" \
		-nodefaults -no-user-config -display none -monitor none -no-reboot \
		-kernel "$vmlinuz" -initrd "$initrd" -append "console=$a_console $append" \
		</dev/null >/dev/null 2>"$log/qemu.err" &
}

# vm_wait LABEL PID LOGDIR: wait until the run's end marker has arrived (and
# the guest had a moment to power off), the machine stops, or boot_timeout
# passes (then LOGDIR/timedout).  Every heartbeat seconds (30; the setting
# IPCVM_VM_HEARTBEAT) a line on stderr, so that a CI log shows a long boot
# is alive.  LOGDIR/cpu: the machine's CPU time, LOGDIR/done_at: when the
# end marker came.
vm_wait() {
	local label=$1 qpid=$2 log=$3 t0=$SECONDS beat=$SECONDS every=${heartbeat:-30}
	local ticks=0 stat hz done_at='' u s last
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	rm -f "$log/timedout" "$log/done_at"
	while kill -0 "$qpid" 2>/dev/null; do
		# the VM's CPU time so far (utime + stime), for the summary
		stat=$(cat "/proc/$qpid/stat" 2>/dev/null) && stat=${stat##*) } &&
			read -r _ _ _ _ _ _ _ _ _ _ _ u s _ <<<"$stat" && ticks=$((u + s))
		if [[ -z $done_at ]] && grep -q '^==ipcvm== done' "$log/probe.log" 2>/dev/null; then
			done_at=$SECONDS
			echo "$((done_at - t0))" >"$log/done_at"
		fi
		# the run is complete: give the guest a moment to power off
		[[ -n $done_at ]] && ((SECONDS - done_at >= 3)) && break
		if ((SECONDS - t0 >= boot_timeout)); then
			: >"$log/timedout"
			break
		fi
		if ((SECONDS - beat >= every)); then
			beat=$SECONDS
			last=$(tr -d '\r' <"$log/console.log" | grep -a . | tail -n 1 | cut -c1-100)
			say "$label: still booting after $((SECONDS - t0))s (of ${boot_timeout}s); console: ${last:-nothing yet}"
		fi
		sleep 0.2
	done
	echo "$ticks $hz" >"$log/cpu"
}
