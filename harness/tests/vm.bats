#!/usr/bin/env bats
# harness/vm's pieces without a VM: the serial stream split into a run
# (a stream recorded from Debian 12's kernel), a boot that ends in a panic,
# hangs, or sends its run (a fake qemu replaying recorded logs), each
# family's TAP counted and the matrix built from it, and the archive client
# on a fake signed Debian archive (a file:// mirror).  Seconds, no qemu.

# The tests set the settings harness/vm would (cache, boot_timeout, ...)
# for the functions of its libraries, and read Bats' $stderr:
# shellcheck disable=SC2034,SC2154
# shellcheck source-path=SCRIPTDIR

bats_require_minimum_version 1.5.0
load ../ipcvm

fixtures=$BATS_TEST_DIRNAME/fixtures/vm

setup() {
	load_bats_support
	# shellcheck source=/dev/null
	source "$IPCVM_BATS_LIBDIR/bats-assert/load.bash"
	# shellcheck source=../vm-archive.bash
	source "$IPCVM_SRCDIR/harness/vm-archive.bash"
	# shellcheck source=../vm-initramfs.bash
	source "$IPCVM_SRCDIR/harness/vm-initramfs.bash"
	# shellcheck source=../vm-boot.bash
	source "$IPCVM_SRCDIR/harness/vm-boot.bash"
	# shellcheck source=../vm-job.bash
	source "$IPCVM_SRCDIR/harness/vm-job.bash"
	srcdir=$IPCVM_SRCDIR
	tmp=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$tmp"
}

teardown() {
	[[ -n ${GNUPGHOME:-} ]] && gpgconf --kill all 2>/dev/null
	return 0
}

# ---- the serial stream ---------------------------------------------------

# frame FILE: the lines of FILE's frame in the recorded stream
frame() { sed -n "/^==ipcvm== begin $1\$/,/^==ipcvm== end $1 /p" "$fixtures/bookworm.serial" | sed '1d;$d'; }

@test "VM-STREAM: the run is split out of a recorded serial stream, every file whole, and validates" {
	local run=$BATS_TEST_TMPDIR/run f
	mkdir "$run"
	run split_stream "$fixtures/bookworm.serial" "$run"
	assert_success
	assert_output ''
	for f in meta.env pipe.obs fifo.obs msgq.obs shm.obs socket.obs vm.obs record.log; do
		[[ -e $run/$f ]] || fail "$f was not split out"
		diff <(frame "$f") "$run/$f" || fail "$f differs from its frame"
	done
	run "$IPCVM_SRCDIR/harness/ipcvm" validate "$run" pipe fifo msgq shm socket vm
	assert_success
}

@test "VM-STREAM-CUT: a stream cut short, one whose frame lost lines, or a strange file name is refused with the reason" {
	local run=$BATS_TEST_TMPDIR/run
	mkdir "$run"
	head -n 300 "$fixtures/bookworm.serial" >"$BATS_TEST_TMPDIR/cut"
	run split_stream "$BATS_TEST_TMPDIR/cut" "$run"
	assert_failure
	assert_output --partial 'no end marker: the run did not finish'
	sed '50d' "$fixtures/bookworm.serial" >"$BATS_TEST_TMPDIR/lost"
	run split_stream "$BATS_TEST_TMPDIR/lost" "$run"
	assert_failure
	assert_output 'fifo.obs arrived cut short (32 of 33 lines)'
	sed 's|^==ipcvm== begin fifo.obs|==ipcvm== begin ../fifo.obs|' "$fixtures/bookworm.serial" >"$BATS_TEST_TMPDIR/odd"
	run split_stream "$BATS_TEST_TMPDIR/odd" "$run"
	assert_failure
	assert_output 'unexpected file name in the stream: ../fifo.obs'
	[[ ! -e $BATS_TEST_TMPDIR/fifo.obs ]] || fail "a file was written outside the run"
}

# ---- one boot, with a fake qemu ------------------------------------------

# fake_qemu MODE: a qemu that writes the recorded console (and, for "good",
# the recorded run's stream) to its -serial files, then stops ("hang": it
# never does); its arguments in $BATS_TEST_TMPDIR/argv
fake_qemu() {
	qemu=$BATS_TEST_TMPDIR/qemu
	cat >"$qemu" <<EOF
#!/bin/bash
printf '%s\n' "\$@" >"$BATS_TEST_TMPDIR/argv"
out=()
while [[ \$# -gt 0 ]]; do
	[[ \$1 == -serial ]] && out+=("\${2#file:}")
	shift
done
case $1 in
good) cat "$fixtures/bookworm.console" >"\${out[0]}"; cat "$fixtures/bookworm.serial" >"\${out[1]}" ;;
panic) cat "$fixtures/panic.console" >"\${out[0]}" ;;
hang) echo \$\$ >"$BATS_TEST_TMPDIR/pid"; echo "Run /init as init process" >"\${out[0]}"; exec sleep 60 ;;
esac
EOF
	chmod +x "$qemu"
	declare -gA l_user=()
	probes_wanted='' probe_limit='' boot_timeout='' heartbeat=30
	cpu=qemu64 accel=tcg mem=512 smp=1 uml=linux.uml
	log=$BATS_TEST_TMPDIR/log
	mkdir -p "$log"
}

