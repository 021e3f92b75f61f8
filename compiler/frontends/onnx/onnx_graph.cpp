#include "frontends/onnx/onnx_graph.h"

#include <cmath>
#include <map>
#include <set>

#include <fmt/ranges.h>

namespace adderq::frontends::onnx {
namespace {

// A value of the ONNX graph: a tensor of ours (activations), or a constant (initializers, Constant
// nodes, folded shape arithmetic).
struct Value {
  int tensor = -1;
  const TensorData* constant = nullptr;
};

class Converter {
 public:
  Converter(const Model& m, const StateDict& initializers) : m_(m), init_(initializers) {}

  Result<Graph> Run() {
    for (const auto& [name, t] : init_.entries()) values_[name].constant = &t;
    ADQ_RETURN_IF_ERROR(Input());
    for (const Node& n : m_.nodes) {
      if (!n.domain.empty() && n.domain != "ai.onnx" && n.domain != kAdderDomain)
        return Unsupported("ONNX operator {} (domain '{}' is not supported)", n.Describe(), n.domain);
      ADQ_RETURN_IF_ERROR(Convert(n));
    }
    if (m_.outputs.size() != 1) return Unsupported("ONNX graph with {} outputs (adderq models have one)", m_.outputs.size());
    const Value* out = Find(m_.outputs[0].name);
    if (!out || out->tensor < 0) return BadInput("ONNX graph output '{}' is not computed from the input", m_.outputs[0].name);
    if (out->tensor == g_.input) return BadInput("ONNX graph output is its input");
    g_.output = out->tensor;
    ADQ_RETURN_IF_ERROR(ValidateGraph(g_));
    return std::move(g_);
  }

 private:
  Status Input() {
    const ValueInfo* input = nullptr;
    for (const ValueInfo& vi : m_.inputs)
      if (!init_.Find(vi.name)) {
        if (input) return Unsupported("ONNX graph with more than one input ('{}' and '{}')", input->name, vi.name);
        input = &vi;
      }
    if (!input) return BadInput("ONNX graph has no input");
    if (input->elem_type != 1)
      return Unsupported("ONNX input '{}' is {} (adderq models take float images)", input->name, ElemTypeName(input->elem_type));
    if (input->dims.size() != 4 || input->dims[1] <= 0 || input->dims[2] <= 0 || input->dims[3] <= 0)
      return Unsupported("ONNX input '{}' has shape [{}]; expected [N, C, H, W] with C, H, W fixed", input->name,
                         fmt::join(input->dims, ","));
    g_.meta.input_shape = {int(input->dims[1]), int(input->dims[2]), int(input->dims[3])};
    g_.input = g_.AddTensor(input->name, g_.meta.input_shape);
    // Placeholders that ValidateGraph needs; the compiler sets the real ones.
    g_.meta.mean.assign(size_t(g_.meta.input_shape.c), 0.f);
    g_.meta.std.assign(size_t(g_.meta.input_shape.c), 1.f);
    values_[input->name].tensor = g_.input;
    return Status::Ok();
  }

  const Value* Find(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
  }

  Result<int> TensorInput(const Node& n, size_t i) {
    if (i >= n.inputs.size() || n.inputs[i].empty()) return BadInput("{}: missing input {}", n.Describe(), i);
    const Value* v = Find(n.inputs[i]);
    if (!v) return BadInput("{}: input '{}' is not defined before it", n.Describe(), n.inputs[i]);
    if (v->tensor < 0) return Unsupported("{}: input '{}' is a constant (only weights may be)", n.Describe(), n.inputs[i]);
    return v->tensor;
  }

  // A constant input; nullptr when the optional input is absent.
  Result<const TensorData*> ConstantInput(const Node& n, size_t i, bool optional = false) {
    if (i >= n.inputs.size() || n.inputs[i].empty()) {
      if (optional) return static_cast<const TensorData*>(nullptr);
      return BadInput("{}: missing input {}", n.Describe(), i);
    }
    const Value* v = Find(n.inputs[i]);
    if (!v) return BadInput("{}: input '{}' is not defined before it", n.Describe(), n.inputs[i]);
    if (!v->constant) return Unsupported("{}: input '{}' must be a constant (an initializer)", n.Describe(), n.inputs[i]);
    for (double x : v->constant->values)
      if (!std::isfinite(x)) return BadInput("{}: '{}' holds a non-finite value", n.Describe(), n.inputs[i]);
    return v->constant;
  }

