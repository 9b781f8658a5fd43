// The host's state-table registry and the vtables plugins use on it (see tables.h).
#include "tables.h"

#include <string.h>

#include "plugin_call.h"

namespace sysray {

namespace {

thread_local std::string t_error;
std::vector<sr_table_info> g_infos;

Table* AsTable(sr_table* t) { return static_cast<Table*>(t); }

bool IsIntegerType(uint32_t type) { return type >= SR_ST_INT8 && type <= SR_ST_UINT64; }

// Reads a key of the table's key type as a number (integers and booleans) or a string.
bool KeyOf(const Table* t, const sr_state_data* key, uint64_t* num, std::string* str) {
  if (key == nullptr) {
    SetTableError("table '" + t->name + "': NULL key");
    return false;
  }
  switch (t->key_type) {
    case SR_ST_INT8: *num = static_cast<uint64_t>(static_cast<int64_t>(key->s8)); return true;
    case SR_ST_INT16: *num = static_cast<uint64_t>(static_cast<int64_t>(key->s16)); return true;
    case SR_ST_INT32: *num = static_cast<uint64_t>(static_cast<int64_t>(key->s32)); return true;
    case SR_ST_INT64: *num = static_cast<uint64_t>(key->s64); return true;
    case SR_ST_UINT8: *num = key->u8; return true;
    case SR_ST_UINT16: *num = key->u16; return true;
    case SR_ST_UINT32: *num = key->u32; return true;
    case SR_ST_UINT64: *num = key->u64; return true;
    case SR_ST_BOOL: *num = key->b != 0 ? 1 : 0; return true;
    case SR_ST_STRING:
      if (key->str == nullptr) {
        SetTableError("table '" + t->name + "': NULL string key");
        return false;
      }
      *str = key->str;
      return true;
    default: SetTableError("table '" + t->name + "': unsupported key type"); return false;
  }
}

void StoreValue(uint32_t type, const sr_state_data* in, HostValue* v) {
  switch (type) {
    case SR_ST_INT8: v->num = static_cast<uint64_t>(static_cast<int64_t>(in->s8)); break;
    case SR_ST_INT16: v->num = static_cast<uint64_t>(static_cast<int64_t>(in->s16)); break;
    case SR_ST_INT32: v->num = static_cast<uint64_t>(static_cast<int64_t>(in->s32)); break;
    case SR_ST_INT64: v->num = static_cast<uint64_t>(in->s64); break;
    case SR_ST_UINT8: v->num = in->u8; break;
    case SR_ST_UINT16: v->num = in->u16; break;
    case SR_ST_UINT32: v->num = in->u32; break;
    case SR_ST_UINT64: v->num = in->u64; break;
    case SR_ST_BOOL: v->num = in->b != 0 ? 1 : 0; break;
    case SR_ST_STRING: v->str = in->str == nullptr ? std::string() : std::string(in->str); break;
    default: break;
  }
}

void LoadValue(uint32_t type, const HostValue& v, sr_state_data* out) {
  memset(out, 0, sizeof *out);
  switch (type) {
    case SR_ST_INT8: out->s8 = static_cast<int8_t>(v.num); break;
    case SR_ST_INT16: out->s16 = static_cast<int16_t>(v.num); break;
    case SR_ST_INT32: out->s32 = static_cast<int32_t>(v.num); break;
    case SR_ST_INT64: out->s64 = static_cast<int64_t>(v.num); break;
    case SR_ST_UINT8: out->u8 = static_cast<uint8_t>(v.num); break;
    case SR_ST_UINT16: out->u16 = static_cast<uint16_t>(v.num); break;
    case SR_ST_UINT32: out->u32 = static_cast<uint32_t>(v.num); break;
    case SR_ST_UINT64: out->u64 = v.num; break;
    case SR_ST_BOOL: out->b = v.num != 0 ? 1 : 0; break;
    case SR_ST_STRING: out->str = v.str.c_str(); break;
    default: break;
  }
}

bool Usable(Table* t, const char* what) {
  t_error.clear();
  if (t == nullptr) {
    SetTableError(std::string(what) + ": NULL table");
    return false;
  }
  if (t->gone) {
    SetTableError("table '" + t->name + "' is gone: the plugin that owned it was destroyed");
    return false;
  }
  return true;
}

HostField* HostFieldOf(Table* t, const sr_table_field* f) {
  for (auto& hf : t->fields)
    if (hf.get() == f) return hf.get();
  SetTableError("table '" + t->name + "': unknown field accessor");
  return nullptr;
}

// --- fields vtable ---
sr_table_fieldinfo* ListFields(sr_table* tt, uint32_t* nfields) {
  Table* t = AsTable(tt);
  if (nfields != nullptr) *nfields = 0;
  if (!Usable(t, "list_table_fields")) return nullptr;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table list_table_fields");
    return t->pfields.list_table_fields(t->ptable, nfields);
  }
  t->field_infos.clear();
  for (auto& f : t->fields) t->field_infos.push_back({f->name.c_str(), f->type, 0});
  if (nfields != nullptr) *nfields = static_cast<uint32_t>(t->field_infos.size());
  return t->field_infos.data();
}

sr_table_field* GetField(sr_table* tt, const char* name, uint32_t type) {
  Table* t = AsTable(tt);
  if (!Usable(t, "get_table_field")) return nullptr;
  if (name == nullptr) {
    SetTableError("table '" + t->name + "': NULL field name");
    return nullptr;
  }
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table get_table_field");
    return t->pfields.get_table_field(t->ptable, name, type);
  }
  for (auto& f : t->fields)
    if (f->name == name) {
      if (f->type != type) {
        SetTableError("table '" + t->name + "': field '" + name + "' is " + StateTypeName(f->type) + ", not " +
                      StateTypeName(type));
        return nullptr;
      }
      return f.get();
    }
  SetTableError("table '" + t->name + "' has no field '" + name + "'");
  return nullptr;
}

