// sa_rtl_cache: RTL models built on demand into a per-user cache (sa_rtl_cache.h).
#include "sa_rtl_cache.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sa_rtl_build.h"

namespace {

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// FNV-1a, 64 bits: a cache key and a corruption check, not a security measure.
struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void add(const void *p, size_t n) {
    const unsigned char *b = static_cast<const unsigned char *>(p);
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  void add(const std::string &s) {
    add(s.data(), s.size());
    add("\0", 1);
  }
  std::string hex() const { return fmt("%016llx", static_cast<unsigned long long>(h)); }
};

std::vector<std::string> split_ws(const std::string &s) {
  std::vector<std::string> v;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') i++;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') j++;
    if (j > i) v.push_back(s.substr(i, j - i));
    i = j;
  }
  return v;
}

bool read_file(const std::string &path, std::string *out) {
  FILE *f = fopen(path.c_str(), "rb");
  if (!f) return false;
  out->clear();
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  bool ok = !ferror(f);
  fclose(f);
  return ok;
}

bool write_file(const std::string &path, const std::string &data) {
  FILE *f = fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = fflush(f) == 0 && ok;
  ok = fsync(fileno(f)) == 0 && ok;
  return fclose(f) == 0 && ok;
}

int mkdir_p(const std::string &dir) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); i++) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      cur = dir.substr(0, i);
      if (mkdir(cur.c_str(), 0755) && errno != EEXIST) return -1;
    }
  }
  return 0;
}

void rm_rf(const std::string &path) {
  struct stat st;
  if (lstat(path.c_str(), &st)) return;
  if (S_ISDIR(st.st_mode)) {
    if (DIR *d = opendir(path.c_str())) {
      while (struct dirent *e = readdir(d)) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        rm_rf(path + "/" + e->d_name);
      }
      closedir(d);
    }
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

// The program's path: as given when it contains '/', else found on PATH; "" if missing.
std::string find_prog(const std::string &name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) ? "" : name;
  const char *path = getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find(':', i);
    if (j == std::string::npos) j = p.size();
    std::string cand = (j > i ? p.substr(i, j - i) : ".") + "/" + name;
    if (!access(cand.c_str(), X_OK)) return cand;
    i = j + 1;
  }
  return "";
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string cache_root() {
  const char *e = getenv("SASP_RTL_CACHE");
  if (e && *e) return e;
  e = getenv("XDG_CACHE_HOME");
  if (e && *e) return std::string(e) + "/sasp/rtl";
  e = getenv("HOME");
  return std::string(e && *e ? e : "/tmp") + "/.cache/sasp/rtl";
}

// The sources a model is built from: the embedded copies, each replaced by the file of the
// same name in $SASP_RTL_SRC when that directory has one.
bool gather_sources(std::vector<std::pair<std::string, std::string>> *out, std::string *err) {
  const char *over = getenv("SASP_RTL_SRC");
  for (const SaRtlSrcFile *f = kSaRtlSrc; f->name; f++) {
    std::string data(f->data, f->size);
    if (over && *over) {
      std::string p = std::string(over) + "/" + f->name, alt;
      if (!access(p.c_str(), F_OK) && !read_file(p, &alt)) {
        *err = fmt("%s: cannot read (SASP_RTL_SRC)", p.c_str());
        return false;
      }
      if (!access(p.c_str(), F_OK)) data = alt;
    }
    out->emplace_back(f->name, data);
  }
  return true;
}

// Runs argv with stdout and stderr appended to log_fd; while it runs, tick() is called about
// twice a second. Returns the exit status (128 + signal if killed, 127 if it cannot start).
template <class Tick>
int run(const std::vector<std::string> &argv, int log_fd, Tick tick) {
  std::string line = "$";
  for (const auto &a : argv) line += " " + a;
  line += "\n";
  if (write(log_fd, line.data(), line.size()) < 0) return 127;
  pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) dup2(nul, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    std::vector<char *> av;
    for (const auto &a : argv) av.push_back(const_cast<char *>(a.c_str()));
    av.push_back(nullptr);
    execvp(av[0], av.data());
    _exit(127);
  }
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (r < 0 && errno != EINTR) return 127;
    tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

