#!/usr/bin/env bats
# Virtual and physical memory: what the notes say (section 2: pages and
# frames of one size, a page table from page numbers to frame numbers, page
# faults that bring pages in and evict little-used frames to disk, a virtual
# address = page number + offset, an address space as wide as the address
# bus, and top's VIRT/RES after new char[512 MiB] with and without memset)
# checked against proc(5), mmap(2), madvise(2), mincore(2), getrusage(2),
# posix_fadvise(2) and the kernel's Documentation/admin-guide/mm/pagemap.rst,
# transhuge.rst and mm/overcommit-accounting.rst.  Judges probes/vm.d/.
#
# The notes beside what is measured:
#   - "32-bit address bus -> 4 GiB": a 64-bit process gets 47 bits (x86-64
#     4-level paging) or 56 (5-level), arm64 its VA_BITS; the paging mode sets
#     the width, not the bus, the CPU's CPUID width or the 64-bit pointer
#     (VM-ADDR-WIDTH).  A 32-bit build is judged by the 32-bit rule (at most
#     4 GiB); the probe is built for the host's word size only.
#   - "evicts a little-used frame to disk": only pages with somewhere to go.
#     A clean file page is dropped and read back with a major fault; an
#     anonymous page needs swap and stays resident without it.
#   - the two programs: VIRT grows by 512 MiB at new/malloc, RES only when
#     memset writes the pages, one minor fault per page (or per huge page
#     where THP is "always").

load ../harness/ipcvm

setup_file() {
	observe vm
	incidental_kib
}

# Resident pages the probe itself may add between two snapshots (its stack,
# libc's pages touched for the first time): 64 pages, in KiB (256 KiB with
# 4 KiB pages, 4 MiB with arm64's or ppc64's 64 KiB pages).  The page size
# is meta.env's (sysconf(_SC_PAGESIZE)); 4 KiB for a run without it.  Set
# once, in setup_file, for every test.
incidental_kib() {
	local bytes
	meta_into bytes page_size || bytes=4096
	[[ $bytes =~ ^[0-9]+$ ]] || bytes=4096
	export INCIDENTAL_KIB=$((64 * bytes / 1024))
}
# machine_is MACHINE: the run was recorded on MACHINE (meta.env machine,
# uname -m)
machine_is() {
	local machine
	meta_into machine machine && [[ $machine == "$1" ]]
}

# Minor faults the probe itself may take between two snapshots.
INCIDENTAL_FAULTS=64

# page_kib: sets page_kib from the recorded page size
page_size_kib() {
	local bytes
	read_obs bytes vm.page.sysconf_bytes || return 1
	page_kib=$((bytes / 1024))
}

# fault_granule: sets granule_kib, the largest folio one anonymous fault may
# map into a mapping nobody madvised (transhuge.rst): a page, a PMD huge page
# when THP "enabled" is "always", or a multi-size THP (Linux 6.8,
# hugepages-<size>kB/enabled "always", or "inherit" under "always").  With
# THP "always" RES moves in huge-page steps and there are fewer faults.
fault_granule() {
	local thp pmd always inherit
	page_size_kib || return 1
	read_obs thp vm.thp.enabled || return 1
	read_obs pmd vm.thp.pmd_size_kib || return 1
	read_obs always vm.thp.mthp_always_max_kib || return 1
	read_obs inherit vm.thp.mthp_inherit_max_kib || return 1
	granule_kib=$page_kib
	((always > granule_kib)) && granule_kib=$always
	if [[ $thp == always ]]; then
		((pmd > granule_kib)) && granule_kib=$pmd
		((inherit > granule_kib)) && granule_kib=$inherit
	fi
	return 0
}

# rss_counter_slack: sets slack_kib, how far one reading of VmRSS (top's RES)
# or RssFile/RssShmem (top's SHR) may move away from the page tables between
# two readings, by kernel version:
#   before 6.2  SPLIT_RSS_COUNTING: each thread caches the counts of up to
#               TASK_RSS_EVENTS_THRESH (64) + 1 faults before folding them
#               into the mm (mm/memory.c check_sync_rss_stat): VmRSS lags
#               (5.10 and 6.1 under-report);
#   6.2 - 6.15  per-CPU counters (f1a7941243c1 "mm: convert mm's rss stats
#               into percpu_counter"), read without summing: each CPU holds
#               back less than a batch, max(32, 2 x online CPUs) pages
#               (lib/percpu_counter.c compute_batch_value).  The probe pins
#               itself to one CPU (vm.rss.pinned), so only that CPU's share
#               moves: one batch.  Unpinned, every online CPU's may move,
#               and a case whose amount that slack would swallow skips
#               (require_slack_below) rather than accept 0;
#   6.16 on     summed when read (82241a83cd15 "mm: fix the inaccurate memory
#               statistics issue for users"; also in 6.12.y and 6.15.y
#               stable): exact.
rss_counter_slack() {
	local cpus batch pinned
	page_size_kib || return 1
	if kernel_at_least 6.16; then
		slack_kib=0
	elif kernel_at_least 6.2; then
		lookup_into cpus vm.rss.online_cpus || meta_into cpus nproc || cpus=
		[[ $cpus =~ ^[0-9]+$ ]] || cpus=256
		lookup_into pinned vm.rss.pinned || pinned=no
		batch=$((2 * cpus > 32 ? 2 * cpus : 32))
		if [[ $pinned == yes ]]; then
			slack_kib=$((batch * page_kib))
		else
			slack_kib=$((batch * cpus * page_kib))
		fi
	else
		slack_kib=$(((64 + 1) * page_kib))
	fi
}

# require_slack_below AMOUNT_KIB WHAT: skip where two readings' counter
# slack (2 x slack_kib) is a quarter of AMOUNT_KIB or more: such a bound
# would accept a change of nothing
require_slack_below() {
	local release
	if ((8 * slack_kib >= $1)); then
		meta_into release kernel_release || release=unknown
		skip "$2: the RSS counters' slack on $release ($((2 * slack_kib)) KiB over two readings) is too coarse for $1 KiB; the page tables' exact count is judged elsewhere"
	fi
}

# vm.rss.pinned and vm.rss.online_cpus only set slack_kib (above):
# judged-only-when: vm.rss.pinned: the kernel is 6.2 to 6.15 (per-CPU RSS counters)
# judged-only-when: vm.rss.online_cpus: the kernel is 6.2 to 6.15 (per-CPU RSS counters)