  Status Output(const Node& n, Value v) {
    if (n.outputs.empty() || n.outputs[0].empty()) return BadInput("{}: no output", n.Describe());
    if (values_.count(n.outputs[0])) return BadInput("{}: output '{}' is defined twice", n.Describe(), n.outputs[0]);
    values_[n.outputs[0]] = v;
    return Status::Ok();
  }

  std::string NodeName(const Node& n) {
    std::string base = !n.name.empty() ? n.name : n.outputs.empty() ? n.op_type : n.outputs[0];
    std::string name = base;
    for (int k = 2; !names_.insert(name).second; ++k) name = base + "_" + std::to_string(k);
    return name;
  }

  Result<int> Emit(const onnx::Node& src, adderq::Node n) {
    n.name = NodeName(src);
    std::vector<Shape3> in_shapes;
    for (int t : n.inputs) in_shapes.push_back(g_.ShapeOf(t));
    auto out = InferOutputShape(n, in_shapes);
    if (!out.ok()) return out.status().WithContext(src.Describe());
    n.output = g_.AddTensor(src.outputs.empty() ? n.name : src.outputs[0], out.value());
    g_.nodes.push_back(std::move(n));
    const int t = g_.nodes.back().output;
    ADQ_RETURN_IF_ERROR(Output(src, {t, nullptr}));
    return t;
  }

  int64_t IntAttr(const Node& n, const char* key, int64_t fallback) const {
    const Attribute* a = n.Find(key);
    return a ? a->i : fallback;
  }
  std::vector<int64_t> IntsAttr(const Node& n, const char* key) const {
    const Attribute* a = n.Find(key);
    return a ? a->ints : std::vector<int64_t>{};
  }

  // Geometry shared by convolutions and pooling: a square-or-not kernel, one stride for both axes
  // and the same padding on all four sides (what adderq's kernels implement).
  struct Window {
    int kh = 1, kw = 1, stride = 1, pad = 0;
  };
  Result<Window> WindowAttrs(const Node& n, std::vector<int64_t> kernel) {
    Window w;
    if (const Attribute* ap = n.Find("auto_pad"); ap && !ap->s.empty() && ap->s != "NOTSET" && ap->s != "VALID")
      return Unsupported("{}: auto_pad {} (export with explicit pads)", n.Describe(), ap->s);
    const std::vector<int64_t> ks = IntsAttr(n, "kernel_shape");
    if (!ks.empty()) kernel = ks;
    if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1 || kernel[0] > 64 || kernel[1] > 64)
      return Unsupported("{}: kernel_shape [{}] (2-D kernels up to 64 are supported)", n.Describe(), fmt::join(kernel, ","));
    w.kh = int(kernel[0]);
    w.kw = int(kernel[1]);
    std::vector<int64_t> strides = IntsAttr(n, "strides");
    if (strides.empty()) strides = {1, 1};
    if (strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > 64)
      return Unsupported("{}: strides [{}] (one stride for both axes)", n.Describe(), fmt::join(strides, ","));
    w.stride = int(strides[0]);
    std::vector<int64_t> pads = IntsAttr(n, "pads");
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (pads.size() != 4 || pads[0] != pads[1] || pads[0] != pads[2] || pads[0] != pads[3] || pads[0] < 0 || pads[0] > 64)
      return Unsupported("{}: pads [{}] (the same padding on all sides)", n.Describe(), fmt::join(pads, ","));
    w.pad = int(pads[0]);
    for (int64_t d : IntsAttr(n, "dilations"))
      if (d != 1) return Unsupported("{}: dilations [{}]", n.Describe(), fmt::join(IntsAttr(n, "dilations"), ","));
    return w;
  }

  static std::vector<float> ToFloat(const TensorData& t) { return std::vector<float>(t.values.begin(), t.values.end()); }

