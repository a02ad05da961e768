// Every verifier of the nn dialect, one error per case.
// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @add_broadcast(%a: tensor<3x4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{operand shapes are not broadcast-compatible}}
  %r = nn.add %a, %b : (tensor<3x4xf32>, tensor<5xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @add_result(%a: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{result shape [3, 5] does not match the expected shape [3, 4]}}
  %r = nn.add %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %r = nn.softmax %a {axis = 2 : i64} : tensor<3x4xf32>
  return
}

// -----

func.func @log_softmax_axis(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{axis -1 is out of range [0, 2)}}
  %r = nn.log_softmax %a {axis = -1 : i64} : tensor<3x4xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{operands must have rank >= 2}}
  %r = nn.matmul %a, %b : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{contraction dimensions differ: 4 vs 5}}
  %r = nn.matmul %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x3xf32>) {
  // expected-error @+1 {{batch dimensions are not broadcast-compatible}}
  %r = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x3xf32>) -> tensor<2x3x3xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<?x4xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{result shape [?, 4] does not match the expected shape [?, 3]}}
  %r = nn.matmul %a, %b : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @sum_axis(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %r = nn.sum %a {axes = array<i64: 2>} : (tensor<3x4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @sum_axis_twice(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{axis 1 appears twice}}
  %r = nn.sum %a {axes = array<i64: 1, 1>} : (tensor<3x4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @mean_result(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{result shape [3] does not match the expected shape [3, 1]}}
  %r = nn.mean %a {axes = array<i64: 1>, keepdims = true} : (tensor<3x4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @max_float(%a: tensor<3x4xi32>) {
  // expected-error @+1 {{must be ranked tensor of floating-point values}}
  %r = nn.max %a : (tensor<3x4xi32>) -> tensor<i32>
  return
}

// -----

func.func @reshape_dynamic(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{result may have at most one dynamic dimension}}
  %r = nn.reshape %a : (tensor<?x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_count(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{element count changes from 12 to 10}}
  %r = nn.reshape %a : (tensor<3x4xf32>) -> tensor<5x2xf32>
  return
}

// -----

func.func @transpose_perm(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, rank)}}
  %r = nn.transpose %a {perm = array<i64: 0, 0>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @transpose_length(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{perm must have one entry per dimension}}
  %r = nn.transpose %a {perm = array<i64: 0>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @transpose_result(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{result shape [3, 4] does not match the expected shape [4, 3]}}
  %r = nn.transpose %a {perm = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @broadcast_to_rank(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{cannot broadcast to a lower rank}}
  %r = nn.broadcast_to %a : (tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @broadcast_to_dim(%a: tensor<3xf32>) {
  // expected-error @+1 {{operand dimension 3 cannot broadcast to 4}}
  %r = nn.broadcast_to %a : (tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @broadcast_to_dynamic(%a: tensor<1x3xf32>) {
  // expected-error @+1 {{dynamic result dimension must align with a non-unit operand dimension}}
  %r = nn.broadcast_to %a : (tensor<1x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %r = nn.concat %a, %a {axis = 2 : i64} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{inputs differ in dimension 0}}
  %r = nn.concat %a, %b {axis = 1 : i64} : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<3x4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{inputs must have the same rank}}
  %r = nn.concat %a, %b {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xf32>) -> tensor<6x4xf32>
  return
}

// -----

func.func @concat_result(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{result shape [7, 4] does not match the expected shape [6, 4]}}
  %r = nn.concat %a, %a {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<7x4xf32>
  return
}

// -----

func.func @split_sum(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{the pieces add up to 3 along axis 1, but the operand has 4}}
  %p, %q = nn.split %a {axis = 1 : i64} : (tensor<3x4xf32>) -> (tensor<3x1xf32>, tensor<3x2xf32>)
  return
}

// -----

func.func @split_dynamic(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{cannot split the dynamic dimension 0}}
  %p, %q = nn.split %a {axis = 0 : i64} : (tensor<?x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>)
  return
}

// -----

func.func @split_other_dim(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{result 1 differs from the operand in dimension 0}}
  %p, %q = nn.split %a {axis = 1 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<2x2xf32>)
  return
}

// -----

func.func @split_axis(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %p = nn.split %a {axis = 2 : i64} : (tensor<3x4xf32>) -> (tensor<3x4xf32>)
  return
}

// -----

func.func @slice_length(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{starts, limits and strides need one entry per dimension}}
  %r = nn.slice %a {starts = array<i64: 0>, limits = array<i64: 1>, strides = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @slice_stride(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{strides must be positive}}
  %r = nn.slice %a {starts = array<i64: 0, 0>, limits = array<i64: 3, 4>, strides = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @slice_limit(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{limit 5 is out of range in dimension 1}}
  %r = nn.slice %a {starts = array<i64: 0, 0>, limits = array<i64: 3, 5>, strides = array<i64: 1, 1>} : (tensor<3x4xf32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @slice_result(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{result shape [3, 3] does not match the expected shape [3, 2]}}
  %r = nn.slice %a {starts = array<i64: 0, 1>, limits = array<i64: 3, 4>, strides = array<i64: 1, 2>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{input and weight must have rank 4 (NCHW, OIHW)}}
  %r = nn.conv2d %x, %w : (tensor<1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<8x26x26xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<?x3x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but weight expects 1}}
  %r = nn.conv2d %x, %w : (tensor<?x3x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x26x26xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<?x4x28x28xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+1 {{output channels must be divisible by groups}}
  %r = nn.conv2d %x, %w {groups = 4 : i64} : (tensor<?x4x28x28xf32>, tensor<6x2x3x3xf32>) -> tensor<?x6x26x26xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must have shape [8]}}
  %r = nn.conv2d %x, %w, %b : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>, tensor<4xf32>) -> tensor<?x8x26x26xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{stride must be >= 1}}
  %r = nn.conv2d %x, %w {stride = array<i64: 0, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x26x26xf32>
  return
}

// -----

func.func @conv_pair(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{attribute 'stride' failed to satisfy constraint}}
  %r = nn.conv2d %x, %w {stride = array<i64: 1, 1, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x26x26xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{result shape [?, 8, 26, 26] does not match the expected shape [?, 8, 28, 28]}}
  %r = nn.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x26x26xf32>
  return
}

// -----

func.func @conv_fit(%x: tensor<?x1x2x2xf32>, %w: tensor<8x1x3x3xf32>) {
  // expected-error @+1 {{kernel does not fit in the padded input}}
  %r = nn.conv2d %x, %w : (tensor<?x1x2x2xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x1x1xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x28x28xf32>) {
  // expected-error @+1 {{input must have rank 4 (NCHW)}}
  %r = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<8x28x28xf32>) -> tensor<8x14x14xf32>
  return
}

// -----

func.func @pool_padding(%x: tensor<?x8x28x28xf32>) {
  // expected-error @+1 {{padding must be at most half the kernel}}
  %r = nn.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x16x16xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<?x8x28x28xf32>) {
  // expected-error @+1 {{kernel must be >= 1}}
  %r = nn.avg_pool2d %x {kernel = array<i64: 0, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  return
}

// -----

func.func @pool_result(%x: tensor<?x8x28x28xf32>) {
  // expected-error @+1 {{result shape [?, 8, 28, 28] does not match the expected shape [?, 8, 14, 14]}}
  %r = nn.avg_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
  return
}

// -----

func.func @pool_missing_kernel(%x: tensor<?x8x28x28xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %r = nn.max_pool2d %x {stride = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  return
}

// -----

func.func @bn_rank(%x: tensor<?x8x28xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{input must have rank 2 (NC) or 4 (NCHW)}}
  %r:3 = nn.batch_norm_train %x, %g, %g : (tensor<?x8x28xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8x28xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bn_gamma(%x: tensor<?x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{gamma must have shape [8]}}
  %r:3 = nn.batch_norm_train %x, %g, %b : (tensor<?x8xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bn_stats(%x: tensor<?x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{var result must have shape [8]}}
  %r:3 = nn.batch_norm_train %x, %g, %g : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<8xf32>, tensor<1xf32>)
  return
}

// -----

func.func @bn_epsilon(%x: tensor<?x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %r:3 = nn.batch_norm_train %x, %g, %g {epsilon = -1.0 : f64} : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bn_infer_var(%x: tensor<?x8xf32>, %g: tensor<8xf32>, %v: tensor<2xf32>) {
  // expected-error @+1 {{running_var must have shape [8]}}
  %r = nn.batch_norm_infer %x, %g, %g, %g, %v : (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dropout_p(%x: tensor<?x8xf32>, %s: tensor<i64>) {
  // expected-error @+1 {{p must be in [0, 1)}}
  %r = nn.dropout %x, %s {p = 1.0 : f64} : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  return
}

// -----

func.func @dropout_seed(%x: tensor<?x8xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{operand #1 must be 0D tensor of signless integer values}}
  %r = nn.dropout %x, %s {p = 0.5 : f64} : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  return
}

// -----

func.func @ce_rank(%z: tensor<10xf32>, %y: tensor<?xi64>) {
  // expected-error @+1 {{scores must have rank 2 or more ([N, C], [N, T, C], ...)}}
  %r = nn.cross_entropy %z, %y : (tensor<10xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_sequence_labels(%z: tensor<?x10x2xf32>, %y: tensor<?xi64>) {
  // expected-error @+1 {{labels must have the shape of the scores without their last dimension}}
  %r = nn.cross_entropy %z, %y : (tensor<?x10x2xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_sequence_length(%z: tensor<?x10x2xf32>, %y: tensor<?x9xi64>) {
  // expected-error @+1 {{labels must have the shape of the scores without their last dimension}}
  %r = nn.cross_entropy %z, %y : (tensor<?x10x2xf32>, tensor<?x9xi64>) -> tensor<f32>
  return
}

// -----

func.func @nll_rank(%z: tensor<?x10x2xf32>, %y: tensor<?x10xi64>) {
  // expected-error @+1 {{scores must have rank 2 ([N, C])}}
  %r = nn.nll %z, %y : (tensor<?x10x2xf32>, tensor<?x10xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_labels(%z: tensor<4x10xf32>, %y: tensor<5xi64>) {
  // expected-error @+1 {{labels must have shape [N] matching the scores}}
  %r = nn.cross_entropy %z, %y : (tensor<4x10xf32>, tensor<5xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_label_type(%z: tensor<4x10xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of signless integer values}}
  %r = nn.cross_entropy %z, %y : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_weight(%z: tensor<?x10xf32>, %y: tensor<?xi64>, %w: tensor<5xf32>) {
  // expected-error @+1 {{weight must have shape [10]}}
  %r = nn.cross_entropy %z, %y, %w : (tensor<?x10xf32>, tensor<?xi64>, tensor<5xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_smoothing(%z: tensor<?x10xf32>, %y: tensor<?xi64>) {
  // expected-error @+1 {{label_smoothing must be in [0, 1]}}
  %r = nn.cross_entropy %z, %y {label_smoothing = 1.5 : f64} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_result(%z: tensor<?x10xf32>, %y: tensor<?xi64>) {
  // expected-error @+1 {{result #0 must be 0D tensor of floating-point values}}
  %r = nn.cross_entropy %z, %y : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @nll_labels(%z: tensor<?x10xf32>, %y: tensor<?x1xi64>) {
  // expected-error @+1 {{labels must have shape [N] matching the scores}}
  %r = nn.nll %z, %y : (tensor<?x10xf32>, tensor<?x1xi64>) -> tensor<f32>
  return
}

// -----

func.func @mse_shapes(%a: tensor<?x3xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+1 {{requires the same shape for all operands}}
  %r = nn.mse %a, %b : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @init_uniform_range(%s: tensor<i64>) {
  // expected-error @+1 {{requires low < high}}
  %r = nn.init_uniform %s {low = 1.0 : f64, high = 0.0 : f64} : (tensor<i64>) -> tensor<3xf32>
  return
}

// -----

func.func @init_uniform_static(%s: tensor<i64>) {
  // expected-error @+1 {{requires a 'like' operand for a result with dynamic dimensions}}
  %r = nn.init_uniform %s {low = 0.0 : f64, high = 1.0 : f64} : (tensor<i64>) -> tensor<?xf32>
  return
}

// -----

func.func @init_uniform_like_static(%s: tensor<i64>, %x: tensor<4x3xf32>) {
  // expected-error @+1 {{requires 'like' to have a dynamic dimension 0 (the batch)}}
  %r = nn.init_uniform %s, %x {low = 0.0 : f64, high = 1.0 : f64} : (tensor<i64>, tensor<4x3xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @init_normal_std(%s: tensor<i64>) {
  // expected-error @+1 {{requires std > 0}}
  %r = nn.init_normal %s {std = 0.0 : f64} : (tensor<i64>) -> tensor<3xf32>
  return
}

// -----

func.func @sum_to_type(%g: tensor<?x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{result type must be the type of ref}}
  %r = nn.sum_to %g, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @sum_to_rank(%g: tensor<4xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{operand rank must be at least the rank of ref}}
  %r = nn.sum_to %g, %b : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @sum_to_broadcast(%g: tensor<3x4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{ref does not broadcast to the operand}}
  %r = nn.sum_to %g, %b : (tensor<3x4xf32>, tensor<5xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @broadcast_like_type(%g: tensor<4xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{result type must be the type of ref}}
  %r = nn.broadcast_like %g, %x : (tensor<4xf32>, tensor<?x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @broadcast_like_axes(%g: tensor<4xf32>, %x: tensor<3x4xf32>) {
  // expected-error @+1 {{operand shape [4] does not match the expected shape [3]}}
  %r = nn.broadcast_like %g, %x {axes = array<i64: 1>} : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @count_axes(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range [0, 2)}}
  %r = nn.count %x {axes = array<i64: 3>} : (tensor<?x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @max_grad_type(%g: tensor<?xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{result type must be the type of x}}
  %r = nn.max_grad %g, %x {axes = array<i64: 1>} : (tensor<?xf32>, tensor<?x4xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @max_grad_shape(%g: tensor<?x4xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{grad shape [?, 4] does not match the expected shape [?]}}
  %r = nn.max_grad %g, %x {axes = array<i64: 1>} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @upsample_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{operand and result must have rank 4 (NCHW)}}
  %r = nn.upsample_nearest2d %x : (tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  return
}

// -----

func.func @upsample_scale(%x: tensor<2x3x4x4xf32>) {
  // expected-error @+1 {{scale must be at least 1, got 0}}
  %r = nn.upsample_nearest2d %x {scale = 0 : i64} : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @upsample_size(%x: tensor<?x3x4x5xf32>) {
  // expected-error @+1 {{dimension 3 of the upsampled tensor is 12, expected 15}}
  %r = nn.upsample_nearest2d %x {scale = 3 : i64} : (tensor<?x3x4x5xf32>) -> tensor<?x3x12x12xf32>
  return
}

// -----

func.func @upsample_grad_size(%g: tensor<2x3x8x8xf32>) {
  // expected-error @+1 {{dimension 2 of the upsampled tensor is 8, expected 6}}
  %r = nn.upsample_nearest2d_grad %g {scale = 2 : i64} : (tensor<2x3x8x8xf32>) -> tensor<2x3x3x4xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{needs one 'before' and one 'after' per dimension}}
  %r = nn.pad %x {before = array<i64: 1>, after = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{padding must be non-negative}}
  %r = nn.pad %x {before = array<i64: 0, -1>, after = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_dynamic(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{dimension 0 is dynamic and padded}}
  %r = nn.pad %x {before = array<i64: 1, 0>, after = array<i64: 0, 0>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @pad_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{dimension 1 of the result is 4, expected 6}}
  %r = nn.pad %x {before = array<i64: 0, 1>, after = array<i64: 0, 2>} : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @flip_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axes must be sorted, distinct and in [0, 2)}}
  %r = nn.flip %x {axes = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @conv_transpose_size(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{result dimension 2 is 8, expected 9}}
  %r = nn.conv_transpose2d %x, %w {stride = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x8x9xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{0 <= output_padding < stride}}
  %r = nn.conv_transpose2d %x, %w {output_padding = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x4x4x4xf32>, %w: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{the input's channels must be the weight's first dimension}}
  %r = nn.conv_transpose2d %x, %w : (tensor<1x4x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @upsample_bilinear_size(%x: tensor<?x3x4x5xf32>) {
  // expected-error @+1 {{dimension 3 of the upsampled tensor is 12, expected 15}}
  %r = nn.upsample_bilinear2d %x {scale = 3 : i64} : (tensor<?x3x4x5xf32>) -> tensor<?x3x12x12xf32>
  return
}

// -----

func.func @upsample_bilinear_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{operand and result must have rank 4 (NCHW)}}
  %r = nn.upsample_bilinear2d %x : (tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  return
}

// -----

func.func @upsample_bilinear_grad_size(%g: tensor<2x3x8x8xf32>) {
  // expected-error @+1 {{dimension 2 of the upsampled tensor is 8, expected 6}}
  %r = nn.upsample_bilinear2d_grad %g {scale = 2 : i64} : (tensor<2x3x8x8xf32>) -> tensor<2x3x3x4xf32>
  return
}

// -----

func.func @one_hot_classes(%y: tensor<4xi64>) {
  // expected-error @+1 {{classes must be at least 1, got 0}}
  %r = nn.one_hot %y {classes = 0 : i64} : (tensor<4xi64>) -> tensor<4x0xf32>
  return
}

// -----

func.func @one_hot_last(%y: tensor<4xi64>) {
  // expected-error @+1 {{the last dimension of the result must be classes = 3}}
  %r = nn.one_hot %y {classes = 3 : i64} : (tensor<4xi64>) -> tensor<4x5xf32>
  return
}

// -----

func.func @one_hot_rank(%y: tensor<4xi64>) {
  // expected-error @+1 {{result must have rank 2 (the indices' rank + 1)}}
  %r = nn.one_hot %y {classes = 3 : i64} : (tensor<4xi64>) -> tensor<4x1x3xf32>
  return
}

// -----

func.func @one_hot_lead(%y: tensor<4x2xi64>) {
  // expected-error @+1 {{dimension 1 of the result is 3, expected 2}}
  %r = nn.one_hot %y {classes = 3 : i64} : (tensor<4x2xi64>) -> tensor<4x3x3xf32>
  return
}

// -----

func.func @one_hot_float(%y: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of signless integer values}}
  %r = nn.one_hot %y {classes = 3 : i64} : (tensor<4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<4x3xf32>, %ids: tensor<2xi64>) {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %r = nn.gather %x, %ids {axis = 2 : i64} : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @gather_dynamic(%x: tensor<?x3xf32>, %ids: tensor<2xi64>) {
  // expected-error @+1 {{the gathered axis 0 is dynamic}}
  %r = nn.gather %x, %ids {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gather_shape(%x: tensor<4x3xf32>, %ids: tensor<?x2xi64>) {
  // expected-error @+1 {{the gathered tensor must be shaped 'tensor<?x2x3xf32>', got 'tensor<?x3xf32>'}}
  %r = nn.gather %x, %ids {axis = 0 : i64} : (tensor<4x3xf32>, tensor<?x2xi64>) -> tensor<?x3xf32>
  return
}

// -----

func.func @gather_grad_ref(%g: tensor<2x3xf32>, %ids: tensor<2xi64>, %x: tensor<4x3xf32>) {
  // expected-error @+1 {{result must have the type of ref}}
  %r = nn.gather_grad %g, %ids, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi64>, tensor<4x3xf32>) -> tensor<5x3xf32>
  return
}