@test "VM-BOOT: a boot that sends its run is a success, its run split out, the kernel booted as asked" {
	fake_qemu good
	run boot bookworm /k/vmlinuz /k/initrd x86_64 "$log"
	assert_success
	assert_output ''
	cmp <(frame shm.obs) "$log/run/shm.obs"
	grep -qx -- '-kernel' "$BATS_TEST_TMPDIR/argv" && grep -qx /k/vmlinuz "$BATS_TEST_TMPDIR/argv" ||
		fail "qemu was not given the kernel: $(cat "$BATS_TEST_TMPDIR/argv")"
	grep -q 'ipcvm.abi=x86_64' "$BATS_TEST_TMPDIR/argv" || fail "no ipcvm.abi on the kernel's command line"
	[[ ! -e $tmp/bookworm.vm.pid ]] || fail "the VM's pid file is left behind"
}

@test "VM-BOOT-PANIC: a kernel that panics is reported with its panic line" {
	fake_qemu panic
	run boot bookworm /k/vmlinuz /k/initrd x86_64 "$log"
	assert_failure
	assert_output --partial 'the kernel failed: '
	assert_output --partial 'Kernel panic - not syncing: VFS: Unable to mount root fs'
}

@test "VM-BOOT-TIMEOUT: a boot that never ends is stopped after --timeout, with a heartbeat on stderr meanwhile" {
	fake_qemu hang
	boot_timeout=3 heartbeat=1
	local t0=$SECONDS
	boot bookworm /k/vmlinuz /k/initrd x86_64 "$log" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &&
		fail "a hung boot succeeded"
	((SECONDS - t0 < 10)) || fail "the hung boot took $((SECONDS - t0))s to stop"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output 'no end marker after 3s; last console line: Run /init as init process'
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial 'vm: bookworm: still booting after 1s (of 3s); console: Run /init as init process'
	[[ $(grep -c 'still booting' "$BATS_TEST_TMPDIR/err") -ge 2 ]] || fail "one heartbeat only: $output"
	! kill -0 "$(cat "$BATS_TEST_TMPDIR/pid")" 2>/dev/null || fail "the hung VM still runs"
	[[ ! -e $tmp/bookworm.vm.pid ]] || fail "the VM's pid file is left behind"
}

# ---- the initramfs's probes ------------------------------------------------

@test "VM-PROBE-SOURCES: each probe is built from the sources Makefile.am lists for it (a family split into a directory too)" {
	srcdir=$BATS_TEST_TMPDIR/src
	mkdir -p "$srcdir"
	cat >"$srcdir/Makefile.am" <<-'EOF'
		FAMILIES = pipe shm
		probes_pipe_SOURCES = probes/pipe.c probes/pipe/pipe.h
		probes_shm_SOURCES = probes/shm.d/shm.c probes/shm.d/shm.h \
		 probes/shm.d/create.c \
		 probes/shm.d/lock.c
		probes_socket_LDADD = -lfoo
	EOF
	run probe_sources shm
	assert_output "$srcdir/probes/shm.d/shm.c
$srcdir/probes/shm.d/create.c
$srcdir/probes/shm.d/lock.c"
	run probe_sources pipe
	assert_output "$srcdir/probes/pipe.c"
	# no _SOURCES: automake's default
	run probe_sources socket
	assert_output "$srcdir/probes/socket.c"
	# the real ones exist
	srcdir=$IPCVM_SRCDIR
	local p f
	for p in $("$IPCVM_SRCDIR/harness/ipcvm" families); do
		for f in $(probe_sources "$p"); do
			[[ -f $f ]] || fail "the $p probe's source $f does not exist"
		done
	done
}

# ---- TAP counted, and the matrix -----------------------------------------

@test "VM-TAP: each family's pass/fail/skip is counted from its bats --tap stream; a stream short of its plan counts what it lacks as failed" {
	local d=$BATS_TEST_TMPDIR/tap
	mkdir "$d"
	cp "$fixtures/shm.tap" "$d/shm.tap"
	# one case failed
	sed '0,/^ok 5 /s//not ok 5 /' "$fixtures/shm.tap" >"$d/msgq.tap"
	# bats died after 10 of 33 cases
	grep -m 10 -E '^(not )?ok ' "$fixtures/shm.tap" | sed '1i 1..33' >"$d/pipe.tap"
	# bats died before its plan
	: >"$d/vm.tap"
	run count_tap "$d"
	assert_success
	assert_output "fam.msgq=31 1 1
fam.pipe=10 23 0
fam.shm=32 0 1
fam.vm=0 1 0
tap=73 25 2"
}

