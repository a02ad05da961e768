#!/usr/bin/env python3
"""Checks of the explicit-step tests (step-gan.test, step-autoencoder.test):

  log LOG NAME... [--fall F] [--epoch-fall F]
                               every epoch record and the test record of the
                               JSON Lines LOG have each named loss, finite;
                               with --fall, the mean loss of the last two
                               step records is below F times that of the
                               first two; with --epoch-fall, each named loss
                               of the last epoch is below F times that of
                               the first
  png FILE W H C               FILE is a PNG of W x H pixels with C (1: gray,
                               3: RGB) 8-bit channels whose chunk CRCs hold
                               and whose image data inflate to its size; it
                               is not one flat colour

Exits 1 with a message otherwise."""
import json
import math
import struct
import sys
import zlib


def check_log(path, names, fall, epoch_fall):
    steps, epochs, test = [], [], None
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["event"] == "step":
                steps.append(r["loss"])
            elif r["event"] == "epoch":
                epochs.append(r)
            elif r["event"] == "test":
                test = r
    if not epochs or test is None:
        sys.exit("%s: %d epoch records, test=%s" % (path, len(epochs), test))
    for r in epochs + [test]:
        for n in names:
            if n not in r or not math.isfinite(r[n]):
                sys.exit("%s: record %s has no finite '%s'" % (path, r, n))
    print("test: " + ", ".join("%s %.4f" % (n, test[n]) for n in names))
    if epoch_fall is not None:
        for n in names:
            first, last = epochs[0][n], epochs[-1][n]
            print("%s: first epoch %.4f, last %.4f" % (n, first, last))
            if len(epochs) < 2 or not last < epoch_fall * first:
                sys.exit("%s did not fall over the epochs: %.4f -> %.4f" % (n, first, last))
    if fall is not None:
        if len(steps) < 4:
            sys.exit("%s: only %d step records" % (path, len(steps)))
        first, last = sum(steps[:2]) / 2, sum(steps[-2:]) / 2
        print("first steps' loss %.4f, last %.4f" % (first, last))
        if not last < fall * first:
            sys.exit("the loss did not fall: %.4f -> %.4f" % (first, last))


def check_png(path, width, height, channels):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG signature" % path)
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            sys.exit("%s: bad CRC of chunk %s" % (path, kind))
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if header is None:
        sys.exit("%s: no IHDR" % path)
    w, h, depth, colour = header[:4]
    want_colour = 0 if channels == 1 else 2
    if (w, h, depth, colour) != (width, height, 8, want_colour):
        sys.exit("%s: %dx%d depth %d colour %d, expected %dx%d depth 8 colour %d"
                 % (path, w, h, depth, colour, width, height, want_colour))
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    if len(raw) != height * stride:
        sys.exit("%s: %d bytes of image data, expected %d" % (path, len(raw), height * stride))
    pixels = set()
    for y in range(height):
        if raw[y * stride] != 0:
            sys.exit("%s: row %d has filter %d" % (path, y, raw[y * stride]))
        pixels.update(raw[y * stride + 1:(y + 1) * stride])
    if len(pixels) < 3:
        sys.exit("%s: only %d distinct values" % (path, len(pixels)))
    print("%s: %dx%d, %d channel(s), %d distinct values" % (path, w, h, channels, len(pixels)))


if sys.argv[1] == "log":
    args = sys.argv[2:]
    options = {}
    for flag in ("--fall", "--epoch-fall"):
        if flag in args:
            i = args.index(flag)
            options[flag] = float(args[i + 1])
            args = args[:i] + args[i + 2:]
    check_log(args[0], args[1:], options.get("--fall"), options.get("--epoch-fall"))
elif sys.argv[1] == "png":
    check_png(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
else:
    sys.exit("unknown check " + sys.argv[1])
print("PASS")