# ---- pages and frames ------------------------------------------------------

@test "VM-PAGE-SIZE: sysconf(_SC_PAGESIZE), getauxval(AT_PAGESZ) and smaps KernelPageSize give one page size (sysconf(3), getauxval(3), proc(5))" {
	local page
	read_obs page vm.page.sysconf_bytes
	expect vm.page.auxv_bytes -eq "$page" "the kernel passes the page size in the aux vector"
	expect vm.page.smaps_kernel_page_kib -eq $((page / 1024)) "the page the kernel backs an ordinary mapping with"
}

@test "VM-PAGE-FRAME: a page and the frame that holds it are the same size: KernelPageSize = MMUPageSize for an ordinary mapping (notes section 2; proc(5))" {
	local kernel
	read_obs kernel vm.page.smaps_kernel_page_kib
	expect vm.page.smaps_mmu_page_kib -eq "$kernel" \
		"proc(5): they differ only where the kernel's page is larger than the MMU's (e.g. 64K pages on a 4K-only PPC64 MMU)"
}

# ---- lazy commit: the notes' two programs ------------------------------------

# report-only: vm.budget.notes_size_kib: the probe's input (the notes' 512 MiB), shown beside lazy.size_kib
# report-only: vm.budget.size_kib: the probe's choice; the cases read lazy.size_kib, the size actually used
# report-only: vm.budget.scaled: the probe's choice: yes when the machine, its cgroup or IPCVM_VM_MIB made it smaller
# report-only: vm.budget.limited_by: which limit scaled the experiment down, for the reader
# report-only: vm.lazy.alloc.minor_faults_count: the probe's own first touches between two snapshots, not a claim of the notes

# The kernel's part of the notes' experiment is measured on an anonymous
# private mapping, what malloc asks the kernel for a block this size: the C
# library's settings (MALLOC_PERTURB_, GLIBC_TUNABLES) cannot change it.
# What malloc itself does is VM-LAZY-MALLOC, judged with meta.env libc_env.

@test "VM-LAZY-ALLOC: mapping the notes' 512 MiB (anonymous, private: what new/malloc gets from the kernel) grows VIRT (VmSize) by 512 MiB and RES not at all (notes section 2; mmap(2); proc(5) VmSize, VmRSS, smaps_rollup)" {
	local size
	read_obs size vm.lazy.size_kib
	fault_granule
	rss_counter_slack
	expect vm.lazy.mmap = OK
	expect vm.lazy.alloc.vmsize_delta_kib -ge "$size" "VIRT holds the whole $size KiB at once"
	expect vm.lazy.alloc.vmsize_delta_kib -le $((size + 1024)) "and not much more"
	expect vm.lazy.alloc.rss_delta_kib -le "$INCIDENTAL_KIB" \
		"nothing of the mapping was written: no page of it is resident"
	expect vm.lazy.alloc.vmrss_delta_kib -le $((INCIDENTAL_KIB + 2 * slack_kib)) \
		"top's RES, with this kernel's RSS counter slack of $slack_kib KiB per reading"
}

# libc_malloc_rule: sets malloc_fills (yes/no) and malloc_why from meta.env
# libc_env, what the recording environment told glibc's malloc to do;
# skips for a run recorded before meta.env had libc_env.
#   MALLOC_PERTURB_=N or glibc.malloc.perturb=N, N not 0 (mallopt(3)
#   M_PERTURB): malloc fills each block it returns, every page touched;
#   glibc.malloc.hugetlb=1|2 (tunables(7)): its mappings ask for huge pages,
#   so the header's one fault may map a PMD huge page.
libc_malloc_rule() {
	local env
	meta_into env libc_env || skip "recorded before meta.env had libc_env: the C library's settings are unknown"
	malloc_fills=no malloc_why="libc_env=$env: malloc touches only its chunk header"
	if [[ " $env" =~ [\ ,:]MALLOC_PERTURB_=([0-9]+) ]] && ((BASH_REMATCH[1] % 256 != 0)); then
		malloc_fills=yes
	elif [[ $env =~ glibc\.malloc\.perturb=([0-9]+) ]] && ((BASH_REMATCH[1] % 256 != 0)); then
		malloc_fills=yes
	fi
	[[ $malloc_fills == yes ]] && malloc_why="libc_env=$env: M_PERTURB makes malloc fill every block it returns (mallopt(3))"
	return 0
}

@test "VM-LAZY-MALLOC: malloc of the notes' 512 MiB (the notes' new char[]) leaves it untouched, unless the environment sets M_PERTURB, which fills it (notes section 2; mallopt(3) M_PERTURB, tunables(7))" {
	local size pmd env malloc_fills malloc_why allow
	read_obs size vm.lazy.size_kib
	read_obs pmd vm.thp.pmd_size_kib
	fault_granule
	libc_malloc_rule
	expect vm.lazy.malloc = OK
	if [[ $malloc_fills == yes ]]; then
		expect vm.lazy.malloc.rss_delta_kib -ge "$size" "$malloc_why"
		return
	fi
	meta_into env libc_env
	# glibc.malloc.hugetlb: the block is madvised for THP (or hugetlb
	# pages, not counted in Rss)
	allow=$granule_kib
	[[ $env == *glibc.malloc.hugetlb=* ]] && ((pmd > allow)) && allow=$pmd
	expect vm.lazy.malloc.rss_delta_kib -le $((allow + INCIDENTAL_KIB)) \
		"$malloc_why: one fault of at most $allow KiB"
}

@test "VM-LAZY-WRITE-PART: writing 1 MiB of it grows RES by about 1 MiB and VIRT not at all (notes section 2; proc(5))" {
	local size part vmsize
	read_obs size vm.lazy.size_kib
	read_obs part vm.lazy.part_kib
	read_obs vmsize vm.lazy.alloc.vmsize_delta_kib
	fault_granule
	rss_counter_slack
	expect vm.lazy.write_part.vmsize_delta_kib -eq "$vmsize" "writing maps nothing new"
	expect vm.lazy.write_part.rss_delta_kib -ge "$part" "every page written is resident"
	expect vm.lazy.write_part.rss_delta_kib -le $((part + 2 * granule_kib + INCIDENTAL_KIB)) \
		"faults map at most $granule_kib KiB each, one partial at each end"
	require_slack_below "$part" "top's RES (VmRSS) for the $part KiB written"
	expect vm.lazy.write_part.vmrss_delta_kib -ge $((part - 2 * slack_kib)) "top's RES"
	expect vm.lazy.write_part.vmrss_delta_kib -le $((part + 2 * granule_kib + INCIDENTAL_KIB + 2 * slack_kib)) "top's RES"
}

