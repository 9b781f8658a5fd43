/*
 * Declarations of the Falco plugin API 3.x ABI, as this host uses it. Written for sysray from the documented
 * layout of falcosecurity/libs userspace/plugin/plugin_api.h and plugin_types.h (Apache-2.0): the same field
 * order, types and packing, so a plugin built against the reference header links against this host.
 * Left out on purpose: the state-table API (the host passes NULL tables), metrics, capture listening.
 */
#ifndef SYSRAY_PLUGIN_ABI_H
#define SYSRAY_PLUGIN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYSRAY_API_MAJOR 3
#define SYSRAY_API_MINOR 3
#define SYSRAY_API_PATCH 0
#define SYSRAY_MAX_ERRLEN 1024

typedef uint32_t sr_bool;

/* ss_plugin_rc */
enum {
  SR_SUCCESS = 0,
  SR_FAILURE = 1,
  SR_TIMEOUT = -1,
  SR_EOF = 2,
  SR_NOT_SUPPORTED = 3
};

/* ss_plugin_schema_type */
enum { SR_SCHEMA_NONE = 0, SR_SCHEMA_JSON = 1 };

/* ss_plugin_field_type */
enum {
  SR_FT_UINT64 = 8,
  SR_FT_STRING = 9,
  SR_FT_RELTIME = 20,
  SR_FT_ABSTIME = 21,
  SR_FT_BOOL = 25,
  SR_FT_IPADDR = 40,
  SR_FT_IPNET = 41
};

/* ss_plugin_event: packed 26-byte header, followed by nparams lengths then the parameter data. */
#pragma pack(push, 1)
typedef struct sr_event {
  uint64_t ts;
  uint64_t tid;
  uint32_t len;
  uint16_t type;
  uint32_t nparams;
} sr_event;
#pragma pack(pop)

typedef struct sr_event_input {
  const sr_event *evt;
  uint64_t evtnum;
  const char *evtsrc;
} sr_event_input;

typedef struct sr_byte_buffer {
  uint32_t len;
  const void *ptr;
} sr_byte_buffer;

typedef struct sr_extract_field {
  union {
    const char **str;
    uint64_t *u64;
    uint32_t *u32;
    sr_bool *boolean;
    sr_byte_buffer *buf;
  } res;
  uint64_t res_len;
  uint32_t field_id;
  const char *field;
  const char *arg_key;
  uint64_t arg_index;
  sr_bool arg_present;
  uint32_t ftype;
  sr_bool flist;
} sr_extract_field;

typedef void sr_owner;
typedef void sr_state;
typedef void sr_instance;
typedef void (*sr_log_fn)(const char *component, const char *msg, int severity);

/* The deprecated table reader vtable embedded by value in the extraction input: four function pointers. */
typedef struct sr_table_reader_v0 {
  void *fn[4];
} sr_table_reader_v0;

typedef struct sr_init_input {
  const char *config;
  sr_owner *owner;
  const char *(*get_owner_last_error)(sr_owner *o);
  const void *tables; /* state tables: not offered by this host */
  sr_log_fn log_fn;
} sr_init_input;

typedef struct sr_field_extract_input {
  sr_owner *owner;
  const char *(*get_owner_last_error)(sr_owner *o);
  uint32_t num_fields;
  sr_extract_field *fields;
  sr_table_reader_v0 table_reader;
  void *table_reader_ext;
} sr_field_extract_input;

/* Exported functions (each exported as `plugin_<name>`). */
typedef const char *(*sr_get_str_fn)(void);
typedef uint32_t (*sr_get_id_fn)(void);
typedef const char *(*sr_get_init_schema_fn)(int32_t *schema_type);
typedef sr_state *(*sr_init_fn)(const sr_init_input *in, int32_t *rc);
typedef void (*sr_destroy_fn)(sr_state *s);
typedef const char *(*sr_get_last_error_fn)(sr_state *s);
typedef sr_instance *(*sr_open_fn)(sr_state *s, const char *params, int32_t *rc);
typedef void (*sr_close_fn)(sr_state *s, sr_instance *h);
typedef const char *(*sr_list_open_params_fn)(sr_state *s, int32_t *rc);
typedef const char *(*sr_get_progress_fn)(sr_state *s, sr_instance *h, uint32_t *pct);
typedef const char *(*sr_event_to_string_fn)(sr_state *s, const sr_event_input *evt);
typedef int32_t (*sr_next_batch_fn)(sr_state *s, sr_instance *h, uint32_t *nevts, sr_event ***evts);
typedef int32_t (*sr_extract_fields_fn)(sr_state *s, const sr_event_input *evt, const sr_field_extract_input *in);

#ifdef __cplusplus
}
#endif

#endif