sr_table_field* AddField(sr_table* tt, const char* name, uint32_t type) {
  Table* t = AsTable(tt);
  if (!Usable(t, "add_table_field")) return nullptr;
  if (name == nullptr || name[0] == '\0' || !IsStateType(type)) {
    SetTableError("table '" + t->name + "': a field needs a name and a state type");
    return nullptr;
  }
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table add_table_field");
    return t->pfields.add_table_field(t->ptable, name, type);
  }
  for (auto& f : t->fields)
    if (f->name == name) {
      if (f->type == type) return f.get();
      SetTableError("table '" + t->name + "': field '" + name + "' is already defined as " + StateTypeName(f->type));
      return nullptr;
    }
  t->fields.push_back(std::unique_ptr<HostField>(new HostField{name, type, t->fields.size()}));
  return t->fields.back().get();
}

// --- reader vtable ---
const char* TableName(sr_table* tt) {
  Table* t = AsTable(tt);
  if (!Usable(t, "get_table_name")) return nullptr;
  return t->name.c_str();
}

uint64_t TableSize(sr_table* tt) {
  Table* t = AsTable(tt);
  if (!Usable(t, "get_table_size")) return UINT64_MAX;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table get_table_size");
    return t->preader.get_table_size(t->ptable);
  }
  return t->key_type == SR_ST_STRING ? t->by_str.size() : t->by_num.size();
}

sr_table_entry* GetEntry(sr_table* tt, const sr_state_data* key) {
  Table* t = AsTable(tt);
  if (!Usable(t, "get_table_entry")) return nullptr;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table get_table_entry");
    return t->preader.get_table_entry(t->ptable, key);
  }
  uint64_t num = 0;
  std::string str;
  if (!KeyOf(t, key, &num, &str)) return nullptr;
  if (t->key_type == SR_ST_STRING) {
    auto it = t->by_str.find(str);
    if (it != t->by_str.end()) return it->second.get();
  } else {
    auto it = t->by_num.find(num);
    if (it != t->by_num.end()) return it->second.get();
  }
  SetTableError("table '" + t->name + "' has no entry at that key");
  return nullptr;
}

