/*
 * Declarations of the Falco plugin API 3.x ABI, as this host uses it. Written for sysray from the layout of
 * falcosecurity/libs userspace/plugin/plugin_api.h and plugin_types.h at API 3.12.0 (the sizes and field offsets
 * below are the ones the bindgen layout assertions of falcosecurity/plugin-sdk-rs `falco_plugin_api` give for
 * that header on LP64 targets): the same field order, types and packing, so a plugin built against the
 * reference header links against this host. The static_asserts at the end fail the build on any mismatch.
 * What 3.12 lays out beyond 3.4: the init input's tables input ends with the extended reader and writer
 * vtables; the extraction input ends with the value offsets; the symbol table ends with get_metrics,
 * capture_open/capture_close (with the capture listen input and its routine vtable) and
 * get_required_event_schema_version; the async group has get_async_event_sources and dump_state; state data
 * has a table member (type 10).
 */
#ifndef SYSRAY_PLUGIN_ABI_H
#define SYSRAY_PLUGIN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYSRAY_API_MAJOR 3
#define SYSRAY_API_MINOR 12
#define SYSRAY_API_PATCH 0
#define SYSRAY_MAX_ERRLEN 1024
/* Offset of the payload of a plugin event (header, two lengths, the plugin id). */
#define SYSRAY_PLUGIN_EVENT_PAYLOAD_OFFSET 38

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

/* Where each extracted value lies in the event (start, length per field), when the framework asks. */
typedef struct sr_extract_value_offsets {
  uint32_t *start;
  uint32_t *length;
} sr_extract_value_offsets;

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
  SR_ST_TABLE = 10, /* a field holding a table (sub-tables): not offered by this host's tables */
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
  sr_table *table;
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
  sr_table_reader_vtable *reader_ext;
  sr_table_writer_vtable *writer_ext;
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
  sr_extract_value_offsets *value_offsets; /* NULL: the framework does not ask for offsets */
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

/* Metrics (get_metrics): a name, whether the value only grows, and a typed value. */
enum { SR_METRIC_MONOTONIC = 0, SR_METRIC_NON_MONOTONIC = 1 };
enum {
  SR_MV_U32 = 0,
  SR_MV_S32 = 1,
  SR_MV_U64 = 2,
  SR_MV_S64 = 3,
  SR_MV_DOUBLE = 4,
  SR_MV_FLOAT = 5,
  SR_MV_INT = 6
};
typedef union sr_metric_value {
  uint32_t u32;
  int32_t s32;
  uint64_t u64;
  int64_t s64;
  double d;
  float f;
  int i;
} sr_metric_value;
typedef struct sr_metric {
  const char *name;
  uint32_t type;
  sr_metric_value value;
  uint32_t value_type;
} sr_metric;
typedef sr_metric *(*sr_get_metrics_fn)(sr_state *s, uint32_t *num_metrics);

/* Routines: functions a capture-listening plugin has the framework call on its own threads until they return
 * false (or are unsubscribed). */
typedef void sr_routine;
typedef void sr_routine_state;
typedef sr_bool (*sr_routine_fn)(sr_state *s, sr_routine_state *i);
typedef struct sr_routine_vtable {
  sr_routine *(*subscribe)(sr_owner *o, sr_routine_fn f, sr_routine_state *i);
  int32_t (*unsubscribe)(sr_owner *o, sr_routine *r);
} sr_routine_vtable;

/* What capture_open and capture_close get. */
typedef struct sr_capture_listen_input {
  sr_owner *owner;
  sr_routine_vtable *routine;
  sr_table_reader_vtable *table_reader_ext;
  sr_table_writer_vtable *table_writer_ext;
  const char *(*get_owner_last_error)(sr_owner *o);
} sr_capture_listen_input;
typedef int32_t (*sr_capture_listen_fn)(sr_state *s, const sr_capture_listen_input *in);

/* Async events: the handler the framework gives (err holds SYSRAY_MAX_ERRLEN bytes). */
typedef int32_t (*sr_async_handler_fn)(sr_owner *o, const sr_event *evt, char *err);
typedef int32_t (*sr_set_async_handler_fn)(sr_state *s, sr_owner *o, sr_async_handler_fn handler);
typedef const char *(*sr_get_schema_version_fn)(sr_state *s);
typedef uint16_t *(*sr_get_event_types_fn)(uint32_t *numtypes, sr_state *s);

/*
 * The plugin's symbol table, in the order and layout of the reference `plugin_api` struct (the host fills it
 * with dlsym; the layout is asserted so that it stays the reference one).
 */
