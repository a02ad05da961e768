#!/usr/bin/env python3
"""The recurrent layers of rnn-values.dl against PyTorch (python3-torch):

  data DIR                  writes DIR/x.npy (6 sequences 1 x 5 x 3, fixed
                            pseudo-random values in [-2, 2)) and DIR/y.npy
                            (zeros of the model's output shape)
  check CKPT X PREDICT      loads the checkpoint's weights into
                            torch.nn.LSTM / GRU / RNN (batch_first=True, in
                            double precision) and compares their outputs with
                            ./train predict's (relative error 1e-4)

dlc's parameter `<call>.l<k>.w_ih` is PyTorch's `weight_ih_l<k>` (w_hh,
b_ih, b_hh likewise) and `<call>.l<k>_reverse.*` the `*_l<k>_reverse` of
the reverse direction. Exits 1 with a message otherwise."""
import sys

from npy_f32 import read_npy, write_npy
from safetensors_read import tensors as read_safetensors

N, T, I = 6, 5, 3
# (call, torch.nn class, input: "x" or the output of a call, hidden, layers,
# bidirectional)
LAYERS = [("lstm", "LSTM", "x", 4, 2, True),
          ("gru", "GRU", "x", 5, 2, False),
          ("rnn", "RNN", "x", 3, 1, True),
          ("gru2", "GRU", "lstm", 4, 1, True)]
WIDTH = sum(h * (2 if b else 1) for _, _, _, h, _, b in LAYERS)


def torch_layer(weights, call, kind, inputs, hidden, layers, bidir):
    import torch
    m = getattr(torch.nn, kind)(inputs, hidden, num_layers=layers, bidirectional=bidir,
             batch_first=True).double()
    ours = {"w_ih": "weight_ih", "w_hh": "weight_hh", "b_ih": "bias_ih",
            "b_hh": "bias_hh"}
    state = {}
    for k in range(layers):
        for suffix in ([""] + (["_reverse"] if bidir else [])):
            for mine, theirs in ours.items():
                name = "%s.l%d%s.%s" % (call, k, suffix, mine)
                if name not in weights:
                    sys.exit("the checkpoint has no '%s'" % name)
                shape, values = weights.pop(name)
                state["%s_l%d%s" % (theirs, k, suffix)] = \
                    torch.tensor(values, dtype=torch.float64).reshape(shape)
    m.load_state_dict(state)  # strict: every tensor of the module, each once
    return m


def check(ckpt, xpath, predict):
    import torch
    weights = read_safetensors(ckpt)
    weights = {k: v for k, v in weights.items()
               if not k.startswith("opt.")}
    x = torch.tensor(read_npy(xpath), dtype=torch.float64).reshape(N, T, I)
    outputs = {"x": x}
    with torch.no_grad():
        for call, kind, src, hidden, layers, bidir in LAYERS:
            m = torch_layer(weights, call, kind, outputs[src].shape[2], hidden,
                            layers, bidir)
            outputs[call] = m(outputs[src])[0]
    if weights:
        sys.exit("checkpoint tensors not used: %s" % sorted(weights))
    want = torch.cat([outputs[c[0]] for c in LAYERS], dim=2)
    rows = [l.split(",") for l in open(predict).read().split("\n")[1:] if l]
    if len(rows) != N:
        sys.exit("expected %d predictions, got %d" % (N, len(rows)))
    got = torch.tensor([[float(v) for v in r[1:1 + T * WIDTH]] for r in rows],
                       dtype=torch.float64).reshape(N, T, WIDTH)
    err = (got - want).abs() / (want.abs() + 1e-2)
    worst = err.max().item()
    if worst > 1e-4:
        i, t, c = [int(v) for v in (err == err.max()).nonzero()[0]]
        sys.exit("sample %d, step %d, value %d: predict %.8g, PyTorch %.8g"
                 % (i, t, c, got[i, t, c], want[i, t, c]))
    print("recurrent values ok: %d samples x %d steps x %d values, worst "
          "relative error %.2g (torch %s)" % (N, T, WIDTH, worst,
                                              torch.__version__))


if sys.argv[1] == "data":
    seed, xs = 4321, []
    for _ in range(N * T * I):
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        xs.append(4 * seed / 2.0 ** 31 - 2)
    write_npy(sys.argv[2] + "/x.npy", [N, 1, T, I], xs)
    write_npy(sys.argv[2] + "/y.npy", [N, T, WIDTH], [0.0] * (N * T * WIDTH))
else:
    check(sys.argv[2], sys.argv[3], sys.argv[4])