@test "VM-LAZY-WRITE-ALL: memset of all 512 MiB puts every page of it in the page tables (smaps_rollup Rss), VIRT unchanged (notes section 2; proc(5))" {
	local size vmsize
	read_obs size vm.lazy.size_kib
	read_obs vmsize vm.lazy.alloc.vmsize_delta_kib
	fault_granule
	expect vm.lazy.write_all.vmsize_delta_kib -eq "$vmsize" "writing maps nothing new"
	expect vm.lazy.write_all.rss_delta_kib -ge "$size" "every page written is resident"
	expect vm.lazy.write_all.rss_delta_kib -le $((size + granule_kib + INCIDENTAL_KIB)) \
		"and no more than the region"
}

@test "VM-LAZY-FAULTS: each page written for the first time costs one minor fault, or one per huge page under THP 'always' (getrusage(2) ru_minflt; transhuge.rst)" {
	local size part new per_page=1 most="never more than one per page"
	read_obs size vm.lazy.size_kib
	read_obs part vm.lazy.part_kib
	fault_granule
	if machine_is s390x; then
		# glibc's s390x memset stores with XC, which fetches first: the CPU
		# may report that first access as a fetch (arch/s390/mm/fault.c
		# fault_is_write reads TEID_FSI_STORE), mapping the zero page, and
		# the store then faults again to copy it
		per_page=2 most="never more than two per page on s390x (a fetch fault, then the store's)"
	fi
	# faults of at most granule_kib each, the first and last maybe partial
	expect vm.lazy.write_part.minor_faults_count -ge $(((part - granule_kib) / granule_kib)) \
		"$part KiB in faults of at most $granule_kib KiB"
	expect vm.lazy.write_part.minor_faults_count -le $((per_page * part / page_kib + INCIDENTAL_FAULTS)) \
		"$most"
	new=$((size - part))
	expect vm.lazy.write_all.minor_faults_count -ge $((new / granule_kib - 1)) \
		"$new KiB not yet written, in faults of at most $granule_kib KiB"
	expect vm.lazy.write_all.minor_faults_count -le $((per_page * new / page_kib + 1 + INCIDENTAL_FAULTS)) \
		"$most"
}

@test "VM-LAZY-THP: an anonymous region nobody madvised gets huge pages only when THP is 'always' for the PMD size (transhuge.rst enabled)" {
	local pmd
	# 0 and the powers of two from 4 KiB to 16 GiB, in KiB
	local powers=0,4,8,16,32,64,128,256,512,1024,2048,4096,8192,16384,32768,65536,131072,262144,524288,1048576,2097152,4194304,8388608,16777216
	expect vm.thp.enabled in always,madvise,never,unavailable "the modes transhuge.rst documents"
	expect vm.thp.use_zero_page in 0,1
	expect vm.thp.pmd_size_kib in "$powers" "a power of two (0: no THP)"
	expect vm.thp.mthp_always_max_kib in "$powers" "a power of two (0: none)"
	expect vm.thp.mthp_inherit_max_kib in "$powers" "a power of two (0: none)"
	read_obs pmd vm.thp.pmd_size_kib
	fault_granule
	if ((pmd > 0 && granule_kib >= pmd)); then
		skip "THP may back this region with huge pages (enabled=always): how many depends on alignment and defrag"
	fi
	expect vm.lazy.write_all.anon_huge_kib -eq 0 \
		"with THP 'madvise' or 'never' only madvise(MADV_HUGEPAGE) regions get PMD huge pages"
}

# VmRSS minus Rss at one instant also holds what other CPUs kept back before
# the probe pinned itself: shown, not judged; its changes are (VM-RSS-COUNTER)
# report-only: vm.lazy.alloc.vmrss_minus_rss_kib: includes counts other CPUs held back before the probe pinned itself; judged as changes in VM-RSS-COUNTER
# report-only: vm.lazy.write_part.vmrss_minus_rss_kib: as vm.lazy.alloc.vmrss_minus_rss_kib
# report-only: vm.lazy.write_all.vmrss_minus_rss_kib: as vm.lazy.alloc.vmrss_minus_rss_kib
# report-only: vm.zero.read.vmrss_minus_rss_kib: as vm.lazy.alloc.vmrss_minus_rss_kib

@test "VM-RSS-COUNTER: what VmRSS (top's RES) grows by matches what the page tables (smaps_rollup Rss) grow by, within this kernel's RSS counter slack (proc(5); kernel version rule)" {
	local why step vmrss rss d release
	rss_counter_slack
	meta_into release kernel_release || release=unknown
	why="counter slack $((2 * slack_kib)) KiB over two readings on $release, plus 16 pages the two views may count differently"
	# smaps_rollup (Linux 4.14) walks the page tables; VmRSS reads counters.
	# reads: vm.lazy.alloc.vmrss_delta_kib vm.lazy.write_part.vmrss_delta_kib
	# vm.lazy.write_all.vmrss_delta_kib vm.zero.read.vmrss_delta_kib and the
	# rss_delta_kib of each (vm.zero.read.rss_delta_kib)
	for step in lazy.alloc lazy.write_part lazy.write_all zero.read; do
		read_obs vmrss "vm.$step.vmrss_delta_kib"
		read_obs rss "vm.$step.rss_delta_kib"
		d=$((vmrss - rss))
		((d < 0)) && d=$((-d))
		if ((d > 2 * slack_kib + 16 * page_kib)); then
			claim_fails "vm.$step.vmrss_delta_kib" "within $((2 * slack_kib + 16 * page_kib)) of vm.$step.rss_delta_kib=$rss" "$vmrss" "$why"
			return 1
		fi
	done
}

# ---- reading untouched memory -----------------------------------------------

# report-only: vm.zero.size_kib: the probe's input, the size of the region read
# report-only: vm.zero.read.minor_faults_count: a read fault per page or per huge zero page; not a claim of the notes

