# ipcvm.m4 - configure checks of ipcvm's own.

# IPCVM_ADD_CFLAG(VAR, FLAG): append FLAG to VAR when the compiler takes it.
AC_DEFUN([IPCVM_ADD_CFLAG], [
  AS_VAR_PUSHDEF([ipcvm_cv], [ipcvm_cv_cflag_$2])
  AC_CACHE_CHECK([whether $CC accepts $2], [ipcvm_cv], [
    ipcvm_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $2"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([ipcvm_cv], [yes])], [AS_VAR_SET([ipcvm_cv], [no])])
    CFLAGS=$ipcvm_save_CFLAGS])
  AS_VAR_IF([ipcvm_cv], [yes], [$1="$$1 $2"])
  AS_VAR_POPDEF([ipcvm_cv])
])

# IPCVM_BATS_VERSION(MIN): stop unless $BATS is at least MIN
# (setup_file, BATS_FILE_TMPDIR and --tap as the cases use them).
AC_DEFUN([IPCVM_BATS_VERSION], [
  AC_MSG_CHECKING([whether $BATS is version $1 or newer])
  ipcvm_bats_version=`"$BATS" --version 2>/dev/null | sed -n 's/^Bats \([[0-9.]]*\).*/\1/p'`
  AS_VERSION_COMPARE([$ipcvm_bats_version], [$1],
    [AC_MSG_RESULT([no, $ipcvm_bats_version])
     AC_MSG_ERROR([bats $ipcvm_bats_version is too old: bats $1 or newer is needed (Debian 12+: apt-get install bats; elsewhere: npm install -g bats)])],
    [AC_MSG_RESULT([yes, $ipcvm_bats_version])],
    [AC_MSG_RESULT([yes, $ipcvm_bats_version])])
])

# IPCVM_BATS_LIBS: find bats-support, bats-assert and bats-file; AC_SUBST
# BATS_LIBDIR, the directory holding all three.
AC_DEFUN([IPCVM_BATS_LIBS], [
  AC_ARG_WITH([bats-libdir],
    [AS_HELP_STRING([--with-bats-libdir=DIR],
      [directory holding bats-support, bats-assert and bats-file
       (default: search /usr/lib/bats, /usr/share/bats, /usr/local/lib/bats)])],
    [ipcvm_bats_dirs=$withval],
    [ipcvm_bats_dirs="/usr/lib/bats /usr/share/bats /usr/local/lib/bats /usr/lib/node_modules"])
  AC_MSG_CHECKING([for bats-support, bats-assert and bats-file])
  BATS_LIBDIR=
  for ipcvm_dir in $ipcvm_bats_dirs; do
    if test -f "$ipcvm_dir/bats-support/load.bash" &&
       test -f "$ipcvm_dir/bats-assert/load.bash" &&
       test -f "$ipcvm_dir/bats-file/load.bash"; then
      BATS_LIBDIR=$ipcvm_dir
      break
    fi
  done
  AS_IF([test -z "$BATS_LIBDIR"],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([bats-support, bats-assert or bats-file is missing in $ipcvm_bats_dirs (Debian: apt-get install bats-support bats-assert bats-file; or give --with-bats-libdir=DIR)])])
  AC_MSG_RESULT([$BATS_LIBDIR])
  AC_SUBST([BATS_LIBDIR])
])
