/* sa_safetensors: reader and writer of the safetensors format (8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range, then raw data).
 * The header is parsed by a strict JSON parser; every size and offset is checked. */
#ifndef SA_SAFETENSORS_H
#define SA_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "sa_err.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SA_SAFETENSORS_MAX_DIMS = 8, SA_SAFETENSORS_NAME_MAX = 256 };

typedef enum {
  SA_ST_F64,
  SA_ST_F32,
  SA_ST_F16,
  SA_ST_BF16,
  SA_ST_I64,
  SA_ST_I32,
  SA_ST_I16,
  SA_ST_I8,
  SA_ST_U8,
  SA_ST_BOOL,
  SA_ST_DTYPE_COUNT
} sa_safetensors_dtype;

typedef struct sa_safetensors_tensor {
  char name[SA_SAFETENSORS_NAME_MAX];
  int dtype;                               /* sa_safetensors_dtype */
  int ndim;                                /* 0 (scalar) .. SA_SAFETENSORS_MAX_DIMS */
  int64_t shape[SA_SAFETENSORS_MAX_DIMS];
  int64_t numel;                           /* product of shape (1 for a scalar) */
  const uint8_t *data;                     /* points into the file's data block */
  size_t nbytes;                           /* numel * element size */
} sa_safetensors_tensor;

typedef struct sa_safetensors {
  char path[1024];
  int n;                                   /* tensors, in header order */
  sa_safetensors_tensor *tensors;          /* owned */
  uint8_t *buf;                            /* owned: the whole file */
  size_t len;
} sa_safetensors;

/* Reads and validates a safetensors file (header length, JSON syntax, known dtypes, shapes
 * without overflow, byte ranges inside the data block, non-overlapping and covering it,
 * unique names, at most 65536 tensors; "__metadata__" must be a string-to-string object and
 * is ignored).
 * *out is owned by the caller (sa_safetensors_free). On error returns -1 with
 * "PATH: problem" in e and *out untouched. */
int sa_safetensors_read(const char *path, sa_safetensors **out, sa_err *e);

/* The same on a buffer (copied); name is used in messages. */
int sa_safetensors_read_buffer(const uint8_t *buf, size_t len, const char *name,
                               sa_safetensors **out, sa_err *e);
void sa_safetensors_free(sa_safetensors *st);

/* The tensor called name, or NULL. */
const sa_safetensors_tensor *sa_safetensors_find(const sa_safetensors *st, const char *name);

/* Converts a tensor to float (F16/BF16 exactly, integers by value, F64 rounded to nearest).
 * dst holds t->numel floats. Never fails. */
void sa_safetensors_to_float(const sa_safetensors_tensor *t, float *dst);

/* dtype name as written in the header ("F32", "BF16", ...; "?" when out of range), the
 * reverse (-1 when unknown) and the element size in bytes (dtype must be valid). */
const char *sa_safetensors_dtype_name(int dtype);
int sa_safetensors_dtype_parse(const char *s);
size_t sa_safetensors_dtype_size(int dtype);

/* One tensor to write: data holds numel elements of dtype, little-endian. */
typedef struct sa_safetensors_entry {
  const char *name;
  int dtype;
  int ndim;
  const int64_t *shape;
  const void *data;
} sa_safetensors_entry;

/* Writes n tensors atomically (sa_out), in the given order, header padded with spaces to a
 * multiple of 8 bytes. Rejects duplicate or empty names, bad dtypes or shapes. */
int sa_safetensors_write(const char *path, const sa_safetensors_entry *t, int n, sa_err *e);

#ifdef __cplusplus
}
#endif

#endif
