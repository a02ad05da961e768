// The module attribute nn.train (the train recipes) is verified by the
// dialect: every entry the back end reads must be there with its type.
// RUN: dlc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{nn.train must be an array of recipes}}
module attributes {nn.train = {model = "M"}} {}

// -----

// expected-error @+1 {{nn.train: missing 'data'}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M"}]} {}

// -----

// expected-error @+1 {{nn.train: 'data' must be a dictionary with a string 'kind'}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M", data = "mnist", loss = {kind = "cross_entropy"}, schedule = {kind = "constant"}, epochs = 1, batch = 8, seed = 0, validation = 0.0, metrics = [], params = {}, layers = []}]} {}

// -----

// expected-error @+1 {{nn.train: 'batch' must be an integer of at least 1}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M", data = {kind = "mnist", classes = 10}, loss = {kind = "cross_entropy"}, schedule = {kind = "constant"}, epochs = 1, batch = 0, seed = 0, validation = 0.0, metrics = [], params = {}, layers = []}]} {}

// -----

// expected-error @+1 {{nn.train: 'validation' must be in [0, 1)}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M", data = {kind = "mnist", classes = 10}, loss = {kind = "cross_entropy"}, schedule = {kind = "constant"}, epochs = 1, batch = 8, seed = 0, validation = 1.5, metrics = [], params = {}, layers = []}]} {}

// -----

// expected-error @+1 {{nn.train: 'params.w' must be a dictionary with a string 'kind'}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M", data = {kind = "mnist", classes = 10}, loss = {kind = "cross_entropy"}, schedule = {kind = "constant"}, epochs = 1, batch = 8, seed = 0, validation = 0.0, metrics = ["accuracy"], params = {w = "zeros"}, layers = []}]} {}

// -----

// expected-error @+1 {{nn.train: layer: missing 'flops'}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M", data = {kind = "mnist", classes = 10}, loss = {kind = "cross_entropy"}, schedule = {kind = "constant"}, epochs = 1, batch = 8, seed = 0, validation = 0.0, metrics = ["accuracy"], params = {w = {kind = "zeros"}}, layers = [{name = "fc", op = "linear", shape = "f32[B, 2]"}]}]} {}

// -----

// expected-error @+1 {{nn.train: data: 'classes' must be an integer}}
module attributes {nn.train = [{at = loc("m.dl":1:1), model = "M", data = {kind = "mnist", classes = "ten"}, loss = {kind = "cross_entropy"}, schedule = {kind = "constant"}, epochs = 1, batch = 8, seed = 0, validation = 0.0, metrics = ["accuracy"], params = {}, layers = []}]} {}
