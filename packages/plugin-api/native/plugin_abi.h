/*
 * Declarations of the Falco plugin API 3.x ABI, as this host uses it. Written for sysray from the documented
 * layout of falcosecurity/libs userspace/plugin/plugin_api.h and plugin_types.h (Apache-2.0): the same field
 * order, types and packing, so a plugin built against the reference header links against this host.
 * Declared minor: 3.4 (3.3 gave the log function the owner as first argument; 3.4 added set_config). The state
 * tables part is declared as 3.4 lays it out: the init input's tables input holds list/get/add plus the fields
 * vtable (by value, then a pointer to the extended one); the extraction input holds the reader vtable (by
 * value, then a pointer to the extended one).
 */
#ifndef SYSRAY_PLUGIN_ABI_H
#define SYSRAY_PLUGIN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYSRAY_API_MAJOR 3
#define SYSRAY_API_MINOR 4
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
typedef void sr_table;
typedef void sr_table_entry;
typedef void sr_table_field;
/* Severity 1 (fatal) … 8 (trace). */
typedef void (*sr_log_fn)(sr_owner *owner, const char *component, const char *msg, int severity);

/* ss_plugin_state_type: types of state table keys and fields. */
enum {
  SR_ST_INT8 = 1,
  SR_ST_INT16 = 2,
  SR_ST_INT32 = 3,
  SR_ST_INT64 = 4,
  SR_ST_UINT8 = 5,
  SR_ST_UINT16 = 6,
  SR_ST_UINT32 = 7,
  SR_ST_UINT64 = 8,
  SR_ST_STRING = 9,
  SR_ST_BOOL = 25
};

/* ss_plugin_state_data: one key or field value (8 bytes: the widest member is a 64-bit integer or a pointer). */
typedef union sr_state_data {
  int8_t s8;
  int16_t s16;
  int32_t s32;
  int64_t s64;
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  const char *str;
  sr_bool b;
} sr_state_data;

typedef struct sr_table_info {
  const char *name;
  uint32_t key_type;
} sr_table_info;

typedef struct sr_table_fieldinfo {
  const char *name;
  uint32_t field_type;
  sr_bool read_only;
} sr_table_fieldinfo;

typedef sr_bool (*sr_table_iterator_fn)(void *state, sr_table_entry *e);

/* Fields vtable: the deprecated by-value form is the same three functions. */
typedef struct sr_table_fields_vtable {
  sr_table_fieldinfo *(*list_table_fields)(sr_table *t, uint32_t *nfields);
  sr_table_field *(*get_table_field)(sr_table *t, const char *name, uint32_t data_type);
  sr_table_field *(*add_table_field)(sr_table *t, const char *name, uint32_t data_type);
} sr_table_fields_vtable;

/* Reader vtable: the deprecated by-value form is its first four functions. */
typedef struct sr_table_reader_vtable {
  const char *(*get_table_name)(sr_table *t);
  uint64_t (*get_table_size)(sr_table *t);
  sr_table_entry *(*get_table_entry)(sr_table *t, const sr_state_data *key);
  int32_t (*read_entry_field)(sr_table *t, sr_table_entry *e, const sr_table_field *f, sr_state_data *out);
  void (*release_table_entry)(sr_table *t, sr_table_entry *e);
  sr_bool (*iterate_entries)(sr_table *t, sr_table_iterator_fn it, void *state);
} sr_table_reader_vtable;

typedef struct sr_table_reader_v0 {
  const char *(*get_table_name)(sr_table *t);
  uint64_t (*get_table_size)(sr_table *t);
  sr_table_entry *(*get_table_entry)(sr_table *t, const sr_state_data *key);
  int32_t (*read_entry_field)(sr_table *t, sr_table_entry *e, const sr_table_field *f, sr_state_data *out);
} sr_table_reader_v0;

/* Writer vtable: the deprecated by-value form is the same six functions. */
typedef struct sr_table_writer_vtable {
  int32_t (*clear_table)(sr_table *t);
  int32_t (*erase_table_entry)(sr_table *t, const sr_state_data *key);
  sr_table_entry *(*create_table_entry)(sr_table *t);
  void (*destroy_table_entry)(sr_table *t, sr_table_entry *e);
  sr_table_entry *(*add_table_entry)(sr_table *t, const sr_state_data *key, sr_table_entry *e);
  int32_t (*write_entry_field)(sr_table *t, sr_table_entry *e, const sr_table_field *f, const sr_state_data *in);
} sr_table_writer_vtable;

/* What a plugin passes to add_table for a table it owns. */
typedef struct sr_table_input {
  const char *name;
  uint32_t key_type;
  sr_table *table;
  sr_table_reader_v0 reader;
  sr_table_writer_vtable writer;
  sr_table_fields_vtable fields;
  sr_table_reader_vtable *reader_ext;
  sr_table_writer_vtable *writer_ext;
  sr_table_fields_vtable *fields_ext;
} sr_table_input;

typedef struct sr_init_tables_input {
  sr_table_info *(*list_tables)(sr_owner *o, uint32_t *ntables);
  sr_table *(*get_table)(sr_owner *o, const char *name, uint32_t key_type);
  int32_t (*add_table)(sr_owner *o, const sr_table_input *in);
  sr_table_fields_vtable fields;
  sr_table_fields_vtable *fields_ext;
} sr_init_tables_input;

typedef struct sr_init_input {
  const char *config;
  sr_owner *owner;
  const char *(*get_owner_last_error)(sr_owner *o);
  const sr_init_tables_input *tables; /* NULL for plugins without extraction or parsing */
  sr_log_fn log_fn;
} sr_init_input;

typedef struct sr_set_config_input {
  const char *config;
} sr_set_config_input;

typedef struct sr_field_extract_input {
  sr_owner *owner;
  const char *(*get_owner_last_error)(sr_owner *o);
  uint32_t num_fields;
  sr_extract_field *fields;
  sr_table_reader_v0 table_reader;
  sr_table_reader_vtable *table_reader_ext;
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
typedef int32_t (*sr_set_config_fn)(sr_state *s, const sr_set_config_input *in);

/* What parse_event gets besides the event: the reader and writer vtables (by value, then the extended ones). */
typedef struct sr_event_parse_input {
  sr_owner *owner;
  const char *(*get_owner_last_error)(sr_owner *o);
  sr_table_reader_v0 table_reader;
  sr_table_writer_vtable table_writer;
  sr_table_reader_vtable *table_reader_ext;
  sr_table_writer_vtable *table_writer_ext;
} sr_event_parse_input;
typedef int32_t (*sr_parse_event_fn)(sr_state *s, const sr_event_input *evt, const sr_event_parse_input *in);

#ifdef __cplusplus
}
#endif

#endif
