#!/usr/bin/python3
"""Prints the Process records of a SysFlow (.sf) file as NDJSON, for the inspector's state tests.

Usage: /usr/bin/python3 sf_processes.py FILE.sf

Uses Debian's python3-avro (`import avro.datafile`). Each line is the Process record's fields plus
`"_index"`, the record's position in the file.
"""
import json
import sys

import avro.datafile
import avro.io


def plain(v):
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main(path):
    with open(path, "rb") as fh:
        reader = avro.datafile.DataFileReader(fh, avro.io.DatumReader())
        for i, datum in enumerate(reader):
            rec = datum.get("rec") if isinstance(datum, dict) else None
            if not isinstance(rec, dict) or "exe" not in rec or "oid" not in rec or "exeArgs" not in rec:
                continue
            out = plain(rec)
            out["_index"] = i
            sys.stdout.write(json.dumps(out) + "\n")
        reader.close()


if __name__ == "__main__":
    main(sys.argv[1])
