#!/usr/bin/env python3
"""Write breast-cancer.npz's rows as a Parquet file, as a data team would hand them over.

An independent writer (pyarrow) for the tester's Parquet reader to be checked against: all 569 rows (the test
split first, then the training split, as in the npz), the 30 measurements under their names as float32, the
diagnosis as a class name ("malignant"/"benign"), and a patient_id string column the model does not take;
row groups of 100 rows, zstd compression.

    python -m venv /tmp/pa && /tmp/pa/bin/pip install pyarrow numpy
    /tmp/pa/bin/python model-server/training/export_parquet.py --out model-server/models/breast-cancer.parquet
"""
import argparse
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="model-server/models")
    p.add_argument("--out", default="model-server/models/breast-cancer.parquet")
    a = p.parse_args()
    data = np.load(os.path.join(a.models, "breast-cancer.npz"))
    names = [c["name"] for c in json.load(open(os.path.join(a.models, "tabular-metrics.json")))["columns"]]
    x = np.concatenate([data["x"], data["x_train"]]).astype(np.float32)
    y = np.concatenate([data["y"], data["y_train"]])
    columns = {"patient_id": pa.array(["p%d" % i for i in range(len(y))])}
    columns.update({n: pa.array(x[:, j]) for j, n in enumerate(names)})
    columns["diagnosis"] = pa.array(["malignant" if v == 0 else "benign" for v in y])
    pq.write_table(pa.table(columns), a.out, row_group_size=100, compression="zstd")
    print(a.out, len(y), "rows, pyarrow", pa.__version__)


if __name__ == "__main__":
    main()
