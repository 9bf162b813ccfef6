/* sa_pool: fork()ed workers running sweep points, and the progress line. */
#include "sa_pool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef struct worker {
  pid_t pid;
  int fd;
  int point;
} worker;

static int spawn(const sa_point_ctx *c, int point, worker *w, sa_err *e) {
  int p[2];
  if (pipe(p) != 0) return sa_err_set(e, "pipe: %s", strerror(errno));
  fflush(stdout);
  fflush(stderr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return sa_err_set(e, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    close(p[0]);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed sweep takes its workers with it */
    if (getppid() != parent) _exit(1); /* it died before prctl */
#endif
    sa_err pe;
    pe.msg[0] = 0;
    int rc = sa_point_run(c, point, &pe);
    if (rc) {
      size_t n = strlen(pe.msg);
      ssize_t wr = write(p[1], pe.msg, n);
      (void)wr;
    }
    close(p[1]);
    _exit(rc ? 1 : 0);
  }
  close(p[1]);
  w->pid = pid;
  w->fd = p[0];
  w->point = point;
  return 0;
}

static void fmt_dur(double s, char *buf, size_t len) {
  long t = (long)(s + 0.5);
  if (t >= 3600) snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60) snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
  else snprintf(buf, len, "%lds", t);
}

static void progress(const sa_point_ctx *c, int done, int total, int running, int ran, double t0,
                     int final) {
  if (!c->o->progress) return;
  double el = sa_point_now_s() - t0;
  char eb[32] = "?", tb[32];
  if (ran > 0 && done < total) fmt_dur(el / ran * (total - done), eb, sizeof eb);
  fmt_dur(el, tb, sizeof tb);
  if (final)
    fprintf(stderr, "\r\033[Ksweep: %d/%d points done in %s\n", done, total, tb);
  else
    fprintf(stderr, "\r\033[Ksweep: %d/%d points, %d running, %s elapsed, ETA %s", done, total,
            running, tb, done < total ? eb : "0s");
  fflush(stderr);
}

int sa_pool_run(const sa_point_ctx *c, const int *todo, int n, int done0, int total, sa_err *e) {
  int jobs = c->o->jobs < 1 ? 1 : c->o->jobs;
  worker *ws = sa_calloc((size_t)jobs, sizeof *ws, e);
  if (!ws) return -1;
  int next = 0, running = 0, done = done0, ran = 0, failed = 0;
  double t0 = sa_point_now_s();
  progress(c, done, total, 0, 0, t0, 0);
  while ((next < n && !failed) || running > 0) {
    while (running < jobs && next < n && !failed) {
      int slot = 0;
      while (ws[slot].pid) slot++;
      if (spawn(c, todo[next], &ws[slot], e)) {
        failed = 1;
        break;
      }
      next++;
      running++;
      progress(c, done, total, running, ran, t0, 0);
    }
    if (running == 0) break;
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      sa_err_set(e, "waitpid: %s", strerror(errno));
      failed = 1;
      break;
    }
    int slot = -1;
    for (int k = 0; k < jobs; k++)
      if (ws[k].pid == pid) slot = k;
    if (slot < 0) continue; /* not ours */
    char msg[sizeof e->msg];
    ssize_t got, len = 0;
    while (len < (ssize_t)sizeof msg - 1 &&
           (got = read(ws[slot].fd, msg + len, sizeof msg - 1 - (size_t)len)) > 0)
      len += got;
    msg[len > 0 ? len : 0] = 0;
    close(ws[slot].fd);
    int point = ws[slot].point;
    ws[slot].pid = 0;
    running--;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      done++;
      ran++;
    } else if (!failed) {
      char id[96];
      sa_grid_point_id(&c->g, point, id, sizeof id);
      if (WIFSIGNALED(status))
        sa_err_set(e, "point %s: worker killed by signal %d", id, WTERMSIG(status));
      else
        sa_err_set(e, "point %s: %s", id, msg[0] ? msg : "worker failed");
      failed = 1;
    }
    progress(c, done, total, running, ran, t0, 0);
  }
  if (!failed) progress(c, done, total, 0, ran, t0, 1);
  else if (c->o->progress) fputc('\n', stderr);
  free(ws);
  return failed ? -1 : 0;
}
