// Gradient check of an MLP: linear -> relu -> linear -> cross_entropy, with
// the gradient of the input too (saliency).
// RUN: dlc-gradcheck %s --num-classes=3 | FileCheck %s
// RUN: dlc-gradcheck %s --num-classes=3 --wrt-inputs --seed=7 | FileCheck %s --check-prefix=INPUT
// CHECK: fc1.w
// CHECK: fc2.b
// CHECK: PASS
// INPUT: arg0 [3x6]
// INPUT: PASS

func.func @mlp(%x: tensor<?x6xf32>, %labels: tensor<?xi64>,
               %w1: tensor<6x5xf32> {nn.param = "fc1.w"}, %b1: tensor<5xf32> {nn.param = "fc1.b"},
               %w2: tensor<5x3xf32> {nn.param = "fc2.w"}, %b2: tensor<3xf32> {nn.param = "fc2.b"}) -> tensor<f32> {
  %0 = nn.matmul %x, %w1 : (tensor<?x6xf32>, tensor<6x5xf32>) -> tensor<?x5xf32>
  %1 = nn.add %0, %b1 : (tensor<?x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %2 = nn.relu %1 : tensor<?x5xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x5xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
  %4 = nn.add %3, %b2 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %5 = nn.cross_entropy %4, %labels : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
  return %5 : tensor<f32>
}
