//===- Builtins.cpp - Built-in ops and their shape rules ------------------===//
//
// The table of built-in ops with their signatures and shape rules (the train
// block's vocabulary is in TrainVocabulary.cpp). Shape rules see the bound
// arguments (tensor types and constant attributes) and either return the result
// type or fail with a message that names both shapes; Sema adds the op name and
// the source position.
//
//===----------------------------------------------------------------------===//
#include "dlc/Sema/Builtins.h"

#include "ArgSpecs.h"

#include "dlc/Dialect/NN/IR/NNOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"

#include <climits>
#include <map>
#include <set>

using namespace dlc;
using namespace dlc::sema;

//===----------------------------------------------------------------------===//
// Range checks
//===----------------------------------------------------------------------===//

std::string sema::checkPositive(const Const &c) {
  return c.asDouble() > 0 ? "" : "must be positive";
}
std::string sema::checkNonNegative(const Const &c) {
  return c.asDouble() >= 0 ? "" : "must not be negative";
}
std::string sema::checkProbability(const Const &c) {
  double v = c.asDouble();
  return v >= 0 && v < 1 ? "" : "must be in [0, 1)";
}
std::string sema::checkUnitOpen(const Const &c) {
  double v = c.asDouble();
  return v > 0 && v < 1 ? "" : "must be in (0, 1)";
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

bool sema::broadcastShapes(const Shape &a, const Shape &b, Shape &out) {
  size_t n = std::max(a.size(), b.size());
  out.assign(n, Dim::known(1));
  for (size_t i = 0; i < n; ++i) {
    Dim da = i < n - a.size() ? Dim::known(1) : a[i - (n - a.size())];
    Dim db = i < n - b.size() ? Dim::known(1) : b[i - (n - b.size())];
    if (da == db || db == Dim::known(1))
      out[i] = da;
    else if (da == Dim::known(1))
      out[i] = db;
    else
      return false;
  }
  return true;
}

bool sema::sliceBounds(int64_t size, int64_t start, std::optional<int64_t> end,
                       int64_t step, int64_t &first, int64_t &limit,
                       int64_t &length) {
  auto norm = [&](int64_t i) {
    if (i < 0)
      i += size;
    return std::clamp<int64_t>(i, 0, size);
  };
  first = norm(start);
  limit = end ? norm(*end) : size;
  if (step < 1 || limit <= first)
    return false;
  length = (limit - first + step - 1) / step;
  return true;
}

std::vector<std::pair<int64_t, int64_t>>
sema::padsPerAxis(const std::vector<int64_t> &pads, unsigned rank) {
  std::vector<std::pair<int64_t, int64_t>> perAxis(rank, {0, 0});
  for (size_t k = 0; k + 1 < pads.size() && k / 2 < rank; k += 2)
    perAxis[rank - 1 - k / 2] = {pads[k], pads[k + 1]};
  return perAxis;
}

namespace {

std::string q(const Type &t) { return "'" + t.str() + "'"; }

/// Normalises a possibly negative axis; false if out of range.
bool normAxis(int64_t axis, unsigned rank, int64_t &out) {
  int64_t r = rank;
  if (axis < -r || axis >= r)
    return false;
  out = axis < 0 ? axis + r : axis;
  return true;
}

bool requireFloat(OpContext &ctx, unsigned i, Type &err) {
  const Type &t = ctx.type(i);
  if (!isFloat(t.dtype)) {
    err = ctx.failType("argument '" + ctx.getSpec().args[i].name +
                       "' must be a floating-point tensor, got " + q(t));
    return false;
  }
  return true;
}

Type unaryRule(OpContext &ctx) {
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  return ctx.type(0);
}

Type softmaxRule(OpContext &ctx) {
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  int64_t axis;
  if (!normAxis(ctx.intArg(1), ctx.type(0).rank(), axis))
    return ctx.fail("axis " + std::to_string(ctx.intArg(1)) +
                    " is out of range for " + q(ctx.type(0)));
  if (ctx.type(0).rank() == 0)
    return ctx.fail("needs a tensor of rank at least 1, got " + q(ctx.type(0)));
  return ctx.type(0);
}

Type binaryRule(OpContext &ctx) {
  const Type &a = ctx.type(0), &b = ctx.type(1);
  Type err;
  if (!requireFloat(ctx, 0, err) || !requireFloat(ctx, 1, err))
    return err;
  if (a.dtype != b.dtype)
    return ctx.failType("element types differ: " + q(a) + " and " + q(b));
  Shape out;
  if (!broadcastShapes(a.shape, b.shape, out))
    return ctx.fail("shapes " + q(a) + " and " + q(b) +
                    " cannot be broadcast together");
  return Type::tensor(a.dtype, out);
}

Type matmulRule(OpContext &ctx) {
  const Type &a = ctx.type(0), &b = ctx.type(1);
  Type err;
  if (!requireFloat(ctx, 0, err) || !requireFloat(ctx, 1, err))
    return err;
  if (a.dtype != b.dtype)
    return ctx.failType("element types differ: " + q(a) + " and " + q(b));
  if (a.rank() == 0 || b.rank() == 0)
    return ctx.fail("operands must have rank at least 1, got " + q(a) +
                    " and " + q(b));
  Shape as = a.shape, bs = b.shape;
  bool vecA = as.size() == 1, vecB = bs.size() == 1;
  if (vecA)
    as.insert(as.begin(), Dim::known(1));
  if (vecB)
    bs.push_back(Dim::known(1));
  Dim k1 = as.back(), k2 = bs[bs.size() - 2];
  if (k1 != k2)
    return ctx.fail("inner dimensions differ (" + k1.str() + " vs " + k2.str() +
                    "): " + q(a) + " @ " + q(b));
  Shape batchA(as.begin(), as.end() - 2), batchB(bs.begin(), bs.end() - 2),
      batch;
  if (!broadcastShapes(batchA, batchB, batch))
    return ctx.fail("batch dimensions cannot be broadcast: " + q(a) + " @ " +
                    q(b));
  Shape out = batch;
  if (!vecA)
    out.push_back(as[as.size() - 2]);
  if (!vecB)
    out.push_back(bs.back());
  return Type::tensor(a.dtype, out);
}

/// scaled_dot_product_attention: q [..., T, D], k [..., S, D], v [..., S, E]
/// of rank 3 or 4 with the same leading dimensions -> [..., T, E]. D must be
/// known (the scale 1 / sqrt(D)), and T and S too when causal (the mask).
Type attentionRule(OpContext &ctx) {
  Type err;
  for (unsigned i = 0; i < 3; ++i)
    if (!requireFloat(ctx, i, err))
      return err;
  const Type &qt = ctx.type(0), &kt = ctx.type(1), &vt = ctx.type(2);
  if (kt.dtype != qt.dtype || vt.dtype != qt.dtype)
    return ctx.failType("element types differ: " + q(qt) + ", " + q(kt) +
                        " and " + q(vt));
  unsigned r = qt.rank();
  if (r != 3 && r != 4)
    return ctx.fail("q must be [B, T, D] or [B, H, T, D], got " + q(qt));
  if (kt.rank() != r || vt.rank() != r)
    return ctx.fail("q, k and v must have the same rank, got " + q(qt) + ", " +
                    q(kt) + " and " + q(vt));
  for (unsigned i = 0; i + 2 < r; ++i)
    if (kt.shape[i] != qt.shape[i] || vt.shape[i] != qt.shape[i])
      return ctx.fail("leading dimensions of q, k and v differ: " + q(qt) +
                      ", " + q(kt) + " and " + q(vt));
  if (kt.shape[r - 1] != qt.shape[r - 1])
    return ctx.fail("q " + q(qt) + " and k " + q(kt) +
                    " must have the same last dimension D");
  if (vt.shape[r - 2] != kt.shape[r - 2])
    return ctx.fail("k " + q(kt) + " and v " + q(vt) +
                    " must have the same number of keys S");
  if (!qt.shape[r - 1].isKnown())
    return ctx.fail("the last dimension D of q " + q(qt) +
                    " must be known (the scale is 1 / sqrt(D))");
  if (ctx.arg(3).b &&
      (!qt.shape[r - 2].isKnown() || !kt.shape[r - 2].isKnown()))
    return ctx.fail("causal attention needs known T and S for its mask, got " +
                    q(qt) + " and " + q(kt));
  Shape out = qt.shape;
  out.back() = vt.shape.back();
  return Type::tensor(qt.dtype, out);
}

/// Reductions: sum, mean, max over `axis` (all axes when absent).
Type reduceRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  const Const &axes = ctx.arg(1);
  bool keep = ctx.arg(2).b;
  std::vector<bool> reduced(x.rank(), axes.isNone());
  for (const Const &a : axes.list) {
    int64_t ax;
    if (!normAxis(a.i, x.rank(), ax))
      return ctx.fail("axis " + std::to_string(a.i) + " is out of range for " +
                      q(x));
    if (reduced[ax])
      return ctx.fail("axis " + std::to_string(a.i) + " is reduced twice");
    reduced[ax] = true;
  }
  Shape out;
  for (unsigned i = 0; i < x.rank(); ++i) {
    if (!reduced[i])
      out.push_back(x.shape[i]);
    else if (keep)
      out.push_back(Dim::known(1));
  }
  return Type::tensor(x.dtype, out);
}

/// The product of a shape: a known factor times the symbolic dims.
struct Volume {
  int64_t known = 1;
  std::multiset<std::string> syms;
  bool overflow = false;
};
Volume volume(const Shape &s) {
  Volume v;
  for (const Dim &d : s) {
    if (!d.isKnown())
      v.syms.insert(d.sym);
    else if (__builtin_mul_overflow(v.known, d.size, &v.known) ||
             v.known > kMaxElements)
      v.overflow = true;
  }
  return v;
}

Type reshapeRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  Shape target;
  int inferAt = -1;
  for (const Const &c : ctx.arg(1).list) {
    if (c.kind == Const::Kind::Int && c.i == -1) {
      if (inferAt >= 0)
        return ctx.fail("at most one dimension of the new shape " +
                        ctx.arg(1).str() + " can be -1");
      inferAt = target.size();
      target.push_back(Dim::known(1));
    } else if (c.kind == Const::Kind::Int) {
      if (c.i <= 0)
        return ctx.fail("dimension " + std::to_string(c.i) +
                        " is not positive");
      target.push_back(Dim::known(c.i));
    } else {
      target.push_back(Dim::symbol(c.s));
    }
  }
  Volume in = volume(x.shape), out = volume(target);
  if (in.overflow || out.overflow)
    return ctx.fail("cannot reshape " + q(x) + ": too many elements");
  auto shown = [&] {
    Type t = Type::tensor(x.dtype, target);
    if (inferAt >= 0)
      t.shape[inferAt] = Dim::symbol("-1");
    return q(t);
  };
  if (inferAt >= 0) {
    if (ctx.arg(1).list.size() == 0)
      return ctx.fail("empty shape");
    // The symbols must cancel and the known part divide evenly.
    if (in.syms != out.syms || in.known % out.known != 0)
      return ctx.fail("cannot reshape " + q(x) + " to " + shown());
    target[inferAt] = Dim::known(in.known / out.known);
  } else if (in.syms != out.syms || in.known != out.known) {
    return ctx.fail("cannot reshape " + q(x) + " to " + shown() +
                    ": the number of elements differs");
  }
  return Type::tensor(x.dtype, target);
}