  Status ConvLike(const Node& src, OpKind kind) {
    ADQ_ASSIGN_OR_RETURN(int x, TensorInput(src, 0));
    ADQ_ASSIGN_OR_RETURN(const TensorData* w, ConstantInput(src, 1));
    ADQ_ASSIGN_OR_RETURN(const TensorData* b, ConstantInput(src, 2, true));
    const Shape3 in = g_.ShapeOf(x);
    if (w->shape.size() != 4 || w->shape[0] < 1 || w->shape[1] != in.c)
      return BadInput("{}: weight shape [{}] does not fit a {}-channel input", src.Describe(), fmt::join(w->shape, ","), in.c);
    if (IntAttr(src, "group", 1) != 1) return Unsupported("{}: group {} (grouped or depthwise layers)", src.Describe(), IntAttr(src, "group", 1));
    ADQ_ASSIGN_OR_RETURN(Window win, WindowAttrs(src, {w->shape[2], w->shape[3]}));
    if (win.kh != w->shape[2] || win.kw != w->shape[3])
      return BadInput("{}: kernel_shape differs from the weight's", src.Describe());
    adderq::Node n;
    n.kind = kind;
    n.inputs = {x};
    n.out_channels = int(w->shape[0]);
    n.in_channels = in.c;
    n.kernel_h = win.kh;
    n.kernel_w = win.kw;
    n.stride = win.stride;
    n.padding = win.pad;
    n.weight = ToFloat(*w);
    // Adder layers compute -D (y = -1 * D + b); convolutions the plain sum. BatchNorms fold in later.
    n.affine_scale.assign(size_t(n.out_channels), kind == OpKind::kAdder2d ? -1.f : 1.f);
    n.affine_shift.assign(size_t(n.out_channels), 0.f);
    if (b) {
      if (b->values.size() != size_t(n.out_channels)) return BadInput("{}: bias of {} values for {} channels", src.Describe(), b->values.size(), n.out_channels);
      n.affine_shift = ToFloat(*b);
    }
    return Emit(src, std::move(n)).status();
  }

  Status BatchNorm(const Node& src) {
    ADQ_ASSIGN_OR_RETURN(int x, TensorInput(src, 0));
    const size_t c = size_t(g_.ShapeOf(x).c);
    adderq::Node n;
    n.kind = OpKind::kBatchNorm;
    n.inputs = {x};
    std::vector<float>* fields[] = {&n.bn_gamma, &n.bn_beta, &n.bn_mean, &n.bn_var};
    for (size_t i = 0; i < 4; ++i) {
      ADQ_ASSIGN_OR_RETURN(const TensorData* t, ConstantInput(src, i + 1));
      if (t->values.size() != c) return BadInput("{}: input {} has {} values for {} channels", src.Describe(), i + 1, t->values.size(), c);
      *fields[i] = ToFloat(*t);
    }
    for (float v : n.bn_var)
      if (v < 0.f) return BadInput("{}: negative running variance", src.Describe());
    if (IntAttr(src, "training_mode", 0) != 0 || src.outputs.size() > 1)
      return Unsupported("{}: training mode (export the model in eval mode)", src.Describe());
    if (const Attribute* eps = src.Find("epsilon")) n.bn_eps = eps->f;
    if (!(n.bn_eps > 0.f)) return BadInput("{}: epsilon must be positive", src.Describe());
    return Emit(src, std::move(n)).status();
  }

  Status Pool(const Node& src, OpKind kind) {
    ADQ_ASSIGN_OR_RETURN(int x, TensorInput(src, 0));
    if (IntAttr(src, "ceil_mode", 0) != 0) return Unsupported("{}: ceil_mode 1", src.Describe());
    if (src.outputs.size() > 1) return Unsupported("{}: the indices output", src.Describe());
    ADQ_ASSIGN_OR_RETURN(Window win, WindowAttrs(src, {}));
    if (win.kh != win.kw) return Unsupported("{}: a {}x{} window (square windows only)", src.Describe(), win.kh, win.kw);
    if (kind == OpKind::kAvgPool && win.pad != 0) return Unsupported("{}: average pooling with padding", src.Describe());
    adderq::Node n;
    n.kind = kind;
    n.inputs = {x};
    n.pool_kernel = win.kh;
    n.pool_stride = win.stride;
    n.pool_padding = win.pad;
    return Emit(src, std::move(n)).status();
  }