# require_zero_page BOOT_FLAG THP_MODE USE_ZERO_PAGE: skip where the kernel
# was told not to map the zero page on a read fault
require_zero_page() {
	local no_zero thp use_zero
	read_obs no_zero "$1"
	read_obs thp "$2"
	read_obs use_zero "$3"
	if [[ $no_zero == yes ]]; then
		skip "this kernel was booted with a no_zero_page option (/proc/cmdline): every anonymous read fault allocates a page"
	fi
	if [[ $thp == always && $use_zero == 0 ]]; then
		skip "THP 'always' with use_zero_page=0 (transhuge.rst): read faults allocate huge pages"
	fi
}

@test "VM-ZERO-PAGE: reading untouched anonymous memory grows neither VIRT nor RES: reads map the shared zero page (mm/memory.c do_anonymous_page; transhuge.rst use_zero_page)" {
	require_zero_page vm.zero.boot_no_zero_page vm.thp.enabled vm.thp.use_zero_page
	expect vm.zero.read.vmsize_delta_kib -eq 0 "reading maps nothing new"
	expect vm.zero.read.region_rss_delta_kib -eq 0 "the zero page is not counted in Rss"
	expect vm.zero.read.rss_delta_kib -le "$INCIDENTAL_KIB" "the whole process"
}

@test "VM-ZERO-FRAME: untouched pages that were only read share one frame; writing one gives it a frame of its own (pagemap.rst)" {
	require_zero_page vm.zero.boot_no_zero_page vm.thp.enabled vm.thp.use_zero_page
	fault_granule
	expect vm.zero.read.same_frame = yes "two pages one PMD apart, both only read"
	expect vm.zero.write.new_frame = yes "copy-on-write away from the zero page"
	expect vm.zero.write.region_rss_delta_kib -ge "$page_kib" "the written page is now resident"
	expect vm.zero.write.region_rss_delta_kib -le "$granule_kib" "one fault's worth"
}

# ---- the page table (/proc/self/pagemap) ------------------------------------

@test "VM-PAGEMAP-PRESENT: the page table has no frame for a page before it is touched, and one after (notes section 2; pagemap.rst bit 63)" {
	expect vm.pagemap.untouched.present = no "mmap(2) only reserves: no frame yet"
	expect vm.pagemap.touched.present = yes "the first write faulted a frame in"
}

@test "VM-PAGEMAP-PFN: frame numbers are shown only to CAP_SYS_ADMIN in the initial user namespace, and read as 0 otherwise (pagemap.rst: since Linux 4.0, zeroed since 4.2)" {
	local init_ns
	read_obs init_ns vm.pagemap.initial_user_ns
	if has_cap CAP_SYS_ADMIN && [[ $init_ns == yes ]]; then
		expect vm.pagemap.pfn_visible = yes "the recording process held CAP_SYS_ADMIN in the initial user namespace"
	else
		expect vm.pagemap.pfn_visible = no "the recording process lacked CAP_SYS_ADMIN over the initial user namespace"
	fi
}

@test "VM-PAGEMAP-SHARED-FRAME: one shared page attached twice is two page numbers mapped to one frame number (notes section 2; pagemap.rst)" {
	expect vm.pagemap.shared.different_pages = yes "two attachments, two virtual page numbers"
	expect vm.pagemap.shared.same_frame = yes "one memfd page, one frame"
}

@test "VM-PAGEMAP-PRIVATE-FRAMES: two private pages, each written, get two different frames (pagemap.rst)" {
	expect vm.pagemap.private.distinct_frames = yes
}

@test "VM-PAGE-OFFSET: a virtual address is a page number plus an offset, and the offset survives translation to the frame (notes section 2)" {
	expect vm.pagemap.shared.offset_kept = yes \
		"bytes written at offsets 0, 123 and page-1 of one attachment read back at the same offsets of the other"
	expect vm.pagemap.shared.other_offset_differs = yes "and not at a neighbouring offset"
}

# ---- page faults and eviction ------------------------------------------------

# report-only: vm.evict.dir: where the file was made (scratch dir, or beside the probe when /tmp is tmpfs)
# report-only: vm.evict.tmp_is_tmpfs: why evict.dir is what it is

@test "VM-EVICT-FADVISE: a clean file page dropped with POSIX_FADV_DONTNEED is no longer resident, and touching it is one major fault that reads it back (posix_fadvise(2), mincore(2), getrusage(2))" {
	expect vm.evict.fadvise.dontneed = OK
	expect vm.evict.fadvise.resident_pages -eq 0 "clean, unmapped pages are dropped from the page cache"
	expect vm.evict.fadvise.touch.major_faults_count -eq 1 "one access that had to read from the disk"
	expect vm.evict.fadvise.touch.resident_pages -eq 1 "the page is back"
}

@test "VM-EVICT-PAGEOUT: MADV_PAGEOUT evicts clean file pages; the next access is one major fault (madvise(2) MADV_PAGEOUT since Linux 5.4; getrusage(2))" {
	local pages
	require_kernel 5.4 MADV_PAGEOUT
	expect vm.evict.pageout.madvise = OK
	read_obs pages vm.evict.file_pages
	expect vm.evict.pageout.before_resident_pages -eq "$pages" "all $pages pages were read first"
	expect vm.evict.pageout.resident_pages -eq 0 "a clean page is dropped: its data is still on disk"
	expect vm.evict.pageout.touch.major_faults_count -eq 1 "one access that had to read from the disk"
	expect vm.evict.pageout.touch.resident_pages -eq 1 "the page is back"
}

@test "VM-ANON-NO-SWAP: without swap, anonymous pages cannot be evicted to disk: MADV_PAGEOUT leaves them resident (notes section 2; madvise(2), proc(5) SwapTotal)" {
	local swap pages
	require_kernel 5.4 MADV_PAGEOUT
	read_obs swap vm.meminfo.swap_total_kib
	read_obs pages vm.evict.anon.pages
	if ((swap > 0)); then
		skip "$swap KiB of swap configured: where reclaim puts anonymous pages is not judged"
	fi
	expect vm.evict.anon.madvise = OK
	expect vm.evict.anon.resident_pages -eq "$pages" "SwapTotal is 0: an anonymous page has nowhere else to be"
}

# ---- overcommit -------------------------------------------------------------