int32_t ReadField(sr_table* tt, sr_table_entry* e, const sr_table_field* f, sr_state_data* out) {
  Table* t = AsTable(tt);
  if (!Usable(t, "read_entry_field")) return SR_FAILURE;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table read_entry_field");
    return t->preader.read_entry_field(t->ptable, e, f, out);
  }
  HostField* hf = HostFieldOf(t, f);
  if (hf == nullptr || e == nullptr || out == nullptr) return SR_FAILURE;
  HostEntry* he = static_cast<HostEntry*>(e);
  if (he->values.size() <= hf->index) he->values.resize(t->fields.size());
  LoadValue(hf->type, he->values[hf->index], out);
  return SR_SUCCESS;
}

void ReleaseEntry(sr_table* tt, sr_table_entry* e) {
  Table* t = AsTable(tt);
  if (!Usable(t, "release_table_entry")) return;
  if (t->plugin_owned && t->preader.release_table_entry != nullptr) {
    PluginCall call(t->owner_label, "table release_table_entry");
    t->preader.release_table_entry(t->ptable, e);
  }
}

sr_bool IterateEntries(sr_table* tt, sr_table_iterator_fn it, void* state) {
  Table* t = AsTable(tt);
  if (!Usable(t, "iterate_entries") || it == nullptr) return 0;
  if (t->plugin_owned) {
    if (t->preader.iterate_entries == nullptr) {
      SetTableError("table '" + t->name + "': its plugin does not iterate entries");
      return 0;
    }
    PluginCall call(t->owner_label, "table iterate_entries");
    return t->preader.iterate_entries(t->ptable, it, state);
  }
  if (t->key_type == SR_ST_STRING) {
    for (auto& kv : t->by_str)
      if (!it(state, kv.second.get())) return 0;
  } else {
    for (auto& kv : t->by_num)
      if (!it(state, kv.second.get())) return 0;
  }
  return 1;
}

// --- writer vtable ---
int32_t ClearTable(sr_table* tt) {
  Table* t = AsTable(tt);
  if (!Usable(t, "clear_table")) return SR_FAILURE;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table clear_table");
    return t->pwriter.clear_table(t->ptable);
  }
  t->by_num.clear();
  t->by_str.clear();
  return SR_SUCCESS;
}

int32_t EraseEntry(sr_table* tt, const sr_state_data* key) {
  Table* t = AsTable(tt);
  if (!Usable(t, "erase_table_entry")) return SR_FAILURE;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table erase_table_entry");
    return t->pwriter.erase_table_entry(t->ptable, key);
  }
  uint64_t num = 0;
  std::string str;
  if (!KeyOf(t, key, &num, &str)) return SR_FAILURE;
  size_t n = t->key_type == SR_ST_STRING ? t->by_str.erase(str) : t->by_num.erase(num);
  if (n == 0) {
    SetTableError("table '" + t->name + "' has no entry at that key");
    return SR_FAILURE;
  }
  return SR_SUCCESS;
}

sr_table_entry* CreateEntry(sr_table* tt) {
  Table* t = AsTable(tt);
  if (!Usable(t, "create_table_entry")) return nullptr;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table create_table_entry");
    return t->pwriter.create_table_entry(t->ptable);
  }
  HostEntry* e = new HostEntry();
  e->values.resize(t->fields.size());
  return e;
}

void DestroyEntry(sr_table* tt, sr_table_entry* e) {
  Table* t = AsTable(tt);
  if (!Usable(t, "destroy_table_entry")) return;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table destroy_table_entry");
    t->pwriter.destroy_table_entry(t->ptable, e);
    return;
  }
  delete static_cast<HostEntry*>(e);
}

sr_table_entry* AddEntry(sr_table* tt, const sr_state_data* key, sr_table_entry* e) {
  Table* t = AsTable(tt);
  if (!Usable(t, "add_table_entry")) return nullptr;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table add_table_entry");
    return t->pwriter.add_table_entry(t->ptable, key, e);
  }
  uint64_t num = 0;
  std::string str;
  if (e == nullptr || !KeyOf(t, key, &num, &str)) return nullptr;
  std::unique_ptr<HostEntry> owned(static_cast<HostEntry*>(e));
  if (t->key_type == SR_ST_STRING) {
    auto& slot = t->by_str[str];
    slot = std::move(owned);
    return slot.get();
  }
  auto& slot = t->by_num[num];
  slot = std::move(owned);
  return slot.get();
}