  Status GlobalAveragePool(const Node& src) {
    ADQ_ASSIGN_OR_RETURN(int x, TensorInput(src, 0));
    const Shape3 in = g_.ShapeOf(x);
    if (in.h != in.w) return Unsupported("{}: global pooling of a {}x{} map (square maps only)", src.Describe(), in.h, in.w);
    adderq::Node n;
    n.kind = OpKind::kAvgPool;
    n.inputs = {x};
    n.pool_kernel = in.h;
    n.pool_stride = 1;
    return Emit(src, std::move(n)).status();
  }

  Status Flatten(const Node& src, int x) {
    adderq::Node n;
    n.kind = OpKind::kFlatten;
    n.inputs = {x};
    return Emit(src, std::move(n)).status();
  }

  // Reshape to [batch, features] (or the batch as -1/0 and the rest flat): a flatten.
  Status Reshape(const Node& src) {
    ADQ_ASSIGN_OR_RETURN(int x, TensorInput(src, 0));
    ADQ_ASSIGN_OR_RETURN(const TensorData* shape, ConstantInput(src, 1));
    const int64_t total = int64_t(g_.ShapeOf(x).size());
    const std::vector<double>& s = shape->values;
    const bool flat = s.size() == 2 && (s[0] == -1 || s[0] == 0 || s[0] == 1 || s[0] == double(kBatchPlaceholder)) &&
                      (s[1] == -1 || s[1] == double(total));
    if (!flat) return Unsupported("{}: reshape to [{}] (only flattening to [batch, {}] is supported)", src.Describe(), fmt::join(s, ","), total);
    return Flatten(src, x);
  }

  // Gemm(A, B[, C]) with A flat: y = alpha * A B' + beta * C.
  Status Gemm(const Node& src) {
    ADQ_ASSIGN_OR_RETURN(int x, TensorInput(src, 0));
    ADQ_ASSIGN_OR_RETURN(const TensorData* w, ConstantInput(src, 1));
    ADQ_ASSIGN_OR_RETURN(const TensorData* c, ConstantInput(src, 2, true));
    if (IntAttr(src, "transA", 0) != 0) return Unsupported("{}: transA", src.Describe());
    const float alpha = src.Find("alpha") ? src.Find("alpha")->f : 1.f, beta = src.Find("beta") ? src.Find("beta")->f : 1.f;
    if (alpha != 1.f || (c && beta != 1.f)) return Unsupported("{}: alpha/beta other than 1", src.Describe());
    return Linear(src, x, *w, IntAttr(src, "transB", 0) != 0, c);
  }

  Status Linear(const Node& src, int x, const TensorData& w, bool transposed, const TensorData* bias) {
    const Shape3 in = g_.ShapeOf(x);
    if (in.h != 1 || in.w != 1) return Unsupported("{}: a matrix product of a {}x{}x{} map (flatten it first)", src.Describe(), in.c, in.h, in.w);
    if (w.shape.size() != 2) return BadInput("{}: weight of rank {}", src.Describe(), w.shape.size());
    const int64_t out = transposed ? w.shape[0] : w.shape[1], inner = transposed ? w.shape[1] : w.shape[0];
    if (inner != in.c) return BadInput("{}: weight [{}] for {} features", src.Describe(), fmt::join(w.shape, ","), in.c);
    adderq::Node n;
    n.kind = OpKind::kLinear;
    n.inputs = {x};
    n.out_channels = int(out);
    n.in_channels = in.c;
    n.weight.resize(size_t(out * inner));
    for (int64_t o = 0; o < out; ++o)
      for (int64_t k = 0; k < inner; ++k)
        n.weight[size_t(o * inner + k)] = float(transposed ? w.values[size_t(o * inner + k)] : w.values[size_t(k * out + o)]);
    n.affine_scale.assign(size_t(out), 1.f);
    n.affine_shift.assign(size_t(out), 0.f);
    if (bias) {
      if (bias->values.size() != size_t(out)) return BadInput("{}: bias of {} values for {} outputs", src.Describe(), bias->values.size(), out);
      n.affine_shift = ToFloat(*bias);
    }
    return Emit(src, std::move(n)).status();
  }

