/* sa_pool: fork()ed workers running sweep points, progress and interruption. */
#include "sa_pool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sa_file.h"

typedef struct worker {
  pid_t pid;
  int fd;
  int point;
  double t0;
} worker;

/* The signal that interrupted the pool (0: none). Set by the handler only. */
static volatile sig_atomic_t g_signal;

static void on_signal(int sig) { g_signal = sig; }

/* Set by the progress timer (SIGALRM): time to refresh the line or say the sweep is alive. */
static volatile sig_atomic_t g_tick;

static void on_tick(int sig) {
  (void)sig;
  g_tick = 1;
}

/* Piped runs: a line at least this often even when no point finishes (long points). */
enum { HEARTBEAT_S = 60 };

/* Starts point in a worker in slot of ws[0..jobs). The child keeps none of the pool: it closes
 * the other workers' pipes and frees the table (nothing of the parent leaks at its _exit). */
static int spawn(const sa_point_ctx *c, int point, worker *ws, int jobs, int slot, sa_err *e) {
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
    signal(SIGINT, SIG_DFL); /* the parent's handlers are for the parent */
    signal(SIGTERM, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    for (int k = 0; k < jobs; k++)
      if (ws[k].pid) close(ws[k].fd);
    free(ws);
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
  ws[slot].pid = pid;
  ws[slot].fd = p[0];
  ws[slot].point = point;
  ws[slot].t0 = sa_point_now_s();
  return 0;
}

static void fmt_dur(double s, char *buf, size_t len) {
  long t = (long)(s + 0.5);
  if (t >= 3600) snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60) snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
  else snprintf(buf, len, "%lds", t);
}

