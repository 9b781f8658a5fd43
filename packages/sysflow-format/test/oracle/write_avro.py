#!/usr/bin/python3
"""Oracle writer for @sysray/sysflow-format tests: writes an Avro object container file with Apache's
python implementation (Debian python3-avro), using any SysFlow-shaped writer schema (v5, v4, v2, the
legacy "1000" layout), from NDJSON records in the `recordToJSON` shape on stdin:
{"type": <branch name>, "rec": {...}} with longs as decimal strings and fixed/bytes as hex.
Fields the writer schema lacks are dropped; that is how older collectors' files look.

Usage: write_avro.py SCHEMA.avsc CODEC OUT.sf < records.ndjson
"""
import json
import sys

import avro.datafile
import avro.io
import avro.schema


class Branch(dict):
    """A record datum tagged with the name of the top-level union branch it belongs to."""

    def __init__(self, name, fields):
        super().__init__(fields)
        self.branch_name = name


class TaggedWriter(avro.io.DatumWriter):
    # No up-front validation: legacy schemas label ns longs timestamp-millis, which python would
    # insist be datetimes. write_data still checks each value as it encodes it.
    def write(self, datum, encoder):
        self.write_data(self.writers_schema, datum, encoder)

    def write_data(self, writers_schema, datum, encoder):
        if writers_schema.type == "long":
            return encoder.write_long(int(datum))
        return super().write_data(writers_schema, datum, encoder)

    def write_union(self, writers_schema, datum, encoder):
        if isinstance(datum, Branch):
            for index, candidate in enumerate(writers_schema.schemas):
                if getattr(candidate, "name", None) == datum.branch_name:
                    encoder.write_long(index)
                    return self.write_data(candidate, datum, encoder)
            raise ValueError("writer schema has no branch %s" % datum.branch_name)
        # SysFlow's other unions are ["null", X].
        for index, candidate in enumerate(writers_schema.schemas):
            if (datum is None) == (candidate.type == "null"):
                encoder.write_long(index)
                return self.write_data(candidate, datum, encoder)
        raise ValueError("no union branch for %r" % (datum,))


def convert(schema, value):
    t = schema.type
    if t == "long":
        return int(value)
    if t in ("fixed", "bytes"):
        return bytes.fromhex(value)
    if t == "array":
        return [convert(schema.items, v) for v in value]
    if t == "map":
        return {k: convert(schema.values, v) for k, v in value.items()}
    if t == "record":
        return {f.name: convert(f.type, value.get(f.name)) for f in schema.fields}
    if t == "union":
        if value is None:
            return None
        others = [s for s in schema.schemas if s.type != "null"]
        return convert(others[0], value)
    return value


def main():
    schema_path, codec, out_path = sys.argv[1:4]
    with open(schema_path) as f:
        schema = avro.schema.parse(f.read())
    top = schema.fields[0].type
    by_name = {s.name: s for s in top.schemas}
    with open(out_path, "wb") as out:
        writer = avro.datafile.DataFileWriter(out, TaggedWriter(), schema, codec=codec)
        for line in sys.stdin:
            if not line.strip():
                continue
            record = json.loads(line)
            branch = by_name[record["type"]]
            writer.append({"rec": Branch(record["type"], convert(branch, record["rec"]))})
        writer.close()


if __name__ == "__main__":
    main()
