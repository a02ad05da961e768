// Gradient checks of hardswish on each side of its kinks at -3 and 3: the
// middle branch (|x| in [0.1, 1] and [1, 2.8]) and both outer branches
// (|x| in [3.2, 6]: 0 below -3, 1 above 3). No sample is near a kink.
// RUN: dlc-gradcheck %s --func=hardswish | FileCheck %s
// RUN: dlc-gradcheck %s --func=hardswish --min=1 --max=2.8 --seed=3 | FileCheck %s
// RUN: dlc-gradcheck %s --func=hardswish --min=3.2 --max=6 | FileCheck %s
// RUN: dlc-gradcheck %s --func=hardswish --min=3.2 --max=6 --seed=7 | FileCheck %s
// CHECK: PASS

func.func @hardswish(%x: tensor<3x4xf32> {nn.param = "x"}, %w: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.hardswish %x : tensor<3x4xf32>
  %p = nn.mul %y, %w : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %l = nn.sum %p : (tensor<3x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