typedef struct sr_plugin_api {
  sr_get_str_fn get_required_api_version;
  sr_get_init_schema_fn get_init_schema;
  sr_init_fn init;
  sr_destroy_fn destroy;
  sr_get_last_error_fn get_last_error;
  sr_get_str_fn get_name;
  sr_get_str_fn get_description;
  sr_get_str_fn get_contact;
  sr_get_str_fn get_version;
  /* event sourcing */
  sr_get_id_fn get_id;
  sr_get_str_fn get_event_source;
  sr_open_fn open;
  sr_close_fn close;
  sr_list_open_params_fn list_open_params;
  sr_get_progress_fn get_progress;
  sr_event_to_string_fn event_to_string;
  sr_next_batch_fn next_batch;
  /* field extraction */
  sr_get_event_types_fn get_extract_event_types;
  sr_get_str_fn get_extract_event_sources;
  sr_get_str_fn get_fields;
  sr_extract_fields_fn extract_fields;
  /* event parsing */
  sr_get_event_types_fn get_parse_event_types;
  sr_get_str_fn get_parse_event_sources;
  sr_parse_event_fn parse_event;
  /* async events */
  sr_get_str_fn get_async_event_sources;
  sr_get_str_fn get_async_events;
  sr_set_async_handler_fn set_async_event_handler;
  sr_set_async_handler_fn dump_state;
  /* the rest */
  sr_set_config_fn set_config;
  sr_get_metrics_fn get_metrics;
  sr_capture_listen_fn capture_open;
  sr_capture_listen_fn capture_close;
  sr_get_schema_version_fn get_required_event_schema_version;
} sr_plugin_api;

#ifdef __cplusplus
}
#endif