@test "VM-COMMIT-LIMIT: CommitLimit is SwapTotal plus overcommit_ratio percent of RAM outside hugetlb, or overcommit_kbytes when set (proc(5) CommitLimit; mm/util.c vm_commit_limit)" {
	local page_kib mem swap hugetlb ratio kbytes pages from
	page_size_kib
	read_obs mem vm.meminfo.mem_total_kib
	read_obs swap vm.meminfo.swap_total_kib
	read_obs hugetlb vm.overcommit.hugetlb_kib
	read_obs ratio vm.overcommit.ratio_percent
	read_obs kbytes vm.overcommit.kbytes_kib
	if ((kbytes > 0)); then
		pages=$((kbytes / page_kib)) from="overcommit_kbytes $kbytes"
	else
		pages=$(((mem / page_kib - hugetlb / page_kib) * ratio / 100)) from="(MemTotal $mem - Hugetlb $hugetlb) x $ratio%"
	fi
	expect vm.overcommit.commit_limit_kib -eq $(((pages + swap / page_kib) * page_kib)) \
		"in pages: $from + SwapTotal $swap"
}

# data_limit SIZE_KIB: sets data_refuses (yes/no) and data_why: whether
# RLIMIT_DATA refuses a private writable mapping of SIZE_KIB (MAP_NORESERVE
# or not); skips when too close to call.  mm/mmap.c
# may_expand_vm counts every is_data_mapping() (VM_WRITE without VM_SHARED
# or VM_STACK) against RLIMIT_DATA, on top of VmData.  84638335900f ("mm:
# rework virtual memory accounting", 4.5) added the check, off by default;
# "mm: enable RLIMIT_DATA by default with workaround for valgrind" (Linux
# 4.7) turned it on, except with the ignore_rlimit_data boot option, and
# compares with the hard limit when the soft one is 0 (valgrind).
# judged-only-when: vm.overcommit.vm_data_kib: RLIMIT_DATA is set
# judged-only-when: vm.overcommit.boot_ignore_rlimit_data: RLIMIT_DATA would refuse the mapping
data_limit() {
	local size=$1 data vmdata ignore room margin=1024
	data_refuses=no data_why=
	read_obs data vm.overcommit.rlimit_data_kib || return 1
	[[ $data == unlimited || $data =~ ^[0-9]+$ ]] || fail "vm.overcommit.rlimit_data_kib=$data: neither a number nor unlimited" || return 1
	[[ $data == unlimited ]] && return 0
	read_obs vmdata vm.overcommit.vm_data_kib || return 1
	room=$((data - vmdata))
	((size < room - margin)) && return 0
	((size <= room + margin)) && skip "RLIMIT_DATA ($data KiB, VmData $vmdata KiB): $size KiB is within $margin KiB of the limit"
	((data == 0)) && skip "RLIMIT_DATA soft limit 0: the kernel compares with the hard limit (valgrind workaround), not recorded"
	kernel_at_least 4.7 || skip "before Linux 4.7 RLIMIT_DATA did not refuse mmap by default"
	read_obs ignore vm.overcommit.boot_ignore_rlimit_data
	[[ $ignore == yes ]] && skip "booted with ignore_rlimit_data: RLIMIT_DATA only warns"
	data_refuses=yes data_why="RLIMIT_DATA $data KiB - VmData $vmdata KiB leaves $room KiB (mm/mmap.c may_expand_vm, since 4.7)"
}

# expect_reserve NAME SIZE_KIB COMMITTED_NAME [GUESS_NAME]: judge one never-touched
# private writable mapping by the recorded limits and overcommit mode
# (getrlimit(2) RLIMIT_AS, RLIMIT_DATA; proc_sys_vm(5) overcommit_memory;
# Documentation/mm/overcommit-accounting.rst)
expect_reserve() {
	local name=$1 size=$2 mode mem swap limit committed room as margin=65536 data_refuses data_why
	read_obs mode vm.overcommit.mode
	read_obs as vm.overcommit.rlimit_as_kib
	[[ $as == unlimited || $as =~ ^[0-9]+$ ]] || fail "vm.overcommit.rlimit_as_kib=$as: neither a number nor unlimited"
	if [[ $as != unlimited ]] && ((as < size + 1048576)); then
		skip "RLIMIT_AS ($as KiB) would refuse $size KiB whatever the overcommit mode"
	fi
	data_limit "$size"
	if [[ $data_refuses == yes ]]; then
		expect "$name" = ENOMEM "$data_why"
		return
	fi
	case $mode in
	0)
		# mm/util.c __vm_enough_memory, OVERCOMMIT_GUESS.  Since Linux 5.2
		# (8c7829b04c52 "mm: fix false-positive OVERCOMMIT_GUESS failures")
		# one request is refused only when it exceeds total RAM + swap.
		# Before, it had to fit in free pages + page cache - shmem + free
		# swap + reclaimable slab, less the reserves (totalreserve_pages,
		# and admin_reserve_kbytes without CAP_SYS_ADMIN): recorded as
		# GUESS_NAME just before the attempt, judged with a margin.
		read_obs mem vm.meminfo.mem_total_kib
		read_obs swap vm.meminfo.swap_total_kib
		if ((size > mem + swap)); then
			expect "$name" = ENOMEM "mode 0 refuses what exceeds RAM + swap ($((mem + swap)) KiB), on every kernel"
		elif kernel_at_least 5.2; then
			expect "$name" = OK "mode 0 on Linux 5.2 and later grants what fits in RAM + swap ($((mem + swap)) KiB)"
		else
			local guess slack=$((131072 + mem / 32))
			[[ -n ${4:-} ]] || skip "mode 0 before Linux 5.2 judges by free memory, not recorded for this request"
			read_obs guess "$4"
			if ((size < guess - slack)); then
				expect "$name" = OK "mode 0 before Linux 5.2: under free + cache - shmem + free swap + reclaimable slab ($guess KiB)"
			elif ((size > guess)); then
				expect "$name" = ENOMEM "mode 0 before Linux 5.2: above free + cache - shmem + free swap + reclaimable slab ($guess KiB)"
			else
				skip "mode 0 before Linux 5.2: $size KiB is within the kernel's reserves ($slack KiB) of the $guess KiB it could free"
			fi
		fi ;;
	1) expect "$name" = OK "mode 1 never refuses" ;;
	2)
		read_obs limit vm.overcommit.commit_limit_kib
		read_obs committed "$3"
		room=$((limit - committed))
		if ((size > room + margin)); then
			expect "$name" = ENOMEM "mode 2: above CommitLimit - Committed_AS ($room KiB)"
		elif ((size < room - margin)); then
			expect "$name" = OK "mode 2: under CommitLimit - Committed_AS ($room KiB)"
		else
			skip "mode 2: $size KiB is within $margin KiB of what is left under CommitLimit"
		fi ;;
	*) fail "overcommit_memory=$mode is not a documented mode (0, 1, 2)" ;;
	esac
}

