// For onnx-mlir.test: nn.broadcast_like (with and without axes) and
// nn.broadcast_to, which the examples do not use; no parameters.
module {
  func.func @Net_eval(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %s = nn.sum %x {axes = array<i64: 1>} : (tensor<?x4xf32>) -> tensor<?xf32>
    %0 = nn.broadcast_like %s, %x {axes = array<i64: 1>} : (tensor<?xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %c = nn.constant dense<2.0> : tensor<f32>
    %1 = nn.broadcast_like %c, %x : (tensor<f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %r = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
    %2 = nn.broadcast_to %r : (tensor<4xf32>) -> tensor<3x4xf32>
    %3 = nn.sum %2 {axes = array<i64: 0>} : (tensor<3x4xf32>) -> tensor<4xf32>
    %4 = nn.mul %0, %1 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %5 = nn.add %4, %3 : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    return %5 : tensor<?x4xf32>
  }
}
