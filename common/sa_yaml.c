/* sa_yaml: libyaml event stream -> located node tree. */
#include "sa_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "sa_file.h"

enum { MAX_DEPTH = 64, MAX_FILE_BYTES = 16 << 20, MAX_NODES = 1 << 20 };

struct sa_yaml_doc {
  char *file;
  sa_yaml_node *root;
};

typedef struct parser {
  yaml_parser_t p;
  const char *file;
  long nodes;
  sa_err *e;
} parser;

static void node_free(sa_yaml_node *n) {
  if (!n) return;
  free(n->scalar);
  for (size_t i = 0; i < n->n; i++) {
    node_free(n->items[i]);
    if (n->keys) node_free(n->keys[i]);
  }
  free(n->items);
  free(n->keys);
  free(n);
}

static int fail_at(parser *ps, const yaml_mark_t *m, const char *msg) {
  return sa_err_set(ps->e, "%s:%zu:%zu: %s", ps->file, m->line + 1, m->column + 1, msg);
}

static int next_event(parser *ps, yaml_event_t *ev) {
  if (yaml_parser_parse(&ps->p, ev)) return 0;
  const char *prob = ps->p.problem ? ps->p.problem : "malformed YAML";
  return sa_err_set(ps->e, "%s:%zu:%zu: YAML syntax error: %s", ps->file,
                    ps->p.problem_mark.line + 1, ps->p.problem_mark.column + 1, prob);
}

static sa_yaml_node *new_node(parser *ps, sa_yaml_kind kind, const yaml_mark_t *m) {
  if (++ps->nodes > MAX_NODES) {
    fail_at(ps, m, "document too large (more than 1048576 nodes)");
    return NULL;
  }
  sa_yaml_node *n = sa_calloc(1, sizeof *n, ps->e);
  if (!n) return NULL;
  n->kind = kind;
  n->file = ps->file;
  n->line = (int)m->line + 1;
  n->col = (int)m->column + 1;
  return n;
}

static int push(parser *ps, sa_yaml_node *parent, sa_yaml_node *key, sa_yaml_node *val) {
  size_t n = parent->n + 1;
  sa_yaml_node **items = sa_realloc(parent->items, n * sizeof *items, ps->e);
  if (!items) return -1;
  parent->items = items;
  if (key) {
    sa_yaml_node **keys = sa_realloc(parent->keys, n * sizeof *keys, ps->e);
    if (!keys) return -1;
    parent->keys = keys;
    keys[n - 1] = key;
  }
  items[n - 1] = val;
  parent->n = n;
  return 0;
}

/* Builds the node that starts with event ev (already consumed). */
static sa_yaml_node *build(parser *ps, yaml_event_t *ev, int depth) {
  if (depth > MAX_DEPTH) {
    fail_at(ps, &ev->start_mark, "nesting deeper than 64 levels");
    return NULL;
  }
  switch (ev->type) {
  case YAML_SCALAR_EVENT: {
    sa_yaml_node *n = new_node(ps, SA_YAML_SCALAR, &ev->start_mark);
    if (!n) return NULL;
    n->scalar = sa_malloc(ev->data.scalar.length + 1, ps->e);
    if (!n->scalar) {
      free(n);
      return NULL;
    }
    memcpy(n->scalar, ev->data.scalar.value, ev->data.scalar.length);
    n->scalar[ev->data.scalar.length] = 0;
    if (strlen(n->scalar) != ev->data.scalar.length) {
      fail_at(ps, &ev->start_mark, "scalar contains a NUL character");
      node_free(n);
      return NULL;
    }
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    return n;
  }
  case YAML_ALIAS_EVENT:
    fail_at(ps, &ev->start_mark, "YAML aliases (*name) are not supported");
    return NULL;
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    sa_yaml_node *n = new_node(ps, is_map ? SA_YAML_MAP : SA_YAML_SEQ, &ev->start_mark);
    if (!n) return NULL;
    for (;;) {
      yaml_event_t child;
      if (next_event(ps, &child)) goto fail;
      if (child.type == YAML_SEQUENCE_END_EVENT || child.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&child);
        return n;
      }
      sa_yaml_node *k = build(ps, &child, depth + 1);
      yaml_event_delete(&child);
      if (!k) goto fail;
      sa_yaml_node *v = NULL;
      if (is_map) {
        if (k->kind != SA_YAML_SCALAR) {
          sa_err_set(ps->e, "%s:%d:%d: mapping keys must be plain scalars", ps->file, k->line,
                     k->col);
          node_free(k);
          goto fail;
        }
        if (sa_yaml_get(n, k->scalar)) {
          sa_err_set(ps->e, "%s:%d:%d: key '%s': duplicate key", ps->file, k->line, k->col,
                     k->scalar);
          node_free(k);
          goto fail;
        }
        if (next_event(ps, &child)) {
          node_free(k);
          goto fail;
        }
        v = build(ps, &child, depth + 1);
        yaml_event_delete(&child);
        if (!v) {
          node_free(k);
          goto fail;
        }
      }
      if (push(ps, n, is_map ? k : NULL, is_map ? v : k)) {
        node_free(k);
        node_free(v);
        goto fail;
      }
    }
  fail:
    node_free(n);
    return NULL;
  }
  default:
    fail_at(ps, &ev->start_mark, "unexpected YAML event");
    return NULL;
  }
}

