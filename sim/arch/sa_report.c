/* sa_report: text and JSON output of a cycle-model run. */
#include "sa_report.h"

#include "sa_out.h"

/* Tile counts, named for what they count (the same words in every sasp output):
 * weight tiles -- the R x C blocks of a layer's weight matrix, counted once per layer, as
 *   'sasp prune', the masks and points.csv count them;
 * tile passes -- (weight tile, command) pairs: each command (acc_rows rows of M, every
 *   execution of the layer) loads and streams each kept tile once, so a layer's tile passes
 *   are its weight tiles x commands. */
static int64_t weight_tiles(const sa_layer_result *l) { return l->kt * l->nt; }

/* Kept weight tiles of a layer: every command of it runs the same mask. */
static int64_t weight_tiles_kept(const sa_layer_result *l) {
  if (!l->counts.commands) return 0;
  SA_ASSERT(l->counts.tiles_kept % l->counts.commands == 0);
  return l->counts.tiles_kept / l->counts.commands;
}

static void json_counts(sa_json *j, const sa_counts *c) {
  sa_json_obj(j);
#define F(x) sa_json_key(j, #x), sa_json_int(j, c->x)
  F(commands);
  sa_json_key(j, "tile_passes"), sa_json_int(j, c->tiles);
  sa_json_key(j, "tile_passes_kept"), sa_json_int(j, c->tiles_kept);
  F(macs); F(pe_active); F(pe_idle);
  F(reg_weight); F(reg_act); F(reg_psum); F(wbuf_read); F(wbuf_write); F(abuf_read);
  F(abuf_write); F(obuf_read); F(obuf_write); F(dram_read); F(dram_write); F(mask_bytes);
  F(ins_write_weights); F(ins_queue); F(ins_stream); F(out_words); F(cpu_adds);
  F(walk_strips); F(walk_tiles); F(walk_words);
#undef F
  sa_json_end(j);
}

static void json_time(sa_json *j, const sa_time *t) {
  sa_json_obj(j);
#define F(x) sa_json_key(j, #x), sa_json_int(j, t->x)
  F(array); F(weight_load); F(compute); F(fill_drain); F(stall_weights); F(stall_acts);
  F(stall_outputs); F(accel);
#undef F
  sa_json_key(j, "host_gemm");
  sa_json_num(j, t->host_gemm);
  sa_json_end(j);
}

static void json_energy(sa_json *j, const sa_energy *en) {
  sa_json_obj(j);
#define F(x) sa_json_key(j, #x), sa_json_num(j, en->x)
  F(mac); F(reg); F(wbuf); F(abuf); F(obuf); F(dram); F(leak); F(clock); F(host); F(total);
#undef F
  sa_json_end(j);
}

static double utilisation(const sa_run_result *r, const sa_counts *c, const sa_time *t) {
  double pe_cycles = (double)(r->rows * r->cols) * (double)t->array;
  return pe_cycles > 0 ? (double)c->macs / pe_cycles : 0;
}

void sa_report_json_fields(sa_json *j, const char *key, const sa_report_field *f, int n) {
  if (key) sa_json_key(j, key), sa_json_obj(j);
  for (int i = 0; i < n; i++) {
    sa_json_key(j, f[i].key);
    if (f[i].is_int) sa_json_int(j, f[i].i);
    else sa_json_num(j, f[i].num);
  }
  if (key) sa_json_end(j);
}