/* Layout checks (LP64): sizes and offsets of every struct shared with plugins, as the 3.12.0 reference has them. */
#if defined(__cplusplus)
#include <cstddef>
#define SR_ASSERT(cond, what) static_assert(cond, what)
#else
#include <stddef.h>
#define SR_ASSERT(cond, what) _Static_assert(cond, what)
#endif
#define SR_LAYOUT(type, size) SR_ASSERT(sizeof(type) == (size), "size of " #type)
#define SR_AT(type, field, off) SR_ASSERT(offsetof(type, field) == (off), "offset of " #type "." #field)
#if UINTPTR_MAX == 0xffffffffffffffffu
SR_LAYOUT(sr_event, 26);
SR_AT(sr_event, tid, 8);
SR_AT(sr_event, len, 16);
SR_AT(sr_event, type, 20);
SR_AT(sr_event, nparams, 22);
SR_LAYOUT(sr_event_input, 24);
SR_AT(sr_event_input, evtnum, 8);
SR_AT(sr_event_input, evtsrc, 16);
SR_LAYOUT(sr_byte_buffer, 16);
SR_AT(sr_byte_buffer, ptr, 8);
SR_LAYOUT(sr_extract_value_offsets, 16);
SR_AT(sr_extract_value_offsets, length, 8);
SR_LAYOUT(sr_extract_field, 64);
SR_AT(sr_extract_field, res_len, 8);
SR_AT(sr_extract_field, field_id, 16);
SR_AT(sr_extract_field, field, 24);
SR_AT(sr_extract_field, arg_key, 32);
SR_AT(sr_extract_field, arg_index, 40);
SR_AT(sr_extract_field, arg_present, 48);
SR_AT(sr_extract_field, ftype, 52);
SR_AT(sr_extract_field, flist, 56);
SR_LAYOUT(sr_state_data, 8);
SR_LAYOUT(sr_table_info, 16);
SR_AT(sr_table_info, key_type, 8);
SR_LAYOUT(sr_table_fieldinfo, 16);
SR_AT(sr_table_fieldinfo, field_type, 8);
SR_AT(sr_table_fieldinfo, read_only, 12);
SR_LAYOUT(sr_metric_value, 8);
SR_LAYOUT(sr_metric, 32);
SR_AT(sr_metric, type, 8);
SR_AT(sr_metric, value, 16);
SR_AT(sr_metric, value_type, 24);
SR_LAYOUT(sr_table_fields_vtable, 24);
SR_AT(sr_table_fields_vtable, get_table_field, 8);
SR_AT(sr_table_fields_vtable, add_table_field, 16);
SR_LAYOUT(sr_table_reader_v0, 32);
SR_AT(sr_table_reader_v0, read_entry_field, 24);
SR_LAYOUT(sr_table_reader_vtable, 48);
SR_AT(sr_table_reader_vtable, get_table_size, 8);
SR_AT(sr_table_reader_vtable, get_table_entry, 16);
SR_AT(sr_table_reader_vtable, read_entry_field, 24);
SR_AT(sr_table_reader_vtable, release_table_entry, 32);
SR_AT(sr_table_reader_vtable, iterate_entries, 40);
SR_LAYOUT(sr_table_writer_vtable, 48);
SR_AT(sr_table_writer_vtable, erase_table_entry, 8);
SR_AT(sr_table_writer_vtable, create_table_entry, 16);
SR_AT(sr_table_writer_vtable, destroy_table_entry, 24);
SR_AT(sr_table_writer_vtable, add_table_entry, 32);
SR_AT(sr_table_writer_vtable, write_entry_field, 40);
SR_LAYOUT(sr_table_input, 152);
SR_AT(sr_table_input, key_type, 8);
SR_AT(sr_table_input, table, 16);
SR_AT(sr_table_input, reader, 24);
SR_AT(sr_table_input, writer, 56);
SR_AT(sr_table_input, fields, 104);
SR_AT(sr_table_input, reader_ext, 128);
SR_AT(sr_table_input, writer_ext, 136);
SR_AT(sr_table_input, fields_ext, 144);
SR_LAYOUT(sr_init_tables_input, 72);
SR_AT(sr_init_tables_input, get_table, 8);
SR_AT(sr_init_tables_input, add_table, 16);
SR_AT(sr_init_tables_input, fields, 24);
SR_AT(sr_init_tables_input, fields_ext, 48);
SR_AT(sr_init_tables_input, reader_ext, 56);
SR_AT(sr_init_tables_input, writer_ext, 64);
SR_LAYOUT(sr_init_input, 40);
SR_AT(sr_init_input, owner, 8);
SR_AT(sr_init_input, get_owner_last_error, 16);
SR_AT(sr_init_input, tables, 24);
SR_AT(sr_init_input, log_fn, 32);
SR_LAYOUT(sr_field_extract_input, 80);
SR_AT(sr_field_extract_input, get_owner_last_error, 8);
SR_AT(sr_field_extract_input, num_fields, 16);
SR_AT(sr_field_extract_input, fields, 24);
SR_AT(sr_field_extract_input, table_reader, 32);
SR_AT(sr_field_extract_input, table_reader_ext, 64);
SR_AT(sr_field_extract_input, value_offsets, 72);
SR_LAYOUT(sr_event_parse_input, 112);
SR_AT(sr_event_parse_input, get_owner_last_error, 8);
SR_AT(sr_event_parse_input, table_reader, 16);
SR_AT(sr_event_parse_input, table_writer, 48);
SR_AT(sr_event_parse_input, table_reader_ext, 96);
SR_AT(sr_event_parse_input, table_writer_ext, 104);
SR_LAYOUT(sr_set_config_input, 8);
SR_LAYOUT(sr_routine_vtable, 16);
SR_AT(sr_routine_vtable, unsubscribe, 8);
SR_LAYOUT(sr_capture_listen_input, 40);
SR_AT(sr_capture_listen_input, routine, 8);
SR_AT(sr_capture_listen_input, table_reader_ext, 16);
SR_AT(sr_capture_listen_input, table_writer_ext, 24);
SR_AT(sr_capture_listen_input, get_owner_last_error, 32);
SR_LAYOUT(sr_plugin_api, 264);
SR_AT(sr_plugin_api, get_init_schema, 8);
SR_AT(sr_plugin_api, init, 16);
SR_AT(sr_plugin_api, destroy, 24);
SR_AT(sr_plugin_api, get_last_error, 32);
SR_AT(sr_plugin_api, get_name, 40);
SR_AT(sr_plugin_api, get_description, 48);
SR_AT(sr_plugin_api, get_contact, 56);
SR_AT(sr_plugin_api, get_version, 64);
SR_AT(sr_plugin_api, get_id, 72);          /* the sourcing group: 64 bytes from 72 */
SR_AT(sr_plugin_api, next_batch, 128);
SR_AT(sr_plugin_api, get_extract_event_types, 136); /* the extraction group: 32 bytes */
SR_AT(sr_plugin_api, extract_fields, 160);
SR_AT(sr_plugin_api, get_parse_event_types, 168);   /* the parsing group: 24 bytes */
SR_AT(sr_plugin_api, parse_event, 184);
SR_AT(sr_plugin_api, get_async_event_sources, 192); /* the async group: 32 bytes */
SR_AT(sr_plugin_api, dump_state, 216);
SR_AT(sr_plugin_api, set_config, 224);
SR_AT(sr_plugin_api, get_metrics, 232);
SR_AT(sr_plugin_api, capture_open, 240);            /* the capture listening group: 16 bytes */
SR_AT(sr_plugin_api, capture_close, 248);
SR_AT(sr_plugin_api, get_required_event_schema_version, 256);
#endif
#undef SR_LAYOUT
#undef SR_AT
#undef SR_ASSERT

#endif