int count_suffix(const std::string &dir, const char *suffix) {
  int n = 0;
  size_t sl = strlen(suffix);
  if (DIR *d = opendir(dir.c_str())) {
    while (struct dirent *e = readdir(d)) {
      size_t l = strlen(e->d_name);
      if (l > sl && !strcmp(e->d_name + l - sl, suffix)) n++;
    }
    closedir(d);
  }
  return n;
}

// Progress of one build on stderr: a line per stage, and while compiling the files done so
// far (rewritten in place on a terminal, else at most every 10 s).
struct Progress {
  std::string tag;
  bool tty = isatty(2);
  double t0 = now_s(), last = 0;
  int shown = -1;
  void stage(const char *what) { fprintf(stderr, "sasp: rtl %s: %s\n", tag.c_str(), what); }
  void files(int done, int total, bool force = false) {
    if (done == shown || (!force && !tty && now_s() - last < 10)) return;
    shown = done;
    last = now_s();
    fprintf(stderr, tty ? "\rsasp: rtl %s: compiled %d of %d files (%.0f s)" :
                          "sasp: rtl %s: compiled %d of %d files (%.0f s)\n",
            tag.c_str(), done, total, now_s() - t0);
  }
  void end_files() {
    if (tty && shown >= 0) fputc('\n', stderr);
  }
};

// ok file: "<size> <fnv of model.so>". True when model.so matches it.
bool entry_valid(const std::string &dir, std::string *why) {
  std::string ok, so;
  if (!read_file(dir + "/ok", &ok)) {
    *why = "no ok stamp";
    return false;
  }
  if (!read_file(dir + "/model.so", &so)) {
    *why = "model.so unreadable";
    return false;
  }
  Fnv h;
  h.add(so.data(), so.size());
  std::string want = fmt("%zu %s\n", so.size(), h.hex().c_str());
  if (ok != want) {
    *why = "model.so does not match its ok stamp";
    return false;
  }
  return true;
}