Type flattenRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  int64_t start, end;
  if (!normAxis(ctx.intArg(1), x.rank(), start) ||
      !normAxis(ctx.intArg(2), x.rank(), end))
    return ctx.fail("axes out of range for " + q(x));
  if (start > end)
    return ctx.fail("start axis " + std::to_string(ctx.intArg(1)) +
                    " comes after end axis " + std::to_string(ctx.intArg(2)) +
                    " of " + q(x));
  Shape out(x.shape.begin(), x.shape.begin() + start);
  Shape middle(x.shape.begin() + start, x.shape.begin() + end + 1);
  Volume v = volume(middle);
  if (v.overflow)
    return ctx.fail("too many elements in " + q(x));
  if (!v.syms.empty()) {
    if (middle.size() != 1)
      return ctx.fail("cannot flatten the symbolic dimension " +
                      *v.syms.begin() + " together with others in " + q(x));
    out.push_back(middle[0]);
  } else {
    out.push_back(Dim::known(v.known));
  }
  out.insert(out.end(), x.shape.begin() + end + 1, x.shape.end());
  return Type::tensor(x.dtype, out);
}

Type transposeRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  Shape out;
  if (ctx.arg(1).isNone()) {
    out.assign(x.shape.rbegin(), x.shape.rend());
    return Type::tensor(x.dtype, out);
  }
  const auto &perm = ctx.arg(1).list;
  if (perm.size() != x.rank())
    return ctx.fail("permutation has " + std::to_string(perm.size()) +
                    " entries for " + q(x));
  std::vector<bool> seen(x.rank(), false);
  for (const Const &p : perm) {
    int64_t ax;
    if (!normAxis(p.i, x.rank(), ax) || seen[ax])
      return ctx.fail("not a permutation of the axes of " + q(x));
    seen[ax] = true;
    out.push_back(x.shape[ax]);
  }
  return Type::tensor(x.dtype, out);
}

