// For onnx-errors.test: an inference function with two ops that have no
// ONNX form (nn.count and nn.batch_norm_train, which only training uses);
// its parameters are those of examples/fashion_mlp.dl's last layer.
module {
  func.func @Net_eval(%x: tensor<?x256xf32>, %w: tensor<256x10xf32> {nn.param = "linear_2.w"}, %b: tensor<10xf32> {nn.param = "linear_2.b"}) -> tensor<?x10xf32> {
    %0 = nn.matmul %x, %w : (tensor<?x256xf32>, tensor<256x10xf32>) -> tensor<?x10xf32>
    %1 = nn.add %0, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    %2 = nn.count %1 {axes = array<i64: 0>} : (tensor<?x10xf32>) -> tensor<f32>
    %3 = nn.mul %1, %2 : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
    %y, %mean, %var = nn.batch_norm_train %3, %b, %b : (tensor<?x10xf32>, tensor<10xf32>, tensor<10xf32>) -> (tensor<?x10xf32>, tensor<10xf32>, tensor<10xf32>)
    return %y : tensor<?x10xf32>
  }
}