SaRtlFactory load(const std::string &dir, std::string *why) {
  void *h = dlopen((dir + "/model.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *d = dlerror();
    *why = fmt("dlopen: %s", d ? d : "failed");
    return nullptr;
  }
  void *sym = dlsym(h, "sa_rtl_dyn_make");
  if (!sym) {
    *why = "model.so has no sa_rtl_dyn_make";
    dlclose(h);
    return nullptr;
  }
  // Never closed: models made by it may live until the process ends.
  SaRtlFactory f;
  static_assert(sizeof f == sizeof sym, "function and object pointers differ");
  memcpy(&f, &sym, sizeof f);
  return f;
}

struct BuildSpec {
  int rows, cols;
  bool act_fp;  // fp32 activations (sa_top's ActFp = 1, docs/timing.md §1.1)
  bool traced;  // the waves-capable variant (--trace-fst, VM_TRACE=1)
  std::string tag, entry, dir, root, key_text;
  std::vector<std::pair<std::string, std::string>> src;
};

// Builds the entry into a temporary directory and renames it into place. The caller holds
// the entry's lock.
bool build(const BuildSpec &b, std::string *err) {
  const std::string tmp = fmt("%s/.tmp-%s-%d", b.root.c_str(), b.entry.c_str(), (int)getpid());
  const std::string failed_dir = b.root + "/failed";
  const std::string failed_log = failed_dir + "/" + b.entry + ".log";
  // Leftovers of builds of this entry that were killed (we hold the lock: none is running).
  if (DIR *d = opendir(b.root.c_str())) {
    std::string pre = ".tmp-" + b.entry + "-";
    std::vector<std::string> stale;
    while (struct dirent *e = readdir(d))
      if (!strncmp(e->d_name, pre.c_str(), pre.size())) stale.push_back(b.root + "/" + e->d_name);
    closedir(d);
    for (const auto &s : stale) rm_rf(s);
  }
  if (mkdir_p(tmp + "/src") || mkdir_p(tmp + "/obj")) {
    *err = fmt("%s: cannot create: %s", tmp.c_str(), strerror(errno));
    return false;
  }
  const std::string log = tmp + "/build.log";
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (log_fd < 0) {
    *err = fmt("%s: cannot create: %s", log.c_str(), strerror(errno));
    rm_rf(tmp);
    return false;
  }
  Progress pr;
  pr.tag = b.tag;
  auto fail = [&](const std::string &msg) {
    close(log_fd);
    mkdir_p(failed_dir);
    bool kept = rename(log.c_str(), failed_log.c_str()) == 0;
    rm_rf(tmp);
    *err = fmt("building the RTL model of a %s array failed: %s (log: %s)", b.tag.c_str(),
               msg.c_str(), kept ? failed_log.c_str() : "lost");
    return false;
  };
  std::string keyline = b.key_text;
  if (write(log_fd, keyline.data(), keyline.size()) < 0) return fail("cannot write the log");
  std::vector<std::string> sv;
  for (const auto &f : b.src) {
    if (!write_file(tmp + "/src/" + f.first, f.second))
      return fail(fmt("cannot write %s/src/%s", tmp.c_str(), f.first.c_str()));
    size_t l = f.first.size();
    if (l > 3 && f.first.compare(l - 3, 3, ".sv") == 0) sv.push_back(tmp + "/src/" + f.first);
  }

  // Verilator.
  std::string verilator = find_prog(getenv("SASP_VERILATOR") && *getenv("SASP_VERILATOR") ?
                                        getenv("SASP_VERILATOR") : SA_RTL_VERILATOR);
  std::vector<std::string> va = {verilator};
  for (const auto &a : split_ws(SA_RTL_VERILATOR_ARGS)) va.push_back(a);
  if (b.traced)
    for (const auto &a : split_ws(SA_RTL_VERILATOR_TRACE_ARGS)) va.push_back(a);
  va.push_back("-I" + tmp + "/src");  // `include "sa_assert.svh"
  va.insert(va.end(), {"--top-module", "sa_top", "--prefix", "Vsa_top_dyn", "--Mdir",
                       tmp + "/obj", fmt("-GRows=%d", b.rows), fmt("-GCols=%d", b.cols),
                       fmt("-GMaxM=%d", SA_RTL_MAX_M), tmp + "/src/sa_lint.vlt"});
  if (b.act_fp) va.insert(va.end() - 1, "-GActFp=1'b1");
  va.insert(va.end(), sv.begin(), sv.end());
  // The runtime compiled into this executable is of the configured version; a model
  // generated by another Verilator would not match it.
  std::string ver;
  if (FILE *p = popen(("'" + verilator + "' --version 2>/dev/null").c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p)) ver += buf;
    pclose(p);
  }
  while (!ver.empty() && (ver.back() == '\n' || ver.back() == ' ')) ver.pop_back();
  if (ver != SA_RTL_VL_VERSION)
    return fail(fmt("%s is '%s' but this sasp was built with '%s' (rebuild sasp)",
                    verilator.c_str(), ver.c_str(), SA_RTL_VL_VERSION));
  pr.stage("verilating");
  int rc = run(va, log_fd, [] {});
  if (rc) return fail(fmt("verilator exited with status %d", rc));

  // The model's C++ (Verilator's makefile), position-independent.
  std::string opt = (b.rows >= 32 || b.cols >= 32) ? SA_RTL_OPT_BIG : SA_RTL_OPT_SMALL;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  std::vector<std::string> ma = {SA_RTL_MAKE, "-C", tmp + "/obj", "-f", "Vsa_top_dyn.mk",
                                 fmt("-j%ld", ncpu < 1 ? 1 : ncpu > 8 ? 8 : ncpu),
                                 std::string("CXX=") + SA_RTL_CXX, "OPT_FAST=" + opt,
                                 "OPT_SLOW=-O0", "OPT_GLOBAL=-O1",
                                 "USER_CPPFLAGS=-w -fPIC", "Vsa_top_dyn__ALL.a"};
  int total = count_suffix(tmp + "/obj", ".cpp");
  rc = run(ma, log_fd, [&] { pr.files(count_suffix(tmp + "/obj", ".o"), total); });
  pr.files(count_suffix(tmp + "/obj", ".o"), total, true);
  pr.end_files();
  if (rc) return fail(fmt("compiling the model exited with status %d", rc));

  // The harness glue and the model linked into one shared object exporting only the factory;
  // the Verilator runtime comes from the executable (linked with -rdynamic).
  if (!write_file(tmp + "/exports.map", "{ global: sa_rtl_dyn_make; local: *; };\n"))
    return fail("cannot write exports.map");
  std::vector<std::string> la = split_ws(SA_RTL_CXX);
  for (const auto &a : split_ws(SA_RTL_CXX_ARGS)) la.push_back(a);
  for (const auto &a : split_ws(SA_RTL_VL_DEFINES)) la.push_back(a);
  for (const auto &a : split_ws(b.traced ? SA_RTL_VL_TRACE_ON : SA_RTL_VL_TRACE_OFF))
    la.push_back(a);
  la.insert(la.end(),
            {"-shared", "-fPIC", "-O1", "-w", "-I" + tmp + "/obj", "-I" + tmp + "/src",
             std::string("-I") + SA_RTL_VL_INCLUDE,
             std::string("-I") + SA_RTL_VL_INCLUDE + "/vltstd",
             fmt("-DSA_RTL_ROWS=%d", b.rows), fmt("-DSA_RTL_COLS=%d", b.cols),
             "-DSA_RTL_CLASS=Vsa_top_dyn", "-DSA_RTL_HEADER=\"Vsa_top_dyn.h\"",
             "-DSA_RTL_FACTORY=sa_rtl_dyn_make", fmt("-DSA_RTL_MAX_M=%d", SA_RTL_MAX_M),
             fmt("-DSA_RTL_ACT_FP=%d", b.act_fp ? 1 : 0),
             tmp + "/src/sa_rtl_size.cpp", tmp + "/obj/Vsa_top_dyn__ALL.a",
             "-Wl,--version-script=" + tmp + "/exports.map", "-o", tmp + "/model.so"});
  pr.stage("linking model.so");
  rc = run(la, log_fd, [] {});
  if (rc) return fail(fmt("linking model.so exited with status %d", rc));

  std::string so;
  if (!read_file(tmp + "/model.so", &so)) return fail("model.so was not written");
  Fnv h;
  h.add(so.data(), so.size());
  if (!write_file(tmp + "/key.txt", b.key_text) ||
      !write_file(tmp + "/ok", fmt("%zu %s\n", so.size(), h.hex().c_str())))
    return fail("cannot write the ok stamp");
  close(log_fd);
  rm_rf(tmp + "/obj");  // intermediate files: the entry keeps model.so and the log
  rm_rf(tmp + "/src");
  rm_rf(tmp + "/exports.map");
  rm_rf(b.dir);  // a damaged entry (checked by the caller under the lock)
  if (rename(tmp.c_str(), b.dir.c_str())) {
    *err = fmt("%s: cannot rename into %s: %s", tmp.c_str(), b.dir.c_str(), strerror(errno));
    rm_rf(tmp);
    return false;
  }
  unlink(failed_log.c_str());
  fprintf(stderr, "sasp: rtl %s: built in %.1f s, cached in %s\n", b.tag.c_str(),
          now_s() - pr.t0, b.dir.c_str());
  return true;
}