# summary LABEL FILE...: a job's summary for LABEL, its TAP from FILEs
summary() {
	local label=$1 f
	shift
	mkdir -p "$logroot/$label/tap"
	for f in "$@"; do cp "$f" "$logroot/$label/tap/"; done
	rm -f "$logroot/$label/judge.tap"
	{
		echo "boot_s=9.5" "tries=1" "release=6.1.0-50-cloud-amd64" | tr ' ' '\n'
		count_tap "$logroot/$label/tap"
		echo "judge_s=1.0" "status=ok" "total_s=10.5" | tr ' ' '\n'
	} >"$logroot/$label/summary"
	cat "$logroot/$label/tap"/*.tap >"$logroot/$label/judge.tap" 2>/dev/null || :
}

@test "VM-MATRIX: the matrix shows each family's counts; a failed case, a kernel that never booted or no case at all fails it" {
	logroot=$BATS_TEST_TMPDIR/logs store='' judge=1 outdir=''
	all_families="shm msgq"
	declare -gA pre_fail=() unavailable=()
	labels=(bookworm)
	summary bookworm "$fixtures/shm.tap"
	run matrix
	assert_success
	assert_line --regexp '^bookworm +6\.1\.0-50-cloud-amd64 +32/0/1 +- +9\.5 +1\.0 +10\.5$'
	# a case fails
	sed '0,/^ok 5 /s//not ok 5 /' "$fixtures/shm.tap" >"$BATS_TEST_TMPDIR/shm.tap"
	labels=(bookworm trixie)
	summary trixie "$BATS_TEST_TMPDIR/shm.tap"
	run matrix
	assert_failure
	assert_line --regexp '^trixie +6\.1\.0-50-cloud-amd64 +31/1/1 '
	assert_line --partial 'trixie: failing cases'
	assert_line --partial 'not ok 5 '
	# a kernel that did not boot
	labels=(bookworm sid)
	pre_fail[sid]="cannot get the kernel: offline"
	run matrix
	assert_failure
	assert_line --regexp '^sid +FAILED: cannot get the kernel: offline$'
	# no case ran (no case file of any family)
	labels=(bookworm bullseye)
	summary bullseye
	run matrix
	assert_failure
	assert_line --partial '(no case ran: see '
}

# ---- the archive client, on a fake signed archive ------------------------

# deb DIR PACKAGE VERSION [DEPENDS [FILE]]: a package of FILE (a vmlinuz of
# random bytes under boot/) in the pool; its Packages stanza on stdout
deb() {
	local dir=$1 pkg=$2 version=$3 depends=${4:-} file=${5:-} root=$BATS_TEST_TMPDIR/pkg/$2 deb
	mkdir -p "$root/DEBIAN" "$dir/pool"
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: ipcvm <ipcvm@invalid>\nDescription: fake\n' \
		"$pkg" "$version" >"$root/DEBIAN/control"
	[[ -n $depends ]] && echo "Depends: $depends" >>"$root/DEBIAN/control"
	if [[ -n $file ]]; then
		mkdir -p "$root/boot"
		head -c 4096 /dev/urandom >"$root/boot/$file"
	fi
	deb=pool/${pkg}_${version}_amd64.deb
	dpkg-deb -Zgzip --root-owner-group --build "$root" "$dir/$deb" >/dev/null || return 1
	cat "$root/DEBIAN/control"
	printf 'Filename: %s\nSize: %s\nSHA256: %s\n\n' "$deb" "$(stat -c %s "$dir/$deb")" "$(sha256sum <"$dir/$deb" | cut -d' ' -f1)"
}

# fake_archive: a suite "fake" signed with a key of the test's own: a
# metapackage, its versioned image, and sid's split (image stub, binary,
# modules); harness/kernels' settings pointing there
fake_archive() {
	local m=$BATS_TEST_TMPDIR/mirror p=main/binary-amd64/Packages
	export GNUPGHOME=$BATS_TEST_TMPDIR/gnupg
	mkdir -m 700 "$GNUPGHOME"
	mkdir -p "$m/dists/fake/main/binary-amd64"
	{
		deb "$m" linux-image-cloud-amd64 6.1.99-1 linux-image-6.1.0-9-cloud-amd64
		deb "$m" linux-image-6.1.0-9-cloud-amd64 6.1.99-1 '' vmlinuz-6.1.0-9-cloud-amd64
		deb "$m" linux-image-sid 7.0.1-1 linux-image-7.0-cloud-amd64
		deb "$m" linux-image-7.0-cloud-amd64 7.0.1-1 'linux-binary-7.0-cloud-amd64 (= 7.0.1-1), linux-modules-7.0-cloud-amd64 (= 7.0.1-1)'
	} >"$m/dists/fake/$p"
	{
		printf 'Suite: fake\nCodename: fake\nDate: %s\nArchitectures: amd64\nComponents: main\nSHA256:\n' "$(date -u -R)"
		printf ' %s %s %s\n' "$(sha256sum <"$m/dists/fake/$p" | cut -d' ' -f1)" "$(stat -c %s "$m/dists/fake/$p")" "$p"
	} >"$m/dists/fake/Release"
	gpg --batch -q --passphrase '' --quick-gen-key 'ipcvm test <ipcvm@invalid>' ed25519 sign never 2>/dev/null
	gpg --batch -q --export >"$BATS_TEST_TMPDIR/keyring.gpg"
	gpg --batch -q --clearsign -o "$m/dists/fake/InRelease" "$m/dists/fake/Release"
	printf 'mirror file://%s\nkeyring %s\nfake fake linux-image-cloud-amd64 yes\n' "$m" "$BATS_TEST_TMPDIR/keyring.gpg" \
		>"$BATS_TEST_TMPDIR/kernels"
	cache=$BATS_TEST_TMPDIR/cache offline='' refresh='' refresh_age=86400
	mkdir -p "$cache"
	unset IPCVM_DEBIAN_MIRROR
	read_kernels "$BATS_TEST_TMPDIR/kernels"
}

@test "VM-ARCHIVE: a kernel metapackage resolves through a signed index to its image, downloaded, checked and unpacked" {
	fake_archive
	apt_update fake "$BATS_TEST_TMPDIR/fetch.log" || fail "apt_update: $(cat "$BATS_TEST_TMPDIR/fetch.log")"
	run resolve fake linux-image-cloud-amd64
	assert_success
	assert_output 'linux-image-6.1.0-9-cloud-amd64 linux-image-6.1.0-9-cloud-amd64'
	# sid's split image: the vmlinuz in linux-binary, the modules apart
	run resolve fake linux-image-sid
	assert_output 'linux-binary-7.0-cloud-amd64 linux-modules-7.0-cloud-amd64'
	run resolve fake linux-image-nonesuch
	assert_failure
	assert_output 'no package linux-image-nonesuch in fake'
	run --separate-stderr fetch fake "$BATS_TEST_TMPDIR/fetch.log"
	assert_success
	assert_output "$cache/kernels/fake"
	cmp "$cache/kernels/fake/vmlinuz" "$BATS_TEST_TMPDIR/pkg/linux-image-6.1.0-9-cloud-amd64/boot/vmlinuz-6.1.0-9-cloud-amd64"
	run cat "$cache/kernels/fake/source"
	assert_output 'linux-image-6.1.0-9-cloud-amd64 6.1.99-1'
}

@test "VM-ARCHIVE-CHECKED: a cached package that is not the signed index's is fetched again online, refused offline; an unsigned index is refused" {
	fake_archive
	apt_update fake "$BATS_TEST_TMPDIR/fetch.log" || fail "apt_update: $(cat "$BATS_TEST_TMPDIR/fetch.log")"
	local deb
	deb=$(get_deb fake linux-image-6.1.0-9-cloud-amd64 "$BATS_TEST_TMPDIR/fetch.log") || fail "get_deb: $deb"
	echo corrupt >>"$deb"
	offline=1
	run get_deb fake linux-image-6.1.0-9-cloud-amd64 "$BATS_TEST_TMPDIR/fetch.log"
	assert_failure
	assert_output --partial 'is corrupt (its SHA256 is not the one the signed index gives), and offline it cannot be fetched again'
	offline=''
	run --separate-stderr get_deb fake linux-image-6.1.0-9-cloud-amd64 "$BATS_TEST_TMPDIR/fetch.log"
	assert_success
	assert_output "$deb"
	[[ $stderr == *'is corrupt'*'fetching it again'* ]] || fail "no word of the corrupt copy: $stderr"
	cmp "$deb" "$BATS_TEST_TMPDIR/mirror/pool/linux-image-6.1.0-9-cloud-amd64_6.1.99-1_amd64.deb"
	# an index signed by another key: no package index at all
	rm -rf "$cache/apt"
	declare -gA updated=()
	gpg --batch -q --passphrase '' --quick-gen-key 'other <other@invalid>' ed25519 sign never 2>/dev/null
	gpg --batch -q --yes -u other@invalid --clearsign -o "$BATS_TEST_TMPDIR/mirror/dists/fake/InRelease" \
		"$BATS_TEST_TMPDIR/mirror/dists/fake/Release"
	run apt_update fake "$BATS_TEST_TMPDIR/fetch.log"
	assert_failure
	assert_output --partial 'cannot fetch the package index of fake'
}
