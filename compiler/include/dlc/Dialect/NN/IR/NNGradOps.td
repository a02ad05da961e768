//===- NNGradOps.td - Gradient-helper ops of the nn dialect -*- tablegen -*-===//
//
// The ops the reverse-mode rules build: reductions back to an operand's
// shape (sum_to, broadcast_like, count) and the *_grad ops (no VJP, no FLOP
// count). Included from NNOps.td, which defines the base classes.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_NN_IR_NNGRADOPS_TD
#define DLC_DIALECT_NN_IR_NNGRADOPS_TD

//===----------------------------------------------------------------------===//
// Helper ops of the reverse-mode rules
//===----------------------------------------------------------------------===//

def NN_SumToOp : NN_DifferentiableOp<"sum_to",
                                     [NN_Reduction,
                                      SameOperandsAndResultElementType]> {
  let summary = "Sum a broadcast tensor back to the shape of a reference";
  let description = [{
    The adjoint of broadcasting: sums `x` over the dimensions along which
    `ref` (whose shape the result has; its values are not read) was
    broadcast, i.e. the leading extra dimensions and the dimensions where
    `ref` has a static 1.

    ```mlir
    %db = nn.sum_to %g, %b : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$ref);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$x `,` $ref attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_BroadcastLikeOp : NN_DifferentiableOp<"broadcast_like",
    [NN_Broadcast, SameOperandsAndResultElementType]> {
  let summary = "Broadcast to the run-time shape of a reference";
  let description = [{
    Broadcasts `x` to the shape of `ref` (whose values are not read). When
    `axes` is given, `x` lacks exactly those dimensions of `ref` (the
    adjoint of a reduction without keepdims); otherwise numpy rules apply.

    ```mlir
    %g = nn.broadcast_like %s, %x {axes = array<i64: 1>}
         : (tensor<?xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$ref,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$x `,` $ref attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  /// Sample-wise under FusionOpInterface::isSampleWise's conditions.
  let extraClassDeclaration = [{ bool sampleWise(); }];
}

def NN_CountOp : NN_DifferentiableOp<"count", [NN_Reduction]> {
  let summary = "Number of elements along axes, as a 0-d float";
  let description = [{
    The product of the run-time sizes of `x` along `axes` (all axes when
    empty), as a 0-d float tensor; the values of `x` are not read. Used to
    divide by a dynamic element count.

    ```mlir
    %n = nn.count %x {axes = array<i64: 0>} : (tensor<?x10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$x,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_ReluGradOp : NN_GradOp<"relu_grad", [NN_Elementwise,
                                            SameOperandsAndResultType]> {
  let summary = "Backward of (leaky) relu: g where x > 0, slope * g elsewhere";
  let description = [{
    ```mlir
    %dx = nn.relu_grad %g, %x : tensor<?x512xf32>
    %dy = nn.relu_grad %g, %x {slope = 0.01 : f64} : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "0.0">:$slope);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $x attr-dict `:` type($result)";
}

def NN_GeluGradOp : NN_GradOp<"gelu_grad", [NN_Elementwise,
                                            SameOperandsAndResultType]> {
  let summary = "Backward of gelu: g * (Phi(x) + x * phi(x))";
  let description = [{
    ```mlir
    %dx = nn.gelu_grad %g, %x : tensor<?x128xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $x attr-dict `:` type($result)";
}

def NN_SoftplusGradOp : NN_GradOp<"softplus_grad",
    [NN_Elementwise, SameOperandsAndResultType]> {
  let summary = "Backward of softplus: g * sigmoid(beta * x), g where beta * x > threshold";
  let description = [{
    ```mlir
    %dx = nn.softplus_grad %g, %x : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "1.0">:$beta,
                       DefaultValuedAttr<F64Attr, "20.0">:$threshold);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $x attr-dict `:` type($result)";
}

def NN_HardswishGradOp : NN_GradOp<"hardswish_grad",
    [NN_Elementwise, SameOperandsAndResultType]> {
  let summary = "Backward of hardswish: 0 for x < -3, g * (2x + 3) / 6 for x <= 3, g above";
  let description = [{
    PyTorch's `hardswish_backward` convention at the kinks: `x == -3` takes
    the middle branch (`-0.5 * g`), `x == 3` too (`1.5 * g`).

    ```mlir
    %dx = nn.hardswish_grad %g, %x : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $x attr-dict `:` type($result)";
}

def NN_EluGradOp : NN_GradOp<"elu_grad", [NN_Elementwise,
                                          SameOperandsAndResultType]> {
  let summary = "Backward of elu: g where x > 0, g * alpha * exp(x) elsewhere";
  let description = [{
    ```mlir
    %dx = nn.elu_grad %g, %x {alpha = 1.0 : f64} : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $x attr-dict `:` type($result)";
}

def NN_UpsampleNearest2DGradOp : NN_GradOp<"upsample_nearest2d_grad",
    [NN_Window, SameOperandsAndResultElementType]> {
  let summary = "Backward of upsample_nearest2d: the sum of each scale x scale block";
  let description = [{
    `dx[n, c, h, w] = sum over 0 <= i, j < scale of
    g[n, c, h * scale + i, w * scale + j]`; `g` is `[N, C, H * scale, W * scale]`.

    ```mlir
    %dx = nn.upsample_nearest2d_grad %g {scale = 2 : i64}
          : (tensor<?x8x14x14xf32>) -> tensor<?x8x7x7xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad,
                       DefaultValuedAttr<I64Attr, "2">:$scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_UpsampleBilinear2DGradOp : NN_GradOp<"upsample_bilinear2d_grad",
    [NN_Window, SameOperandsAndResultElementType]> {
  let summary = "Backward of upsample_bilinear2d: the transposed interpolation";
  let description = [{
    `dx[n, c, h, w] = sum over (i, j) of a(i, h) * a(j, w) * g[n, c, i, j]`,
    where `a(i, h)` is the weight that output row `i` of
    `upsample_bilinear2d` gives input row `h` (the same along `w`); `g` is
    `[N, C, H * scale, W * scale]` and only the rows `i` in
    `[(h - 1) * scale, (h + 2) * scale)` can have a non-zero weight.

    ```mlir
    %dx = nn.upsample_bilinear2d_grad %g {scale = 2 : i64}
          : (tensor<?x8x14x14xf32>) -> tensor<?x8x7x7xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad,
                       DefaultValuedAttr<I64Attr, "2">:$scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_MaxGradOp : NN_GradOp<"max_grad", [NN_Reduction,
                                          SameOperandsElementType]> {
  let summary = "Backward of nn.max: route g to the first maximal element";
  let description = [{
    `grad` has the type of the `nn.max` result, `x` is its operand; the
    result has the type of `x`.

    ```mlir
    %dx = nn.max_grad %g, %x {axes = array<i64: 1>}
          : (tensor<?xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_GatherGradOp : NN_GradOp<"gather_grad", [NN_Reduction]> {
  let summary = "Backward of nn.gather: scatter-add into zeros shaped like ref";
  let description = [{
    `out[i..., ids[j...], k...] += grad[i..., j..., k...]` over every `j`
    whose index is in range, starting from zeros of `ref`'s type (whose
    values are not read).

    ```mlir
    %dw = nn.gather_grad %g, %ids, %w {axis = 0 : i64}
          : (tensor<?x64x96xf32>, tensor<?x64xi64>, tensor<70x96xf32>)
          -> tensor<70x96xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_IntTensor:$ids,
                       NN_FloatTensor:$ref, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $ids `,` $ref attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def NN_SliceGradOp : NN_GradOp<"slice_grad", [NN_Injective,
                                              SameOperandsElementType]> {
  let summary = "Backward of nn.slice: scatter into zeros shaped like ref";
  let description = [{
    ```mlir
    %dx = nn.slice_grad %g, %x {starts = array<i64: 0, 2>,
              limits = array<i64: -1, 6>, strides = array<i64: 1, 1>}
          : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$ref,
                       DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$limits,
                       DenseI64ArrayAttr:$strides);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $ref attr-dict `:` functional-type(operands, results)";
}

def NN_Conv2DGradInputOp : NN_GradOp<"conv2d_grad_input",
                                 [NN_Contraction, SameOperandsElementType]> {
  let summary = "Backward of nn.conv2d with respect to its input";
  let description = [{
    Transposed convolution of the result cotangent `grad` with `weight`,
    shaped like `input` (whose values are not read).

    ```mlir
    %dx = nn.conv2d_grad_input %g, %w, %x {padding = array<i64: 1, 1>}
          : (tensor<?x8x28x28xf32>, tensor<8x1x3x3xf32>, tensor<?x1x28x28xf32>)
          -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$weight,
                       NN_FloatTensor:$input,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $weight `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

def NN_Conv2DGradWeightOp : NN_GradOp<"conv2d_grad_weight",
                                  [NN_Contraction, SameOperandsElementType]> {
  let summary = "Backward of nn.conv2d with respect to its weight";
  let description = [{
    Correlation of `input` with the result cotangent `grad`, summed over the
    batch, shaped like `weight` (whose values are not read).

    ```mlir
    %dw = nn.conv2d_grad_weight %g, %x, %w {padding = array<i64: 1, 1>}
          : (tensor<?x8x28x28xf32>, tensor<?x1x28x28xf32>, tensor<8x1x3x3xf32>)
          -> tensor<8x1x3x3xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       NN_FloatTensor:$weight,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding,
                       DefaultValuedAttr<NN_Pair, "{1, 1}">:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def NN_MaxPool2DGradOp : NN_GradOp<"max_pool2d_grad",
    [NN_Window, SameOperandsElementType]> {
  let summary = "Backward of nn.max_pool2d";
  let description = [{
    Adds each window's cotangent to the first maximal input of the window.

    ```mlir
    %dx = nn.max_pool2d_grad %g, %x {kernel = array<i64: 2, 2>,
                                     stride = array<i64: 2, 2>}
          : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       NN_Pair:$kernel, NN_Pair:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def NN_AvgPool2DGradOp : NN_GradOp<"avg_pool2d_grad",
    [NN_Window, SameOperandsElementType]> {
  let summary = "Backward of nn.avg_pool2d";
  let description = [{
    Spreads each window's cotangent evenly over the window (divisor
    `kernel[0] * kernel[1]`), shaped like `input` (values not read).

    ```mlir
    %dx = nn.avg_pool2d_grad %g, %x {kernel = array<i64: 2, 2>,
                                     stride = array<i64: 2, 2>}
          : (tensor<?x8x14x14xf32>, tensor<?x8x28x28xf32>) -> tensor<?x8x28x28xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       NN_Pair:$kernel, NN_Pair:$stride,
                       DefaultValuedAttr<NN_Pair, "{0, 0}">:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def NN_BatchNormGradOp : NN_GradOp<"batch_norm_grad",
    [NN_Reduction, SameOperandsElementType]> {
  let summary = "Backward of nn.batch_norm_train / nn.batch_norm_infer";
  let description = [{
    Given the cotangent `grad` of `y`, the input `x`, `gamma` and the
    statistics used in the forward pass (`mean`, biased `var`), returns the
    cotangents of `x`, `gamma` and `beta`. With `training` the statistics are
    the batch's own and their dependence on `x` is included; otherwise they
    are constants (running statistics).

    ```mlir
    %dx, %dgamma, %dbeta = nn.batch_norm_grad %g, %x, %gamma, %mean, %var
         {epsilon = 1.0e-5 : f64, training = true}
         : (tensor<?x8x4x4xf32>, tensor<?x8x4x4xf32>, tensor<8xf32>,
            tensor<8xf32>, tensor<8xf32>)
         -> (tensor<?x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$x,
                       NN_FloatTensor:$gamma, NN_FloatTensor:$mean,
                       NN_FloatTensor:$var,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon,
                       DefaultValuedAttr<BoolAttr, "true">:$training);
  let results = (outs NN_FloatTensor:$grad_x, NN_FloatTensor:$grad_gamma,
                      NN_FloatTensor:$grad_beta);
  let assemblyFormat = [{
    $grad `,` $x `,` $gamma `,` $mean `,` $var attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_CrossEntropyGradOp : NN_GradOp<"cross_entropy_grad", [NN_Reduction]> {
  let summary = "Backward of nn.cross_entropy with respect to the logits";
  let description = [{
    `g * (p_nk * sum_c w_c q_nc - w_k q_nk) / sum_n w_{y_n}` with `p` the
    softmax of the logits and `q` the smoothed one-hot target (see
    nn.cross_entropy); without weights and smoothing this is
    `g * (p - onehot) / N`. `grad` is the 0-d cotangent of the loss.

    ```mlir
    %dz = nn.cross_entropy_grad %g, %logits, %labels
          : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_Scalar:$grad, NN_FloatTensor:$logits,
                       NN_IntTensor:$labels, Optional<NN_FloatTensor>:$weight,
                       DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $logits `,` $labels (`,` $weight^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_NLLGradOp : NN_GradOp<"nll_grad", [NN_Reduction]> {
  let summary = "Backward of nn.nll with respect to the log-probabilities";
  let description = [{
    `-g * w_n / sum_n w_{y_n}` at `[n, y_n]`, zero elsewhere.

    ```mlir
    %dlp = nn.nll_grad %g, %logp, %labels
           : (tensor<f32>, tensor<?x10xf32>, tensor<?xi64>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins NN_Scalar:$grad, NN_FloatTensor:$logp,
                       NN_IntTensor:$labels, Optional<NN_FloatTensor>:$weight);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $logp `,` $labels (`,` $weight^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // DLC_DIALECT_NN_IR_NNGRADOPS_TD
