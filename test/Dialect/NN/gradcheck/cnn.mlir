// Gradient check of a CNN: conv2d -> batch_norm -> relu -> max_pool ->
// flatten -> linear -> cross_entropy.
// RUN: dlc-gradcheck %s --num-classes=3 | FileCheck %s
// CHECK: conv1.w
// CHECK: bn1.gamma
// CHECK: fc.b
// CHECK: PASS

func.func @cnn(%x: tensor<?x1x6x6xf32>, %labels: tensor<?xi64>,
               %cw: tensor<2x1x3x3xf32> {nn.param = "conv1.w"}, %cb: tensor<2xf32> {nn.param = "conv1.b"},
               %gamma: tensor<2xf32> {nn.param = "bn1.gamma"}, %beta: tensor<2xf32> {nn.param = "bn1.beta"},
               %fw: tensor<18x3xf32> {nn.param = "fc.w"}, %fb: tensor<3xf32> {nn.param = "fc.b"}) -> tensor<f32> {
  %c = nn.conv2d %x, %cw, %cb {padding = array<i64: 1, 1>} : (tensor<?x1x6x6xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x6x6xf32>
  %y, %mean, %var = nn.batch_norm_train %c, %gamma, %beta : (tensor<?x2x6x6xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<?x2x6x6xf32>, tensor<2xf32>, tensor<2xf32>)
  %r = nn.relu %y : tensor<?x2x6x6xf32>
  %p = nn.max_pool2d %r {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x2x6x6xf32>) -> tensor<?x2x3x3xf32>
  %f = nn.reshape %p : (tensor<?x2x3x3xf32>) -> tensor<?x18xf32>
  %h = nn.matmul %f, %fw : (tensor<?x18xf32>, tensor<18x3xf32>) -> tensor<?x3xf32>
  %z = nn.add %h, %fb : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = nn.cross_entropy %z, %labels : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