# In modes 0 and 1 the verdict rests on the mapping alone; the sizes and
# Committed_AS decide it only under strict accounting:
# judged-only-when: vm.overcommit.notes_size_kib: overcommit_memory is 2
# judged-only-when: vm.overcommit.notes_size.committed_as_kib: overcommit_memory is 2
# judged-only-when: vm.overcommit.huge.committed_as_kib: overcommit_memory is 2
# judged-only-when: vm.overcommit.notes_size.guess_free_kib: overcommit_memory is 0 on a kernel before 5.2
@test "VM-OVERCOMMIT-NOTES: whether the notes' 512 MiB can be reserved untouched is decided by the overcommit mode and the rlimits, not by touching it: granted in mode 1, in mode 0 up to RAM + swap (since 5.2; before, up to what could be freed), in mode 2 under CommitLimit; ENOMEM beyond RLIMIT_AS or RLIMIT_DATA (proc_sys_vm(5) overcommit_memory; getrlimit(2))" {
	local size
	# expect_reserve also reads: vm.overcommit.mode vm.overcommit.rlimit_as_kib
	# vm.overcommit.rlimit_data_kib vm.overcommit.vm_data_kib
	# vm.meminfo.mem_total_kib vm.meminfo.swap_total_kib vm.overcommit.commit_limit_kib
	read_obs size vm.overcommit.notes_size_kib
	expect_reserve vm.overcommit.notes_size.mmap "$size" vm.overcommit.notes_size.committed_as_kib \
		vm.overcommit.notes_size.guess_free_kib
}

@test "VM-OVERCOMMIT-HUGE: reserving twice RAM + swap fails with ENOMEM in mode 0 and mode 2 and succeeds in mode 1 unless RLIMIT_AS or RLIMIT_DATA refuses it (proc_sys_vm(5) overcommit_memory; overcommit-accounting.rst)" {
	local size mem swap
	read_obs size vm.overcommit.huge_kib
	read_obs mem vm.meminfo.mem_total_kib
	read_obs swap vm.meminfo.swap_total_kib
	expect vm.overcommit.huge_kib -eq $((2 * (mem + swap))) "the probe asked for twice RAM + swap"
	# expect_reserve also reads: vm.overcommit.mode vm.overcommit.rlimit_as_kib
	# vm.overcommit.rlimit_data_kib vm.overcommit.commit_limit_kib
	expect_reserve vm.overcommit.huge.mmap "$size" vm.overcommit.huge.committed_as_kib
}

@test "VM-OVERCOMMIT-NORESERVE: MAP_NORESERVE skips the check in modes 0 and 1 and is ignored in mode 2; RLIMIT_AS and RLIMIT_DATA still apply (mmap(2) MAP_NORESERVE; overcommit-accounting.rst; mm/mmap.c may_expand_vm)" {
	local mode size
	read_obs mode vm.overcommit.mode
	read_obs size vm.overcommit.huge_kib
	if [[ $mode == 2 ]]; then
		# expect_reserve also reads: vm.overcommit.rlimit_as_kib vm.overcommit.commit_limit_kib
		# vm.overcommit.rlimit_data_kib
		expect_reserve vm.overcommit.huge_noreserve.mmap "$size" vm.overcommit.huge.committed_as_kib
	else
		local as data_refuses data_why
		read_obs as vm.overcommit.rlimit_as_kib
		data_limit "$size"
		if [[ $as != unlimited ]] && ((size > as)); then
			# getrlimit(2) RLIMIT_AS: caps every mapping, reserved or not
			expect vm.overcommit.huge_noreserve.mmap = ENOMEM "RLIMIT_AS is $as KiB"
		elif [[ $data_refuses == yes ]]; then
			# a MAP_NORESERVE private writable mapping is data too
			expect vm.overcommit.huge_noreserve.mmap = ENOMEM "$data_why"
		else
			expect vm.overcommit.huge_noreserve.mmap = OK "mode $mode does not account MAP_NORESERVE mappings"
		fi
	fi
}

# ---- how wide the address space is ---------------------------------------------

# is_user_mode_linux: the run was recorded under user-mode Linux (uname
# says x86_64).  Runs recorded before vm.addr.user_mode_linux existed: UML's
# /proc/cpuinfo is the one x86_64 cpuinfo without "address sizes".
is_user_mode_linux() {
	local uml vbits
	if lookup_into uml vm.addr.user_mode_linux; then
		[[ $uml == yes ]]
	else
		lookup_into vbits vm.addr.cpu_virtual_bits && [[ $vbits == SKIP ]]
	fi
}