int32_t WriteField(sr_table* tt, sr_table_entry* e, const sr_table_field* f, const sr_state_data* in) {
  Table* t = AsTable(tt);
  if (!Usable(t, "write_entry_field")) return SR_FAILURE;
  if (t->plugin_owned) {
    PluginCall call(t->owner_label, "table write_entry_field");
    return t->pwriter.write_entry_field(t->ptable, e, f, in);
  }
  HostField* hf = HostFieldOf(t, f);
  if (hf == nullptr || e == nullptr || in == nullptr) return SR_FAILURE;
  if (hf->type == SR_ST_STRING && in->str == nullptr) {
    SetTableError("table '" + t->name + "': NULL string for field '" + hf->name + "'");
    return SR_FAILURE;
  }
  HostEntry* he = static_cast<HostEntry*>(e);
  if (he->values.size() <= hf->index) he->values.resize(t->fields.size());
  StoreValue(hf->type, in, &he->values[hf->index]);
  return SR_SUCCESS;
}

}  // namespace

sr_table_reader_vtable g_reader_vtable = {TableName, TableSize, GetEntry, ReadField, ReleaseEntry, IterateEntries};
sr_table_writer_vtable g_writer_vtable = {ClearTable, EraseEntry, CreateEntry, DestroyEntry, AddEntry, WriteField};
sr_table_fields_vtable g_fields_vtable = {ListFields, GetField, AddField};

sr_table_reader_v0 ReaderV0() { return {TableName, TableSize, GetEntry, ReadField}; }

bool IsStateType(uint32_t type) { return (type >= SR_ST_INT8 && type <= SR_ST_STRING) || type == SR_ST_BOOL; }

const char* StateTypeName(uint32_t type) {
  switch (type) {
    case SR_ST_INT8: return "int8";
    case SR_ST_INT16: return "int16";
    case SR_ST_INT32: return "int32";
    case SR_ST_INT64: return "int64";
    case SR_ST_UINT8: return "uint8";
    case SR_ST_UINT16: return "uint16";
    case SR_ST_UINT32: return "uint32";
    case SR_ST_UINT64: return "uint64";
    case SR_ST_STRING: return "string";
    case SR_ST_BOOL: return "bool";
    default: return "an unknown type";
  }
}

std::vector<std::unique_ptr<Table>>& Tables() {
  static std::vector<std::unique_ptr<Table>> tables;
  return tables;
}

Table* FindTable(const std::string& name) {
  for (auto& t : Tables())
    if (t->name == name) return t.get();
  return nullptr;
}

const std::string& LastTableError() { return t_error; }
void SetTableError(const std::string& msg) { t_error = msg; }

Table* DefineHostTable(const std::string& name, uint32_t key_type,
                       const std::vector<std::pair<std::string, uint32_t>>& fields) {
  t_error.clear();
  Table* old = FindTable(name);
  if (name.empty() || (old != nullptr && !old->gone)) {
    SetTableError(name.empty() ? "a table needs a name" : "a table named '" + name + "' exists already");
    return nullptr;
  }
  if (!IsStateType(key_type) || (!IsIntegerType(key_type) && key_type != SR_ST_STRING && key_type != SR_ST_BOOL)) {
    SetTableError("table '" + name + "': bad key type");
    return nullptr;
  }
  std::unique_ptr<Table> t(new Table());
  t->name = name;
  t->key_type = key_type;
  t->owner = "host";
  for (auto& f : fields) {
    if (f.first.empty() || !IsStateType(f.second)) {
      SetTableError("table '" + name + "': field '" + f.first + "' needs a name and a state type");
      return nullptr;
    }
    for (auto& g : t->fields)
      if (g->name == f.first) {
        SetTableError("table '" + name + "': field '" + f.first + "' is defined twice");
        return nullptr;
      }
    t->fields.push_back(std::unique_ptr<HostField>(new HostField{f.first, f.second, t->fields.size()}));
  }
  // A gone table keeps its object (plugins may still hold its pointer) and gives up its name.
  if (old != nullptr) old->name += " (gone)";
  Tables().push_back(std::move(t));
  return Tables().back().get();
}