void sa_report_json(sa_json *j, const sa_run_result *run, const sa_run_result *dense) {
  sa_json_key(j, "array");
  sa_json_obj(j);
  sa_json_key(j, "rows"), sa_json_int(j, run->rows);
  sa_json_key(j, "cols"), sa_json_int(j, run->cols);
  sa_json_key(j, "integration"), sa_json_str(j, sa_config_integration_name(run->integration));
  sa_json_end(j);
  sa_json_key(j, "footprint");
  sa_json_obj(j);
  sa_json_key(j, "weight_bytes"), sa_json_int(j, run->weight_bytes);
  sa_json_key(j, "meta_bytes"), sa_json_int(j, run->meta_bytes);
  sa_json_end(j);
  int64_t wt = 0, wk = 0;
  for (int i = 0; i < run->n_layers; i++)
    wt += weight_tiles(&run->layers[i]), wk += weight_tiles_kept(&run->layers[i]);
  sa_json_key(j, "totals");
  sa_json_obj(j);
  sa_json_key(j, "weight_tiles"), sa_json_int(j, wt);
  sa_json_key(j, "weight_tiles_kept"), sa_json_int(j, wk);
  sa_json_key(j, "time"), json_time(j, &run->time);
  sa_json_key(j, "counts"), json_counts(j, &run->counts);
  sa_json_key(j, "utilisation"), sa_json_num(j, utilisation(run, &run->counts, &run->time));
  sa_json_key(j, "host_ops_cycles"), sa_json_num(j, run->host_ops);
  sa_json_key(j, "system_host_cycles"), sa_json_num(j, run->host_system);
  sa_json_key(j, "host_only_cycles"), sa_json_num(j, run->host_only);
  sa_json_key(j, "seconds"), sa_json_num(j, run->seconds);
  sa_json_end(j);
  sa_json_key(j, "energy_pj"), json_energy(j, &run->energy);
  const sa_report_field area[] = {
      SA_REPORT_NUM("pe", run->area_pe_mm2), SA_REPORT_NUM("buffers", run->area_buf_mm2),
      SA_REPORT_NUM("controller", run->area_ctrl_mm2), SA_REPORT_NUM("total", run->area_mm2)};
  sa_report_json_fields(j, "area_mm2", area, (int)(sizeof area / sizeof area[0]));
  sa_json_key(j, "speedup");
  sa_json_obj(j);
  sa_json_key(j, "vs_dense");
  if (dense) sa_json_num(j, sa_run_speedup_vs_dense(run, dense));
  else sa_json_null(j);
  sa_json_key(j, "array_vs_dense");
  if (dense && run->time.array) sa_json_num(j, (double)dense->time.array / (double)run->time.array);
  else sa_json_null(j);
  sa_json_key(j, "vs_host_only"), sa_json_num(j, sa_run_speedup_vs_host(run));
  sa_json_end(j);
  sa_json_key(j, "layers");
  sa_json_arr(j);
  for (int i = 0; i < run->n_layers; i++) {
    const sa_layer_result *l = &run->layers[i];
    sa_json_obj(j);
    sa_json_key(j, "name"), sa_json_str(j, l->name);
    sa_json_key(j, "role"), sa_json_str(j, sa_manifest_role_name(l->role));
    sa_json_key(j, "m"), sa_json_int(j, l->m);
    sa_json_key(j, "k"), sa_json_int(j, l->k);
    sa_json_key(j, "n"), sa_json_int(j, l->n);
    sa_json_key(j, "count"), sa_json_int(j, l->count);
    sa_json_key(j, "tiles_k"), sa_json_int(j, l->kt);
    sa_json_key(j, "tiles_n"), sa_json_int(j, l->nt);
    sa_json_key(j, "weight_tiles"), sa_json_int(j, weight_tiles(l));
    sa_json_key(j, "weight_tiles_kept"), sa_json_int(j, weight_tiles_kept(l));
    sa_json_key(j, "masked"), sa_json_bool(j, l->pruned);
    sa_json_key(j, "weight_bytes"), sa_json_int(j, l->weight_bytes);
    sa_json_key(j, "meta_bytes"), sa_json_int(j, l->meta_bytes);
    sa_json_key(j, "utilisation"), sa_json_num(j, utilisation(run, &l->counts, &l->time));
    sa_json_key(j, "time"), json_time(j, &l->time);
    sa_json_key(j, "counts"), json_counts(j, &l->counts);
    sa_json_key(j, "energy_pj"), json_energy(j, &l->energy);
    sa_json_end(j);
  }
  sa_json_end(j);
}

int sa_report_write_json(const char *path, const sa_config *cfg, const char *manifest_path,
                         const char *mask_path, const sa_run_result *run,
                         const sa_run_result *dense, sa_report_extra_fn *extra,
                         const void *extra_ctx, sa_err *e) {
  sa_out o;
  if (sa_out_open(&o, path, e)) return -1;
  sa_json j;
  sa_json_init(&j, o.f, 1);
  sa_json_obj(&j);
  sa_json_provenance(&j);
  sa_json_key(&j, "config"), sa_config_write_json(cfg, &j);
  sa_json_key(&j, "manifest"), sa_json_str(&j, manifest_path);
  sa_json_key(&j, "mask"), sa_json_str(&j, mask_path);
  sa_report_json(&j, run, dense);
  if (extra) extra(&j, extra_ctx);
  sa_json_end(&j);
  fputc('\n', o.f);
  return sa_out_commit(&o, e);
}

static double nj(double pj) { return pj / 1e3; }

