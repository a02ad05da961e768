"""Checks the SVG pictures of ./train against what they draw.

  check_plot.py curves PLOT.svg LOG.jsonl [EPOCHS]
      every epoch record's numbers (loss, metrics, lr; val_*) are a series of
      the plot with the same epochs and values, the test record a marker;
      EPOCHS, if given, is the number of points every series must have.
  check_plot.py confusion PLOT.svg EVAL.out
      the cells are the confusion matrix that eval printed.
  check_plot.py png FILE.png SVG
      FILE.png is a PNG (as rsvg-convert renders SVG) of SVG's size, not blank.
"""
import json
import math
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

NS = "{http://www.w3.org/2000/svg}"
SKIP = {"event", "epoch", "step", "fold", "samples_per_s", "seconds", "tta"}


def close(a, b):
    return abs(a - b) <= 1e-5 * max(1.0, abs(b))


def curves(svg_path, log_path, epochs=None):
    root = ET.parse(svg_path).getroot()
    series = {}
    for line in root.iter(NS + "polyline"):
        if line.get("class") != "series":
            continue
        key = (line.get("data-series"), int(line.get("data-fold")))
        series[key] = (
            [float(e) for e in line.get("data-epochs").split()],
            [float(v) for v in line.get("data-values").split()],
            len(line.get("points").split()),
        )
    tests = {}
    for path in root.iter(NS + "path"):
        if path.get("class") == "test":
            tests[(path.get("data-series"), int(path.get("data-fold")))] = float(
                path.get("data-values"))
    expected, expected_tests = {}, {}
    for text in open(log_path):
        # A log read from a pipe with the trainer's output: JSON lines only.
        if not text.startswith("{"):
            continue
        r = json.loads(text)
        fold = r.get("fold", 0)
        if r.get("event") == "epoch":
            for k, v in r.items():
                if k in SKIP or not isinstance(v, (int, float)):
                    continue
                es, vs = expected.setdefault((k, fold), ([], []))
                es.append(float(r["epoch"]))
                vs.append(float(v))
        elif r.get("event") == "test":
            for k, v in r.items():
                if k not in SKIP and isinstance(v, (int, float)):
                    expected_tests[("test_" + k, fold)] = float(v)
    assert expected, "the log has no epoch records"
    assert set(series) == set(expected), (sorted(series), sorted(expected))
    for key, (es, vs) in expected.items():
        got_es, got_vs, points = series[key]
        assert got_es == es, (key, got_es, es)
        assert all(close(a, b) for a, b in zip(got_vs, vs)), (key, got_vs, vs)
        assert points == len(vs), (key, points, len(vs))
        if epochs is not None:
            assert len(vs) == epochs, (key, len(vs), epochs)
    for key, v in expected_tests.items():
        # Only quantities that have a curve get a test marker.
        if (key[0][5:], key[1]) in expected:
            assert key in tests and close(tests[key], v), (key, tests.get(key), v)
    panels = {g.get("data-quantity") for g in root.iter(NS + "g")
              if g.get("class") == "panel"}
    print("series", len(series), "panels", len(panels), "tests", len(tests),
          "points", sum(len(v[1]) for v in expected.values()))


def confusion(svg_path, eval_out):
    root = ET.parse(svg_path).getroot()
    cells = {}
    for rect in root.iter(NS + "rect"):
        if rect.get("class") == "cell":
            cells[(int(rect.get("data-actual")),
                   int(rect.get("data-predicted")))] = int(rect.get("data-count"))
    lines = open(eval_out).read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("confusion matrix"))
    rows = []
    for l in lines[start + 1:]:
        nums = [int(x) for x in re.findall(r"-?\d+", l)]
        if not nums:
            break
        rows.append(nums)
    # The printed matrix has a header row of predicted classes, then one row
    # per actual class led by its index.
    if rows and len(rows[0]) == len(rows) - 1:
        rows = rows[1:]
    matrix = [r[1:] for r in rows]
    n = len(matrix)
    assert n > 0 and all(len(r) == n for r in matrix), matrix
    assert len(cells) == n * n, (len(cells), n)
    for a in range(n):
        for p in range(n):
            assert cells[(a, p)] == matrix[a][p], (a, p, cells[(a, p)], matrix[a][p])
    print("classes", n, "samples", sum(cells.values()))


def png(png_path, svg_path):
    data = open(png_path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height, depth, ctype = struct.unpack(">IIBB", data[16:26])
    root = ET.parse(svg_path).getroot()
    assert (width, height) == (int(float(root.get("width"))),
                               int(float(root.get("height")))), (width, height)
    # Decode the image data and check it is not one flat colour.
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert len(set(raw)) > 8, "the rendered picture is blank"
    print("png", width, "x", height)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "curves":
        curves(sys.argv[2], sys.argv[3],
               int(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif mode == "confusion":
        confusion(sys.argv[2], sys.argv[3])
    else:
        png(sys.argv[2], sys.argv[3])
