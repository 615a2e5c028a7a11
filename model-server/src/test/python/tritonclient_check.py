"""Drives the model server with the real tritonclient[http] from PyPI (the v2 client most people use).

Run by TritonClientTest (model-server/src/test/java/.../TritonClientTest.java) with the venv that
scripts/python-env creates, against the server that the test starts:

    python tritonclient_check.py --url 127.0.0.1:PORT --model fashion \
        --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz \
        --expected expected.json --recorded models/metrics.json

expected.json holds DJL's own predictions for the same images (computed in the test's JVM, without
HTTP): {"fp32": {"1": {"logits": [...], "labels": [...]}, "64": {...}}, "bool": {"64": {...}}}.
Exits non-zero on the first difference; prints one "ok ..." line per check.
"""

import argparse
import gzip
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

ATOL = 1e-5  # the same libtorch forward pass; only float rounding of the batch may differ


def read_images(path, limit):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">i4")
    assert magic == 0x803, f"{path}: not an idx image file"
    pixels = np.frombuffer(raw[16:16 + limit * rows * cols], dtype=np.uint8)
    return (pixels.astype(np.float32) / np.float32(255)).reshape(limit, 1, rows, cols)


def read_labels(path, limit):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    assert np.frombuffer(raw[:4], dtype=">i4")[0] == 0x801, f"{path}: not an idx label file"
    return np.frombuffer(raw[8:8 + limit], dtype=np.uint8).astype(np.int64)


def infer(client, model, batch, binary, dtype="FP32"):
    inp = httpclient.InferInput("input", list(batch.shape), dtype)
    inp.set_data_from_numpy(batch, binary_data=binary)
    if binary:
        # The client's defaults: binary input, no outputs named -> binary_data_output for all.
        return client.infer(model, [inp])
    outputs = [httpclient.InferRequestedOutput("logits", binary_data=False),
               httpclient.InferRequestedOutput("label", binary_data=False)]
    return client.infer(model, [inp], outputs=outputs)


def check(name, result, expected, binary):
    logits = result.as_numpy("logits")
    labels = result.as_numpy("label")
    want_logits = np.asarray(expected["logits"], dtype=np.float32).reshape(logits.shape)
    want_labels = np.asarray(expected["labels"], dtype=np.int64)
    assert logits.dtype == np.float32, f"{name}: logits dtype {logits.dtype}"
    assert labels.dtype == np.int64, f"{name}: label dtype {labels.dtype}"
    np.testing.assert_allclose(logits, want_logits, rtol=0, atol=ATOL, err_msg=f"{name}: logits differ from DJL")
    np.testing.assert_array_equal(labels, want_labels, err_msg=f"{name}: labels differ from DJL")
    outputs = result.get_response()["outputs"]
    sizes = [o.get("parameters", {}).get("binary_data_size") for o in outputs]
    if binary:
        assert sizes == [logits.nbytes, labels.nbytes], f"{name}: expected binary outputs, got {outputs}"
        assert all("data" not in o for o in outputs), f"{name}: binary outputs also carry JSON data"
    else:
        assert sizes == [None, None], f"{name}: expected JSON outputs, got sizes {sizes}"
    print(f"ok {name}: shape {list(logits.shape)}, {'binary' if binary else 'JSON'} outputs equal to DJL")
    return logits


def main():
    p = argparse.ArgumentParser()
    for a in ("--url", "--model", "--images", "--labels", "--expected", "--recorded"):
        p.add_argument(a, required=True)
    args = p.parse_args()
    expected = json.load(open(args.expected))
    recorded = np.asarray(json.load(open(args.recorded))["models"]["standard"]["first3_test_logits"], dtype=np.float32)
    images = read_images(args.images, 64)
    truth = read_labels(args.labels, 64)

    client = httpclient.InferenceServerClient(url=args.url)
    assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(args.model)
    server = client.get_server_metadata()
    assert "binary_tensor_data" in server["extensions"], server
    meta = client.get_model_metadata(args.model)
    assert meta["name"] == args.model, meta
    assert [(t["name"], t["datatype"], t["shape"]) for t in meta["inputs"]] == [("input", "FP32", [-1, 1, 28, 28])], meta
    assert [(t["name"], t["datatype"]) for t in meta["outputs"]] == [("logits", "FP32"), ("label", "INT64")], meta
    print(f"ok metadata: server {server['name']} {server['version']} extensions {server['extensions']}, "
          f"model {meta['name']} input {meta['inputs'][0]['shape']}")

    for size in (1, 64):
        batch = images[:size]
        for binary in (True, False):
            logits = check(f"batch {size} {'binary' if binary else 'json'}", infer(client, args.model, batch, binary),
                           expected["fp32"][str(size)], binary)
            n = min(size, 3)
            np.testing.assert_allclose(logits[:n], recorded[:n], rtol=0, atol=1e-3,
                                       err_msg="logits differ from the training run's recorded ones")
            if size == 64:
                accuracy = float((logits.argmax(axis=1) == truth).mean())
                assert accuracy >= 0.8, f"accuracy {accuracy} on the first 64 test images"

    # BOOL (binarised images) and FP16 through the client's own numpy conversion.
    binarised = images > np.float32(0.5)
    check("batch 64 BOOL binary", infer(client, args.model, binarised, True, "BOOL"), expected["bool"]["64"], True)
    check("batch 64 BOOL json", infer(client, args.model, binarised, False, "BOOL"), expected["bool"]["64"], False)
    half = infer(client, args.model, images.astype(np.float16), True, "FP16").as_numpy("logits")
    full = np.asarray(expected["fp32"]["64"]["logits"], dtype=np.float32).reshape(half.shape)
    np.testing.assert_allclose(half, full, rtol=0, atol=0.05, err_msg="FP16 input far from FP32")
    assert (half.argmax(axis=1) == full.argmax(axis=1)).mean() >= 0.95
    print(f"ok batch 64 FP16 binary: max |FP16 - FP32 logits| = {np.abs(half - full).max():.4f}")

    # A request the server must refuse comes back as the client's error type with the 400 and message.
    try:
        infer(client, args.model, images[:1, :, :27, :], True)
        raise AssertionError("a 27x28 image was accepted")
    except InferenceServerException as e:
        assert e.status() == "400" and "does not match" in e.message(), (e.status(), e.message())
    assert client.is_server_ready()
    print("ok malformed request: 400 with the server's message, server still ready")
    client.close()
    print("tritonclient check passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
