# shellcheck shell=bash
# vm-archive - harness/vm's archive client: the kernel list, Debian's
# package indexes through a private apt configuration, the kernel and
# busybox packages, unpacked into the cache.
#
# Sourced by harness/vm and harness/tests/vm.bats: functions only.  They
# read the settings harness/vm sets (cache, offline, refresh, refresh_age,
# mirror, keyring) and print a reason on stdout when they fail.
#
# The settings (cache, offline, logroot, ...) are harness/vm's, and what
# these functions set is read there:
# shellcheck disable=SC2154,SC2034

# ---- messages and clocks, for every piece ----------------------------------

say() { printf 'vm: %s\n' "$*" >&2; }
die() {
	printf 'vm: %s\n' "$*" >&2
	exit 99
}
now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }
# elapsed START: seconds since START, one decimal
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- the kernel list ---------------------------------------------------------

# read_kernels FILE: the kernels (k_names, k_suite, k_pkg, k_default), the
# flavours (f_names, f_arch, f_pkg), mirror and keyring of harness/kernels
read_kernels() {
	local file=$1 a b c d rest
	mirror='' keyring=''
	declare -gA k_suite=() k_pkg=() k_default=() f_arch=() f_pkg=()
	k_names=() f_names=()
	[[ -r $file ]] || die "no kernel list $file"
	while read -r a b c d rest; do
		case $a in
		'' | '#'*) continue ;;
		mirror) mirror=$b ;;
		keyring) keyring=$b ;;
		flavour)
			[[ -n $d && -z $rest ]] || die "$file: want flavour NAME ARCH PACKAGE, not: $a $b $c $d $rest"
			f_names+=("$b") f_arch["$b"]=$c f_pkg["$b"]=$d
			;;
		*)
			[[ -n $c && -z $rest ]] || die "$file: want NAME SUITE PACKAGE DEFAULT, not: $a $b $c $d $rest"
			k_names+=("$a") k_suite["$a"]=$b k_pkg["$a"]=$c k_default["$a"]=${d:-no}
			;;
		esac
	done <"$file"
	mirror=${IPCVM_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}
	keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
}


# A suite is asked for by a key: SUITE (amd64) or SUITE@ARCH (a Debian
# architecture: the kernels and busybox of arm64, ppc64el, s390x, riscv64),
# each with a configuration, an index and an archive cache of its own.
apt_home() { printf '%s/apt/%s\n' "$cache" "${1/@/-}"; }

