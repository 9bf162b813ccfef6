// Unit test of the RTL's fp32 arithmetic (rtl/sa_fp32_mul.sv, rtl/sa_fp32_add.sv through the
// test top tests/rtl/sa_fp32_unit.sv) against the C compiler's float arithmetic, bit for bit:
// p = a * (float)w and s = a + b, round to nearest even, no contraction (-ffp-contract=off),
// no flush-to-zero. Where C's result is a NaN the RTL must give its one quiet NaN 0x7fc00000
// (C's NaN sign and payload are the CPU's choice). Operands: every int8 weight against a table
// of edge values (zeros, subnormals, the normal boundary, the largest finite, infinities,
// NaNs, values whose products and sums round at ties), then N random pairs of each operation
// drawn from a seeded mix: uniform bit patterns, operands of nearby exponents (cancellation,
// alignment by 0 .. 30 places), one operand near the other's negation, products near the
// overflow and subnormal thresholds.
// usage: test_rtl_fp32 SEED N; exit 0 when all agree, 1 with the first mismatches printed.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "Vsa_fp32_unit.h"
#include "verilated.h"

namespace {

uint64_t rs;
uint64_t rnd() {  // splitmix64
  uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float flt(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// The C reference; volatile keeps the compiler from folding or fusing anything.
uint32_t c_mul(uint32_t a, int8_t w) {
  volatile float x = flt(a);
  volatile float wf = (float)w;
  float p = x * wf;
  return bits(p);
}
uint32_t c_add(uint32_t a, uint32_t b) {
  volatile float x = flt(a), y = flt(b);
  float s = x + y;
  return bits(s);
}

bool is_nan(uint32_t u) { return (u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu); }

struct checker {
  Vsa_fp32_unit *m;
  uint64_t muls = 0, adds = 0, fails = 0;

  bool same(uint32_t rtl, uint32_t c) const { return is_nan(c) ? rtl == 0x7fc00000u : rtl == c; }
  void mul(uint32_t a, int8_t w) {
    m->a_i = a;
    m->w_i = (uint8_t)w;
    m->eval();
    uint32_t r = m->p_o, c = c_mul(a, w);
    muls++;
    if (!same(r, c) && fails++ < 10)
      std::printf("mul %08" PRIx32 " (%a) * %d: rtl %08" PRIx32 ", C %08" PRIx32 "\n", a,
                  (double)flt(a), w, r, c);
  }
  void add(uint32_t a, uint32_t b) {
    m->a_i = a;
    m->b_i = b;
    m->eval();
    uint32_t r = m->s_o, c = c_add(a, b);
    adds++;
    if (!same(r, c) && fails++ < 10)
      std::printf("add %08" PRIx32 " (%a) + %08" PRIx32 " (%a): rtl %08" PRIx32 ", C %08" PRIx32
                  "\n", a, (double)flt(a), b, (double)flt(b), r, c);
  }
};

// An operand of the random mix: a uniform bit pattern, or a finite value of an exponent
// near the ends (subnormals, the largest exponents) or in the middle.
uint32_t operand() {
  uint64_t r = rnd();
  uint32_t sign = (uint32_t)(r >> 63) << 31, frac = (uint32_t)(r >> 20) & 0x7fffffu;
  switch (r % 8) {
    case 0: case 1: return (uint32_t)(r >> 32);
    case 2: return sign | frac >> (r >> 8 & 31);                       // subnormal
    case 3: return sign | (uint32_t)(1 + (r >> 8) % 8) << 23 | frac;   // tiny normal
    case 4: return sign | (uint32_t)(247 + (r >> 8) % 8) << 23 | frac; // near overflow
    case 5: return sign | (uint32_t)(127 + (int)((r >> 8) % 17) - 8) << 23 | (frac & ~0xffu);
    default: return sign | (uint32_t)(1 + (r >> 8) % 254) << 23 | frac;
  }
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: test_rtl_fp32 SEED N\n");
    return 2;
  }
  rs = std::strtoull(argv[1], nullptr, 10);
  const uint64_t n = std::strtoull(argv[2], nullptr, 10);
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->commandArgs(0, static_cast<const char **>(nullptr));
  auto model = std::make_unique<Vsa_fp32_unit>(ctx.get());
  checker ck{model.get()};

  const uint32_t edge[] = {
      0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x00000002, 0x00000003, 0x007fffff,
      0x807fffff, 0x00400000, 0x00400001, 0x00800000, 0x80800000, 0x00800001, 0x00ffffff,
      0x3f800000, 0xbf800000, 0x3f800001, 0x3fffffff, 0x3f7fffff, 0x3fc00000, 0x40000000,
      0x3effffff, 0x3f000000, 0x3f000001, 0x4b000000, 0x4b7fffff, 0x7f000000, 0x7f7fffff,
      0xff7fffff, 0x7effffff, 0x7b800000, 0x7b800001, 0x7c000000, 0x7f800000, 0xff800000,
      0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0x34000000, 0x33800000, 0x33ffffff,
      0x0b800000, 0x0c000000, 0x01000000, 0x00800002, 0x3dcccccd, 0xbdcccccd, 0x40490fdb,
  };
  const size_t ne = sizeof edge / sizeof edge[0];
  for (size_t i = 0; i < ne; i++) {
    for (int w = -128; w <= 127; w++) ck.mul(edge[i], (int8_t)w);
    for (size_t j = 0; j < ne; j++) ck.add(edge[i], edge[j]);
  }
  for (uint64_t i = 0; i < n; i++) {
    uint32_t a = operand();
    uint64_t r = rnd();
    ck.mul(a, (int8_t)(r & 0xff));
    uint32_t b;
    switch (r >> 8 & 3) {
      case 0: b = operand(); break;
      case 1: b = (a ^ 0x80000000u) + (uint32_t)((int)(r >> 16 & 7) - 3); break;  // ~ -a
      default: {                                                   // exponent a's +- 0 .. 30
        int e = (int)(a >> 23 & 0xff) + (int)(r >> 16 & 63) - 31;
        e = e < 0 ? 0 : e > 254 ? 254 : e;
        b = (uint32_t)(r >> 63) << 31 | (uint32_t)e << 23 | (uint32_t)(r >> 24 & 0x7fffff);
      }
    }
    ck.add(a, b);
  }
  model->final();
  std::printf("fp32 units: %" PRIu64 " products, %" PRIu64 " sums compared with C: %s (%" PRIu64
              " mismatches)\n", ck.muls, ck.adds, ck.fails ? "FAIL" : "ok", ck.fails);
  return ck.fails ? 1 : 0;
}