# addr_width_rule: sets widths (comma-separated) and why, the user address
# space widths in bits the recorded architecture's kernels give a process of
# this run's pointer size and page size; returns 1 (after a skip) where the
# rule is not known.  What the process can map is judged, never a CPU flag.
addr_width_rule() {
	local machine ptr page
	meta_into machine machine || machine=
	meta_into page page_size || read_obs page vm.page.sysconf_bytes
	read_obs ptr vm.addr.pointer_bits
	if [[ $ptr == 32 ]]; then
		# x86 (arch/x86/Kconfig VMSPLIT_3G/2G/1G: PAGE_OFFSET 0xC0000000,
		# 0x80000000, 0x40000000), arm (VMSPLIT_*), and a 32-bit process
		# on a 64-bit kernel (TASK_SIZE_32 / IA32_PAGE_OFFSET 0xFFFFe000):
		# user space ends at 1, 2, 3 or 4 GiB, never above
		widths=30,31,32 why="a 32-bit process: user space ends at or below 4 GiB (3G/2G/1G splits: 2^32, 2^31, 2^30)"
		return 0
	fi
	if [[ $machine == x86_64 ]] && is_user_mode_linux; then
		# arch/um: the processes are host processes whose user space UML's
		# own page tables bound: 3 levels (2^39) or 4 (2^48,
		# arch/um/Kconfig 3_LEVEL_PGTABLES / 4_LEVEL_PGTABLES)
		printf -v widths '%s,' {33..48}
		widths=${widths%,} why="user-mode Linux: 3- or 4-level page tables of its own (arch/um/Kconfig), at most 48 bits"
		return 0
	fi
	case $machine in
	x86_64)
		# Documentation/arch/x86/x86_64/mm.rst: user space is
		# 0-00007fffffffffff with 4-level paging, 0-00ffffffffffffff with
		# 5-level (TASK_SIZE_MAX, arch/x86/include/asm/page_64.h)
		widths=47,56 why="x86-64: 4-level paging 47 bits, 5-level 56 (mm.rst)" ;;
	aarch64)
		# arch/arm64/Kconfig ARM64_VA_BITS_*: TASK_SIZE_64 is
		# 1 << vabits_actual (arch/arm64/include/asm/processor.h); 52 falls
		# back to 48 where the CPU lacks LVA/LPA2
		case $page in
		4096) widths=39,48,52 why="arm64 4K pages: VA_BITS 39 or 48, 52 with LPA2 (arch/arm64/Kconfig)" ;;
		16384) widths=36,47,48,52 why="arm64 16K pages: VA_BITS 36, 47 or 48, 52 with LPA2 (arch/arm64/Kconfig)" ;;
		65536) widths=42,48,52 why="arm64 64K pages: VA_BITS 42 or 48, 52 with LVA (arch/arm64/Kconfig)" ;;
		*) skip "arm64 with $page-byte pages: no VA_BITS rule known" ;;
		esac ;;
	ppc64le | ppc64)
		# arch/powerpc/include/asm/task_size_64.h: TASK_SIZE_64TB (4K
		# pages), 128TB, 512TB or 4PB (64K pages, by kernel version)
		widths=46,47,49,52 why="Book3S-64: TASK_SIZE_64TB, 128TB, 512TB or 4PB (asm/task_size_64.h)" ;;
	riscv64)
		# arch/riscv/include/asm/pgtable.h TASK_SIZE_64: half of what the
		# page table mode translates: sv39, sv48 or sv57
		widths=38,47,56 why="riscv64: half of sv39, sv48 or sv57 (asm/pgtable.h TASK_SIZE_64)" ;;
	s390x)
		# user space and the kernel are separate address spaces:
		# TASK_SIZE_MAX is -PAGE_SIZE (arch/s390/include/asm/processor.h),
		# and the region table grows on demand (crst_table_upgrade): 3, 4
		# or 5 levels translate 2^42, 2^53 or 2^64
		widths=42,53,64 why="s390x: the region table's 3, 4 or 5 levels (arch/s390 TASK_SIZE_MAX, crst_table_upgrade)" ;;
	*)
		skip "no address-width rule for $machine here: only the generic checks ran" ;;
	esac
}

# judged-only-when: vm.addr.cpu_la57: the flag is absent (then 4-level paging) or the width is 56; present with 47 bits is a kernel that keeps it with 5-level paging off
# report-only: vm.addr.cpu_physical_bits: shown beside the notes' "physical addresses follow RAM size"; not judged

@test "VM-ADDR-WIDTH: a 64-bit process maps far beyond the notes' 4 GiB, up to the paging mode's width (x86-64: 47 bits, 56 with 5-level paging; arm64 VA_BITS; ...), not the pointer's 64 bits (s390x excepted); a 32-bit one at most 4 GiB (notes section 2; Documentation/arch/x86/x86_64/mm.rst, arch/*/Kconfig)" {
	local ptr la57 vbits bits widths why
	expect vm.addr.pointer_bits in 32,64 "the probe is a 32-bit or a 64-bit program"
	read_obs ptr vm.addr.pointer_bits
	if [[ $ptr == 64 ]]; then
		expect vm.addr.max_user_bits -gt 32 "the notes' 32-bit rule would stop at 4 GiB"
		# s390x alone gives user space an address space of its own
		machine_is s390x ||
			expect vm.addr.max_user_bits -lt "$ptr" "the paging mode, not the pointer, sets the width"
	fi
	# addr_width_rule and is_user_mode_linux read vm.addr.user_mode_linux
	addr_width_rule
	expect vm.addr.max_user_bits in "$widths" "$why"
	[[ $ptr == 64 ]] && machine_is x86_64 || return 0
	if is_user_mode_linux; then
		# um_arch.c show_cpuinfo prints no "address sizes" line
		lookup_into vbits vm.addr.cpu_virtual_bits || vbits=
		[[ $vbits == SKIP ]] || claim_fails vm.addr.cpu_virtual_bits "= SKIP" "$vbits" \
			"user-mode Linux's /proc/cpuinfo is its own: no address sizes line"
		return
	fi
	read_obs bits vm.addr.max_user_bits
	read_obs la57 vm.addr.cpu_la57
	read_obs vbits vm.addr.cpu_virtual_bits
	# CPUID 0x80000008 reports 48 or 57 linear-address bits whatever mode
	# the kernel chose; the kernel shows "la57" in /proc/cpuinfo only while
	# 5-level paging is on (older kernels also with it off): the flag's
	# absence means 4-level paging, its presence decides nothing
	expect vm.addr.cpu_virtual_bits in 48,57 "CPUID linear-address width"
	expect vm.addr.max_user_bits -lt "$vbits" "the upper half of the CPU's $vbits-bit space is the kernel's"
	if [[ $la57 == no ]]; then
		expect vm.addr.max_user_bits -eq 47 "no la57 flag: 4-level paging"
	fi
	if ((bits == 56)); then
		expect vm.addr.cpu_la57 = yes "5-level paging needs a CPU with LA57"
	fi
	expect vm.addr.default_mmap_bits -le 47 "mmap without a hint stays below 2^47 (DEFAULT_MAP_WINDOW)"
}

