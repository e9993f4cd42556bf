/* LD_PRELOAD shim for the fault-injection suite: fails (or kills the process at) the Nth call of
 * write(2) to a regular file, fsync(2), or rename(2), so a test can put a full disk, a failing
 * device or a kill -9 at an exact point of a job's output path. millrace's writers call these
 * through the PLT (atomic_file uses ::write, ::fsync, ::rename), so every output is covered.
 *   MILLRACE_FAULT=write:3:enospc   the 3rd write to a regular file fails with ENOSPC
 *   MILLRACE_FAULT=fsync:1:eio      the 1st fsync fails with EIO
 *   MILLRACE_FAULT=rename:2:kill    the process gets SIGKILL instead of its 2nd rename
 *   MILLRACE_FAULT_COUNT=FILE       at exit, write the number of calls of each kind to FILE
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { k_write, k_fsync, k_rename, k_kinds };
static const char* const kind_names[k_kinds] = {"write", "fsync", "rename"};
static long counts[k_kinds];
static int fault_kind = -1;
static long fault_at = 0;
static int fault_errno = ENOSPC, fault_kill = 0;

static void configure(void) {
  static int done = 0;
  if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL)) return;
  const char* spec = getenv("MILLRACE_FAULT");
  if (!spec || !*spec) return;
  char kind[16] = {0}, action[16] = {0};
  long n = 0;
  if (sscanf(spec, "%15[a-z]:%ld:%15[a-z]", kind, &n, action) < 2) return;
  for (int k = 0; k < k_kinds; ++k)
    if (strcmp(kind, kind_names[k]) == 0) fault_kind = k;
  fault_at = n;
  if (strcmp(action, "eio") == 0) fault_errno = EIO;
  if (strcmp(action, "kill") == 0) fault_kill = 1;
}

/* 1 when this call is the one to fail (errno set), after counting it. */
static int hit(int kind) {
  configure();
  const long n = __atomic_add_fetch(&counts[kind], 1, __ATOMIC_RELAXED);
  if (kind != fault_kind || n != fault_at) return 0;
  if (fault_kill) raise(SIGKILL);
  errno = fault_errno;
  return 1;
}

static int is_regular(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

ssize_t write(int fd, const void* buf, size_t n) {
  static ssize_t (*real)(int, const void*, size_t);
  if (!real) real = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  if (fd > 2 && is_regular(fd) && hit(k_write)) return -1;
  return real(fd, buf, n);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  if (is_regular(fd) && hit(k_fsync)) return -1;
  return real(fd);
}

int rename(const char* a, const char* b) {
  static int (*real)(const char*, const char*);
  if (!real) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
  if (hit(k_rename)) return -1;
  return real(a, b);
}

__attribute__((destructor)) static void report_counts(void) {
  const char* file = getenv("MILLRACE_FAULT_COUNT");
  if (!file || !*file) return;
  FILE* f = fopen(file, "w");
  if (!f) return;
  for (int k = 0; k < k_kinds; ++k) fprintf(f, "%s %ld\n", kind_names[k], counts[k]);
  fclose(f);
}