Type concatRule(OpContext &ctx) {
  const auto &ts = ctx.listTypes();
  if (ts.empty())
    return ctx.fail("needs at least one tensor");
  const Type &first = ts[0];
  int64_t axis;
  if (!normAxis(ctx.intArg(1), first.rank(), axis))
    return ctx.fail("axis out of range for " + q(first));
  Shape out = first.shape;
  for (size_t i = 1; i < ts.size(); ++i) {
    const Type &t = ts[i];
    if (t.dtype != first.dtype)
      return ctx.failType("cannot concatenate " + q(first) + " and " + q(t) +
                          ": the element types differ");
    if (t.rank() != first.rank())
      return ctx.fail("cannot concatenate " + q(first) + " and " + q(t) +
                      ": the ranks differ");
    for (unsigned d = 0; d < t.rank(); ++d) {
      if (d == axis)
        continue;
      if (t.shape[d] != first.shape[d])
        return ctx.fail("shapes " + q(first) + " and " + q(t) +
                        " differ outside the concatenation axis");
    }
    if (!out[axis].isKnown() || !t.shape[axis].isKnown())
      return ctx.fail("cannot concatenate " + q(first) + " and " + q(t) +
                      " along the symbolic dimension " + std::to_string(axis));
    out[axis].size += t.shape[axis].size;
  }
  return Type::tensor(first.dtype, out);
}

/// Output size of a convolution or pooling window along one axis.
bool windowOut(const Dim &in, int64_t k, int64_t s, int64_t p, int64_t d,
               Dim &out) {
  if (!in.isKnown())
    return false;
  int64_t n = (in.size + 2 * p - d * (k - 1) - 1) / s + 1;
  if (in.size + 2 * p - d * (k - 1) - 1 < 0 || n < 1)
    return false;
  out = Dim::known(n);
  return true;
}

Type convRule(OpContext &ctx) {
  const Type &x = ctx.type(0), &w = ctx.type(1);
  if (x.rank() != 4)
    return ctx.fail("input must be 4-D [N, C, H, W], got " + q(x));
  if (w.rank() != 4)
    return ctx.fail("weight must be 4-D [O, C/groups, KH, KW], got " + q(w));
  int64_t groups = ctx.intArg(6);
  const auto &stride = ctx.arg(3).list, &pad = ctx.arg(4).list,
             &dil = ctx.arg(5).list;
  if (!x.shape[1].isKnown())
    return ctx.fail("the channel dimension of " + q(x) + " must be static");
  if (x.shape[1].size % groups != 0 || !w.shape[0].isKnown() ||
      w.shape[0].size % groups != 0)
    return ctx.fail("groups=" + std::to_string(groups) +
                    " does not divide the channels of " + q(x) + " and " +
                    q(w));
  if (w.shape[1] != Dim::known(x.shape[1].size / groups))
    return ctx.fail("input " + q(x) + " has " + x.shape[1].str() +
                    " channels but weight " + q(w) + " expects " +
                    w.shape[1].str() + (groups > 1 ? " per group" : ""));
  if (ctx.present(2)) {
    const Type &b = ctx.type(2);
    if (b.rank() != 1 || b.shape[0] != w.shape[0])
      return ctx.fail("bias " + q(b) + " does not match weight " + q(w));
  }
  Shape out = {x.shape[0], w.shape[0], Dim(), Dim()};
  // Beyond dilation * (kernel - 1) a padded border only makes outputs that
  // see nothing but padding (and index arithmetic that overflows).
  for (int i = 0; i < 2; ++i) {
    int64_t reach = dil[i].i * (w.shape[2 + i].size - 1);
    if (pad[i].i > reach)
      return ctx.fail(
          "padding " + std::to_string(pad[i].i) +
          " is more than dilation * (kernel - 1) = " + std::to_string(reach) +
          " for kernel " + q(w) + ": outputs would see only padding");
  }
  for (int i = 0; i < 2; ++i)
    if (!windowOut(x.shape[2 + i], w.shape[2 + i].size, stride[i].i, pad[i].i,
                   dil[i].i, out[2 + i]))
      return ctx.fail("kernel " + q(w) + " does not fit input " + q(x) +
                      " with this stride, padding and dilation");
  return Type::tensor(x.dtype, out);
}