@test "VM-ADDR-TOP-PAGE: on x86-64 the last page below 2^47 is not user space with 4-level paging, and 2^47 is beyond it (arch/x86 TASK_SIZE_MAX; mmap(2) MAP_FIXED_NOREPLACE since 4.17)" {
	local bits
	# 32-bit processes record these as SKIP
	machine_is x86_64 || skip "x86-64 layout"
	is_user_mode_linux && skip "user-mode Linux: its own page tables, not x86-64's layout"
	require_kernel 4.17 MAP_FIXED_NOREPLACE
	read_obs bits vm.addr.max_user_bits
	if ((bits == 56)); then
		expect vm.addr.fixed_at_2p47 in OK,EEXIST "5-level paging: 2^47 is user space"
	else
		expect vm.addr.fixed_last_page_below_2p47 = ENOMEM "TASK_SIZE_MAX is 2^47 minus one page"
		expect vm.addr.fixed_at_2p47 = ENOMEM "beyond the 47-bit user space"
	fi
}

@test "VM-ADDR-HINT: on x86-64 a hint at 2^47 is honoured only with 5-level paging; with 4 levels the mapping lands below 2^47 (Documentation/arch/x86/x86_64/5level-paging.rst)" {
	local bits
	machine_is x86_64 || skip "x86-64 layout"
	is_user_mode_linux && skip "user-mode Linux: its own page tables, not x86-64's layout"
	read_obs bits vm.addr.max_user_bits
	if ((bits == 56)); then
		expect vm.addr.hint_2p47.at_hint = yes "a hint above 47 bits opts in to the 56-bit space"
		expect vm.addr.hint_2p47.result_bits -eq 48
	else
		expect vm.addr.hint_2p47.at_hint = no "no user space at 2^47"
		expect vm.addr.hint_2p47.result_bits -le 47
	fi
}

# report-only: vm.pages.beyond_ram.size_kib: the probe's input, twice MemTotal

@test "VM-PAGES-FRAMES: a process can hold more virtual pages than the machine has frames: twice RAM of address space maps, and VmSize shows it (notes section 2; mmap(2) PROT_NONE, MAP_NORESERVE)" {
	local mem as ptr
	read_obs ptr vm.addr.pointer_bits
	read_obs mem vm.meminfo.mem_total_kib
	read_obs as vm.overcommit.rlimit_as_kib
	if [[ $as != unlimited ]] && ((as < 2 * mem + 1048576)); then
		skip "RLIMIT_AS ($as KiB) caps the address space below twice RAM"
	fi
	# a 32-bit process records SKIP when twice RAM does not fit its 4 GiB
	expect vm.pages.beyond_ram.mmap = OK \
		"PROT_NONE address space takes no frame and no commit charge (mm/mmap.c accountable_mapping needs VM_WRITE), in every overcommit mode"
	expect vm.pages.beyond_ram.vmsize_delta_kib -ge $((2 * mem)) \
		"VmSize counts $((2 * mem)) KiB of virtual pages, twice the $mem KiB of frames (MemTotal), on a $ptr-bit process"
}

# ---- top's VIRT, RES and SHR -------------------------------------------------

# top shows VmSize, VmRSS and RssFile + RssShmem of /proc/pid/status as VIRT,
# RES and SHR (proc(5); statm has the same counters in pages, so it is not a
# second opinion): they are judged against the page tables (smaps_rollup),
# read while the notes' block is held, written all through.

@test "VM-TOP-VIRT-RES: while the notes' 512 MiB block is held after memset, top's VIRT (VmSize) has grown by the block and its RES (VmRSS) by the block too, within this kernel's RSS counter slack (notes section 2; proc(5))" {
	local size vmsize
	read_obs size vm.lazy.size_kib
	read_obs vmsize vm.lazy.alloc.vmsize_delta_kib
	fault_granule
	rss_counter_slack
	require_slack_below "$size" "top's RES for the $size KiB block"
	expect vm.lazy.write_all.vmsize_delta_kib -ge "$size" "VIRT: the whole block, mapped"
	expect vm.lazy.write_all.vmsize_delta_kib -le $((size + 1024)) "VIRT: and not much more"
	expect vm.lazy.write_all.vmrss_delta_kib -ge $((size - 2 * slack_kib)) "RES: every page of it written"
	expect vm.lazy.write_all.vmrss_delta_kib -le $((size + granule_kib + INCIDENTAL_KIB + 2 * slack_kib)) "RES: and no more"
}

@test "VM-TOP-SHR: while the notes' private block is held, top's SHR (RssFile + RssShmem) has not grown by it and matches the page tables' resident pages that are not anonymous (smaps_rollup Rss - Anonymous) (proc(5))" {
	local rollup size
	read_obs size vm.lazy.size_kib
	read_obs rollup vm.top.held.rollup_shared_kib
	rss_counter_slack
	require_slack_below "$size" "top's SHR beside the $size KiB block"
	expect vm.top.held.shr_delta_kib -le $((2 * slack_kib + INCIDENTAL_KIB)) "private anonymous pages are not shared"
	expect vm.top.held.shr_delta_kib -ge $((-2 * slack_kib - INCIDENTAL_KIB)) "private anonymous pages are not shared"
	expect vm.top.held.shr_kib -le $((rollup + slack_kib + INCIDENTAL_KIB)) "the page tables' file and shmem pages: $rollup KiB"
	expect vm.top.held.shr_kib -ge $((rollup - slack_kib - INCIDENTAL_KIB)) "the page tables' file and shmem pages: $rollup KiB"
}

@test "VM-TOP-SHR-SHMEM: touching shared memory grows SHR by as much; touching private memory grows RES but not SHR (proc(5) RssShmem, RssAnon)" {
	local touched
	read_obs touched vm.top.touched_kib
	rss_counter_slack
	# the probe touches 16 counter batches or more (probes/vm.d/top.c top_bytes)
	require_slack_below "$touched" "$touched KiB touched"
	expect vm.top.shared_touch.shr_delta_kib -ge $((touched - 2 * slack_kib)) "a shared memfd page is shmem"
	expect vm.top.shared_touch.shr_delta_kib -le $((touched + 2 * slack_kib + INCIDENTAL_KIB)) "a shared memfd page is shmem"
	expect vm.top.private_touch.shr_delta_kib -le $((2 * slack_kib + INCIDENTAL_KIB)) "private pages are not shared"
	expect vm.top.private_touch.res_delta_kib -ge $((touched - 2 * slack_kib)) "but they are resident"
	expect vm.top.private_touch.res_delta_kib -le $((touched + 2 * slack_kib + INCIDENTAL_KIB)) "but they are resident"
}
