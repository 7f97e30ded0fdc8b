// Internal: the interface every graph op implements (create → infer shape → run).
//
// An op is created once with its parameters and weights validated (and packed); the graph then
// asks it for its output shape given its input shapes, and at run time hands it views that the
// planner laid out. Shapes seen by InferShape exclude the batch dim; views seen by Run include
// it as dim 0.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "core/tensor.h"
#include "vigil/status.h"

namespace vigil::nn {

class Op {
 public:
  virtual ~Op() = default;

  // Short kind name used in error messages: "Dense", "Conv1D", ...
  virtual const char* Kind() const = 0;
  virtual int NumInputs() const = 0;
  // Output sample shape, or InvalidArgument naming the mismatching dims (without the op index,
  // which the graph prefixes).
  virtual Result<core::Shape> InferShape(std::span<const core::Shape> inputs) const = 0;
  // True when the output may occupy the storage of any of its inputs (elementwise ops).
  virtual bool AllowsInPlace() const { return false; }
  // True when Run copies input 0 to the output before working in place on it, i.e. a full
  // tensor copy whenever the planner could not give the output the input's storage.
  virtual bool CopiesUnlessInPlace() const { return false; }
  // True when the output is a view of input 0 (no data moves; Run is never called).
  virtual bool IsView() const { return false; }
  virtual size_t WeightBytes() const { return 0; }
  // Never allocates, never fails. inputs.size() == NumInputs(); shapes were validated.
  virtual void Run(std::span<const core::TensorView> inputs, const core::TensorView& output) const = 0;
};

// Prefix for shape errors: "Dense: ".
inline std::string OpError(const Op& op, const std::string& what) {
  return std::string(op.Kind()) + ": " + what;
}

}  // namespace vigil::nn
