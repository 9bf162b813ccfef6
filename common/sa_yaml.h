/* sa_yaml: a YAML document read with libyaml into a small tree whose every node
 * remembers its file, line and column, so validators can point at the exact spot.
 * Aliases, duplicate keys, nesting deeper than 64 and files over 16 MiB are rejected. */
#ifndef SA_YAML_H
#define SA_YAML_H

#include <stddef.h>

#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SA_YAML_SCALAR, SA_YAML_SEQ, SA_YAML_MAP } sa_yaml_kind;

typedef struct sa_yaml_node {
  sa_yaml_kind kind;
  const char *file; /* owned by the document */
  int line, col;    /* 1-based position of the node's first character */
  char *scalar;     /* SCALAR: the text (NUL-terminated) */
  int quoted;       /* SCALAR: 1 when written in quotes (so "12" is a string) */
  size_t n;         /* SEQ: item count; MAP: pair count */
  struct sa_yaml_node **items; /* SEQ: items; MAP: values */
  struct sa_yaml_node **keys;  /* MAP: keys (scalar nodes) */
} sa_yaml_node;

typedef struct sa_yaml_doc sa_yaml_doc;

/* Parses the file at path. On success *out owns the tree (free with sa_yaml_free) and
 * its root is returned by sa_yaml_root (NULL for an empty document). On failure returns
 * -1 with "FILE:LINE:COL: message" in e. */
int sa_yaml_load_file(const char *path, sa_yaml_doc **out, sa_err *e);

/* Same for an in-memory buffer; name is used in messages. */
int sa_yaml_load_buffer(const char *buf, size_t len, const char *name, sa_yaml_doc **out,
                        sa_err *e);

sa_yaml_node *sa_yaml_root(const sa_yaml_doc *doc);
const char *sa_yaml_file(const sa_yaml_doc *doc);
void sa_yaml_free(sa_yaml_doc *doc);

/* MAP lookup; NULL when map is not a mapping or the key is absent. */
sa_yaml_node *sa_yaml_get(const sa_yaml_node *map, const char *key);

/* Human name of a node's kind for messages: "a mapping", "a list", "a scalar". */
const char *sa_yaml_kind_name(sa_yaml_kind kind);

/* The candidate closest to word by edit distance, or NULL when none is close enough. */
const char *sa_yaml_suggest(const char *word, const char *const *cands, size_t n);

#ifdef __cplusplus
}
#endif

#endif