Type convTransposeRule(OpContext &ctx) {
  const Type &x = ctx.type(0), &w = ctx.type(1);
  if (x.rank() != 4)
    return ctx.fail("input must be 4-D [N, C, H, W], got " + q(x));
  if (w.rank() != 4)
    return ctx.fail("weight must be 4-D [C, O/groups, KH, KW], got " + q(w));
  const auto &stride = ctx.arg(2).list, &pad = ctx.arg(3).list,
             &outPad = ctx.arg(4).list, &dil = ctx.arg(5).list;
  int64_t groups = ctx.intArg(6);
  for (unsigned d = 1; d < 4; ++d)
    if (!x.shape[d].isKnown())
      return ctx.fail("the channel and spatial dimensions of " + q(x) +
                      " must be static");
  if (w.shape[0] != x.shape[1])
    return ctx.fail("input " + q(x) + " has " + x.shape[1].str() +
                    " channels but weight " + q(w) + " expects " +
                    w.shape[0].str());
  if (x.shape[1].size % groups != 0)
    return ctx.fail("groups=" + std::to_string(groups) +
                    " does not divide the channels of " + q(x));
  Shape out = {x.shape[0], Dim::known(w.shape[1].size * groups), Dim(), Dim()};
  for (int i = 0; i < 2; ++i) {
    int64_t s = stride[i].i, p = pad[i].i, op = outPad[i].i, d = dil[i].i;
    // PyTorch also allows output_padding < dilation at stride 1; then the
    // result is no longer the input of the conv2d that is its gradient.
    if (op >= s)
      return ctx.fail("output_padding " + std::to_string(op) +
                      " must be smaller than the stride (" +
                      std::to_string(s) + ")");
    int64_t n = (x.shape[2 + i].size - 1) * s - 2 * p +
                d * (w.shape[2 + i].size - 1) + op + 1;
    if (n < 1)
      return ctx.fail("padding " + ctx.arg(3).str() + " leaves no output for " +
                      q(x) + " and kernel " + q(w));
    if (n > kMaxElements)
      return ctx.fail("the output of " + q(x) + " is too large");
    out[2 + i] = Dim::known(n);
  }
  return Type::tensor(x.dtype, out);
}

Type poolRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  if (x.rank() != 4)
    return ctx.fail("input must be 4-D [N, C, H, W], got " + q(x));
  const auto &k = ctx.arg(1).list, &pad = ctx.arg(3).list;
  auto stride = ctx.arg(2).isNone() ? k : ctx.arg(2).list;
  Shape out = {x.shape[0], x.shape[1], Dim(), Dim()};
  for (int i = 0; i < 2; ++i) {
    if (pad[i].i * 2 > k[i].i)
      return ctx.fail("padding " + std::to_string(pad[i].i) +
                      " is more than half the kernel size " +
                      std::to_string(k[i].i));
    if (!windowOut(x.shape[2 + i], k[i].i, stride[i].i, pad[i].i, 1,
                   out[2 + i]))
      return ctx.fail("window " + std::to_string(k[0].i) + "x" +
                      std::to_string(k[1].i) + " does not fit input " + q(x));
  }
  return Type::tensor(x.dtype, out);
}

Type adaptivePoolRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  if (x.rank() != 4)
    return ctx.fail("input must be 4-D [N, C, H, W], got " + q(x));
  const auto &s = ctx.arg(1).list;
  for (int i = 0; i < 2; ++i)
    if (!x.shape[2 + i].isKnown())
      return ctx.fail("the spatial dimensions of " + q(x) + " must be static");
  for (int i = 0; i < 2; ++i)
    if (x.shape[2 + i].size < s[i].i)
      return ctx.fail("output size " + ctx.arg(1).str() +
                      " is larger than the input " + q(x));
  return Type::tensor(x.dtype, {x.shape[0], x.shape[1], Dim::known(s[0].i),
                                Dim::known(s[1].i)});
}

Type flipRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  std::vector<bool> seen(x.rank(), false);
  for (const Const &a : ctx.arg(1).list) {
    int64_t ax;
    if (!normAxis(a.i, x.rank(), ax))
      return ctx.fail("axis " + std::to_string(a.i) + " out of range for " +
                      q(x));
    if (seen[ax])
      return ctx.fail("axis " + std::to_string(a.i) + " is given twice");
    seen[ax] = true;
  }
  return x;
}

Type sliceRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  int64_t ax;
  if (!normAxis(ctx.intArg(1), x.rank(), ax))
    return ctx.fail("axis " + std::to_string(ctx.intArg(1)) +
                    " out of range for " + q(x));
  if (!x.shape[ax].isKnown())
    return ctx.fail("cannot slice the symbolic dimension " +
                    x.shape[ax].str() + " of " + q(x));
  std::optional<int64_t> end;
  if (!ctx.arg(3).isNone())
    end = ctx.intArg(3);
  int64_t first, limit, length;
  if (ctx.intArg(4) < 1)
    return ctx.fail("step must be positive, got " +
                    std::to_string(ctx.intArg(4)));
  if (!sliceBounds(x.shape[ax].size, ctx.intArg(2), end, ctx.intArg(4), first,
                   limit, length))
    return ctx.fail("the slice " + std::to_string(ctx.intArg(2)) + ":" +
                    (end ? std::to_string(*end) : std::string()) +
                    " of axis " + std::to_string(ax) + " of " + q(x) +
                    " is empty");
  Shape out = x.shape;
  out[ax] = Dim::known(length);
  return Type::tensor(x.dtype, out);
}

Type padRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  std::vector<int64_t> pads;
  for (const Const &p : ctx.arg(1).list)
    pads.push_back(p.i);
  if (pads.size() % 2 || pads.size() > 2 * x.rank())
    return ctx.fail("needs pairs (before, after) for at most the " +
                    std::to_string(x.rank()) + " axes of " + q(x) + ", got " +
                    std::to_string(pads.size()) + " values");
  Shape out = x.shape;
  auto perAxis = padsPerAxis(pads, x.rank());
  for (unsigned d = 0; d < x.rank(); ++d) {
    auto [before, after] = perAxis[d];
    if (before < 0 || after < 0)
      return ctx.fail("padding must be non-negative, got " +
                      ctx.arg(1).str());
    if (!before && !after)
      continue;
    if (!x.shape[d].isKnown())
      return ctx.fail("cannot pad the symbolic dimension " + x.shape[d].str() +
                      " of " + q(x));
    if (before > kMaxElements || after > kMaxElements - before ||
        x.shape[d].size > kMaxElements - before - after)
      return ctx.fail("padding " + ctx.arg(1).str() + " makes " + q(x) +
                      " too large");
    out[d] = Dim::known(x.shape[d].size + before + after);
  }
  return Type::tensor(x.dtype, out);
}

