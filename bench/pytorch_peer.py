#!/usr/bin/python3
"""The PyTorch peer of the dlc examples: the same model, data split and
recipe as examples/fashion_mlp.dl, examples/fashion_cnn.dl and
examples/fashion_rowlstm.dl, on CPU, in PyTorch's best configuration on this
machine: OMP_WAIT_POLICY=PASSIVE (set by bench/run.sh; with OpenMP's default
spinning PyTorch is 3-4x slower here), torch.set_num_threads(--threads) and
one inter-op thread.

Used by bench/run.sh to compare speed (samples per second) and accuracy with
the trainer dlc builds. Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(directory, limit):
    def part(name):
        for suffix in ("", ".gz"):
            p = os.path.join(directory, name + suffix)
            if os.path.exists(p):
                return load_idx(p)
        raise SystemExit("missing " + name)
    xs = part("train-images-idx3-ubyte").astype(np.float32) / 255.0
    ys = part("train-labels-idx1-ubyte").astype(np.int64)
    tx = part("t10k-images-idx3-ubyte").astype(np.float32) / 255.0
    ty = part("t10k-labels-idx1-ubyte").astype(np.int64)
    if limit:
        xs, ys, tx, ty = xs[:limit], ys[:limit], tx[:limit], ty[:limit]
    return (torch.from_numpy(xs).unsqueeze(1), torch.from_numpy(ys),
            torch.from_numpy(tx).unsqueeze(1), torch.from_numpy(ty))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0, self.l1, self.l2 = nn.Linear(784, 512), nn.Linear(512, 256), nn.Linear(256, 10)

    def forward(self, x):
        h = torch.flatten(x, 1)
        h = F.relu(self.l0(h))
        h = F.dropout(F.relu(self.l1(h)), 0.2, self.training)
        return self.l2(h)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.c2, self.b2 = nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64)
        self.fc1, self.fc2 = nn.Linear(64 * 7 * 7, 128), nn.Linear(128, 10)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
        h = F.max_pool2d(F.relu(self.b2(self.c2(h))), 2)
        h = F.dropout(F.relu(self.fc1(torch.flatten(h, 1))), 0.25, self.training)
        return self.fc2(h)


class RowLSTM(nn.Module):
    """28 rows of 28 pixels read by a 2-layer nn.LSTM of 128; the last
    step's output classified."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, num_layers=2, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        h, _ = self.lstm(x.reshape(-1, 28, 28))
        return self.head(h[:, -1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["mlp", "cnn", "rowlstm"], default="mlp")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cycle-momentum", action="store_true")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    x, y, tx, ty = load(args.data, args.limit)
    g = torch.Generator().manual_seed(args.seed)
    perm = torch.randperm(len(x), generator=g)
    nval = int(len(x) * 0.1)
    xv, yv, x, y = x[perm[:nval]], y[perm[:nval]], x[perm[nval:]], y[perm[nval:]]
    if args.model == "mlp":
        model, epochs = MLP(), args.epochs or 5
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
        max_lr, smoothing = 0.1, 0.0
    elif args.model == "cnn":
        model, epochs = CNN(), args.epochs or 3
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        max_lr, smoothing = 4e-3, 0.05
    else:
        model, epochs = RowLSTM(), args.epochs or 4
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        max_lr, smoothing = 3e-3, 0.0
    steps = (len(x) + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=max_lr, total_steps=epochs * steps,
        cycle_momentum=not args.no_cycle_momentum)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        start = time.perf_counter()
        for i in range(steps):
            idx = order[i * args.batch:(i + 1) * args.batch]
            loss = F.cross_entropy(model(x[idx]), y[idx], label_smoothing=smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            val = (model(xv).argmax(1) == yv).float().mean().item()
        print("epoch %d/%d: loss %.4f val_acc %.4f | %.0f samples/s, %.1fs" %
              (epoch + 1, epochs, loss.item(), val, len(x) / seconds, seconds), flush=True)
    model.eval()
    with torch.no_grad():
        acc = (model(tx).argmax(1) == ty).float().mean().item()
    print("test: acc %.4f" % acc)


if __name__ == "__main__":
    main()