  // Add of two activations, or of an activation and a per-channel constant right after the layer
  // that computes it (MatMul + Add, a bias exported apart): folded into that layer's shift.
  Status Add(const Node& src) {
    if (src.inputs.size() != 2) return BadInput("{}: {} inputs", src.Describe(), src.inputs.size());
    const Value* a = Find(src.inputs[0]);
    const Value* b = Find(src.inputs[1]);
    if (!a || !b) return BadInput("{}: an input is not defined before it", src.Describe());
    if (a->tensor >= 0 && b->tensor >= 0) {
      adderq::Node n;
      n.kind = OpKind::kAdd;
      n.inputs = {a->tensor, b->tensor};
      return Emit(src, std::move(n)).status();
    }
    const Value* t = a->tensor >= 0 ? a : b;
    const Value* k = a->tensor >= 0 ? b : a;
    if (t->tensor < 0) return Unsupported("{}: an addition of two constants", src.Describe());
    if (g_.nodes.empty()) return Unsupported("{}: adding a constant to the input", src.Describe());
    adderq::Node& producer = g_.nodes.back();
    const bool foldable = producer.output == t->tensor &&
                          (producer.kind == OpKind::kLinear || producer.kind == OpKind::kConv2d || producer.kind == OpKind::kAdder2d) &&
                          k->constant->values.size() == size_t(producer.out_channels) && !consumed_.count(t->tensor);
    if (!foldable)
      return Unsupported("{}: adding a constant other than a bias right after its layer", src.Describe());
    for (size_t o = 0; o < producer.affine_shift.size(); ++o) producer.affine_shift[o] += float(k->constant->values[o]);
    consumed_.insert(t->tensor);  // the bias is folded; the layer's output is now the Add's
    return Output(src, {t->tensor, nullptr});
  }

  // Shape arithmetic on constants (the batch dimension reads as kBatchPlaceholder).
  Status Fold(const Node& src) {
    TensorData out;
    out.dtype = DType::kInt64;
    if (src.op_type == "Shape") {
      const Value* v = Find(src.inputs.empty() ? "" : src.inputs[0]);
      if (!v) return BadInput("{}: input not defined before it", src.Describe());
      if (v->tensor >= 0) {
        const Shape3 s = g_.ShapeOf(v->tensor);
        out.values = {double(kBatchPlaceholder), double(s.c), double(s.h), double(s.w)};
        if (s.h == 1 && s.w == 1 && IsFlat(v->tensor)) out.values = {double(kBatchPlaceholder), double(s.c)};
      } else {
        for (int64_t d : v->constant->shape) out.values.push_back(double(d));
      }
      out.shape = {int64_t(out.values.size())};
    } else if (src.op_type == "Constant") {
      const Attribute* value = src.Find("value");
      if (value && value->tensor.size() == 1) out = value->tensor[0];
      else if (const Attribute* vi = src.Find("value_ints")) out.values.assign(vi->ints.begin(), vi->ints.end()), out.shape = {int64_t(vi->ints.size())};
      else if (const Attribute* vf = src.Find("value_float")) out.values = {double(vf->f)}, out.dtype = DType::kFloat32;
      else if (const Attribute* vn = src.Find("value_int")) out.values = {double(vn->i)};
      else return Unsupported("{}: this form of constant", src.Describe());
    } else {
      std::vector<const TensorData*> in;
      for (size_t i = 0; i < src.inputs.size(); ++i) {
        if (src.inputs[i].empty()) continue;
        const Value* v = Find(src.inputs[i]);
        if (!v || !v->constant) return Unsupported("{} on an activation (only shape arithmetic is evaluated)", src.Describe());
        in.push_back(v->constant);
      }
      if (in.empty()) return BadInput("{}: no inputs", src.Describe());
      if (src.op_type == "Gather") {
        if (in.size() != 2 || in[0]->shape.size() != 1 || IntAttr(src, "axis", 0) != 0)
          return Unsupported("{}: only indexing a 1-D shape", src.Describe());
        for (double idx : in[1]->values) {
          int64_t i = int64_t(idx);
          if (i < 0) i += int64_t(in[0]->values.size());
          if (i < 0 || i >= int64_t(in[0]->values.size())) return BadInput("{}: index {} out of range", src.Describe(), idx);
          out.values.push_back(in[0]->values[size_t(i)]);
        }
        out.shape = in[1]->shape;
      } else if (src.op_type == "Unsqueeze" || src.op_type == "Squeeze" || src.op_type == "Cast") {
        out.values = in[0]->values;  // only the rank changes; shape arithmetic is 0-D or 1-D
        out.shape = {int64_t(out.values.size())};
      } else if (src.op_type == "Concat") {
        for (const TensorData* t : in) out.values.insert(out.values.end(), t->values.begin(), t->values.end());
        out.shape = {int64_t(out.values.size())};
      } else {
        return Unsupported("ONNX operator {} on constants", src.Describe());
      }
    }
    folded_.push_back(std::make_unique<TensorData>(std::move(out)));
    return Output(src, {-1, folded_.back().get()});
  }