Type upsampleRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  if (x.rank() != 4)
    return ctx.fail("input must be 4-D [N, C, H, W], got " + q(x));
  if (!x.shape[2].isKnown() || !x.shape[3].isKnown())
    return ctx.fail("the spatial dimensions of " + q(x) + " must be static");
  int64_t s = ctx.intArg(1);
  Shape out = x.shape;
  for (int i = 2; i < 4; ++i) {
    if (x.shape[i].size > kMaxElements / s)
      return ctx.fail("scale " + std::to_string(s) + " makes " + q(x) +
                      " too large");
    out[i] = Dim::known(x.shape[i].size * s);
  }
  return Type::tensor(x.dtype, out);
}

/// upsample(x, scale, mode): the shape is upsample_nearest2d's for both
/// modes.
std::string checkUpsampleMode(const Const &c) {
  if (c.s == "nearest" || c.s == "bilinear")
    return "";
  return "must be \"nearest\" or \"bilinear\"";
}

Type oneHotRule(OpContext &ctx) {
  const Type &y = ctx.type(0);
  if (isFloat(y.dtype))
    return ctx.failType("argument 'y' must be an integer tensor of class "
                        "indices, got " + q(y));
  int64_t n = ctx.intArg(1);
  Shape out = y.shape;
  out.push_back(Dim::known(n));
  Volume v = volume(out);
  if (n > kMaxElements || v.overflow)
    return ctx.fail(std::to_string(n) + " classes make " + q(y) +
                    " too large");
  return Type::tensor(DType::F32, out);
}

Type gatherRule(OpContext &ctx) {
  const Type &x = ctx.type(0), &ids = ctx.type(1);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  if (isFloat(ids.dtype))
    return ctx.failType("argument 'ids' must be an integer tensor of "
                        "indices, got " +
                        q(ids));
  int64_t ax;
  if (!normAxis(ctx.intArg(2), x.rank(), ax))
    return ctx.fail("axis " + std::to_string(ctx.intArg(2)) +
                    " out of range for " + q(x));
  if (!x.shape[ax].isKnown())
    return ctx.fail("cannot index the symbolic dimension " + x.shape[ax].str() +
                    " of " + q(x));
  Shape out(x.shape.begin(), x.shape.begin() + ax);
  out.insert(out.end(), ids.shape.begin(), ids.shape.end());
  out.insert(out.end(), x.shape.begin() + ax + 1, x.shape.end());
  // One symbolic dimension at most: it stands for the batch.
  if (llvm::count_if(out, [](const Dim &d) { return !d.isKnown(); }) > 1)
    return ctx.fail("indexing " + q(x) + " with " + q(ids) +
                    " gives two symbolic dimensions");
  if (volume(out).overflow)
    return ctx.fail("indexing " + q(x) + " with " + q(ids) +
                    " gives too many elements");
  return Type::tensor(x.dtype, out);
}

Type stackRule(OpContext &ctx) {
  const auto &ts = ctx.listTypes();
  if (ts.empty())
    return ctx.fail("needs at least one tensor");
  const Type &first = ts[0];
  for (size_t i = 1; i < ts.size(); ++i) {
    if (ts[i].dtype != first.dtype)
      return ctx.failType("cannot stack " + q(first) + " and " + q(ts[i]) +
                          ": the element types differ");
    if (ts[i].shape != first.shape)
      return ctx.fail("cannot stack " + q(first) + " and " + q(ts[i]) +
                      ": the shapes differ");
  }
  if (!isFloat(first.dtype))
    return ctx.failType("needs floating-point tensors, got " + q(first));
  int64_t axis;
  if (!normAxis(ctx.intArg(1), first.rank() + 1, axis))
    return ctx.fail("axis " + std::to_string(ctx.intArg(1)) +
                    " out of range for stacking " + q(first) +
                    " (the result has rank " +
                    std::to_string(first.rank() + 1) + ")");
  Shape out = first.shape;
  out.insert(out.begin() + axis, Dim::known((int64_t)ts.size()));
  if (volume(out).overflow)
    return ctx.fail("too many elements in the stack of " + q(first));
  return Type::tensor(first.dtype, out);
}

Type batchNormRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  if (x.rank() < 2)
    return ctx.fail("input must be at least 2-D [N, C, ...], got " + q(x));
  for (unsigned i = 1; i <= 4; ++i) {
    const Type &t = ctx.type(i);
    if (t.rank() != 1 || t.shape[0] != x.shape[1])
      return ctx.fail("'" + ctx.getSpec().args[i].name + "' " + q(t) +
                      " must be [C] with C = " + x.shape[1].str() +
                      " channels of input " + q(x));
  }
  return x;
}

Type layerNormRule(OpContext &ctx) {
  const Type &x = ctx.type(0);
  for (unsigned i = 1; i <= 2; ++i) {
    const Type &t = ctx.type(i);
    if (x.rank() == 0 || t.rank() != 1 || t.shape[0] != x.shape.back())
      return ctx.fail("'" + ctx.getSpec().args[i].name + "' " + q(t) +
                      " must match the last dimension of " + q(x));
  }
  return x;
}

Type dropoutRule(OpContext &ctx) { return unaryRule(ctx); }

Type scalarLoss(const Type &like) { return Type::tensor(like.dtype, {}); }

/// mse, l1, bce, bce_with_logits: prediction and target of one shape (the
/// target may be a number, broadcast).
Type pairLossRule(OpContext &ctx) {
  const Type &p = ctx.type(0), &t = ctx.type(1);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  if (t.dtype != p.dtype)
    return ctx.failType("prediction " + q(p) + " and target " + q(t) +
                        " must have the same element type");
  if (t.rank() != 0 && t.shape != p.shape)
    return ctx.fail("prediction " + q(p) + " and target " + q(t) +
                    " must have the same shape");
  return scalarLoss(p);
}

