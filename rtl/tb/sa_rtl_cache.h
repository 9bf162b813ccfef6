// sa_rtl_cache: RTL models of array sizes that are not compiled into this build, built on
// first use (Verilator -> C++ -> a shared object) into a per-user cache and loaded with
// dlopen. Internal to the harness (sa_rtl.cpp); the user-visible contract is in sa_rtl.h and
// rtl/README.md ("Models built on demand").
//
// Cache: $SASP_RTL_CACHE, else $XDG_CACHE_HOME/sasp/rtl, else $HOME/.cache/sasp/rtl. An entry
// is a directory RxC-<key> (key: hash of the embedded RTL and harness sources, the Verilator
// version, flags, compiler and the model's bounds) holding model.so, key.txt, build.log and
// ok (size and hash of model.so, written last). One lock file per entry (flock) makes
// concurrent processes build it once; a build happens in a temporary directory renamed into
// place, so the cache never holds a half-written entry; an entry whose ok file does not
// match its model.so (or that does not load) is rebuilt. A failed build leaves only its log,
// in failed/RxC-<key>.log.
// Test hooks (environment): SASP_RTL_CACHE (the cache directory), SASP_VERILATOR (the
// verilator program), SASP_RTL_SRC (a directory whose files replace the embedded sources of
// the same name).
#ifndef SA_RTL_CACHE_H
#define SA_RTL_CACHE_H

#include <cstddef>
#include <string>

class SaRtlModel;
class VerilatedContext;

// One embedded source file (rtl/embed.py); the table ends with a null name.
struct SaRtlSrcFile {
  const char *name;
  std::size_t size;
  const char *data;
};
extern const SaRtlSrcFile kSaRtlSrc[];

typedef SaRtlModel *(*SaRtlFactory)(VerilatedContext *ctx);

// The factory of the rows x cols model from the cache (fp32 activations if act_fp: a separate
// entry RxC-fp32-<key>; its traced, waves-capable variant if traced: RxC[-fp32]-trace-<key>),
// building it first if needed (progress on stderr). Returns nullptr with a one-line message in *err when it cannot be had (verilator,
// make or the compiler missing, a failed build: the message names the log). Sizes are
// checked by the caller.
SaRtlFactory sa_rtl_cache_factory(int rows, int cols, bool act_fp, bool traced,
                                  std::string *err);

#endif