  bool IsFlat(int tensor) const {
    for (const adderq::Node& n : g_.nodes)
      if (n.output == tensor) return n.kind == OpKind::kFlatten || n.kind == OpKind::kLinear;
    return false;
  }

  // Identity and inference-mode Dropout: the output is the input (an activation or a constant;
  // exporters put Identity nodes between shared initializers).
  Status Alias(const Node& src) {
    const Value* v = src.inputs.empty() ? nullptr : Find(src.inputs[0]);
    if (!v) return BadInput("{}: input not defined before it", src.Describe());
    return Output(src, *v);
  }

  // Pad by zero on every side (PyTorch's export of average pooling writes one): the input itself.
  Status Pad(const Node& src) {
    std::vector<double> pads;
    if (const Attribute* a = src.Find("pads")) pads.assign(a->ints.begin(), a->ints.end());  // opset < 11
    else if (src.inputs.size() > 1) {
      ADQ_ASSIGN_OR_RETURN(const TensorData* t, ConstantInput(src, 1));
      pads = t->values;
    }
    for (double p : pads)
      if (p != 0) return Unsupported("{}: padding [{}] (fold it into the next layer's pads)", src.Describe(), fmt::join(pads, ","));
    return Alias(src);
  }

  Status Convert(const Node& n) {
    const std::string& op = n.op_type;
    if (n.domain == kAdderDomain) {
      if (op == kAdderOp) return ConvLike(n, OpKind::kAdder2d);
      return Unsupported("ONNX operator {} (the adderq domain has {})", n.Describe(), kAdderOp);
    }
    if (op == "Conv") return ConvLike(n, OpKind::kConv2d);
    if (op == "BatchNormalization") return BatchNorm(n);
    if (op == "Relu") {
      ADQ_ASSIGN_OR_RETURN(int x, TensorInput(n, 0));
      adderq::Node r;
      r.kind = OpKind::kRelu;
      r.inputs = {x};
      return Emit(n, std::move(r)).status();
    }
    if (op == "Add") return Add(n);
    if (op == "MaxPool") return Pool(n, OpKind::kMaxPool);
    if (op == "AveragePool") return Pool(n, OpKind::kAvgPool);
    if (op == "GlobalAveragePool") return GlobalAveragePool(n);
    if (op == "Flatten") {
      ADQ_ASSIGN_OR_RETURN(int x, TensorInput(n, 0));
      if (IntAttr(n, "axis", 1) != 1) return Unsupported("{}: axis {} (only 1: keep the batch)", n.Describe(), IntAttr(n, "axis", 1));
      return Flatten(n, x);
    }
    if (op == "Reshape") return Reshape(n);
    if (op == "Gemm") return Gemm(n);
    if (op == "MatMul") {
      ADQ_ASSIGN_OR_RETURN(int x, TensorInput(n, 0));
      ADQ_ASSIGN_OR_RETURN(const TensorData* w, ConstantInput(n, 1));
      return Linear(n, x, *w, false, nullptr);
    }
    if (op == "Identity" || op == "Dropout") return Alias(n);
    if (op == "Pad") return Pad(n);
    if (op == "Shape" || op == "Constant" || op == "Gather" || op == "Unsqueeze" || op == "Squeeze" || op == "Concat" ||
        op == "Cast")
      return Fold(n);
    return Unsupported("ONNX operator {} is not supported (see the README's operator table)", n.Describe());
  }

  static constexpr int64_t kBatchPlaceholder = 1;
  const Model& m_;
  const StateDict& init_;
  Graph g_;
  std::map<std::string, Value> values_;
  std::set<std::string> names_;
  std::set<int> consumed_;
  std::vector<std::unique_ptr<TensorData>> folded_;
};

}  // namespace

Result<Graph> BuildGraph(const Model& model, const StateDict& initializers) { return Converter(model, initializers).Run(); }

}  // namespace adderq::frontends::onnx
