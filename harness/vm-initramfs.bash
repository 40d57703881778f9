# shellcheck shell=bash
# vm-initramfs - harness/vm's initramfs builder: the architectures (cross
# compiler, qemu, console), the static probes, busybox and harness/vm-init
# in a cpio archive, cached by the hash of everything in it.
#
# Sourced by harness/vm and harness/tests/vm.bats: functions only.
#
# The settings (cache, offline, logroot, ...) are harness/vm's, and what
# these functions set is read there:
# shellcheck disable=SC2154,SC2034

# ---- the architectures -------------------------------------------------------

# arch ABI: set, for the probes' ABI (x86_64, i386 or a Debian architecture
# of a flavour), a_triplet (the cross compiler's prefix, empty for the
# host's), a_ccpkg (its Debian packages), a_qemu and a_qemupkg (the system
# emulator), a_console (the guest's console device)
arch() {
	a_triplet="" a_ccpkg="" a_qemu=$qemu a_qemupkg=qemu-system-x86 a_console=ttyS0
	case $1 in
	x86_64 | i386) ;;
	arm64) a_triplet=aarch64-linux-gnu a_qemu=qemu-system-aarch64 a_qemupkg=qemu-system-arm a_console=ttyAMA0 ;;
	ppc64el) a_triplet=powerpc64le-linux-gnu a_qemu=qemu-system-ppc64 a_qemupkg=qemu-system-ppc a_console=hvc0 ;;
	s390x) a_triplet=s390x-linux-gnu a_qemu=qemu-system-s390x a_qemupkg=qemu-system-misc a_console=ttysclp0 ;;
	riscv64) a_triplet=riscv64-linux-gnu a_qemu=qemu-system-riscv64 a_qemupkg="qemu-system-misc opensbi" a_console=ttyS0 ;;
	*) return 1 ;;
	esac
	[[ -n $a_triplet ]] && a_ccpkg="gcc-$a_triplet libc6-dev-$1-cross"
	return 0
}

# cross_config ABI: configure a build directory of the ABI's own under the
# cache (Autotools --host, so the host's build is untouched) and print the
# directory that holds its config.h; or the reason it cannot be had
cross_config() {
	local abi=$1 dir cc1
	arch "$abi" || { echo "unknown architecture $abi"; return 1; }
	cc1=$a_triplet-gcc
	command -v "$cc1" >/dev/null || { echo "no $cc1 (Debian: apt-get install $a_ccpkg)"; return 1; }
	dir=$cache/build/$abi
	if [[ -s $dir/config.h && $dir/config.h -nt $srcdir/configure ]]; then
		echo "$dir"
		return 0
	fi
	mkdir -p "$dir" || { echo "cannot make $dir"; return 1; }
	if ! (cd "$dir" && "$srcdir/configure" --host="$a_triplet" CC="$cc1") >"$dir/configure.out" 2>&1; then
		echo "configure --host=$a_triplet failed: $(grep -m1 'error:' "$dir/configure.out" | cut -c1-200) (see $dir/configure.out; Debian: $a_ccpkg)"
		return 1
	fi
	echo "$dir"
}

# ---- the initramfs ---------------------------------------------------------

# what meta.env asks getconf(1) for; busybox has no getconf
getconf_c='#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char buf[128];
	if (argc != 2) { fputs("usage: getconf NAME\n", stderr); return 2; }
	if (!strcmp(argv[1], "GNU_LIBC_VERSION")) {
		if (!confstr(_CS_GNU_LIBC_VERSION, buf, sizeof(buf))) return 1;
		puts(buf);
	} else if (!strcmp(argv[1], "PAGESIZE") || !strcmp(argv[1], "PAGE_SIZE"))
		printf("%ld\n", sysconf(_SC_PAGESIZE));
	else if (!strcmp(argv[1], "_NPROCESSORS_ONLN"))
		printf("%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	else if (!strcmp(argv[1], "_NPROCESSORS_CONF"))
		printf("%ld\n", sysconf(_SC_NPROCESSORS_CONF));
	else { fprintf(stderr, "getconf: %s: not known here\n", argv[1]); return 1; }
	return 0;
}'