/// cross_entropy and nll: scores [N, C] and class indices [N] (or class
/// probabilities [N, C] for cross_entropy); cross_entropy also takes
/// sequences, scores [N, T, C] and class indices [N, T] (a language model:
/// the mean over the N * T positions).
Type classLossRule(OpContext &ctx) {
  const Type &x = ctx.type(0), &t = ctx.type(1);
  Type err;
  if (!requireFloat(ctx, 0, err))
    return err;
  bool indices = !isFloat(t.dtype);
  bool sequences = ctx.getSpec().name == "cross_entropy";
  if (sequences && x.rank() == 3) {
    if (!indices)
      return ctx.fail("scores " + q(x) +
                      " of a sequence need class indices "
                      "[N, T], not class probabilities " +
                      q(t));
    if (t.rank() != 2 || t.shape[0] != x.shape[0] || t.shape[1] != x.shape[1])
      return ctx.fail("class indices " + q(t) + " must be [N, T] for scores " +
                      q(x));
  } else if (x.rank() != 2) {
    return ctx.fail(std::string(sequences ? "scores must be [N, C] or [N, T, "
                                            "C]"
                                          : "scores must be 2-D [N, C]") +
                    ", got " + q(x));
  }
  if (x.rank() == 2 && indices && (t.rank() != 1 || t.shape[0] != x.shape[0]))
    return ctx.fail("class indices " + q(t) + " must be [N] for scores " +
                    q(x));
  if (!indices && t.shape != x.shape)
    return ctx.fail("class probabilities " + q(t) + " must match scores " +
                    q(x));
  if (ctx.getSpec().find("weight") && ctx.present(2)) {
    const Type &w = ctx.type(2);
    if (w.rank() != 1 || w.shape[0] != x.shape.back())
      return ctx.fail("class weights " + q(w) + " must be [C] for scores " +
                      q(x));
  }
  return scalarLoss(x);
}

Type randomRule(OpContext &ctx) {
  Shape s;
  for (const Const &c : ctx.arg(0).list) {
    if (c.kind == Const::Kind::Int && c.i <= 0)
      return ctx.fail("dimension " + std::to_string(c.i) + " is not positive");
    s.push_back(c.kind == Const::Kind::Int ? Dim::known(c.i)
                                           : Dim::symbol(c.s));
  }
  return Type::tensor(DType::F32, s);
}

/// The direct nn form `OpT` of a call, with its attributes. The op's name
/// comes from its ODS definition (a misspelt op does not build); an
/// attribute the op does not declare is reported when the table is built,
/// which is the first thing every compilation does.
template <typename OpT> Emission direct(std::vector<AttrBinding> attrs = {}) {
  for (const AttrBinding &a : attrs)
    if (!llvm::is_contained(OpT::getAttributeNames(), a.attr))
      llvm::report_fatal_error(llvm::Twine("built-in op table: ") +
                               OpT::getOperationName() + " has no attribute '" +
                               a.attr + "'");
  return Emission{OpT::getOperationName(), std::move(attrs)};
}
/// A form MLIRGen composes (its case of `Expansion`), which may fall back on
/// the direct form `base`.
Emission expand(Expansion how, Emission base = {}) {
  base.expansion = how;
  return base;
}
Emission notYet(const char *what) {
  Emission e;
  e.expansion = Expansion::NotYet;
  e.notYet = what;
  return e;
}