std::mutex g_mu;
std::map<std::string, SaRtlFactory> g_loaded;  // entry directory -> factory (this process)

}  // namespace

SaRtlFactory sa_rtl_cache_factory(int rows, int cols, bool act_fp, bool traced,
                                  std::string *err) {
  BuildSpec b;
  b.rows = rows;
  b.cols = cols;
  b.act_fp = act_fp;
  b.traced = traced;
  b.tag = fmt("%dx%d%s", rows, cols, act_fp ? "-fp32" : "");  // the size and the data path
  b.root = cache_root();
  if (!gather_sources(&b.src, err)) return nullptr;
  // The key: everything the model depends on.
  Fnv h;
  b.key_text = fmt("size %s\nverilator %s\nverilator args %s%s%s\nopt %s / %s\ncxx %s %s\n"
                   "defines %s %s\nbounds M %d\n",
                   b.tag.c_str(), SA_RTL_VL_VERSION, SA_RTL_VERILATOR_ARGS,
                   traced ? " " : "", traced ? SA_RTL_VERILATOR_TRACE_ARGS : "",
                   SA_RTL_OPT_SMALL, SA_RTL_OPT_BIG, SA_RTL_CXX, SA_RTL_CXX_ARGS,
                   SA_RTL_VL_DEFINES, traced ? SA_RTL_VL_TRACE_ON : SA_RTL_VL_TRACE_OFF,
                   SA_RTL_MAX_M);
  h.add(b.key_text);
  for (const auto &f : b.src) {
    h.add(f.first);
    h.add(f.second);
    Fnv one;
    one.add(f.second.data(), f.second.size());
    b.key_text += "source " + f.first + " " + one.hex() + "\n";
  }
  b.entry = b.tag + (traced ? "-trace-" : "-") + h.hex();
  b.dir = b.root + "/" + b.entry;

  std::lock_guard<std::mutex> guard(g_mu);
  auto it = g_loaded.find(b.dir);
  if (it != g_loaded.end()) return it->second;

  if (mkdir_p(b.root)) {
    *err = fmt("%s: cannot create the RTL model cache: %s", b.root.c_str(), strerror(errno));
    return nullptr;
  }
  std::string lock_path = b.dir + ".lock";
  int lfd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lfd < 0) {
    *err = fmt("%s: cannot open: %s", lock_path.c_str(), strerror(errno));
    return nullptr;
  }
  if (flock(lfd, LOCK_EX | LOCK_NB)) {
    fprintf(stderr, "sasp: rtl %s: waiting for another process building it (%s)\n",
            b.tag.c_str(), lock_path.c_str());
    while (flock(lfd, LOCK_EX) && errno == EINTR) {
    }
  }
  SaRtlFactory f = nullptr;
  std::string why;
  struct stat st;
  if (!stat(b.dir.c_str(), &st)) {
    if (entry_valid(b.dir, &why)) f = load(b.dir, &why);
    if (!f)
      fprintf(stderr, "sasp: rtl %s: cached model %s is damaged (%s); rebuilding\n",
              b.tag.c_str(), b.dir.c_str(), why.c_str());
  }
  if (!f) {
    // Tools first, so a missing one is named rather than a build log.
    std::string missing;
    const char *vl = getenv("SASP_VERILATOR") && *getenv("SASP_VERILATOR") ?
                         getenv("SASP_VERILATOR") : SA_RTL_VERILATOR;
    if (find_prog(vl).empty())
      missing = fmt("verilator not found ('%s'; install Debian's verilator package)", vl);
    else if (find_prog(SA_RTL_MAKE).empty())
      missing = fmt("make not found ('%s')", SA_RTL_MAKE);
    else if (find_prog(split_ws(SA_RTL_CXX)[0]).empty())
      missing = fmt("the C++ compiler '%s' not found", SA_RTL_CXX);
    if (!missing.empty()) {
      *err = fmt("cannot build the RTL model of a %s array: %s", b.tag.c_str(),
                 missing.c_str());
    } else {
      fprintf(stderr,
              "sasp: rtl %s: building the %sRTL model (first use of this size; cache %s)\n",
              b.tag.c_str(), traced ? "traced (waves) " : "", b.root.c_str());
      if (build(b, err)) {
        f = load(b.dir, &why);
        if (!f) {
          *err = fmt("the RTL model of a %s array was built but does not load: %s",
                     b.tag.c_str(), why.c_str());
          rm_rf(b.dir);
        }
      }
    }
  }
  flock(lfd, LOCK_UN);
  close(lfd);
  if (f) g_loaded[b.dir] = f;
  return f;
}
