"""Reading safetensors files in the tests' check scripts (standard library
only; the scripts import it from their own directory)."""
import json
import struct


def _parts(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    return data[8 + n:], header, metadata


def raw(path):
    """{name: the tensor's bytes}."""
    body, header, _ = _parts(path)
    return {k: body[v["data_offsets"][0]:v["data_offsets"][1]]
            for k, v in header.items()}


def tensors(path):
    """{name: (shape, [float32 values])} of a file of F32 tensors."""
    body, header, _ = _parts(path)
    out = {}
    for k, v in header.items():
        a, b = v["data_offsets"]
        out[k] = (v["shape"], list(struct.unpack("<%df" % ((b - a) // 4),
                                                 body[a:b])))
    return out


def metadata(path):
    return _parts(path)[2]
