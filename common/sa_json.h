/* sa_json: a streaming JSON writer onto a FILE (commas, nesting and escaping handled).
 * Numbers are printed with %.17g (round-trip exact) unless written with sa_json_numf. */
#ifndef SA_JSON_H
#define SA_JSON_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sa_json {
  FILE *f;
  int depth;
  int first[64]; /* per level: nothing written yet */
  char close[64]; /* per level: the closing bracket */
  int after_key;
  int indent;    /* pretty-print with two-space indent when non-zero */
} sa_json;

void sa_json_init(sa_json *j, FILE *f, int indent);
void sa_json_obj(sa_json *j);   /* { */
void sa_json_arr(sa_json *j);   /* [ */
void sa_json_end(sa_json *j);   /* closes the innermost { or [ */
void sa_json_key(sa_json *j, const char *key);
void sa_json_str(sa_json *j, const char *s); /* NULL writes null */
void sa_json_num(sa_json *j, double v);      /* NaN/inf written as null */
void sa_json_int(sa_json *j, int64_t v);
void sa_json_bool(sa_json *j, int v);
void sa_json_null(sa_json *j);

/* Writes "sasp": {"version": ..., "git": ...} into the current object. */
void sa_json_provenance(sa_json *j);

#ifdef __cplusplus
}
#endif

#endif