/* The updating line (SA_SWEEP_PROGRESS_LINE). */
static void progress(const sa_point_ctx *c, int done, int total, int running, int ran, double t0,
                     int final) {
  if (c->o->progress != SA_SWEEP_PROGRESS_LINE) return;
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

/* After point `point` finished: one line per point when piped (SA_SWEEP_PROGRESS_POINTS), and
 * in every mode a line when its RTL check could not run. Reads the point's file back. */
static void finished(const sa_point_ctx *c, int point, int done, int total, double secs) {
  char id[SA_GRID_ID_MAX + 64], name[SA_GRID_ID_MAX + 96];
  sa_grid_point_id(&c->g, point, id, sizeof id);
  snprintf(name, sizeof name, "%s.tsv", id);
  sa_err e;
  char *path = sa_path_join(c->points_dir, name, &e), fp[17];
  sa_rec *r = calloc(1, sizeof *r);
  int ok = path && r && sa_store_read_point(path, r, fp, &e) == 0;
  free(path);
  int line = c->o->progress == SA_SWEEP_PROGRESS_LINE;
  if (ok && !strcmp(r->val[SA_COL_RTL], "skipped") && c->cfg->sweep.rtl_check != SA_RTL_OFF) {
    fprintf(stderr, "%ssasp sweep: %s: RTL check could not run: %s\n", line ? "\r\033[K" : "", id,
            r->note[SA_STAGE_RTL]);
  }
  if (c->o->progress == SA_SWEEP_PROGRESS_POINTS) {
    char tb[32];
    fmt_dur(secs, tb, sizeof tb);
    if (!ok) {
      fprintf(stderr, "sweep: [%d/%d] %s done in %s\n", done, total, id, tb);
    } else {
      fprintf(stderr, "sweep: [%d/%d] %s done in %s: speed-up %sx", done, total, id, tb,
              r->val[SA_COL_SPD_DENSE][0] ? r->val[SA_COL_SPD_DENSE] : "?");
      if (r->val[SA_COL_WER][0]) fprintf(stderr, ", WER %s %%", r->val[SA_COL_WER]);
      fprintf(stderr, ", RTL %s\n", r->val[SA_COL_RTL]);
    }
  }
  fflush(stderr);
  free(r);
}

int sa_pool_run(const sa_point_ctx *c, const int *todo, int n, int done0, int total,
                sa_pool_stats *st, sa_err *e) {
  memset(st, 0, sizeof *st);
  int jobs = c->o->jobs < 1 ? 1 : c->o->jobs;
  worker *ws = sa_calloc((size_t)jobs, sizeof *ws, e);
  if (!ws) {
    st->not_run = n;
    return -1;
  }
  /* SIGINT/SIGTERM interrupt waitpid (no SA_RESTART) and stop the pool */
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  g_signal = 0;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  /* a tick refreshes the line every second, or lets a piped run say it is alive */
  struct sigaction st_tick, old_alrm;
  memset(&st_tick, 0, sizeof st_tick);
  st_tick.sa_handler = on_tick;
  sigemptyset(&st_tick.sa_mask);
  sigaction(SIGALRM, &st_tick, &old_alrm);
  struct itimerval tick = {{0, 0}, {0, 0}}, no_tick = {{0, 0}, {0, 0}};
  if (c->o->progress == SA_SWEEP_PROGRESS_LINE) tick.it_interval.tv_sec = 1;
  if (c->o->progress == SA_SWEEP_PROGRESS_POINTS) tick.it_interval.tv_sec = 10;
  tick.it_value = tick.it_interval;
  g_tick = 0;
  /* the tick may interrupt only waitpid, never a read or write of the pool */
  sigset_t alrm, old_mask;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  sigprocmask(SIG_BLOCK, &alrm, &old_mask);
  setitimer(ITIMER_REAL, &tick, NULL);
  double last_line = sa_point_now_s(); /* piped: when the last line was printed */
  int next = 0, running = 0, done = done0, failed = 0;
  double t0 = sa_point_now_s();
  progress(c, done, total, 0, 0, t0, 0);
  while ((next < n && !failed && !g_signal) || running > 0) {
    while (running < jobs && next < n && !failed && !g_signal) {
      int slot = 0;
      while (ws[slot].pid) slot++;
      if (spawn(c, todo[next], ws, jobs, slot, e)) {
        failed = 1;
        break;
      }
      next++;
      running++;
      progress(c, done, total, running, st->ran, t0, 0);
    }
    if (running == 0) break;
    if (g_signal) /* stop the points in flight: they are lost, the finished ones are kept */
      for (int k = 0; k < jobs; k++)
        if (ws[k].pid) kill(ws[k].pid, SIGKILL);
    int status;
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    pid_t pid = waitpid(-1, &status, 0);
    int werr = errno;
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    errno = werr;
    if (pid < 0) {
      if (errno == EINTR && g_tick) {
        g_tick = 0;
        if (c->o->progress == SA_SWEEP_PROGRESS_POINTS &&
            sa_point_now_s() - last_line >= HEARTBEAT_S - 1) {
          last_line = sa_point_now_s();
          char tb[32];
          fmt_dur(sa_point_now_s() - t0, tb, sizeof tb);
          fprintf(stderr, "sweep: [%d/%d] %d point(s) running, %s elapsed\n", done, total,
                  running, tb);
          fflush(stderr);
        } else if (c->o->progress == SA_SWEEP_PROGRESS_LINE) {
          progress(c, done, total, running, st->ran, t0, 0);
        }
      }
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
      st->ran++;
      finished(c, point, done, total, sa_point_now_s() - ws[slot].t0);
      last_line = sa_point_now_s();
    } else if (g_signal || (WIFSIGNALED(status) &&
                            (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))) {
      /* stopped by the interruption (a terminal's Ctrl-C reaches the workers too) */
      if (!g_signal) g_signal = WTERMSIG(status);
      st->not_run++;
    } else {
      st->failed++;
      if (!failed) {
        char id[SA_GRID_ID_MAX + 64];
        sa_grid_point_id(&c->g, point, id, sizeof id);
        if (WIFSIGNALED(status))
          sa_err_set(e, "point %s: worker killed by signal %d", id, WTERMSIG(status));
        else
          sa_err_set(e, "point %s: %s", id, msg[0] ? msg : "worker failed");
      }
      failed = 1;
    }
    progress(c, done, total, running, st->ran, t0, 0);
  }
  setitimer(ITIMER_REAL, &no_tick, NULL);
  sigaction(SIGALRM, &old_alrm, NULL);
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  st->not_run += n - next;
  st->interrupted = g_signal;
  if (!failed && !g_signal) progress(c, done, total, 0, st->ran, t0, 1);
  else if (c->o->progress == SA_SWEEP_PROGRESS_LINE) fputc('\n', stderr);
  free(ws);
  if (g_signal && !failed)
    sa_err_set(e, "interrupted by %s", g_signal == SIGINT ? "SIGINT" : "SIGTERM");
  return failed || g_signal ? -1 : 0;
}