void PluginGone(const void* owner_id) {
  for (auto& t : Tables())
    if (t->plugin_owned && t->owner_id == owner_id && !t->gone) {
      t->gone = true;
      t->name += " (gone)";
    }
}

sr_table_info* ListTables(sr_owner*, uint32_t* ntables) {
  t_error.clear();
  g_infos.clear();
  for (auto& t : Tables())
    if (!t->gone) g_infos.push_back({t->name.c_str(), t->key_type});
  if (ntables != nullptr) *ntables = static_cast<uint32_t>(g_infos.size());
  return g_infos.data();
}

sr_table* GetTable(sr_owner*, const char* name, uint32_t key_type) {
  t_error.clear();
  if (name == nullptr) {
    SetTableError("get_table: NULL name");
    return nullptr;
  }
  Table* t = FindTable(name);
  if (t == nullptr || t->gone) {
    SetTableError(std::string("no table named '") + name + "'");
    return nullptr;
  }
  if (t->key_type != key_type) {
    SetTableError(std::string("table '") + name + "' has " + StateTypeName(t->key_type) + " keys, not " +
                  StateTypeName(key_type));
    return nullptr;
  }
  return t;
}

int32_t AddTable(sr_owner* o, const sr_table_input* in) {
  t_error.clear();
  const OwnerInfo* owner = static_cast<const OwnerInfo*>(o);
  if (owner == nullptr || in == nullptr || in->name == nullptr || in->name[0] == '\0' || in->table == nullptr) {
    SetTableError("add_table: a table needs an owner, a name and a table pointer");
    return SR_FAILURE;
  }
  if (!IsStateType(in->key_type)) {
    SetTableError(std::string("add_table '") + in->name + "': bad key type");
    return SR_FAILURE;
  }
  Table* old = FindTable(in->name);
  if (old != nullptr && !old->gone) {
    SetTableError(std::string("a table named '") + in->name + "' exists already");
    return SR_FAILURE;
  }
  std::unique_ptr<Table> t(new Table());
  t->name = in->name;
  t->key_type = in->key_type;
  t->owner = owner->name;
  t->owner_label = owner->label;
  t->owner_id = owner->id;
  t->plugin_owned = true;
  t->ptable = in->table;
  // The extended vtables when given, else the deprecated by-value ones (which lack release and iterate).
  if (in->reader_ext != nullptr) {
    t->preader = *in->reader_ext;
  } else {
    t->preader.get_table_name = in->reader.get_table_name;
    t->preader.get_table_size = in->reader.get_table_size;
    t->preader.get_table_entry = in->reader.get_table_entry;
    t->preader.read_entry_field = in->reader.read_entry_field;
  }
  t->pwriter = in->writer_ext != nullptr ? *in->writer_ext : in->writer;
  t->pfields = in->fields_ext != nullptr ? *in->fields_ext : in->fields;
  if (t->preader.get_table_size == nullptr || t->preader.get_table_entry == nullptr ||
      t->preader.read_entry_field == nullptr || t->pfields.list_table_fields == nullptr ||
      t->pfields.get_table_field == nullptr || t->pfields.add_table_field == nullptr ||
      t->pwriter.clear_table == nullptr || t->pwriter.erase_table_entry == nullptr ||
      t->pwriter.create_table_entry == nullptr || t->pwriter.destroy_table_entry == nullptr ||
      t->pwriter.add_table_entry == nullptr || t->pwriter.write_entry_field == nullptr) {
    SetTableError(std::string("add_table '") + in->name + "': the table's vtables are incomplete");
    return SR_FAILURE;
  }
  if (old != nullptr) old->name += " (gone)";
  Tables().push_back(std::move(t));
  return SR_SUCCESS;
}

void FillTablesInput(sr_init_tables_input* in) {
  in->list_tables = ListTables;
  in->get_table = GetTable;
  in->add_table = AddTable;
  in->fields = g_fields_vtable;
  in->fields_ext = &g_fields_vtable;
}

}  // namespace sysray