int sa_yaml_load_buffer(const char *buf, size_t len, const char *name, sa_yaml_doc **out,
                        sa_err *e) {
  *out = NULL;
  if (len > MAX_FILE_BYTES) return sa_err_set(e, "%s:1:1: file larger than 16 MiB", name);
  sa_yaml_doc *doc = sa_calloc(1, sizeof *doc, e);
  if (!doc) return -1;
  doc->file = sa_strdup(name, e);
  if (!doc->file) {
    free(doc);
    return -1;
  }
  parser ps = {.file = doc->file, .e = e};
  if (!yaml_parser_initialize(&ps.p)) {
    sa_yaml_free(doc);
    return sa_err_set(e, "%s: cannot initialise the YAML parser", name);
  }
  yaml_parser_set_input_string(&ps.p, (const unsigned char *)buf, len);
  yaml_event_t ev;
  int rc = -1, seen_doc = 0;
  for (;;) {
    if (next_event(&ps, &ev)) break;
    yaml_event_type_t t = ev.type;
    if (t == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      rc = 0;
      break;
    }
    if (t == YAML_DOCUMENT_START_EVENT && seen_doc) {
      fail_at(&ps, &ev.start_mark, "more than one YAML document in the file");
      yaml_event_delete(&ev);
      break;
    }
    if (t == YAML_DOCUMENT_START_EVENT) seen_doc = 1;
    if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
        t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
      doc->root = build(&ps, &ev, 0);
      yaml_event_delete(&ev);
      if (!doc->root) break;
      continue;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&ps.p);
  if (rc) {
    sa_yaml_free(doc);
    return -1;
  }
  *out = doc;
  return 0;
}

int sa_yaml_load_file(const char *path, sa_yaml_doc **out, sa_err *e) {
  *out = NULL;
  size_t len;
  char *buf = sa_file_read(path, MAX_FILE_BYTES, &len, e);
  if (!buf) return -1;
  int rc = sa_yaml_load_buffer(buf, len, path, out, e);
  free(buf);
  return rc;
}

sa_yaml_node *sa_yaml_root(const sa_yaml_doc *doc) { return doc ? doc->root : NULL; }
const char *sa_yaml_file(const sa_yaml_doc *doc) { return doc->file; }

void sa_yaml_free(sa_yaml_doc *doc) {
  if (!doc) return;
  node_free(doc->root);
  free(doc->file);
  free(doc);
}

sa_yaml_node *sa_yaml_get(const sa_yaml_node *map, const char *key) {
  if (!map || map->kind != SA_YAML_MAP) return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i]->scalar, key) == 0) return map->items[i];
  return NULL;
}

const char *sa_yaml_kind_name(sa_yaml_kind kind) {
  switch (kind) {
  case SA_YAML_SCALAR: return "a scalar";
  case SA_YAML_SEQ: return "a list";
  case SA_YAML_MAP: return "a mapping";
  }
  return "?";
}

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return (size_t)-1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *sa_yaml_suggest(const char *word, const char *const *cands, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1, len = strlen(word);
  size_t limit = len < 4 ? 1 : len / 3 + 1;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, cands[i]);
    if (d < best_d) {
      best_d = d;
      best = cands[i];
    }
  }
  return best_d <= limit ? best : NULL;
}