# apt_setup KEY: the private configuration of one suite.  The host's
# apt.conf.d still applies (proxies), its sources and pins never do.
apt_setup() {
	local d suite=${1%@*} arch=amd64
	[[ $1 == *@* ]] && arch=${1#*@}
	d=$(apt_home "$1")
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/sources.list.d" "$d/preferences.d" || return 1
	[[ -e $d/status ]] || : >"$d/status"
	printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$d/sources.list"
	{
		printf 'Dir::State "%s";\n' "$d"
		printf 'Dir::State::lists "%s/lists";\n' "$d"
		printf 'Dir::State::status "%s/status";\n' "$d"
		printf 'Dir::Cache "%s";\n' "$d"
		printf 'Dir::Cache::archives "%s/archives";\n' "$d"
		printf 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
		printf 'Dir::Etc::sourcelist "%s/sources.list";\n' "$d"
		printf 'Dir::Etc::sourceparts "%s/sources.list.d";\n' "$d"
		printf 'Dir::Etc::preferences "%s/preferences";\n' "$d"
		printf 'Dir::Etc::preferencesparts "%s/preferences.d";\n' "$d"
		printf 'APT::Architecture "%s";\nAPT::Architectures { "%s"; };\n' "$arch" "$arch"
		printf 'APT::Get::List-Cleanup "true";\nAcquire::Languages "none";\n'
		printf 'Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";\n'
		# the downloads land in the cache, which apt's _apt user may not
		# be able to write; the signature and hash checks are the same
		[[ $(id -u) -eq 0 ]] && printf 'APT::Sandbox::User "root";\n'
	} >"$d/apt.conf"
}

apt_in() {
	local suite=$1
	shift
	APT_CONFIG=$(apt_home "$suite")/apt.conf "$@"
}

have_lists() { compgen -G "$(apt_home "$1")/lists/*_Packages*" >/dev/null; }

# apt_update SUITE LOG: refresh the suite's index when it is missing or
# older than a day.  Offline, or when the archive cannot be reached, an
# index already cached is used as it is.
declare -gA updated=()
apt_update() {
	local suite=$1 log=$2 d stamp age
	[[ -n ${updated[$suite]:-} ]] && return 0
	d=$(apt_home "$suite")
	apt_setup "$suite" || { echo "cannot write the apt configuration in $d"; return 1; }
	if [[ -n $offline ]]; then
		have_lists "$suite" && return 0
		echo "offline, and no package index of $suite is cached"
		return 1
	fi
	stamp=$d/updated
	if [[ -z $refresh && -e $stamp ]] && have_lists "$suite"; then
		age=$(($(date +%s) - $(stat -c %Y "$stamp")))
		((age < refresh_age)) && { updated[$suite]=1; return 0; }
	fi
	say "refreshing the package index of $suite"
	local out=$log.update
	if apt_in "$suite" apt-get -q -o APT::Update::Error-Mode=any update >"$out" 2>&1 &&
		! grep -q '^E: ' "$out"; then
		cat "$out" >>"$log"
		rm -f "$out"
		touch "$stamp"
		updated[$suite]=1
		return 0
	fi
	cat "$out" >>"$log"
	if have_lists "$suite"; then
		say "could not refresh the index of $suite ($(grep -m1 -E '^(E|Err|W):' "$out" | cut -c1-160)); using the cached one"
		rm -f "$out"
		updated[$suite]=1
		return 0
	fi
	echo "cannot fetch the package index of $suite from $mirror: $(grep -m1 -E '^(E|Err):' "$out" | cut -c1-200) (see $log)"
	rm -f "$out"
	return 1
}

# show SUITE PKG: the candidate version's record (one apt-cache call: each
# reads the whole index, seconds on a loaded machine)
show() {
	apt_in "$1" apt-cache show --no-all-versions "$2" 2>/dev/null
}

# rfield RECORD FIELD: one field of a record
rfield() { printf '%s\n' "$1" | sed -n "s/^$2: //p" | head -n 1; }

# rdepends RECORD PATTERN: the first dependency matching PATTERN
rdepends() {
	rfield "$1" Depends | tr ',|' '\n' | sed 's/^ *//; s/[ (].*//' | grep -m1 -E "$2"
}

# resolve SUITE PACKAGE: "VMLINUZ-PACKAGE MODULES-PACKAGE", the packages
# holding the vmlinuz and the modules (the same one, but for sid)
resolve() {
	local suite=$1 pkg=$2 rec image dep mods
	rec=$(show "$suite" "$pkg")
	if [[ -z $(rfield "$rec" Version) ]]; then
		echo "no package $pkg in $suite"
		return 1
	fi
	image=$pkg
	if [[ ! $pkg =~ ^linux-(image|binary)-[0-9] ]]; then
		image=$(rdepends "$rec" '^linux-image-[0-9]') || {
			echo "$pkg in $suite depends on no versioned linux-image package"
			return 1
		}
		rec=$(show "$suite" "$image")
	fi
	mods=$image
	# sid splits the image: the vmlinuz is in linux-binary-VERSION, the
	# modules in linux-modules-VERSION
	if dep=$(rdepends "$rec" '^linux-binary-[0-9]'); then
		mods=$(rdepends "$rec" '^linux-modules-[0-9]') || mods=-
		image=$dep
	fi
	echo "$image $mods"
}

# get_deb SUITE PACKAGE LOG: download PACKAGE's candidate into the suite's
# archive cache (a cached copy is checked against the signed index first);
# print its path, or the reason it cannot be had
get_deb() {
	local suite=$1 pkg=$2 log=$3 rec version sha file d deb x
	rec=$(show "$suite" "$pkg")
	version=$(rfield "$rec" Version)
	sha=$(rfield "$rec" SHA256)
	file=$(rfield "$rec" Filename)
	[[ -n $version ]] || { echo "no package $pkg in $suite"; return 1; }
	[[ -n $sha && -n $file ]] || { echo "the index of $suite has no checksum for $pkg"; return 1; }
	d=$(apt_home "$suite")/archives
	deb=$d/${file##*/}
	if [[ -e $deb ]] && [[ $(sha256sum <"$deb" | cut -d' ' -f1) != "$sha" ]]; then
		if [[ -n $offline ]]; then
			echo "the cached ${deb##*/} is corrupt (its SHA256 is not the one the signed index gives), and offline it cannot be fetched again"
			return 1
		fi
		say "the cached ${deb##*/} is corrupt (its SHA256 is not the one the signed index gives); fetching it again"
		rm -f "$deb"
	fi
	if [[ ! -e $deb ]]; then
		if [[ -n $offline ]]; then
			echo "offline, and $pkg $version is not cached"
			return 1
		fi
		say "downloading $pkg $version"
		rm -rf "$d/partial/dl"
		mkdir -p "$d/partial/dl"
		if ! (cd "$d/partial/dl" && apt_in "$suite" apt-get -q download "$pkg=$version") >"$log.dl" 2>&1; then
			cat "$log.dl" >>"$log"
			echo "apt-get download $pkg=$version failed: $(grep -m1 '^E: ' "$log.dl" | cut -c4-220) (see $log)"
			rm -f "$log.dl"
			return 1
		fi
		cat "$log.dl" >>"$log"
		rm -f "$log.dl"
		x=$(compgen -G "$d/partial/dl/*.deb" | head -n 1)
		if [[ -z $x ]] || [[ $(sha256sum <"$x" | cut -d' ' -f1) != "$sha" ]]; then
			rm -rf "$d/partial/dl"
			echo "the download of $pkg $version does not match the signed index (corrupt download)"
			return 1
		fi
		mv -f "$x" "$deb" || return 1
	fi
	echo "$deb"
}

# fetch NAME LOG [FLAVOUR]: unpack NAME's vmlinuz (and the few modules the
# probes need) into the cache; print the kernel's cache directory.  On
# failure print the reason.  FLAVOUR (a flavour line of harness/kernels)
# takes the kernel of another architecture from NAME's suite.
fetch() {
	local name=$1 log=$2 flav=${3:-} suite=${k_suite[$1]} pkg=${k_pkg[$1]} kdir stamp x pkgs image mods deb mdeb want
	kdir=$cache/kernels/$name
	# dynamic scope: unpack() sees these
	local vm_modules=$vm_modules kcache_format=$kcache_format
	if [[ -n $flav ]]; then
		suite+=@${f_arch[$flav]}
		pkg=${f_pkg[$flav]}
		kdir+=-$flav
		vm_modules+=" $virtio_modules"
		kcache_format="2 $vm_modules"
	fi
	if ! x=$(apt_update "$suite" "$log"); then
		if [[ -s $kdir/vmlinuz && -s $kdir/source ]] && vmlinuz_ok "$kdir"; then
			say "$name: $x; booting the cached $(<"$kdir/source")"
			echo "$kdir"
			return 0
		fi
		echo "$x"
		return 1
	fi
	# resolved since the index last changed: nothing to ask apt
	stamp=$(apt_home "$suite")/updated
	if [[ -s $kdir/source && -e $kdir/resolved && ( ! -e $stamp || $kdir/resolved -nt $stamp ) ]] &&
		[[ $(cat "$kdir/format" 2>/dev/null) == "$kcache_format" ]] && vmlinuz_ok "$kdir"; then
		echo "$kdir"
		return 0
	fi
	pkgs=$(resolve "$suite" "$pkg") || { echo "$pkgs"; return 1; }
	read -r image mods <<<"$pkgs"
	want="$image $(rfield "$(show "$suite" "$image")" Version)"
	if [[ -s $kdir/vmlinuz && $(cat "$kdir/source" 2>/dev/null) == "$want" ]] &&
		[[ $(cat "$kdir/format" 2>/dev/null) == "$kcache_format" ]] && vmlinuz_ok "$kdir"; then
		touch "$kdir/resolved"
		echo "$kdir"
		return 0
	fi
	deb=$(get_deb "$suite" "$image" "$log") || { echo "$deb"; return 1; }
	mdeb=
	if [[ $mods == "$image" ]]; then
		mdeb=$deb
	elif [[ $mods != - ]]; then
		mdeb=$(get_deb "$suite" "$mods" "$log") || {
			say "$name: no modules ($mdeb): the probes that need veth or a disk will skip"
			mdeb=
		}
	fi
	if ! unpack "$deb" "$mdeb" "$kdir"; then
		echo "${deb##*/} holds no vmlinuz, or cannot be unpacked (corrupt package?)"
		return 1
	fi
	echo "$want" >"$kdir/source"
	touch "$kdir/resolved"
	echo "$kdir"
}

# the modules the probes need and the stock cloud kernels build as modules:
# veth (socket: two network namespaces), loop (vm: a disk-backed directory)
vm_modules="veth loop"
# and on the other architectures the run's channel, a virtio serial port
# (their machines have one UART), with its transports where they are
# modules; and ext4 for the disk-backed directory (Debian's arm64 and
# others build it as a module; crc32c_generic first, which libcrc32c asks
# the crypto API for and no modprobe would load)
virtio_modules="virtio_pci virtio_mmio virtio_ccw virtio_console crc32c_generic ext4"
# what a kernel's cache directory holds; a change unpacks every kernel again
kcache_format="2 $vm_modules"

# unpack DEB MODDEB KDIR: the vmlinuz (and config) out of a kernel package,
# and the modules of vm_modules (with what they depend on) out of MODDEB,
# as a cpio to append to the initramfs
unpack() {
	local deb=$1 mdeb=$2 kdir=$3 x v c m f list order='' todo dep
	x=$kdir.new.$$
	rm -rf "$x"
	mkdir -p "$x/root/ipcvm/modules" || return 1
	dpkg-deb --fsys-tarfile "$deb" 2>/dev/null |
		tar -x -C "$x" --wildcards --no-wildcards-match-slash \
			'./boot/vmlinuz-*' './boot/vmlinux-*' './boot/config-*' \
			'./usr/lib/modules/*/vmlinuz' './usr/lib/modules/*/vmlinux' \
			'./usr/lib/modules/*/config' 2>/dev/null
	# ppc64el and riscv64 ship an uncompressed vmlinux
	v=$(find "$x" -path "$x/root" -prune -o -type f -name 'vmlinu[xz]*' -print | head -n 1)
	c=$(find "$x" -path "$x/root" -prune -o -type f -name 'config*' -print | head -n 1)
	if [[ -z $v ]] || [[ ! -s $v ]]; then
		rm -rf "$x"
		return 1
	fi
	if [[ -n $mdeb ]]; then
		list=$(dpkg-deb --fsys-tarfile "$mdeb" 2>/dev/null | tar -t 2>/dev/null | grep -E '/kernel/.*\.ko(\.xz|\.zst|\.gz)?$')
		todo=$vm_modules
		local -A got=() bad=()
		while [[ -n ${todo// /} ]]; do
			read -r m todo <<<"$todo"
			[[ " $order " == *" $m "* || -n ${bad[$m]:-} ]] && continue
			if [[ -z ${got[$m]:-} ]]; then
				bad[$m]=1
				f=$(grep -m1 -E "/${m//_/[-_]}\.ko(\.xz|\.zst|\.gz)?$" <<<"$list") || continue
				dpkg-deb --fsys-tarfile "$mdeb" | tar -x -O "$f" >"$x/m" 2>/dev/null || continue
				case $f in
				*.xz) xz -dc <"$x/m" ;;
				*.zst) zstd -dcq <"$x/m" ;;
				*.gz) gzip -dc <"$x/m" ;;
				*) cat "$x/m" ;;
				esac >"$x/root/ipcvm/modules/$m.ko" || continue
				unset "bad[$m]"
				got[$m]=1
			fi
			# its own dependencies load first
			dep=$(tr '\0' '\n' <"$x/root/ipcvm/modules/$m.ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' ')
			local d missing=
			for d in $dep; do [[ " $order " == *" $d "* || -n ${bad[$d]:-} ]] || missing+=" $d"; done
			if [[ -n $missing ]]; then
				todo="$missing $m $todo"
				continue
			fi
			order+=" $m"
		done
		rm -f "$x/m"
		printf '%s\n' "${order# }" >"$x/root/ipcvm/modules/order"
		(cd "$x/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$x/modules.cpio" || return 1
	fi
	rm -rf "$kdir"
	mkdir -p "$kdir"
	mv -f "$v" "$kdir/vmlinuz"
	[[ -n $c ]] && mv -f "$c" "$kdir/config"
	[[ -s $x/modules.cpio ]] && mv -f "$x/modules.cpio" "$kdir/modules.cpio"
	sha256sum <"$kdir/vmlinuz" | cut -d' ' -f1 >"$kdir/vmlinuz.sha256"
	echo "$kcache_format" >"$kdir/format"
	rm -rf "$x"
}

# uml_prepare: user-mode Linux (Debian's user-mode-linux package) needs no
# download: the cpio of its modules; print the cache directory
uml_prepare() {
	local bin mdir kdir x m f
	bin=$(command -v "$uml") || { echo "no $uml (Debian: apt-get install user-mode-linux; or set LINUX_UML)"; return 1; }
	kdir=$cache/kernels/uml
	mdir=$(find /usr/lib/uml/modules -mindepth 1 -maxdepth 1 -type d 2>/dev/null | LC_ALL=C sort | tail -n 1)
	if [[ -s $kdir/source && $(<"$kdir/source") == "$bin $(stat -c %Y "$bin")" ]]; then
		echo "$kdir"
		return 0
	fi
	x=$kdir.new.$$
	rm -rf "$x"
	mkdir -p "$x/root/ipcvm/modules" || return 1
	local order=
	for m in $vm_modules; do
		f=$(find "$mdir" -name "$m.ko*" 2>/dev/null | head -n 1)
		[[ -n $f ]] || continue
		case $f in
		*.xz) xz -dc <"$f" ;;
		*.zst) zstd -dcq <"$f" ;;
		*) cat "$f" ;;
		esac >"$x/root/ipcvm/modules/$m.ko" && order+=" $m"
	done
	printf '%s\n' "${order# }" >"$x/root/ipcvm/modules/order"
	(cd "$x/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$x/modules.cpio" || return 1
	rm -rf "$x/root"
	echo "$bin $(stat -c %Y "$bin")" >"$x/source"
	rm -rf "$kdir"
	mv "$x" "$kdir"
	echo "$kdir"
}

vmlinuz_ok() {
	[[ -s $1/vmlinuz.sha256 ]] && [[ $(sha256sum <"$1/vmlinuz" | cut -d' ' -f1) == $(<"$1/vmlinuz.sha256") ]]
}

# fetch_busybox SUITE@ARCH LOG: Debian's busybox-static of that
# architecture, unpacked into the cache; print its path or the reason
fetch_busybox() {
	local key=$1 log=$2 deb dir x b
	x=$(apt_update "$key" "$log") || { echo "$x"; return 1; }
	deb=$(get_deb "$key" busybox-static "$log") || { echo "$deb"; return 1; }
	dir=$cache/busybox/${key/@/-}
	if [[ -s $dir/busybox && $(cat "$dir/source" 2>/dev/null) == "${deb##*/}" ]]; then
		echo "$dir/busybox"
		return 0
	fi
	rm -rf "$dir" "$dir.new.$$"
	mkdir -p "$dir.new.$$" || return 1
	dpkg-deb -x "$deb" "$dir.new.$$/x" 2>/dev/null
	for b in "$dir.new.$$/x/bin/busybox" "$dir.new.$$/x/usr/bin/busybox"; do
		[[ -f $b ]] && break
	done
	if [[ ! -s $b ]]; then
		rm -rf "$dir.new.$$"
		echo "${deb##*/} holds no busybox"
		return 1
	fi
	mv "$b" "$dir.new.$$/busybox" && rm -rf "$dir.new.$$/x" && echo "${deb##*/}" >"$dir.new.$$/source" &&
		mv -T "$dir.new.$$" "$dir" || return 1
	echo "$dir/busybox"
}

