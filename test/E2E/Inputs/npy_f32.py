"""Writing and reading little-endian f32 NPY files in the tests' check
scripts (standard library only; the scripts import it from their own
directory)."""
import struct


def write_npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % s for s in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + struct.pack("<%df" % len(values), *values))


def read_npy(path):
    """The values of an f32 file, flat."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<H", data[8:10])
    body = data[10 + n:]
    return list(struct.unpack("<%df" % (len(body) // 4), body))
