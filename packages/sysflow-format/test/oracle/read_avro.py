#!/usr/bin/python3
"""Oracle for @sysray/sysflow-format tests: read an Avro object container file with Apache's own
python implementation (Debian python3-avro) and print one JSON line per record, in the same shape as
`recordToJSON` in src/json.ts: {"type": <union branch name>, "rec": {fields...}}, with longs as
decimal strings, bytes/fixed as lowercase hex, enums as symbol names, maps as objects.

The file is read with its own (writer) schema; logical-type annotations are ignored (SysFlow
stores nanoseconds in longs that some old schemas label timestamp-millis).

Usage: read_avro.py FILE            -> NDJSON on stdout
       read_avro.py --meta FILE     -> one JSON line {"codec":..., "schema":...}
"""
import json
import sys

import avro.datafile
import avro.io
import avro.schema


class PlainReader(avro.io.DatumReader):
    """Reads with the writer schema and yields JSON-ready values."""

    def __init__(self):
        super().__init__()
        self.top_union = None
        self.active = False  # off while DataFileReader parses the file header

    def read_data(self, writers_schema, readers_schema, decoder):
        if not self.active:
            return super().read_data(writers_schema, readers_schema, decoder)
        t = writers_schema.type
        if t == "long":
            return str(decoder.read_long())
        if t == "bytes":
            return decoder.read_bytes().hex()
        if t == "fixed":
            return decoder.read(writers_schema.size).hex()
        return super().read_data(writers_schema, readers_schema, decoder)

    def read_union(self, writers_schema, readers_schema, decoder):
        index = int(decoder.read_long())
        if index < 0 or index >= len(writers_schema.schemas):
            raise avro.errors.SchemaResolutionException("bad union index %d" % index)
        selected = writers_schema.schemas[index]
        value = self.read_data(selected, selected, decoder)
        if writers_schema is self.top_union:
            return {"type": selected.name, "rec": value}
        return value


def main():
    args = sys.argv[1:]
    meta_only = args and args[0] == "--meta"
    if meta_only:
        args = args[1:]
    with open(args[0], "rb") as f:
        datum_reader = PlainReader()
        reader = avro.datafile.DataFileReader(f, datum_reader)
        schema = reader.datum_reader.writers_schema
        if meta_only:
            codec = reader.get_meta("avro.codec")
            print(json.dumps({"codec": codec.decode() if codec else "null", "schema": schema.to_json()}))
            return
        datum_reader.readers_schema = schema
        datum_reader.top_union = schema.fields[0].type
        datum_reader.active = True
        out = sys.stdout
        for record in reader:
            out.write(json.dumps(record["rec"], ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
        reader.close()


if __name__ == "__main__":
    main()
