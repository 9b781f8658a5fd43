// State tables (plugin API 3.x "tables"): the host's registry of named, keyed tables that plugins list, look
// up and add in init (through the init input's tables input) and read during extraction (through the reader
// vtable of the extraction input). A table is either owned by the host (defined from TypeScript: its entries
// live here) or owned by a plugin (added with add_table: every call is forwarded to the plugin's own vtables).
// Plugins get Table pointers as their opaque table handles; the host's vtables dispatch on them.
// Every function here runs on the JS thread: plugins reach tables only in init and extract_fields, and the
// TypeScript API is synchronous.
#ifndef SYSRAY_TABLES_H
#define SYSRAY_TABLES_H

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugin_abi.h"

namespace sysray {

// One field of a host-owned table.
struct HostField {
  std::string name;
  uint32_t type;
  size_t index;
};

// A stored value: integers and booleans in `num`, strings in `str`.
struct HostValue {
  uint64_t num = 0;
  std::string str;
};

struct HostEntry {
  std::vector<HostValue> values;  // by field index; fields added later read as zero / empty
};

class Table {
 public:
  std::string name;
  uint32_t key_type = SR_ST_UINT64;
  std::string owner;  // "host" or the plugin's name
  std::string owner_label;  // how crash reports name the owning plugin: 'name' (path)

  // Plugin-owned tables: the plugin's handle and vtables (calls are forwarded), and who added it.
  bool plugin_owned = false;
  bool gone = false;  // the owning plugin was destroyed
  const void* owner_id = nullptr;
  sr_table* ptable = nullptr;
  sr_table_reader_vtable preader{};
  sr_table_writer_vtable pwriter{};
  sr_table_fields_vtable pfields{};

  // Host-owned tables.
  std::vector<std::unique_ptr<HostField>> fields;
  std::vector<sr_table_fieldinfo> field_infos;
  std::map<uint64_t, std::unique_ptr<HostEntry>> by_num;
  std::map<std::string, std::unique_ptr<HostEntry>> by_str;
};

// Whether `type` is one of the state types (ss_plugin_state_type).
bool IsStateType(uint32_t type);
const char* StateTypeName(uint32_t type);

// The registry (one per process: like an inspector, it is shared by every plugin loaded in it).
std::vector<std::unique_ptr<Table>>& Tables();
Table* FindTable(const std::string& name);
// Defines a host-owned table; returns nullptr (and sets the error) when the name is taken or a type is bad.
Table* DefineHostTable(const std::string& name, uint32_t key_type,
                       const std::vector<std::pair<std::string, uint32_t>>& fields);
// Marks the tables a plugin added as gone (called when the plugin is destroyed).
void PluginGone(const void* owner_id);

// The last error of a table operation on this thread ("" when none); cleared by each entry point.
const std::string& LastTableError();
void SetTableError(const std::string& msg);

// The host's vtables, as plugins receive them.
extern sr_table_reader_vtable g_reader_vtable;
extern sr_table_writer_vtable g_writer_vtable;
extern sr_table_fields_vtable g_fields_vtable;
sr_table_reader_v0 ReaderV0();

// The init input's tables part for a plugin (`owner` is what the plugin passes back).
struct OwnerInfo {
  const void* id;
  std::string name;
  std::string label;  // 'name' (path), for crash reports
};
sr_table_info* ListTables(sr_owner* o, uint32_t* ntables);
sr_table* GetTable(sr_owner* o, const char* name, uint32_t key_type);
int32_t AddTable(sr_owner* o, const sr_table_input* in);
// Which OwnerInfo an sr_owner pointer is (the host passes OwnerInfo* as the owner).
void FillTablesInput(sr_init_tables_input* in);

}  // namespace sysray

#endif