const std::vector<OpInfo> &opTable() {
  static const std::vector<OpInfo> table = [] {
    std::vector<OpInfo> t;
    auto unary = [&](const char *name, const char *summary, Emission emit) {
      t.push_back({{name, {tensor("x")}, summary}, unaryRule, emit});
    };
    auto binary = [&](const char *name, const char *summary, Emission emit) {
      t.push_back(
          {{name, {tensor("x"), tensor("y")}, summary}, binaryRule, emit});
    };
    // Each group of rows is headed by the op family of its nn ops, which is
    // also the file that holds their rules (compiler/lib/Dialect/NN/Ops/).
    // Elementwise.cpp
    binary("add", "x + y with broadcasting", direct<nn::AddOp>());
    binary("sub", "x - y with broadcasting", direct<nn::SubOp>());
    binary("mul", "x * y with broadcasting", direct<nn::MulOp>());
    binary("div", "x / y with broadcasting", direct<nn::DivOp>());
    binary("pow", "x ** y with broadcasting", expand(Expansion::Pow));
    unary("neg", "-x", direct<nn::NegOp>());
    unary("exp", "e ** x", direct<nn::ExpOp>());
    unary("log", "natural logarithm", direct<nn::LogOp>());
    unary("sqrt", "square root", direct<nn::SqrtOp>());
    unary("abs", "absolute value", expand(Expansion::Abs));
    unary("relu", "max(x, 0)", direct<nn::ReluOp>());
    unary("sigmoid", "1 / (1 + exp(-x))", direct<nn::SigmoidOp>());
    unary("tanh", "hyperbolic tangent", direct<nn::TanhOp>());
    unary("gelu", "Gaussian error linear unit x * Phi(x), exact (erf) form",
          direct<nn::GeluOp>());
    unary("hardswish", "x * relu6(x + 3) / 6", direct<nn::HardswishOp>());
    t.push_back({{"leaky_relu",
                  {tensor("x"), floatArg("slope", 0.01)},
                  "x if x > 0 else slope * x"},
                 unaryRule,
                 direct<nn::LeakyReluOp>({{"slope", "slope", AttrForm::F64}})});
    t.push_back({{"elu",
                  {tensor("x"), floatArg("alpha", 1.0)},
                  "x if x > 0 else alpha * (exp(x) - 1)"},
                 unaryRule,
                 direct<nn::EluOp>({{"alpha", "alpha", AttrForm::F64}})});
    t.push_back(
        {{"softplus",
          {tensor("x"), floatArg("beta", 1.0, checkPositive),
           floatArg("threshold", 20.0)},
          "log(1 + exp(beta * x)) / beta; x where beta * x > "
          "threshold"},
         unaryRule,
         direct<nn::SoftplusOp>({{"beta", "beta", AttrForm::F64},
                                 {"threshold", "threshold", AttrForm::F64}})});
    // Reductions.cpp
    t.push_back({{"softmax",
                  {tensor("x"), intArg("axis", -1)},
                  "exp(x) normalised along axis"},
                 softmaxRule,
                 direct<nn::SoftmaxOp>({{"axis", "axis", AttrForm::Axis}})});
    t.push_back({{"log_softmax",
                  {tensor("x"), intArg("axis", -1)},
                  "log(softmax(x)) along axis, computed stably"},
                 softmaxRule,
                 direct<nn::LogSoftmaxOp>({{"axis", "axis", AttrForm::Axis}})});
    // Contraction.cpp
    t.push_back({{"matmul",
                  {tensor("x"), tensor("y")},
                  "matrix product with broadcast batch dimensions"},
                 matmulRule,
                 expand(Expansion::Matmul, direct<nn::MatmulOp>())});
    // Contraction.cpp and Reductions.cpp (composed of nn.transpose,
    // nn.matmul, nn.mul, nn.add, nn.softmax)
    t.push_back(
        {{"scaled_dot_product_attention",
          {tensor("q"), tensor("k"), tensor("v"), boolArg("causal", false)},
          "softmax(q k^T / sqrt(D)) v over [B, T, D] or [B, H, T, D], as "
          "PyTorch's F.scaled_dot_product_attention; causal: key j > query i "
          "masked with -inf"},
         attentionRule,
         expand(Expansion::Attention)});
    // Reductions.cpp
    std::vector<AttrBinding> reduction = {
        {"axis", "axes", AttrForm::SortedAxes},
        {"keepdims", "keepdims", AttrForm::Bool}};
    const char *reduceSummary = "reduction over axis (all axes when absent)";
    std::vector<ArgSpec> reduceArgs = {tensor("x"), axesArg(),
                                       boolArg("keepdims", false)};
    t.push_back({{"sum", reduceArgs, reduceSummary},
                 reduceRule,
                 direct<nn::SumOp>(reduction)});
    t.push_back({{"mean", reduceArgs, reduceSummary},
                 reduceRule,
                 direct<nn::MeanOp>(reduction)});
    t.push_back({{"max", reduceArgs, reduceSummary},
                 reduceRule,
                 direct<nn::MaxOp>(reduction)});
    // Shape.cpp
    t.push_back({{"reshape",
                  {tensor("x"), {"shape", ArgKind::DimList, std::nullopt}},
                  "same elements, new shape (one dimension may be -1)"},
                 reshapeRule,
                 expand(Expansion::Reshape, direct<nn::ReshapeOp>())});
    t.push_back({{"flatten",
                  {tensor("x"), intArg("start", 1), intArg("end", -1)},
                  "merges axes start..end into one"},
                 flattenRule,
                 expand(Expansion::Reshape, direct<nn::ReshapeOp>())});
    t.push_back({{"transpose",
                  {tensor("x"), {"perm", ArgKind::Axes, Const::none()}},
                  "permutes the axes (reverses them when perm is absent)"},
                 transposeRule,
                 direct<nn::TransposeOp>({{"perm", "perm", AttrForm::Perm}})});
    t.push_back(
        {{"concat",
          {{"xs", ArgKind::TensorList, std::nullopt}, intArg("axis", 0)},
          "joins tensors along axis"},
         concatRule,
         direct<nn::ConcatOp>({{"axis", "axis", AttrForm::Axis}})});
    t.push_back({{"slice",
                  {tensor("x"), intArg("axis"), intArg("start", 0),
                   {"end", ArgKind::Int, Const::none()}, intArg("step", 1)},
                  "elements start, start + step, ... below end of axis, "
                  "as Python's x[start:end:step] (negative: from the end)"},
                 sliceRule,
                 expand(Expansion::Slice, direct<nn::SliceOp>())});
    t.push_back({{"pad",
                  {tensor("x"), {"pads", ArgKind::IntList, std::nullopt},
                   floatArg("value", 0.0)},
                  "constant padding, as PyTorch's F.pad: (before, after) "
                  "pairs for the last axis, then the one before it, ..."},
                 padRule,
                 expand(Expansion::Pad, direct<nn::PadOp>())});
    t.push_back({{"flip",
                  {tensor("x"), {"axis", ArgKind::Axes, std::nullopt}},
                  "reverses the order of the elements along axis (an axis "
                  "or a list of them)"},
                 flipRule,
                 direct<nn::FlipOp>({{"axis", "axes", AttrForm::SortedAxes}})});
    t.push_back({{"stack",
                  {{"xs", ArgKind::TensorList, std::nullopt},
                   intArg("axis", 0)},
                  "joins tensors of one shape along a new axis"},
                 stackRule,
                 expand(Expansion::Stack)});
    t.push_back({{"one_hot",
                  {tensor("y"), intArg("n", std::nullopt, checkPositive)},
                  "f32[..., n] with 1 at each integer class index of y, 0 "
                  "elsewhere (an index outside [0, n): a row of zeros)"},
                 oneHotRule,
                 direct<nn::OneHotOp>({{"n", "classes", AttrForm::I64}})});
    t.push_back({{"gather",
                  {tensor("x"), tensor("ids"), intArg("axis", 0)},
                  "the slices of x along axis that the integer tensor ids "
                  "names, as numpy.take (an index outside the axis: zeros)"},
                 gatherRule,
                 direct<nn::GatherOp>({{"axis", "axis", AttrForm::Axis}})});
    // Contraction.cpp
    t.push_back(
        {{"convolution",
          {tensor("x"), tensor("w"), optTensor("b"), pairArg("stride", 1),
           pairArg("padding", 0, checkNonNegative), pairArg("dilation", 1),
           intArg("groups", 1, checkPositive)},
          "2-D convolution, NCHW input and OIHW weight"},
         convRule,
         direct<nn::Conv2DOp>({{"stride", "stride", AttrForm::Pair},
                               {"padding", "padding", AttrForm::Pair},
                               {"dilation", "dilation", AttrForm::Pair},
                               {"groups", "groups", AttrForm::I64}})});
    t.push_back(
        {{"convolution_transpose",
          {tensor("x"), tensor("w"), pairArg("stride", 1),
           pairArg("padding", 0, checkNonNegative),
           pairArg("output_padding", 0, checkNonNegative),
           pairArg("dilation", 1), intArg("groups", 1, checkPositive)},
          "2-D transposed convolution, NCHW input and IOHW weight (as "
          "PyTorch's conv_transpose2d)"},
         convTransposeRule,
         direct<nn::ConvTranspose2DOp>(
             {{"stride", "stride", AttrForm::Pair},
              {"padding", "padding", AttrForm::Pair},
              {"output_padding", "output_padding", AttrForm::Pair},
              {"dilation", "dilation", AttrForm::Pair},
              {"groups", "groups", AttrForm::I64}})});
    // Window.cpp
    std::vector<AttrBinding> pooling = {
        {"kernel", "kernel", AttrForm::Pair},
        {"stride", "stride", AttrForm::Pair, "kernel"},
        {"padding", "padding", AttrForm::Pair}};
    std::vector<ArgSpec> poolArgs = {
        tensor("x"),
        pairArg("kernel", std::nullopt),
        {"stride", ArgKind::IntPair, Const::none(), {}, checkPositive},
        pairArg("padding", 0, checkNonNegative)};
    const char *poolSummary =
        "2-D pooling over kernel windows (stride defaults to kernel)";
    t.push_back({{"max_pool2d", poolArgs, poolSummary},
                 poolRule,
                 direct<nn::MaxPool2DOp>(pooling)});
    t.push_back({{"avg_pool2d", poolArgs, poolSummary},
                 poolRule,
                 direct<nn::AvgPool2DOp>(pooling)});
    t.push_back({{"adaptive_avg_pool2d",
                  {tensor("x"), pairArg("size", std::nullopt)},
                  "average pooling to a fixed output size"},
                 adaptivePoolRule,
                 expand(Expansion::AdaptiveAvgPool)});
    t.push_back(
        {{"upsample_nearest2d",
          {tensor("x"), intArg("scale", 2, checkPositive)},
          "repeats each pixel scale x scale times (NCHW, static H "
          "and W)"},
         upsampleRule,
         direct<nn::UpsampleNearest2DOp>({{"scale", "scale", AttrForm::I64}})});
    t.push_back({{"upsample",
                  {tensor("x"), intArg("scale", 2, checkPositive),
                   {"mode", ArgKind::String, Const::ofString("nearest"), {},
                    checkUpsampleMode}},
                  "2-D upsampling of NCHW by an integer scale (static H and "
                  "W): mode \"nearest\" or \"bilinear\" (as PyTorch's "
                  "F.interpolate with align_corners=False)"},
                 upsampleRule,
                 expand(Expansion::Upsample,
                        direct<nn::UpsampleNearest2DOp>(
                            {{"scale", "scale", AttrForm::I64}}))});
    // Normalization.cpp (layer normalisation is composed of Reductions.cpp
    // and Elementwise.cpp ops)
    t.push_back(
        {{"batch_normalization",
          {tensor("x"), tensor("gamma"), tensor("beta"), tensor("running_mean"),
           tensor("running_var"), floatArg("momentum", 0.1, checkUnitOpen),
           floatArg("eps", 1e-5, checkPositive)},
          "normalises each channel by batch statistics (training) or running "
          "statistics (inference)"},
         batchNormRule,
         expand(Expansion::BatchNorm,
                direct<nn::BatchNormInferOp>(
                    {{"eps", "epsilon", AttrForm::F64}}))});
    t.push_back({{"layer_normalization",
                  {tensor("x"), tensor("gamma"), tensor("beta"),
                   floatArg("eps", 1e-5, checkPositive)},
                  "normalises over the last dimension"},
                 layerNormRule,
                 expand(Expansion::LayerNorm)});
    // Random.cpp
    t.push_back({{"dropout",
                  {tensor("x"), floatArg("p", 0.5, checkProbability)},
                  "zeroes elements with probability p during training"},
                 dropoutRule,
                 expand(Expansion::Dropout)});
    // Losses.cpp
    auto pairLoss = [&](const char *name, Emission emit) {
      emit.broadcastToFirst = true;
      t.push_back({{name,
                    {tensor("input"), tensor("target")},
                    "loss, mean over elements"},
                   pairLossRule,
                   emit});
    };
    pairLoss("mse", direct<nn::MSEOp>());
    pairLoss("l1", direct<nn::L1Op>());
    pairLoss("bce", direct<nn::BCEOp>());
    pairLoss("bce_with_logits", direct<nn::BCEWithLogitsOp>());
    t.push_back(
        {{"cross_entropy",
          {tensor("input"), tensor("target"), optTensor("weight"),
           floatArg("label_smoothing", 0.0, checkProbability)},
          "softmax cross-entropy of scores against classes"},
         classLossRule,
         expand(Expansion::CrossEntropy,
                direct<nn::CrossEntropyOp>(
                    {{"label_smoothing", "label_smoothing", AttrForm::F64}}))});
    t.push_back({{"nll",
                  {tensor("input"), tensor("target"), optTensor("weight")},
                  "negative log-likelihood of log-probabilities"},
                 classLossRule,
                 direct<nn::NLLOp>()});
    // Random.cpp
    t.push_back({{"normal",
                  {{"shape", ArgKind::DimList, std::nullopt},
                   floatArg("mean", 0.0),
                   floatArg("std", 1.0, checkPositive)},
                  "a fresh sample of normal noise"},
                 randomRule,
                 expand(Expansion::Random, direct<nn::InitNormalOp>())});
    t.push_back({{"uniform",
                  {{"shape", ArgKind::DimList, std::nullopt},
                   floatArg("low", 0.0),
                   floatArg("high", 1.0)},
                  "a fresh sample of uniform noise"},
                 randomRule,
                 expand(Expansion::Random, direct<nn::InitUniformOp>())});
    return t;
  }();
  return table;
}

} // namespace

const OpInfo *sema::lookupOp(const std::string &name) {
  for (const OpInfo &op : opTable())
    if (op.spec.name == name)
      return &op;
  return nullptr;
}

std::vector<std::string> sema::allOpNames() {
  std::vector<std::string> names;
  for (const OpInfo &op : opTable())
    names.push_back(op.spec.name);
  return names;
}

std::vector<std::string> sema::describeOps() {
  std::vector<std::string> lines;
  for (const OpInfo &op : opTable()) {
    std::string line = op.spec.name + "(";
    for (size_t i = 0; i < op.spec.args.size(); ++i) {
      const ArgSpec &a = op.spec.args[i];
      line += (i ? ", " : "") + a.name;
      if (a.dflt && !a.dflt->isNone())
        line += "=" + a.dflt->str();
      else if (a.dflt)
        line += "=none";
    }
    line += "): " + op.spec.summary;
    if (op.emit.expansion == Expansion::NotYet)
      line += " [not compiled yet]";
    lines.push_back(std::move(line));
  }
  return lines;
}