void sa_report_print(FILE *f, const sa_config *cfg, const sa_run_result *run,
                     const sa_run_result *dense) {
  const sa_time *t = &run->time;
  const sa_counts *c = &run->counts;
  fprintf(f, "array %lldx%lld, integration %s, activations %s, accelerator %.0f MHz, host %.0f "
          "MHz", (long long)run->rows, (long long)run->cols,
          sa_config_integration_name(run->integration), sa_config_act_type_name(cfg->hw.act_type),
          cfg->hw.clock_mhz, cfg->host.clock_mhz);
  if (run->integration == SA_INTEG_CPU_FED)
    fprintf(f, ", skip format %s", sa_config_skip_format_name(cfg->hw.skip_format));
  /* x: executions per inference; cmds: commands per execution; tiles: weight tiles of the
   * layer kept/all (what 'sasp prune' counts); cycles and energy: all executions; weight_B,
   * meta_B: the layer's stored weights and skip metadata (once, docs/timing.md §8.3) */
  fprintf(f, "\n%-22s %-11s %16s %5s %5s %11s %12s %12s %14s %12s %10s %8s\n", "layer", "role",
          "MxKxN", "x", "cmds", "tiles", "array_cyc", "stall_cyc", "host_cyc", "energy_nJ",
          "weight_B", "meta_B");
  int64_t wt = 0, wk = 0;
  for (int i = 0; i < run->n_layers; i++) {
    const sa_layer_result *l = &run->layers[i];
    char shape[64], tiles[48];
    snprintf(shape, sizeof shape, "%lldx%lldx%lld", (long long)l->m, (long long)l->k,
             (long long)l->n);
    snprintf(tiles, sizeof tiles, "%lld/%lld", (long long)weight_tiles_kept(l),
             (long long)weight_tiles(l));
    wt += weight_tiles(l), wk += weight_tiles_kept(l);
    int64_t st = l->time.stall_weights + l->time.stall_acts + l->time.stall_outputs;
    fprintf(f, "%-22.22s %-11s %16s %5lld %5lld %11s %12lld %12lld %14.0f %12.1f %10lld %8lld\n",
            l->name, sa_manifest_role_name(l->role), shape, (long long)l->count,
            (long long)(l->counts.commands / (l->count ? l->count : 1)), tiles,
            (long long)l->time.array, (long long)st, l->time.host_gemm, nj(l->energy.total),
            (long long)l->weight_bytes, (long long)l->meta_bytes);
  }
  fprintf(f, "\ntotals per inference\n");
  fprintf(f, "  weight tiles kept %lld of %lld (%.1f %%; R x C blocks of the weights, once per "
          "layer, as 'sasp prune' counts)\n", (long long)wk, (long long)wt,
          wt ? 100.0 * (double)wk / (double)wt : 0.0);
  fprintf(f, "  commands %lld; tile passes kept %lld of %lld (%.1f %%; weight tiles x commands: "
          "each command loads and streams every kept tile of its layer once)\n",
          (long long)c->commands, (long long)c->tiles_kept, (long long)c->tiles,
          c->tiles ? 100.0 * (double)c->tiles_kept / (double)c->tiles : 0.0);
  fprintf(f, "  array cycles %lld = weight load %lld + compute %lld + fill/drain %lld; "
          "utilisation %.3f\n", (long long)t->array, (long long)t->weight_load,
          (long long)t->compute, (long long)t->fill_drain, utilisation(run, c, t));
  if (run->integration == SA_INTEG_DMA)
    fprintf(f, "  memory stalls: weights %lld, activations %lld, outputs %lld; accelerator busy "
            "%lld cycles\n", (long long)t->stall_weights, (long long)t->stall_acts,
            (long long)t->stall_outputs, (long long)t->accel);
  else
    fprintf(f, "  cpu_fed instructions: write_weights %lld, queue %lld, stream %lld; output words "
            "added %lld (%lld element adds); skip walk: %lld headers, %lld tiles tested, %lld "
            "words scanned\n", (long long)c->ins_write_weights, (long long)c->ins_queue,
            (long long)c->ins_stream, (long long)c->out_words, (long long)c->cpu_adds,
            (long long)c->walk_strips, (long long)c->walk_tiles, (long long)c->walk_words);
  fprintf(f, "  footprint: weights %lld B + skip metadata %lld B\n", (long long)run->weight_bytes,
          (long long)run->meta_bytes);
  fprintf(f, "  host cycles: GEMMs %.0f + host ops %.0f = %.0f (%.6f s); host-only %.0f\n",
          t->host_gemm, run->host_ops, run->host_system, run->seconds, run->host_only);
  fprintf(f, "  counts: MACs %lld, PE-cycles active %lld idle %lld, registers %.0f B, "
          "SRAM w %lld/%lld a %lld/%lld o %lld/%lld B (read/write), DRAM %lld/%lld B, mask %lld B\n",
          (long long)c->macs, (long long)c->pe_active, (long long)c->pe_idle,
          (double)c->reg_weight + (double)c->reg_act + (double)c->reg_psum, (long long)c->wbuf_read,
          (long long)c->wbuf_write, (long long)c->abuf_read, (long long)c->abuf_write,
          (long long)c->obuf_read, (long long)c->obuf_write, (long long)c->dram_read,
          (long long)c->dram_write, (long long)c->mask_bytes);
  const sa_energy *en = &run->energy;
  fprintf(f, "  energy %.1f nJ: MAC %.1f, registers %.1f, SRAM w %.1f a %.1f o %.1f, DRAM %.1f, "
          "leakage %.1f, clock %.1f, host %.1f\n", nj(en->total), nj(en->mac), nj(en->reg),
          nj(en->wbuf), nj(en->abuf), nj(en->obuf), nj(en->dram), nj(en->leak),
          nj(en->clock), nj(en->host));
  fprintf(f, "  area %.4f mm^2: PEs %.4f, buffers %.4f, controller %.4f\n", run->area_mm2,
          run->area_pe_mm2, run->area_buf_mm2, run->area_ctrl_mm2);
  if (dense)
    fprintf(f, "  speed-up vs the same array dense: %.3f system, %.3f array\n",
            sa_run_speedup_vs_dense(run, dense),
            run->time.array ? (double)dense->time.array / (double)run->time.array : 0.0);
  fprintf(f, "  speed-up vs host-only: %.3f\n", sa_run_speedup_vs_host(run));
}