find_busybox() {
	local b
	for b in "$busybox" /bin/busybox /usr/bin/busybox; do
		[[ -n $b && -x $b ]] || continue
		# the initramfs has no loader: only a static busybox runs there
		if file -L "$b" 2>/dev/null | grep -q 'statically linked' ||
			! LC_ALL=C readelf -l "$b" 2>/dev/null | grep -q 'INTERP'; then
			echo "$b"
			return 0
		fi
	done
	return 1
}

# probe_sources PROBE: the C files of probes/PROBE, as Makefile.am lists
# them (probes_PROBE_SOURCES; automake's default probes/PROBE.c without)
probe_sources() {
	local f words=()
	read -r -a words < <(awk -v v="probes_$1_SOURCES" '
		on || $1 == v {
			line = $0; if (!on) sub(/^[^=]*=/, "", line)
			on = sub(/\\$/, "", line)
			printf "%s ", line
			if (!on) exit
		}
		END { print "" }' "$srcdir/Makefile.am" 2>/dev/null)
	for f in "${words[@]}"; do
		[[ $f == *.c ]] && printf '%s\n' "$srcdir/$f"
	done | grep . || printf '%s\n' "$srcdir/probes/$1.c"
}

# build_probes DIR WORKDIR CONFIG_DIR/config.h FAMILIES: each family's probe
# built static into DIR (with ccv and flags), two compilers at a time;
# print the ones built, say why of the others
build_probes() {
	local out=$1 work=$2 cfg=$3 fams=$4 p pids=() n=0 lib src built=''
	# every source of the probe library (libprobe.a's, as Makefile.am lists them)
	lib=("$srcdir"/probes/lib/*.c)
	for p in $fams; do
		mapfile -t src < <(probe_sources "$p")
		[[ -e ${src[0]} ]] || { say "no source of the $p probe (${src[0]})"; continue; }
		"${ccv[@]}" "${flags[@]}" -I"$(dirname "$cfg")" -I"$srcdir/probes/lib" \
			-o "$out/$p" "${lib[@]}" "${src[@]}" 2>"$work/$p.err" &
		pids+=($!)
		if ((++n % 2 == 0)); then wait "${pids[@]}"; pids=(); fi
	done
	wait "${pids[@]}" 2>/dev/null
	for p in $fams; do
		if [[ -x $out/$p ]]; then
			built+=" $p"
		elif [[ -e $work/$p.err ]]; then
			say "the $p probe does not build statically ($abi): $(grep -m1 error "$work/$p.err")"
		fi
	done
	echo "$built"
}

# initramfs_etc ROOT ABI BUSYBOX: the initramfs's /etc: os-release (what
# meta.env names as the distribution), passwd and group (root, nobody)
initramfs_etc() {
	local root=$1 abi=$2 bb=$3
	{
		if [[ -n $a_triplet ]]; then
			echo "PRETTY_NAME=\"ipcvm VM initramfs ($(cat "${bb%/*}/source" 2>/dev/null || echo busybox), static probes for $abi)\""
		else
			echo "PRETTY_NAME=\"ipcvm VM initramfs ($("$root/bin/busybox" 2>/dev/null | head -n 1 | cut -d' ' -f1,2), static probes for $abi)\""
		fi
		echo "ID=ipcvm-vm"
	} >"$root/etc/os-release"
	printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >"$root/etc/passwd"
	printf '%s\n' "root:x:0:" "nogroup:x:65534:" >"$root/etc/group"
}

# build_initramfs ABI FAMILIES: build the static probes and the initramfs
# (cached by the hash of everything in it); print its path
build_initramfs() {
	local abi=$1 fams=$2 bb key dir root p flags=() cfg f built='' ccv pkgs
	arch "$abi" || { echo "unknown ABI $abi"; return 1; }
	if [[ -n $a_triplet ]]; then
		# another architecture: its cross compiler, configured in a build
		# directory of its own; Debian's busybox-static of that architecture
		ccv=("$a_triplet-gcc")
		pkgs=$a_ccpkg
		cfg=$(cross_config "$abi") || { echo "$cfg"; return 1; }
		cfg+=/config.h
		bb=${bb_for[$abi]:-}
		[[ -n $bb && -x $bb ]] || { echo "no static busybox for $abi (Debian's busybox-static:$abi did not arrive)"; return 1; }
	else
		# CC may carry flags of its own (CC="gcc -std=gnu11")
		read -r -a ccv <<<"$cc"
		pkgs=libc6-dev
		[[ $abi == i386 ]] && pkgs+=", gcc-multilib"
		bb=$(find_busybox) || { echo "no static busybox (Debian: apt-get install busybox-static; or set BUSYBOX)"; return 1; }
		cfg=${builddir:+$builddir/config.h}
		[[ -n $cfg && -r $cfg ]] || cfg=$PWD/config.h
		[[ -r $cfg ]] || cfg=$srcdir/config.h
		[[ -r $cfg ]] || { echo "no config.h: run configure first (or set IPCVM_BUILDDIR to the build directory)"; return 1; }
	fi
	case $abi in
	i386)
		flags=(-m32)
		# gcc-multilib's /usr/include/asm link is gone wherever a Debian
		# cross compiler replaced the package (they conflict); the amd64
		# kernel headers serve both ABIs (asm/unistd.h picks unistd_32.h)
		[[ -e /usr/include/asm/errno.h || ! -d /usr/include/x86_64-linux-gnu/asm ]] ||
			flags+=(-isystem /usr/include/x86_64-linux-gnu) ;;
	esac
	flags+=(-static -O2 -s)
	key=$(
		{
			echo "$abi ${flags[*]} $fams"
			"${ccv[@]}" --version 2>&1 | head -n 1
			sha256sum "$bb" "$cfg" "$srcdir"/probes/lib/*.[ch] "$srcdir"/harness/vm-init \
				"$srcdir"/harness/ipcvm "$srcdir"/harness/meta | cut -d' ' -f1
			# each probe's sources, and what they include from probes/P/ and
			# probes/P.d/
			for p in $fams; do
				find "$srcdir/probes/$p.c" "$srcdir/probes/$p" "$srcdir/probes/$p.d" -type f 2>/dev/null |
					LC_ALL=C sort | xargs -r sha256sum | cut -d' ' -f1
			done
			echo "$getconf_c"
		} | sha256sum | cut -c1-16
	)
	dir=$cache/initramfs/$abi-$key
	if [[ -s $dir/initramfs.cpio ]]; then
		echo "$dir/initramfs.cpio"
		return 0
	fi
	rm -rf "$dir.new"
	root=$dir.new/root
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root} "$root/ipcvm/harness" "$root/ipcvm/probes" || return 1
	cp "$bb" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || return 1
	cp "$srcdir/harness/vm-init" "$root/init" && chmod 755 "$root/init" || return 1
	cp "$srcdir/harness/ipcvm" "$srcdir/harness/meta" "$root/ipcvm/harness/" || return 1
	printf '%s\n' "$getconf_c" >"$dir.new/getconf.c"
	if ! "${ccv[@]}" "${flags[@]}" -o "$root/bin/getconf" "$dir.new/getconf.c" 2>"$dir.new/getconf.err"; then
		echo "${ccv[*]} ${flags[*]} cannot build a static program: $(head -n 1 "$dir.new/getconf.err") (Debian: $pkgs)"
		return 1
	fi
	built=$(build_probes "$root/ipcvm/probes" "$dir.new" "$cfg" "$fams")
	[[ -n $built ]] || { echo "no probe builds statically for $abi (see $dir.new/*.err)"; return 1; }
	initramfs_etc "$root" "$abi" "$bb"
	# uncompressed: under TCG unpacking gzip costs more than it saves
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$dir.new/initramfs.cpio" || {
		echo "cpio failed"
		return 1
	}
	rm -rf "$dir"
	mv "$dir.new" "$dir" || return 1
	# each change of a probe makes a new one: keep the last few
	find "$cache/initramfs" -mindepth 1 -maxdepth 1 -name "$abi-*" -printf '%T@ %p\n' | sort -rn |
		tail -n +5 | cut -d' ' -f2- | while read -r f; do rm -rf "$f"; done
	echo "$dir/initramfs.cpio"
}

